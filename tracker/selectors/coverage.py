"""Reads for the coverage matrix (``/tracker/coverage/``) and "The Tracker in charts"
(``/tracker/charts/``).

Both read in a fixed number of queries whatever the number of roadmaps, targets or projects
(``tests/tracker/test_coverage.py`` asserts it): everything is grouped and counted in the
database and put together here.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from leadit.countries import country_name

from ..groups import group_countries
from ..models import (
    STATUS_RANK,
    IndustrialProject,
    ProjectCapacity,
    Roadmap,
    Sector,
    Target,
    source_citation,
)
from .countries import G20_SLUG, LEADIT_MEMBERS_SLUG
from .targets import COUNTRY_TARGETS, target_country_expression

# A country's own roadmaps: national ones, and sectoral ones made for one country. Company
# roadmaps are a company's, regional and global ones nobody's in particular.
COUNTRY_SCOPES = (Roadmap.Scope.NATIONAL, Roadmap.Scope.SECTORAL)

ROADMAP = "roadmap"
TARGET = "target"
NOTHING = "none"


def _last_change(*models) -> datetime.datetime | None:
    """The latest change to any of ``models``, from their history (which also knows of
    deletions): one query per model."""
    dates = [
        model.history.model.objects.aggregate(latest=Max("history_date"))["latest"]
        for model in models
    ]
    return max((d for d in dates if d is not None), default=None)


# --- The coverage matrix ----------------------------------------------------------------


@dataclass(frozen=True)
class CoverageCell:
    sector: Sector
    state: str  # ROADMAP, TARGET or NOTHING


@dataclass(frozen=True)
class EconomyWide:
    """A country's economy-wide net-zero target: the earliest, the strongest status first."""

    year: int
    status: str  # a Target.Status value
    source: str = ""  # "Publisher, Document (2021)", or the roadmap's title
    source_url: str = ""


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    g20: bool
    leadit_member: bool
    economy_wide: EconomyWide | None
    cells: list[CoverageCell]

    @property
    def roadmap_count(self) -> int:
        return sum(cell.state == ROADMAP for cell in self.cells)

    @property
    def target_count(self) -> int:
        return sum(cell.state == TARGET for cell in self.cells)

    @property
    def category(self) -> str:
        """For the map: a roadmap for any sector, else a target (of a sector or economy-wide
        net zero), else nothing."""
        if self.roadmap_count:
            return ROADMAP
        if self.target_count or self.economy_wide:
            return TARGET
        return NOTHING


@dataclass(frozen=True)
class ColumnTotal:
    sector: Sector
    roadmaps: int
    targets: int


@dataclass
class CoverageMatrix:
    sectors: list[Sector]
    rows: list[CoverageRow]
    column_totals: list[ColumnTotal] = field(default_factory=list)
    economy_wide_total: int = 0
    g20_defined: bool = True
    last_updated: datetime.datetime | None = None

    @property
    def roadmap_cells(self) -> int:
        return sum(row.roadmap_count for row in self.rows)

    @property
    def target_cells(self) -> int:
        return sum(row.target_count for row in self.rows)

    @property
    def countries_with_roadmap(self) -> int:
        return sum(row.roadmap_count > 0 for row in self.rows)

    @property
    def countries_with_target_only(self) -> int:
        return sum(row.category == TARGET for row in self.rows)

    @property
    def countries_with_nothing(self) -> int:
        return sum(row.category == NOTHING for row in self.rows)

    @property
    def economy_wide_not_recorded(self) -> int:
        return sum(row.economy_wide is None for row in self.rows)


def _with_roadmap(codes: list[str]) -> set[tuple[str, int]]:
    """(country, sector id) of each sector a current national or sectoral roadmap of the
    country covers."""
    return set(
        Roadmap.sectors.through.objects.filter(
            roadmap__country__in=codes,
            roadmap__scope__in=COUNTRY_SCOPES,
            roadmap__is_demo=False,
        )
        .exclude(roadmap__status=Roadmap.Status.SUPERSEDED)
        .values_list("roadmap__country", "sector_id")
        .distinct()
    )


def _economy_wide(country_targets: QuerySet[Target]) -> dict[str, EconomyWide]:
    """Each country's economy-wide net-zero target: the earliest, the strongest status
    first, with its source (its own, else its roadmap's)."""
    economy_wide: dict[str, EconomyWide] = {}
    for code, year, status, publisher, title, source_year, url, roadmap_title, roadmap_url in (
        country_targets.filter(sector__isnull=True, kind=Target.Kind.NET_ZERO)
        .values_list(
            "owner",
            "target_year",
            "status",
            "source_publisher",
            "source_title",
            "source_year",
            "source_url",
            "roadmap__title",
            "roadmap__document_url",
        )
        .distinct()
    ):
        current = economy_wide.get(code)
        key = (year, -STATUS_RANK.get(status, 0))
        if current is None or key < (current.year, -STATUS_RANK.get(current.status, 0)):
            economy_wide[code] = EconomyWide(
                year,
                status,
                source=source_citation(publisher, title, source_year) or roadmap_title or "",
                source_url=url or roadmap_url or "",
            )
    return economy_wide


