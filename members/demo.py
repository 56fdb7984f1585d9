"""Demo data for the members app.

Facts: the three LeadIT 2.0 pillars and the member commitments (support / engage / promote)
of the mission statement adopted at the Leadership Summit at COP28 (9 December 2023), in our
own words; the COPs' opening dates as milestones; the real members below, with only what is
public record about them. Everything a member "says" (commitment statuses, evidence,
progress updates, impact stories, pillar engagement) belongs to clearly fictional companies
flagged ``is_demo`` and labelled "Demo record (invented)" wherever they appear.

Milestone reporting: each milestone gets a generic "what is due" text, labelled as demo
text, and the future ones the default reminder steps (30 and 7 days before). The invented
companies' published updates name pillars and commitments with a reported status, and each
such commitment's status is the latest one reported; at COP30 and COP31 some invented
companies reported and some did not, so the milestone report shows both.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leadit.demo import demo_user_ensure
from tracker.models import Sector

from .models import (
    DEFAULT_REMINDER_DAYS,
    Commitment,
    ImpactStory,
    Member,
    MemberCommitment,
    MembershipRole,
    Milestone,
    MilestoneReminderStep,
    Pillar,
    PillarEngagement,
    ProgressUpdate,
    ReportedCommitment,
)
from .services import member_commitments_ensure

PILLARS = [
    (
        1,
        "Global forum for a just and equitable industry transition",
        "global-forum",
        "Dialogue between governments and industry at the annual Leadership Summit and other "
        "high-level events, alignment with multilateral processes, knowledge sharing among "
        "members and monitoring how fast the transition moves.",
    ),
    (
        2,
        "Technology transfer and co-development",
        "technology-transfer",
        "Business-to-business transfer, demonstration and joint development of low-carbon "
        "industrial technology, and national capacity for innovation.",
    ),
    (
        3,
        "Industry transition partnerships for coordinated multilateral assistance",
        "transition-partnerships",
        "Partnerships, supported by the secretariat, that map and coordinate technical and "
        "financial assistance for emerging and developing economies, towards a pipeline of "
        "bankable low-carbon industrial projects.",
    ),
]

# The LeadIT 2.0 member commitments, in our own words.
COMMITMENTS = [
    ("support", "Show commitment to ambitious emission reductions in line with the Paris Agreement"),
    ("support", "Endorse the LeadIT mission and vision"),
    ("engage", "Take part in at least one LeadIT pillar and its activities"),
    ("engage", "Contribute to the annual Leadership Summit at minister or CEO level, and to regular LeadIT activities"),
    ("engage", "Share information on industry transition activities with the secretariat and other members"),
    ("promote", "Work with governments and companies along value chains on policy, innovation and technology measures that cut emissions"),
    ("promote", "Report progress at key milestones such as COPs and UN summits"),
]  # fmt: skip

MILESTONES = [
    ("UN Climate Action Summit 2019, New York", datetime.date(2019, 9, 23)),
    ("COP26 Glasgow 2021", datetime.date(2021, 10, 31)),
    ("COP27 Sharm el-Sheikh 2022", datetime.date(2022, 11, 6)),
    ("COP28 Dubai 2023", datetime.date(2023, 11, 30)),
    ("COP29 Baku 2024", datetime.date(2024, 11, 11)),
    ("COP30 Belém 2025", datetime.date(2025, 11, 10)),
    ("COP31 Antalya 2026", datetime.date(2026, 11, 9)),
    ("COP32 Addis Ababa 2027 (date provisional)", datetime.date(2027, 11, 8)),
]
# What members are asked to report, the same for every milestone: the secretariat writes
# its own ask per milestone; this one says it is the demo's.
MILESTONE_DUE = (
    "*Generic demo text: the secretariat writes what is due for each milestone.*\n\n"
    "For {name}, please publish a short progress update on the portal:\n\n"
    "- which of your LeadIT commitments moved since the last milestone, and their status "
    "(met, in progress, not started);\n"
    "- the pillars you worked in;\n"
    "- a link to evidence where there is one."
)

# --- Real members: facts of public record only -------------------------------------------
#
# Countries and companies listed publicly as LeadIT members. Only what is public record is
# stored: name, kind, country (a company's headquarters) and, where known, when it joined.
# Sweden and India launched LeadIT at the UN Climate Action Summit in New York on 23
# September 2019 and co-chair it; the other members' joining dates are not recorded here
# (left empty rather than guessed). Their commitments start "Not reported" and the demo
# writes no progress update, impact story, pillar engagement or registration for them.
MEMBERS_SOURCE = "LeadIT members page (leadit.org / industrytransition.org)"
MEMBERS_SOURCE_URL = "https://www.industrytransition.org/"
# When this list was last compared with the published membership. Re-check it against the
# live members page before relying on it; a member that left should become "former".
MEMBERS_LAST_REVIEWED = datetime.date(2026, 12, 3)
FOUNDED = datetime.date(2019, 9, 23)  # UN Climate Action Summit, New York

# (name, slug, ISO country code, economy group, joined on or None when not recorded)
COUNTRIES = [
    ("Sweden", "sweden", "SE", "developed", FOUNDED),
    ("India", "india", "IN", "developing", FOUNDED),
    ("Argentina", "argentina", "AR", "developing", None),
    ("Austria", "austria", "AT", "developed", None),
    ("Denmark", "denmark", "DK", "developed", None),
    ("Finland", "finland", "FI", "developed", None),
    ("France", "france", "FR", "developed", None),
    ("Germany", "germany", "DE", "developed", None),
    ("Ireland", "ireland", "IE", "developed", None),
    ("Japan", "japan", "JP", "developed", None),
    ("Luxembourg", "luxembourg", "LU", "developed", None),
    ("Netherlands", "netherlands", "NL", "developed", None),
    ("Norway", "norway", "NO", "developed", None),
    ("Republic of Korea", "republic-of-korea", "KR", "developed", None),
    ("South Africa", "south-africa", "ZA", "developing", None),
    ("Switzerland", "switzerland", "CH", "developed", None),
    ("United Kingdom", "united-kingdom", "GB", "developed", None),
]

# (name, slug, headquarters, sectors of the Tracker it works in)
REAL_COMPANIES = [
    ("Dalmia Cement", "dalmia-cement", "IN", ["cement"]),
    ("SSAB", "ssab", "SE", ["steel"]),
    ("LKAB", "lkab", "SE", ["steel"]),
    ("Vattenfall", "vattenfall", "SE", []),
    ("ThyssenKrupp", "thyssenkrupp", "DE", ["steel"]),
    ("Mahindra Group", "mahindra-group", "IN", []),
    ("Heidelberg Materials", "heidelberg-materials", "DE", ["cement"]),
    ("Cementa", "cementa", "SE", ["cement"]),
    ("Scania", "scania", "SE", ["road-transport"]),
    ("Royal Schiphol Group", "royal-schiphol-group", "NL", ["aviation"]),
    ("DSM", "dsm", "NL", ["chemicals"]),
    ("Airports Council International Europe", "aci-europe", "BE", ["aviation"]),
]

CO_CHAIR_NOTE = (
    "{name} launched LeadIT together with {other} at the UN Climate Action Summit in New "
    "York on 23 September 2019, and co-chairs it."
)
REAL_NOTE = (
    "Listed as a member of LeadIT on the {source}; this page states only that public "
    "record. Last reviewed {reviewed:%-d %B %Y}."
)

# Fictional companies, the only organisations the demo gives words to. Their names are
# the well-known sample names of software manuals, marked "(demo)" as well.
DEMO_NOTE = (
    "*Demo record (invented): {name} is a fictional company that shows how the portal "
    "works. Nothing here is a statement by or about a real organisation.*"
)
COMPANIES = [
    ("Northwind Steel (demo)", "northwind-steel-demo", "SE", ["steel"], datetime.date(2024, 3, 12)),
    ("Contoso Cement (demo)", "contoso-cement-demo", "IN", ["cement"], datetime.date(2024, 6, 4)),
    ("Fabrikam Aluminium (demo)", "fabrikam-aluminium-demo", "DE", ["aluminium"], datetime.date(2024, 9, 17)),
    ("Litware Chemicals (demo)", "litware-chemicals-demo", "AR", ["chemicals"], datetime.date(2025, 2, 3)),
    ("Tailspin Shipping (demo)", "tailspin-shipping-demo", "KR", ["shipping"], datetime.date(2025, 5, 20)),
    ("Woodgrove Hydrogen (demo)", "woodgrove-hydrogen-demo", "NL", ["steel", "chemicals"], datetime.date(2025, 11, 14)),
]  # fmt: skip
DEMO_EDITOR_EMAIL = "editor@northwind-steel.example"

# Fictional companies of earlier versions of the demo (some names were close to real
# companies'): removed when the demo is seeded again.
RETIRED_DEMO_SLUGS = [
    "nordhavn-steel-demo",
    "deccan-cement-demo",
    "atlas-aluminium-demo",
    "pampas-chemicals-demo",
    "han-river-shipping-demo",
    "polder-hydrogen-demo",
]


def _real_description(name: str) -> str:
    text = REAL_NOTE.format(
        source=f"[{MEMBERS_SOURCE}]({MEMBERS_SOURCE_URL})", reviewed=MEMBERS_LAST_REVIEWED
    )
    if name in ("Sweden", "India"):
        other = "India" if name == "Sweden" else "Sweden"
        text = CO_CHAIR_NOTE.format(name=name, other=other) + "\n\n" + text
    return text


@transaction.atomic
def seed_demo() -> list:
    pillars, milestones = _seed_frameworks()
    Member.objects.filter(slug__in=RETIRED_DEMO_SLUGS, is_demo=False).filter(
        name__endswith="(demo)"
    ).delete()
    sectors = {s.slug: s for s in Sector.objects.all()}
    _seed_real_members(sectors)
    companies = {member.slug: member for member in _seed_demo_companies(sectors)}
    northwind = companies["northwind-steel-demo"]
    _seed_engagements(companies, pillars)
    editor, password = demo_user_ensure(
        email=DEMO_EDITOR_EMAIL, first_name="Demo", last_name="Editor"
    )
    MembershipRole.objects.get_or_create(user=editor, member=northwind)
    _seed_demo_progress(northwind, editor, milestones)
    _seed_demo_reports(companies, editor, milestones, pillars)
    return [(editor, password)]


def _seed_frameworks() -> tuple[dict, dict]:
    """The pillars, the commitments and the milestones, with the pillars by number and the
    milestones by name."""
    pillars = {
        number: Pillar.objects.update_or_create(
            number=number, defaults={"title": title, "slug": slug, "description": text}
        )[0]
        for number, title, slug, text in PILLARS
    }
    for order, (category, text) in enumerate(COMMITMENTS, start=1):
        Commitment.objects.update_or_create(category=category, text=text, defaults={"order": order})
    milestones = {
        name: Milestone.objects.update_or_create(
            name=name, defaults={"date": date, "slug": slugify(name)}
        )[0]
        for name, date in MILESTONES
    }
    _seed_milestone_reporting(milestones.values())
    return pillars, milestones


def _seed_milestone_reporting(milestones) -> None:
    """What is due for each milestone (unless the secretariat wrote its own) and, for the
    milestones still to come, the default reminder steps (unless it set its own)."""
    today = timezone.localdate()
    for milestone in milestones:
        if not milestone.description:
            milestone.description = MILESTONE_DUE.format(name=milestone.name)
            milestone.save(update_fields=["description"])
        if milestone.date > today and not milestone.reminder_steps.exists():
            for days in DEFAULT_REMINDER_DAYS:
                MilestoneReminderStep.objects.create(milestone=milestone, days_before=days)


def _member_ensure(*, slug: str, defaults: dict, sectors: list | None = None) -> Member:
    """The member ``slug`` as ``defaults`` say, with its sectors and one row per commitment."""
    member, _ = Member.objects.update_or_create(slug=slug, defaults=defaults)
    if sectors is not None:
        _set_sectors(member, sectors)
    member_commitments_ensure(member=member)
    return member


def _real_member_defaults(name: str, kind: str, country: str) -> dict:
    return {
        "name": name,
        "kind": kind,
        "country": country,
        "website": "",
        "description": _real_description(name),
        "is_demo": False,
    }


def _seed_real_members(sectors: dict) -> None:
    """The real member countries and companies, as the public record lists them."""
    for name, slug, country, group, joined in COUNTRIES:
        defaults = _real_member_defaults(name, Member.Kind.COUNTRY, country)
        _member_ensure(
            slug=slug, defaults={**defaults, "economy_group": group, "joined_on": joined}
        )
    for name, slug, country, sector_slugs in REAL_COMPANIES:
        defaults = _real_member_defaults(name, Member.Kind.COMPANY, country)
        _member_ensure(
            slug=slug,
            defaults={**defaults, "economy_group": "", "joined_on": None},
            sectors=[sectors[s] for s in sector_slugs if s in sectors],
        )


def _seed_demo_companies(sectors: dict) -> list[Member]:
    """The fictional companies, in the order of ``COMPANIES``."""
    return [
        _member_ensure(
            slug=slug,
            defaults={
                "name": name,
                "kind": Member.Kind.COMPANY,
                "country": country,
                "joined_on": joined,
                "website": "https://example.org/",
                "description": DEMO_NOTE.format(name=name),
                "is_demo": True,
            },
            sectors=[sectors[s] for s in sector_slugs if s in sectors],
        )
        for name, slug, country, sector_slugs, joined in COMPANIES
    ]


ENGAGEMENTS = [
    ("northwind-steel-demo", 1, PillarEngagement.Role.PARTICIPANT),
    ("northwind-steel-demo", 2, PillarEngagement.Role.LEAD),
    ("contoso-cement-demo", 3, PillarEngagement.Role.PARTICIPANT),
    ("fabrikam-aluminium-demo", 2, PillarEngagement.Role.PARTICIPANT),
    ("litware-chemicals-demo", 1, PillarEngagement.Role.PARTICIPANT),
]


def _seed_engagements(companies: dict[str, Member], pillars: dict) -> None:
    """Pillar engagement: only the fictional companies (which members lead or join which
    pillar is not public record)."""
    for slug, number, role in ENGAGEMENTS:
        PillarEngagement.objects.update_or_create(
            member=companies[slug],
            pillar=pillars[number],
            defaults={"role": role, "note": "Demo engagement (invented)."},
        )


def _set_sectors(member: Member, wanted: list) -> None:
    if {s.pk for s in member.sectors.all()} != {s.pk for s in wanted}:
        member.sectors.set(wanted)


def _seed_demo_progress(member: Member, editor, milestones: dict) -> None:
    updates = [
        ("COP29 Baku 2024", "Pilot furnace commissioned (demo)", "published"),
        ("COP30 Belém 2025", "First fossil-free heats delivered (demo)", "published"),
        ("COP31 Antalya 2026", "Plans for a second line (demo draft)", "draft"),
    ]
    for milestone_name, title, status in updates:
        milestone = milestones[milestone_name]
        published_at = (
            timezone.make_aware(datetime.datetime.combine(milestone.date, datetime.time(9)))
            if status == "published"
            else None
        )
        ProgressUpdate.objects.get_or_create(
            member=member,
            title=title,
            defaults={
                "milestone": milestone,
                "body": "This is a **demo** progress update written to show the timeline.\n\n"
                "- what was done\n- what comes next",
                "status": status,
                "published_at": published_at,
                "author": editor,
                "is_demo": True,
            },
        )
    ImpactStory.objects.get_or_create(
        member=member,
        title="Procurement criteria shared with a peer (demo)",
        defaults={
            "what_changed": "A demo story: a peer company adopted low-carbon steel purchase criteria.",
            "leadit_contribution": "A LeadIT dialogue introduced the two companies (demo).",
            "date": datetime.date(2024, 6, 12),
            "is_published": True,
            "is_demo": True,
        },
    )


# --- Reports at milestones: invented companies only -----------------------------------------

MET = MemberCommitment.Status.MET
IN_PROGRESS = MemberCommitment.Status.IN_PROGRESS
NOT_STARTED = MemberCommitment.Status.NOT_STARTED

# (company, milestone, title, days before the milestone it was published (None: a draft),
# pillars, {commitment number in COMMITMENTS: status reported}). Northwind's three are the
# updates above (its COP31 one a draft, with no status: only published reports count). At
# COP30 Northwind, Contoso and Fabrikam reported, Litware and Tailspin did not (Woodgrove
# joined after it); at COP31 Contoso and Litware did, the others not yet.
REPORTS = [
    ("northwind-steel-demo", "COP29 Baku 2024", "Pilot furnace commissioned (demo)", 0,
     [1, 2], {1: IN_PROGRESS, 2: MET, 3: IN_PROGRESS}),
    ("northwind-steel-demo", "COP30 Belém 2025", "First fossil-free heats delivered (demo)", 0,
     [2], {1: MET, 3: IN_PROGRESS, 4: IN_PROGRESS}),
    ("northwind-steel-demo", "COP31 Antalya 2026", "Plans for a second line (demo draft)", None,
     [2], {}),
    ("contoso-cement-demo", "COP30 Belém 2025", "Calcined clay blend trialled at one plant (demo)", 7,
     [3], {1: IN_PROGRESS, 3: MET, 5: NOT_STARTED}),
    ("contoso-cement-demo", "COP31 Antalya 2026", "Clinker share down at two plants (demo)", 8,
     [3], {1: IN_PROGRESS, 5: IN_PROGRESS, 7: MET}),
    ("fabrikam-aluminium-demo", "COP30 Belém 2025", "Smelter load shifting pilot (demo)", 4,
     [2], {2: MET, 6: IN_PROGRESS}),
    ("litware-chemicals-demo", "COP31 Antalya 2026", "First bio-based feedstock contract (demo)", 5,
     [1], {2: MET, 4: NOT_STARTED, 6: IN_PROGRESS}),
]  # fmt: skip
REPORT_BODY = (
    "This is a **demo** progress update of an invented company, written to show how members "
    "report at milestones.\n\n- what was done\n- what comes next"
)


def _seed_demo_reports(companies: dict[str, Member], editor, milestones: dict, pillars) -> None:
    """The invented companies' reports at milestones: updates (Northwind's exist already),
    the pillars and commitments they name, and each commitment's status as last reported."""
    northwind = companies["northwind-steel-demo"]
    for slug, milestone_name, title, days_before, numbers, statuses in REPORTS:
        member, milestone = companies[slug], milestones[milestone_name]
        published_at = (
            None
            if days_before is None
            else timezone.make_aware(
                datetime.datetime.combine(
                    milestone.date - datetime.timedelta(days=days_before), datetime.time(9)
                )
            )
        )
        update, _ = ProgressUpdate.objects.get_or_create(
            member=member,
            title=title,
            defaults={
                "milestone": milestone,
                "body": REPORT_BODY,
                "status": ProgressUpdate.Status.PUBLISHED
                if published_at
                else ProgressUpdate.Status.DRAFT,
                "published_at": published_at,
                "author": editor if member == northwind else None,
                "is_demo": True,
            },
        )
        wanted = [pillars[number] for number in numbers]
        if {p.pk for p in update.pillars.all()} != {p.pk for p in wanted}:
            update.pillars.set(wanted)
        rows = {
            row.commitment.order: row for row in member.commitments.select_related("commitment")
        }
        for number, status in statuses.items():
            ReportedCommitment.objects.get_or_create(
                update=update, member_commitment=rows[number], defaults={"status": status}
            )
    for member in companies.values():
        _statuses_as_last_reported(member, editor if member == northwind else None)


def _statuses_as_last_reported(member: Member, editor) -> None:
    """An invented company's commitments take the status its latest published update
    reported for them (a status someone changed since in the portal is left as it is)."""
    latest: dict[int, str] = {}
    for reported in ReportedCommitment.objects.filter(
        update__member=member, update__status=ProgressUpdate.Status.PUBLISHED
    ).order_by("update__published_at", "update__pk"):
        latest[reported.member_commitment_id] = reported.status
    for row in member.commitments.filter(pk__in=latest):
        if row.status != latest[row.pk] and row.status in (
            MemberCommitment.Status.NOT_REPORTED,
            MemberCommitment.Status.NOT_STARTED,
        ):
            row.status = latest[row.pk]
            row.evidence = "Demo evidence for this commitment (invented)."
            row.updated_by = editor
            row.save()
