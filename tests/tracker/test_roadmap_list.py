"""The roadmap list /tracker/: filters in the query string, facet counts, search, sort,
pagination, notes for ignored filters, downloads of exactly the list, query count, cache."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Member
from tests.factories.members import MemberFactory
from tests.factories.tracker import (
    CountryGroupFactory,
    RoadmapFactory,
    SectorFactory,
    TargetFactory,
)
from tracker.models import CountryGroup, Roadmap, Sector, Target

pytestmark = pytest.mark.django_db

URL = "/tracker/"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:)])", r"\1", text).replace("( ", "(")


def _titles(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/tracker/roadmaps/[^"]+/">([^<]+)</a>', html)


def _heading(html: str) -> str:
    return re.search(r'<h2 id="roadmap-results-heading">([^<]+)</h2>', html).group(1)


def _option(html: str, name: str, value: str) -> str:
    """The text of ``<option value=value>`` in the select ``name``."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(rf'<option value="{re.escape(value)}"[^>]*>([^<]+)</option>', select).group(1)


@pytest.fixture
def steel():
    return SectorFactory(name="Iron and steel", slug="steel")


@pytest.fixture
def cement():
    return SectorFactory(name="Cement", slug="cement")


# --- What a row shows -----------------------------------------------------------------------


def test_roadmap_list_row_shows_title_scope_place_sectors_status_years(client, steel, cement):
    roadmap = RoadmapFactory(
        title="Fossil Free Sweden: steel",
        country="SE",
        sectors=[steel, cement],
        status=Roadmap.Status.IN_IMPLEMENTATION,
        published_on=datetime.date(2018, 4, 1),
        last_reviewed_on=datetime.date(2025, 2, 3),
    )
    TargetFactory(roadmap=roadmap, kind=Target.Kind.NET_ZERO, target_year=2045)
    TargetFactory(roadmap=roadmap, kind=Target.Kind.ABSOLUTE, target_year=2030)
    region = CountryGroupFactory(name="Europe", slug="europe", kind=CountryGroup.Kind.REGION)
    RoadmapFactory(
        title="A regional roadmap",
        scope=Roadmap.Scope.REGIONAL,
        country="",
        region=region,
        published_on=None,
        last_reviewed_on=None,
    )

    html = _page(client, URL)

    text = _text(html)
    assert "2 roadmaps" in text
    assert (
        "Fossil Free Sweden: steel National Sweden Cement, Iron and steel In implementation "
        "2045 2018 3 Feb 2025"
    ) in text
    assert "A regional roadmap Regional Europe" in text
    assert (
        "A regional roadmap Regional Europe not recorded in the Tracker Adopted not recorded in the Tracker not recorded in the Tracker Not yet reviewed"
        in text
    )
    assert f'href="{roadmap.get_absolute_url()}"' in html
    assert "No filters on: every roadmap in the tracker is shown." in text


def test_roadmap_list_empty_says_so(client):
    text = _text(_page(client, URL))

    assert "0 roadmaps" in text
    assert "No roadmaps match these filters." in text


# --- Each filter ----------------------------------------------------------------------------


def test_roadmap_list_filter_sector(client, steel, cement):
    RoadmapFactory(title="Steel plan", sectors=[steel])
    RoadmapFactory(title="Cement plan", sectors=[cement])
    RoadmapFactory(title="Both plan", sectors=[steel, cement])

    html = _page(client, f"{URL}?sector=steel")

    assert _titles(html) == ["Both plan", "Steel plan"]
    assert "Sector: Iron and steel" in _text(html)


def test_roadmap_list_filter_scope(client):
    RoadmapFactory(title="National one")
    RoadmapFactory(title="Global one", scope=Roadmap.Scope.GLOBAL, country="")

    assert _titles(_page(client, f"{URL}?scope=global")) == ["Global one"]
    assert _titles(_page(client, f"{URL}?scope=national")) == ["National one"]


def test_roadmap_list_filter_region_by_region_or_member_country(client):
    europe = CountryGroupFactory(
        name="Europe", slug="europe", kind=CountryGroup.Kind.REGION, countries=["DE", "SE"]
    )
    CountryGroupFactory(name="Asia", slug="asia", kind=CountryGroup.Kind.REGION, countries=["IN"])
    RoadmapFactory(title="EU-wide", scope=Roadmap.Scope.REGIONAL, country="", region=europe)
    RoadmapFactory(title="German", country="DE")
    RoadmapFactory(title="Indian", country="IN")

    html = _page(client, f"{URL}?region=europe")

    assert _titles(html) == ["EU-wide", "German"]
    assert "Region: Europe" in _text(html)


