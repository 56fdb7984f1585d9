"""Reads for the roadmap pages: the filtered list /tracker/ with its facet counts, its
downloads /tracker/export.<fmt>, and one roadmap /tracker/roadmaps/<slug>/.

Every read here runs a constant number of queries whatever the number of roadmaps,
targets, levers or sources (``tests/tracker/test_roadmap_list.py`` and
``test_roadmap_detail.py`` assert it).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import QueryDict

from leadit.countries import country_name
from leadit.facets import Facet, FacetOption, choice_facet

from ..filters import RoadmapFilter
from ..groups import derived_groups
from ..models import (
    STATUS_RANK,
    CountryGroup,
    CountryGroupMembership,
    Roadmap,
    RoadmapLever,
    Sector,
    Source,
    Target,
)

# --- The list: /tracker/ and its downloads -----------------------------------------------


@dataclass(frozen=True)
class RoadmapCatalogue:
    filterset: RoadmapFilter
    roadmaps: QuerySet[Roadmap]  # filtered and sorted, with what a row shows
    facets: list[Facet]


def _first_target_year(**filters) -> Subquery:
    targets = Target.objects.filter(roadmap=OuterRef("pk"), **filters).order_by("target_year")
    return Subquery(targets.values("target_year")[:1])


def roadmap_catalogue(*, data: QueryDict, with_facets: bool = True) -> RoadmapCatalogue:
    """Roadmaps filtered and sorted by ``data`` (the query string), each with ``region``,
    its ``sectors`` and ``net_zero_year`` (the earliest net-zero target year, or None).

    With ``with_facets``, each facet counts, for each of its options, the roadmaps that
    would be listed with that option chosen and every *other* filter kept.
    """
    filterset = RoadmapFilter(data, queryset=Roadmap.objects.all())
    roadmaps = (
        filterset.qs.select_related("region")
        .prefetch_related("sectors")
        .annotate(net_zero_year=_first_target_year(kind=Target.Kind.NET_ZERO))
    )
    facets = _facets(filterset) if with_facets else []
    return RoadmapCatalogue(filterset=filterset, roadmaps=roadmaps, facets=facets)


def roadmap_export_queryset(*, roadmaps: QuerySet[Roadmap]) -> QuerySet[Roadmap]:
    """``roadmaps`` (from ``roadmap_catalogue``) with what a download row needs as well:
    instruments and the earliest target year of any kind."""
    return roadmaps.prefetch_related("instruments").annotate(
        earliest_target_year=_first_target_year()
    )


def _choice_facet(filterset: RoadmapFilter, name: str, choices: list[tuple[str, str]]) -> Facet:
    counts = dict(
        filterset.queryset_without(name)
        .order_by()
        .values_list(name)
        .annotate(n=Count("pk"))
        .values_list(name, "n")
    )
    return choice_facet(filterset, name, choices, counts)


def _places(queryset: QuerySet[Roadmap]) -> list[tuple[str, int | None, int]]:
    """``(country, region id, number of roadmaps)``: as many rows as there are places,
    whatever the number of roadmaps."""
    return list(queryset.order_by().values_list("country", "region_id").annotate(n=Count("pk")))


def _sector_facet(filterset: RoadmapFilter) -> Facet:
    without_sector = filterset.queryset_without("sector")
    sectors = Sector.objects.annotate(
        n=Count("roadmaps", filter=Q(roadmaps__in=without_sector.values("pk")))
    )
    selected = filterset.selected("sector")
    return Facet(
        "sector",
        "Sector",
        [FacetOption(s.slug, s.name, s.n, s.slug == selected) for s in sectors],
    )


@dataclass(frozen=True)
class _Groups:
    """The country groups and regions, (pk, slug, name, kind) by name, and their countries."""

    rows: list[tuple[int, str, str, str]]
    members: dict[int, set[str]]


def _groups() -> _Groups:
    rows = list(CountryGroup.objects.order_by("name").values_list("pk", "slug", "name", "kind"))
    members: dict[int, set[str]] = defaultdict(set)
    for group_id, country in CountryGroupMembership.objects.values_list("group_id", "country"):
        members[group_id].add(country)
    return _Groups(rows, members)


def _count_in_group(places, group_id: int | None, codes: set[str]) -> int:
    """Roadmaps in a group: its region is the group or its country one of the group's."""
    return sum(
        n
        for country, region_id, n in places
        if (group_id is not None and region_id == group_id) or country in codes
    )


def _region_facet(filterset: RoadmapFilter, groups: _Groups) -> Facet:
    places = _places(filterset.queryset_without("region"))
    selected = filterset.selected("region")
    return Facet(
        "region",
        "Region",
        [
            FacetOption(
                slug, name, _count_in_group(places, pk, groups.members[pk]), slug == selected
            )
            for pk, slug, name, kind in groups.rows
            if kind == CountryGroup.Kind.REGION
        ],
    )


def _group_facet(filterset: RoadmapFilter, groups: _Groups) -> Facet:
    places = _places(filterset.queryset_without("group"))
    selected = filterset.selected("group")
    options = [
        FacetOption(slug, name, _count_in_group(places, pk, groups.members[pk]), slug == selected)
        for pk, slug, name, kind in groups.rows
        if kind == CountryGroup.Kind.GROUP
    ]
    for group in derived_groups():
        n = _count_in_group(places, None, filterset.derived_countries(group.slug))
        options.append(FacetOption(group.slug, group.name, n, group.slug == selected))
    return Facet("group", "Country group", options)


