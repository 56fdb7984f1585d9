from collections import Counter

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from .jobs import MAX_ATTEMPTS, STUCK_AFTER, job_is_stuck, job_retry, job_story
from .models import BackgroundJob


def _stuck(queryset, now=None):
    """The queued jobs ``job_is_stuck`` would retry, as a query: never sent, or sent longer
    ago than a retry of its own could take (every queued job when Celery runs eagerly)."""
    from .celery import app

    queued = queryset.filter(status=BackgroundJob.Status.QUEUED)
    if app.conf.task_always_eager:
        return queued
    cutoff = (now or timezone.now()) - STUCK_AFTER
    return queued.filter(Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff))


class JobStatusFilter(admin.SimpleListFilter):
    """The statuses, plus "Stuck": queued jobs no worker has taken (the retry action's
    queued ones)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        queued, *others = BackgroundJob.Status.choices
        return [queued, ("stuck", "Stuck (queued, no worker took it)"), *others]

    def queryset(self, request, queryset):
        if self.value() == "stuck":
            return _stuck(queryset)
        if self.value() in BackgroundJob.Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    """The jobs list fits 1,280 px: what happened, attempts and the error first, then the
    job (its description shortened; the full text, task and arguments on its own page)."""

    list_display = ["what_happened", "tries", "short_error", "job", "created"]
    list_display_links = ["job"]
    list_filter = [JobStatusFilter, "task_name"]
    search_fields = ["description", "task_name", "last_error"]
    readonly_fields = ["story", *(f.name for f in BackgroundJob._meta.fields)]
    actions = ["retry"]

    class Media:
        css = {"all": ["css/admin-portal.css"]}

    def has_add_permission(self, request):
        return False

    @admin.display(description="status", ordering="status")
    def what_happened(self, job):
        """The status as its story tells it: "Queued — stuck since 09:21", "Interrupted —
        resumed by job #12 (done)", "Done on attempt 2 of 5 after its worker was lost";
        the error itself is in the next column."""
        if job_is_stuck(job):
            since = timezone.localtime(job.sent_at or job.created_at)
            day = "" if since.date() == timezone.localdate() else f"{since:%-d %b} "
            text = f"Queued — stuck since {day}{since:%H:%M}"
            return format_html('<span class="job-status job-status--stuck">{}</span>', text)
        story = job_story(job)
        if job.status == BackgroundJob.Status.QUEUED:
            story = "Queued"  # why it waits (a retried error) is in the error column
        elif job.status == BackgroundJob.Status.FAILED and story.startswith("Failed: "):
            story = "Failed"
        elif job.status == BackgroundJob.Status.RUNNING:
            story = f"Running (attempt {job.attempts} of {MAX_ATTEMPTS})"
        return format_html('<span class="job-status job-status--{}">{}</span>', job.status, story)

    @admin.display(description="tries", ordering="attempts")
    def tries(self, job):
        return job.attempts

    @admin.display(description="error")
    def short_error(self, job):
        """The error's first line, shortened; the whole of it as the title and on the
        job's page."""
        if not job.last_error:
            return "—"
        first_line = job.last_error.strip().splitlines()[0] if job.last_error.strip() else ""
        return format_html(
            '<span class="job-error" title="{}">{}</span>',
            Truncator(job.last_error).chars(1000),
            Truncator(first_line).chars(70),
        )

    @admin.display(description="job", ordering="description")
    def job(self, job):
        text = job.description or job.task_name
        return format_html(
            '<span title="{}">{}</span>',
            f"{text} ({job.task_name})" if job.description else text,
            Truncator(text).chars(60),
        )

    @admin.display(description="created", ordering="created_at")
    def created(self, job):
        when = timezone.localtime(job.created_at)
        day = f"{when:%-d %b}" if when.year == timezone.localdate().year else f"{when:%-d %b %Y}"
        return format_html('<time datetime="{}">{}</time>', when.isoformat(), f"{day} {when:%H:%M}")

    @admin.display(description="what happened")
    def story(self, job):
        """The job's story, not only its last attempt's: "Interrupted — resumed by job #12
        (done)", "Queued — Worker lost …; re-queued, attempt 2 of 5"."""
        return job_story(job)

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
