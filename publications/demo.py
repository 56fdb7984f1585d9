"""Demo data for the publications app (idempotent): two LeadIT-style briefs and the
newsletter issue of the fourth quarter of 2021, all published, with their PDFs.

Facts used (as they stood when each brief is dated): iron and steel and cement each emit
roughly 7 % of the world's CO₂ (IEA roadmaps of 2018 and 2020); public procurement is about
12 % of GDP in OECD countries (OECD, Government at a Glance); the Buy Clean California Act
(AB 262) of 2017; the environmental cost indicator (MKI) in Dutch infrastructure tenders;
Sweden's climate declaration for new buildings, required from January 2022; the Industrial
Deep Decarbonisation Initiative launched in 2021 and coordinated by UNIDO; Germany's steel
action concept and National Hydrogen Strategy (2020), which announced a pilot of carbon
contracts for difference; the Netherlands' SDE++ scheme; the European Commission's July
2021 proposal that the Innovation Fund may support such contracts. The prose, the tables'
illustrative figures and the dates of publication are the demo's own.

Everything here is labelled demo wherever it appears (list, page, PDF): titles end in
"(demo)", the summaries and the first lines say the brief or issue is invented, and the
briefs are not attributed to the real secretariat.

The briefs are linked to two activities of the 2021 workplan (``workplan/demo.py``); the
newsletter issue is assembled from the demo data of Q4 2021 (COP26, new members, these
briefs, the 2021 workplan's progress). With the embedded default (eager Celery) the PDFs
are rendered when this function's transaction commits; with a broker, by the workers.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tracker.models import Sector
from workplan.models import Activity

from .documents import document_request_render
from .models import Brief, NewsletterIssue, Publication, Subscriber
from .newsletter import issue_create_for_quarter, issue_publish, issue_title
from .services import brief_publish

D = datetime.date
# The briefs are invented for the demo: they are not attributed to the real secretariat.
AUTHORS = "Demo authors (invented)"
DEMO_TITLE = " (demo)"
DEMO_SUMMARY = "Demo brief, written to show the portal: not a LeadIT publication. "
DEMO_BODY_NOTE = (
    "*Demo brief (invented): written to show how the portal publishes briefs. It is not a "
    "LeadIT publication and its dates are the demo's own; the facts it cites are public "
    "record, with their sources in the notes.*\n\n"
)

PROCUREMENT_BODY = """\
## Why public procurement matters

Iron and steel and cement are each responsible for roughly 7 % of the world's carbon
dioxide emissions.[^iea] Much of both ends up in roads, bridges, railways, hospitals and
schools, which the public sector commissions and pays for. Public procurement as a whole is
worth about 12 % of gross domestic product in OECD countries.[^oecd]

Near-zero steel and cement cost more to make today than the conventional products, but
they are a small share of the final cost of a building or a bridge. A public buyer that
asks for low-carbon materials pays little extra on the project, and gives producers what
they need most before they invest: a market they can count on.

## What public buyers can ask for

| Approach | What the buyer does | Example |
|---|---|---|
| Disclosure | Asks for an environmental product declaration (EPD) for the main materials | A common first step in large tenders |
| Carbon limits | Sets a maximum embodied carbon per tonne of material | Buy Clean California Act (2017) |
| Award criteria | Gives lower-carbon bids an advantage when tenders are compared | Environmental cost indicator (MKI) in Dutch infrastructure tenders |
| Building declaration | Requires a climate declaration for each new building | Sweden, from January 2022 |

Disclosure builds the data that limits and award criteria later rely on. Limits that
tighten on a published schedule let producers plan their investments years ahead.

[[chart: roadmaps-by-sector | Sectors covered by the roadmaps in the LeadIT Industry Transition Tracker]]

## Steps for governments

1. **Measure**: require declarations for steel, cement and concrete in large public
   construction projects.
2. **Set a baseline** for each product from the declarations received, and publish it.
3. **Signal the path**: announce limits or award criteria that tighten over time.
4. **Act together**: align the definitions of low-carbon and near-zero materials with
   other governments, so that producers face one market rather than many.[^defs]

## What LeadIT members can do

