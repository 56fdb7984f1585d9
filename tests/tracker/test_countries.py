"""The country pages: the list /tracker/countries/ (and its CSV) and a country's profile
/tracker/countries/<iso2>/."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.members import MemberFactory
from tests.factories.tracker import (
    CountryGroupFactory,
    IndustrialProjectFactory,
    PolicyInstrumentFactory,
    ProjectCapacityFactory,
    RoadmapFactory,
    SectorFactory,
    TargetFactory,
)
from tracker.models import (
    CountryGroup,
    IndustrialProject,
    ProjectCapacity,
    Roadmap,
    Source,
    Target,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/tracker/countries/"
GEM = "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _text(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:)])", r"\1", text).replace("( ", "(")


def _listed(html: str) -> list[str]:
    """The country names of the list's rows, in order."""
    return re.findall(r'<th scope="row"><a href="/tracker/countries/[A-Z]{2}/">([^<]+)</a>', html)


def _row(html: str, code: str) -> str:
    """The text of the list row (or table row) that links to ``code``'s profile."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S):
        if f'href="/tracker/countries/{code}/"' in row:
            return _text(row).strip()
    raise AssertionError(f"no row for {code}")


def _section(html: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, heading_id
    return match.group(1)


def _query_count(client, url: str) -> int:
    cache.clear()  # bulk inserts send no signals: make sure the page is built afresh
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def _world_targets(national: Roadmap, steel) -> None:
    """Sweden's net-zero years (economy-wide 2045 in law, steel 2040) and an interim
    target; India's 2070 pledge without a roadmap."""
    end = TargetFactory(
        roadmap=national,
        kind=Target.Kind.NET_ZERO,
        base_year=None,
        target_year=2045,
        status=Target.Status.LAW,
    )
    TargetFactory(
        roadmap=national,
        sector=steel,
        kind=Target.Kind.NET_ZERO,
        base_year=None,
        target_year=2040,
        status=Target.Status.PLEDGE,
    )
    TargetFactory(
        roadmap=national,
        sector=steel,
        kind=Target.Kind.ABSOLUTE,
        base_year=2005,
        target_year=2030,
        value=Decimal("63"),
        unit="%",
        status=Target.Status.POLICY_DOCUMENT,
        end_target=end,
    )
    TargetFactory(
        roadmap=None,
        country="IN",
        kind=Target.Kind.NET_ZERO,
        base_year=None,
        target_year=2070,
        status=Target.Status.PLEDGE,
    )


def _world_projects(steel) -> None:
    """Sweden's projects: one announced (GEM), one operating with steel and iron capacity."""
    announced = IndustrialProjectFactory(
        name="Demo H2 steel", country="SE", sector=steel, source="Global Energy Monitor"
    )
    ProjectCapacityFactory(project=announced, product="crude steel", value=2500)
    operating = IndustrialProjectFactory(
        name="Demo DRI plant",
        country="SE",
        sector=steel,
        status=IndustrialProject.Status.OPERATING,
    )
    ProjectCapacityFactory(
        project=operating,
        product="crude steel",
        status=IndustrialProject.Status.OPERATING,
        value=1000,
    )
    ProjectCapacityFactory(
        project=operating, product="iron", status=IndustrialProject.Status.OPERATING, value=800
    )


@pytest.fixture
def world():
    """Sweden (LeadIT member, EU, Europe) with roadmaps, targets and projects; India (G20,
    LeadIT member) with a pledge; Germany and the US (G20) with nothing; a regional EU
    roadmap; Brazil a former member; France nothing at all."""
    steel = SectorFactory(name="Iron and steel", slug="steel", order=1)
    cement = SectorFactory(name="Cement", slug="cement", order=2)
    CountryGroupFactory(name="G20", slug="g20", countries=["IN", "DE", "US", "BR"])
    eu = CountryGroupFactory(name="European Union", slug="eu", countries=["SE", "DE", "FR"])
    CountryGroupFactory(
        name="Europe", slug="europe", kind=CountryGroup.Kind.REGION, countries=["SE", "DE"]
    )
    MemberFactory(name="India", slug="india", country="IN", kind="country", status="active")
    MemberFactory(name="Sweden", slug="sweden", country="SE", kind="country", status="active")
    MemberFactory(name="Brazil", slug="brazil", country="BR", kind="country", status="former")
    carbon = PolicyInstrumentFactory(name="Carbon pricing", slug="carbon-pricing")
    national = RoadmapFactory(
        title="Fossil-free steel roadmap",
        slug="se-steel",
        country="SE",
        sectors=[steel],
        instruments=[carbon],
        status=Roadmap.Status.ADOPTED,
    )
    RoadmapFactory(
        title="Demo Steel AB transition plan",
        slug="se-demo-steel",
        scope=Roadmap.Scope.COMPANY,
        country="SE",
        sectors=[steel],
        status=Roadmap.Status.ANNOUNCED,
    )
    RoadmapFactory(
        title="EU industrial decarbonisation roadmap",
        slug="eu-industry",
        scope=Roadmap.Scope.REGIONAL,
        country="",
        region=eu,
        sectors=[cement],
    )
    _world_targets(national, steel)
    _world_projects(steel)
    return {"steel": steel, "eu": eu, "national": national}


