"""Writes of the events app, and the document deadlines they depend on: each a keyword-only
function, validated with ``full_clean`` and done in one transaction.

Who is told what:

- an agenda or minutes added (not secretariat-only) → the event's "board" contacts
  (``document_recipients``): for a Management Board meeting, the primary contact of every
  active member (the board is made of all members); for any other event, every contact of
  its host members plus the primary contacts of its working group's member organisations;
- a document due within ``REMINDER_DAYS_AHEAD`` days or overdue (up to
  ``REMINDER_DAYS_OVERDUE`` days) → the event's ``responsible`` staff user, or every active
  staff user when nobody is responsible; at most once per document per day.
"""

from __future__ import annotations

import calendar
import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mail, send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from leadit.jobs import job_enqueue
from leadit.validators import email_subject
from members.models import Contact, Member, MembershipRole

from .models import (
    DOCUMENT_EXTENSIONS,
    DeadlineReminder,
    Event,
    EventDocument,
    EventKind,
    Registration,
)

logger = logging.getLogger(__name__)

BOARD_KIND_SLUG = "management-board"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
REMINDER_DAYS_AHEAD = 3
REMINDER_DAYS_OVERDUE = 30
DEADLINE_KINDS = (EventDocument.Kind.AGENDA, EventDocument.Kind.MINUTES)

DeadlineState = Literal["done", "due", "late"]
STATE_LABELS = {"done": "Done", "due": "Due", "late": "Late"}


# --- Deadlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentDeadline:
    event: Event
    kind: str  # "agenda" or "minutes"
    due: datetime  # aware, UTC
    state: DeadlineState
    document: EventDocument | None = None

    @property
    def label(self) -> str:
        return EventDocument.Kind(self.kind).label

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def due_local(self) -> datetime:
        """The due time on the event's own wall clock."""
        return self.event.local(self.due)


def document_deadlines(*, event: Event, now: datetime) -> list[DocumentDeadline]:
    """The agenda and minutes deadlines of ``event`` (none unless its kind requires
    documents), each done (a document of that kind exists), late (past due, missing) or due.
    Uses ``event.documents`` prefetched when it is."""
    if not event.kind.requires_documents:
        return []
    documents: dict[str, EventDocument] = {}
    for document in event.documents.all():
        documents.setdefault(document.kind, document)
    result = []
    for kind, due in (
        (EventDocument.Kind.AGENDA, event.agenda_due),
        (EventDocument.Kind.MINUTES, event.minutes_due),
    ):
        document = documents.get(kind)
        if document is not None:
            state: DeadlineState = "done"
        elif now > due:
            state = "late"
        else:
            state = "due"
        result.append(
            DocumentDeadline(event=event, kind=str(kind), due=due, state=state, document=document)
        )
    return result


def events_with_deadlines_between(*, start: datetime, end: datetime):
    """Events whose agenda or minutes may fall due between ``start`` and ``end`` (a coarse
    database filter; ``document_deadlines`` decides), documents prefetched."""
    longest = EventKind.objects.filter(requires_documents=True).aggregate(
        before=Max("agenda_days_before"), after=Max("minutes_days_after")
    )
    before = timedelta(days=(longest["before"] or 0) + 1)
    after = timedelta(days=(longest["after"] or 0) + 1)
    return (
        Event.objects.filter(
            kind__requires_documents=True, start__lte=end + before, end__gte=start - after
        )
        .select_related("kind", "responsible")
        .prefetch_related("documents")
        .order_by("start")
    )


# --- Planning a year of board meetings ---------------------------------------------------------


