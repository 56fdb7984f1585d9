"""Spreadsheet import/export of roadmaps and targets (admin, CSV and XLSX).

Columns are declared explicitly and related records are named by slug (a target by its
id), so a file exported here can be edited and imported back. Every row is validated as
the model would validate it, plus the tracker's own rules with messages a person can act
on (a national roadmap needs a country, a target year is not before its base year, …); a
file with any bad row imports nothing (``leadit.spreadsheets``).

Lookups of sectors, instruments, regions and roadmaps are made once per file, not once per
row, and rows are matched on their import id in one query (``CachedInstanceLoader``): a
10,000-row file imports in seconds (see docs/performance.md).

The package: ``roadmaps`` and ``targets`` (the resources), ``base`` (what they share),
``widgets``, ``rules`` (also the admin's) and ``history`` (``BulkHistoryWriter``).
"""

from .history import BulkHistoryWriter
from .roadmaps import RoadmapResource
from .rules import end_target_error, roadmap_rule_errors, target_rule_errors
from .targets import TargetResource

__all__ = [
    "BulkHistoryWriter",
    "RoadmapResource",
    "TargetResource",
    "end_target_error",
    "roadmap_rule_errors",
    "target_rule_errors",
]
