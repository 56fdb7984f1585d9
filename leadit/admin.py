from collections import Counter

from django.contrib import admin, messages

from .jobs import job_is_stuck, job_retry, job_story
from .models import BackgroundJob


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "description", "task_name", "status", "story", "attempts"]
    list_filter = ["status", "task_name"]
    search_fields = ["description", "task_name", "last_error"]
    readonly_fields = ["story", *(f.name for f in BackgroundJob._meta.fields)]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Error")
    def short_error(self, job):
        return job.last_error[:120]

    @admin.display(description="what happened")
    def story(self, job):
        """The job's story, not only its last attempt's: "Interrupted — resumed by job #12
        (done)", "Queued — Worker lost …; re-queued, attempt 2 of 5"."""
        return job_story(job)[:300]

    @admin.action(
        description="Retry the selected failed (or stuck queued) jobs", permissions=["change"]
    )
    def retry(self, request, queryset):
        selected = list(queryset)
        retried = [
            job
            for job in selected
            if job.status == BackgroundJob.Status.FAILED or job_is_stuck(job)
        ]
        for job in retried:
            job_retry(job=job)
        if retried:
            # On the embedded default the job has already run by now: say how it went.
            by_status = Counter(
                BackgroundJob.objects.filter(pk__in=[j.pk for j in retried]).values_list(
                    "status", flat=True
                )
            )
            failed_again = by_status.get(BackgroundJob.Status.FAILED, 0)
            done = by_status.get(BackgroundJob.Status.DONE, 0)
            details = []
            if done:
                details.append(f"{done} done")
            if failed_again:
                details.append(f"{failed_again} failed again (see the error column)")
            waiting = len(retried) - done - failed_again
            if waiting:
                details.append(f"{waiting} queued for a worker")
            text = f"{len(retried)} job(s) retried" + (f": {', '.join(details)}" if details else "")
            level = messages.WARNING if failed_again else messages.SUCCESS
            self.message_user(request, text + ".", level)
        skipped = len(selected) - len(retried)
        if skipped:
            self.message_user(
                request,
                f"{skipped} job(s) left as they are: only failed jobs are retried, and queued "
                "ones that no worker has taken for 15 minutes; done, running and recently "
                "queued jobs are not.",
                messages.INFO,
            )
