"""The catalogue's downloads /technology/export.csv|.xlsx|.json: exactly the filtered
catalogue (every page, in its order), each row with licence, citation and time; never a
hidden solution nor a contact; an unknown format answers 404; as many queries for 3
solutions as for 30."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from technology.models import TechnologySolution, Visibility
from tests.factories.members import EditorFactory, SectorFactory
from tests.factories.technology import (
    PatentFamilyFactory,
    SolutionCountryFactory,
    TechnologySolutionFactory,
)
from tests.factories.tracker import IndustrialProjectFactory, TechnologyFactory
from tests.technology.test_catalogue import many_solutions

pytestmark = pytest.mark.django_db


def export_url(fmt: str) -> str:
    return reverse("technology:export", kwargs={"fmt": fmt})


@pytest.fixture
def solutions():
    steel = SectorFactory(name="Iron and steel", slug="steel")
    dri = TechnologyFactory(name="H2-DRI", slug="h2-dri")
    shaft = TechnologySolutionFactory(
        name="Hydrogen shaft furnace",
        technology=dri,
        trl=8,
        sectors=[steel],
        contact_name="Robin Engineer",
        contact_email="robin@steelco.example",
        reference_plants=[IndustrialProjectFactory(name="Demo Luleå DRI plant")],
        ip_status=TechnologySolution.IPStatus.PATENTED,
    )
    PatentFamilyFactory(solution=shaft, number="EP3456789")
    SolutionCountryFactory(solution=shaft, country="IN")
    TechnologySolutionFactory(name="Electrolyser pilot", technology=dri, trl=4, sectors=[steel])
    TechnologySolutionFactory(name="Flash calciner", trl=6, available_worldwide=True, is_demo=True)
    TechnologySolutionFactory(
        name="Members-only furnace", technology=dri, trl=9, visibility=Visibility.MEMBERS
    )
    return shaft


def _csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_is_exactly_the_filtered_catalogue_in_its_order(client, solutions):
    query = "?technology=h2-dri&sort=-trl"
    page = client.get(reverse("technology:index") + query)
    rows = _csv(client.get(export_url("csv") + query))
    assert [row["name"] for row in rows] == [s.name for s in page.context["solutions"]]
    assert [row["name"] for row in rows] == ["Hydrogen shaft furnace", "Electrolyser pilot"]
    shaft = rows[0]
    assert shaft["trl"] == "8"
    assert shaft["trl_label"] == "First of a kind commercial"
    assert shaft["sectors"] == "Iron and steel"
    assert shaft["available_in"] == "India"
    assert shaft["reference_plants"] == "Demo Luleå DRI plant"
    assert shaft["patent_families"].startswith("EP3456789 (EPO, filed 2020-01-01")
    assert shaft["licence"] == "CC BY 4.0"
    assert "LeadIT technology transfer: solution catalogue" in shaft["cite_as"]
    assert "technology=h2-dri" in shaft["cite_as"]
    assert shaft["generated_at"]
    assert shaft["trl_assessed_by"] == "not_recorded"


def test_downloads_never_carry_hidden_solutions_nor_contacts(client, solutions):
    for fmt in ("csv", "json", "xlsx"):
        content = client.get(export_url(fmt)).content
        if fmt != "xlsx":
            text = content.decode("utf-8-sig")
            assert "Members-only furnace" not in text
            assert "robin@steelco.example" not in text
            assert "Robin Engineer" not in text
    names = [row["name"] for row in _csv(client.get(export_url("csv")))]
    assert sorted(names) == ["Electrolyser pilot", "Flash calciner", "Hydrogen shaft furnace"]
    demo = next(
        row for row in _csv(client.get(export_url("csv"))) if row["name"] == "Flash calciner"
    )
    assert demo["demo_record"] == "Demo record (invented)"
    assert demo["available_in"] == "Worldwide"


def test_a_members_editor_downloads_members_solutions_too(client, solutions):
    client.force_login(EditorFactory())
    names = [row["name"] for row in _csv(client.get(export_url("csv")))]
    assert "Members-only furnace" in names


def test_json_and_xlsx_carry_licence_citation_and_filters(client, solutions):
    document = json.loads(client.get(export_url("json") + "?trl_min=6&trl_max=99").content)
    assert [s["name"] for s in document["solutions"]] == [
        "Flash calciner",
        "Hydrogen shaft furnace",
    ]
    assert document["licence"] == "CC BY 4.0"
    assert document["filters"] == {"trl_min": "6"}
    assert document["ignored_filters"] == {"trl_max": "99"}
    assert document["title"] == "LeadIT technology transfer: Solution catalogue"
    response = client.get(export_url("xlsx") + "?trl_min=6")
    assert 'filename="leadit-technology-solutions-' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Solutions"].values)
    assert [row[1] for row in rows[1:]] == ["Flash calciner", "Hydrogen shaft furnace"]
    about = dict(book["About"].values)
    assert about["Licence"].startswith("CC BY 4.0")
    assert about["Title"] == "LeadIT technology transfer: Solution catalogue"


def test_an_unknown_format_answers_404(client, solutions):
    assert client.get(export_url("pdf")).status_code == 404


def _queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_download_reads_as_many_queries_for_3_and_30_solutions(client, fmt):
    url = export_url(fmt) + "?sector=steel&country=in"
    many_solutions(3)
    few = _queries(client, url)
    TechnologySolution.objects.all().delete()
    many_solutions(30)
    assert _queries(client, url) == few
