"""Co-development projects: members and partners developing or demonstrating a technology
together, with milestones on the way from a starting TRL to a target."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from partnerships.models.common import AMOUNT, Money, non_negative

from .common import (
    MemberKeptQuerySet,
    demo_field,
    one_provider,
    trl_field,
    trl_in_range,
    visibility_field,
)


class CoDevelopmentProjectQuerySet(MemberKeptQuerySet):
    """Kept by the editors of the lead member."""

    member_path = "lead_member"

    def active(self):
        return self.filter(status=CoDevelopmentProject.Status.ACTIVE)


class CoDevelopmentProject(Money):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    lead_member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="codevelopment_projects_led",
        help_text="Its editors keep the project's page.",
    )
    technology = models.ForeignKey(
        "tracker.Technology", on_delete=models.PROTECT, related_name="codevelopment_projects"
    )
    sectors = models.ManyToManyField("tracker.Sector", related_name="codevelopment_projects")
    solution = models.ForeignKey(
        "technology.TechnologySolution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="codevelopment_projects",
    )
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Markdown.")
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED)
    trl_start = trl_field("TRL at start")
    trl_target = trl_field("target TRL")
    trl_current = trl_field("TRL now", null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    budget = models.DecimalField(**AMOUNT, null=True, blank=True)
    budget_usd = models.DecimalField("budget (USD)", **AMOUNT, null=True, blank=True)
    results = models.TextField(blank=True, help_text="Markdown.")
    tracker_project = models.ForeignKey(
        "tracker.IndustrialProject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="codevelopment_projects",
        help_text="The industrial plant in the tracker where it is demonstrated.",
    )
    pipeline_project = models.ForeignKey(
        "partnerships.PipelineProject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="codevelopment_projects",
    )
    visibility = visibility_field()
    is_demo = demo_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CoDevelopmentProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            trl_in_range("trl_start", "codev_trl_start_1_to_9"),
            trl_in_range("trl_target", "codev_trl_target_1_to_9"),
            trl_in_range("trl_current", "codev_trl_current_1_to_9"),
            models.CheckConstraint(
                condition=Q(trl_target__gte=F("trl_start")), name="codev_target_not_below_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="codev_ends_after_start",
            ),
            non_negative("budget", "codev_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | ~Q(currency=""),
                name="codev_budget_has_currency",
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "status"]),
            models.Index(fields=["technology", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("technology:project", kwargs={"slug": self.slug})


class ProjectParticipant(models.Model):
    """A member or a partner institution in a project, and its role there."""

    project = models.ForeignKey(
        CoDevelopmentProject, on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="codevelopment_participations",
    )
    institution = models.ForeignKey(
        "partnerships.PartnerInstitution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="codevelopment_participations",
    )
    role = models.CharField(max_length=200, help_text="E.g. technology provider, host site.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            one_provider("codev_participant_one_party"),
            models.UniqueConstraint(
                fields=["project", "member"], name="codev_member_once_per_project"
            ),
            models.UniqueConstraint(
                fields=["project", "institution"], name="codev_institution_once_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.institution} — {self.role}"

    @property
    def party(self):
        return self.member or self.institution


class ProjectMilestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        DELAYED = "delayed", "Delayed"
        DROPPED = "dropped", "Dropped"

    project = models.ForeignKey(
        CoDevelopmentProject, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status, default=Status.PLANNED)
    completed_on = models.DateField(null=True, blank=True)
    trl_reached = trl_field(
        "TRL reached", null=True, blank=True, help_text="If the milestone proves a TRL."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "due_on", "id"]
        constraints = [
            trl_in_range("trl_reached", "codev_milestone_trl_1_to_9"),
            models.CheckConstraint(
                condition=Q(status="done") | Q(completed_on__isnull=True),
                name="codev_milestone_completed_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on:%Y-%m-%d})"


class ProjectPublication(models.Model):
    project = models.ForeignKey(
        CoDevelopmentProject, on_delete=models.CASCADE, related_name="publications"
    )
    title = models.CharField(max_length=300)
    url = models.URLField("address", max_length=500)
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["project", "-year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["project", "url"], name="codev_publication_once"),
        ]

    def __str__(self) -> str:
        return self.title
