"""Demo data for the members app.

Facts: the three LeadIT 2.0 pillars and the member commitments (support / engage / promote)
of the mission statement adopted at the Leadership Summit at COP28 (9 December 2023), in our
own words; the COPs' opening dates as milestones; the real members below, with only what is
public record about them. Everything a member "says" (commitment statuses, evidence,
progress updates, impact stories, pillar engagement) belongs to clearly fictional companies
flagged ``is_demo`` and labelled "Demo record (invented)" wherever they appear.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leadit.demo import demo_user_ensure
from tracker.models import Sector

from .models import (
    Commitment,
    ImpactStory,
    Member,
    MemberCommitment,
    MembershipRole,
    Milestone,
    Pillar,
    PillarEngagement,
    ProgressUpdate,
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
    northwind, contoso = _seed_demo_companies(sectors)[:2]
    _seed_engagements(northwind, contoso, pillars)
    editor, password = demo_user_ensure(
        email=DEMO_EDITOR_EMAIL, first_name="Demo", last_name="Editor"
    )
    MembershipRole.objects.get_or_create(user=editor, member=northwind)
    _seed_demo_progress(northwind, editor, milestones)
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
    return pillars, milestones


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


def _seed_engagements(northwind: Member, contoso: Member, pillars: dict) -> None:
    """Pillar engagement: only the fictional companies (which members lead or join which
    pillar is not public record)."""
    for member, number, role in (
        (northwind, 1, PillarEngagement.Role.PARTICIPANT),
        (northwind, 2, PillarEngagement.Role.LEAD),
        (contoso, 3, PillarEngagement.Role.PARTICIPANT),
    ):
        PillarEngagement.objects.update_or_create(
            member=member,
            pillar=pillars[number],
            defaults={"role": role, "note": "Demo engagement (invented)."},
        )


def _set_sectors(member: Member, wanted: list) -> None:
    if {s.pk for s in member.sectors.all()} != {s.pk for s in wanted}:
        member.sectors.set(wanted)


def _seed_demo_progress(member: Member, editor, milestones: dict) -> None:
    statuses = [
        MemberCommitment.Status.MET,
        MemberCommitment.Status.MET,
        MemberCommitment.Status.IN_PROGRESS,
        MemberCommitment.Status.IN_PROGRESS,
    ]
    for row, status in zip(
        member.commitments.order_by("commitment__order"), statuses, strict=False
    ):
        if row.status in (
            MemberCommitment.Status.NOT_REPORTED,
            MemberCommitment.Status.NOT_STARTED,
        ):
            row.status = status
            row.evidence = "Demo evidence for this commitment (invented)."
            row.updated_by = editor
            row.save()

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
