"""Spreadsheet import/export of roadmaps and targets: per-row errors, all-or-nothing,
history, formula escaping, permissions."""

import datetime
import io
import re

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission

from tests.factories.tracker import (
    CountryGroupFactory,
    PolicyInstrumentFactory,
    RoadmapFactory,
    SectorFactory,
    TargetFactory,
)
from tests.factories.users import StaffFactory
from tracker.models import Roadmap, Sector, Target
from tracker.resources import BulkHistoryWriter, RoadmapResource, TargetResource

ROADMAP_IMPORT = "/admin/tracker/roadmap/import/"
ROADMAP_PROCESS = "/admin/tracker/roadmap/process_import/"
ROADMAP_EXPORT = "/admin/tracker/roadmap/export/"
TARGET_IMPORT = "/admin/tracker/target/import/"
TARGET_PROCESS = "/admin/tracker/target/process_import/"
TARGET_EXPORT = "/admin/tracker/target/export/"
CSV_FORMAT = "0"  # the admins offer CSV, then XLSX
XLSX_FORMAT = "1"

ROADMAP_HEADER = (
    "slug,title,scope,country,region,publisher,published_on,status,superseded_by,"
    "sectors,instruments,summary,document_url,language,last_reviewed_on,is_demo"
)
TARGET_HEADER = (
    "id,roadmap,country,sector,kind,description,base_year,target_year,value,unit,status,end_target,"
    "source_publisher,source_title,source_year,source_url,last_reviewed_on"
)


def csv(*rows: str, header: str = ROADMAP_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def upload(text: str, name: str = "roadmaps.csv") -> io.BytesIO:
    file = io.BytesIO(text.encode())
    file.name = name
    return file


def roadmap_row(slug="swe-steel", **overrides) -> str:
    values = {
        "slug": slug,
        "title": "Swedish steel roadmap",
        "scope": "national",
        "country": "SE",
        "region": "",
        "publisher": "Fossil Free Sweden",
        "published_on": "2018-04-01",
        "status": "adopted",
        "superseded_by": "",
        "sectors": "steel",
        "instruments": "",
        "summary": "Fossil-free steel by 2045.",
        "document_url": "https://example.org/steel.pdf",
        "language": "Swedish",
        "last_reviewed_on": "",
    }
    values.update(overrides)
    return ",".join(f'"{value}"' if "," in value else value for value in values.values())


def errors_by_row(result) -> dict[int, list[str]]:
    """Row number → every message of that row (validation and other errors)."""
    found: dict[int, list[str]] = {}
    for row in result.invalid_rows:
        found.setdefault(row.number, []).extend(
            message for messages in row.error_dict.values() for message in messages
        )
    for number, errors in result.row_errors():
        found.setdefault(number, []).extend(str(error.error) for error in errors)
    return found


@pytest.fixture
def reference_data(db):
    SectorFactory(name="Iron and steel", slug="steel")
    SectorFactory(name="Cement", slug="cement")
    PolicyInstrumentFactory(name="Carbon pricing", slug="carbon-pricing")
    PolicyInstrumentFactory(name="Green public procurement", slug="gpp")
    CountryGroupFactory(name="European Union", slug="eu", countries=["DE", "SE"])


# --- Roadmaps: each kind of bad row ---------------------------------------------------------


BAD_ROADMAPS = {
    "bad country code": (
        roadmap_row("atlantis", country="XX"),
        "Unknown country code “XX”: use the two-letter ISO 3166-1 code, e.g. SE.",
    ),
    "duplicate slug": (
        roadmap_row("swe-steel", title="Again"),
        "Duplicate: slug “swe-steel” is also in row 1 of this file.",
    ),
    "unknown sector": (
        roadmap_row("ind-steel", country="IN", sectors="steel,plastics"),
        "Unknown sectors (slug): “plastics”.",
    ),
    "unknown instrument": (
        roadmap_row("deu-steel", country="DE", instruments="carbon-pricing,magic"),
        "Unknown policy instruments (slug): “magic”.",
    ),
    "unknown region": (
        roadmap_row("asean", scope="regional", country="", region="asean"),
        "No country group with slug “asean”.",
    ),
    "national without country": (
        roadmap_row("nowhere", country=""),
        "A national roadmap needs a country.",
    ),
    "unknown successor": (
        roadmap_row("jpn-steel", country="JP", status="superseded", superseded_by="jpn-2050"),
        "No roadmap with slug “jpn-2050”.",
    ),
    "bad date": (
        roadmap_row("bra-steel", country="BR", published_on="last spring"),
        "Value could not be parsed using defined formats.",
    ),
}


@pytest.mark.parametrize("kind", BAD_ROADMAPS)
def test_roadmap_resource_reports_each_bad_row_kind_and_writes_nothing(reference_data, kind):
    bad_row, message = BAD_ROADMAPS[kind]
    text = csv(roadmap_row("swe-steel"), bad_row)

    result = RoadmapResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)

    errors = errors_by_row(result)
    assert list(errors) == [2]
    assert any(message in error for error in errors[2]), errors
    assert not Roadmap.objects.exists()
    assert not Roadmap.history.exists()


