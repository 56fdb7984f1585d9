"""The importer of GEM's Global Iron and Steel Tracker file (tracker/gem_import.py) and its
command ``import_gem_steel``, on the real files kept in tracker/data/gem/."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories.tracker import IndustrialProjectFactory, SectorFactory, TechnologyFactory
from tracker.gem_import import (
    GEM_FULL_FILE,
    GEM_SOURCE,
    GEM_SUBSET_FILE,
    country_code,
    gem_import,
    parse_start_year,
)
from tracker.models import IndustrialProject, ProjectCapacity, Sector, Technology

pytestmark = pytest.mark.django_db

SUBSET = GEM_SUBSET_FILE
FULL = GEM_FULL_FILE

SUBSET_COLUMNS = [
    "plant-id",
    "plant-name-(english)",
    "owner",
    "parent",
    "country/area",
    "subnational-unit-(province/state)",
    "lat",
    "lng",
    "coordinate-accuracy",
    "main-production-equipment",
    "start-date",
    "plant-status",
    "operating-nominal-crude-steel-capacity-(ttpa)",
    "announced-nominal-crude-steel-capacity-(ttpa)",
    "announced-nominal-dri-capacity-(ttpa)",
    "gem-wiki-page",
]


def _row(**values) -> dict:
    row = {
        "plant-id": "P900000000001",
        "plant-name-(english)": "Demo Green Steel plant",
        "owner": "Demo Steel AB",
        "parent": "Demo Holding AB",
        "country/area": "Sweden",
        "subnational-unit-(province/state)": "Norrbotten",
        "lat": "65.5",
        "lng": "22.1",
        "coordinate-accuracy": "exact",
        "main-production-equipment": "DRI; EAF",
        "start-date": "2027",
        "plant-status": "announced",
        "operating-nominal-crude-steel-capacity-(ttpa)": "0",
        "announced-nominal-crude-steel-capacity-(ttpa)": "2500",
        "announced-nominal-dri-capacity-(ttpa)": "2100",
        "gem-wiki-page": "https://www.gem.wiki/Demo_Green_Steel_plant",
    }
    row.update(values)
    return row


def _csv(path: Path, rows: list[dict], columns: list[str] = SUBSET_COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- the real subset file ----------------------------------------------------------------


def test_gem_import_subset_creates_every_plant():
    report = gem_import(path=SUBSET)

    assert report.rows == 468
    assert (report.created, report.updated, report.skipped) == (468, 0, [])
    assert IndustrialProject.objects.count() == 468
    assert ProjectCapacity.objects.count() == report.capacities_created == 1263
    assert set(Technology.objects.values_list("name", flat=True)) == {
        "Blast furnace (BF)",
        "Basic oxygen furnace (BOF)",
        "Electric arc furnace (EAF)",
        "Direct reduced iron (DRI)",
    }
    assert Sector.objects.get(slug="steel").name == "Iron and steel"
    assert set(IndustrialProject.objects.values_list("sector__slug", flat=True)) == {"steel"}


def test_gem_import_subset_maps_a_known_plant():
    gem_import(path=SUBSET)

    plant = IndustrialProject.objects.get(external_id="P100000120850")
    assert plant.name == "Stegra Boden steel plant"
    assert plant.slug == "stegra-boden-steel-plant-p100000120850"
    assert plant.owner == "Stegra AB"
    assert plant.parent.startswith("BNP Paribas SA; European Investment Bank")
    assert plant.country.code == "SE"
    assert plant.location == "Norrbotten"
    assert (plant.latitude, plant.longitude) == (Decimal("65.805389"), Decimal("21.759140"))
    assert plant.coordinate_accuracy == "approximate"
    assert plant.status == IndustrialProject.Status.CONSTRUCTION
    assert plant.start_year == 2025
    assert plant.production_equipment == "DRI; EAF"
    assert plant.source == GEM_SOURCE
    assert plant.source_url == "https://www.gem.wiki/Stegra_Boden_steel_plant"
    assert sorted(plant.technologies.values_list("name", flat=True)) == [
        "Direct reduced iron (DRI)",
        "Electric arc furnace (EAF)",
    ]
    assert sorted(plant.capacities.values_list("product", "status", "value", "unit")) == [
        ("DRI", "announced", Decimal("2100.00"), "ttpa"),
        ("DRI", "construction", Decimal("2100.00"), "ttpa"),
        ("EAF steel", "announced", Decimal("2500.00"), "ttpa"),
        ("EAF steel", "construction", Decimal("2500.00"), "ttpa"),
        ("crude steel", "announced", Decimal("2500.00"), "ttpa"),
        ("crude steel", "construction", Decimal("2500.00"), "ttpa"),
    ]


def test_gem_import_subset_maps_country_names_django_countries_does_not_know():
    gem_import(path=SUBSET)

    # "United States" is the one name in GEM's files that django-countries does not know.
    assert IndustrialProject.objects.get(external_id="P100000120995").country.code == "US"
    assert IndustrialProject.objects.get(external_id="P100000121241").country.code == "TR"
    # An 'unknown' start date and an 'unknown' province are left blank.
    bluescope = IndustrialProject.objects.get(external_id="P100000120995")
    assert (bluescope.start_year, bluescope.location) == (None, "")


def test_gem_import_again_creates_no_duplicates():
    gem_import(path=SUBSET)
    capacities = ProjectCapacity.objects.count()

    report = gem_import(path=SUBSET)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 468)
    assert IndustrialProject.objects.count() == 468
    assert ProjectCapacity.objects.count() == capacities
    plant = IndustrialProject.objects.get(external_id="P100000120850")
    assert plant.history.count() == 1  # nothing changed, so no new history


def test_gem_import_keeps_history_with_technologies():
    gem_import(path=SUBSET)

    plant = IndustrialProject.objects.get(external_id="P100000120850")
    record = plant.history.get()
    assert record.history_type == "+"
    assert sorted(record.technologies.values_list("technology__slug", flat=True)) == [
        "direct-reduced-iron",
        "electric-arc-furnace",
    ]
    assert ProjectCapacity.history.filter(project_id=plant.pk).count() == 6


def test_gem_import_full_map_file_imports_quickly():
    """The 92-column map file (``coordinates`` as well as ``lat``/``lng``) in well under
    30 s, every row mapped."""
    report = gem_import(path=FULL)

    assert report.rows == 1204
    assert (report.created, report.skipped) == (1204, [])
    assert report.seconds < 30
    assert IndustrialProject.objects.count() == 1204
    assert IndustrialProject.objects.values("country").distinct().count() == 89
    assert IndustrialProject.objects.filter(latitude__isnull=True).count() == 0
    assert (
        IndustrialProject.objects.filter(
            status=IndustrialProject.Status.OPERATING_PRE_RETIREMENT
        ).count()
        == 11
    )
    # Six parent-company lists are longer than the field: shortened and said so.
    shortened = [w for w in report.warnings if "parent company list" in w.message]
    assert len(shortened) == 6
    jianlong = IndustrialProject.objects.get(external_id="P100000120159")
    assert len(jianlong.parent) <= 500 and jianlong.parent.endswith("; …")
    # Capacities "operating pre-retirement" are ours; "mothballed pre-retirement" has no
    # status of ours: reported and left out, never guessed.
    assert ProjectCapacity.objects.filter(status="operating_pre_retirement").count() == 356
    mothballed = [w for w in report.warnings if "mothballed-pre-retirement" in w.message]
    assert len(mothballed) == 4


def test_gem_import_subset_then_full_file_updates_the_same_plants():
    gem_import(path=SUBSET)

    report = gem_import(path=FULL)

    assert report.created == 1204 - 468
    assert report.created + report.updated + report.unchanged == 1204
    assert IndustrialProject.objects.count() == 1204


# --- small files made for the test ------------------------------------------------------


def test_gem_import_reports_rows_it_cannot_map_and_imports_the_rest(tmp_path):
    path = _csv(
        tmp_path / "plants.csv",
        [
            _row(),
            _row(
                **{
                    "plant-id": "P900000000002",
                    "plant-name-(english)": "Lost city plant",
                    "country/area": "Atlantis",
                }
            ),
            _row(
                **{
                    "plant-id": "P900000000003",
                    "plant-name-(english)": "Dreamy plant",
                    "plant-status": "dreaming",
                }
            ),
        ],
    )

    report = gem_import(path=path)

    assert report.created == 1
    assert IndustrialProject.objects.get().external_id == "P900000000001"
    assert [(i.row, i.plant_id, i.name) for i in report.skipped] == [
        (3, "P900000000002", "Lost city plant"),
        (4, "P900000000003", "Dreamy plant"),
    ]
    assert "“Atlantis” is not a known country name" in report.skipped[0].message
    assert "plant status “dreaming”" in report.skipped[1].message


def test_gem_import_reads_coordinates_column_when_there_is_no_lat_lng(tmp_path):
    columns = [c for c in SUBSET_COLUMNS if c not in ("lat", "lng")] + ["coordinates"]
    path = _csv(tmp_path / "map.csv", [_row(coordinates="24.3220330, 54.4679870")], columns)

    gem_import(path=path)

    plant = IndustrialProject.objects.get()
    assert (plant.latitude, plant.longitude) == (Decimal("24.322033"), Decimal("54.467987"))


def test_gem_import_skips_capacities_that_are_no_figure(tmp_path):
    path = _csv(
        tmp_path / "plants.csv",
        [
            _row(
                **{
                    "announced-nominal-crude-steel-capacity-(ttpa)": "unknown",
                    "announced-nominal-dri-capacity-(ttpa)": ">0",
                    "operating-nominal-crude-steel-capacity-(ttpa)": "",
                }
            )
        ],
    )

    report = gem_import(path=path)

    assert report.created == 1
    assert ProjectCapacity.objects.count() == 0
    assert report.warnings == []


def test_gem_import_updates_a_changed_plant_and_drops_a_capacity_gone(tmp_path):
    gem_import(path=_csv(tmp_path / "v1.csv", [_row()]))
    changed = _row(
        **{
            "plant-status": "construction",
            "main-production-equipment": "DRI",
            "announced-nominal-dri-capacity-(ttpa)": "0",
            "announced-nominal-crude-steel-capacity-(ttpa)": "2600",
        }
    )

    report = gem_import(path=_csv(tmp_path / "v2.csv", [changed]))

    assert (report.created, report.updated) == (0, 1)
    assert (report.capacities_updated, report.capacities_deleted) == (1, 1)
    plant = IndustrialProject.objects.get()
    assert plant.status == "construction"
    assert list(plant.technologies.values_list("slug", flat=True)) == ["direct-reduced-iron"]
    assert list(plant.capacities.values_list("product", "value")) == [
        ("crude steel", Decimal("2600.00"))
    ]
    assert [r.history_type for r in plant.history.order_by("history_date")] == ["+", "~"]


def test_gem_import_dry_run_saves_nothing(tmp_path):
    report = gem_import(path=_csv(tmp_path / "plants.csv", [_row()]), dry_run=True)

    assert report.created == 1
    assert IndustrialProject.objects.count() == 0
    assert Technology.objects.count() == 0


def test_gem_import_reuses_existing_sector_and_technologies(tmp_path):
    steel = SectorFactory(name="Iron and steel", slug="steel")
    dri = TechnologyFactory(name="Direct reduced iron (DRI)", slug="dri")

    gem_import(path=_csv(tmp_path / "plants.csv", [_row()]))

    plant = IndustrialProject.objects.get()
    assert plant.sector == steel
    assert dri in plant.technologies.all()
    assert Technology.objects.filter(name__icontains="reduced").count() == 1


def test_gem_import_skips_a_row_whose_slug_another_project_has(tmp_path):
    IndustrialProjectFactory(slug="demo-green-steel-plant-p900000000001", external_id="")

    report = gem_import(path=_csv(tmp_path / "plants.csv", [_row()]))

    assert report.created == 0
    assert "already used by another project" in report.skipped[0].message


def test_gem_import_rejects_a_file_that_is_not_a_gem_file(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,value\nA,1\n", encoding="utf-8")

    with pytest.raises(CommandError, match="not a GEM plant file"):
        call_command("import_gem_steel", str(path))


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2003", 2003),
        ("2025-03", 2025),
        ("2011-11-03", 2011),
        ("unknown", None),
        ("", None),
        ("2020-2025", None),
        ("about 2030", None),
    ],
)
def test_parse_start_year_takes_a_year_and_nothing_else(text, year):
    assert parse_start_year(text) == year


def test_country_code_never_guesses():
    assert country_code("Türkiye") == "TR"
    assert country_code("United States") == "US"
    assert country_code("Czech Republic") == "CZ"
    assert country_code("Atlantis") is None
    assert country_code("") is None


def test_import_gem_steel_command_prints_a_summary(tmp_path):
    path = _csv(
        tmp_path / "plants.csv",
        [_row(), _row(**{"plant-id": "P900000000002", "country/area": "Atlantis"})],
    )
    out = io.StringIO()

    call_command("import_gem_steel", str(path), stdout=out)

    text = out.getvalue()
    assert "Imported 1 of 2 rows from plants.csv" in text
    assert "projects: 1 created, 0 updated, 0 unchanged, 1 skipped" in text
    assert "row 3 (P900000000002" in text and "Atlantis" in text
    assert "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release." in text


def test_import_gem_steel_command_dry_run(tmp_path):
    out = io.StringIO()

    call_command(
        "import_gem_steel", str(_csv(tmp_path / "p.csv", [_row()])), "--dry-run", stdout=out
    )

    assert "Would import 1 of 1 rows" in out.getvalue()
    assert "nothing was saved" in out.getvalue()
    assert IndustrialProject.objects.count() == 0
