"""Import of Global Energy Monitor's Global Iron and Steel Tracker (GIST) plant file.

``gem_import(path=..., dry_run=...)`` reads either of the two files in
``tracker/data/gem/`` (provenance and licence in its README): the full map file (92 columns, with ``coordinates`` as well as
``lat``/``lng``) or the 24-column subset (``lat``/``lng`` only). Each row becomes one
``IndustrialProject`` with its technologies and capacities; a row is matched to an earlier
import by ``(source, external_id)`` (GEM's plant id), so importing again updates in place and
never duplicates.

Nothing is guessed: a row whose country name is not known (to django-countries or to the
short alias table below), whose status is not one of GEM's, or that fails validation is
skipped and reported with its row number, plant id and the value at fault. The rest of the
file is imported in one transaction: all of it or, if anything unexpected goes wrong,
none of it.

Writes are bulk operations that still keep the history of every change (the project rows,
their technologies and their capacities), so the full file takes a second or two.
"""

import csv
import functools
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django_countries import countries

from leadit.cache import invalidate
from leadit.home import HOME_CACHE_NAMESPACE

from .models import IndustrialProject, ProjectCapacity, Sector, Technology

# Kept in the repository with GEM's licence and a provenance note (data/gem/README.md).
GEM_DATA_DIR = Path(__file__).resolve().parent / "data" / "gem"
GEM_FULL_FILE = GEM_DATA_DIR / "gem_iron_steel_map_file_2025-03-25.csv"
GEM_SUBSET_FILE = GEM_DATA_DIR / "gem_steel_plants_dri_or_in_development_subset.csv"
GEM_SOURCE = "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release"
GEM_ATTRIBUTION = "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release."
GEM_LICENCE = "CC BY 4.0"
GEM_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
GEM_TRACKER_URL = "https://globalenergymonitor.org/projects/global-iron-and-steel-tracker/"
CHANGE_REASON = "Imported from the GEM Global Iron and Steel Tracker file"

# Country names in GEM's files that django-countries does not know, with their ISO 3166-1
# alpha-2 code. Checked against both files of the March 2025 release: of their 89 names only
# "United States" fails; the others are common variants seen in other GEM trackers. A name
# missing here and unknown to django-countries is reported, never guessed.
COUNTRY_ALIASES = {
    "United States": "US",
    "USA": "US",
    "Korea, Republic of": "KR",
    "Republic of Korea": "KR",
    "Korea, North": "KP",
    "DR Congo": "CD",
    "Republic of the Congo": "CG",
    "Congo, Republic of the": "CG",
    "Ivory Coast": "CI",
    "Macau": "MO",
    "Macao": "MO",
}

STATUSES = {
    "operating": IndustrialProject.Status.OPERATING,
    "announced": IndustrialProject.Status.ANNOUNCED,
    "construction": IndustrialProject.Status.CONSTRUCTION,
    "mothballed": IndustrialProject.Status.MOTHBALLED,
    "retired": IndustrialProject.Status.RETIRED,
    "cancelled": IndustrialProject.Status.CANCELLED,
    "operating pre retirement": IndustrialProject.Status.OPERATING_PRE_RETIREMENT,
}

STATUS_NAMES = (
    "operating, announced, construction, mothballed, retired, cancelled, operating pre-retirement"
)

# The product part of a capacity column, ``<status>-<product>-capacity-(ttpa)``.
PRODUCTS = {
    "nominal-crude-steel": "crude steel",
    "nominal-eaf-steel": "EAF steel",
    "nominal-bof-steel": "BOF steel",
    "nominal-ohf-steel": "OHF steel",
    "nominal-iron": "iron",
    "nominal-bf": "BF",
    "nominal-dri": "DRI",
    "other/unspecified-steel": "other/unspecified steel",
    "other/unspecified-iron": "other/unspecified iron",
}
CAPACITY_COLUMN = re.compile(
    r"^(?P<status>[a-z-]+?)-(?P<product>nominal-[a-z-]+|other/unspecified-[a-z]+)"
    r"-capacity-\(ttpa\)$"
)
# Capacity cells that say "no figure" rather than a number.
NO_FIGURE = {"", "unknown", ">0", "n/a", "na", "-"}