def test_roadmap_resource_reports_every_bad_row_of_one_file(reference_data):
    text = csv(roadmap_row("swe-steel"), *(row for row, _ in BAD_ROADMAPS.values()))

    result = RoadmapResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)

    assert sorted(errors_by_row(result)) == list(range(2, 2 + len(BAD_ROADMAPS)))
    assert not Roadmap.objects.exists()


def test_roadmap_resource_good_file_creates_roadmaps_with_their_relations(reference_data):
    RoadmapFactory(slug="eu-2018", title="Old EU strategy", scope="global", country="")
    text = csv(
        roadmap_row("swe-steel", country="se", sectors="steel, cement", instruments="gpp"),
        roadmap_row(
            "eu-industry",
            title="EU industrial strategy",
            scope="regional",
            country="",
            region="eu",
            sectors="",
            published_on="2020-03-10",
        ),
        roadmap_row(
            "eu-2018",
            scope="regional",
            country="",
            region="eu",
            status="superseded",
            superseded_by="eu-industry",
            title="Old EU strategy",
        ),
    )

    result = RoadmapResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 2 and result.totals["update"] == 1
    sweden = Roadmap.objects.get(slug="swe-steel")
    assert sweden.country.code == "SE"
    assert sorted(sweden.sectors.values_list("slug", flat=True)) == ["cement", "steel"]
    assert list(sweden.instruments.values_list("slug", flat=True)) == ["gpp"]
    record = sweden.history.get()  # one record per imported row, with the relations
    assert record.history_type == "+"
    assert record.history_change_reason == "Spreadsheet import"
    assert sorted(row.sector.slug for row in record.sectors.all()) == ["cement", "steel"]
    assert [row.policyinstrument.slug for row in record.instruments.all()] == ["gpp"]
    eu = Roadmap.objects.get(slug="eu-industry")
    assert eu.region.slug == "eu"
    assert eu.published_on == datetime.date(2020, 3, 10)
    old = Roadmap.objects.get(slug="eu-2018")
    assert old.superseded_by == eu  # named by a row earlier in the same file
    assert old.history.first().history_type == "~"
    assert old.history.first().superseded_by_id == eu.pk


# --- Targets: each kind of bad row ----------------------------------------------------------


@pytest.fixture
def roadmap(reference_data):
    return RoadmapFactory(slug="swe-steel", country="SE")


def target_row(**overrides) -> str:
    values = {
        "id": "",
        "roadmap": "swe-steel",
        "country": "SE",
        "sector": "steel",
        "kind": "net_zero",
        "description": "Net zero steel",
        "base_year": "2020",
        "target_year": "2045",
        "value": "",
        "unit": "",
        "status": "law",
        "end_target": "",
    }
    values.update(overrides)
    return ",".join(f'"{value}"' if "," in value else value for value in values.values())


