"""The comparison page /tracker/compare/ (countries ?c=… or roadmaps ?r=…) and its CSV."""

import csv
import io
import re
from decimal import Decimal

import pytest

from tests.factories.members import MemberFactory
from tests.factories.tracker import (
    CountryGroupFactory,
    IndustrialProjectFactory,
    PolicyInstrumentFactory,
    ProjectCapacityFactory,
    RoadmapFactory,
    SectorFactory,
    SourceFactory,
    TargetFactory,
)
from tests.tracker.test_countries import _query_count, _text, grow
from tracker.models import IndustrialProject, Roadmap, Target

pytestmark = pytest.mark.django_db

URL = "/tracker/compare/"
CSV_URL = "/tracker/compare.csv"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _columns(html: str) -> list[str]:
    """The titles of the comparison table's columns."""
    head = re.search(r"<thead>(.*?)</thead>", html, re.S)
    if not head:
        return []
    return re.findall(r'<th scope="col">\s*<a href="[^"]+">([^<]+)</a>', head.group(1))


def _table(html: str) -> dict[str, list[str]]:
    """Row label → the text of each cell."""
    body = re.search(r'<table class="compare-table.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        label = _text(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)).strip()
        rows[label] = [_text(cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    return rows


def _notes(html: str) -> list[str]:
    block = re.search(r'<div class="compare-notes" role="status">(.*?)</div>', html, re.S)
    return (
        [_text(p).strip() for p in re.findall(r"<p[^>]*>(.*?)</p>", block.group(1), re.S)]
        if block
        else []
    )


def _csv(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def world():
    steel = SectorFactory(name="Iron and steel", slug="steel", order=1)
    cement = SectorFactory(name="Cement", slug="cement", order=2)
    CountryGroupFactory(name="G20", slug="g20", countries=["IN", "DE", "US"])
    MemberFactory(name="India", slug="india", country="IN", kind="country", status="active")
    MemberFactory(name="Sweden", slug="sweden", country="SE", kind="country", status="active")
    carbon = PolicyInstrumentFactory(name="Carbon pricing", slug="carbon-pricing")
    grants = PolicyInstrumentFactory(name="Grants", slug="grants")
    hydrogen = PolicyInstrumentFactory(name="Hydrogen strategy", slug="hydrogen")
    sweden = RoadmapFactory(
        title="Fossil-free steel roadmap",
        slug="se-steel",
        country="SE",
        sectors=[steel],
        instruments=[carbon, grants],
        document_url="https://example.org/se-steel.pdf",
    )
    SourceFactory(roadmap=sweden, title="Government decision", url="https://example.org/se")
    end = TargetFactory(roadmap=sweden, base_year=None, target_year=2045)
    TargetFactory(
        roadmap=sweden,
        sector=steel,
        kind=Target.Kind.ABSOLUTE,
        base_year=2005,
        target_year=2030,
        value=Decimal("63"),
        unit="%",
        status=Target.Status.POLICY_DOCUMENT,
        end_target=end,
    )
    india = RoadmapFactory(
        title="Green steel mission",
        slug="in-steel",
        country="IN",
        sectors=[steel, cement],
        instruments=[hydrogen],
        status=Roadmap.Status.IN_PREPARATION,
    )
    SourceFactory(roadmap=india, title="Ministry of Steel", url="https://example.org/in")
    TargetFactory(
        roadmap=india,
        base_year=None,
        target_year=2070,
        status=Target.Status.PLEDGE,
    )
    RoadmapFactory(
        title="Old Indian plan",
        slug="in-old",
        country="IN",
        status=Roadmap.Status.SUPERSEDED,
        instruments=[carbon],
    )
    RoadmapFactory(title="German steel plan", slug="de-steel", country="DE", sectors=[steel])
    RoadmapFactory(title="US cement plan", slug="us-cement", country="US", sectors=[cement])
    plant = IndustrialProjectFactory(name="Demo H2 steel", country="SE", sector=steel)
    ProjectCapacityFactory(project=plant, product="crude steel", value=2500)
    operating = IndustrialProjectFactory(
        name="Indian DRI plant",
        country="IN",
        sector=steel,
        status=IndustrialProject.Status.OPERATING,
    )
    ProjectCapacityFactory(
        project=operating,
        product="crude steel",
        status=IndustrialProject.Status.OPERATING,
        value=Decimal("1200.50"),
    )


def test_compare_two_countries_side_by_side(client, world):
    html = _page(client, URL + "?c=SE&c=IN")

    assert _columns(html) == ["Sweden", "India"]
    assert _notes(html) == []
    table = _table(html)
    assert table["Net-zero year"] == ["2045 (economy-wide, in law)", "2070 (economy-wide, pledge)"]
    assert table["Interim targets"] == [
        "2030: Absolute reduction 63 % from 2005 (Iron and steel; in policy document)",
        "not recorded in the Tracker",
    ]
    assert table["Sectors covered"] == ["Iron and steel", "Iron and steel Cement"]
    # The superseded Indian plan's carbon pricing is not India's current instrument.
    assert table["Policy instruments"] == ["Carbon pricing Grants", "Hydrogen strategy"]
    assert table["Roadmaps by status"] == [
        "Adopted: 1 roadmap",
        "In preparation: 1 roadmap Superseded: 1 roadmap",
    ]
    assert table["Industrial projects by status (capacity in thousand tonnes a year)"] == [
        "Announced: 1 project, 2,500 ttpa crude steel",
        "Operating: 1 project, 1,200.5 ttpa crude steel",
    ]
    assert table["Sources"] == [
        "Fossil-free steel roadmap (document) Government decision",
        "Ministry of Steel",
    ]
    assert '<a href="https://example.org/se">Government decision</a>' in html
    header = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert "LeadIT member" in _text(header)
    assert 'href="/tracker/countries/SE/"' in header
    assert 'href="/tracker/compare/?c=IN">Remove' in header
    assert 'value="http://testserver/tracker/compare/?c=SE&amp;c=IN"' in html
    assert 'href="/tracker/compare.csv?c=SE&amp;c=IN"' in html
    assert "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release" in html
    # The picker keeps the two countries and offers a third slot.
    assert '<option value="SE" selected>Sweden</option>' in html
    assert '<option value="IN" selected>India</option>' in html
    assert len(re.findall(r'<select name="c"', html)) == 3
    # …and offers their roadmaps to compare.
    assert 'name="r" value="se-steel"' in html
    assert 'name="r" value="in-old"' in html


def test_compare_four_countries(client, world):
    html = _page(client, URL + "?c=SE&c=IN&c=DE&c=US")

    assert _columns(html) == ["Sweden", "India", "Germany", "United States of America"]
    assert _notes(html) == []
    assert _table(html)["Sectors covered"][2:] == ["Iron and steel", "Cement"]
    assert len(re.findall(r'<select name="c"', html)) == 4


def test_compare_text_input_of_codes_and_blank_selects(client, world):
    html = _page(client, URL + "?c=&c=se%2C+in&c=&c=de")

    assert _columns(html) == ["Sweden", "India", "Germany"]
    assert _notes(html) == []


def test_compare_nothing_chosen_shows_the_picker(client, world):
    html = _page(client, URL)

    assert _notes(html) == ["Pick two to four countries to compare them side by side."]
    assert _columns(html) == []
    assert len(re.findall(r'<select name="c"', html)) == 2
    assert 'name="c" id="id_c_codes"' in html


def test_compare_one_country_asks_for_another(client, world):
    html = _page(client, URL + "?c=se")

    assert _notes(html) == ["Pick at least one more country to compare with Sweden."]
    assert _columns(html) == []
    assert '<option value="SE" selected>Sweden</option>' in html
    assert len(re.findall(r'<select name="c"', html)) == 2


def test_compare_five_countries_compares_the_first_four(client, world):
    html = _page(client, URL + "?c=SE&c=IN&c=DE&c=US&c=FR")

    assert _columns(html) == ["Sweden", "India", "Germany", "United States of America"]
    (note,) = _notes(html)
    assert "compare at most 4" in note
    assert note == (
        "You can compare at most 4 countries at once: the first 4 are compared and 1 left "
        "out (France)."
    )


def test_compare_unknown_codes_are_named_and_the_rest_compared(client, world):
    html = _page(client, URL + "?c=XX&c=SE&c=zz9&c=IN&c=%3Cscript%3E")

    assert _columns(html) == ["Sweden", "India"]
    assert _notes(html) == ["“XX”, “zz9”, “&lt;script&gt;” are not country codes we know; ignored."]
    assert "<script>" not in html


def test_compare_duplicates_are_collapsed(client, world):
    html = _page(client, URL + "?c=SE&c=se&c=IN&c=SE")

    assert _columns(html) == ["Sweden", "India"]
    assert _notes(html) == ["Asked for more than once, so shown once: Sweden."]
    assert 'value="http://testserver/tracker/compare/?c=SE&amp;c=IN"' in html


def test_compare_countries_and_roadmaps_mixed_uses_countries(client, world):
    html = _page(client, URL + "?c=SE&r=in-steel&c=IN")

    assert _columns(html) == ["Sweden", "India"]
    assert _notes(html) == [
        "Countries and roadmaps cannot be compared with each other, so the countries are "
        "compared and the roadmaps are left out."
    ]


def test_compare_two_roadmaps(client, world):
    html = _page(client, URL + "?r=se-steel&r=in-steel")

    assert "<h1>Compare roadmaps</h1>" in html
    assert _columns(html) == ["Fossil-free steel roadmap", "Green steel mission"]
    table = _table(html)
    assert table["Scope and place"] == ["National: Sweden", "National: India"]
    assert table["Net-zero year"] == ["2045 (economy-wide, in law)", "2070 (economy-wide, pledge)"]
    assert table["Roadmap status"] == ["Adopted", "In preparation"]
    assert table["Policy instruments"] == ["Carbon pricing Grants", "Hydrogen strategy"]
    assert table["Sectors covered"] == ["Iron and steel", "Iron and steel Cement"]
    projects = [v for k, v in table.items() if k.startswith("Industrial projects")][0]
    assert projects == [
        "Announced: 1 project, 2,500 ttpa crude steel",
        "Operating: 1 project, 1,200.5 ttpa crude steel",
    ]
    assert 'href="/tracker/roadmaps/se-steel/"' in html
    assert 'value="http://testserver/tracker/compare/?r=se-steel&amp;r=in-steel"' in html
    # The add-a-roadmap picker keeps the chosen ones and offers the others.
    assert '<input type="hidden" name="r" value="se-steel">' in html
    assert '<option value="de-steel">German steel plan (Germany)</option>' in html
    assert '<option value="se-steel">' not in html


def test_compare_four_roadmaps_and_a_superseded_one(client, world):
    html = _page(client, URL + "?r=se-steel&r=in-steel&r=in-old&r=de-steel")

    assert len(_columns(html)) == 4
    assert _table(html)["Roadmap status"][2] == "Superseded"
    assert "4 roadmaps is the most that can be compared" in _text(html)


def test_compare_roadmaps_bad_input(client, world):
    html = _page(client, URL + "?r=se-steel&r=nope&r=se-steel")

    assert _notes(html) == [
        "“nope” is not a roadmap we know; ignored.",
        "Asked for more than once, so shown once: Fossil-free steel roadmap.",
        "Pick at least one more roadmap to compare with Fossil-free steel roadmap.",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "?c=%00",
        "?r=%00&r=",
        "?c=" + "A" * 5000,
        "?c=SE&" + "&".join(f"c=Q{i}" for i in range(200)),
        "?r=" + "%F0%9F%92%A9" * 50,
        "?c=SE,IN,DE,US,FR,GB,JP",
    ],
)
def test_compare_never_fails(client, world, query):
    assert client.get(URL + query).status_code == 200
    assert client.get(CSV_URL + query).status_code == 200


def test_compare_csv_is_the_same_table(client, world):
    rows = _csv(client, CSV_URL + "?c=SE&c=IN")

    assert rows[0] == ["", "Sweden", "India"]
    assert rows[1] == [
        "Link",
        "http://testserver/tracker/countries/SE/",
        "http://testserver/tracker/countries/IN/",
    ]
    body = {row[0]: row[1:] for row in rows[2:]}
    assert list(body) == [
        "Net-zero year",
        "Interim targets",
        "Sectors covered",
        "Policy instruments",
        "Roadmaps by status",
        "Industrial projects by status (capacity in thousand tonnes a year)",
        "Sources",
        "Last updated",
    ]
    assert body["Net-zero year"] == ["2045 (economy-wide, in law)", "2070 (economy-wide, pledge)"]
    assert body["Sectors covered"] == ["Iron and steel", "Iron and steel; Cement"]
    assert body["Sources"] == [
        "Fossil-free steel roadmap (document) (https://example.org/se-steel.pdf); "
        "Government decision (https://example.org/se)",
        "Ministry of Steel (https://example.org/in)",
    ]
    assert body["Interim targets"] == [
        "2030: Absolute reduction 63 % from 2005 (Iron and steel; in policy document)",
        "not_recorded",
    ]


def test_compare_csv_escapes_formulae(client, world):
    evil = RoadmapFactory(title="@SUM(1+1)*cmd|' /C calc'!A0", slug="evil", country="SE")
    SourceFactory(roadmap=evil, title='=HYPERLINK("http://x")', url="https://example.org/x")

    rows = _csv(client, CSV_URL + "?r=evil&r=se-steel")
    assert rows[0] == ["", "'@SUM(1+1)*cmd|' /C calc'!A0", "Fossil-free steel roadmap"]
    sources = next(row for row in rows if row[0] == "Sources")
    assert sources[1] == '\'=HYPERLINK("http://x") (https://example.org/x)'

    rows = _csv(client, CSV_URL + "?c=SE&c=IN")
    sources = next(row for row in rows if row[0] == "Sources")
    assert sources[1].startswith('\'=HYPERLINK("http://x") (https://example.org/x); ')


def test_compare_csv_of_bad_input_is_still_a_csv(client, world):
    rows = _csv(client, CSV_URL + "?c=XX&c=SE")

    assert rows[0] == ["", "Sweden"]


@pytest.mark.parametrize(
    "url",
    [
        URL + "?c=SE&c=IN",
        URL + "?c=SE&c=IN&c=DE&c=US",
        URL + "?c=SE",
        URL + "?r=se-steel&r=in-steel&r=de-steel&r=us-cement",
        URL + "?r=se-steel",
        CSV_URL + "?c=SE&c=IN&c=DE&c=US",
    ],
)
def test_compare_query_count_is_the_same_at_10_and_500_roadmaps(client, world, url):
    grow(10)
    small = _query_count(client, url)
    grow(500)

    assert _query_count(client, url) == small
