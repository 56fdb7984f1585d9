"""Downloads of the roadmap list: /tracker/export.csv|.xlsx|.json, exactly the filtered
list (every page, same order), spreadsheets never given a formula, licence and citation."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.tracker import (
    CountryGroupFactory,
    PolicyInstrumentFactory,
    RoadmapFactory,
    SectorFactory,
    TargetFactory,
)
from tracker.models import CountryGroup, Roadmap, Target

pytestmark = pytest.mark.django_db

COLUMNS = [
    "slug",
    "title",
    "is_demo",
    "scope",
    "country_code",
    "country_name",
    "region",
    "publisher",
    "published_on",
    "status",
    "sectors",
    "instruments",
    "net_zero_year",
    "earliest_target_year",
    "document_url",
    "last_reviewed_on",
    "url",
]
DANGEROUS_TITLES = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2-2",
    "@SUM(A1:A9)",
    "\tTabbed",
    "\rReturned",
]


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _csv(client, query: str = "") -> list[list[str]]:
    response = _get(client, f"/tracker/export.csv{query}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx(client, query: str = "") -> openpyxl.Workbook:
    response = _get(client, f"/tracker/export.xlsx{query}")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _json(client, query: str = "") -> dict:
    response = _get(client, f"/tracker/export.json{query}")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


@pytest.fixture
def data():
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement", slug="cement")
    europe = CountryGroupFactory(
        name="Europe", slug="europe", kind=CountryGroup.Kind.REGION, countries=["SE", "DE"]
    )
    sweden = RoadmapFactory(
        title="Swedish steel",
        slug="swedish-steel",
        country="SE",
        publisher="Fossil Free Sweden",
        published_on=datetime.date(2018, 4, 12),
        status=Roadmap.Status.IN_IMPLEMENTATION,
        sectors=[steel, cement],
        instruments=[PolicyInstrumentFactory(name="Carbon pricing", slug="carbon-pricing")],
        document_url="https://example.org/se.pdf",
        last_reviewed_on=datetime.date(2025, 1, 15),
    )
    TargetFactory(roadmap=sweden, kind=Target.Kind.NET_ZERO, target_year=2045)
    TargetFactory(roadmap=sweden, kind=Target.Kind.ABSOLUTE, target_year=2030)
    RoadmapFactory(
        title="European steel",
        slug="european-steel",
        scope=Roadmap.Scope.REGIONAL,
        country="",
        region=europe,
        publisher="European Commission",
        published_on=None,
        sectors=[steel],
        last_reviewed_on=None,
    )
    RoadmapFactory(title="Indian cement", slug="indian-cement", country="IN", sectors=[cement])
    return sweden


def test_export_csv_is_exactly_the_filtered_list(client, data):
    rows = _csv(client, "?sector=steel&sort=title")

    assert rows[0] == COLUMNS
    # A missing value is "not_recorded", never an empty cell that could read as "none".
    assert rows[1:] == [
        [
            "european-steel",
            "European steel",
            "no",
            "Regional",
            "not_recorded",
            "not_recorded",
            "Europe",
            "European Commission",
            "not_recorded",
            "Adopted",
            "Iron and steel",
            "not_recorded",
            "not_recorded",
            "not_recorded",
            "not_recorded",
            "not_recorded",
            "http://testserver/tracker/roadmaps/european-steel/",
        ],
        [
            "swedish-steel",
            "Swedish steel",
            "no",
            "National",
            "SE",
            "Sweden",
            "not_recorded",
            "Fossil Free Sweden",
            "2018-04-12",
            "In implementation",
            "Cement; Iron and steel",
            "Carbon pricing",
            "2045",
            "2030",
            "https://example.org/se.pdf",
            "2025-01-15",
            "http://testserver/tracker/roadmaps/swedish-steel/",
        ],
    ]


def test_export_keeps_the_list_order_and_every_page(client):
    Roadmap.objects.bulk_create(
        Roadmap(
            title=f"Roadmap {n:02d}",
            slug=f"roadmap-{n:02d}",
            scope="national",
            country="SE",
            publisher="Demo",
            status="adopted",
            published_on=datetime.date(2000 + n, 1, 1),
        )
        for n in range(40)
    )

    rows = _csv(client, "?sort=-published_on&page=2")

    assert [row[0] for row in rows[1:]] == [f"roadmap-{n:02d}" for n in reversed(range(40))]


def test_export_region_group_and_ignored_filters_like_the_list(client, data):
    CountryGroupFactory(name="G20", slug="g20", countries=["IN", "DE"])

    assert [r[0] for r in _csv(client, "?region=europe")[1:]] == ["european-steel", "swedish-steel"]
    assert [r[0] for r in _csv(client, "?g20=1")[1:]] == ["indian-cement"]
    assert len(_csv(client, "?sector=nope&target_from=abc")) == 4  # ignored: every roadmap


def test_export_xlsx_has_the_rows_and_an_about_sheet(client, data):
    book = _xlsx(client, "?sector=steel")

    assert book.sheetnames == ["Roadmaps", "About"]
    rows = list(book["Roadmaps"].iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert [row[0] for row in rows[1:]] == ["european-steel", "swedish-steel"]
    sweden = dict(zip(COLUMNS, rows[2], strict=True))
    assert sweden["net_zero_year"] == 2045
    assert sweden["earliest_target_year"] == 2030
    assert sweden["sectors"] == "Cement; Iron and steel"
    about = dict(book["About"].iter_rows(values_only=True))
    today = datetime.date.today().isoformat()
    assert about["Licence"] == "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
    assert about["Citation"] == (
        f"LeadIT Industry Transition Tracker, {today}, http://testserver/tracker/?sector=steel"
    )
    assert about["Filters"] == "sector=steel"
    assert about["Roadmaps"] == 2
    assert about["Demo records (invented)"] == 0
    europe = dict(zip(COLUMNS, rows[1], strict=True))
    assert europe["published_on"] == "not_recorded"
    assert europe["net_zero_year"] == "not_recorded"
    assert europe["is_demo"] == "no"
    assert datetime.datetime.fromisoformat(about["Generated at"]).date() == datetime.date.today()


def test_export_json_has_metadata_and_the_rows(client, data):
    document = _json(client, "?sector=steel&scope=national&page=3&target_from=abc")

    today = datetime.date.today().isoformat()
    assert document["licence"] == "CC BY 4.0"
    assert document["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    # The citation points at the list as shown: the ignored year is not in it.
    assert document["citation"] == (
        f"LeadIT Industry Transition Tracker, {today}, "
        "http://testserver/tracker/?sector=steel&scope=national"
    )
    generated = datetime.datetime.fromisoformat(document["generated_at"])
    assert generated.tzinfo is not None
    assert abs(generated - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=5)
    assert document["filters"] == {"sector": "steel", "scope": "national"}
    assert document["ignored_filters"] == {"target_from": "abc"}
    assert document["sort"] == "title"
    assert document["count"] == 1
    assert document["roadmaps"] == [
        {
            "slug": "swedish-steel",
            "title": "Swedish steel",
            "is_demo": False,
            "scope": "National",
            "country_code": "SE",
            "country_name": "Sweden",
            "region": "not_recorded",
            "publisher": "Fossil Free Sweden",
            "published_on": "2018-04-12",
            "status": "In implementation",
            "sectors": "Cement; Iron and steel",
            "instruments": "Carbon pricing",
            "net_zero_year": 2045,
            "earliest_target_year": 2030,
            "document_url": "https://example.org/se.pdf",
            "last_reviewed_on": "2025-01-15",
            "url": "http://testserver/tracker/roadmaps/swedish-steel/",
        }
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_file_name_carries_the_date(client, fmt):
    response = _get(client, f"/tracker/export.{fmt}")

    today = datetime.date.today().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="leadit-tracker-roadmaps-{today}.{fmt}"'
    )
    # The cached copy says the same.
    assert (
        _get(client, f"/tracker/export.{fmt}")["Content-Disposition"]
        == (response["Content-Disposition"])
    )


def _dangerous_roadmaps():
    for n, title in enumerate(DANGEROUS_TITLES):
        RoadmapFactory(title=title, slug=f"danger-{n}", publisher='=HYPERLINK("http://x")')


def test_export_csv_escapes_formulae(client):
    _dangerous_roadmaps()

    rows = _csv(client)

    titles = {row[0]: row[1] for row in rows[1:]}
    assert {titles[f"danger-{n}"] for n in range(6)} == {"'" + t for t in DANGEROUS_TITLES}
    assert {row[7] for row in rows[1:]} == {'\'=HYPERLINK("http://x")'}
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_export_xlsx_escapes_formulae(client):
    _dangerous_roadmaps()

    sheet = _xlsx(client)["Roadmaps"]

    titles = {}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
        titles[row[0].value] = row[1].value
    # (XML reads a carriage return back as a line feed.)
    assert {titles[f"danger-{n}"] for n in range(6)} == {
        "'" + t.replace("\r", "\n") for t in DANGEROUS_TITLES
    }


def test_export_json_keeps_values_exact(client):
    _dangerous_roadmaps()

    document = _json(client)

    assert sorted(r["title"] for r in document["roadmaps"]) == sorted(DANGEROUS_TITLES)


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "xls", "csv.exe", "html"])
def test_export_unknown_format_is_404(client, fmt):
    assert client.get(f"/tracker/export.{fmt}").status_code == 404


def _bulk(count: int, start: int, sector) -> None:
    roadmaps = Roadmap.objects.bulk_create(
        Roadmap(
            title=f"Bulk {n}",
            slug=f"bulk-{n}",
            scope="national",
            country="DE",
            publisher="Bulk",
            status="adopted",
        )
        for n in range(start, start + count)
    )
    through = Roadmap.sectors.through
    through.objects.bulk_create(through(roadmap_id=r.pk, sector_id=sector.pk) for r in roadmaps)
    Target.objects.bulk_create(
        Target(roadmap=r, country="DE", kind="net_zero", target_year=2050, status="law")
        for r in roadmaps
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_query_count_does_not_grow_with_roadmaps(client, fmt):
    sector = SectorFactory(slug="steel")
    PolicyInstrumentFactory()
    _bulk(10, 0, sector)
    url = f"/tracker/export.{fmt}?sector=steel&sort=country"

    cache.clear()
    with CaptureQueriesContext(connection) as small:
        _get(client, url)
    _bulk(490, 10, sector)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = _get(client, url)

    assert len(small) == len(large)
    if fmt == "csv":
        assert len(response.content.decode("utf-8-sig").splitlines()) == 501


def test_export_edit_shows_at_once_despite_the_cache(client):
    roadmap = RoadmapFactory(title="Old title")
    assert _json(client)["roadmaps"][0]["title"] == "Old title"

    roadmap.title = "New title"
    roadmap.save()

    assert _json(client)["roadmaps"][0]["title"] == "New title"