# --- The list -------------------------------------------------------------------------------


def test_country_list_shows_countries_with_data_g20_and_members(client, world):
    html = _page(client, LIST_URL)

    assert _listed(html) == ["Brazil", "Germany", "India", "Sweden", "United States of America"]
    assert "5 countries" in _text(html)
    assert _row(html, "SE") == "Sweden LeadIT member 2 3 2 2045 (economy-wide)"
    assert _row(html, "IN") == "India G20 LeadIT member 0 1 0 2070 (economy-wide)"
    # A missing net-zero year is "not recorded in the Tracker", never "none".
    assert _row(html, "DE") == "Germany G20 0 0 0 not recorded in the Tracker"
    # A former member is not a LeadIT member; France is in no listed group and has no data.
    assert _row(html, "BR") == "Brazil G20 0 0 0 not recorded in the Tracker"
    assert "France" not in html


def test_country_list_net_zero_prefers_economy_wide_and_skips_superseded(client, world):
    RoadmapFactory(slug="old-fi", country="FI", status=Roadmap.Status.SUPERSEDED)
    TargetFactory(roadmap=Roadmap.objects.get(slug="old-fi"), target_year=2035)
    fi = RoadmapFactory(slug="fi-cement", country="FI")
    TargetFactory(roadmap=fi, sector=world["steel"], target_year=2040)

    html = _page(client, LIST_URL)

    assert _row(html, "FI") == "Finland 2 2 0 2040 (sectoral)"
    assert _row(html, "SE").endswith("2045 (economy-wide)")  # not the 2040 steel target


def test_country_list_filters_by_group_region_and_leadit_members(client, world):
    html = _page(client, LIST_URL + "?group=g20")
    assert _listed(html) == ["Brazil", "Germany", "India", "United States of America"]
    assert "Filters on: Country group: G20 Remove" in _text(html)
    assert "4 countries" in _text(html)

    html = _page(client, LIST_URL + "?group=leadit-members")
    assert _listed(html) == ["India", "Sweden"]

    html = _page(client, LIST_URL + "?region=europe")
    assert _listed(html) == ["Germany", "Sweden"]

    html = _page(client, LIST_URL + "?region=europe&group=g20")
    assert _listed(html) == ["Germany"]
    assert '<option value="g20" selected>G20 (1)</option>' in html
    assert '<option value="leadit-members">LeadIT member countries (1)</option>' in html


def test_country_list_sorts_by_net_zero_year(client, world):
    html = _page(client, LIST_URL + "?sort=net_zero")
    assert _listed(html)[:2] == ["Sweden", "India"]


def test_country_list_unknown_filters_are_ignored_with_a_note(client, world):
    html = _page(client, LIST_URL + "?group=nope&region=%3Cb%3Emars&sort=zzz")

    text = _text(html)
    assert len(_listed(html)) == 5
    assert "Country group: “nope” is not one of the choices" in text
    assert "Region: “&lt;b&gt;mars” is not one of the choices" in text
    assert "Sort: “zzz” is not one of the choices, so countries are sorted by name" in text
    assert "<b>mars" not in html  # escaped


def test_country_list_shows_sources_and_download_of_that_list(client, world):
    html = _page(client, LIST_URL + "?group=g20")

    assert 'href="?group=g20&amp;format=csv"' in html
    assert GEM in html
    assert "Data last updated" in html


