"""Reads for one country's profile (``/tracker/countries/<iso2>/``): its roadmaps (its own
and its regions'), its targets, its net-zero year and its industrial projects, in a fixed
number of queries (eight) whatever their number (``tests/tracker/test_countries.py``).

Rows are plain data (no model instances, no per-row queries): ``tracker/presentation/``
turns them into what the page prints."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q

from leadit.countries import country_name

from ..models import CountryGroupMembership, Roadmap, Target
from .countries import Badges, badges_by_country, latest
from .project_summaries import ProjectSummary, project_summaries_by_country
from .roadmap_relations import Named, roadmap_sectors, roadmap_url_prefix
from .targets import (
    TARGET_ROW_FIELDS,
    TARGET_SOURCE_FIELDS,
    NetZero,
    net_zero_of,
    targets_of_countries_q,
)

SCOPE_ORDER = {
    Roadmap.Scope.NATIONAL: 0,
    Roadmap.Scope.SECTORAL: 1,
    Roadmap.Scope.COMPANY: 2,
    Roadmap.Scope.REGIONAL: 3,
    Roadmap.Scope.GLOBAL: 4,
}


@dataclass(frozen=True)
class ProfileRoadmap:
    title: str
    url: str
    publisher: str
    scope: str  # a Roadmap.Scope value
    region: str  # the region's name, for a regional roadmap of a group the country is in
    status: str  # a Roadmap.Status value
    successor_title: str
    successor_url: str
    sectors: list[Named]
    published_on: datetime.date | None
    is_demo: bool = False  # an invented demo record

    @property
    def regional(self) -> bool:
        return bool(self.region)

    @property
    def superseded(self) -> bool:
        return self.status == Roadmap.Status.SUPERSEDED


@dataclass(frozen=True)
class ProfileTarget:
    sector: str  # the sector's name, or "" for an economy-wide target
    kind: str  # a Target.Kind value
    description: str
    interim_of: tuple[str, int] | None  # (kind, year) of the end target of an interim one
    base_year: int | None
    target_year: int
    value: Decimal | None
    unit: str
    status: str  # a Target.Status value
    roadmap_title: str
    roadmap_url: str
    roadmap_superseded: bool
    source: str = ""  # "Publisher, Document (2021)" of a target with its own source
    source_url: str = ""
    reviewed_on: datetime.date | None = None
    is_demo: bool = False  # a target of an invented demo roadmap


@dataclass(frozen=True)
class CountryProfile:
    code: str
    name: str
    badges: Badges
    roadmaps: list[ProfileRoadmap]
    targets: list[ProfileTarget]
    net_zero: NetZero | None
    projects: ProjectSummary
    last_updated: datetime.datetime | None

    @property
    def has_data(self) -> bool:
        return bool(self.roadmaps or self.targets or self.projects.total)

    @property
    def demo_roadmap_count(self) -> int:
        return sum(1 for r in self.roadmaps if r.is_demo)

    @property
    def own_roadmap_count(self) -> int:
        return sum(1 for r in self.roadmaps if not r.regional)

    @property
    def regional_roadmap_count(self) -> int:
        return sum(1 for r in self.roadmaps if r.regional)


def _roadmaps_of(code: str) -> list[Roadmap]:
    """The country's roadmaps and the regional ones of its groups; ``code`` annotated: the
    plain ISO code (the CountryField descriptor builds an object a read)."""
    regional = CountryGroupMembership.objects.filter(country=code).values("group")
    return list(
        Roadmap.objects.filter(
            Q(country=code) | Q(scope=Roadmap.Scope.REGIONAL, region__in=regional)
        )
        .select_related("region", "superseded_by")
        .annotate(code=F("country"))
        .only(
            "title",
            "slug",
            "scope",
            "country",
            "region",
            "region__name",
            "publisher",
            "published_on",
            "status",
            "superseded_by",
            "superseded_by__title",
            "superseded_by__slug",
            "is_demo",
            "updated_at",
        )
    )


def _profile_roadmaps(code: str, roadmaps: list[Roadmap]) -> list[ProfileRoadmap]:
    """Current before superseded, own before regional, by scope, the newest first."""

    def via_region(roadmap: Roadmap) -> bool:
        return roadmap.scope == Roadmap.Scope.REGIONAL and roadmap.code != code

    roadmaps = sorted(
        roadmaps,
        key=lambda r: (
            r.status == Roadmap.Status.SUPERSEDED,
            via_region(r),
            SCOPE_ORDER.get(r.scope, 9),
            -(r.published_on.toordinal() if r.published_on else 0),
            r.title.casefold(),
        ),
    )
    sectors = roadmap_sectors([r.pk for r in roadmaps])
    prefix = roadmap_url_prefix()
    return [
        ProfileRoadmap(
            title=r.title,
            url=f"{prefix}{r.slug}/",
            publisher=r.publisher,
            scope=r.scope,
            region=r.region.name if via_region(r) else "",
            status=r.status,
            successor_title=r.superseded_by.title if r.superseded_by_id else "",
            successor_url=f"{prefix}{r.superseded_by.slug}/" if r.superseded_by_id else "",
            sectors=sectors.get(r.pk, []),
            published_on=r.published_on,
            is_demo=r.is_demo,
        )
        for r in roadmaps
    ]


def _targets_of(code: str) -> list[Target]:
    """The country's targets, by target year, economy-wide before sectors."""
    targets = list(
        Target.objects.filter(targets_of_countries_q([code]))
        .select_related("sector", "roadmap", "end_target")
        .only(
            *TARGET_ROW_FIELDS,
            "end_target__kind",
            "end_target__target_year",
            "roadmap",
            "roadmap__title",
            "roadmap__slug",
            "roadmap__status",
            "roadmap__country",
            *TARGET_SOURCE_FIELDS,
            "updated_at",
        )
    )
    targets.sort(
        key=lambda t: (
            t.target_year,
            t.sector_id is not None,
            t.sector.order if t.sector_id else 0,
            t.pk,
        )
    )
    return targets


