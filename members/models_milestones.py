"""The milestones members report progress at (COPs, UN summits): when they are reminded,
who was reminded, and the "progress report for <milestone>" PDF. Re-exported by
``members.models``."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Milestone(models.Model):
    """A moment members report progress at: a COP, a UN summit."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    date = models.DateField()
    description = models.TextField(
        "what is due",
        blank=True,
        help_text="Markdown: what members are asked to report for this milestone (quoted in "
        "the reminders).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:milestone", kwargs={"slug": self.slug})


# Unless the secretariat sets other steps on a milestone: 30 and 7 days before it.
DEFAULT_REMINDER_DAYS = (30, 7)


class MilestoneReminderStep(models.Model):
    """How many days before its milestone a reminder goes out to members who have not
    reported for it yet."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="reminder_steps"
    )
    days_before = models.PositiveSmallIntegerField(
        help_text="Days before the milestone (1 to 365)."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["milestone", "-days_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "days_before"], name="milestone_reminder_step_unique"
            ),
            models.CheckConstraint(
                condition=Q(days_before__gte=1, days_before__lte=365),
                name="milestone_reminder_step_before_the_milestone",
                violation_error_message="A reminder goes out 1 to 365 days before the milestone.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.days_before} days before"

    @property
    def send_on(self):
        return self.milestone.date - timedelta(days=self.days_before)

    def clean(self) -> None:
        super().clean()
        if self.days_before is not None and self.days_before < 1:
            raise ValidationError(
                {"days_before": "A reminder goes out before the milestone: at least 1 day before."}
            )
        if self.pk is None and self.milestone_id and self.milestone.date < timezone.localdate():
            raise ValidationError(
                f"{self.milestone} was on {self.milestone.date:%-d %B %Y}: "
                "no new reminder can be scheduled for a milestone that has passed."
            )


class MilestoneReminder(models.Model):
    """One reminder e-mail to one person about one milestone at one step. The row is
    claimed before the e-mail is sent: its unique constraint is what keeps the job, run by
    several workers or again after a crash, to one e-mail per person per step."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="milestone_reminders"
    )
    members = models.ManyToManyField(
        "Member", related_name="milestone_reminders", help_text="The members it reminded of."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "days_before", "user"],
                name="one_milestone_reminder_per_person_per_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone}, {self.days_before} days before: {self.user}"


class MilestoneReport(models.Model):
    """The "progress report for <milestone>" PDF, rendered by a worker on request."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERED = "rendered", "Rendered"
        FAILED = "failed", "Failed"

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    pdf = models.FileField(upload_to="members/milestone-reports/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["milestone", "-requested_at"])]

    def __str__(self) -> str:
        return f"Progress report for {self.milestone} ({self.requested_at:%Y-%m-%d %H:%M})"