def test_country_list_csv_is_exactly_the_filtered_list_escaped(client, world):
    CountryGroupFactory(name="=cmd|' /C calc'!A0", slug="evil", countries=["IN"])

    response = client.get(LIST_URL + "?group=g20&format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:9] == [
        "iso2",
        "country",
        "roadmaps",
        "targets",
        "projects",
        "net_zero_year",
        "net_zero_scope",
        "g20",
        "leadit_member",
    ]
    assert [row[0] for row in rows[1:]] == ["BR", "DE", "IN", "US"]
    india = rows[3]
    assert india[:9] == ["IN", "India", "0", "1", "0", "2070", "economy-wide", "yes", "yes"]
    assert india[9] == "'=cmd|' /C calc'!A0"
    assert india[-1] == "http://testserver/tracker/countries/IN/"


# --- The profile ----------------------------------------------------------------------------


def test_country_profile_shows_badges_roadmaps_targets_and_projects(client, world):
    html = _page(client, "/tracker/countries/SE/")
    text = _text(html)

    assert "<h1>Sweden" in html
    assert "LeadIT member" in _text(html.split("</h1>")[0])
    assert "G20" not in _text(html.split("</h1>")[0])
    assert "Also in: European Union. Region: Europe." in text
    breadcrumbs = re.search(r'class="breadcrumbs">(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r"<li[^>]*>(?:<a [^>]+>)?([^<]+)", breadcrumbs) == [
        "Home",
        "Tracker",
        "Countries",
        "Sweden",
    ]
    assert "Net-zero year 2045 (economy-wide, in law)" in text

    roadmaps = _text(_section(html, "roadmaps-heading"))
    assert "Fossil-free steel roadmap Demo ministry National Adopted Iron and steel" in roadmaps
    assert "Demo Steel AB transition plan Demo ministry Company Announced" in roadmaps
    assert "EU industrial decarbonisation roadmap Demo ministry Regional: European Union" in (
        roadmaps
    )

    targets = _section(html, "targets-heading")
    target_rows = [_text(r).strip() for r in re.findall(r"<tr>.*?</tr>", targets, re.S)[1:]]
    assert target_rows == [
        "Iron and steel Absolute reduction Interim, towards the 2045 net zero target "
        "2005 → 2030 63 % In policy document (step 3 of 5) Fossil-free steel roadmap",
        "Iron and steel Net zero by 2040 Net zero Pledge (step 2 of 5) Fossil-free steel roadmap",
        "Economy-wide Net zero by 2045 Net zero In law (step 4 of 5) Fossil-free steel roadmap",
    ]

    projects = _section(html, "projects-heading")
    project_rows = [_text(r).strip() for r in re.findall(r"<tr>.*?</tr>", projects, re.S)[1:]]
    assert project_rows == [
        "Announced 1 2,500 ttpa crude steel",
        "Operating 1 1,000 ttpa crude steel 800 ttpa iron",
        "All statuses 2",
    ]
    assert 'href="/tracker/projects/?country=SE"' in projects
    assert f"Project data: {GEM}, licensed under CC BY 4.0." in _text(projects)

    assert 'href="/tracker/compare/?c=SE">Compare with…</a>' in html
    today = datetime.date.today().strftime("%-d %B %Y")
    assert f"Last updated {today}" in text


def test_country_profile_g20_and_member_badges(client, world):
    header = _text(_page(client, "/tracker/countries/IN/").split("</h1>")[0])
    assert header.strip().endswith("India G20 LeadIT member")

    header = _text(_page(client, "/tracker/countries/BR/").split("</h1>")[0])
    assert header.strip().endswith("Brazil G20")  # a former member has no member badge


def test_country_profile_accepts_a_lowercase_code(client, world):
    html = _page(client, "/tracker/countries/se/")

    assert "<h1>Sweden" in html
    assert '<link rel="canonical" href="http://testserver/tracker/countries/SE/">' in html


@pytest.mark.parametrize("code", ["XX", "zz9", "SWE", "S", "12", "s%20e", "%00"])
def test_country_profile_unknown_code_is_404(client, world, code):
    assert client.get(f"/tracker/countries/{code}/").status_code == 404


def test_country_profile_valid_country_without_data_says_so(client, world):
    html = _page(client, "/tracker/countries/NO/")
    text = _text(html)

    assert re.search(r"<h1>Norway\s*</h1>", html)
    assert (
        "No roadmaps, targets or industrial projects of Norway are recorded in the Tracker "
        "yet; that is not a statement that none exist." in text
    )
    assert "No roadmaps of Norway are recorded in the Tracker." in text
    assert "Net-zero year Not recorded in the Tracker" in text
    assert "The Tracker holds no record of an economy-wide net-zero target of Norway." in text
    assert "None recorded" not in text
    assert not re.search(r"\b[Nn]o (net-zero )?target\b", text)
    assert "Last updated never" in text
    assert GEM in text


