"""The words the Tracker uses for what it does not know and for what it made up.

A missing value is never shown as an absence: "not recorded in the Tracker" says only that
the Tracker holds no record, not that the country has no target or roadmap. Downloads
(CSV, XLSX, JSON) carry the value ``not_recorded`` in such a cell. Invented demo records
(``Roadmap.is_demo``) carry ``DEMO_LABEL`` wherever they appear. The methodology page
explains both (``tracker/templates/tracker/methodology.html``, "Missing values" and
"Demo records").
"""

NOT_RECORDED = "not_recorded"  # the value of a missing cell in every download
NOT_RECORDED_TEXT = "Not recorded in the Tracker"
NOT_RECORDED_SHORT = "not recorded"
DEMO_LABEL = "Demo record (invented)"


def or_not_recorded(value):
    """``value`` for a download cell, or ``NOT_RECORDED`` when it is missing (None or "")."""
    if value is None or value == "":
        return NOT_RECORDED
    return value
