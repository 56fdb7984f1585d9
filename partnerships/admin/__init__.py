"""The secretariat's admin of partnerships: every model, with history (SimpleHistoryAdmin),
spreadsheet import/export (dry run, per-row errors, all-or-nothing), suggested matches on
each open request, the weekly digests and factsheet renders. One module per area."""

from . import invitations, partnerships, pipeline, support  # noqa: F401
