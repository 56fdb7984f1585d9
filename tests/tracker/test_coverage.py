"""/tracker/coverage/ (the G20 and LeadIT member countries × sectors matrix, its CSV and map)
and /tracker/charts/ ("The Tracker in charts")."""

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.members import MemberFactory
from tests.factories.tracker import (
    CountryGroupFactory,
    IndustrialProjectFactory,
    ProjectCapacityFactory,
    RoadmapFactory,
    SectorFactory,
    TargetFactory,
    TechnologyFactory,
)
from tracker.models import (
    IndustrialProject,
    ProjectCapacity,
    Roadmap,
    Sector,
    Target,
)

COVERAGE_URL = "/tracker/coverage/"
CHARTS_URL = "/tracker/charts/"
GEM = "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release"

pytestmark = pytest.mark.django_db


class _Table(HTMLParser):
    """The coverage matrix's rows: [(text, class), …] per <tr>, body and foot."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self._in_table = [], None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "coverage-table" in (attrs.get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self._row = []
        elif self._in_table and tag in ("td", "th") and self._row is not None:
            self._cell = [attrs.get("class") or "", ""]

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append((" ".join(self._cell[1].split()), self._cell[0]))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += " " + data


def _matrix(html: str) -> dict[str, list[tuple[str, str]]]:
    """Rows by their first cell's text (country name or total label); header row under ""."""
    parser = _Table()
    parser.feed(html)
    rows = {}
    for index, row in enumerate(parser.rows):
        key = "" if index == 0 else re.sub(r" (G20|LeadIT member)", "", row[0][0]).strip()
        rows[key] = row
    return rows


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.fixture
def sectors():
    return [
        SectorFactory(name="Iron and steel", slug="steel", order=1),
        SectorFactory(name="Cement", slug="cement", order=2),
        SectorFactory(name="Chemicals", slug="chemicals", order=3),
    ]


@pytest.fixture
def coverage_data(sectors):
    """G20: Germany, India, United States; LeadIT members: Germany (active), Sweden;
    France only in neither group."""
    steel, cement, chemicals = sectors
    CountryGroupFactory(name="G20", slug="g20", countries=["DE", "IN", "US"])
    MemberFactory(country="DE", name="Germany", slug="germany")
    MemberFactory(country="SE", name="Sweden", slug="sweden")
    MemberFactory(country="NO", name="Norway", slug="norway", status="former")

    # Germany: a roadmap for steel and cement; a chemicals target; economy-wide net zero.
    RoadmapFactory(country="DE", sectors=[steel, cement])
    TargetFactory(roadmap=None, country="DE", sector=chemicals, kind="absolute", target_year=2030)
    TargetFactory(roadmap=None, country="DE", sector=None, target_year=2045, status="law")
    TargetFactory(roadmap=None, country="DE", sector=None, target_year=2050, status="pledge")
    # India: a steel target through its roadmap (which covers no sector), nothing else.
    india = RoadmapFactory(country="IN", sectors=[])
    TargetFactory(roadmap=india, sector=steel, kind="intensity", target_year=2030)
    TargetFactory(roadmap=india, sector=None, target_year=2070, status="pledge")
    # Sweden: a steel target and a steel roadmap (the roadmap wins); a cement roadmap that
    # was superseded (does not count) and a company's cement roadmap (does not count).
    TargetFactory(roadmap=None, country="SE", sector=steel, target_year=2045)
    RoadmapFactory(country="SE", sectors=[steel])
    RoadmapFactory(country="SE", sectors=[cement], status=Roadmap.Status.SUPERSEDED)
    RoadmapFactory(country="SE", sectors=[cement], scope=Roadmap.Scope.COMPANY)
    # The United States: nothing. France: a roadmap, but not in the matrix.
    RoadmapFactory(country="FR", sectors=[steel])
    return sectors


# --- The matrix -------------------------------------------------------------------------


