"""Demo data for the workplan app.

History — the LeadIT 2021 Workplan, loaded whole from the seed document: its five
objectives, the four pathways with every activity group and activity in order, and every X
of the objective matrix. Titles, names and numbers are the document's facts; the
introduction and the objectives' descriptions are in our own words. The period is over, so
the page shows it as a closed period with final values. The document records no outcome,
so the portal states none: every activity reads "Outcome not recorded", no dates are
invented (only the COP26 deadlines the document names), the manual targets have no
measurement ("not recorded", never 0) and the membership targets are not recorded while
the real members' joining dates are not. The two MEL indicators carry demo values, and say
so on the page.

The present — the LeadIT 2.0 workplan 2024–26, published: one objective per pillar of the
mission statement adopted at COP28, targets labelled as the demo's version of the
secretariat's plan (no value recorded: nothing is claimed as achieved), the Leadership
Summits at COP29 and COP30 as done (linked to their events) and the rest of the plan as
demo activities whose outcome is not recorded.

Idempotent: rows are found by their natural keys and only changed (with history) when the
seed differs from what is stored.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models, transaction

from members.models import Member, Pillar
from summits.models import Event

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
DONE, NOT_RECORDED = "done", "not_recorded"
DEMO = "Demo value, not a real measurement."
COP26 = D(2021, 10, 31)  # COP26 in Glasgow opened on 31 October 2021
COP26_END = D(2021, 11, 13)

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

*The objectives, activities and matrix are those of the 2021 Workplan. The document
records no outcomes, so this page states none: activities read "Outcome not recorded" and
targets without a recorded value read "not recorded".*
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
     []),
    (4, "G20 countries covered by the Tracker at the end of 2021", "", {}, 19,
     "countries", []),
    (5, "Developing countries supported in their roadmapping", "", {}, 1, "countries",
     []),
]  # fmt: skip

# Pathway -> groups -> activities, in the document's order. Each activity:
# (title, objective numbers marked, due date (only where the document names one: at or
# before COP26), other partners, partner member slugs)
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
            ("Summit – virtual or hybrid", [2], COP26_END, "", []),
            ("Explore pathways to promote sustainable green procurement", [2], COP26, "", []),
            ("Announce new members", [1], COP26_END, "", []),
        ]),
        ("Industry transition dialogues and partnerships", [
            ("India sustainable manufacturing workshop", [1], None, "IEA, Swedish Embassy", ["india"]),
            ("Net-zero in Korea", [1, 3], None, "GTC",
             ["republic-of-korea"]),
            ("CCfD roundtable discussion", [2], None,
             "others", ["germany", "united-kingdom", "sweden", "netherlands"]),
            ("Climate finance for industry transition in developing countries with MI/CIF",
             [1, 5], None,
             "Mission Innovation, Climate Investment Funds", []),
        ]),
        ("Agenda setting", [
            ("Swedish Embassy, EU and GIZ session at WSDS 2021 in India", [1, 2, 3, 4], None, "Swedish Embassy, EU, GIZ", ["sweden"]),
            ("UNIDO Virtual Industry dialogue", [1, 2, 3, 4], None, "UNIDO", []),
            ("Climate Action's Industry Transition Summit and Sustainable Innovation Forum",
             [1, 2, 3, 4], None, "Climate Action", []),
            ("Potentially an observer on GCCA initiative on cement and concrete",
             [1, 2, 3, 4], None, "GCCA", []),
        ]),
    ]),
    ("Evidence for action", [
        ("Industry Transition Tracker", [
            ("Addition of data from any new members and all G20 countries", [1, 4, 5], None, "", []),
            ("Addition of comparison of countries and roadmaps", [4, 5], None, "", []),
            ("Addition of regional/global roadmaps", [4, 5], None, "", []),
            ("Video on how to use the Tracker and outreach activities to increase use",
             [1, 4, 5], None, "", []),
        ]),
        ("LeadIT briefs", [
            ("Industry transition in the US", [1, 3], None,
             "", []),
            ("Reaching net-zero industry in South Korea through public private partnerships",
             [3], None, "", ["republic-of-korea"]),
            ("CCfD for industry transition factsheet", [2], None, "", []),
            ("Technology transfer and leveraging finance for industry transition in "
             "developing countries", [1, 3, 4, 5], None, "", []),
            ("Pathways to promote sustainable, green procurement to drive industry "
             "transition", [2, 3], None, "", []),
            ("Industry transition across the value chain", [2, 3], None, "", []),
        ]),
    ]),
    ("Industry transition roadmaps", [
        ("Roadmap “How-To” Guide", [
            ("Interactive guide to be completed and added to Tracker", [1, 4, 5], None, "", []),
        ]),
        ("Focused support to roadmap process", [
            ("Design and undertake virtual workshops in 1-2 developing countries (i.e. "
             "India, Vietnam, Indonesia, Ethiopia)", [1, 3, 4, 5], None, "", ["india"]),
            ("Where possible take forward discussions to engage on and support a "
             "roadmapping process", [1, 5], None,
             "", []),
            ("Commissioning work on gap analyses", [1, 3, 4, 5], None, "", []),
        ]),
    ]),
    ("Core secretariat activities", [
        ("Management Board meetings", [
            ("Monthly meetings, with dates set for year in advance", [], None, "", []),
            ("Agenda and documentation sent 1 week in advance, minutes sent 1 week after",
             [], None, "", []),
        ]),
        ("Membership management and TEC meetings", [
            ("Explore the idea of working groups within the TEC meetings to share their "
             "respective experiences", [], None, "", []),
            ("Possible groups: low carbon technology transfer including potential of green "
             "hydrogen for industry transition; financing industry transition", [], None, "", []),
            ("Regular country meetings and company meetings, as appropriate", [], None, "", []),
        ]),
        ("Newsletter and website", [
            ("Quarterly newsletter", [], None, "", []),
            ("Develop the website www.industrytransition.org/", [], None, "", []),
        ]),
    ]),
]  # fmt: skip

MEL_DEMO_NOTE = "*Demo values, invented to show the chart: not real measurements.*"
MEL_2021 = [
    ("Tracker visits", "visits",
     "Visits to the Industry Transition Tracker pages: the reach of the evidence.\n\n"
     + MEL_DEMO_NOTE,
     [(D(2021, 3, 31), 1800), (D(2021, 6, 30), 2600), (D(2021, 9, 30), 3900),
      (D(2021, 12, 31), 5200)]),
    ("Participants in LeadIT events", "people",
     "People taking part in the events LeadIT organised or co-organised.\n\n"
     + MEL_DEMO_NOTE,
     [(D(2021, 3, 31), 120), (D(2021, 6, 30), 310), (D(2021, 9, 30), 450),
      (D(2021, 12, 31), 980)]),
]  # fmt: skip

TITLE_2_0 = "LeadIT 2.0 workplan 2024–26"
INTRODUCTION_2_0 = """\
At the Leadership Summit at COP28 in Dubai on 9 December 2023 the members adopted the
LeadIT 2.0 mission statement. Its vision: by 2030, industry on a path in line with the
Paris Agreement, towards a just and equitable transition and net-zero emissions by 2050.
Until the end of 2026 the work is organised in three pillars; this plan takes each pillar
as an objective, so the objective matrix shows which activity serves which pillar.