def test_roadmap_list_filter_group(client):
    CountryGroupFactory(name="Group of Seven", slug="g7", countries=["DE", "JP"])
    RoadmapFactory(title="German", country="DE")
    RoadmapFactory(title="Japanese", country="JP")
    RoadmapFactory(title="Swedish", country="SE")

    html = _page(client, f"{URL}?group=g7")

    assert _titles(html) == ["German", "Japanese"]
    assert "Country group: Group of Seven" in _text(html)


def test_roadmap_list_filter_g20_is_group_g20(client):
    CountryGroupFactory(name="G20", slug="g20", countries=["IN", "DE"])
    RoadmapFactory(title="German", country="DE")
    RoadmapFactory(title="Indian", country="IN")
    RoadmapFactory(title="Swedish", country="SE")

    html = _page(client, f"{URL}?g20=1")

    assert _titles(html) == ["German", "Indian"]
    assert _titles(_page(client, f"{URL}?group=g20")) == ["German", "Indian"]
    text = _text(html)
    assert "Country group: G20 Remove" in text
    assert 'href="/tracker/">Remove' in html
    assert 'value="g20" selected' in html  # the group select shows it


def test_roadmap_list_filter_leadit_members_group(client):
    MemberFactory(country="IN", status=Member.Status.ACTIVE)
    MemberFactory(country="SE", status=Member.Status.FORMER)
    RoadmapFactory(title="Indian", country="IN")
    RoadmapFactory(title="Swedish", country="SE")

    html = _page(client, f"{URL}?group=leadit-members")

    assert _titles(html) == ["Indian"]
    assert "Country group: LeadIT member countries" in _text(html)
    assert _option(html, "group", "leadit-members") == "LeadIT member countries (1)"


def test_roadmap_list_filter_status(client):
    RoadmapFactory(title="Adopted", status=Roadmap.Status.ADOPTED)
    RoadmapFactory(title="Announced", status=Roadmap.Status.ANNOUNCED)

    html = _page(client, f"{URL}?status=announced")

    assert _titles(html) == ["Announced"]
    assert "Status: Announced" in _text(html)


def test_roadmap_list_filter_country_in_either_case(client):
    RoadmapFactory(title="Indian", country="IN")
    RoadmapFactory(title="Swedish", country="SE")

    assert _titles(_page(client, f"{URL}?country=IN")) == ["Indian"]
    html = _page(client, f"{URL}?country=in")
    assert _titles(html) == ["Indian"]
    assert "Country: India" in _text(html)


def test_roadmap_list_filter_target_year_range_needs_one_target_in_it(client):
    early = RoadmapFactory(title="Early")
    TargetFactory(roadmap=early, target_year=2030)
    late = RoadmapFactory(title="Late")
    TargetFactory(roadmap=late, target_year=2060)
    spread = RoadmapFactory(title="Spread")  # one target before, one after 2040–2050
    TargetFactory(roadmap=spread, target_year=2035)
    TargetFactory(roadmap=spread, target_year=2055)
    middle = RoadmapFactory(title="Middle")
    TargetFactory(roadmap=middle, target_year=2045)
    RoadmapFactory(title="No targets")

    assert _titles(_page(client, f"{URL}?target_from=2040&target_to=2050")) == ["Middle"]
    assert _titles(_page(client, f"{URL}?target_from=2050")) == ["Late", "Spread"]
    assert _titles(_page(client, f"{URL}?target_to=2035")) == ["Early", "Spread"]
    html = _page(client, f"{URL}?target_from=2050&target_to=2040")  # turned round
    assert _titles(html) == ["Middle"]
    assert "Target year from: 2040" in _text(html)
    assert "Target year to: 2050" in _text(html)
    assert '<span>Target year from: 2040</span> <a href="/tracker/?target_from=2050">' in html
    assert '<span>Target year to: 2050</span> <a href="/tracker/?target_to=2040">' in html


def test_roadmap_list_text_search_title_publisher_summary_ignoring_case(client):
    RoadmapFactory(title="Green STEEL pathway", publisher="Ministry", summary="")
    RoadmapFactory(title="Plan B", publisher="Steel Association", summary="")
    RoadmapFactory(title="Plan C", publisher="Ministry", summary="Low-carbon steelmaking.")
    RoadmapFactory(title="Cement plan", publisher="Ministry", summary="Clinker.")

    html = _page(client, f"{URL}?q=steel")

    assert _titles(html) == ["Green STEEL pathway", "Plan B", "Plan C"]
    assert "Search: “steel”" in _text(html)
    assert 'value="steel"' in html  # kept in the search box