def test_coverage_lists_g20_and_member_countries_with_badges(client, coverage_data):
    html = _get(client, COVERAGE_URL).content.decode()
    rows = _matrix(html)

    assert [
        key
        for key in rows
        if key not in ("", "Countries with a roadmap", "Countries with a target only")
    ] == ["Germany", "India", "Sweden", "United States of America"]
    assert "France" not in rows and "Norway" not in rows  # not in a group; a former member
    assert '<a href="/tracker/countries/DE/">Germany</a>' in html
    germany = rows["Germany"][0][0]
    assert "G20" in germany and "LeadIT member" in germany
    assert "LeadIT member" not in rows["India"][0][0]
    assert "G20" not in rows["Sweden"][0][0]
    assert "4 countries × 3 sectors" in _text(html)


def test_coverage_cells_say_roadmap_target_or_nothing(client, coverage_data):
    rows = _matrix(_get(client, COVERAGE_URL).content.decode())

    assert [cell[0] for cell in rows[""]] == [
        "Country",
        "Economy-wide net zero",
        "Iron and steel",
        "Cement",
        "Chemicals",
        "Sectors with a roadmap",
        "Sectors with a target only",
    ]
    # Text, with a shape (the icon) and a class, never colour alone.
    assert [cell[0] for cell in rows["Germany"][2:5]] == ["Roadmap", "Roadmap", "Target"]
    assert "coverage-cell--roadmap" in rows["Germany"][2][1]
    assert "coverage-cell--target" in rows["Germany"][4][1]
    assert [cell[0] for cell in rows["India"][2:5]] == [
        "Target",
        "not recorded in the Tracker",
        "not recorded in the Tracker",
    ]
    assert [cell[0] for cell in rows["Sweden"][2:5]] == [
        "Roadmap",
        "not recorded in the Tracker",
        "not recorded in the Tracker",
    ]
    assert [cell[0] for cell in rows["United States of America"][2:5]] == [
        "not recorded in the Tracker"
    ] * 3


def test_coverage_shows_economy_wide_net_zero_in_its_own_column(client, coverage_data):
    rows = _matrix(_get(client, COVERAGE_URL).content.decode())

    assert rows["Germany"][1][0] == "2045 In law"  # the earliest of its two
    assert rows["India"][1][0] == "2070 Pledge"
    # Missing is not "none": Sweden's target is not recorded here, which is all we say.
    assert rows["Sweden"][1][0] == "not recorded in the Tracker"
    assert 'title="Not recorded in the Tracker"' in _get(client, COVERAGE_URL).content.decode()


def test_coverage_has_row_and_column_totals(client, coverage_data):
    html = _get(client, COVERAGE_URL).content.decode()
    rows = _matrix(html)

    assert [cell[0] for cell in rows["Germany"][5:]] == ["2", "1"]
    assert [cell[0] for cell in rows["India"][5:]] == ["0", "1"]
    assert [cell[0] for cell in rows["Sweden"][5:]] == ["1", "0"]
    assert [cell[0] for cell in rows["Countries with a roadmap"][2:6]] == [
        "2",
        "1",
        "0",
        "3 in all",
    ]
    assert [cell[0] for cell in rows["Countries with a target only"][1:5]] == [
        "2 with a target recorded",
        "1",
        "0",
        "1",
    ]
    assert rows["Countries with a target only"][6][0] == "2 in all"
    text = _text(html)
    assert "2 with a roadmap for at least one sector" in text
    assert "1 with a target but no sector roadmap" in text
    assert "1 with neither recorded in the Tracker" in text
    assert (
        "2 with an economy-wide net-zero target recorded; for 2 it is not recorded in the Tracker"
        in text
    )


def test_coverage_has_source_last_updated_and_a_key(client, coverage_data):
    text = _text(_get(client, COVERAGE_URL).content.decode())
    assert "Source: LeadIT Industry Transition Tracker" in text
    assert f"Last updated {timezone.localdate():%-d %B %Y}" in text
    assert "How to read the matrix" in text
    assert "Superseded roadmaps, company roadmaps and demo records (invented) do not count" in text
    assert "That is not a statement that none exists" in text


