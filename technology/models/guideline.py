"""Technical guidelines: documents with versions, uploaded as PDF or written in Markdown and
rendered to PDF by a worker. Older versions are kept and marked superseded."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .common import MemberKeptQuerySet, demo_field, visibility_field


class TechnicalGuidelineQuerySet(MemberKeptQuerySet):
    pass


class TechnicalGuideline(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="technical_guidelines",
        help_text="Its editors keep the guideline; empty for the secretariat's own.",
    )
    summary = models.CharField(max_length=300)
    sectors = models.ManyToManyField("tracker.Sector", blank=True, related_name="guidelines")
    technologies = models.ManyToManyField(
        "tracker.Technology", blank=True, related_name="guidelines"
    )
    licence = models.CharField(max_length=100, help_text="E.g. CC BY 4.0, all rights reserved.")
    visibility = visibility_field()
    is_demo = demo_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TechnicalGuidelineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["visibility", "-updated_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("technology:guideline", kwargs={"slug": self.slug})


class GuidelineVersion(models.Model):
    """One version of a guideline: an uploaded PDF, or Markdown a worker renders to PDF."""

    class RenderStatus(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        QUEUED = "queued", "Queued for rendering"
        RENDERED = "rendered", "Rendered"
        FAILED = "failed", "Failed"

    guideline = models.ForeignKey(
        TechnicalGuideline, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.CharField(max_length=20, help_text="E.g. 1.0, 2024-11.")
    published_on = models.DateField()
    body = models.TextField(blank=True, help_text="Markdown, rendered to PDF by a worker.")
    pdf = models.FileField(upload_to="technology/guidelines/", blank=True)
    render_status = models.CharField(
        max_length=10, choices=RenderStatus, default=RenderStatus.UPLOADED
    )
    render_error = models.TextField(blank=True)
    change_note = models.TextField(blank=True, help_text="What changed from the version before.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["guideline", "-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["guideline", "version"], name="guideline_version_once"),
            models.CheckConstraint(
                condition=~Q(body="") | ~Q(pdf=""), name="guideline_version_has_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guideline} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse(
            "technology:guideline_download", kwargs={"slug": self.guideline.slug, "pk": self.pk}
        )