def test_roadmap_list_filters_combine(client, steel):
    RoadmapFactory(title="Match", sectors=[steel], country="IN", status=Roadmap.Status.ADOPTED)
    RoadmapFactory(title="Wrong status", sectors=[steel], country="IN", status="announced")
    RoadmapFactory(title="Wrong sector", country="IN", status=Roadmap.Status.ADOPTED)

    html = _page(client, f"{URL}?sector=steel&country=IN&status=adopted")

    assert _titles(html) == ["Match"]
    assert _heading(html) == "1 roadmap"


# --- Facet counts ---------------------------------------------------------------------------


def test_roadmap_list_facet_counts_keep_the_other_filters(client, steel, cement):
    europe = CountryGroupFactory(
        name="Europe", slug="europe", kind=CountryGroup.Kind.REGION, countries=["SE", "DE"]
    )
    CountryGroupFactory(name="G20", slug="g20", countries=["DE", "IN"])
    RoadmapFactory(country="SE", sectors=[steel], status=Roadmap.Status.ADOPTED)
    RoadmapFactory(country="DE", sectors=[steel, cement], status=Roadmap.Status.ANNOUNCED)
    RoadmapFactory(country="IN", sectors=[cement], status=Roadmap.Status.ADOPTED)
    RoadmapFactory(
        scope=Roadmap.Scope.REGIONAL, country="", region=europe, sectors=[steel], status="adopted"
    )

    html = _page(client, f"{URL}?sector=steel&status=adopted")

    assert _titles(html) and _heading(html) == "2 roadmaps"
    # Sector counts keep status=adopted, not sector=steel.
    assert _option(html, "sector", "steel") == "Iron and steel (2)"
    assert _option(html, "sector", "cement") == "Cement (1)"
    # Status counts keep sector=steel, not status=adopted.
    assert _option(html, "status", "adopted") == "Adopted (2)"
    assert _option(html, "status", "announced") == "Announced (1)"
    assert _option(html, "status", "superseded") == "Superseded (0)"
    assert _option(html, "scope", "national") == "National (1)"
    assert _option(html, "scope", "regional") == "Regional (1)"
    # Regions and groups count by region or by member country.
    assert _option(html, "region", "europe") == "Europe (2)"
    assert _option(html, "group", "g20") == "G20 (0)"
    assert _option(html, "country", "SE") == "Sweden (1)"
    assert _option(html, "country", "IN") == "India (0)"
    assert 'value="steel" selected' in html

    html = _page(client, URL)
    assert _option(html, "group", "g20") == "G20 (2)"
    assert _option(html, "region", "europe") == "Europe (3)"
    assert _option(html, "sector", "steel") == "Iron and steel (3)"


# --- Sort and pagination --------------------------------------------------------------------


def test_roadmap_list_sorts(client):
    RoadmapFactory(title="Bravo", country="CH", published_on=datetime.date(2020, 1, 1))
    RoadmapFactory(title="Alpha", country="SE", published_on=datetime.date(2022, 1, 1))
    RoadmapFactory(title="Charlie", country="CN", published_on=None)
    Roadmap.objects.filter(title="Bravo").update(
        updated_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )

    def titles(sort):
        return _titles(_page(client, f"{URL}?sort={sort}"))

    assert titles("title") == ["Alpha", "Bravo", "Charlie"]
    assert _titles(_page(client, URL)) == ["Alpha", "Bravo", "Charlie"]
    assert titles("-published_on") == ["Alpha", "Bravo", "Charlie"]
    assert titles("published_on") == ["Bravo", "Alpha", "Charlie"]
    assert titles("-updated_at")[0] == "Bravo"
    # By country name: China, Sweden, Switzerland (not by code: CH, CN, SE).
    assert titles("country") == ["Charlie", "Alpha", "Bravo"]
    assert '<option value="country" selected>' in _page(client, f"{URL}?sort=country")


def test_roadmap_list_paginates_25_and_out_of_range_gives_last_page(client):
    Roadmap.objects.bulk_create(
        Roadmap(
            title=f"Roadmap {n:02d}",
            slug=f"roadmap-{n:02d}",
            scope="national",
            country="SE",
            publisher="Demo",
            status="adopted",
        )
        for n in range(30)
    )

    first = _page(client, URL)
    assert len(_titles(first)) == 25
    assert _heading(first) == "30 roadmaps"
    assert "Page 1 of 2 (roadmaps 1–25)" in first
    assert 'href="?page=2" rel="next"' in first

    second = _page(client, f"{URL}?page=2")
    assert _titles(second) == [f"Roadmap {n}" for n in range(25, 30)]

    past_the_end = _page(client, f"{URL}?page=99")
    assert _titles(past_the_end) == _titles(second)
    assert "Page 2 of 2" in past_the_end

    assert _titles(_page(client, f"{URL}?page=abc")) == _titles(first)


