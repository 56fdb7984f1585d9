"""Demo data for the workplan app.

The LeadIT 2021 Workplan is loaded whole from the seed document (shared/seeds/000_*.txt):
its five objectives, the four pathways with every activity group and activity in order, and
every X of the objective matrix. Titles, names, numbers and dates are the document's facts;
the introduction and the objectives' descriptions are in our own words. The activities'
statuses and dates are not in the document: they are plausible demo values for a plan whose
year is over. Objective 1's three targets are live metrics counting the demo members who
joined in 2021 (members.demo). The MEL measurements are demo values, and say so.

A draft "LeadIT 2.0" workplan for 2024–26, its objectives the three pillars, is a clearly
marked demo sketch (staff only, since drafts are).

Idempotent: rows are found by their natural keys and only changed (with history) when the
seed differs from what is stored.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models, transaction

from members.models import Member, Pillar

from .models import (
    Activity,
    ActivityGroup,
    ImpactPathway,
    MELIndicator,
    MELMeasurement,
    Objective,
    ObjectiveTarget,
    TargetMeasurement,
    Workplan,
)

D = datetime.date
DONE, IN_PROGRESS, PLANNED, DROPPED = "done", "in_progress", "planned", "dropped"
DEMO = "Demo value, not a real measurement."
COP26 = D(2021, 10, 31)  # COP26 in Glasgow opened on 31 October 2021

INTRODUCTION_2021 = """\
At the Leadership Summit of December 2020 the members of LeadIT agreed a statement on
acting together, and soon, for the industry transition. Its commitments are the starting
point of this plan: markets for green industrial products and whole value chains, green
procurement, charging infrastructure for heavy transport, a coherent approach to carbon
capture, work with Mission Innovation, the development banks and the Climate Investment
Funds, investment in key technologies, sharing know-how with developing economies, a just
and inclusive transition, and the involvement of young people.

The plan works towards **COP26 in Glasgow (November 2021)**, where LeadIT means to show
concrete results against five objectives. Its activities follow the three impact pathways
of the LeadIT theory of change — *Partnerships for change*, *Evidence for action* and
*Industry transition roadmaps* — plus the secretariat's core work. The matrix marks which
activity serves which objective.

Monitoring, evaluation and learning (MEL) combines counts of activities and reach with
impact stories from members and partners.

