"""Reading GEM's Global Iron and Steel Tracker plant file into the plants to import
(``read_gem_file``), for ``tracker.gem_import``.

Nothing is guessed: a row whose country name is not known (to django-countries or to the
short alias table below), whose status is not one of GEM's, or that fails validation is
skipped and reported with its row number, plant id and the value at fault.
"""

import csv
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.text import slugify
from django_countries import countries

from .models import IndustrialProject, Sector

# A project's ``source``: with its ``external_id`` (GEM's plant id), what matches a row to an
# earlier import. Also shown as the data's origin on the project pages.
GEM_SOURCE = "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release"

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
class GemPlant:
    """A good row of the file, ready to be written (``tracker.gem_writes``)."""

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


class _Skip(Exception):
    """Why a row is left out of the import (reported with the row, never fatal)."""


@dataclass
class _RowNotes:
    """Where a row's problems go: a skipped row, or a note on a row imported all the same."""

    report: GemImportReport
    number: int
    plant_id: str
    name: str

    def skip(self, message: str) -> None:
        self.report.skipped.append(RowIssue(self.number, self.plant_id, self.name, message))

    def note(self, message: str) -> None:
        self.report.warnings.append(RowIssue(self.number, self.plant_id, self.name, message))


def _read_row(
    number: int,
    row: dict,
    capacity_columns: dict[str, tuple[str, str]],
    sector: Sector,
    report: GemImportReport,
) -> GemPlant | None:
    plant_id = (row.get("plant-id") or "").strip()
    name = " ".join((row.get("plant-name-(english)") or "").split())
    notes = _RowNotes(report, number, plant_id, name)
    try:
        country, status = _country_and_status(row, plant_id, name)
        equipment = " ".join((row.get("main-production-equipment") or "").split())
        technologies = _technology_slugs(equipment, notes)
        capacities = _capacities(row, capacity_columns, notes)
        values = _project_values(
            row, notes, country=country, status=status, sector=sector, equipment=equipment
        )
        _check_fields(values, plant_id)
    except _Skip as skipped:
        notes.skip(str(skipped))
        return None
    return GemPlant(number, plant_id, values, technologies, capacities)


def _country_and_status(row: dict, plant_id: str, name: str) -> tuple[str, str]:
    """The row's country code and our status; a row without them (or without an id or a
    name) is skipped."""
    if not plant_id:
        raise _Skip("no plant id")
    if not name:
        raise _Skip("no plant name")
    country_name = (row.get("country/area") or "").strip()
    country = country_code(country_name)
    if country is None:
        raise _Skip(
            f"country “{country_name}” is not a known country name; add it to "
            "COUNTRY_ALIASES in tracker/gem_rows.py if it is one"
        )
    status_text = (row.get("plant-status") or "").strip()
    status = parse_status(status_text)
    if status is None:
        raise _Skip(f"plant status “{status_text}” is not one of {STATUS_NAMES}")
    return country, status


def _technology_slugs(equipment: str, notes: _RowNotes) -> list[str]:
    """Our technologies for the parts of ``main-production-equipment`` (in order, once
    each); a part we do not know stays in the text only."""
    technologies = []
    for part in (p.strip() for p in equipment.split(";")):
        if not part or part.lower() in EQUIPMENT_WITHOUT_TECHNOLOGY:
            continue
        if part.upper() in EQUIPMENT:
            slug = EQUIPMENT[part.upper()][0]
            if slug not in technologies:
                technologies.append(slug)
        else:
            notes.note(
                f"production equipment “{part}” is not a known technology; kept as text only"
            )
    return technologies


def _capacities(
    row: dict, capacity_columns: dict[str, tuple[str, str]], notes: _RowNotes
) -> dict[tuple[str, str], Decimal]:
    """(product, status) → capacity in ttpa, from the cells that hold a positive figure."""
    capacities = {}
    for column, (product, raw_status) in capacity_columns.items():
        text = (row.get(column) or "").strip()
        if text in ("0", "0.0") or text.lower() in NO_FIGURE:
            continue
        value = _decimal(text, "0.01")
        if value is None or value < 0:
            notes.note(f"capacity “{text}” in {column} is not a number; left out")
            continue
        if value == 0:
            continue
        capacity_status = parse_status(raw_status)
        if capacity_status is None:
            notes.note(
                f"capacity {text} ttpa in {column}: status “{raw_status}” is not one of "
                "ours; left out"
            )
            continue
        capacities[(product, capacity_status)] = value
    return capacities


def _project_values(
    row: dict, notes: _RowNotes, *, country: str, status: str, sector: Sector, equipment: str
) -> dict:
    """The project's fields from the row (owners cut to fit, a web address only if it is
    one)."""
    latitude, longitude = parse_coordinates(row)
    owner = _text(row, "owner")
    parent = _text(row, "parent")
    limit = IndustrialProject._meta.get_field("parent").max_length
    if len(parent) > limit:
        notes.note(f"parent company list ({len(parent)} characters) shortened to {limit}")
        parent = _shorten(parent, limit)
    owner = _shorten(owner, IndustrialProject._meta.get_field("owner").max_length)
    source_url = (row.get("gem-wiki-page") or "").strip()
    if not source_url.startswith(("https://", "http://")):
        source_url = ""
    return {
        "name": notes.name,
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


def _check_fields(values: dict, plant_id: str) -> None:
    """Field validation (lengths, URL, decimals): a bad row is skipped, not fatal. Country
    and sector are known good already (and validating them costs a query or a scan)."""
    probe = IndustrialProject(
        slug=project_slug(values["name"], plant_id),
        external_id=plant_id,
        source=GEM_SOURCE,
        **values,
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
        raise _Skip(f"invalid values ({problems})") from None


def project_slug(name: str, plant_id: str) -> str:
    base = slugify(name)[:150].strip("-")
    return f"{base}-{plant_id.lower()}" if base else plant_id.lower()


def read_gem_file(path: Path, sector: Sector, report: GemImportReport) -> list[GemPlant]:
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
