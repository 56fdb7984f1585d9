"""Demo data for the members app. Facts (names, dates, pillar titles) come from the LeadIT
documents in shared/seeds; everything a member "says" belongs to clearly fictional demo
companies, never to a real organisation."""

import datetime

from django.db import transaction
from django.utils import timezone

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

DEMO_NOTE = "*Demo profile: this text is sample data, not a statement by the member.*"
FOUNDED = datetime.date(2019, 9, 23)

# Countries named in the LeadIT documents. Sweden and India founded LeadIT in 2019; the
# other joining dates are demo values.
COUNTRIES = [
    ("Sweden", "sweden", "SE", "developed", FOUNDED),
    ("India", "india", "IN", "developing", FOUNDED),
    ("Argentina", "argentina", "AR", "developing", datetime.date(2021, 4, 20)),
    ("Germany", "germany", "DE", "developed", datetime.date(2019, 12, 10)),
    ("United Kingdom", "united-kingdom", "GB", "developed", datetime.date(2019, 12, 10)),
    ("Netherlands", "netherlands", "NL", "developed", datetime.date(2021, 11, 4)),
    ("Republic of Korea", "republic-of-korea", "KR", "developed", datetime.date(2021, 11, 4)),
]

# Fictional companies: safe to give words to.
COMPANIES = [
    ("Nordhavn Steel (demo)", "nordhavn-steel-demo", "SE", ["steel"], datetime.date(2020, 12, 1)),
    ("Deccan Cement Works (demo)", "deccan-cement-demo", "IN", ["cement"], datetime.date(2021, 3, 15)),
    ("Atlas Aluminium (demo)", "atlas-aluminium-demo", "DE", ["aluminium"], datetime.date(2021, 6, 1)),
    ("Pampas Chemicals (demo)", "pampas-chemicals-demo", "AR", ["chemicals"], datetime.date(2021, 9, 20)),
    ("Han River Shipping (demo)", "han-river-shipping-demo", "KR", ["shipping"], datetime.date(2022, 2, 1)),
    ("Polder Green Hydrogen (demo)", "polder-hydrogen-demo", "NL", ["steel", "chemicals"], datetime.date(2023, 12, 9)),
]  # fmt: skip


@transaction.atomic
def seed_demo() -> list:
    pillars = {
        number: Pillar.objects.update_or_create(
            number=number, defaults={"title": title, "slug": slug, "description": text}
        )[0]
        for number, title, slug, text in PILLARS
    }
    for order, (category, text) in enumerate(COMMITMENTS, start=1):
        Commitment.objects.update_or_create(category=category, text=text, defaults={"order": order})
    milestones = {
        name: Milestone.objects.update_or_create(name=name, defaults={"date": date})[0]
        for name, date in MILESTONES
    }

    for name, slug, country, group, joined in COUNTRIES:
        member, _ = Member.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": Member.Kind.COUNTRY,
                "country": country,
                "economy_group": group,
                "joined_on": joined,
                "description": DEMO_NOTE,
            },
        )
        member_commitments_ensure(member=member)

    sectors = {s.slug: s for s in Sector.objects.all()}
    companies = []
    for name, slug, country, sector_slugs, joined in COMPANIES:
        member, _ = Member.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": Member.Kind.COMPANY,
                "country": country,
                "joined_on": joined,
                "website": "https://example.org/",
                "description": f"{name} is a fictional company used to demonstrate the portal.\n\n{DEMO_NOTE}",
            },
        )
        member.sectors.set([sectors[s] for s in sector_slugs if s in sectors])
        member_commitments_ensure(member=member)
        companies.append(member)

    # Pillar engagement: the founders lead the global forum.
    for slug in ("sweden", "india"):
        PillarEngagement.objects.update_or_create(
            member=Member.objects.get(slug=slug),
            pillar=pillars[1],
            defaults={"role": PillarEngagement.Role.LEAD},
        )
    nordhavn = companies[0]
    for number in (1, 2):
        PillarEngagement.objects.update_or_create(
            member=nordhavn,
            pillar=pillars[number],
            defaults={"role": PillarEngagement.Role.PARTICIPANT, "note": "Demo engagement."},
        )

    editor, password = demo_user_ensure(
        email="editor@nordhavn-steel.example", first_name="Demo", last_name="Editor"
    )
    MembershipRole.objects.get_or_create(user=editor, member=nordhavn)
    _seed_nordhavn_progress(nordhavn, editor, milestones)
    return [(editor, password)]


def _seed_nordhavn_progress(member: Member, editor, milestones: dict) -> None:
    statuses = [
        MemberCommitment.Status.MET,
        MemberCommitment.Status.MET,
        MemberCommitment.Status.IN_PROGRESS,
        MemberCommitment.Status.IN_PROGRESS,
    ]
    for row, status in zip(
        member.commitments.order_by("commitment__order"), statuses, strict=False
    ):
        if row.status == MemberCommitment.Status.NOT_STARTED:
            row.status = status
            row.evidence = "Demo evidence for this commitment."
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
        },
    )