Members commit to **support** industry transitions (ambitious emission reductions, the
LeadIT mission and vision), to **engage** (in a pillar, at the annual Leadership Summit at
minister or CEO level, with the secretariat and each other) and to **promote** them (along
value chains, and by reporting progress at key milestones such as the COPs).

*Demo: the targets and the activities marked "(demo)" are this portal's example of the
secretariat's plan, not its actual plan. No value is recorded for them and nothing is
claimed as achieved.*
"""
# (pillar number, short title, description in our own words)
OBJECTIVES_2_0 = [
    (1, "Global forum",
     "Keep a space for dialogue between governments and industry at the annual Leadership "
     "Summit and other high-level events; stay aligned with multilateral processes such as "
     "the COP presidencies; equip members by sharing knowledge; monitor how fast the "
     "transition moves."),
    (2, "Technology transfer",
     "Help members transfer, demonstrate and develop low-carbon industrial technology "
     "together, business to business, and build national capacity for innovation, with "
     "research institutes and existing innovation partnerships where that helps."),
    (3, "Transition partnerships",
     "Support members that set up industry transition partnerships: tailored help for "
     "emerging and developing economies that maps, coordinates and strengthens the "
     "technical and financial assistance on offer, towards a pipeline of bankable "
     "low-carbon industrial projects."),
]  # fmt: skip
TARGETS_2_0 = [
    (1, "Members reporting progress at a COP milestone (demo target)", "", {}, 10,
     "members", []),
    (2, "Technology co-development exchanges held (demo target)", "", {}, 4, "exchanges",
     []),
    (3, "Industry transition partnerships set up (demo target)", "", {}, 2,
     "partnerships", []),
]  # fmt: skip
# Pathway (one per pillar) -> groups -> activities:
# (title, objectives marked, status, due, partners, member slugs, event slugs)
PLAN_2_0 = [
    ("Pillar 1: Global forum for a just and equitable industry transition", [
        ("Leadership Summits", [
            ("Leadership Summit at COP29, Baku", [1], DONE, None, "", [],
             ["leadit-summit-cop29"]),
            ("Leadership Summit at COP30, Belém", [1], DONE, None, "", [],
             ["leadit-summit-cop30"]),
        ]),
        ("Knowledge sharing (demo)", [
            ("Briefs and Tracker updates on the pace of the transition (demo)", [1, 2],
             NOT_RECORDED, None, "", [], []),
        ]),
    ]),
    ("Pillar 2: Technology transfer and co-development", [
        ("Technology co-development (demo)", [
            ("Business-to-business exchange on low-carbon steel (demo)", [2], NOT_RECORDED,
             None, "", ["northwind-steel-demo", "fabrikam-aluminium-demo"], []),
        ]),
    ]),
    ("Pillar 3: Industry transition partnerships for coordinated multilateral assistance", [
        ("Partnership support (demo)", [
            ("Map technical and financial assistance for one partner country (demo)", [3],
             NOT_RECORDED, None, "", [], []),
        ]),
    ]),
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
                title, marks, status, due, partners, member_slugs, event_slugs = row
                activity = _upsert(
                    Activity,
                    {"group": group, "title": title},
                    {
                        "order": order,
                        "status": status,
                        "start_date": None,
                        "due_date": due,
                        "partners": partners,
                        "lead": lead,
                    },
                )
                _set_if_changed(activity.events, list(Event.objects.filter(slug__in=event_slugs)))
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
    _plan(plan_2021, objectives, _as_history(PLAN_2021), lead)
    _indicators(plan_2021, MEL_2021)

    plan_2_0 = _upsert(
        Workplan,
        {"slug": "leadit-2-0-2024-26"},
        {
            "title": TITLE_2_0,
            "period_start": D(2024, 1, 1),
            "period_end": D(2026, 12, 31),
            "status": Workplan.Status.PUBLISHED,
            "introduction": INTRODUCTION_2_0,
        },
    )
    pillars = {p.number: p for p in Pillar.objects.all()}
    _set_if_changed(plan_2_0.pillars, list(pillars.values()))
    objectives_2_0 = _objectives(
        plan_2_0,
        [
            (number, title, text, {"due_date": D(2026, 12, 31), "due_event": ""})
            for number, title, text in OBJECTIVES_2_0
            if number in pillars
        ],
    )
    # Rows of earlier versions of the demo's 2.0 plan that this one no longer has.
    ImpactPathway.objects.filter(workplan=plan_2_0).exclude(
        title__in=[pathway for pathway, _ in PLAN_2_0]
    ).delete()
    ObjectiveTarget.objects.filter(objective__workplan=plan_2_0).exclude(
        label__in=[row[1] for row in TARGETS_2_0]
    ).delete()
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


def _as_history(plan):
    """The 2021 rows in the shape ``_plan`` takes: outcome not recorded, no events."""
    return [
        (pathway, [(group, [(title, marks, NOT_RECORDED, due, partners, slugs, [])
                            for title, marks, due, partners, slugs in activities])
                   for group, activities in groups])
        for pathway, groups in plan
    ]  # fmt: skip