def test_coverage_map_colours_countries_by_coverage(client, coverage_data):
    html = _get(client, COVERAGE_URL).content.decode()

    assert 'class="chart chart--map"' in html
    assert re.search(r'<path class="map__country map__country--roadmap" data-country="DE"', html)
    assert re.search(r'<path class="map__country map__country--target" data-country="IN"', html)
    assert re.search(r'<path class="map__country map__country--none" data-country="US"', html)
    assert re.search(r'<path class="map__country" data-country="FR"', html)
    assert "Germany: Roadmap for at least one sector" in html
    assert "style=" not in html


def test_coverage_without_a_g20_group_says_so(client, sectors):
    MemberFactory(country="SE")
    html = _get(client, COVERAGE_URL).content.decode()
    assert "The G20 group is not in the Tracker's data yet" in html
    assert "Sweden" in _matrix(html)


def test_coverage_with_no_countries_says_so(client, sectors):
    html = _get(client, COVERAGE_URL).content.decode()
    assert "No G20 or LeadIT member countries are in the Tracker's data yet." in html


def test_coverage_unknown_format_shows_the_page_with_a_note(client, coverage_data):
    response = _get(client, COVERAGE_URL + "?format=<b>xlsx</b>")
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "“&lt;b&gt;xlsx&lt;/b&gt;” is not a download format we offer" in html


def test_coverage_shows_a_new_roadmap_at_once(client, coverage_data):
    steel, _, chemicals = coverage_data
    assert (
        _matrix(_get(client, COVERAGE_URL).content.decode())["India"][4][0]
        == "not recorded in the Tracker"
    )
    RoadmapFactory(country="IN", sectors=[chemicals])
    assert _matrix(_get(client, COVERAGE_URL).content.decode())["India"][4][0] == "Roadmap"


# --- CSV --------------------------------------------------------------------------------


def test_coverage_csv_has_the_matrix(client, coverage_data):
    response = _get(client, COVERAGE_URL + "?format=csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="leadit-tracker-coverage-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "iso2",
        "country",
        "g20",
        "leadit_member",
        "economy_wide_net_zero_year",
        "economy_wide_net_zero_status",
        "economy_wide_net_zero_source",
        "economy_wide_net_zero_source_url",
        "Iron and steel",
        "Cement",
        "Chemicals",
        "sectors_with_roadmap",
        "sectors_with_target_only",
        "profile_url",
    ]
    by_code = {row[0]: row for row in rows[1:]}
    assert list(by_code) == ["DE", "IN", "SE", "US"]
    assert by_code["DE"][:13] == [
        "DE",
        "Germany",
        "yes",
        "yes",
        "2045",
        "In law",
        "not_recorded",  # the test's target names no source
        "not_recorded",
        "roadmap",
        "roadmap",
        "target",
        "2",
        "1",
    ]
    # India's net-zero target is its roadmap's: the roadmap is the source.
    assert by_code["IN"][8:11] == [
        "target",
        "not_recorded",
        "not_recorded",
    ]
    # A missing value is written as not_recorded, never as an empty cell.
    assert by_code["US"][4:11] == ["not_recorded"] * 7
    assert all(cell != "" for row in rows for cell in row)
    assert by_code["SE"][13] == "http://testserver/tracker/countries/SE/"


def test_coverage_csv_escapes_formulae(client, coverage_data):
    Sector.objects.create(name="=HYPERLINK(1)", slug="evil", order=9)
    rows = list(
        csv.reader(io.StringIO(_get(client, COVERAGE_URL + "?format=csv").content.decode()))
    )
    assert "'=HYPERLINK(1)" in rows[0]


