"""The secretariat's admin of technology transfer: every model, with history
(SimpleHistoryAdmin), spreadsheet import/export of solutions, co-development projects,
programmes and calls (dry run, per-row errors, all-or-nothing), introductions to read and
the monthly needs digests sent. One module per area."""

from . import digest, guidelines, introductions, programmes, projects, solutions  # noqa: F401
