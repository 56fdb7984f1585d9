"""The Tracker tells the truth: a missing value reads "not recorded in the Tracker" (and
``not_recorded`` in downloads), never "none"; invented demo records are labelled wherever
they appear and never count for a real country; the demo seed's net-zero targets of the
G20 are sourced facts or "not recorded"."""

import csv
import datetime
import io
import json
import re

import openpyxl
import pytest
from django.core.cache import cache

import tracker.demo
from tests.factories.tracker import (
    CountryGroupFactory,
    RoadmapFactory,
    SectorFactory,
    TargetFactory,
)
from tracker.models import Roadmap, Target

pytestmark = pytest.mark.django_db

NR = "not recorded in the Tracker"
DEMO = "Demo record (invented)"
G20 = ["AR", "AU", "BR", "CA", "CN", "FR", "DE", "IN", "ID", "IT", "JP", "MX", "RU", "SA", "ZA", "KR", "TR", "GB", "US"]  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _text(html: str) -> str:
    """What a reader sees: tags dropped, whitespace collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text).replace("&#x27;", "'").replace("&amp;", "&")


def _coverage_rows(html: str) -> dict[str, list[str]]:
    """Coverage matrix body rows: country name → the text of its cells."""
    table = html.split('class="coverage-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [_text(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[re.sub(r" (G20|LeadIT member)", "", cells[0]).strip()] = cells[1:]
    return rows


def _no_false_absence(text: str) -> None:
    text = text.split("LeadIT — the Leadership Group")[0]  # the site's footer
    assert not re.search(r"\b[Nn]o (economy-wide |net-zero )?target\b", text)
    assert "None recorded" not in text and "Neither yet" not in text
    assert "—" not in text


# --- The seed: sourced net-zero targets of the G20 -------------------------------------------


@pytest.fixture
def seeded():
    tracker.demo._seed_reference_data()
    tracker.demo._seed_roadmaps()


def test_seed_gives_every_g20_country_a_sourced_target_or_not_recorded(client, seeded):
    html = _get(client, "/tracker/coverage/").content.decode()
    rows = _coverage_rows(html)
    text = _text(html)

    # The facts the issue names, as the public reads them.
    assert rows["China"][0] == "2060 In policy document"
    assert rows["Japan"][0] == "2050 In law"
    assert rows["United States of America"][0] == "2050 In policy document"
    assert rows["France"][0] == "2050 In law"
    assert rows["Germany"][0] == "2045 In law"
    assert rows["India"][0] == "2070 Pledge"
    assert rows["Türkiye"][0] == "2053 Pledge"
    # Not clear enough in the public record for us: not recorded, which is all we say.
    assert rows["Mexico"][0] == NR
    _no_false_absence(text)

    # Every G20 country: a target whose source is named and reviewed, or "not recorded".
    for code in G20:
        targets = Target.objects.filter(kind=Target.Kind.NET_ZERO, sector__isnull=True).filter(
            country=code
        ) | Target.objects.filter(
            kind=Target.Kind.NET_ZERO, sector__isnull=True, country="", roadmap__country=code
        )
        profile = _text(_get(client, f"/tracker/countries/{code}/").content.decode())
        if code == "MX":
            assert not targets.exists()
            assert "Net-zero year Not recorded in the Tracker" in profile
            continue
        assert targets.exists(), code
        for target in targets:
            assert target.source_publisher and target.source_title and target.source_year, code
            assert target.last_reviewed_on == datetime.date(2026, 10, 1), code
            assert target.status in Target.Status.values
            assert not (target.roadmap_id and target.roadmap.is_demo)
        assert "Net-zero year: " in profile and "last reviewed 2026-10-01" in profile, code
        _no_false_absence(profile)

    # The European Union's climate neutrality, in law, on its regional roadmap.
    eu = Roadmap.objects.get(slug="european-green-deal")
    assert eu.targets.get(kind=Target.Kind.NET_ZERO).source_title.startswith("European Climate Law")


def test_seed_shows_a_countrys_source_on_its_profile(client, seeded):
    text = _text(_get(client, "/tracker/countries/CN/").content.decode())

    assert "Net-zero year 2060 (economy-wide, in policy document)" in text
    assert (
        "Net-zero year: Central Committee of the Communist Party of China and State Council, "
        "Working Guidance for Carbon Dioxide Peaking and Carbon Neutrality" in text
    )


def test_seed_demo_records_are_fictional_and_tied_to_no_country(seeded):
    # A record of the earlier seed that tied invented targets to China is removed.
    RoadmapFactory(slug="demo-cn-steel", country="CN", title="Iron and steel, CN (demo)")
    tracker.demo._seed_roadmaps()
    counts = (Roadmap.objects.count(), Target.objects.count())
    tracker.demo._seed_roadmaps()  # idempotent

    assert (Roadmap.objects.count(), Target.objects.count()) == counts
    assert not Roadmap.objects.filter(slug="demo-cn-steel").exists()
    demos = Roadmap.objects.filter(is_demo=True)
    assert demos.count() == len(tracker.demo.DEMO)
    for roadmap in demos:
        assert roadmap.title.startswith("Demo roadmap")
        assert roadmap.publisher == "Demo publisher (fictional)"
        assert not roadmap.country and roadmap.region_id is None
        assert "Demo record (invented)" in roadmap.summary
    # No invented record has a real country's name on it.
    assert not Roadmap.objects.filter(is_demo=False, publisher__icontains="demo").exists()


# --- Demo records: labelled everywhere, never counted for a country ------------------------


@pytest.fixture
def demo_and_real():
    steel = SectorFactory(name="Iron and steel", slug="steel")
    CountryGroupFactory(name="G20", slug="g20", countries=["US", "IN"])
    real = RoadmapFactory(title="Real steel roadmap", slug="real", country="IN", sectors=[steel])
    demo = RoadmapFactory(
        title="Demo roadmap: invented steel plan",
        slug="invented",
        country="US",
        publisher="Demo publisher (fictional)",
        sectors=[steel],
        is_demo=True,
    )
    TargetFactory(roadmap=demo, sector=None, kind=Target.Kind.NET_ZERO, target_year=2040)
    return real, demo


def test_demo_record_is_labelled_on_the_list_and_its_page(client, demo_and_real):
    html = _get(client, "/tracker/").content.decode()
    rows = {_text(r).strip() for r in re.findall(r"<tr>.*?</tr>", html, re.S)}
    assert any(r.startswith(f"Demo roadmap: invented steel plan {DEMO}") for r in rows)
    assert not any(r.startswith(f"Real steel roadmap {DEMO}") for r in rows)

    text = _text(_get(client, "/tracker/roadmaps/invented/").content.decode())
    assert f"Demo roadmap: invented steel plan {DEMO}" in text
    assert "This roadmap, its publisher and its targets are fictional" in text
    assert DEMO not in _text(_get(client, "/tracker/roadmaps/real/").content.decode())


def test_demo_record_is_labelled_in_the_comparison_and_its_csv(client, demo_and_real):
    html = _get(client, "/tracker/compare/?r=invented&r=real").content.decode()
    head = _text(html.split("<thead>", 1)[1].split("</thead>", 1)[0])
    assert "Demo roadmap: invented steel plan Sectoral roadmap" not in head
    assert DEMO in head and head.count(DEMO) >= 1

    rows = list(
        csv.reader(
            io.StringIO(_get(client, "/tracker/compare.csv?r=invented&r=real").content.decode())
        )
    )
    assert ["Record", DEMO, "Real document"] in rows


def test_demo_record_is_flagged_in_every_roadmap_download(client, demo_and_real):
    rows = list(
        csv.DictReader(io.StringIO(_get(client, "/tracker/export.csv").content.decode("utf-8-sig")))
    )
    flags = {row["slug"]: row["is_demo"] for row in rows}
    assert flags == {"invented": "yes", "real": "no"}

    book = openpyxl.load_workbook(io.BytesIO(_get(client, "/tracker/export.xlsx").content))
    sheet = list(book["Roadmaps"].iter_rows(values_only=True))
    column = sheet[0].index("is_demo")
    assert {row[0]: row[column] for row in sheet[1:]} == {"invented": "yes", "real": "no"}

    document = json.loads(_get(client, "/tracker/export.json").content)
    assert {r["slug"]: r["is_demo"] for r in document["roadmaps"]} == {
        "invented": True,
        "real": False,
    }
    assert "not_recorded" in document["missing_values"]


def test_demo_record_does_not_count_for_its_country(client, demo_and_real):
    rows = _coverage_rows(_get(client, "/tracker/coverage/").content.decode())
    # The invented US roadmap and its 2040 target are not the United States' coverage.
    assert rows["United States of America"] == [NR, NR, "0", "0"]
    assert rows["India"][1] == "Roadmap"

    directory = _text(_get(client, "/tracker/countries/").content.decode())
    assert "United States of America G20 0 0 0 not recorded in the Tracker" in directory

    profile = _text(_get(client, "/tracker/countries/US/").content.decode())
    assert "Net-zero year Not recorded in the Tracker" in profile
    assert f"Demo roadmap: invented steel plan {DEMO}" in profile

    compare = _text(_get(client, "/tracker/compare/?c=US&c=IN").content.decode())
    assert "invented steel plan" not in compare.split("Pick roadmaps")[0]
    assert "2040" not in compare

    charts = _text(_get(client, "/tracker/charts/").content.decode())
    assert "1 demo record (invented roadmap" in charts


# --- Missing values in pages and downloads ----------------------------------------------------


@pytest.fixture
def gaps():
    SectorFactory(name="Iron and steel", slug="steel")
    CountryGroupFactory(name="G20", slug="g20", countries=["MX", "JP"])
    TargetFactory(
        roadmap=None,
        country="JP",
        sector=None,
        kind=Target.Kind.NET_ZERO,
        target_year=2050,
        status=Target.Status.LAW,
        source_publisher="National Diet of Japan",
        source_title="Act on Promotion of Global Warming Countermeasures",
        source_year=2021,
        last_reviewed_on=datetime.date(2026, 10, 1),
    )


def test_missing_values_read_not_recorded_on_the_pages(client, gaps):
    html = _get(client, "/tracker/coverage/").content.decode()
    rows = _coverage_rows(html)
    assert rows["Mexico"][:2] == [NR, NR]
    assert rows["Japan"][0] == "2050 In law"
    assert 'title="Source: National Diet of Japan, Act on Promotion' in html
    text = _text(html)
    assert "1 with an economy-wide net-zero target recorded; for 1 it is not recorded" in text
    _no_false_absence(text.split("Coverage: G20")[1])

    profile = _text(_get(client, "/tracker/countries/MX/").content.decode())
    assert "Net-zero year Not recorded in the Tracker" in profile
    assert "That does not mean Mexico has none" in profile
    _no_false_absence(profile)

    compare = _text(_get(client, "/tracker/compare/?c=MX&c=JP").content.decode())
    assert f"Net-zero year {NR} 2050 (economy-wide, in law)" in compare
    assert "Source: National Diet of Japan, Act on Promotion of Global Warming" in compare


def test_missing_values_are_not_recorded_in_the_csv_downloads(client, gaps):
    coverage = list(
        csv.DictReader(io.StringIO(_get(client, "/tracker/coverage/?format=csv").content.decode()))
    )
    mexico = next(row for row in coverage if row["iso2"] == "MX")
    assert mexico["economy_wide_net_zero_year"] == "not_recorded"
    assert mexico["economy_wide_net_zero_status"] == "not_recorded"
    assert mexico["Iron and steel"] == "not_recorded"
    japan = next(row for row in coverage if row["iso2"] == "JP")
    assert japan["economy_wide_net_zero_source"] == (
        "National Diet of Japan, Act on Promotion of Global Warming Countermeasures (2021)"
    )

    countries = list(
        csv.reader(io.StringIO(_get(client, "/tracker/countries/?format=csv").content.decode()))
    )
    header, body = countries[0], countries[1:]
    mexico = dict(zip(header, next(r for r in body if r[0] == "MX"), strict=True))
    assert mexico["net_zero_year"] == "not_recorded"
    assert all(cell != "" for row in body for cell in row)

    compare = list(
        csv.reader(io.StringIO(_get(client, "/tracker/compare.csv?c=MX&c=JP").content.decode()))
    )
    net_zero = next(row for row in compare if row[0] == "Net-zero year")
    assert net_zero[1] == "not_recorded"
    assert net_zero[2].startswith("2050 (economy-wide, in law)")


def test_methodology_documents_not_recorded_and_demo_records(client):
    text = _text(_get(client, "/tracker/methodology/").content.decode())

    assert "Missing values: “not recorded”" in text
    assert "writes the value not_recorded in such a cell" in text
    assert "Absence of a record is not absence of a target." in text
    assert "Demo records never count towards a country's coverage" in text
    assert "is_demo" in text