def test_coverage_page_links_the_csv(client, coverage_data):
    html = _get(client, COVERAGE_URL).content.decode()
    assert '<a href="?format=csv" download>Download the matrix as CSV</a>' in html


# --- Query counts -----------------------------------------------------------------------


def _bulk_roadmaps(count: int, sectors: list[Sector], codes: list[str], start: int = 0):
    roadmaps = Roadmap.objects.bulk_create(
        Roadmap(
            title=f"Bulk roadmap {n}",
            slug=f"bulk-roadmap-{n}",
            scope=Roadmap.Scope.NATIONAL,
            country=codes[n % len(codes)],
            publisher="Bulk",
            status=Roadmap.Status.ADOPTED,
            published_on=datetime.date(2015 + n % 10, 1, 1),
        )
        for n in range(start, start + count)
    )
    through = Roadmap.sectors.through
    through.objects.bulk_create(
        through(roadmap_id=roadmap.pk, sector_id=sectors[i % len(sectors)].pk)
        for i, roadmap in enumerate(roadmaps)
    )
    Target.objects.bulk_create(
        Target(
            roadmap=roadmap,
            sector=sectors[i % len(sectors)] if i % 2 else None,
            kind=Target.Kind.NET_ZERO,
            target_year=2040 + i % 30,
            status=Target.Status.PLEDGE,
        )
        for i, roadmap in enumerate(roadmaps)
    )


def _bulk_projects(count: int, sector: Sector, technologies, start: int = 0):
    projects = IndustrialProject.objects.bulk_create(
        IndustrialProject(
            name=f"Bulk plant {n}",
            slug=f"bulk-plant-{n}",
            country="IN",
            latitude=10 + n % 50,
            longitude=-100 + n % 200,
            sector=sector,
            status=IndustrialProject.Status.OPERATING
            if n % 2
            else IndustrialProject.Status.ANNOUNCED,
        )
        for n in range(start, start + count)
    )
    through = IndustrialProject.technologies.through
    through.objects.bulk_create(
        through(industrialproject_id=p.pk, technology_id=technologies[i % len(technologies)].pk)
        for i, p in enumerate(projects)
    )
    ProjectCapacity.objects.bulk_create(
        ProjectCapacity(project=p, product="crude steel", status=p.status, value=1000)
        for p in projects
    )


