"""What the country, coverage and comparison reads share about targets: whose country a
target speaks for, which targets count, and a country's (or roadmap's) net-zero year."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Coalesce, NullIf

from ..models import STATUS_RANK, Roadmap, Target

# What a target states (for ``only()``, the admin's inline and the import columns).
TARGET_STATEMENT_FIELDS = (
    "description",
    "base_year",
    "target_year",
    "value",
    "unit",
    "status",
    "end_target",
)

# What a row of a country's targets reads of each target (for ``only()``).
TARGET_ROW_FIELDS = (
    "country",
    "sector",
    "sector__name",
    "sector__order",
    "kind",
    *TARGET_STATEMENT_FIELDS,
)

# What a target row needs to say where the target comes from (for ``only()``).
TARGET_SOURCE_FIELDS = (
    "source_publisher",
    "source_title",
    "source_year",
    "source_url",
    "last_reviewed_on",
    "roadmap__is_demo",
    "roadmap__title",
    "roadmap__document_url",
    "roadmap__last_reviewed_on",
)

NET_ZERO_CURRENT = Q(kind=Target.Kind.NET_ZERO) & (
    Q(roadmap__isnull=True) | ~Q(roadmap__status=Roadmap.Status.SUPERSEDED)
)

# Targets that speak for a country: not of a superseded roadmap, not of a company, not of
# an invented demo roadmap.
COUNTRY_TARGETS = (Q(roadmap__isnull=True)) | (
    ~Q(roadmap__status=Roadmap.Status.SUPERSEDED)
    & ~Q(roadmap__scope=Roadmap.Scope.COMPANY)
    & Q(roadmap__is_demo=False)
)


def target_country_expression() -> Coalesce:
    """A target belongs to its own country, or, if it has none, to its roadmap's."""
    return Coalesce(
        NullIf(F("country"), Value("")), F("roadmap__country"), output_field=CharField()
    )


def targets_of_countries_q(codes: Collection[str]) -> Q:
    return Q(country__in=codes) | Q(country="", roadmap__country__in=codes)


@dataclass(frozen=True)
class NetZero:
    """A country's (or roadmap's) net-zero year: its earliest net-zero target, an
    economy-wide one preferred; targets of superseded roadmaps do not count."""

    year: int
    economy_wide: bool
    sector: str = ""  # the sector's name, for a sectoral target
    status: str = ""  # a Target.Status value, or "" when only the year was read
    source: str = ""  # "Publisher, Document (2021)", or the roadmap's title
    source_url: str = ""
    reviewed_on: str = ""  # ISO date the record was last reviewed, or ""
    cited: bool = False  # the target names its own source (not only its roadmap)


def _counts_for_net_zero(target: Target, *, include_demo: bool) -> bool:
    if target.kind != Target.Kind.NET_ZERO:
        return False
    if target.roadmap_id is None:
        return True
    roadmap = target.roadmap
    return roadmap.status != Roadmap.Status.SUPERSEDED and (include_demo or not roadmap.is_demo)


def net_zero_of(targets: Iterable[Target], *, include_demo: bool = False) -> NetZero | None:
    """The net-zero year among ``targets`` (loaded with their sector and roadmap): targets
    of superseded roadmaps do not count, nor (unless ``include_demo``: the targets of one
    demo roadmap, shown as its own) those of invented demo roadmaps."""
    candidates = [t for t in targets if _counts_for_net_zero(t, include_demo=include_demo)]
    economy_wide = [t for t in candidates if t.sector_id is None]
    pool = economy_wide or candidates
    if not pool:
        return None
    best = min(pool, key=lambda t: (t.target_year, -STATUS_RANK.get(t.status, 0), t.pk))
    reviewed = best.last_reviewed_on or (best.roadmap.last_reviewed_on if best.roadmap_id else None)
    return NetZero(
        year=best.target_year,
        economy_wide=best.sector_id is None,
        sector=best.sector.name if best.sector_id else "",
        status=best.status,
        source=best.source_citation or (best.roadmap.title if best.roadmap_id else ""),
        source_url=best.source_url or (best.roadmap.document_url if best.roadmap_id else ""),
        reviewed_on=reviewed.isoformat() if reviewed else "",
        cited=bool(best.source_citation),
    )