# ``main-production-equipment`` parts → (technology slug, technology name). The
# "other/unspecified" parts name no technology; they stay in ``production_equipment``.
EQUIPMENT = {
    "BF": ("blast-furnace", "Blast furnace (BF)"),
    "BOF": ("basic-oxygen-furnace", "Basic oxygen furnace (BOF)"),
    "EAF": ("electric-arc-furnace", "Electric arc furnace (EAF)"),
    "DRI": ("direct-reduced-iron", "Direct reduced iron (DRI)"),
    "OHF": ("open-hearth-furnace", "Open hearth furnace (OHF)"),
}
EQUIPMENT_WITHOUT_TECHNOLOGY = {"steel other/unspecified", "iron other/unspecified"}

START_DATE = re.compile(r"^(?P<year>\d{4})(-(0[1-9]|1[0-2])(-([0-2]\d|3[01]))?)?$")

REQUIRED_COLUMNS = ["plant-id", "plant-name-(english)", "country/area", "plant-status"]

SECTOR_SLUG = "steel"
SECTOR_NAME = "Iron and steel"

# The fields an import owns; staff's review date and the slug (stable URLs) are kept.
IMPORTED_FIELDS = [
    "name",
    "owner",
    "parent",
    "country",
    "location",
    "latitude",
    "longitude",
    "coordinate_accuracy",
    "sector",
    "production_equipment",
    "status",
    "start_year",
    "source_url",
]


class GemImportError(Exception):
    """The file cannot be imported at all (missing, unreadable, not a GEM plant file)."""


@dataclass(frozen=True)
class RowIssue:
    row: int  # as a spreadsheet numbers it: the header is row 1
    plant_id: str
    name: str
    message: str

    def __str__(self) -> str:
        who = " ".join(
            part for part in (self.plant_id, f"“{self.name}”" if self.name else "") if part
        )
        return f"row {self.row} ({who or 'no plant id'}): {self.message}"


@dataclass
class GemImportReport:
    path: Path
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    capacities_created: int = 0
    capacities_updated: int = 0
    capacities_deleted: int = 0
    technologies_created: list[str] = field(default_factory=list)
    skipped: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary_lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        lines = [
            f"{verb} {self.imported} of {self.rows} rows from {self.path.name} "
            f"in {self.seconds:.2f} s{' (dry run: nothing was saved)' if self.dry_run else ''}.",
            f"  projects: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped",
            f"  capacities: {self.capacities_created} created, {self.capacities_updated} "
            f"updated, {self.capacities_deleted} deleted",
        ]
        if self.technologies_created:
            lines.append(f"  technologies created: {', '.join(self.technologies_created)}")
        if self.skipped:
            lines.append(f"Skipped rows ({len(self.skipped)}), not imported:")
            lines.extend(f"  {issue}" for issue in self.skipped)
        if self.warnings:
            lines.append(f"Notes ({len(self.warnings)}), rows imported with these changes:")
            lines.extend(f"  {issue}" for issue in self.warnings)
        return lines


@dataclass
class _Plant:
    row: int
    plant_id: str
    values: dict  # IndustrialProject field → value
    technologies: list[str]  # technology slugs
    capacities: dict[tuple[str, str], Decimal]  # (product, status) → ttpa


# --- reading and checking one row ----------------------------------------------------------


@functools.lru_cache(maxsize=512)
def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of an English country name, or None if unknown."""
    name = " ".join(name.split())
    if not name:
        return None
    if name in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[name]
    with translation.override("en"):
        return countries.by_name(name) or None


def parse_status(value: str) -> str | None:
    """Our status for GEM's ("operating pre-retirement", "operating-pre-retirement", …)."""
    return STATUSES.get(" ".join(value.lower().replace("-", " ").replace("_", " ").split()))