def _queries(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return len(queries)


@pytest.mark.parametrize("url", [COVERAGE_URL, COVERAGE_URL + "?format=csv", CHARTS_URL])
def test_query_count_does_not_grow_with_the_data(client, url, sectors):
    CountryGroupFactory(name="G20", slug="g20", countries=["DE", "IN", "US", "BR"])
    MemberFactory(country="SE")
    technologies = [TechnologyFactory(), TechnologyFactory()]
    codes = ["DE", "IN", "US", "BR", "SE", "FR"]
    _bulk_roadmaps(10, sectors, codes)
    _bulk_projects(10, sectors[0], technologies)
    small = _queries(client, url)

    _bulk_roadmaps(490, sectors, codes, start=10)
    _bulk_projects(490, sectors[0], technologies, start=10)
    assert Roadmap.objects.count() == 500
    assert _queries(client, url) == small


# --- The Tracker in charts --------------------------------------------------------------


@pytest.fixture
def chart_data(coverage_data):
    steel, cement, _ = coverage_data
    dri, eaf = TechnologyFactory(name="H2-DRI"), TechnologyFactory(name="EAF")
    operating = IndustrialProjectFactory(
        name="Operating <plant>",
        technologies=[dri, eaf],
        status="operating",
        latitude=65.6,
        longitude=22.2,
    )
    planned = IndustrialProjectFactory(
        name="Planned plant", technologies=[dri], latitude=20, longitude=78
    )
    IndustrialProjectFactory(name="No location", latitude=None, longitude=None)
    ProjectCapacityFactory(project=operating, status="operating", value=2000)
    ProjectCapacityFactory(project=planned, status="announced", value=500)
    ProjectCapacityFactory(project=planned, product="iron", status="announced", value=700)
    RoadmapFactory(country="BR", sectors=[steel], published_on=datetime.date(2019, 5, 1))
    RoadmapFactory(country="BR", sectors=[cement], published_on=None)
    return coverage_data


def test_charts_page_shows_every_chart_with_its_table_and_source(client, chart_data):
    html = _get(client, CHARTS_URL).content.decode()
    text = _text(html)

    for title in [
        "Roadmaps by sector",
        "Net-zero target years",
        "Roadmaps published over time (cumulative)",
        "Crude steel capacity by technology and status (thousand tonnes a year)",
        "Iron capacity by technology and status (thousand tonnes a year)",
        "Countries with roadmaps and industrial projects",
    ]:
        assert f">{title}</h3>" in html
        assert f">{title}</title>" in html
    assert html.count('<details class="chart-data"><summary>Show the data as a table') == 6
    assert text.count("Source: LeadIT Industry Transition Tracker, licensed CC BY 4.0") == 3
    assert text.count(f"Source: {GEM}, licensed CC BY 4.0") == 3
    assert f"Last updated {timezone.localdate():%-d %B %Y}" in text
    assert "style=" not in html
    assert "<script" not in html


def test_charts_roadmaps_by_sector_counts_current_roadmaps(client, chart_data):
    html = _get(client, CHARTS_URL).content.decode()
    # Steel: DE, SE, FR, BR; cement: DE, BR and a Swedish company's (every scope counts),
    # but not the superseded Swedish one.
    assert "<title>Iron and steel: 4</title>" in html
    assert "<title>Cement: 3</title>" in html
    assert "<title>Chemicals: 0</title>" in html
    assert "1 roadmap without a sector not shown." in html


def test_charts_net_zero_years_histogram(client, chart_data):
    html = _get(client, CHARTS_URL).content.decode()
    # DE 2045 and 2050, IN 2070, SE 2045 (a steel net-zero target): 2045 … 2070.
    assert "<title>2045: 2</title>" in html
    assert "<title>2050: 1</title>" in html
    assert "<title>2070: 1</title>" in html
    assert "<title>2060: 0</title>" in html


def test_charts_roadmaps_over_time_is_cumulative(client, chart_data):
    html = _get(client, CHARTS_URL).content.decode()
    # The factories' roadmaps are from 2022-03-01; the Brazilian steel one from 2019.
    assert "<title>2019: 1</title>" in html
    assert "<title>2021: 1</title>" in html
    assert "<title>2022: 7</title>" in html
    assert "1 roadmap without a publication date not counted." in html


def test_charts_capacity_by_technology_and_status(client, chart_data):
    html = _get(client, CHARTS_URL).content.decode()
    assert "<title>H2-DRI, Operating: 2,000 ttpa</title>" in html
    assert "<title>H2-DRI, Announced: 500 ttpa</title>" in html
    assert "<title>EAF, Operating: 2,000 ttpa</title>" in html
    assert "Total: 2,500 ttpa." in html  # the plant with two technologies counts once


def test_charts_map_shows_projects_and_countries_with_roadmaps(client, chart_data):
    html = _get(client, CHARTS_URL).content.decode()
    assert "<title>Operating &lt;plant&gt; (Operating)</title>" in html
    assert "<title>Planned plant (Announced)</title>" in html
    assert "map__point map__point--operating" in html
    assert "map__point map__point--planned" in html
    assert re.search(r'<path class="map__country map__country--roadmap" data-country="BR"', html)
    assert "1 project without coordinates not shown." in html
    assert '<a href="/tracker/countries/BR/">Brazil</a>' in html


def test_charts_page_without_data_says_so(client):
    html = _get(client, CHARTS_URL).content.decode()
    assert html.count("No data to show yet.") >= 3
    assert "No project capacities are in the Tracker yet." in html