*On this portal the activities' statuses and dates are illustrative demo values; the
objectives, activities and matrix are those of the 2021 Workplan.*
"""

# (number, short title = the matrix's column heading, description in our own words)
OBJECTIVES_2021 = [
    (
        1,
        "Expand members",
        "Grow the membership by at least three developing-country members, three "
        "developed-country members and six company members.",
    ),
    (
        2,
        "Promote green procurement",
        "Before COP26, work out how sustainable, green procurement can pull the industry "
        "transition forward.",
    ),
    (
        3,
        "Expand sectoral work",
        "Widen the work on sectors (chemicals, for instance) with a value-chain approach "
        "that reaches downstream to demand: clusters, and the links between producers, "
        "manufacturers and consumers.",
    ),
    (
        4,
        "Leverage IT Tracker",
        "Grow the Industry Transition Tracker and use it for insights that prompt action.",
    ),
    (
        5,
        "Support roadmap process",
        "Put an interactive roadmap “how-to” guide on the website, and advise and assist "
        "one or more developing countries in their roadmapping.",
    ),
]

# (objective number, label, metric, options, threshold, unit, manual measurements)
TARGETS_2021 = [
    (1, "New developing-country members", "new_members",
     {"kind": "country", "economy_group": "developing"}, 3, "members", []),
    (1, "New developed-country members", "new_members",
     {"kind": "country", "economy_group": "developed"}, 3, "members", []),
    (1, "New company members", "new_members", {"kind": "company"}, 6, "members", []),
    (2, "Brief on green procurement pathways published before COP26", "", {}, 1, "brief",
     [(D(2021, 10, 25), 1)]),
    (4, "G20 countries covered by the Tracker", "g20_countries_covered", {}, 19,
     "countries", []),
    (5, "Developing countries supported in their roadmapping", "", {}, 1, "countries",
     [(D(2021, 6, 30), 0), (D(2021, 12, 15), 1)]),
]  # fmt: skip

# Pathway -> groups -> activities, in the document's order. Each activity:
# (title, objective numbers marked, status, start, due, other partners, partner member slugs)
#
# The extracted text keeps each row's cells as space-separated slots, so "X  X   " reads
# as columns 1 and 3 and " X    " as column 2; every row below was read that way.
#
# "Agenda setting" prints its four events as one block with a single row of marks,
# "X X X X" (objectives 1–4, none for 5). We read that row as belonging to each of the
# four events: read one mark per event instead, the cement initiative (GCCA) would serve
# only the Tracker, which its meaning contradicts, while an agenda-setting event is by
# nature outreach for members, procurement, sectors and the Tracker alike. So each of
# the four is marked 1–4 (16 marks where the PDF prints 4).
PLAN_2021 = [
    ("Partnerships for change", [
        ("Leadership Summit at COP26", [
            ("Summit – virtual or hybrid", [2], DONE, D(2021, 3, 1), D(2021, 11, 9), "", []),
            ("Explore pathways to promote sustainable green procurement", [2], DONE,
             D(2021, 2, 1), COP26, "", []),
            ("Announce new members", [1], DONE, D(2021, 9, 1), D(2021, 11, 9), "", []),
        ]),
        ("Industry transition dialogues and partnerships", [
            ("India sustainable manufacturing workshop", [1], DONE, D(2021, 2, 1),
             D(2021, 4, 30), "IEA, Swedish Embassy", ["india"]),
            ("Net-zero in Korea", [1, 3], DONE, D(2021, 3, 1), D(2021, 6, 30), "GTC",
             ["republic-of-korea"]),
            ("CCfD roundtable discussion", [2], DONE, D(2021, 4, 1), D(2021, 9, 30),
             "others", ["germany", "united-kingdom", "sweden", "netherlands"]),
            ("Climate finance for industry transition in developing countries with MI/CIF",
             [1, 5], IN_PROGRESS, D(2021, 5, 1), D(2021, 12, 15),
             "Mission Innovation, Climate Investment Funds", []),
        ]),
        ("Agenda setting", [
            ("Swedish Embassy, EU and GIZ session at WSDS 2021 in India", [1, 2, 3, 4], DONE,
             D(2021, 2, 10), D(2021, 2, 12), "Swedish Embassy, EU, GIZ", ["sweden"]),
            ("UNIDO Virtual Industry dialogue", [1, 2, 3, 4], DONE, D(2021, 4, 1),
             D(2021, 6, 30), "UNIDO", []),
            ("Climate Action's Industry Transition Summit and Sustainable Innovation Forum",
             [1, 2, 3, 4], DONE, D(2021, 6, 1), D(2021, 11, 10), "Climate Action", []),
            ("Potentially an observer on GCCA initiative on cement and concrete",
             [1, 2, 3, 4], DROPPED, D(2021, 3, 1), D(2021, 12, 15), "GCCA", []),
        ]),
    ]),
    ("Evidence for action", [
        ("Industry Transition Tracker", [
            ("Addition of data from any new members and all G20 countries", [1, 4, 5], DONE,
             D(2021, 1, 15), COP26, "", []),
            ("Addition of comparison of countries and roadmaps", [4, 5], DONE, D(2021, 3, 1),
             COP26, "", []),
            ("Addition of regional/global roadmaps", [4, 5], IN_PROGRESS, D(2021, 6, 1),
             D(2021, 12, 15), "", []),
            ("Video on how to use the Tracker and outreach activities to increase use",
             [1, 4, 5], DONE, D(2021, 5, 1), COP26, "", []),
        ]),
        ("LeadIT briefs", [
            ("Industry transition in the US", [1, 3], DONE, D(2021, 2, 1), D(2021, 5, 31),
             "", []),
            ("Reaching net-zero industry in South Korea through public private partnerships",
             [3], DONE, D(2021, 3, 1), D(2021, 7, 31), "", ["republic-of-korea"]),
            ("CCfD for industry transition factsheet", [2], DONE, D(2021, 4, 1),
             D(2021, 8, 31), "", []),
            ("Technology transfer and leveraging finance for industry transition in "
             "developing countries", [1, 3, 4, 5], DONE, D(2021, 5, 1), COP26, "", []),
            ("Pathways to promote sustainable, green procurement to drive industry "
             "transition", [2, 3], DONE, D(2021, 4, 1), D(2021, 10, 25), "", []),
            ("Industry transition across the value chain", [2, 3], DONE, D(2021, 6, 1),
             COP26, "", []),
        ]),
    ]),
    ("Industry transition roadmaps", [
        ("Roadmap “How-To” Guide", [
            ("Interactive guide to be completed and added to Tracker", [1, 4, 5], DONE,
             D(2021, 1, 15), COP26, "", []),
        ]),
        ("Focused support to roadmap process", [
            ("Design and undertake virtual workshops in 1-2 developing countries (i.e. "
             "India, Vietnam, Indonesia, Ethiopia)", [1, 3, 4, 5], DONE, D(2021, 3, 1),
             D(2021, 11, 30), "", ["india"]),
            ("Where possible take forward discussions to engage on and support a "
             "roadmapping process", [1, 5], IN_PROGRESS, D(2021, 6, 1), D(2021, 12, 31),
             "", []),
            ("Commissioning work on gap analyses", [1, 3, 4, 5], IN_PROGRESS, D(2021, 7, 1),
             D(2021, 12, 31), "", []),
        ]),
    ]),
    ("Core secretariat activities", [
        ("Management Board meetings", [
            ("Monthly meetings, with dates set for year in advance", [], DONE, D(2021, 1, 1),
             D(2021, 12, 31), "", []),
            ("Agenda and documentation sent 1 week in advance, minutes sent 1 week after",
             [], DONE, D(2021, 1, 1), D(2021, 12, 31), "", []),
        ]),
        ("Membership management and TEC meetings", [
            ("Explore the idea of working groups within the TEC meetings to share their "
             "respective experiences", [], DONE, D(2021, 1, 15), D(2021, 6, 30), "", []),
            ("Possible groups: low carbon technology transfer including potential of green "
             "hydrogen for industry transition; financing industry transition", [],
             IN_PROGRESS, D(2021, 4, 1), D(2021, 12, 31), "", []),
            ("Regular country meetings and company meetings, as appropriate", [], DONE,
             D(2021, 1, 1), D(2021, 12, 31), "", []),
        ]),
        ("Newsletter and website", [
            ("Quarterly newsletter", [], DONE, D(2021, 1, 1), D(2021, 12, 31), "", []),
            ("Develop the website www.industrytransition.org/", [], DONE, D(2021, 1, 1),
             D(2021, 12, 31), "", []),
        ]),
    ]),
]  # fmt: skip

MEL_2021 = [
    ("Tracker visits", "visits",
     "Visits to the Industry Transition Tracker pages: the reach of the evidence.",
     [(D(2021, 3, 31), 1800), (D(2021, 6, 30), 2600), (D(2021, 9, 30), 3900),
      (D(2021, 12, 31), 5200)]),
    ("Participants in LeadIT events", "people",
     "People taking part in the events LeadIT organised or co-organised.",
     [(D(2021, 3, 31), 120), (D(2021, 6, 30), 310), (D(2021, 9, 30), 450),
      (D(2021, 12, 31), 980)]),
]  # fmt: skip

DEMO_2_0_NOTE = "*Demo: a sketch for trying the portal, not the secretariat's plan for LeadIT 2.0.*"
INTRODUCTION_2_0 = f"""\
{DEMO_2_0_NOTE}