def _cells(
    code: str,
    sectors: list[Sector],
    with_roadmap: set[tuple[str, int]],
    with_target: set[tuple[str, int]],
) -> list[CoverageCell]:
    def state(sector: Sector) -> str:
        if (code, sector.pk) in with_roadmap:
            return ROADMAP
        if (code, sector.pk) in with_target:
            return TARGET
        return NOTHING

    return [CoverageCell(sector, state(sector)) for sector in sectors]


def _column_totals(sectors: list[Sector], rows: Iterable[CoverageRow]) -> list[ColumnTotal]:
    rows = list(rows)
    return [
        ColumnTotal(
            sector=sector,
            roadmaps=sum(row.cells[i].state == ROADMAP for row in rows),
            targets=sum(row.cells[i].state == TARGET for row in rows),
        )
        for i, sector in enumerate(sectors)
    ]


def coverage_matrix() -> CoverageMatrix:
    """G20 and LeadIT member countries × sectors: for each pair a roadmap (a current
    national or sectoral roadmap of the country covering the sector), a target (a target of
    the country for that sector, without such a roadmap) or nothing; and each country's
    economy-wide net-zero target, shown apart. Seven queries, whatever the data size."""
    g20 = group_countries(G20_SLUG)
    members = group_countries(LEADIT_MEMBERS_SLUG) or set()
    codes = sorted((g20 or set()) | members)
    sectors = list(Sector.objects.all())
    with_roadmap = _with_roadmap(codes)
    country_targets = (
        Target.objects.filter(COUNTRY_TARGETS)
        .annotate(owner=target_country_expression())
        .filter(owner__in=codes)
    )
    with_target = set(
        country_targets.filter(sector__isnull=False).values_list("owner", "sector_id").distinct()
    )
    economy_wide = _economy_wide(country_targets)
    rows = [
        CoverageRow(
            code=code,
            name=country_name(code),
            g20=code in (g20 or ()),
            leadit_member=code in members,
            economy_wide=economy_wide.get(code),
            cells=_cells(code, sectors, with_roadmap, with_target),
        )
        for code in codes
    ]
    rows.sort(key=lambda row: row.name)
    return CoverageMatrix(
        sectors=sectors,
        rows=rows,
        column_totals=_column_totals(sectors, rows),
        economy_wide_total=sum(row.economy_wide is not None for row in rows),
        g20_defined=g20 is not None,
        last_updated=_last_change(Roadmap, Target),
    )


# --- The Tracker in charts --------------------------------------------------------------


@dataclass(frozen=True)
class CapacityChart:
    """Capacity of one product (in one unit) by technology (bars) and status (segments)."""

    product: str
    unit: str
    technologies: list[str]
    statuses: list[tuple[str, list[Decimal]]]  # (status label, value per technology)
    total: Decimal
    status_indexes: list[int] = field(default_factory=list)  # each status's place in the choices


@dataclass(frozen=True)
class ProjectLocation:
    name: str
    latitude: float
    longitude: float
    status: str
    status_label: str
    country: str


@dataclass
class TrackerCharts:
    roadmaps_by_sector: list[tuple[str, int]]
    roadmaps_without_sector: int
    net_zero_years: dict[int, int]  # year → number of net-zero targets
    roadmaps_by_year: list[tuple[int, int]]  # (year, roadmaps published that year)
    roadmaps_undated: int
    capacity_charts: list[CapacityChart]
    project_locations: list[ProjectLocation]
    projects_without_location: int
    countries_with_roadmap: set[str]
    roadmaps_updated: datetime.datetime | None
    projects_updated: datetime.datetime | None
    demo_roadmaps: int = 0  # invented demo roadmaps, left out of every figure

    @property
    def roadmaps_cumulative(self) -> list[tuple[int, int]]:
        """(year, roadmaps published up to its end) for every year from the first to the
        last, years without a new roadmap included."""
        if not self.roadmaps_by_year:
            return []
        counts = dict(self.roadmaps_by_year)
        total, points = 0, []
        for year in range(min(counts), max(counts) + 1):
            total += counts.get(year, 0)
            points.append((year, total))
        return points


NO_TECHNOLOGY = "Technology not specified"
MAX_CAPACITY_CHARTS = 3
# Shown first when present: what a steel plant makes (crude steel), the iron it makes it
# from, and direct-reduced iron (the route of hydrogen-based green steel).
PREFERRED_PRODUCTS = ("crude steel", "iron", "DRI")


