"""What the events pages show each user. Every event is found through
``Event.objects.visible_to(user)`` and every document through
``EventDocument.objects.visible_to(user)`` (``summits.models.visibilities_for``: one rule
for both); the members a user registers delegates for are ``Member.objects.edited_by``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from members.models import Member

from ..models import Event, EventKind, Registration, WorkingGroup
from .deadlines import document_deadlines

# --- the list ---------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class EventList:
    """The events of /events/ for one user and one choice of kind and year."""

    upcoming: list[Event]
    past: list[Event]
    kind: EventKind | None
    year: int | None
    kind_options: list[Option]
    year_options: list[Option]
    # Filters given but not understood: (label, value as typed).
    ignored: list[tuple[str, str]] = field(default_factory=list)


def _year_of(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) == 4 else None


def event_list_load(*, user, kind_value: str, year_value: str, now: datetime) -> EventList:
    """Upcoming events (soonest first) and past ones (newest first) that ``user`` may see,
    of the kind (an EventKind slug) and year given; unknown values are ignored and listed.
    Each choice counts the events it would show with the other filter kept."""
    visible = Event.objects.visible_to(user).select_related("kind")
    events = list(visible.only("id", "kind_id", "start"))
    kinds = {kind.slug: kind for kind in EventKind.objects.all()}
    kind, year = kinds.get(kind_value), _year_of(year_value)
    ignored = [
        (label, value)
        for label, value, understood in (("Kind", kind_value, kind), ("Year", year_value, year))
        if value and understood is None
    ]
    kind_counts = Counter(e.kind_id for e in events if year is None or e.start.year == year)
    year_counts = Counter(e.start.year for e in events if kind is None or e.kind_id == kind.pk)
    years = sorted(set(year_counts) | ({year} if year else set()), reverse=True)

    selected = visible
    if kind is not None:
        selected = selected.filter(kind=kind)
    if year is not None:
        selected = selected.filter(start__year=year)
    return EventList(
        upcoming=list(selected.filter(end__gte=now).order_by("start")),
        past=list(selected.filter(end__lt=now).order_by("-start")),
        kind=kind,
        year=year,
        kind_options=[
            Option(k.slug, k.name, kind_counts[k.pk], k == kind)
            for k in kinds.values()
            if kind_counts[k.pk] or k == kind
        ],
        year_options=[Option(str(y), str(y), year_counts[y], y == year) for y in years],
        ignored=ignored,
    )


# --- one event --------------------------------------------------------------------------


def events_visible_to(*, user) -> QuerySet[Event]:
    """The events ``user`` may open, with what every event page shows of them."""
    return Event.objects.visible_to(user).select_related("kind", "milestone", "working_group")


def registering_members(*, user) -> QuerySet[Member]:
    """The members ``user`` registers delegates for: those they are an editor of (staff
    too: the form offers only their own members)."""
    return Member.objects.edited_by(user).order_by("name")


def registration_is_open(event: Event, now: datetime) -> bool:
    if event.end < now:
        return False
    return event.registration_deadline is None or now <= event.registration_deadline


def registrations_active(*, event: Event) -> QuerySet[Registration]:
    """The event's delegates still registered, by member and name (attendee lists)."""
    return (
        event.registrations.filter(status=Registration.Status.REGISTERED)
        .select_related("member")
        .order_by("member__name", "name")
    )


def _registered(*, event: Event, user, is_staff: bool) -> bool:
    """Whether ``user`` (or one of the members they edit) takes part: they see the online
    link. Staff always do."""
    return is_staff or (
        user.is_authenticated
        and event.registrations.filter(
            member__in=Member.objects.edited_by(user), status=Registration.Status.REGISTERED
        ).exists()
    )


def event_page_load(*, event: Event, user, now: datetime) -> dict:
    """Everything the event page shows to ``user``, by the names the template uses (the
    registration form is the view's)."""
    is_staff = user.is_authenticated and user.is_staff
    members = registering_members(user=user)
    own_registrations = Registration.objects.none()
    if members:
        own_registrations = registrations_active(event=event).filter(member__in=members)
    active_count = event.registrations.filter(status=Registration.Status.REGISTERED).count()
    page = {
        "event": event,
        "documents": event.documents.visible_to(user),
        "hosts": event.host_members.public().order_by("name"),
        "announced": event.announced_members.public().order_by("name"),
        "show_online_link": bool(event.online_link)
        and _registered(event=event, user=user, is_staff=is_staff),
        "registration_open": registration_is_open(event, now),
        "places_left": (
            max(event.capacity - active_count, 0) if event.capacity is not None else None
        ),
        "members": members,
        "own_registrations": own_registrations,
        "is_staff": is_staff,
        "is_past": event.end < now,
    }
    if is_staff:
        page["deadlines"] = document_deadlines(event=event, now=now)
        page["all_registrations"] = registrations_active(event=event)
    return page


def public_events() -> QuerySet[Event]:
    """Public events only, whoever asks (the shared calendar feed), in start order."""
    return Event.objects.filter(visibility=Event.Visibility.PUBLIC).select_related("kind")


def next_public_events(*, now: datetime, limit: int = 3) -> list[Event]:
    """Public events not yet over, soonest first."""
    return list(public_events().filter(end__gte=now).order_by("start")[:limit])


# --- working groups ---------------------------------------------------------------------


def working_groups_load() -> QuerySet[WorkingGroup]:
    return WorkingGroup.objects.select_related("convenor").prefetch_related(
        Prefetch("members", queryset=Member.objects.public().order_by("name"))
    )


def working_group_page_load(*, group: WorkingGroup, user, now: datetime) -> dict:
    """A working group's page: its public members and the meetings ``user`` may see."""
    meetings = Event.objects.visible_to(user).filter(working_group=group).select_related("kind")
    return {
        "group": group,
        "members": group.members.public().order_by("name"),
        "upcoming": meetings.filter(end__gte=now).order_by("start"),
        "past": meetings.filter(end__lt=now).order_by("-start"),
    }
