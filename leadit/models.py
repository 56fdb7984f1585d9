from django.conf import settings
from django.db import models


class BackgroundJob(models.Model):
    """A Celery job, written to the database before it is queued (DESIGN.md §6).

    If the broker is down when the job is queued, the row stays ``queued`` and
    ``leadit.requeue_stale_jobs`` sends it later. Staff see every job and its error in the
    admin and can retry a failed one.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    task_name = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The running attempt's lease: which worker process holds it ("host:pid") and when it
    # last said it was alive (every few seconds, see leadit.jobs). A running job whose
    # heartbeat stopped lost its worker; the sweep queues it again.
    lease_owner = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # One line per event of the job's life that its status alone does not tell (a lost
    # worker, a retried error), oldest first: the story staff read in the admin.
    history = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.description or self.task_name} ({self.get_status_display()})"

    def same_work(self):
        """The other jobs for the same work: the same task with the same arguments."""
        return BackgroundJob.objects.filter(
            task_name=self.task_name, arguments=self.arguments
        ).exclude(pk=self.pk)


class MailOptOut(models.Model):
    """A person who asked, by the one-click link in an e-mail, not to get one kind of
    e-mail again (a ``topic`` such as "technology-needs-digest"; see ``leadit.optouts``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["topic", "user"]
        verbose_name = "e-mail opt-out"
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="mail_opt_out_once_per_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.user} does not want {self.topic}"
