"""The project pages: the list /tracker/projects/ (filters, facet counts, CSV, attribution)
and one project /tracker/projects/<slug>/."""

import csv
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.tracker import (
    IndustrialProjectFactory,
    ProjectCapacityFactory,
    SectorFactory,
    TechnologyFactory,
)
from tracker.gem_import import GEM_SOURCE
from tracker.models import IndustrialProject, ProjectCapacity

pytestmark = pytest.mark.django_db

LIST_URL = "/tracker/projects/"
GEM_LINE = "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release."


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:)])", r"\1", text)


def _names_listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/tracker/projects/[^"]+/">([^<]+)</a>', html)


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.fixture
def steel():
    return SectorFactory(name="Iron and steel", slug="steel")


@pytest.fixture
def plants(steel):
    """Two Swedish plants (one under construction, one announced) and an Indian one."""
    dri = TechnologyFactory(name="Direct reduced iron (DRI)", slug="direct-reduced-iron")
    eaf = TechnologyFactory(name="Electric arc furnace (EAF)", slug="electric-arc-furnace")
    bf = TechnologyFactory(name="Blast furnace (BF)", slug="blast-furnace")
    stegra = IndustrialProjectFactory(
        name="Stegra Boden steel plant",
        slug="stegra-boden-steel-plant-p100000120850",
        owner="Stegra AB",
        parent="BNP Paribas SA; European Investment Bank",
        country="SE",
        location="Norrbotten",
        latitude="65.805389",
        longitude="21.759140",
        coordinate_accuracy="approximate",
        sector=steel,
        status=IndustrialProject.Status.CONSTRUCTION,
        start_year=2025,
        production_equipment="DRI; EAF",
        external_id="P100000120850",
        source=GEM_SOURCE,
        source_url="https://www.gem.wiki/Stegra_Boden_steel_plant",
        technologies=[dri, eaf],
    )
    ProjectCapacityFactory(project=stegra, product="crude steel", status="construction", value=2500)
    ProjectCapacityFactory(project=stegra, product="DRI", status="announced", value=2100)
    hybrit = IndustrialProjectFactory(
        name="HYBRIT Gallivare sponge iron plant",
        slug="hybrit-gallivare",
        owner="Hybrit Development AB",
        country="SE",
        sector=steel,
        status=IndustrialProject.Status.ANNOUNCED,
        start_year=2026,
        source=GEM_SOURCE,
        external_id="P100000120851",
        technologies=[dri],
    )
    ProjectCapacityFactory(project=hybrit, product="iron", status="announced", value=1200)
    jsw = IndustrialProjectFactory(
        name="JSW Vijayanagar steel plant",
        slug="jsw-vijayanagar",
        owner="JSW Steel Ltd",
        country="IN",
        sector=steel,
        status=IndustrialProject.Status.OPERATING,
        start_year=1994,
        technologies=[bf],
        last_reviewed_on=datetime.date(2025, 2, 3),
    )
    return {"stegra": stegra, "hybrit": hybrit, "jsw": jsw}


# --- the list ----------------------------------------------------------------------------


def test_project_list_shows_every_project_with_its_count(client, plants):
    html = _page(client, LIST_URL)

    assert _names_listed(html) == [
        "HYBRIT Gallivare sponge iron plant",
        "JSW Vijayanagar steel plant",
        "Stegra Boden steel plant",
    ]
    text = _text(html)
    assert "3 projects" in text
    assert "No filters on: all 3 projects are shown." in text
    assert "2,500 crude steel, under construction" in text
    assert '<a href="/tracker/countries/SE/">Sweden</a>' in html


def test_project_list_shows_gem_attribution_and_last_updated(client, plants):
    text = _text(_page(client, LIST_URL))

    assert f"Plant data (2 of the 3 projects): {GEM_LINE} Licence: CC BY 4.0." in text
    assert "Project data last updated" in text
    assert "Last reviewed by the LeadIT secretariat 3 February 2025." in text


def test_project_list_filters_by_country_status_and_technology(client, plants):
    html = _page(
        client, f"{LIST_URL}?country=se&status=construction&technology=direct-reduced-iron"
    )

    assert _names_listed(html) == ["Stegra Boden steel plant"]
    text = _text(html)
    assert "1 project " in text
    assert "Country: Sweden" in text
    assert "Status: Under construction" in text
    assert "Technology: Direct reduced iron (DRI)" in text


def test_project_list_searches_name_and_owner(client, plants):
    assert _names_listed(_page(client, f"{LIST_URL}?q=jsw+steel")) == [
        "JSW Vijayanagar steel plant"
    ]
    assert _names_listed(_page(client, f"{LIST_URL}?q=hybrit+development")) == [
        "HYBRIT Gallivare sponge iron plant"
    ]


def test_project_list_counts_each_facet_with_the_other_filters_kept(client, plants):
    html = _page(client, f"{LIST_URL}?status=announced")

    assert '<option value="SE">Sweden (1)</option>' in html
    assert '<option value="IN">India (0)</option>' in html
    # The status facet ignores the status filter itself.
    assert '<option value="operating">Operating (1)</option>' in html
    assert '<option value="announced" selected>Announced (1)</option>' in html
    assert '<option value="direct-reduced-iron">Direct reduced iron (DRI) (1)</option>' in html
    assert '<option value="steel">Iron and steel (1)</option>' in html


def test_project_list_ignores_unknown_filter_values_with_a_note(client, plants):
    html = _page(client, f"{LIST_URL}?status=dreaming&technology=warp-drive&country=XX")

    assert len(_names_listed(html)) == 3
    text = _text(html)
    assert "Some filters were ignored because their values are not known" in text
    assert "Status: “dreaming” is not one of the choices" in text
    assert "Technology: “warp-drive” is not one of the choices" in text
    assert "Country: “XX” is not one of the choices" in text


def test_project_list_page_past_the_end_gives_the_last_page(client, steel):
    IndustrialProject.objects.bulk_create(
        IndustrialProject(
            name=f"Plant {n:03}", slug=f"plant-{n}", country="DE", sector=steel, status="operating"
        )
        for n in range(60)
    )

    html = _page(client, f"{LIST_URL}?page=99")

    assert "Page 2 of 2 (projects 51–60)" in _text(html)
    assert len(_names_listed(html)) == 10
    assert len(_names_listed(_page(client, f"{LIST_URL}?page=abc"))) == 50


def test_project_list_csv_is_exactly_the_filtered_list(client, plants):
    html = _page(client, f"{LIST_URL}?country=SE&page=1")
    assert 'href="/tracker/projects/?country=SE&amp;format=csv"' in html

    response = client.get(f"{LIST_URL}?country=SE&format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["name"] for row in rows] == [
        "HYBRIT Gallivare sponge iron plant",
        "Stegra Boden steel plant",
    ]
    stegra = rows[1]
    assert stegra["country_code"] == "SE"
    assert stegra["status"] == "Under construction"
    assert stegra["technologies"] == "Direct reduced iron (DRI); Electric arc furnace (EAF)"
    assert (
        stegra["capacities_ttpa"] == "DRI (announced): 2100; crude steel (under construction): 2500"
    )
    assert stegra["external_id"] == "P100000120850"
    assert stegra["source"] == GEM_LINE
    assert stegra["licence"] == "CC BY 4.0"
    assert (
        stegra["url"]
        == "http://testserver/tracker/projects/stegra-boden-steel-plant-p100000120850/"
    )


def test_project_list_csv_escapes_formulae(client, steel):
    IndustrialProjectFactory(
        name='=HYPERLINK("http://evil")', slug="evil", owner="@owner", sector=steel
    )

    response = client.get(f"{LIST_URL}?format=csv")

    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["name"] == '\'=HYPERLINK("http://evil")'
    assert row["owner"] == "'@owner"


def test_project_list_shows_an_edit_at_once(client, plants):
    _page(client, LIST_URL)  # now cached
    plants["jsw"].name = "JSW Vijayanagar works"
    plants["jsw"].save()

    assert "JSW Vijayanagar works" in _names_listed(_page(client, LIST_URL))


def test_project_list_has_no_inline_style_or_script(client, plants):
    html = _page(client, LIST_URL)

    assert "style=" not in html
    assert "<script>" not in html
    assert "/static/css/tracker-projects.css" in html


def _many_projects(steel, n: int) -> None:
    dri = TechnologyFactory(name="Direct reduced iron (DRI)", slug="direct-reduced-iron")
    projects = IndustrialProject.objects.bulk_create(
        IndustrialProject(
            name=f"Plant {i:04}",
            slug=f"plant-{i}",
            country=("SE", "IN", "DE")[i % 3],
            sector=steel,
            status=("operating", "announced")[i % 2],
            source=GEM_SOURCE,
        )
        for i in range(n)
    )
    IndustrialProject.technologies.through.objects.bulk_create(
        IndustrialProject.technologies.through(industrialproject=p, technology=dri)
        for p in projects
    )
    ProjectCapacity.objects.bulk_create(
        ProjectCapacity(project=p, product="crude steel", status="operating", value=1000)
        for p in projects
    )


@pytest.mark.parametrize(
    "query", ["", "?country=SE&status=operating&technology=direct-reduced-iron&q=plant"]
)
def test_project_list_query_count_does_not_grow_with_projects(client, steel, query):
    _many_projects(steel, 10)
    small = _query_count(client, LIST_URL + query)
    IndustrialProject.objects.all().delete()
    _many_projects(steel, 500)
    cache.clear()  # bulk writes send no signals, so the cached page would be served

    assert _query_count(client, LIST_URL + query) == small


def test_project_csv_query_count_does_not_grow_with_projects(client, steel):
    _many_projects(steel, 10)
    small = _query_count(client, f"{LIST_URL}?format=csv")
    IndustrialProject.objects.all().delete()
    _many_projects(steel, 500)
    cache.clear()  # bulk writes send no signals, so the cached page would be served

    assert _query_count(client, f"{LIST_URL}?format=csv") == small


# --- one project -------------------------------------------------------------------------


def test_project_detail_shows_the_plant(client, plants):
    html = _page(client, "/tracker/projects/stegra-boden-steel-plant-p100000120850/")
    text = _text(html)

    assert "<h1>Stegra Boden steel plant</h1>" in html
    assert "Owner Stegra AB" in text
    assert "Parent company BNP Paribas SA; European Investment Bank" in text
    assert '<a href="/tracker/countries/SE/">Sweden</a>' in html
    assert "Location Norrbotten" in text
    assert "Coordinates 65.8054, 21.7591 (approximate)" in text
    assert "Status Under construction" in text
    assert "Start year 2025" in text
    assert "Direct reduced iron (DRI), Electric arc furnace (EAF)" in text
    assert "GEM plant ID: P100000120850" in text
    assert 'href="https://www.gem.wiki/Stegra_Boden_steel_plant"' in html
    assert GEM_LINE in text
    assert "Not yet reviewed by the LeadIT secretariat" in text
    assert "style=" not in html


def test_project_detail_lists_capacities_in_a_table(client, plants):
    html = _page(client, "/tracker/projects/stegra-boden-steel-plant-p100000120850/")

    rows = re.findall(
        r"<tr>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>\s*"
        r"<td class=\"number\">(.*?)</td>\s*<td>(.*?)</td>",
        html,
    )
    assert [(p, s, v, re.sub(r"<[^>]+>", "", u)) for p, s, v, u in rows] == [
        ("DRI", "Announced", "2,100", "ttpa"),
        ("Crude steel", "Under construction", "2,500", "ttpa"),
    ]
    assert '<th scope="col">Product</th>' in html


def test_project_detail_shows_review_date_and_no_gem_line_for_other_sources(client, plants):
    text = _text(_page(client, "/tracker/projects/jsw-vijayanagar/"))

    assert "Last reviewed by the LeadIT secretariat on 3 February 2025." in text
    assert GEM_LINE not in text
    assert "No capacity figures are recorded for this project." in text


def test_project_detail_unknown_slug_is_404(client, plants):
    assert client.get("/tracker/projects/no-such-plant/").status_code == 404


def test_project_detail_query_count_does_not_grow_with_projects(client, steel):
    _many_projects(steel, 10)
    small = _query_count(client, "/tracker/projects/plant-3/")
    IndustrialProject.objects.bulk_create(
        IndustrialProject(
            name=f"Extra {i}", slug=f"extra-{i}", country="SE", sector=steel, status="operating"
        )
        for i in range(490)
    )
    ProjectCapacity.objects.bulk_create(
        ProjectCapacity(
            project_id=IndustrialProject.objects.get(slug="plant-4").pk,
            product=f"product {i}",
            status="operating",
            value=i,
        )
        for i in range(50)
    )

    assert _query_count(client, "/tracker/projects/plant-4/") == small
