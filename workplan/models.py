"""Workplans: objectives with measurable targets, impact pathways, activity groups and
activities, the objective matrix (which activity serves which objective) and MEL."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class WorkplanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Draft workplans are for staff only."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.exclude(status=Workplan.Status.DRAFT)


class Workplan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    introduction = models.TextField(blank=True, help_text="Markdown.")
    pillars = models.ManyToManyField(
        "members.Pillar", blank=True, related_name="workplans", help_text="LeadIT 2.0 pillars."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkplanQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[pillars])

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="workplan_period_end_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "period_start"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workplan:detail", kwargs={"slug": self.slug})

    def is_closed_on(self, day: date) -> bool:
        """Whether the period is over on ``day``: its targets then show final values."""
        return self.period_end < day

    @property
    def is_closed(self) -> bool:
        return self.is_closed_on(timezone.localdate())


class Objective(models.Model):
    workplan = models.ForeignKey(Workplan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    short_title = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    due_event = models.CharField(max_length=200, blank=True, help_text="e.g. COP26")
    # Set by workplan_copy when the copied text names the old period's milestones or
    # years; cleared when staff save the objective in the admin.
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["workplan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["workplan", "number"], name="objective_number_unique_in_workplan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.short_title}"


class ObjectiveTarget(models.Model):
    """A measurable part of an objective: computed live by a registered metric
    (``workplan.metrics``) or, when ``metric`` is blank, from dated manual measurements."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="targets")
    label = models.CharField(max_length=200)
    metric = models.CharField(
        max_length=100, blank=True, help_text="A registered metric; blank for a manual one."
    )
    metric_options = models.JSONField(default=dict, blank=True)
    threshold = models.DecimalField(max_digits=12, decimal_places=2)
    unit = models.CharField(max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["objective", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gt=0), name="target_threshold_positive"),
        ]

    def __str__(self) -> str:
        return self.label


class TargetMeasurement(models.Model):
    """A dated value of a manual objective target."""

    target = models.ForeignKey(
        ObjectiveTarget, on_delete=models.CASCADE, related_name="measurements"
    )
    date = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["target", "-date"]

    def __str__(self) -> str:
        return f"{self.value} on {self.date}"


class ImpactPathway(models.Model):
    """Partnerships for change, Evidence for action, Industry transition roadmaps, or the
    core secretariat activities."""

    workplan = models.ForeignKey(Workplan, on_delete=models.CASCADE, related_name="pathways")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["workplan", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workplan", "title"], name="pathway_title_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityGroup(models.Model):
    pathway = models.ForeignKey(ImpactPathway, on_delete=models.CASCADE, related_name="groups")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pathway", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"
        # A closed period's activity whose outcome the portal has no record of.
        NOT_RECORDED = "not_recorded", "Outcome not recorded"

    group = models.ForeignKey(ActivityGroup, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    partner_members = models.ManyToManyField(
        "members.Member", blank=True, related_name="workplan_activities"
    )
    partners = models.CharField(
        "other partners", max_length=300, blank=True, help_text="e.g. IEA, an embassy"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.PLANNED)
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    deliverable_url = models.URLField(blank=True, max_length=500)
    events = models.ManyToManyField("summits.Event", blank=True, related_name="workplan_activities")
    objectives = models.ManyToManyField(
        Objective, blank=True, related_name="activities", help_text="The objective matrix."
    )
    order = models.PositiveSmallIntegerField(default=0)
    # As on Objective: set by workplan_copy for stale wording, cleared when staff save it.
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[objectives, partner_members])

    class Meta:
        ordering = ["group", "order", "pk"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="activity_due_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title


class MELIndicator(models.Model):
    """Monitoring, evaluation and learning: a quantitative measure of activities and reach."""

    workplan = models.ForeignKey(Workplan, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["workplan", "order", "pk"]
        verbose_name = "MEL indicator"

    def __str__(self) -> str:
        return self.name


class MELMeasurement(models.Model):
    indicator = models.ForeignKey(
        MELIndicator, on_delete=models.CASCADE, related_name="measurements"
    )
    date = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "date"]
        verbose_name = "MEL measurement"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="mel_one_value_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} on {self.date}"