Member countries can share their procurement rules and experience through the Leadership
Group, and work towards common definitions. Member companies can publish declarations for
their products, and say which volumes of near-zero steel and cement they could supply, and
from when.

[^iea]: International Energy Agency, *Iron and Steel Technology Roadmap* (2020); IEA and
    the Cement Sustainability Initiative, *Technology Roadmap: Low-Carbon Transition in the
    Cement Industry* (2018).
[^oecd]: OECD, *Government at a Glance* (2021 edition).
[^defs]: The Industrial Deep Decarbonisation Initiative, launched in 2021 and coordinated
    by UNIDO, works on such definitions and on procurement commitments.
"""

CCFD_BODY = """\
## The cost gap

Making steel from iron reduced with hydrogen, or capturing the carbon dioxide of a cement
kiln, costs more per tonne than the conventional route. A carbon price closes that gap only
when it is high enough, and the investors in a plant that will run for decades cannot be
sure that it will stay high enough.

## How a contract for difference works

The government and the producer agree on a *strike price*: the carbon price at which the
low-carbon plant breaks even. Each year the government pays the producer the difference
between the strike price and the market's carbon price, for every tonne of CO₂ the plant
actually avoided.[^avoided] When the market price rises above the strike price, the
producer pays the difference back.

| Market carbon price | Strike price | Paid per tonne of CO₂ avoided |
|---|---|---|
| 50 | 120 | 70, to the producer |
| 90 | 120 | 30, to the producer |
| 140 | 120 | 20, back to the government |

*Illustrative figures, per tonne of CO₂, in any currency.*

The public cost falls as the carbon price rises, and the producer is protected if it falls.

## Design choices

- **Reference emissions**: what the plant is compared with, usually the best conventional
  plant of its kind.
- **Allocation**: competitive bidding between projects keeps strike prices down.
- **Duration**: ten to fifteen years cover a large part of an investment's payback.
- **Demand**: contracts work best beside markets for near-zero products, such as green
  public procurement.

[[chart: roadmaps-over-time | Roadmaps published over time in the LeadIT Industry Transition Tracker]]

## Where it is being tried

Germany has announced a pilot programme of carbon contracts for difference for its steel
and chemical industries.[^germany] The Netherlands' SDE++ scheme already pays the gap between
the cost of CO₂-reducing technologies and their market value, and in July 2021 the European
Commission proposed that its Innovation Fund may support contracts for difference.

[^avoided]: Paying for emissions avoided, not for capacity built, ties the public money to
    what the plant achieves.
[^germany]: In its steel action concept (*Handlungskonzept Stahl*) and its National
    Hydrogen Strategy, both of 2020.
"""

# slug, title, summary, published on, sectors, countries, body, activity title (2021 plan)
BRIEFS = [
    (
        "green-public-procurement-steel-cement",
        "Green public procurement for steel and cement" + DEMO_TITLE,
        DEMO_SUMMARY
        + "Governments are among the largest buyers of steel and cement. Carbon limits and "
        "award criteria in their own tenders give producers of near-zero materials a first, "
        "predictable market. This brief shows how public buyers can start, and what LeadIT "
        "members can do together.",
        D(2021, 10, 25),
        ["steel", "cement"],
        ["SE", "NL", "GB", "IN"],
        DEMO_BODY_NOTE + PROCUREMENT_BODY,
        "Pathways to promote sustainable, green procurement to drive industry transition",
    ),
    (
        "carbon-contracts-for-difference",
        "Carbon contracts for difference: closing the cost gap" + DEMO_TITLE,
        DEMO_SUMMARY
        + "A carbon contract for difference pays a producer the gap between the carbon price "
        "its low-carbon plant needs and the price the market pays. This brief explains how "
        "the instrument works, what it costs the public purse and what its design must get "
        "right.",
        D(2021, 8, 31),
        ["steel", "cement", "chemicals"],
        ["DE", "NL"],
        DEMO_BODY_NOTE + CCFD_BODY,
        "CCfD for industry transition factsheet",
    ),
]

NEWSLETTER_YEAR, NEWSLETTER_QUARTER = 2021, 4
NEWSLETTER_PUBLISHED_ON = D(2022, 1, 14)
# The issue is assembled as the secretariat would have: early in the next quarter.
NEWSLETTER_ASSEMBLED_AT = datetime.datetime(2022, 1, 10, 9, 0, tzinfo=datetime.UTC)
NEWSLETTER_SUMMARY = (
    "Demo issue (invented), not a LeadIT newsletter. The Leadership Summit at COP26 in Glasgow, new members, two briefs and the progress of "
    "the 2021 workplan."
)
NEWSLETTER_INTRODUCTION = """\
*Demo issue (invented): this issue shows how the portal assembles a quarter's
newsletter. It is not a LeadIT newsletter; its fictional members and briefs are marked
"(demo)".*