def test_country_profile_regional_roadmap_appears_for_its_members(client, world):
    html = _page(client, "/tracker/countries/FR/")
    text = _text(html)

    assert "EU industrial decarbonisation roadmap" in text
    assert "Regional: European Union" in text
    assert "Roadmaps recorded 0 + 1 regional" in text


def test_country_profile_shows_an_edit_at_once(client, world):
    _page(client, "/tracker/countries/SE/")
    RoadmapFactory(title="Brand new cement roadmap", country="SE")

    assert "Brand new cement roadmap" in _page(client, "/tracker/countries/SE/")


def test_country_pages_after_member_change_show_badge_at_once(client, world):
    assert "LeadIT member" not in _page(client, "/tracker/countries/DE/").split("</h1>")[0]
    MemberFactory(name="Germany", slug="germany", country="DE", kind="country")

    header = _text(_page(client, "/tracker/countries/DE/").split("</h1>")[0])
    assert header.strip().endswith("Germany G20 LeadIT member")


# --- Query counts -----------------------------------------------------------------------------


def grow(total: int) -> None:
    """Bring the database to ``total`` roadmaps, spread over Sweden, India and the EU, each
    with sectors, instruments, a source and two targets; and a project per roadmap."""
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement", slug="cement")
    instrument = PolicyInstrumentFactory(name="Carbon pricing", slug="carbon-pricing")
    eu = CountryGroupFactory(name="European Union", slug="eu", countries=["SE", "DE"])
    start = Roadmap.objects.count()
    new = []
    for i in range(start, total):
        country = ["SE", "IN", ""][i % 3]
        new.append(
            Roadmap(
                title=f"Bulk roadmap {i}",
                slug=f"bulk-{i}",
                scope=Roadmap.Scope.REGIONAL if not country else Roadmap.Scope.NATIONAL,
                country=country,
                region=eu if not country else None,
                publisher="Bulk ministry",
                status=Roadmap.Status.ADOPTED,
                published_on=datetime.date(2020, 1, 1),
            )
        )
    roadmaps = Roadmap.objects.bulk_create(new)
    Roadmap.sectors.through.objects.bulk_create(
        [Roadmap.sectors.through(roadmap=r, sector=s) for r in roadmaps for s in (steel, cement)]
    )
    Roadmap.instruments.through.objects.bulk_create(
        [Roadmap.instruments.through(roadmap=r, policyinstrument=instrument) for r in roadmaps]
    )
    Source.objects.bulk_create(
        [Source(roadmap=r, url=f"https://example.org/{r.slug}", title=r.title) for r in roadmaps]
    )
    Target.objects.bulk_create(
        [
            Target(
                roadmap=r,
                country=r.country,
                sector=steel if k else None,
                kind=Target.Kind.NET_ZERO if k else Target.Kind.ABSOLUTE,
                base_year=2005,
                target_year=2040 + k * 5,
                value=None if k else Decimal("50"),
                unit="%",
                status=Target.Status.LAW,
            )
            for r in roadmaps
            for k in (0, 1)
        ]
    )
    projects = IndustrialProject.objects.bulk_create(
        [
            IndustrialProject(
                name=f"Bulk plant {r.pk}",
                slug=f"bulk-plant-{r.pk}",
                country=r.country or "DE",
                sector=steel,
                status=IndustrialProject.Status.OPERATING,
            )
            for r in roadmaps
        ]
    )
    ProjectCapacity.objects.bulk_create(
        [
            ProjectCapacity(project=p, product="crude steel", status=p.status, value=1000)
            for p in projects
        ]
    )


@pytest.mark.parametrize(
    "url",
    [
        "/tracker/countries/SE/",
        "/tracker/countries/de/",
        LIST_URL,
        LIST_URL + "?group=g20&region=europe&sort=net_zero",
        LIST_URL + "?format=csv",
    ],
)
def test_country_pages_query_count_is_the_same_at_10_and_500_roadmaps(client, world, url):
    grow(10)
    small = _query_count(client, url)
    grow(500)
    assert Roadmap.objects.filter(country="SE").count() > 150

    assert _query_count(client, url) == small
