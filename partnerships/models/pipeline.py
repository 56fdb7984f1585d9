"""The pipeline of bankable low-carbon industrial projects."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .common import (
    AMOUNT,
    Money,
    PartnerInstitution,
    VisibleQuerySet,
    demo_field,
    non_negative,
    visibility_field,
)
from .partnership import Partnership
from .support import SupportOffer


class PipelineProjectQuerySet(VisibleQuerySet):
    pass


class PipelineProject(Money):
    """A bankable low-carbon industrial project in a partnership country."""

    class Stage(models.TextChoices):
        CONCEPT = "concept", "Concept"
        PRE_FEASIBILITY = "pre_feasibility", "Pre-feasibility"
        FEASIBILITY = "feasibility", "Feasibility"
        FINANCING_STRUCTURED = "financing", "Financing structured"
        FINANCIAL_CLOSE = "fid", "Financial close (FID)"
        CONSTRUCTION = "construction", "Construction"
        OPERATING = "operating", "Operating"
        ON_HOLD = "on_hold", "On hold"
        DROPPED = "dropped", "Dropped"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="pipeline_projects"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    sector = models.ForeignKey(
        "tracker.Sector", on_delete=models.PROTECT, related_name="pipeline_projects"
    )
    technologies = models.ManyToManyField(
        "tracker.Technology", blank=True, related_name="pipeline_projects"
    )
    sponsor = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    capex = models.DecimalField("capital expenditure", **AMOUNT, null=True, blank=True)
    capex_usd = models.DecimalField("capital expenditure (USD)", **AMOUNT, null=True, blank=True)
    financing_gap = models.DecimalField(**AMOUNT, null=True, blank=True)
    financing_gap_usd = models.DecimalField("financing gap (USD)", **AMOUNT, null=True, blank=True)
    abatement_t_per_year = models.DecimalField(
        "expected abatement (t CO₂/yr)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    stage = models.CharField(max_length=16, choices=Stage, default=Stage.CONCEPT, db_index=True)
    stage_since = models.DateField()
    financing_offers = models.ManyToManyField(
        SupportOffer, blank=True, related_name="pipeline_projects"
    )
    financing_institutions = models.ManyToManyField(
        PartnerInstitution, blank=True, related_name="pipeline_projects"
    )
    gem_plant = models.ForeignKey(
        "tracker.IndustrialProject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pipeline_projects",
        help_text="The GEM plant this project converts, if any.",
    )
    visibility = visibility_field()
    is_demo = demo_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PipelineProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "name"]
        constraints = [
            non_negative("capex", "pipeline_capex_not_negative"),
            non_negative("financing_gap", "pipeline_gap_not_negative"),
            non_negative("abatement_t_per_year", "pipeline_abatement_not_negative"),
            models.CheckConstraint(
                condition=Q(financing_gap__isnull=True)
                | Q(capex__isnull=True)
                | Q(financing_gap__lte=F("capex")),
                name="pipeline_gap_within_capex",
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "stage"]),
            models.Index(fields=["partnership", "stage"]),
            models.Index(fields=["capex_usd"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:project", kwargs={"slug": self.slug})


class PipelineStageChange(models.Model):
    """One stage-gate change of a pipeline project; a step back carries its reason."""

    project = models.ForeignKey(
        PipelineProject, on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(max_length=16, choices=PipelineProject.Stage)
    changed_on = models.DateField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "changed_on", "id"]
        indexes = [models.Index(fields=["stage", "changed_on"])]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_stage_display()} on {self.changed_on}"


class PipelineSource(models.Model):
    project = models.ForeignKey(PipelineProject, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["project", "title"]

    def __str__(self) -> str:
        return self.title
