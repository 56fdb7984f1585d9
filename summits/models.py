"""Events: leadership summits, board and TEC meetings, working groups, dialogues and
workshops; their documents and deadlines; delegates registered by members."""

import os
import uuid
import zoneinfo
from datetime import UTC, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from members.models import Member

TIME_ZONES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)
DOCUMENT_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "txt", "csv"]


def shift_local(moment, *, days: int):
    """``moment`` (aware, in a ZoneInfo zone) moved by ``days`` calendar days keeping its
    wall-clock time: arithmetic on an aware datetime is wall-clock arithmetic in Python, and
    the UTC offset is recomputed for the new date. Returned in UTC."""
    return (moment + timedelta(days=days)).astimezone(UTC)


class EventKind(models.Model):
    """A kind of event, with its document deadlines: the agenda is due ``agenda_days_before``
    the start, the minutes ``minutes_days_after`` the end (7 and 7 by default)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    agenda_days_before = models.PositiveSmallIntegerField(default=7)
    minutes_days_after = models.PositiveSmallIntegerField(default=7)
    requires_documents = models.BooleanField(
        default=False, help_text="Agenda and minutes are expected (board and TEC meetings)."
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class WorkingGroup(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    members = models.ManyToManyField("members.Member", blank=True, related_name="working_groups")
    convenor = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="convened_working_groups",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# A board meeting's documents go to every active member's primary contact.
BOARD_KIND_SLUG = "management-board"


def visibilities_for(user) -> frozenset[str]:
    """What ``user`` may see of events and of their documents (one rule for both): public
    for everyone; members-only too for an editor of any member; everything for staff."""
    if user.is_authenticated and user.is_staff:
        return frozenset(Event.Visibility.values)
    if Member.objects.edited_by(user).exists():
        return frozenset({Event.Visibility.PUBLIC, Event.Visibility.MEMBERS})
    return frozenset({Event.Visibility.PUBLIC})


class VisibilityQuerySet(models.QuerySet):
    """Events and documents: each has its own ``visibility`` (a document's event is checked
    on the event)."""

    def visible_to(self, user):
        """The rows ``user`` may see (``visibilities_for``)."""
        return self.filter(visibility__in=visibilities_for(user))


class Event(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIRTUAL = "virtual", "Virtual"
        HYBRID = "hybrid", "Hybrid"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        MEMBERS = "members", "Members only"
        STAFF = "staff", "Secretariat only"

    kind = models.ForeignKey(EventKind, on_delete=models.PROTECT, related_name="events")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    time_zone = models.CharField(max_length=64, choices=TIME_ZONES, default="Europe/Stockholm")
    location = models.CharField(max_length=300, blank=True)
    format = models.CharField(max_length=10, choices=Format, default=Format.IN_PERSON)
    online_link = models.URLField(
        blank=True, max_length=500, help_text="Shown to registered participants only."
    )
    host_members = models.ManyToManyField(
        "members.Member", blank=True, related_name="hosted_events"
    )
    partners = models.CharField("partner organisations", max_length=300, blank=True)
    milestone = models.ForeignKey(
        "members.Milestone", on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    visibility = models.CharField(max_length=10, choices=Visibility, default=Visibility.PUBLIC)
    description = models.TextField(blank=True, help_text="Markdown.")
    capacity = models.PositiveIntegerField(null=True, blank=True)
    registration_deadline = models.DateTimeField(null=True, blank=True)
    announced_members = models.ManyToManyField(
        "members.Member",
        blank=True,
        related_name="announced_at_events",
        help_text="Members announced at this summit.",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Secretariat staff reminded of document deadlines.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibilityQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[host_members, announced_members])

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="event_end_not_before_start"
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "start"]),
            models.Index(fields=["kind", "start"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("summits:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end must not be before the start."})

    def local(self, moment):
        """``moment`` on the wall clock of the event's time zone."""
        return moment.astimezone(zoneinfo.ZoneInfo(self.time_zone))

    @property
    def agenda_due(self):
        """N days before the start at the same wall-clock time in the event's time zone
        (so a 14:00 meeting has its agenda due at 14:00 local even across a DST change)."""
        return shift_local(self.local(self.start), days=-self.kind.agenda_days_before)

    @property
    def minutes_due(self):
        return shift_local(self.local(self.end), days=self.kind.minutes_days_after)


# Event documents are not public files: they live under this prefix of MEDIA_ROOT, which
# MEDIA_URL never serves (leadit.media serves only PUBLIC_MEDIA_PREFIXES). They are reached
# through the event's document view, which checks who asks.
PRIVATE_DOCUMENT_PREFIX = "private/events/documents/"


def event_document_path(instance, filename: str) -> str:
    """``private/events/documents/<random>/<slugified name>``: unguessable, and no longer
    the uploader's file name (kept in ``original_name`` for the download)."""
    stem, extension = os.path.splitext(os.path.basename(filename))
    name = (slugify(stem)[:80] or "document") + extension.lower()[:10]
    return f"{PRIVATE_DOCUMENT_PREFIX}{uuid.uuid4().hex}/{name}"


class EventDocument(models.Model):
    class Kind(models.TextChoices):
        AGENDA = "agenda", "Agenda"
        MINUTES = "minutes", "Minutes"
        PRESENTATION = "presentation", "Presentation"
        OTHER = "other", "Other"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=15, choices=Kind)
    title = models.CharField(max_length=200)
    file = models.FileField(
        upload_to=event_document_path,
        max_length=255,
        blank=True,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
    )
    # The file's name as uploaded: the name it downloads under.
    original_name = models.CharField(max_length=255, blank=True, editable=False)
    link = models.URLField(blank=True, max_length=500)
    visibility = models.CharField(
        max_length=10, choices=Event.Visibility, default=Event.Visibility.MEMBERS
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = VisibilityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "kind", "uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(link=""), name="document_has_file_or_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:
            # A new upload: remember its name before the storage renames it.
            self.original_name = os.path.basename(self.file.name)[:255]
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "original_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # Files live under private/ and are served only through this access-checked view.
        return reverse("summits:document", kwargs={"slug": self.event.slug, "pk": self.pk})

    @property
    def download_name(self) -> str:
        return self.original_name or os.path.basename(self.file.name)


class DeadlineReminder(models.Model):
    """One reminder e-mail about one document of one event on one day: the unique
    constraint is what makes the daily job send at most one per document per day."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminders")
    document_kind = models.CharField(max_length=15, choices=EventDocument.Kind)
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "document_kind", "day"], name="one_reminder_per_document_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.document_kind} reminder on {self.day}"


class RegistrationQuerySet(models.QuerySet):
    def editable_by(self, user):
        """The registrations ``user`` may change: those of the members they may edit."""
        return self.filter(member__in=Member.objects.editable_by(user))


class Registration(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="registrations"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    role = models.CharField(max_length=200, blank=True)
    attendance_mode = models.CharField(max_length=10, choices=Mode, default=Mode.IN_PERSON)
    status = models.CharField(max_length=12, choices=Status, default=Status.REGISTERED)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "member", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(status="registered"),
                name="registration_one_active_per_email",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.member}) at {self.event}"