def _country_facet(filterset: RoadmapFilter) -> Facet:
    """Countries: those that have roadmaps, by name."""
    without_country = filterset.queryset_without("country")
    country_counts = (
        Roadmap.objects.exclude(country="")
        .order_by()
        .values_list("country")
        .annotate(n=Count("pk", filter=Q(pk__in=without_country.values("pk"))))
    )
    selected = filterset.selected("country")
    options = (
        FacetOption(code, country_name(code), n, code == selected) for code, n in country_counts
    )
    return Facet("country", "Country", sorted(options, key=lambda option: option.label))


def _facets(filterset: RoadmapFilter) -> list[Facet]:
    # Regions and groups are counted in Python over places (country, region), of which
    # there are a few hundred at most.
    groups = _groups()
    return [
        _sector_facet(filterset),
        _choice_facet(filterset, "scope", Roadmap.Scope.choices),
        _choice_facet(filterset, "status", Roadmap.Status.choices),
        _region_facet(filterset, groups),
        _group_facet(filterset, groups),
        _country_facet(filterset),
    ]


def roadmaps_last_updated() -> datetime.datetime | None:
    """When roadmap data last changed (a roadmap or a target added, edited or deleted)."""
    latest = [
        model.history.model.objects.aggregate(latest=Max("history_date"))["latest"]
        for model in (Roadmap, Target)
    ]
    latest += [Roadmap.objects.aggregate(latest=Max("updated_at"))["latest"]]
    return max((when for when in latest if when), default=None)


# --- One roadmap: /tracker/roadmaps/<slug>/ -----------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    target: Target
    depth: int  # 0 for an end target, 1 for its interim targets, …
    rank: int  # 1 (proposed) to 5 (achieved) on the status ladder
    end_target: Target | None

    @property
    def value(self) -> str:
        """The target's figure without trailing zeros (63, 12.5), or ""."""
        if self.target.value is None:
            return ""
        return format(self.target.value.normalize(), "f")


@dataclass(frozen=True)
class RoadmapPage:
    roadmap: Roadmap
    sectors: list[Sector]
    instruments: list
    levers: list[RoadmapLever]
    targets: list[TargetRow]  # end targets, each followed by its interim targets
    sources: list[Source]
    supersedes: list[Roadmap]
    last_updated: datetime.datetime | None
    reviewed_by: str  # the reviewer's name, or ""


def _latest_history(model, **filters) -> Subquery:
    history = model.history.model.objects.filter(**filters).order_by("-history_date")
    return Subquery(history.values("history_date")[:1])


LEVER_ORDER = {value: index for index, value in enumerate(RoadmapLever.Lever.values)}


def roadmap_page(*, slug: str) -> RoadmapPage | None:
    """Everything /tracker/roadmaps/<slug>/ shows, or None for an unknown slug.

    ``last_updated`` is the latest change (from the history) to the roadmap, its targets,
    levers or sources, deletions included.
    """
    roadmap = (
        Roadmap.objects.filter(slug=slug)
        .select_related("region", "superseded_by", "last_reviewed_by")
        .prefetch_related(
            "sectors",
            "instruments",
            "levers",
            "sources",
            Prefetch("supersedes", queryset=Roadmap.objects.order_by("-published_on", "title")),
            Prefetch("targets", queryset=Target.objects.select_related("sector")),
        )
        .annotate(
            history_roadmap=_latest_history(Roadmap, id=OuterRef("pk")),
            history_targets=_latest_history(Target, roadmap_id=OuterRef("pk")),
            history_levers=_latest_history(RoadmapLever, roadmap_id=OuterRef("pk")),
            history_sources=_latest_history(Source, roadmap_id=OuterRef("pk")),
        )
        .first()
    )
    if roadmap is None:
        return None
    changes = [
        roadmap.history_roadmap,
        roadmap.history_targets,
        roadmap.history_levers,
        roadmap.history_sources,
        roadmap.updated_at,
    ]
    reviewer = roadmap.last_reviewed_by
    return RoadmapPage(
        roadmap=roadmap,
        sectors=list(roadmap.sectors.all()),
        instruments=list(roadmap.instruments.all()),
        levers=sorted(
            roadmap.levers.all(),
            key=lambda lever: (
                LEVER_ORDER.get(lever.lever, 99),
                lever.milestone_year or 9999,
                lever.pk,
            ),
        ),
        targets=_target_rows(list(roadmap.targets.all())),
        sources=list(roadmap.sources.all()),
        supersedes=list(roadmap.supersedes.all()),
        last_updated=max((when for when in changes if when), default=None),
        reviewed_by=(reviewer.get_full_name().strip() if reviewer else ""),
    )


def _target_rows(targets: list[Target]) -> list[TargetRow]:
    """End targets (economy-wide first, then by sector, then by year), each followed by its
    interim targets (by year), nested as deep as they go."""
    by_id = {target.pk: target for target in targets}
    interim: dict[int, list[Target]] = defaultdict(list)
    ends = []
    for target in targets:
        if target.end_target_id in by_id and target.end_target_id != target.pk:
            interim[target.end_target_id].append(target)
        else:
            ends.append(target)

    def key(target: Target):
        sector = target.sector
        return (
            sector is not None,
            sector.order if sector else 0,
            sector.name if sector else "",
            target.target_year,
            target.pk,
        )

    rows: list[TargetRow] = []
    seen: set[int] = set()

    def add(target: Target, depth: int, end: Target | None) -> None:
        if target.pk in seen:  # a loop in bad data is shown once, not forever
            return
        seen.add(target.pk)
        rows.append(TargetRow(target, depth, STATUS_RANK.get(target.status, 0) + 1, end))
        for child in sorted(interim[target.pk], key=lambda t: (t.target_year, t.pk)):
            add(child, depth + 1, target)

    for target in sorted(ends, key=key):
        add(target, 0, None)
    # Targets caught in a loop of interim links (bad data) still appear.
    for target in targets:
        add(target, 0, None)
    return rows