def parse_start_year(value: str) -> int | None:
    """A year from ``2003``, ``2025-03`` or ``2011-11-03``; None for blanks, 'unknown',
    ranges and anything else."""
    match = START_DATE.match(value.strip())
    if not match:
        return None
    year = int(match["year"])
    return year if 1800 <= year <= 2100 else None


def _decimal(value: str, places: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def parse_coordinates(row: dict) -> tuple[Decimal | None, Decimal | None]:
    """``lat``/``lng`` columns if the file has them, else ``coordinates`` ("lat, lng")."""
    lat_text, lng_text = (row.get("lat") or "").strip(), (row.get("lng") or "").strip()
    if not (lat_text and lng_text):
        lat_text, _, lng_text = (row.get("coordinates") or "").partition(",")
    lat, lng = _decimal(lat_text, "0.000001"), _decimal(lng_text, "0.000001")
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None, None
    return lat, lng


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a "; " boundary, ending in "; …"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    if "; " in cut:
        cut = cut[: cut.rindex("; ")]
    return cut + "; …"


def _capacity_columns(fieldnames: Iterable[str]) -> tuple[dict[str, tuple[str, str]], list]:
    """Capacity columns → (product, raw status); and the columns that look like capacity
    columns but whose product is unknown."""
    columns, unknown = {}, []
    for name in fieldnames:
        if not name.endswith("-capacity-(ttpa)"):
            continue
        match = CAPACITY_COLUMN.match(name)
        if match and match["product"] in PRODUCTS:
            columns[name] = (PRODUCTS[match["product"]], match["status"])
        else:
            unknown.append(name)
    return columns, unknown


def _text(row: dict, column: str) -> str:
    """The cell with its whitespace tidied; blank if it says 'unknown'."""
    text = " ".join((row.get(column) or "").split())
    return "" if text.lower() == "unknown" else text


def _read_row(
    number: int,
    row: dict,
    capacity_columns: dict[str, tuple[str, str]],
    sector: Sector,
    report: GemImportReport,
) -> _Plant | None:
    plant_id = (row.get("plant-id") or "").strip()
    name = " ".join((row.get("plant-name-(english)") or "").split())

    def skip(message: str) -> None:
        report.skipped.append(RowIssue(number, plant_id, name, message))

    def note(message: str) -> None:
        report.warnings.append(RowIssue(number, plant_id, name, message))

    if not plant_id:
        skip("no plant id")
        return None
    if not name:
        skip("no plant name")
        return None
    country_name = (row.get("country/area") or "").strip()
    country = country_code(country_name)
    if country is None:
        skip(
            f"country “{country_name}” is not a known country name; add it to "
            "COUNTRY_ALIASES in tracker/gem_import.py if it is one"
        )
        return None
    status_text = (row.get("plant-status") or "").strip()
    status = parse_status(status_text)
    if status is None:
        skip(f"plant status “{status_text}” is not one of {STATUS_NAMES}")
        return None

    equipment = " ".join((row.get("main-production-equipment") or "").split())
    technologies = []
    for part in (p.strip() for p in equipment.split(";")):
        if not part or part.lower() in EQUIPMENT_WITHOUT_TECHNOLOGY:
            continue
        if part.upper() in EQUIPMENT:
            slug = EQUIPMENT[part.upper()][0]
            if slug not in technologies:
                technologies.append(slug)
        else:
            note(f"production equipment “{part}” is not a known technology; kept as text only")

    capacities = {}
    for column, (product, raw_status) in capacity_columns.items():
        text = (row.get(column) or "").strip()
        if text in ("0", "0.0") or text.lower() in NO_FIGURE:
            continue
        value = _decimal(text, "0.01")
        if value is None or value < 0:
            note(f"capacity “{text}” in {column} is not a number; left out")
            continue
        if value == 0:
            continue
        capacity_status = parse_status(raw_status)
        if capacity_status is None:
            note(
                f"capacity {text} ttpa in {column}: status “{raw_status}” is not one of "
                "ours; left out"
            )
            continue
        capacities[(product, capacity_status)] = value

    latitude, longitude = parse_coordinates(row)
    owner = _text(row, "owner")
    parent = _text(row, "parent")
    limit = IndustrialProject._meta.get_field("parent").max_length
    if len(parent) > limit:
        note(f"parent company list ({len(parent)} characters) shortened to {limit}")
        parent = _shorten(parent, limit)
    owner = _shorten(owner, IndustrialProject._meta.get_field("owner").max_length)
    source_url = (row.get("gem-wiki-page") or "").strip()
    if not source_url.startswith(("https://", "http://")):
        source_url = ""

    values = {
        "name": name,
        "owner": owner,
        "parent": parent,
        "country": country,
        "location": _text(row, "subnational-unit-(province/state)"),
        "latitude": latitude,
        "longitude": longitude,
        "coordinate_accuracy": (row.get("coordinate-accuracy") or "").strip(),
        "sector_id": sector.pk,
        "production_equipment": equipment,
        "status": status,
        "start_year": parse_start_year(row.get("start-date") or ""),
        "source_url": source_url,
    }
    # Field validation (lengths, URL, decimals): a bad row is skipped, not fatal. Country
    # and sector are known good already (and validating them costs a query or a scan).
    probe = IndustrialProject(
        slug=project_slug(name, plant_id), external_id=plant_id, source=GEM_SOURCE, **values
    )
    try:
        probe.full_clean(
            exclude=["country", "sector"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{field_name}: {' '.join(messages)}"
            for field_name, messages in error.message_dict.items()
        )
        skip(f"invalid values ({problems})")
        return None
    return _Plant(number, plant_id, values, technologies, capacities)


def project_slug(name: str, plant_id: str) -> str:
    base = slugify(name)[:150].strip("-")
    return f"{base}-{plant_id.lower()}" if base else plant_id.lower()


def read_gem_file(path: Path, sector: Sector, report: GemImportReport) -> list[_Plant]:
    """The file's good rows; bad ones go to ``report.skipped``."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise GemImportError(f"Cannot open {path}: {error.strerror or error}") from error
    with handle:
        reader = csv.DictReader(handle)
        try:
            fieldnames = reader.fieldnames or []
        except (csv.Error, UnicodeDecodeError) as error:
            raise GemImportError(f"{path.name} is not a readable CSV file: {error}") from error
        fieldnames = [name.strip() for name in fieldnames]
        reader.fieldnames = fieldnames
        missing = [name for name in REQUIRED_COLUMNS if name not in fieldnames]
        if missing:
            raise GemImportError(
                f"{path.name} is not a GEM plant file: it has no column "
                + ", ".join(f"“{name}”" for name in missing)
            )
        capacity_columns, unknown_columns = _capacity_columns(fieldnames)
        for column in unknown_columns:
            report.warnings.append(
                RowIssue(1, "", "", f"capacity column “{column}” is not understood; ignored")
            )
        plants, seen = [], {}
        try:
            for number, row in enumerate(reader, start=2):
                report.rows += 1
                plant = _read_row(number, row, capacity_columns, sector, report)
                if plant is None:
                    continue
                if plant.plant_id in seen:
                    report.skipped.append(
                        RowIssue(
                            number,
                            plant.plant_id,
                            plant.values["name"],
                            f"plant id already given in row {seen[plant.plant_id]}",
                        )
                    )
                    continue
                seen[plant.plant_id] = number
                plants.append(plant)
        except (csv.Error, UnicodeDecodeError) as error:
            raise GemImportError(f"{path.name} cannot be read: {error}") from error
    return plants


# --- writing --------------------------------------------------------------------------------


def _steel_sector() -> Sector:
    sector = Sector.objects.filter(slug=SECTOR_SLUG).first()
    if sector is None:
        sector = Sector.objects.filter(name=SECTOR_NAME).first()
    if sector is None:
        sector = Sector.objects.create(name=SECTOR_NAME, slug=SECTOR_SLUG)
    return sector


def _technologies(slugs: set[str], report: GemImportReport) -> dict[str, Technology]:
    """Our technologies for the GEM equipment codes in use, by slug, created where missing
    (found by name too, so a technology staff created under another slug is reused)."""
    found = {}
    for slug, name in EQUIPMENT.values():
        if slug not in slugs:
            continue
        technology = (
            Technology.objects.filter(slug=slug).first()
            or Technology.objects.filter(name__iexact=name).first()
        )
        if technology is None:
            technology = Technology.objects.create(slug=slug, name=name)
            report.technologies_created.append(name)
        found[slug] = technology
    return found


def gem_import(*, path: Path, dry_run: bool = False) -> GemImportReport:
    """Import a GEM Global Iron and Steel Tracker plant file. See the module docstring."""
    started = time.perf_counter()
    path = Path(path)
    report = GemImportReport(path=path, dry_run=dry_run)
    with transaction.atomic():
        sector = _steel_sector()
        plants = read_gem_file(path, sector, report)
        technologies = _technologies({s for p in plants for s in p.technologies}, report)
        _write(plants, technologies, report)
        if dry_run:
            transaction.set_rollback(True)
        else:
            # Bulk writes send no per-row signals: the home page counts tracker data too.
            transaction.on_commit(lambda: invalidate("tracker", HOME_CACHE_NAMESPACE))
    report.seconds = time.perf_counter() - started
    return report


def _write(
    plants: list[_Plant], technologies: dict[str, Technology], report: GemImportReport
) -> None:
    now = timezone.now()
    existing = {
        project.external_id: project
        for project in IndustrialProject.objects.filter(
            source=GEM_SOURCE, external_id__in=[plant.plant_id for plant in plants]
        )
    }
    wanted_slugs = {
        project_slug(p.values["name"], p.plant_id): p for p in plants if p.plant_id not in existing
    }
    taken_slugs = set(
        IndustrialProject.objects.filter(slug__in=list(wanted_slugs)).values_list("slug", flat=True)
    )

    created, changed, unchanged = [], [], []
    plant_of = {}  # project pk or slug → plant
    for plant in plants:
        project = existing.get(plant.plant_id)
        if project is None:
            slug = project_slug(plant.values["name"], plant.plant_id)
            if slug in taken_slugs:
                report.skipped.append(
                    RowIssue(
                        plant.row,
                        plant.plant_id,
                        plant.values["name"],
                        f"slug “{slug}” is already used by another project",
                    )
                )
                continue
            project = IndustrialProject(
                slug=slug, external_id=plant.plant_id, source=GEM_SOURCE, **plant.values
            )
            project.updated_at = now
            created.append(project)
        else:
            differs = [
                name for name, value in plant.values.items() if getattr(project, name) != value
            ]
            for name in differs:
                setattr(project, name, plant.values[name])
            (changed if differs else unchanged).append(project)
        plant_of[id(project)] = plant

    IndustrialProject.objects.bulk_create(created, batch_size=500)
    projects = created + changed + unchanged

    # Technologies: compare with what each known project has; rewrite only what differs.
    through = IndustrialProject.technologies.through
    current: dict[int, set[int]] = {}
    for project_id, technology_id in through.objects.filter(
        industrialproject_id__in=[p.pk for p in changed + unchanged]
    ).values_list("industrialproject_id", "technology_id"):
        current.setdefault(project_id, set()).add(technology_id)
    tech_changed = []
    for project in projects:
        wanted = {technologies[slug].pk for slug in plant_of[id(project)].technologies}
        if current.get(project.pk, set()) != wanted:
            tech_changed.append(project)
    through.objects.filter(industrialproject_id__in=[p.pk for p in tech_changed]).delete()
    through.objects.bulk_create(
        [
            through(industrialproject_id=project.pk, technology_id=technologies[slug].pk)
            for project in tech_changed
            for slug in plant_of[id(project)].technologies
        ],
        batch_size=1000,
    )
    # A project whose only change is its technologies is an update too.
    for project in tech_changed:
        if project in unchanged:
            unchanged.remove(project)
            changed.append(project)
    for project in changed:
        project.updated_at = now
    if changed:
        IndustrialProject.objects.bulk_update(
            changed, [*IMPORTED_FIELDS, "updated_at"], batch_size=500
        )

    _write_project_history(created, changed, now)
    _write_capacities(projects, plant_of, report, now)
    report.created, report.updated, report.unchanged = len(created), len(changed), len(unchanged)


def _write_project_history(
    created: list[IndustrialProject], changed: list[IndustrialProject], now
) -> None:
    """History rows for the projects, with the snapshot of their technologies that a
    ``save()`` followed by ``technologies.set()`` would have left."""
    manager = IndustrialProject.history
    records = list(
        manager.bulk_history_create(created, default_date=now, default_change_reason=CHANGE_REASON)
    )
    records += list(
        manager.bulk_history_create(
            changed, update=True, default_date=now, default_change_reason=CHANGE_REASON
        )
    )
    if not records:
        return
    m2m_history = apps.get_model("tracker", "HistoricalIndustrialProject_technologies")
    through = IndustrialProject.technologies.through
    rows_of: dict[int, list] = {}
    for row in through.objects.filter(
        industrialproject_id__in=[record.id for record in records]
    ).only("id", "industrialproject_id", "technology_id"):
        rows_of.setdefault(row.industrialproject_id, []).append(row)
    m2m_history.objects.bulk_create(
        [
            m2m_history(
                history_id=record.pk,
                id=row.id,
                industrialproject_id=row.industrialproject_id,
                technology_id=row.technology_id,
            )
            for record in records
            for row in rows_of.get(record.id, [])
        ],
        batch_size=1000,
    )


def _write_capacities(
    projects: list[IndustrialProject], plant_of: dict, report: GemImportReport, now
) -> None:
    existing: dict[tuple[int, str, str], ProjectCapacity] = {
        (c.project_id, c.product, c.status): c
        for c in ProjectCapacity.objects.filter(project_id__in=[p.pk for p in projects])
    }
    create, update, keep = [], [], set()
    for project in projects:
        for (product, status), value in plant_of[id(project)].capacities.items():
            key = (project.pk, product, status)
            keep.add(key)
            capacity = existing.get(key)
            if capacity is None:
                create.append(
                    ProjectCapacity(
                        project_id=project.pk,
                        product=product,
                        status=status,
                        value=value,
                        unit="ttpa",
                    )
                )
            elif capacity.value != value or capacity.unit != "ttpa":
                capacity.value, capacity.unit = value, "ttpa"
                update.append(capacity)
    ProjectCapacity.objects.bulk_create(create, batch_size=1000)
    ProjectCapacity.history.bulk_history_create(
        create, default_date=now, default_change_reason=CHANGE_REASON, batch_size=1000
    )
    if update:
        ProjectCapacity.objects.bulk_update(update, ["value", "unit"], batch_size=1000)
        ProjectCapacity.history.bulk_history_create(
            update, update=True, default_date=now, default_change_reason=CHANGE_REASON
        )
    gone = [capacity for key, capacity in existing.items() if key not in keep]
    for capacity in gone:  # rare; delete() leaves the "-" history row
        capacity._change_reason = CHANGE_REASON
        capacity.delete()
    report.capacities_created = len(create)
    report.capacities_updated = len(update)
    report.capacities_deleted = len(gone)