def nth_weekday(*, year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` (1–5, or -1 for the last) ``weekday`` (0 = Monday) of a month."""
    days = [
        week[weekday]
        for week in calendar.Calendar().monthdatescalendar(year, month)
        if week[weekday].month == month
    ]
    if nth == -1:
        return days[-1]
    if not 1 <= nth <= len(days):
        raise ValidationError(f"{calendar.month_name[month]} {year} has no such weekday.")
    return days[nth - 1]


def board_meetings_plan(
    *,
    year: int,
    weekday: int,
    nth: int,
    time: time,
    time_zone: str,
    kind: EventKind,
    title_template: str = "Management Board meeting, {month} {year}",
    dry_run: bool,
    duration: timedelta = timedelta(hours=2),
    visibility: str = Event.Visibility.MEMBERS,
    responsible=None,
) -> list[Event]:
    """One meeting per month of ``year`` on the ``nth`` ``weekday`` at ``time`` local in
    ``time_zone``. Returns the twelve events in month order: those that already exist (an
    event of ``kind`` on that local date) as they are, the others new — unsaved when
    ``dry_run``, created otherwise. Running it again creates nothing."""
    if not 1 <= year <= 9998:
        raise ValidationError("Choose a year between 1 and 9998.")
    if not 0 <= weekday <= 6:
        raise ValidationError("The weekday must be between 0 (Monday) and 6 (Sunday).")
    if nth not in (1, 2, 3, 4, -1):
        raise ValidationError("Choose the first to fourth or the last week of the month.")
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"“{time_zone}” is not a known time zone.") from exc
    try:
        title_template.format(month="March", year=year)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError("The title may only use {month} and {year} as placeholders.") from exc

    planned: list[Event] = []
    with transaction.atomic():
        existing = list(
            Event.objects.select_for_update()
            .filter(
                kind=kind,
                start__gte=datetime(year, 1, 1, tzinfo=zone) - timedelta(days=1),
                start__lt=datetime(year + 1, 1, 1, tzinfo=zone) + timedelta(days=1),
            )
            .select_related("kind")
        )
        by_date = {}
        for event in existing:
            by_date.setdefault(event.start.astimezone(zone).date(), event)
        for month in range(1, 13):
            day = nth_weekday(year=year, month=month, weekday=weekday, nth=nth)
            if day in by_date:
                planned.append(by_date[day])
                continue
            start = datetime.combine(day, time, tzinfo=zone)
            event = Event(
                kind=kind,
                title=title_template.format(month=calendar.month_name[month], year=year),
                slug=_free_slug(f"{kind.slug}-{year}-{month:02d}"),
                start=start,
                end=start + duration,
                time_zone=time_zone,
                location="Online",
                format=Event.Format.VIRTUAL,
                visibility=visibility,
                responsible=responsible,
            )
            event.full_clean()
            if not dry_run:
                event.save()
            planned.append(event)
    return planned


def _free_slug(base: str) -> str:
    slug, n = base[:200], 2
    while Event.objects.filter(slug=slug).exists():
        slug = f"{base[:190]}-{n}"
        n += 1
    return slug


# --- Registrations ---------------------------------------------------------------------------


def user_may_register_for(*, user, member: Member) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or MembershipRole.objects.filter(user=user, member=member).exists()


def registration_create(
    *,
    event: Event,
    member: Member,
    user,
    name: str,
    email: str,
    role: str = "",
    attendance_mode: str = Registration.Mode.IN_PERSON,
    now: datetime | None = None,
) -> Registration:
    """Register a delegate of ``member`` for ``event``. Refused (ValidationError, nothing
    written) for another member's delegates, an event the user may not see, after the
    registration deadline or the event's end, over capacity, or an e-mail already
    registered for the event."""
    now = now or timezone.now()
    if not user_may_register_for(user=user, member=member):
        raise ValidationError(
            f"You can only register delegates of the members you edit, not of {member}."
        )
    email = (email or "").strip()
    with transaction.atomic():
        # The event row is locked so that two registrations cannot both take the last place.
        locked = Event.objects.visible_to(user).select_for_update().filter(pk=event.pk).first()
        if locked is None:
            raise ValidationError("This event is not open to you.")
        if locked.registration_deadline and now > locked.registration_deadline:
            deadline = locked.local(locked.registration_deadline)
            raise ValidationError(
                f"Registration closed on {deadline:%-d %B %Y at %H:%M} ({locked.time_zone})."
            )
        if now >= locked.end:
            raise ValidationError("This event is over: registration is closed.")
        active = Registration.objects.filter(event=locked, status=Registration.Status.REGISTERED)
        if locked.capacity is not None and active.count() >= locked.capacity:
            raise ValidationError(f"This event is full: all {locked.capacity} places are taken.")
        if email and active.filter(email__iexact=email).exists():
            raise ValidationError({"email": f"{email} is already registered for this event."})
        registration = Registration(
            event=locked,
            member=member,
            name=(name or "").strip(),
            email=email,
            role=(role or "").strip(),
            attendance_mode=attendance_mode,
            registered_by=user,
        )
        registration.full_clean()
        registration.save()
    return registration


def registration_cancel(*, registration: Registration, user, now: datetime | None = None):
    """Cancel a registration: by staff or an editor of its member, before the event ends."""
    now = now or timezone.now()
    if not user_may_register_for(user=user, member=registration.member):
        raise ValidationError("You can only cancel registrations of the members you edit.")
    with transaction.atomic():
        locked = (
            Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        )
        if locked.status == Registration.Status.CANCELLED:
            raise ValidationError("This registration is already cancelled.")
        if now >= locked.event.end:
            raise ValidationError("This event is over: its registrations can no longer change.")
        locked.status = Registration.Status.CANCELLED
        locked.cancelled_at = now
        locked.full_clean()
        locked.save(update_fields=["status", "cancelled_at"])
    registration.status, registration.cancelled_at = locked.status, locked.cancelled_at
    return locked


# --- Documents -------------------------------------------------------------------------------

ZIP_EXTENSIONS = {"docx", "xlsx", "pptx", "odt", "ods", "odp"}
TEXT_EXTENSIONS = {"txt", "csv"}


def document_max_bytes() -> int:
    return getattr(settings, "EVENT_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def document_file_errors(file) -> list[str]:
    """What is wrong with an uploaded document file: its type (by extension, then by its
    first bytes: a PDF starts with %PDF-, Office and OpenDocument files are zip containers,
    text has no NUL bytes) and its size."""
    errors = []
    name = getattr(file, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in DOCUMENT_EXTENSIONS:
        errors.append(
            f"“{name.rsplit('/', 1)[-1]}” is not an accepted type; upload one of: "
            f"{', '.join(DOCUMENT_EXTENSIONS)}."
        )
        return errors
    size = getattr(file, "size", None)
    limit = document_max_bytes()
    if size is not None and size > limit:
        errors.append(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:.0f} MB."
        )
        return errors
    file.seek(0)
    head = file.read(2048)
    file.seek(0)
    if isinstance(head, str):
        head = head.encode()
    if extension == "pdf" and not head.startswith(b"%PDF-"):
        errors.append("The file is named .pdf but is not a PDF document.")
    elif extension in ZIP_EXTENSIONS and not head.startswith(b"PK\x03\x04"):
        errors.append(f"The file is named .{extension} but is not an Office document.")
    elif extension in TEXT_EXTENSIONS and b"\x00" in head:
        errors.append(f"The file is named .{extension} but is not a text file.")
    return errors


def document_add(
    *,
    event: Event,
    kind: str,
    title: str,
    file=None,
    link: str = "",
    visibility: str = Event.Visibility.MEMBERS,
    user,
) -> EventDocument:
    """Add a document (a file or a link) to an event, by staff. A new agenda or minutes that
    is not secretariat-only tells the event's board contacts (after commit, as a job)."""
    if not (user and user.is_authenticated and user.is_staff):
        raise ValidationError("Only the secretariat can add event documents.")
    if not file and not link:
        raise ValidationError("Upload a file or give a link.")
    if file:
        errors = document_file_errors(file)
        if errors:
            raise ValidationError({"file": errors})
    with transaction.atomic():
        document = EventDocument(
            event=event,
            kind=kind,
            title=(title or "").strip(),
            link=link or "",
            visibility=visibility,
            uploaded_by=user,
        )
        if file:
            document.file = file
        document.full_clean()
        document.save()
        if kind in DEADLINE_KINDS and visibility != Event.Visibility.STAFF:
            from .tasks import notify_document_added

            job_enqueue(
                task=notify_document_added,
                description=f"Tell board contacts about {document}"[:300],
                document_id=document.pk,
            )
    return document


def document_recipients(*, event: Event) -> list[str]:
    """The e-mail addresses told about a new agenda or minutes (see the module docstring)."""
    if event.kind.slug == BOARD_KIND_SLUG:
        contacts = Contact.objects.filter(member__status=Member.Status.ACTIVE, is_primary=True)
    else:
        contacts = Contact.objects.filter(member__in=event.host_members.all())
        if event.working_group_id:
            contacts = contacts | Contact.objects.filter(
                member__in=event.working_group.members.all(), is_primary=True
            )
    emails = {e.strip().lower() for e in contacts.values_list("email", flat=True) if e}
    return sorted(emails)


def document_notify(*, document_id: int) -> int:
    """E-mail the board contacts about a new agenda or minutes; one message each (nobody
    sees the others' addresses). Returns the number sent."""
    document = (
        EventDocument.objects.select_related("event", "event__kind", "event__working_group")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        return 0
    event = document.event
    recipients = document_recipients(event=event)
    if not recipients:
        return 0
    when = event.local(event.start)
    subject = f"[LeadIT] {document.get_kind_display()} of {event.title}"
    # "The agenda … is available", "The minutes … are available" (a plural noun).
    verb = "are" if document.kind == EventDocument.Kind.MINUTES else "is"
    body = (
        f"The {document.get_kind_display().lower()} of “{event.title}” "
        f"({when:%-d %B %Y, %H:%M} {event.time_zone}) {verb} available:\n\n"
        f"{document.title}\n{settings.SITE_URL}{event.get_absolute_url()}\n\n"
        "Sign in to the LeadIT portal to read members-only documents.\n\n"
        "— The LeadIT Secretariat\n"
    )
    messages = [(email_subject(subject), body, None, [address]) for address in recipients]
    return send_mass_mail(messages, fail_silently=False)


# --- Reminders -------------------------------------------------------------------------------


def reminder_recipients(*, event: Event) -> list[str]:
    responsible = event.responsible
    if responsible is not None and responsible.is_active and responsible.email:
        return [responsible.email]
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return sorted(set(staff.values_list("email", flat=True)))


def deadline_reminders_send(*, now: datetime | None = None) -> int:
    """E-mail the responsible staff about every agenda or minutes due within
    ``REMINDER_DAYS_AHEAD`` days or overdue by at most ``REMINDER_DAYS_OVERDUE`` days.

    At most one e-mail per document per day, however often this runs and however many
    workers run it: the ``DeadlineReminder`` row is inserted first (its unique constraint
    decides who sends) and the e-mail goes out in the same transaction, so a failed send
    leaves no row and the next run tries again. Returns the number of e-mails sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    window_start = now - timedelta(days=REMINDER_DAYS_OVERDUE)
    window_end = now + timedelta(days=REMINDER_DAYS_AHEAD)
    sent = 0
    connection = get_connection()
    for event in events_with_deadlines_between(start=window_start, end=window_end):
        for deadline in document_deadlines(event=event, now=now):
            if deadline.state == "done" or not window_start <= deadline.due <= window_end:
                continue
            recipients = reminder_recipients(event=event)
            if not recipients:
                logger.warning("No staff to remind about %s of %s", deadline.kind, event)
                continue
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(
                        event=event, document_kind=deadline.kind, day=today
                    )
                    _send_reminder(
                        deadline=deadline, recipients=recipients, now=now, connection=connection
                    )
            except IntegrityError:
                continue  # already reminded today
            sent += 1
    return sent


def _send_reminder(*, deadline: DocumentDeadline, recipients, now, connection) -> None:
    event = deadline.event
    due = deadline.due_local
    if deadline.state == "late":
        days = (now - deadline.due).days
        status = f"is LATE: it was due {days} day{'s' if days != 1 else ''} ago"
        subject = f"[LeadIT] Late: {deadline.label.lower()} of {event.title}"
    else:
        status = "is due soon"
        subject = f"[LeadIT] Due {due:%-d %b}: {deadline.label.lower()} of {event.title}"
    body = (
        f"The {deadline.label.lower()} of “{event.title}” {status} "
        f"(due {due:%-d %B %Y, %H:%M} {event.time_zone}).\n\n"
        f"Add it in the admin: {settings.SITE_URL}/admin/summits/eventdocument/add/"
        f"?event={event.pk}&kind={deadline.kind}\n"
        f"Event page: {settings.SITE_URL}{event.get_absolute_url()}\n"
    )
    send_mail(email_subject(subject), body, None, recipients, connection=connection)


def slug_for(title: str) -> str:
    return _free_slug(slugify(title)[:180] or "event")
