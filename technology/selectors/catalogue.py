"""Reads for the solution catalogue ``/technology/``: the filtered list with its facet
counts, and its downloads ``/technology/export.<fmt>``.

Every read starts from ``TechnologySolution.objects.visible_to(user)``: a members' or
secretariat record never reaches a visitor who may not see it, not even as a count. Each
runs a constant number of queries whatever the number of solutions, sectors and countries
(``tests/technology/test_catalogue.py`` asserts it).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import QueryDict

from leadit.facets import Facet, FacetOption, choice_facet
from partnerships.selectors.needs import sector_facet
from tracker.models import Technology

from ..filters import SolutionFilter
from ..models import (
    OFFER_FIELDS,
    TRL_LABELS,
    TRL_MAX,
    TRL_MIN,
    OfferKind,
    PatentFamily,
    SolutionCountry,
    TechnologySolution,
)

TRL_FILTERS = ("trl_min", "trl_max")


def visible_solutions(*, user) -> QuerySet[TechnologySolution]:
    return TechnologySolution.objects.visible_to(user)


@dataclass(frozen=True)
class SolutionCatalogue:
    filterset: SolutionFilter
    solutions: QuerySet[TechnologySolution]  # filtered and sorted, with what a card shows
    facets: list[Facet]


def solution_catalogue(*, data: QueryDict, user, with_facets: bool = True) -> SolutionCatalogue:
    """The solutions ``user`` may see, filtered and sorted by ``data`` (the query string),
    each with its provider, technology and countries; with ``with_facets``, the count of
    each facet option with every *other* filter kept."""
    filterset = SolutionFilter(data, queryset=visible_solutions(user=user))
    solutions = filterset.qs.select_related("member", "institution", "technology").prefetch_related(
        Prefetch("countries", queryset=SolutionCountry.objects.only("solution_id", "country"))
    )
    facets = _facets(filterset) if with_facets else []
    return SolutionCatalogue(filterset=filterset, solutions=solutions, facets=facets)


@dataclass(frozen=True)
class DownloadDetails:
    """What a download row adds to a card, per solution id: sector names, country codes,
    patent families ``(number, office, filed_on, expires_on)`` and reference plant names."""

    sectors: dict[int, list[str]]
    countries: dict[int, list[str]]
    patents: dict[int, list[tuple]]
    plants: dict[int, list[str]]


def _grouped(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for solution_id, *values in rows:
        grouped[solution_id].append(values[0] if len(values) == 1 else tuple(values))
    return grouped


DOWNLOAD_FIELDS = (
    "name",
    "slug",
    "is_demo",
    "member__name",
    "institution__name",
    "institution__kind",
    "technology__name",
    "trl",
    "trl_assessed_year",
    "trl_assessed_by",
    *OFFER_FIELDS.values(),
    "ip_status",
    "ip_licence",
    "available_worldwide",
    "summary",
    "updated_at",
)


def for_download(solutions: QuerySet[TechnologySolution]) -> QuerySet[TechnologySolution]:
    """``solutions`` with only the columns a download reads (a provider's other fields,
    its country above all, cost more to load than the rest of a row)."""
    return solutions.prefetch_related(None).only(*DOWNLOAD_FIELDS)


def download_details(solutions: QuerySet[TechnologySolution]) -> DownloadDetails:
    """The details of every solution of ``solutions``: four queries, each selecting by a
    subquery and reading plain values (objects for thousands of rows would take seconds)."""
    ids = solutions.order_by().values("pk")
    sectors = TechnologySolution.sectors.through.objects.filter(technologysolution__in=ids)
    plants = TechnologySolution.reference_plants.through.objects.filter(technologysolution__in=ids)
    return DownloadDetails(
        sectors=_grouped(
            sectors.order_by("sector__order", "sector__name").values_list(
                "technologysolution_id", "sector__name"
            )
        ),
        countries=_grouped(
            SolutionCountry.objects.filter(solution__in=ids)
            .order_by("country")
            .values_list("solution_id", "country")
        ),
        patents=_grouped(
            PatentFamily.objects.filter(solution__in=ids)
            .order_by("expires_on", "number")
            .values_list("solution_id", "number", "office", "filed_on", "expires_on")
        ),
        plants=_grouped(
            plants.order_by("industrialproject__name").values_list(
                "technologysolution_id", "industrialproject__name"
            )
        ),
    )


def _without(filterset: SolutionFilter, *names: str) -> QuerySet[TechnologySolution]:
    """The rows matching every valid filter except ``names``."""
    filterset.errors  # noqa: B018 - validates the form, as ``qs`` does
    queryset = filterset.queryset.all()
    for other, value in filterset.form.cleaned_data.items():
        if other not in names:
            queryset = filterset.filters[other].filter(queryset, value)
    return queryset


def _technology_facet(filterset: SolutionFilter) -> Facet:
    counts = filterset.counts("technology", "technology__slug")
    technologies = Technology.objects.values_list("slug", "name")
    return choice_facet(filterset, "technology", technologies, counts)


def trl_facets(filterset: SolutionFilter) -> list[Facet]:
    """The two ends of the TRL range, each level with how many solutions it would give,
    the other end kept: one query counting solutions per level."""
    rows = _without(filterset, *TRL_FILTERS).order_by().values_list("trl").annotate(n=Count("pk"))
    per_level = dict(rows)
    low = filterset.applied_value("trl_min") or TRL_MIN
    high = filterset.applied_value("trl_max") or TRL_MAX

    def between(first: int, last: int) -> int:
        return sum(per_level.get(level, 0) for level in range(first, last + 1))

    facets = []
    for name, count in (
        ("trl_min", lambda level: between(level, high)),
        ("trl_max", lambda level: between(low, level)),
    ):
        selected = filterset.selected(name)
        options = [
            FacetOption(str(level), f"TRL {level}: {label}", count(level), str(level) == selected)
            for level, label in TRL_LABELS.items()
        ]
        facets.append(Facet(name, str(filterset.filters[name].label), options))
    return facets


def _offer_facet(filterset: SolutionFilter) -> Facet:
    """Each kind of offer with the solutions offering it: one query, one count a kind."""
    counts = filterset.queryset_without("offer").aggregate(
        **{
            kind.value: Count("pk", filter=Q(**{field: True}))
            for kind, field in OFFER_FIELDS.items()
        }
    )
    return choice_facet(filterset, "offer", OfferKind.choices, counts)


def _country_facet(filterset: SolutionFilter) -> Facet:
    """Every country a visible solution names, with the solutions available there (those
    available worldwide included), every other filter kept: two queries."""
    without = filterset.queryset_without("country")
    worldwide = without.filter(available_worldwide=True).count()
    named = without.filter(available_worldwide=False).order_by().values("pk")
    rows = (
        SolutionCountry.objects.filter(solution__in=filterset.queryset.order_by().values("pk"))
        .order_by()
        .values_list("country")
        .annotate(n=Count("solution", filter=Q(solution__in=named), distinct=True))
    )
    counts = {code: worldwide + n for code, n in rows}
    selected = filterset.selected("country")
    if selected and selected not in counts:
        counts[selected] = worldwide
    labels = dict(filterset.form.fields["country"].choices)
    options = [
        FacetOption(code, str(labels.get(code, code)), n, code == selected)
        for code, n in counts.items()
    ]
    label = str(filterset.filters["country"].label)
    return Facet("country", label, sorted(options, key=lambda option: option.label))


def _facets(filterset: SolutionFilter) -> list[Facet]:
    return [
        sector_facet(filterset),
        _technology_facet(filterset),
        *trl_facets(filterset),
        _offer_facet(filterset),
        _country_facet(filterset),
    ]


def catalogue_last_updated(*, user) -> datetime.datetime | None:
    """When a solution the visitor may see last changed."""
    return visible_solutions(user=user).aggregate(last=Max("updated_at"))["last"]