BAD_TARGETS = {
    "target year before base year": (
        {"base_year": "2030", "target_year": "2020"},
        "The target year 2020 is before the base year 2030.",
    ),
    "non-numeric target year": (
        {"target_year": "20x5"},
        "“20x5” is not a year: write it as four digits, e.g. 2030.",
    ),
    "non-numeric base year": (
        {"base_year": "twenty"},
        "“twenty” is not a year: write it as four digits, e.g. 2030.",
    ),
    "year out of range": ({"target_year": "2300"}, "less than or equal to 2100"),
    "bad country code": ({"country": "ZZ"}, "Unknown country code “ZZ”"),
    "unknown sector": ({"sector": "plastics"}, "No sector with slug “plastics”."),
    "unknown roadmap": ({"roadmap": "atlantis"}, "No roadmap with slug “atlantis”."),
    "no roadmap nor country": (
        {"roadmap": "", "country": ""},
        "A target needs a roadmap or a country.",
    ),
    "unknown id": ({"id": "999999"}, "No target with id 999999"),
    "non-numeric value": ({"value": "lots"}, "“lots” is not a number."),
    "bad status": ({"status": "dreamt"}, "is not a valid choice"),
}


@pytest.mark.parametrize("kind", BAD_TARGETS)
def test_target_resource_reports_each_bad_row_kind_and_writes_nothing(roadmap, kind):
    overrides, message = BAD_TARGETS[kind]
    text = csv(target_row(), target_row(**overrides), header=TARGET_HEADER)

    result = TargetResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)

    errors = errors_by_row(result)
    assert list(errors) == [2]
    assert any(message in error for error in errors[2]), errors
    assert not Target.objects.exists()
    assert not Target.history.exists()


def test_target_resource_rejects_an_end_target_of_another_roadmap(roadmap):
    other = TargetFactory(roadmap=RoadmapFactory(slug="deu-steel", country="DE"))
    text = csv(
        target_row(kind="absolute", target_year="2030", end_target=str(other.pk)),
        header=TARGET_HEADER,
    )

    result = TargetResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)

    assert errors_by_row(result) == {1: [f"Target {other.pk} belongs to another roadmap."]}
    assert Target.objects.count() == 1


def test_target_resource_updates_by_id_and_links_interim_targets(roadmap):
    end = TargetFactory(roadmap=roadmap, target_year=2045, description="old text")
    text = csv(
        target_row(id=str(end.pk), description="Net zero steel, in law"),
        target_row(
            kind="absolute",
            description="Halve emissions",
            target_year="2030",
            value="50",
            unit="%",
            status="policy_document",
            end_target=str(end.pk),
        ),
        target_row(roadmap="", country="IN", sector="", kind="net_zero", target_year="2070"),
        header=TARGET_HEADER,
    )

    result = TargetResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    end.refresh_from_db()
    assert end.description == "Net zero steel, in law"
    interim = Target.objects.get(description="Halve emissions")
    assert interim.end_target == end
    assert str(interim.value) == "50.000"
    india = Target.objects.get(country="IN")
    assert india.roadmap is None and india.sector is None
    assert end.history.count() == 2


# --- Through the admin ----------------------------------------------------------------------


def hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def test_admin_roadmap_import_shows_each_bad_row_and_writes_nothing(reference_data, staff_client):
    text = csv(roadmap_row("swe-steel"), *(row for row, _ in BAD_ROADMAPS.values()))

    response = staff_client.post(
        ROADMAP_IMPORT, {"format": CSV_FORMAT, "import_file": upload(text)}
    )

    page = response.content.decode()
    assert "Some rows failed to validate" in page
    for _row, message in BAD_ROADMAPS.values():
        assert message.replace("'", "&#x27;") in page, message
    assert "Confirm import" not in page
    assert not Roadmap.objects.exists()