def tracker_charts() -> TrackerCharts:
    """The figures of "The Tracker in charts", each one grouped query. Invented demo
    roadmaps (and their targets) are left out of every figure and counted apart."""
    factual = Roadmap.objects.factual()
    current = factual.current()
    sectors = sorted(
        Sector.objects.annotate(
            n=Count(
                "roadmaps",
                filter=~Q(roadmaps__status=Roadmap.Status.SUPERSEDED) & Q(roadmaps__is_demo=False),
            )
        ).order_by("order", "name"),
        key=lambda sector: -sector.n,
    )
    without_sector = current.filter(sectors__isnull=True).count()
    net_zero_years = dict(
        Target.objects.filter(COUNTRY_TARGETS, kind=Target.Kind.NET_ZERO)
        .order_by()
        .values_list("target_year")
        .annotate(n=Count("pk"))
        .values_list("target_year", "n")
    )
    by_year = list(
        factual.filter(published_on__isnull=False)
        .annotate(year=ExtractYear("published_on"))
        .order_by("year")
        .values_list("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    countries_with_roadmap = set(
        current.filter(scope__in=COUNTRY_SCOPES)
        .exclude(country="")
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    counts = Roadmap.objects.aggregate(
        undated=Count("pk", filter=Q(published_on__isnull=True, is_demo=False)),
        demo=Count("pk", filter=Q(is_demo=True)),
    )
    locations = []
    without_location = 0
    status_labels = dict(IndustrialProject.Status.choices)
    for name, latitude, longitude, status, country in IndustrialProject.objects.order_by(
        "name", "pk"
    ).values_list("name", "latitude", "longitude", "status", "country"):
        if latitude is None or longitude is None:
            without_location += 1
            continue
        locations.append(
            ProjectLocation(
                name=name,
                latitude=float(latitude),
                longitude=float(longitude),
                status=status,
                status_label=str(status_labels.get(status, status)),
                country=country,
            )
        )
    return TrackerCharts(
        roadmaps_by_sector=[(sector.name, sector.n) for sector in sectors],
        roadmaps_without_sector=without_sector,
        net_zero_years=net_zero_years,
        roadmaps_by_year=by_year,
        roadmaps_undated=counts["undated"],
        capacity_charts=_capacity_charts(),
        project_locations=locations,
        projects_without_location=without_location,
        countries_with_roadmap=countries_with_roadmap,
        roadmaps_updated=_last_change(Roadmap, Target),
        projects_updated=_last_change(IndustrialProject, ProjectCapacity),
        demo_roadmaps=counts["demo"],
    )


def _capacity_charts() -> list[CapacityChart]:
    """Summed capacities by product and unit (one chart each, the largest first), technology
    and status. A project with several technologies counts under each of them."""
    rows = (
        ProjectCapacity.objects.order_by()
        .values_list("product", "unit", "project__technologies__name", "status")
        .annotate(total=Sum("value"))
    )
    grouped: dict[tuple[str, str], dict[str, dict[str, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    for product, unit, technology, status, total in rows:
        grouped[(product, unit)][technology or NO_TECHNOLOGY][status] += total or Decimal(0)
    # Totals without double counting across technologies: one more grouped query.
    totals = {
        (product, unit): total
        for product, unit, total in ProjectCapacity.objects.order_by()
        .values_list("product", "unit")
        .annotate(total=Sum("value"))
        .values_list("product", "unit", "total")
    }
    status_order = list(IndustrialProject.Status.choices)
    charts = []
    for (product, unit), by_technology in grouped.items():
        technologies = sorted(
            by_technology,
            key=lambda t: (t == NO_TECHNOLOGY, -sum(by_technology[t].values()), t),
        )
        present = [
            (index, value, label)
            for index, (value, label) in enumerate(status_order)
            if any(by_technology[t].get(value) for t in technologies)
        ]
        statuses = [
            (str(label), [by_technology[t].get(value, Decimal(0)) for t in technologies])
            for _, value, label in present
        ]
        charts.append(
            CapacityChart(
                product=product,
                unit=unit,
                technologies=technologies,
                statuses=statuses,
                total=totals.get((product, unit), Decimal(0)),
                status_indexes=[index for index, _, _ in present],
            )
        )

    def order(chart: CapacityChart):
        preferred = (
            PREFERRED_PRODUCTS.index(chart.product)
            if chart.product in PREFERRED_PRODUCTS
            else len(PREFERRED_PRODUCTS)
        )
        return (preferred, -chart.total, chart.product, chart.unit)

    charts.sort(key=order)
    return charts[:MAX_CAPACITY_CHARTS]