def test_roadmap_list_pagination_keeps_the_filters(client):
    Roadmap.objects.bulk_create(
        Roadmap(
            title=f"Roadmap {n:02d}",
            slug=f"roadmap-{n:02d}",
            scope="national",
            country="SE",
            publisher="Demo",
            status="adopted",
        )
        for n in range(30)
    )

    html = _page(client, f"{URL}?status=adopted&sort=-published_on")

    assert 'href="?status=adopted&amp;sort=-published_on&amp;page=2" rel="next"' in html


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("sector=unobtainium", "Sector: “unobtainium” is not one of the choices"),
        ("scope=planet", "Scope: “planet” is not one of the choices"),
        ("status=dreaming", "Status: “dreaming” is not one of the choices"),
        ("region=atlantis", "Region: “atlantis” is not one of the choices"),
        ("group=nowhere", "Country group: “nowhere” is not one of the choices"),
        ("country=XX", "Country: “XX” is not one of the choices"),
        ("target_from=abc", "Target year from: “abc” is not a year from 1990 to 2100"),
        ("target_to=20x0", "Target year to: “20x0” is not a year from 1990 to 2100"),
        ("target_to=3000", "Target year to: “3000” is not a year from 1990 to 2100"),
        ("g20=maybe", "G20: “maybe” is not 1 (on) or 0 (off)"),
        ("g20=1", "G20: “1” cannot be used: there is no G20 group in the tracker"),
        ("sort=chaos", "Sort by: “chaos” is not a known order, so the list is sorted by title"),
    ],
)
def test_roadmap_list_unknown_or_malformed_value_is_ignored_with_a_note(client, query, note):
    RoadmapFactory(title="Bravo")
    RoadmapFactory(title="Alpha")

    html = _page(client, f"{URL}?{query}")

    assert note in _text(html)
    assert "Some filters were ignored" in html
    assert _titles(html) == ["Alpha", "Bravo"]
    assert "No filters on" in _text(html)


@pytest.mark.parametrize(
    "name",
    [
        "q",
        "sector",
        "scope",
        "status",
        "region",
        "group",
        "g20",
        "country",
        "target_from",
        "target_to",
        "sort",
        "page",
    ],
)
def test_roadmap_list_garbage_in_any_parameter_is_never_an_error(client, name):
    RoadmapFactory(title="Alpha")

    for value in ("%00", "a%00b", "x" * 300, "%C0%AF", "%ff", "-1", "99999999999999999999"):
        html = _page(client, f"{URL}?{name}={value}")
        assert _titles(html) == ["Alpha"] or name == "q", (name, value)
        assert client.get(f"/tracker/export.json?{name}={value}").status_code == 200


def test_roadmap_list_search_too_long_or_with_nul_is_ignored_with_a_note(client):
    RoadmapFactory(title="Alpha")

    text = _text(_page(client, f"{URL}?q={'x' * 201}"))
    assert "is longer than 200 characters, so this filter is not applied." in text
    text = _text(_page(client, f"{URL}?q=a%00b"))
    assert "contains characters that cannot be searched for" in text


def test_roadmap_list_valid_filters_apply_beside_ignored_ones(client):
    RoadmapFactory(title="Indian", country="IN")
    RoadmapFactory(title="Swedish", country="SE")

    html = _page(client, f"{URL}?country=IN&target_from=abc&sector=nope")

    assert _titles(html) == ["Indian"]
    text = _text(html)
    assert "Country: India Remove" in text
    assert "Target year from: “abc”" in text
    assert "Sector: “nope”" in text


def test_roadmap_list_g20_off_is_no_filter(client):
    CountryGroupFactory(name="G20", slug="g20", countries=["IN"])
    RoadmapFactory(title="Swedish", country="SE")

    html = _page(client, f"{URL}?g20=0")

    assert _titles(html) == ["Swedish"]
    assert "Some filters were ignored" not in html


# --- Active filters, downloads --------------------------------------------------------------


def test_roadmap_list_active_filters_each_removable(client, steel):
    RoadmapFactory(title="Indian steel", country="IN", sectors=[steel])

    html = _page(client, f"{URL}?sector=steel&country=IN&q=steel&page=1")

    assert _titles(html) == ["Indian steel"]
    assert 'href="/tracker/?country=IN&amp;q=steel">Remove' in html  # sector removed
    assert 'href="/tracker/?sector=steel&amp;q=steel">Remove' in html  # country removed
    assert 'href="/tracker/?sector=steel&amp;country=IN">Remove' in html  # search removed
    assert '<a href="/tracker/">Clear all filters</a>' in html