def test_admin_target_import_shows_each_bad_row_and_writes_nothing(roadmap, staff_client):
    text = csv(
        target_row(),
        *(target_row(**overrides) for overrides, _ in BAD_TARGETS.values()),
        header=TARGET_HEADER,
    )

    response = staff_client.post(
        TARGET_IMPORT, {"format": CSV_FORMAT, "import_file": upload(text, "targets.csv")}
    )

    page = response.content.decode()
    assert "Some rows failed to validate" in page
    for _overrides, message in BAD_TARGETS.values():
        assert message in page, message
    assert "Confirm import" not in page
    assert not Target.objects.exists()


def test_admin_roadmap_import_good_file_imports_with_history(
    reference_data, staff_client, staff_user
):
    text = csv(
        roadmap_row("swe-steel", sectors="steel,cement"),
        roadmap_row("ind-steel", title="Green steel mission", country="IN"),
    )

    preview = staff_client.post(ROADMAP_IMPORT, {"format": CSV_FORMAT, "import_file": upload(text)})
    page = preview.content.decode()
    previewed_only = not Roadmap.objects.exists()
    done = staff_client.post(
        ROADMAP_PROCESS, {**hidden_fields(page), "confirm": "Confirm import"}, follow=True
    )

    assert "Confirm import" in page
    assert "style=" not in page
    assert previewed_only  # the preview was a dry run
    assert "Import finished: 2 new, 0 updated" in done.content.decode()
    sweden = Roadmap.objects.get(slug="swe-steel")
    assert sorted(sweden.sectors.values_list("slug", flat=True)) == ["cement", "steel"]
    assert sweden.history.first().history_user == staff_user
    assert Roadmap.objects.get(slug="ind-steel").history.exists()


def test_admin_roadmap_import_xlsx_reports_bad_rows(reference_data, staff_client):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(ROADMAP_HEADER.split(","))
    sheet.append(["swe-steel", "Swedish roadmap", "national", "SE", None, "Gov", None, "adopted"])
    sheet.append(["nowhere", "No country", "national", None, None, "Gov", None, "adopted"])
    file = io.BytesIO()
    book.save(file)
    file.seek(0)
    file.name = "roadmaps.xlsx"

    response = staff_client.post(ROADMAP_IMPORT, {"format": XLSX_FORMAT, "import_file": file})

    page = response.content.decode()
    assert "A national roadmap needs a country." in page
    assert "Confirm import" not in page
    assert not Roadmap.objects.exists()


def test_admin_roadmap_import_confirm_writes_nothing_if_the_data_changed(
    reference_data, staff_client
):
    text = csv(roadmap_row("swe-steel"), roadmap_row("deu-steel", country="DE"))
    preview = staff_client.post(ROADMAP_IMPORT, {"format": CSV_FORMAT, "import_file": upload(text)})
    # Between the dry run and the confirm the sector named in the file is deleted.
    Sector.objects.filter(slug="steel").delete()

    done = staff_client.post(
        ROADMAP_PROCESS, {**hidden_fields(preview.content.decode()), "confirm": "1"}, follow=True
    )

    assert "Nothing was imported: some rows have errors." in done.content.decode()
    assert not Roadmap.objects.exists()


def test_admin_import_needs_the_change_permission(client, db):
    viewer = StaffFactory(is_superuser=False)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_roadmap"),
        Permission.objects.get(codename="view_target"),
    )
    client.force_login(viewer)

    changelist = client.get("/admin/tracker/roadmap/")
    get = client.get(ROADMAP_IMPORT)
    post = client.post(
        ROADMAP_IMPORT, {"format": CSV_FORMAT, "import_file": upload(csv(roadmap_row()))}
    )
    targets = client.get(TARGET_IMPORT)
    export = client.get(ROADMAP_EXPORT)

    assert changelist.status_code == 200
    assert ROADMAP_IMPORT not in changelist.content.decode()
    assert get.status_code == post.status_code == targets.status_code == 403
    assert export.status_code == 200
    assert not Roadmap.objects.exists()


# --- Export ---------------------------------------------------------------------------------


