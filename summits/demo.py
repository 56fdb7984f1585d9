"""Demo data for the events app (idempotent).

Facts: LeadIT holds an annual Leadership Summit, one day during the COP, hosted by its
co-chairs Sweden and India. The summit at COP28 in Dubai on 9 December 2023 adopted the
LeadIT 2.0 mission statement (2024–26). The COPs' host cities and dates: COP25 Madrid 2–13
December 2019; COP26 Glasgow 31 October–13 November 2021; COP27 Sharm el-Sheikh 6–20
November 2022; COP28 Dubai 30 November–12 December 2023; COP29 Baku 11–22 November 2024;
COP30 Belém 10–21 November 2025. There was no COP in 2020 (postponed).

Only COP28's summit day is recorded here; for the others the day shown is an approximate
day inside the COP, and the event's description says so. Hours and programmes are
placeholders and say so. Board meetings, their documents, working group meetings and the
workshop are demo content: they involve only fictional demo members, never a real one.
"""

import datetime
import zoneinfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from members.models import Member

from .models import BOARD_KIND_SLUG, Event, EventDocument, EventKind, WorkingGroup
from .services import board_meetings_plan

D = datetime.date

KINDS = [
    # name, slug, requires documents
    ("Leadership summit", "leadership-summit", False),
    ("Management board", BOARD_KIND_SLUG, True),
    ("TEC meeting", "tec-meeting", True),
    ("Working group meeting", "working-group-meeting", False),
    ("Dialogue", "dialogue", False),
    ("Workshop", "workshop", False),
    ("Roundtable", "roundtable", False),
    ("Webinar", "webinar", False),
    ("Other", "other", False),
]

# COP number, place, time zone, the COP's first and last day, the summit's day, whether
# that day is recorded (True) or an approximate day inside the COP (False).
COPS = [
    (25, "Madrid, Spain", "Europe/Madrid", D(2019, 12, 2), D(2019, 12, 13), D(2019, 12, 10), False),
    (26, "Glasgow, United Kingdom", "Europe/London", D(2021, 10, 31), D(2021, 11, 13), D(2021, 11, 9), False),
    (27, "Sharm el-Sheikh, Egypt", "Africa/Cairo", D(2022, 11, 6), D(2022, 11, 20), D(2022, 11, 16), False),
    (28, "Dubai, United Arab Emirates", "Asia/Dubai", D(2023, 11, 30), D(2023, 12, 12), D(2023, 12, 9), True),
    (29, "Baku, Azerbaijan", "Asia/Baku", D(2024, 11, 11), D(2024, 11, 22), D(2024, 11, 20), False),
    (30, "Belém, Brazil", "America/Belem", D(2025, 11, 10), D(2025, 11, 21), D(2025, 11, 18), False),
]  # fmt: skip

# Earlier versions of the demo had a summit at COP31 (November 2026): nothing about it is
# recorded here, so it is removed when the demo is seeded again.
RETIRED_EVENT_SLUGS = ["leadit-summit-cop31"]

WORKING_GROUPS = [
    (
        "Low-carbon technology transfer, including green hydrogen",
        "technology-transfer-green-hydrogen",
        "A working group of the Technology Expert Committee on business-to-business transfer "
        "and co-development of low-carbon industrial technology, green hydrogen included. "
        "*(Demo description.)*",
        ["northwind-steel-demo", "fabrikam-aluminium-demo", "woodgrove-hydrogen-demo"],
        datetime.date(2026, 9, 17),
    ),
    (
        "Financing industry transition",
        "financing-industry-transition",
        "A working group of the Technology Expert Committee on finance for low-carbon "
        "industrial projects in emerging and developing economies. *(Demo description.)*",
        ["contoso-cement-demo", "litware-chemicals-demo", "tailspin-shipping-demo"],
        datetime.date(2026, 10, 14),
    ),
]

# Board meetings of 2026 whose agenda / minutes the demo leaves missing (late ones).
AGENDA_MISSING = {3, 9}
MINUTES_MISSING = {9, 10, 11}


def _at(day: datetime.date, hour: int, zone: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(zone))


def _members(slugs) -> list[Member]:
    return list(Member.objects.filter(slug__in=slugs))


def _seed_kinds() -> dict[str, EventKind]:
    kinds = {}
    for order, (name, slug, requires) in enumerate(KINDS):
        kinds[slug], _ = EventKind.objects.update_or_create(
            slug=slug, defaults={"name": name, "requires_documents": requires, "order": order}
        )
    return kinds


def _summit_description(number, place, first, last, day, recorded) -> str:
    if recorded:
        return (
            f"The LeadIT Leadership Summit at COP{number} in {place.split(',')[0]}, "
            f"hosted by India and Sweden on {day:%-d %B %Y}, where members adopted "
            "the LeadIT 2.0 mission statement (2024–26) and its three pillars.\n\n"
            "*Demo: the hours and the programme shown here are placeholders.*"
        )
    return (
        f"The annual LeadIT Leadership Summit, a one-day meeting held during "
        f"COP{number} in {place} ({first:%-d %B} – {last:%-d %B %Y}), hosted by "
        "Sweden and India.\n\n"
        f"*The date shown ({day:%-d %B %Y}) is approximate: the summit's exact "
        "day is not recorded here. The hours and programme are placeholders.*"
    )


