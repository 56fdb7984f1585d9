"""Writes of the events app: planning a year of board meetings, registering and cancelling
delegates, adding documents. Each a keyword-only function, validated with ``full_clean``
and done in one transaction; e-mails go out as jobs after commit (``summits.notifications``
says who is told what)."""

from __future__ import annotations

import calendar
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leadit.jobs import job_enqueue
from members.models import Member

from .models import DOCUMENT_EXTENSIONS, Event, EventDocument, EventKind, Registration
from .selectors.deadlines import DEADLINE_KINDS
from .tasks import notify_document_added

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


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
    """Staff and the member's editors may (``Member.objects.editable_by``)."""
    return Member.objects.editable_by(user).filter(pk=member.pk).exists()


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
            job_enqueue(
                task=notify_document_added,
                description=f"Tell board contacts about {document}"[:300],
                document_id=document.pk,
            )
    return document


def slug_for(title: str) -> str:
    return _free_slug(slugify(title)[:180] or "event")
