"""Publications: policy briefs and the quarterly newsletter, their rendered PDFs, the
newsletter's subscribers and one delivery row per (issue, subscriber).

Briefs and newsletter issues share one ``Publication`` table (multi-table inheritance): the
public archive lists both in one query, and a slug is unique across both, as the URL
contract ``/publications/<slug>/`` needs.
"""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from leadit.newsletter_sections import KEY_MAX_LENGTH, NEWSLETTER_SECTIONS

DEFAULT_LICENCE = "CC BY 4.0"


class PublicationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Publication.Status.PUBLISHED, published_on__isnull=False)


class Publication(models.Model):
    class Kind(models.TextChoices):
        BRIEF = "brief", "Brief"
        NEWSLETTER = "newsletter", "Newsletter issue"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    kind = models.CharField(max_length=12, choices=Kind, editable=False)
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True, help_text="One paragraph, plain text.")
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    published_on = models.DateField(null=True, blank=True)
    sectors = models.ManyToManyField("tracker.Sector", blank=True, related_name="publications")
    # Stored as "DE,IN,SE": a two-letter code between commas, so ``countries__contains``
    # matches whole codes only.
    countries = CountryField(multiple=True, blank=True)
    licence = models.CharField(max_length=100, default=DEFAULT_LICENCE)
    cite_as = models.TextField(
        blank=True, help_text="Leave blank to have it written from the authors, title and year."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-created_at"]
        indexes = [
            models.Index(fields=["status", "published_on"]),
            models.Index(fields=["kind", "status", "published_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_on__isnull=False),
                name="publication_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publications:detail", kwargs={"slug": self.slug})

    def get_pdf_url(self) -> str:
        return reverse("publications:pdf", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_on is not None

    @property
    def specific(self) -> "Brief | NewsletterIssue":
        """The brief or newsletter issue this row is."""
        if self.kind == self.Kind.BRIEF:
            return self.brief
        return self.newsletterissue


class Brief(Publication):
    """A short policy brief: Markdown body (headings, tables, footnotes, figures — the
    portal's own SVG charts may be embedded as ``[[chart: name | caption]]`` figures)."""

    body = models.TextField(help_text="Markdown: headings, tables, footnotes and figures.")
    authors = models.CharField(max_length=300, help_text="As printed: “A. Author, B. Author”.")
    activity = models.ForeignKey(
        "workplan.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="briefs",
        help_text="The workplan activity this brief delivers.",
    )
    cover_image = models.ImageField(upload_to="publications/covers/", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "-created_at"]

    def save(self, *args, **kwargs):
        self.kind = Publication.Kind.BRIEF
        super().save(*args, **kwargs)


class NewsletterIssue(Publication):
    """One quarterly newsletter: an editorial introduction and sections assembled from the
    quarter's data, which staff reorder, trim and annotate before sending."""

    number = models.PositiveIntegerField(unique=True)
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(choices=[(q, f"Q{q}") for q in range(1, 5)])
    introduction = models.TextField(blank=True, help_text="Markdown.")
    test_sent_to = models.EmailField(blank=True)
    test_sent_at = models.DateTimeField(null=True, blank=True)
    send_requested_at = models.DateTimeField(null=True, blank=True)
    send_finished_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="newsletter_one_per_quarter"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="newsletter_quarter_1_to_4"
            ),
        ]

    def save(self, *args, **kwargs):
        self.kind = Publication.Kind.NEWSLETTER
        super().save(*args, **kwargs)

    @property
    def quarter_label(self) -> str:
        return f"Q{self.quarter} {self.year}"


class NewsletterSection(models.Model):
    """One section of an issue: assembled from a section an app registered
    (``leadit.newsletter_sections``; ``kind`` is its key) or staff's own ("custom")."""

    class Kind:
        """Names for the section keys publications' code and tests mention. Not the field's
        choices: any registered key is a kind, and its label is the registry's title."""

        NEW_MEMBERS = "new_members"
        EVENTS_HELD = "events_held"
        EVENTS_COMING = "events_coming"
        ROADMAPS = "roadmaps"
        PROJECTS = "projects"
        BRIEFS = "briefs"
        PROGRESS = "progress"
        WORKPLAN = "workplan"
        CUSTOM = "custom"

    CUSTOM_LABEL = "Other"

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=KEY_MAX_LENGTH, default=Kind.CUSTOM)
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True, help_text="Markdown: staff's annotation, shown first.")
    position = models.PositiveSmallIntegerField(default=0)
    included = models.BooleanField(default=True)

    class Meta:
        ordering = ["issue", "position", "pk"]
        indexes = [models.Index(fields=["issue", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return section_kind_label(self.kind)


def section_kind_label(kind: str) -> str:
    """What staff read for a section's kind: the registered section's title, "Other" for
    their own sections, the raw key for a section no app registers any more."""
    if kind == NewsletterSection.Kind.CUSTOM:
        return NewsletterSection.CUSTOM_LABEL
    source = NEWSLETTER_SECTIONS.get(kind)
    return source.title if source is not None else kind


class NewsletterItem(models.Model):
    """One line of a section, copied from the portal's data when the issue is assembled
    (so later edits to the source do not change a sent issue)."""

    section = models.ForeignKey(NewsletterSection, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True, help_text="Markdown.")
    url = models.CharField(max_length=500, blank=True, help_text="Portal path or full URL.")
    date = models.DateField(null=True, blank=True)
    source = models.CharField(
        max_length=100, blank=True, help_text="What it was assembled from, e.g. “member:12”."
    )
    position = models.PositiveSmallIntegerField(default=0)
    included = models.BooleanField(default=True)

    class Meta:
        ordering = ["section", "position", "pk"]

    def __str__(self) -> str:
        return self.title


def rendered_document_path(instance: "RenderedDocument", filename: str) -> str:
    # Unguessable: the public reaches a PDF only through /publications/<slug>.pdf.
    return f"publications/pdf/{uuid.uuid4().hex}.pdf"


class RenderedDocument(models.Model):
    """One generated PDF of a publication. Written before its render task is queued."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="documents")
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the rendered HTML.")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to=rendered_document_path, blank=True)
    job = models.ForeignKey(
        "leadit.BackgroundJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["publication", "status", "-created_at"])]
        constraints = [
            # Idempotence: one document per content; a re-render of unchanged content
            # returns the existing row.
            models.UniqueConstraint(
                fields=["publication", "content_hash"], name="rendered_document_one_per_content"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="rendered_document_done_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"PDF of {self.publication} ({self.get_status_display()})"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Subscriber(models.Model):
    class Source(models.TextChoices):
        PUBLIC_FORM = "public_form", "Public sign-up form"
        MEMBER_CONTACT = "member_contact", "Member contact"

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=20, choices=Source, default=Source.PUBLIC_FORM)
    contact = models.OneToOneField(
        "members.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsletter_subscriber",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=new_token)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique_ci"),
        ]
        indexes = [models.Index(fields=["confirmed_at", "unsubscribed_at"])]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        self.email = (self.email or "").strip()
        if self.unsubscribed_at and self.confirmed_at and self.unsubscribed_at < self.confirmed_at:
            raise ValidationError({"unsubscribed_at": "Unsubscribed before confirming."})

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Delivery(models.Model):
    """One newsletter issue to one subscriber. ``sending`` is committed before the SMTP
    conversation starts, so a send interrupted at any point never e-mails anyone twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        REFUSED = "refused", "Refused by the mail server"
        FAILED = "failed", "Failed"
        UNCONFIRMED = "unconfirmed", "Interrupted (not known whether sent)"

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issue", "pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="delivery_once_per_issue"),
        ]
        indexes = [models.Index(fields=["issue", "status"])]

    def __str__(self) -> str:
        return f"{self.issue} → {self.subscriber} ({self.get_status_display()})"