LeadIT 2.0 (2024–26) organises the work in three pillars. This draft takes each pillar as
an objective, so the matrix shows which activity serves which pillar.
"""
SHORT_PILLAR_TITLES = {1: "Global forum", 2: "Technology transfer", 3: "Transition partnerships"}
PLAN_2_0 = [
    ("Partnerships for change", [
        ("Leadership Summit (demo)", [
            ("Leadership Summit at COP29 (demo)", [1], DONE, D(2024, 6, 1), D(2024, 11, 15)),
            ("Leadership Summit at COP30 (demo)", [1, 3], DONE, D(2025, 5, 1),
             D(2025, 11, 14)),
            ("Leadership Summit at COP31 (demo)", [1, 2, 3], IN_PROGRESS, D(2026, 5, 1),
             D(2026, 11, 13)),
        ]),
        ("Partnership platforms (demo)", [
            ("Map technical and financial assistance for one partner country (demo)", [3],
             IN_PROGRESS, D(2025, 9, 1), D(2026, 10, 31)),
        ]),
    ]),
    ("Evidence for action", [
        ("Technology co-development (demo)", [
            ("Business-to-business exchange on low-carbon steel (demo)", [2], PLANNED,
             D(2026, 9, 1), D(2026, 12, 15)),
            ("Brief on technology transfer instruments (demo)", [1, 2], PLANNED,
             D(2026, 10, 1), D(2026, 12, 31)),
        ]),
    ]),
]  # fmt: skip
TARGETS_2_0 = [
    (1, "Progress updates from members (demo target)", "progress_updates_received", {}, 6,
     "updates", []),
    (3, "Country partnerships set up (demo target)", "", {}, 3, "partnerships",
     [(D(2025, 6, 30), 0), (D(2026, 6, 30), 1)]),
]  # fmt: skip


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """The row with ``lookup``, created or brought up to ``values``; saved (with a
    history record) only when something differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj


def _set_if_changed(manager, wanted: list) -> None:
    if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
        manager.set(wanted)