def _profile_target(target: Target, prefix: str) -> ProfileTarget:
    roadmap = target.roadmap if target.roadmap_id else None
    end = target.end_target if target.end_target_id else None
    return ProfileTarget(
        sector=target.sector.name if target.sector_id else "",
        kind=target.kind,
        description=target.description,
        interim_of=(end.kind, end.target_year) if end else None,
        base_year=target.base_year,
        target_year=target.target_year,
        value=target.value,
        unit=target.unit,
        status=target.status,
        roadmap_title=roadmap.title if roadmap else "",
        roadmap_url=f"{prefix}{roadmap.slug}/" if roadmap else "",
        roadmap_superseded=bool(roadmap and roadmap.status == Roadmap.Status.SUPERSEDED),
        source=target.source_citation,
        source_url=target.source_url,
        reviewed_on=target.last_reviewed_on,
        is_demo=bool(roadmap and roadmap.is_demo),
    )


def country_profile_load(*, code: str) -> CountryProfile:
    """Everything the profile of the country ``code`` (a valid ISO code) shows, in eight
    queries: a country can have hundreds of roadmaps and targets."""
    roadmaps = _roadmaps_of(code)
    targets = _targets_of(code)
    prefix = roadmap_url_prefix()
    projects = project_summaries_by_country([code]).get(code, ProjectSummary())
    return CountryProfile(
        code=code,
        name=country_name(code),
        badges=badges_by_country([code])[code],
        roadmaps=_profile_roadmaps(code, roadmaps),
        targets=[_profile_target(t, prefix) for t in targets],
        net_zero=net_zero_of(targets),
        projects=projects,
        last_updated=latest(
            [
                *(r.updated_at for r in roadmaps),
                *(t.updated_at for t in targets),
                projects.last_updated,
            ]
        ),
    )
