"""The coverage matrix (/tracker/coverage/, CSV with ?format=csv) and "The Tracker in
charts" (/tracker/charts/): server-rendered SVG figures (leadit.charts, leadit.maps), each
with a data table as its text alternative, a source and a "last updated" line."""

from collections import Counter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django_countries import countries

from leadit import charts as svg
from leadit.cache import cache_public_page
from leadit.maps import MapCategory, MapPoint, world_map
from leadit.spreadsheets import csv_download, escape_formula

from ..models import IndustrialProject
from ..presentation import GEM_ATTRIBUTION, GEM_LICENCE_URL, TARGET_STATUSES, label_of
from ..selectors.coverage import (
    NOTHING,
    ROADMAP,
    TARGET,
    CoverageMatrix,
    TrackerCharts,
    coverage_matrix,
    tracker_charts,
)
from ..wording import NOT_RECORDED, or_not_recorded

COVERAGE_CATEGORIES = [
    MapCategory(ROADMAP, "Roadmap for at least one sector", "#0072B2", "diagonal"),
    MapCategory(TARGET, "Target only (sector or economy-wide net zero)", "#E69F00", "dots"),
    MapCategory(NOTHING, "Neither recorded in the Tracker", "#ffffff", "horizontal"),
]
NOT_IN_MATRIX = "Not in the G20 or LeadIT"

# Project points: the shape carries the status group as well as the colour.
PROJECT_GROUPS = {
    IndustrialProject.Status.ANNOUNCED: "planned",
    IndustrialProject.Status.CONSTRUCTION: "planned",
    IndustrialProject.Status.OPERATING: "operating",
    IndustrialProject.Status.OPERATING_PRE_RETIREMENT: "operating",
}
PROJECT_CATEGORIES = [
    MapCategory("planned", "Project announced or under construction", "#D55E00", shape="triangle"),
    MapCategory("operating", "Plant operating", "#009E73", shape="circle"),
    MapCategory("ended", "Mothballed, retired or cancelled", "#000000", shape="square"),
]
# Status (its index in IndustrialProject.Status) → palette-and-pattern index in the capacity
# charts: planned ones orange and vermillion, operating green, the rest dark or pale.
STATUS_STYLES = {0: 1, 1: 5, 2: 2, 3: 4, 4: 3, 5: 7, 6: 6}
ROADMAP_COUNTRIES = [MapCategory("roadmap", "Country with a roadmap", "#56B4E9", "diagonal")]


@cache_public_page("tracker")
def coverage(request: HttpRequest) -> HttpResponse:
    matrix = coverage_matrix()
    requested = request.GET.get("format", "")
    if requested == "csv":
        return _coverage_csv(request, matrix)
    coverage_map = world_map(
        title="Coverage of G20 and LeadIT member countries",
        countries={row.code: row.category for row in matrix.rows},
        categories=COVERAGE_CATEGORIES,
        other_label=NOT_IN_MATRIX,
        legend="html",
    )
    context = {
        "matrix": matrix,
        # Each row with its economy-wide net-zero target's status as the table shows it.
        "rows": [
            (row, label_of(TARGET_STATUSES, row.economy_wide.status) if row.economy_wide else "")
            for row in matrix.rows
        ],
        "coverage_map": coverage_map,
        "ignored_format": requested,
    }
    return render(request, "tracker/coverage.html", context)


def _coverage_csv(request: HttpRequest, matrix: CoverageMatrix) -> HttpResponse:
    response, writer = csv_download("leadit-tracker-coverage")
    header = [
        "iso2",
        "country",
        "g20",
        "leadit_member",
        "economy_wide_net_zero_year",
        "economy_wide_net_zero_status",
        "economy_wide_net_zero_source",
        "economy_wide_net_zero_source_url",
        *(sector.name for sector in matrix.sectors),
        "sectors_with_roadmap",
        "sectors_with_target_only",
        "profile_url",
    ]
    writer.writerow([escape_formula(cell) for cell in header])
    for row in matrix.rows:
        cells = [
            row.code,
            row.name,
            "yes" if row.g20 else "no",
            "yes" if row.leadit_member else "no",
            row.economy_wide.year if row.economy_wide else NOT_RECORDED,
            label_of(TARGET_STATUSES, row.economy_wide.status)
            if row.economy_wide
            else NOT_RECORDED,
            or_not_recorded(row.economy_wide.source if row.economy_wide else ""),
            or_not_recorded(row.economy_wide.source_url if row.economy_wide else ""),
            *(cell.state if cell.state != NOTHING else NOT_RECORDED for cell in row.cells),
            row.roadmap_count,
            row.target_count,
            request.build_absolute_uri(reverse("tracker:country", kwargs={"iso2": row.code})),
        ]
        writer.writerow([escape_formula(or_not_recorded(cell)) for cell in cells])
    return response


@cache_public_page("tracker")
def charts(request: HttpRequest) -> HttpResponse:
    data = tracker_charts()
    figures = [
        _roadmaps_by_sector(data),
        _net_zero_years(data),
        _roadmaps_over_time(data),
    ]
    capacity_figures = [_capacity_figure(chart) for chart in data.capacity_charts]
    context = {
        "data": data,
        "figures": figures,
        "capacity_figures": capacity_figures,
        "projects_map": _projects_map(data),
        "roadmap_countries": _roadmap_countries(data),
        "gem_attribution": GEM_ATTRIBUTION,
        "gem_licence_url": GEM_LICENCE_URL,
    }
    return render(request, "tracker/charts.html", context)