def test_roadmap_list_offers_downloads_of_exactly_this_list(client, steel):
    RoadmapFactory(title="Steel", sectors=[steel])

    html = _page(client, f"{URL}?sector=steel&sort=country&page=1")

    for fmt in ("csv", "xlsx", "json"):
        assert f'href="/tracker/export.{fmt}?sector=steel&amp;sort=country"' in html
    text = _text(html)
    assert (
        "Download this list (1 roadmap, every page, in this order): CSV, Excel (XLSX), JSON."
        in text
    )
    today = datetime.date.today().isoformat()
    assert (
        f"Cite as: LeadIT Industry Transition Tracker, {today}, "
        "http://testserver/tracker/?sector=steel&amp;sort=country." in html
    )
    assert "Licence: CC BY 4.0" in text


def test_roadmap_list_says_when_data_was_last_updated(client):
    RoadmapFactory()

    text = _text(_page(client, URL))

    assert f"Roadmap data last updated {datetime.date.today():%-d %B %Y}" in text


# --- Query count, cache ---------------------------------------------------------------------


def _bulk_roadmaps(count: int, start: int, sectors: list[Sector]) -> None:
    codes = ["SE", "DE", "IN", "JP", "BR"]
    roadmaps = Roadmap.objects.bulk_create(
        Roadmap(
            title=f"Bulk roadmap {n}",
            slug=f"bulk-roadmap-{n}",
            scope="national",
            country=codes[n % len(codes)],
            publisher="Bulk ministry",
            summary="A steel roadmap.",
            status="adopted",
            published_on=datetime.date(2020, 1, 1),
        )
        for n in range(start, start + count)
    )
    through = Roadmap.sectors.through
    through.objects.bulk_create(
        through(roadmap_id=roadmap.pk, sector_id=sector.pk)
        for roadmap in roadmaps
        for sector in sectors
    )
    Target.objects.bulk_create(
        Target(roadmap=roadmap, country=roadmap.country, kind=kind, target_year=year, status="law")
        for roadmap in roadmaps
        for kind, year in (("net_zero", 2050), ("absolute", 2035))
    )


def _query_count(client, url: str) -> int:
    cache.clear()  # bulk inserts send no signals: make sure the page is built again
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?sector=steel&scope=national&status=adopted&region=europe&group=leadit-members"
        "&g20=1&country=DE&target_from=2030&target_to=2060&q=roadmap&sort=country&page=2",
        "?group=g20&sort=-published_on&page=999",
        "?sector=nope&target_from=abc&sort=-updated_at",
    ],
)
def test_roadmap_list_query_count_does_not_grow_with_roadmaps(client, steel, cement, query):
    CountryGroupFactory(
        name="Europe", slug="europe", kind=CountryGroup.Kind.REGION, countries=["SE", "DE"]
    )
    CountryGroupFactory(name="G20", slug="g20", countries=["DE", "IN", "JP", "BR"])
    MemberFactory(country="DE")
    _bulk_roadmaps(10, 0, [steel, cement])
    small = _query_count(client, URL + query)

    _bulk_roadmaps(490, 10, [steel, cement])
    large = _query_count(client, URL + query)

    assert small == large


def test_roadmap_list_edit_shows_at_once_despite_the_cache(client):
    roadmap = RoadmapFactory(title="Old title")
    assert "Old title" in _page(client, URL)
    with CaptureQueriesContext(connection) as queries:
        assert "Old title" in _page(client, URL)
    assert len(queries) == 0  # served from the cache

    roadmap.title = "New title"
    roadmap.save()

    html = _page(client, URL)
    assert "New title" in html
    assert "Old title" not in html


def test_roadmap_list_links_leave_out_unknown_parameters(client, steel):
    RoadmapFactory(title="Steel", sectors=[steel])

    html = _page(client, f"{URL}?utm_source=newsletter&sector=steel")

    assert _titles(html) == ["Steel"]
    assert 'href="/tracker/export.csv?sector=steel"' in html
    assert "utm_source" not in html


def test_roadmap_list_tracking_parameters_show_an_edit_at_once(client, steel):
    roadmap = RoadmapFactory(title="Old title", sectors=[steel])
    _page(client, f"{URL}?utm_source=a")

    roadmap.title = "New title"
    roadmap.save()

    assert _titles(_page(client, f"{URL}?utm_source=b")) == ["New title"]