Welcome to the last LeadIT newsletter of 2021.

The quarter was dominated by **COP26 in Glasgow**, where the Leadership Summit brought
LeadIT's countries and companies together. This issue gathers what happened in those three
months: new members, the events held and coming, changes in the Industry Transition
Tracker, the briefs we published and how far the 2021 workplan has come.
"""


def _changed(obj, values: dict) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


def _brief(row, user) -> Brief:
    slug, title, summary, published_on, sector_slugs, countries, body, activity_title = row
    activity = (
        Activity.objects.filter(group__pathway__workplan__slug="2021", title=activity_title)
        .order_by("pk")
        .first()
    )
    values = {
        "title": title,
        "summary": summary,
        "body": body,
        "authors": AUTHORS,
        "activity": activity,
    }
    brief = Brief.objects.filter(slug=slug).first()
    if brief is None:
        brief = Brief.objects.create(
            slug=slug, status=Publication.Status.DRAFT, countries=countries, **values
        )
    elif _changed(brief, values) or sorted(c.code for c in brief.countries) != sorted(countries):
        # Saved only when something differs: a second run leaves no new history.
        for name, value in values.items():
            setattr(brief, name, value)
        brief.countries = countries
        brief.save()
    sectors = list(Sector.objects.filter(slug__in=sector_slugs))
    if {s.pk for s in brief.sectors.all()} != {s.pk for s in sectors}:
        brief.sectors.set(sectors)
    if brief.is_published:
        # Unchanged content gives the existing document back: no new render.
        document_request_render(publication=brief, requested_by=user)
    else:
        brief_publish(brief=brief, user=user, on=published_on)
    return brief


def _newsletter(user) -> NewsletterIssue:
    issue = NewsletterIssue.objects.filter(year=NEWSLETTER_YEAR, quarter=NEWSLETTER_QUARTER).first()
    if issue is None:
        issue = issue_create_for_quarter(
            year=NEWSLETTER_YEAR,
            quarter=NEWSLETTER_QUARTER,
            user=user,
            now=NEWSLETTER_ASSEMBLED_AT,
        )
    values = {
        "title": issue_title(number=issue.number, year=issue.year, quarter=issue.quarter)
        + DEMO_TITLE,
        "summary": NEWSLETTER_SUMMARY,
        "introduction": NEWSLETTER_INTRODUCTION,
    }
    if _changed(issue, values):
        for name, value in values.items():
            setattr(issue, name, value)
        issue.save()
    if issue.is_published:
        document_request_render(publication=issue, requested_by=user)
    else:
        issue_publish(issue=issue, user=user, on=NEWSLETTER_PUBLISHED_ON)
    return issue


# Confirmed readers, so that staff can try a send on the demo (the embedded default prints
# the e-mails to the console). example.org addresses never reach anyone.
DEMO_SUBSCRIBERS = [
    ("reader.one@example.org", "Demo reader one"),
    ("reader.two@example.org", "Demo reader two"),
    ("reader.three@example.org", "Demo reader three"),
]


def _subscribers() -> None:
    for email, name in DEMO_SUBSCRIBERS:
        Subscriber.objects.get_or_create(
            email=email, defaults={"name": name, "confirmed_at": timezone.now()}
        )


@transaction.atomic
def seed_demo() -> list:
    user = get_user_model().objects.filter(email="staff@leadit.example").first()
    for row in BRIEFS:
        _brief(row, user)
    _newsletter(user)
    _subscribers()
    return []