def _figure(slug: str, title: str, svg_markup, table, notes: list[str]) -> dict:
    return {
        "slug": slug,
        "title": title,
        "svg": svg_markup,
        "table": svg.data_table(table),
        "notes": [note for note in notes if note],
    }


def _demo_note(data: TrackerCharts) -> str:
    n = data.demo_roadmaps
    if not n:
        return ""
    return (
        f"{n} demo record{'s' if n != 1 else ''} (invented roadmap{'s' if n != 1 else ''}, "
        "shown on the roadmap list as “Demo record (invented)”) left out."
    )


def _roadmaps_by_sector(data: TrackerCharts) -> dict:
    title = "Roadmaps by sector"
    items = data.roadmaps_by_sector
    return _figure(
        "roadmaps-by-sector",
        title,
        svg.bar_chart(items, title=title),
        svg.bar_chart_table(items, title=title, label="Sector", value_label="Roadmaps"),
        [
            "Current roadmaps (not superseded) of every scope; a roadmap covering several "
            "sectors counts once in each.",
            _demo_note(data),
            f"{data.roadmaps_without_sector} roadmap"
            f"{'s' if data.roadmaps_without_sector != 1 else ''} without a sector not shown."
            if data.roadmaps_without_sector
            else "",
        ],
    )


def _net_zero_years(data: TrackerCharts) -> dict:
    title = "Net-zero target years"
    return _figure(
        "net-zero-years",
        title,
        svg.histogram_by_year(data.net_zero_years, title=title, noun="target"),
        svg.histogram_table(data.net_zero_years, title=title, count_label="Net-zero targets"),
        [
            "Net-zero targets of countries and roadmaps, economy-wide and sectoral, by the "
            "year they aim for; targets of superseded roadmaps, of companies and of demo "
            "records (invented) are left out.",
            "A country without a net-zero target in this chart is one whose target is not "
            "recorded in the Tracker: that does not mean it has none.",
        ],
    )


def _roadmaps_over_time(data: TrackerCharts) -> dict:
    title = "Roadmaps published over time (cumulative)"
    points = data.roadmaps_cumulative
    return _figure(
        "roadmaps-over-time",
        title,
        svg.line_chart(points, title=title),
        svg.line_chart_table(
            points, title=title, value_label="Roadmaps published by the end of the year"
        ),
        [
            "The number of roadmaps published up to the end of each year, superseded ones "
            "included: they were published then.",
            _demo_note(data),
            f"{data.roadmaps_undated} roadmap{'s' if data.roadmaps_undated != 1 else ''} "
            "without a publication date not counted."
            if data.roadmaps_undated
            else "",
        ],
    )


def _capacity_figure(chart) -> dict:
    unit = chart.unit
    unit_label = "thousand tonnes a year" if unit == "ttpa" else unit
    product = chart.product[:1].upper() + chart.product[1:]
    title = f"{product} capacity by technology and status ({unit_label})"
    return _figure(
        slugify(f"capacity-{chart.product}-{unit}"),
        title,
        svg.stacked_bar_chart(
            chart.technologies,
            chart.statuses,
            title=title,
            unit=unit,
            styles=[STATUS_STYLES.get(i, i) for i in chart.status_indexes],
        ),
        svg.stacked_bar_chart_table(
            chart.technologies, chart.statuses, title=title, unit=unit, label="Technology"
        ),
        [
            f"Total: {svg.format_number(chart.total)} {unit}. A project using several "
            "technologies counts under each of them, so the bars can add up to more than "
            "the total."
        ],
    )


def _projects_map(data: TrackerCharts):
    points = [
        MapPoint(
            latitude=location.latitude,
            longitude=location.longitude,
            label=f"{location.name} ({location.status_label})",
            category=PROJECT_GROUPS.get(location.status, "ended"),
        )
        for location in data.project_locations
    ]
    title = "Countries with roadmaps and industrial projects"
    map_svg = world_map(
        title=title,
        countries=dict.fromkeys(data.countries_with_roadmap, "roadmap"),
        categories=ROADMAP_COUNTRIES,
        points=points,
        point_categories=PROJECT_CATEGORIES,
        other_label="No national roadmap recorded in the Tracker",
        legend="html",
    )
    status_counts = Counter(location.status for location in data.project_locations)
    rows = [
        [str(label), str(status_counts[value])]
        for value, label in IndustrialProject.Status.choices
        if status_counts[value]
    ]
    if rows:
        rows.append(["Total", str(len(data.project_locations))])
    table = svg.ChartTable(
        "Industrial projects on the map, by status", ["Status", "Projects"], rows
    )
    return _figure(
        "projects-map",
        title,
        map_svg,
        table,
        [
            f"{data.projects_without_location} project"
            f"{'s' if data.projects_without_location != 1 else ''} without coordinates not shown."
            if data.projects_without_location
            else ""
        ],
    )


def _roadmap_countries(data: TrackerCharts) -> list[tuple[str, str]]:
    """(name, profile URL) of the countries with a roadmap, by name."""
    return sorted(
        (str(countries.name(code)) or code, reverse("tracker:country", kwargs={"iso2": code}))
        for code in data.countries_with_roadmap
    )
