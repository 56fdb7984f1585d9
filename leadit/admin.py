from django.contrib import admin, messages

from .jobs import job_retry
from .models import BackgroundJob


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "description", "task_name", "status", "attempts", "short_error"]
    list_filter = ["status", "task_name"]
    search_fields = ["description", "task_name", "last_error"]
    readonly_fields = [f.name for f in BackgroundJob._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Error")
    def short_error(self, job):
        return job.last_error[:120]

    @admin.action(description="Retry the selected failed jobs", permissions=["change"])
    def retry(self, request, queryset):
        failed = list(queryset.filter(status=BackgroundJob.Status.FAILED))
        for job in failed:
            job_retry(job=job)
        self.message_user(request, f"{len(failed)} job(s) queued again.", messages.SUCCESS)