def export_fields(resource_class) -> dict:
    prefix = resource_class.__name__.lower()
    return {f"{prefix}_{name}": "on" for name in resource_class._meta.fields}


def test_admin_roadmap_export_escapes_formulae_in_csv(reference_data, staff_client):
    RoadmapFactory(
        title='=HYPERLINK("https://evil.example","Click")',
        slug="evil",
        publisher="+46 ministry",
        summary="-30 % by 2030\n@everyone",
        sectors=[],
    )

    response = staff_client.post(
        ROADMAP_EXPORT, {"format": CSV_FORMAT, "resource": "0", **export_fields(RoadmapResource)}
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0] == ROADMAP_HEADER
    assert '\'=HYPERLINK(""https://evil.example"",""Click"")' in text
    assert "'+46 ministry" in text
    assert "'-30 % by 2030" in text
    assert "\n=" not in text and ",=" not in text and ",+" not in text


def test_admin_target_export_escapes_formulae_in_xlsx(roadmap, staff_client):
    TargetFactory(roadmap=roadmap, description="@SUM(A1:A9)", unit="-%", value=55)

    response = staff_client.post(
        TARGET_EXPORT, {"format": XLSX_FORMAT, "resource": "0", **export_fields(TargetResource)}
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(TARGET_HEADER.split(","))
    assert rows[1][1:6] == ("swe-steel", "SE", None, "net_zero", "'@SUM(A1:A9)")
    assert rows[1][9] == "'-%"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_roadmap_export_then_import_round_trips(reference_data):
    RoadmapFactory(
        title="=1+1",
        slug="formula",
        sectors=list(Sector.objects.all()),
    )
    exported = RoadmapResource().export()
    Roadmap.objects.all().delete()

    result = RoadmapResource().import_data(tablib.Dataset().load(exported.csv, format="csv"))

    assert not result.has_errors() and not result.has_validation_errors()
    formula = Roadmap.objects.get(slug="formula")
    assert formula.title == "=1+1"
    assert sorted(formula.sectors.values_list("slug", flat=True)) == ["cement", "steel"]


def test_roadmap_resource_writes_the_same_without_copy(reference_data, monkeypatch):
    """The embedded SQLite default has no COPY: the ORM path leaves the same records."""
    monkeypatch.setattr(BulkHistoryWriter, "use_copy", False)
    RoadmapFactory(slug="old", title="Old", scope="global", country="")
    text = csv(
        roadmap_row("new-one", sectors="steel,cement", instruments="gpp"),
        roadmap_row(
            "old",
            title="Old, renamed",
            scope="global",
            country="",
            sectors="cement",
            status="superseded",
            superseded_by="new-one",
        ),
    )

    result = RoadmapResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    new = Roadmap.objects.get(slug="new-one")
    assert sorted(new.sectors.values_list("slug", flat=True)) == ["cement", "steel"]
    record = new.history.get()
    assert sorted(row.sector.slug for row in record.sectors.all()) == ["cement", "steel"]
    old = Roadmap.objects.get(slug="old")
    assert old.title == "Old, renamed" and old.superseded_by == new
    assert [row.sector.slug for row in old.history.first().sectors.all()] == ["cement"]
    assert old.history.first().history_change_reason == "Spreadsheet import"


def test_admin_roadmap_import_preview_of_a_large_file_says_every_row_was_checked(
    reference_data, staff_client, monkeypatch
):
    monkeypatch.setattr(RoadmapResource, "PREVIEW_ROWS", 2)
    text = csv(*(roadmap_row(f"roadmap-{n}", title=f"Roadmap number {n}") for n in range(3)))

    response = staff_client.post(
        ROADMAP_IMPORT, {"format": CSV_FORMAT, "import_file": upload(text)}
    )

    page = response.content.decode()
    assert "Confirm import" in page
    assert "<ins>Roadmap number 1</ins>" in page
    assert "Roadmap number 2" not in page
    assert "All 3 rows were checked." in page