def _objectives(workplan: Workplan, rows) -> dict[int, Objective]:
    return {
        number: _upsert(
            Objective,
            {"workplan": workplan, "number": number},
            {"short_title": title, "description": text, **extra},
        )
        for number, title, text, extra in rows
    }


def _targets(objectives: dict[int, Objective], rows) -> None:
    for order, (number, label, metric, options, threshold, unit, measured) in enumerate(rows):
        target = _upsert(
            ObjectiveTarget,
            {"objective": objectives[number], "label": label},
            {
                "metric": metric,
                "metric_options": options,
                "threshold": Decimal(threshold),
                "unit": unit,
                "order": order,
            },
        )
        for date, value in measured:
            _upsert(
                TargetMeasurement,
                {"target": target, "date": date},
                {"value": Decimal(value), "note": DEMO},
            )


def _plan(workplan: Workplan, objectives: dict[int, Objective], plan, lead) -> None:
    members = {m.slug: m for m in Member.objects.all()}
    for pathway_order, (pathway_title, groups) in enumerate(plan):
        pathway = _upsert(
            ImpactPathway,
            {"workplan": workplan, "title": pathway_title},
            {"order": pathway_order},
        )
        for group_order, (group_title, activities) in enumerate(groups):
            group = _upsert(
                ActivityGroup, {"pathway": pathway, "title": group_title}, {"order": group_order}
            )
            for order, row in enumerate(activities):
                title, marks, status, start, due, *rest = row
                partners, member_slugs = rest if rest else ("", [])
                activity = _upsert(
                    Activity,
                    {"group": group, "title": title},
                    {
                        "order": order,
                        "status": status,
                        "start_date": start,
                        "due_date": due,
                        "partners": partners,
                        "lead": lead,
                    },
                )
                _set_if_changed(activity.objectives, [objectives[n] for n in marks])
                _set_if_changed(
                    activity.partner_members,
                    [members[slug] for slug in member_slugs if slug in members],
                )


def _indicators(workplan: Workplan, rows) -> None:
    for order, (name, unit, description, measured) in enumerate(rows):
        indicator = _upsert(
            MELIndicator,
            {"workplan": workplan, "name": name},
            {"unit": unit, "description": description, "order": order},
        )
        for date, value in measured:
            _upsert(
                MELMeasurement,
                {"indicator": indicator, "date": date},
                {"value": Decimal(value), "note": DEMO},
            )


@transaction.atomic
def seed_demo() -> list:
    lead = get_user_model().objects.filter(email="staff@leadit.example").first()

    plan_2021 = _upsert(
        Workplan,
        {"slug": "2021"},
        {
            "title": "LeadIT 2021 Workplan",
            "period_start": D(2021, 1, 1),
            "period_end": D(2021, 12, 31),
            "status": Workplan.Status.PUBLISHED,
            "introduction": INTRODUCTION_2021,
        },
    )
    objectives = _objectives(
        plan_2021,
        [
            (number, title, text, {"due_date": COP26, "due_event": "COP26"})
            for number, title, text in OBJECTIVES_2021
        ],
    )
    _targets(objectives, TARGETS_2021)
    _plan(plan_2021, objectives, PLAN_2021, lead)
    _indicators(plan_2021, MEL_2021)

    pillars = list(Pillar.objects.order_by("number"))
    plan_2_0 = _upsert(
        Workplan,
        {"slug": "leadit-2-0-2024-26"},
        {
            "title": "LeadIT 2.0 workplan 2024–26 (demo draft)",
            "period_start": D(2024, 1, 1),
            "period_end": D(2026, 12, 31),
            "status": Workplan.Status.DRAFT,
            "introduction": INTRODUCTION_2_0,
        },
    )
    _set_if_changed(plan_2_0.pillars, pillars)
    objectives_2_0 = _objectives(
        plan_2_0,
        [
            (
                pillar.number,
                SHORT_PILLAR_TITLES.get(pillar.number, pillar.title[:100]),
                f"Pillar {pillar.number}: {pillar.title}. {DEMO_2_0_NOTE}",
                {"due_date": D(2026, 12, 31), "due_event": ""},
            )
            for pillar in pillars
        ],
    )
    if objectives_2_0:
        _targets(objectives_2_0, [t for t in TARGETS_2_0 if t[0] in objectives_2_0])
        _plan(
            plan_2_0,
            objectives_2_0,
            [
                (pathway, [(g, [a for a in acts if set(a[1]) <= set(objectives_2_0)])
                           for g, acts in groups])
                for pathway, groups in PLAN_2_0
            ],
            lead,
        )  # fmt: skip
    return []
