"""Import of Global Energy Monitor's Global Iron and Steel Tracker (GIST) plant file.

``gem_import(path=..., dry_run=...)`` reads either of the two files in
``tracker/data/gem/`` (provenance and licence in its README): the full map file (92
columns, with ``coordinates`` as well as ``lat``/``lng``) or the 24-column subset (``lat``/``lng`` only). Each row becomes one
``IndustrialProject`` with its technologies and capacities; a row is matched to an earlier
import by ``(source, external_id)`` (GEM's plant id), so importing again updates in place and
never duplicates.

Nothing is guessed: a row whose country name is not known, whose status is not one of
GEM's, or that fails validation is skipped and reported with its row number, plant id and
the value at fault (``tracker.gem_rows`` reads the file). The rest of the file is imported
in one transaction: all of it or, if anything unexpected goes wrong, none of it.

Writes (``tracker.gem_writes``) are bulk operations that still keep the history of every
change (the project rows, their technologies and their capacities), so the full file takes
a second or two.
"""

import time
from pathlib import Path

from django.db import transaction

from leadit.cache import invalidate
from leadit.home import HOME_CACHE_NAMESPACE

from .gem_rows import (
    GEM_SOURCE,
    GemImportError,
    GemImportReport,
    RowIssue,
    country_code,
    parse_start_year,
    read_gem_file,
)
from .gem_writes import steel_sector, technologies_for, write_plants

__all__ = [
    "GEM_ATTRIBUTION",
    "GEM_FULL_FILE",
    "GEM_LICENCE",
    "GEM_LICENCE_URL",
    "GEM_SOURCE",
    "GEM_SUBSET_FILE",
    "GEM_TRACKER_URL",
    "GemImportError",
    "GemImportReport",
    "RowIssue",
    "country_code",
    "gem_import",
    "parse_start_year",
]

# Kept in the repository with GEM's licence and a provenance note (data/gem/README.md).
GEM_DATA_DIR = Path(__file__).resolve().parent / "data" / "gem"
GEM_FULL_FILE = GEM_DATA_DIR / "gem_iron_steel_map_file_2025-03-25.csv"
GEM_SUBSET_FILE = GEM_DATA_DIR / "gem_steel_plants_dri_or_in_development_subset.csv"
GEM_ATTRIBUTION = "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release."
GEM_LICENCE = "CC BY 4.0"
GEM_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
GEM_TRACKER_URL = "https://globalenergymonitor.org/projects/global-iron-and-steel-tracker/"


def gem_import(*, path: Path, dry_run: bool = False) -> GemImportReport:
    """Import a GEM Global Iron and Steel Tracker plant file. See the module docstring."""
    started = time.perf_counter()
    path = Path(path)
    report = GemImportReport(path=path, dry_run=dry_run)
    with transaction.atomic():
        sector = steel_sector()
        plants = read_gem_file(path, sector, report)
        technologies = technologies_for({s for p in plants for s in p.technologies}, report)
        write_plants(plants, technologies, report)
        if dry_run:
            transaction.set_rollback(True)
        else:
            # Bulk writes send no per-row signals: the home page counts tracker data too.
            transaction.on_commit(lambda: invalidate("tracker", HOME_CACHE_NAMESPACE))
    report.seconds = time.perf_counter() - started
    return report
