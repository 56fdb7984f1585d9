"""Demo data for the events app (idempotent).

Facts: the Leadership Summits are held during the COPs; each summit below carries its COP's
host city and official dates (COP25 Madrid 2–13 December 2019; COP26 Glasgow 31 October–13
November 2021; COP27 Sharm el-Sheikh 6–20 November 2022; COP28 Dubai, where the summit on
9 December 2023 adopted the LeadIT 2.0 mission statement; COP29 Baku 11–22 November 2024;
COP30 Belém 10–21 November 2025; COP31 Antalya 9–20 November 2026). There was no COP in 2020
(postponed). Sweden and India host the summits. Everything else — the exact day and hours
(except COP28's), programmes, board meetings, their documents, working group meetings and
the workshop — is demo content and says so.
"""

import datetime
import zoneinfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from members.models import Member

from .models import Event, EventDocument, EventKind, WorkingGroup
from .services import BOARD_KIND_SLUG, board_meetings_plan

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

# COP number, place, time zone, first and last day (the COP's, or the summit's if known).
COPS = [
    (25, "Madrid, Spain", "Europe/Madrid", datetime.date(2019, 12, 2), datetime.date(2019, 12, 13)),
    (
        26,
        "Glasgow, United Kingdom",
        "Europe/London",
        datetime.date(2021, 10, 31),
        datetime.date(2021, 11, 13),
    ),
    (
        27,
        "Sharm el-Sheikh, Egypt",
        "Africa/Cairo",
        datetime.date(2022, 11, 6),
        datetime.date(2022, 11, 20),
    ),
    (
        28,
        "Dubai, United Arab Emirates",
        "Asia/Dubai",
        datetime.date(2023, 12, 9),
        datetime.date(2023, 12, 9),
    ),
    (29, "Baku, Azerbaijan", "Asia/Baku", datetime.date(2024, 11, 11), datetime.date(2024, 11, 22)),
    (
        30,
        "Belém, Brazil",
        "America/Belem",
        datetime.date(2025, 11, 10),
        datetime.date(2025, 11, 21),
    ),
    (
        31,
        "Antalya, Türkiye",
        "Europe/Istanbul",
        datetime.date(2026, 11, 9),
        datetime.date(2026, 11, 20),
    ),
]

WORKING_GROUPS = [
    (
        "Low-carbon technology transfer, including green hydrogen",
        "technology-transfer-green-hydrogen",
        "A working group of the Technology Expert Committee on business-to-business transfer "
        "and co-development of low-carbon industrial technology, green hydrogen included. "
        "*(Demo description.)*",
        ["sweden", "india", "germany"],
        datetime.date(2026, 9, 17),
    ),
    (
        "Financing industry transition",
        "financing-industry-transition",
        "A working group of the Technology Expert Committee on finance for low-carbon "
        "industrial projects in emerging and developing economies. *(Demo description.)*",
        ["sweden", "india", "united-kingdom"],
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


def seed_demo() -> list:
    now = timezone.now()
    staff = get_user_model().objects.filter(email="staff@leadit.example").first()
    with transaction.atomic():
        kinds = {}
        for order, (name, slug, requires) in enumerate(KINDS):
            kinds[slug], _ = EventKind.objects.update_or_create(
                slug=slug, defaults={"name": name, "requires_documents": requires, "order": order}
            )
        hosts = _members(["sweden", "india"])

        for number, place, zone, first, last in COPS:
            if number == 28:
                description = (
                    f"The LeadIT Leadership Summit at COP{number} in Dubai, hosted by India and "
                    "Sweden on 9 December 2023, where members adopted the LeadIT 2.0 mission "
                    "statement and its three pillars.\n\n*Demo: the hours and the programme "
                    "shown here are placeholders.*"
                )
            else:
                description = (
                    f"The annual LeadIT Leadership Summit, held during COP{number} in {place} "
                    f"({first:%-d %B} – {last:%-d %B %Y}), hosted by Sweden and India.\n\n"
                    "*Demo: the dates shown are the COP's; the summit's exact day, hours and "
                    "programme here are placeholders.*"
                )
            event, _ = Event.objects.update_or_create(
                slug=f"leadit-summit-cop{number}",
                defaults={
                    "kind": kinds["leadership-summit"],
                    "title": f"LeadIT Leadership Summit at COP{number}",
                    "start": _at(first, 9, zone),
                    "end": _at(last, 18, zone),
                    "time_zone": zone,
                    "location": place,
                    "format": Event.Format.HYBRID,
                    "visibility": Event.Visibility.PUBLIC,
                    "description": description,
                },
            )
            event.host_members.set(hosts)

        # A year of monthly board meetings: second Tuesday, 14:00 Stockholm time.
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
                meeting.description = "Monthly meeting of the LeadIT Management Board. *(Demo.)*"
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

        workshop, _ = Event.objects.update_or_create(
            slug="workshop-industrial-decarbonisation-roadmaps-demo",
            defaults={
                "kind": kinds["workshop"],
                "title": "Workshop: industrial decarbonisation roadmaps (demo)",
                "start": _at(datetime.date(2027, 2, 16), 9, "Asia/Kolkata"),
                "end": _at(datetime.date(2027, 2, 16), 17, "Asia/Kolkata"),
                "time_zone": "Asia/Kolkata",
                "location": "New Delhi, India",
                "format": Event.Format.HYBRID,
                "visibility": Event.Visibility.PUBLIC,
                "capacity": 40,
                "registration_deadline": _at(datetime.date(2027, 2, 2), 23, "Asia/Kolkata"),
                "partners": "Demo partner organisation",
                "description": "A demo workshop for member delegates on roadmap design. "
                "*Everything about this event is demo content.*",
            },
        )
        workshop.host_members.set(_members(["india"]))
    return []
