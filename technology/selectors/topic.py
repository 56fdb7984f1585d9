"""One tracker technology across the portal (/technology/<technology-slug>/): the solutions
that offer it and their TRL, the plants using it (GEM data in the tracker), the roadmaps
whose levers name it, the open technology needs asking for it, the co-development projects
on it, the guidelines about it and the innovation programmes naming it.

Every read of a record with a visibility starts from ``visible_to(user)``, so a members'
or secretariat record never reaches a visitor who may not see it, not even as a count. The
page reads in a constant number of queries whatever the number of records: each list is
one query that also carries its total (a window count), each summary one grouped query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet, Window
from django.utils import timezone

from leadit.countries import country_name
from tracker.models import IndustrialProject, Technology

from ..models import (
    TRL_MAX,
    TRL_MIN,
    CoDevelopmentProject,
    InnovationProgramme,
    TechnicalGuideline,
    TechnologySolution,
)
from .shared import RoadmapCall, open_needs_for, roadmap_calls

# How many records of each kind the page lists; the header and each section give the
# total, and link to the full list where the portal has one.
LISTED = 20
# How many countries the plants' summary names before "and N more".
COUNTRIES_NAMED = 12


@dataclass(frozen=True)
class Listed:
    """The first ``LISTED`` records of one kind and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class TrlSpread:
    """How many visible solutions sit at each TRL from 1 to 9."""

    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def lowest(self) -> int | None:
        return min((trl for trl, n in self.counts.items() if n), default=None)

    @property
    def highest(self) -> int | None:
        return max((trl for trl, n in self.counts.items() if n), default=None)


@dataclass(frozen=True)
class Tally:
    label: str
    count: int
    code: str = ""  # a plant status or a country code, for links and classes


@dataclass(frozen=True)
class Plants:
    by_status: list[Tally]
    by_country: list[Tally]
    listed: Listed

    @property
    def total(self) -> int:
        return sum(tally.count for tally in self.by_status)

    @property
    def countries_not_named(self) -> int:
        return max(0, len(self.by_country) - COUNTRIES_NAMED)

    @property
    def countries_named(self) -> list[Tally]:
        return self.by_country[:COUNTRIES_NAMED]


@dataclass(frozen=True)
class TechnologyPage:
    technology: Technology
    trl: TrlSpread
    solutions: Listed
    plants: Plants
    roadmaps: list[RoadmapCall]
    needs: Listed
    projects: Listed
    guidelines: Listed
    programmes: Listed

    @property
    def counts(self) -> dict[str, int]:
        return {
            "solutions": self.trl.total,
            "plants": self.plants.total,
            "roadmaps": len(self.roadmaps),
            "needs": self.needs.total,
            "projects": self.projects.total,
            "guidelines": self.guidelines.total,
            "programmes": self.programmes.total,
        }


def _listed(queryset: QuerySet, limit: int = LISTED) -> Listed:
    """The first ``limit`` rows and the total, in one query (the total rides on each row)."""
    rows = list(queryset.annotate(listed_total=Window(Count("pk")))[:limit])
    return Listed(rows=rows, total=rows[0].listed_total if rows else 0)


def _trl_spread(solutions: QuerySet) -> TrlSpread:
    counts = dict.fromkeys(range(TRL_MIN, TRL_MAX + 1), 0)
    for trl, n in solutions.order_by().values_list("trl").annotate(n=Count("pk")):
        counts[trl] = n
    return TrlSpread(counts)


def _plants(technology: Technology) -> Plants:
    plants = IndustrialProject.objects.filter(technologies=technology)
    by_status = dict(plants.order_by().values_list("status").annotate(n=Count("pk")))
    statuses = [
        Tally(label, by_status[value], value)
        for value, label in IndustrialProject.Status.choices
        if by_status.get(value)
    ]
    countries = [
        Tally(country_name(code), n, code)
        for code, n in plants.order_by().values_list("country").annotate(n=Count("pk"))
    ]
    countries.sort(key=lambda tally: (-tally.count, tally.label))
    return Plants(
        by_status=statuses,
        by_country=countries,
        listed=_listed(plants.only("name", "slug", "country", "status", "start_year")),
    )


def _programmes(technology: Technology) -> Listed:
    today = timezone.localdate()
    open_call = Q(calls__deadline__gte=today) & (
        Q(calls__opens_on__isnull=True) | Q(calls__opens_on__lte=today)
    )
    return _listed(
        InnovationProgramme.objects.filter(technologies=technology).annotate(
            next_deadline=Min("calls__deadline", filter=open_call)
        )
    )


def technology_page(*, slug: str, user) -> TechnologyPage | None:
    """Everything the page shows for the technology ``slug`` as ``user`` may see it; None
    for a slug no technology has."""
    technology = Technology.objects.filter(slug=slug).first()
    if technology is None:
        return None
    solutions = TechnologySolution.objects.visible_to(user).filter(technology=technology)
    needs = open_needs_for(technology, user=user)
    projects = CoDevelopmentProject.objects.visible_to(user).filter(technology=technology)
    guidelines = TechnicalGuideline.objects.visible_to(user).filter(technologies=technology)
    return TechnologyPage(
        technology=technology,
        trl=_trl_spread(solutions),
        solutions=_listed(
            solutions.select_related("member", "institution").order_by("-trl", "name", "pk")
        ),
        plants=_plants(technology),
        roadmaps=roadmap_calls(technology),
        needs=_listed(needs.select_related("partnership")),
        projects=_listed(projects.select_related("lead_member")),
        guidelines=_listed(guidelines.select_related("member")),
        programmes=_programmes(technology),
    )