def _seed_summits(kinds: dict[str, EventKind]) -> None:
    """One Leadership Summit per COP, hosted by the co-chairs."""
    hosts = _members(["sweden", "india"])
    Event.objects.filter(slug__in=RETIRED_EVENT_SLUGS).delete()
    for number, place, zone, first, last, day, recorded in COPS:
        event, _ = Event.objects.update_or_create(
            slug=f"leadit-summit-cop{number}",
            defaults={
                "kind": kinds["leadership-summit"],
                "title": f"LeadIT Leadership Summit at COP{number}",
                "start": _at(day, 9, zone),
                "end": _at(day, 17, zone),
                "time_zone": zone,
                "location": place,
                "format": Event.Format.HYBRID,
                "visibility": Event.Visibility.PUBLIC,
                "description": _summit_description(number, place, first, last, day, recorded),
            },
        )
        event.host_members.set(hosts)


def _seed_board_meetings(kinds: dict[str, EventKind], *, staff, now) -> None:
    """A year of monthly board meetings (second Tuesday, 14:00 Stockholm time), their
    agendas and minutes added except the ones the demo leaves late."""
    meetings = board_meetings_plan(
        year=2026,
        weekday=1,
        nth=2,
        time=datetime.time(14, 0),
        time_zone="Europe/Stockholm",
        kind=kinds[BOARD_KIND_SLUG],
        title_template="Management Board meeting, {month} {year}",
        dry_run=False,
        responsible=staff,
    )
    for month, meeting in enumerate(meetings, start=1):
        if not meeting.description:
            meeting.description = (
                "Monthly meeting of the LeadIT Management Board. *(Demo: the dates, "
                "documents and papers of these meetings are invented.)*"
            )
            meeting.save(update_fields=["description"])
        wanted = []
        if meeting.agenda_due <= now and month not in AGENDA_MISSING:
            wanted.append(EventDocument.Kind.AGENDA)
        if meeting.minutes_due <= now and month not in MINUTES_MISSING:
            wanted.append(EventDocument.Kind.MINUTES)
        for kind in wanted:
            if not meeting.documents.filter(kind=kind).exists():
                EventDocument.objects.create(
                    event=meeting,
                    kind=kind,
                    title=f"{kind.label} — {meeting.title} (demo)",
                    link=f"https://leadit.example/demo/{meeting.slug}-{kind}.pdf",
                    visibility=Event.Visibility.MEMBERS,
                    uploaded_by=staff,
                )


def _seed_working_groups(kinds: dict[str, EventKind]) -> None:
    """The working groups of demo members, each with one members-only meeting."""
    for name, slug, text, member_slugs, day in WORKING_GROUPS:
        group, _ = WorkingGroup.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": text,
                "status": WorkingGroup.Status.ACTIVE,
                "convenor": Member.objects.filter(slug=member_slugs[0]).first(),
            },
        )
        group.members.set(_members(member_slugs))
        Event.objects.update_or_create(
            slug=f"{slug}-meeting-{day:%Y-%m}",
            defaults={
                "kind": kinds["working-group-meeting"],
                "title": f"{name}: working group meeting (demo)",
                "start": _at(day, 13, "Europe/Stockholm"),
                "end": _at(day, 15, "Europe/Stockholm"),
                "time_zone": "Europe/Stockholm",
                "location": "Online",
                "format": Event.Format.VIRTUAL,
                "visibility": Event.Visibility.MEMBERS,
                "working_group": group,
                "description": "A demo meeting of the working group.",
            },
        )


def _seed_workshop(kinds: dict[str, EventKind]) -> None:
    """A public workshop with places and a registration deadline."""
    day, zone = datetime.date(2027, 2, 16), "Asia/Kolkata"
    workshop, _ = Event.objects.update_or_create(
        slug="workshop-industrial-decarbonisation-roadmaps-demo",
        defaults={
            "kind": kinds["workshop"],
            "title": "Workshop: industrial decarbonisation roadmaps (demo)",
            "start": _at(day, 9, zone),
            "end": _at(day, 17, zone),
            "time_zone": zone,
            "location": "New Delhi, India",
            "format": Event.Format.HYBRID,
            "visibility": Event.Visibility.PUBLIC,
            "capacity": 40,
            "registration_deadline": _at(datetime.date(2027, 2, 2), 23, zone),
            "partners": "Demo partner organisation (invented)",
            "description": "A demo workshop for member delegates on roadmap design. "
            "*Everything about this event is demo content.*",
        },
    )
    # Hosted by a fictional member: a real country is never made to host invented events.
    workshop.host_members.set(_members(["contoso-cement-demo"]))


def seed_demo() -> list:
    now = timezone.now()
    staff = get_user_model().objects.filter(email="staff@leadit.example").first()
    with transaction.atomic():
        kinds = _seed_kinds()
        _seed_summits(kinds)
        _seed_board_meetings(kinds, staff=staff, now=now)
        _seed_working_groups(kinds)
        _seed_workshop(kinds)
    return []
