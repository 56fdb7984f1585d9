"""Innovation programmes (R&D incubators, accelerators, innovation partnerships such as the
Mission Innovation missions) and their calls for proposals."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .common import demo_field


class InnovationProgramme(models.Model):
    class Kind(models.TextChoices):
        INCUBATOR = "incubator", "R&D incubator"
        ACCELERATOR = "accelerator", "Accelerator"
        MISSION = "mission", "Innovation mission or partnership"
        FUND = "fund", "Innovation fund"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind)
    run_by = models.CharField(max_length=200, help_text="Who runs it.")
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="innovation_programmes",
        help_text="The LeadIT member that runs or funds it, if any.",
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    website = models.URLField(max_length=500, blank=True)
    sectors = models.ManyToManyField("tracker.Sector", blank=True, related_name="programmes")
    technologies = models.ManyToManyField(
        "tracker.Technology", blank=True, related_name="programmes"
    )
    source = models.URLField(max_length=500, blank=True, help_text="Where the facts come from.")
    is_demo = demo_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("technology:programme", kwargs={"slug": self.slug})


class CallQuerySet(models.QuerySet):
    def open_on(self, day):
        return self.filter(Q(opens_on__isnull=True) | Q(opens_on__lte=day), deadline__gte=day)


class CallForProposals(models.Model):
    programme = models.ForeignKey(
        InnovationProgramme, on_delete=models.CASCADE, related_name="calls"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    opens_on = models.DateField(null=True, blank=True)
    deadline = models.DateField()
    url = models.URLField("address", max_length=500, blank=True)
    is_demo = demo_field()
    updated_at = models.DateTimeField(auto_now=True)

    objects = CallQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "title"]
        verbose_name = "call for proposals"
        verbose_name_plural = "calls for proposals"
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(deadline__gte=F("opens_on")),
                name="call_deadline_after_opening",
            ),
        ]
        indexes = [models.Index(fields=["deadline"])]

    def __str__(self) -> str:
        return f"{self.title} (deadline {self.deadline:%Y-%m-%d})"
