"""The milestone report's downloads: exactly the page's "reported" and "not reported"
lists, one row per member, as CSV, XLSX or JSON.

As the portal's other downloads do (``partnerships/exports.py``, the Tracker's): each CSV
row ends with the licence, the citation and when the file was made; the XLSX file adds an
"About" sheet and the JSON file top-level metadata. Spreadsheet cells are never formulae
(``leadit.spreadsheets.escape_formula``); JSON keeps lists as lists. A member that
reported but whose updates name no pillar or commitment has ``not_recorded`` there (the
update did not say, which is not "none"); invented records carry "Demo record (invented)".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from leadit.spreadsheets import escape_formula
from tracker.wording import DEMO_LABEL, NOT_RECORDED

from .selectors_milestones import MemberReport, MilestoneReportData

EXPORT_FORMATS = ("csv", "xlsx", "json")
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON"}
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CITATION_NAME = "LeadIT members' progress reports"
NOT_DEMO = "no"
NONE_PUBLISHED = "none published"
SEPARATOR = "; "
MISSING_VALUES_NOTE = (
    f"“{NOT_RECORDED}” marks what an update did not say (no pillar or commitment named): "
    f"not that it is none. “{NONE_PUBLISHED}” marks a member that published no update for "
    f"the milestone on this portal. “{DEMO_LABEL}” marks an invented demo record."
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS: Sequence[str] = (
    "member",
    "member_url",
    "kind",
    "country_code",
    "country",
    "member_status",
    "reported",
    "updates",
    "update_urls",
    "pillars",
    "commitments",
    "demo_record",
)
CSV_PROVENANCE_COLUMNS = ("licence", "cite_as", "generated_at")


def export_rows(request: HttpRequest, report: MilestoneReportData) -> list[dict]:
    """One row per member of the report, by name, lists as lists (JSON keeps them; the
    spreadsheets join them with "; ")."""
    return [_row(request, member_report) for member_report in report.members]


def _row(request: HttpRequest, entry: MemberReport) -> dict:
    member = entry.member
    return {
        "member": member.name,
        "member_url": request.build_absolute_uri(member.get_absolute_url()),
        "kind": member.get_kind_display(),
        "country_code": member.country.code,
        "country": member.country.name,
        "member_status": member.get_status_display(),
        "reported": entry.reported,
        "updates": [update.title for update in entry.updates],
        "update_urls": [request.build_absolute_uri(update.url) for update in entry.updates],
        "pillars": [str(pillar) for pillar in entry.pillars],
        "commitments": [
            f"{commitment.text} ({commitment.category_label}): {commitment.status_label}"
            for commitment in entry.commitments
        ],
        "demo_record": DEMO_LABEL if entry.is_demo else NOT_DEMO,
    }


def _flat(row: dict, column: str):
    """A CSV or XLSX cell of ``row``: lists joined, yes/no for a flag, and for an empty
    list, what it means (see ``MISSING_VALUES_NOTE``)."""
    value = row[column]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if value:
            return SEPARATOR.join(value)
        # No update, so nothing it could name; an update that named nothing did not say.
        return NOT_RECORDED if row["reported"] else NONE_PUBLISHED
    return value


def _cell(value):
    """A spreadsheet cell: never a formula, never a character a spreadsheet refuses."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return escape_formula(value)


def _metadata(request: HttpRequest, report: MilestoneReportData) -> dict:
    milestone = report.milestone
    page_url = request.build_absolute_uri(milestone.get_absolute_url())
    generated_at = timezone.now().replace(microsecond=0).isoformat()
    share = report.share_reporting
    return {
        "title": f"{CITATION_NAME}: {milestone.name} ({milestone.date.isoformat()})",
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "citation": f"{CITATION_NAME}: {milestone.name}, {generated_at[:10]}, {page_url}",
        "generated_at": generated_at,
        "milestone": milestone.name,
        "milestone_date": milestone.date.isoformat(),
        "milestone_past": report.is_past,
        "members_reported": report.reported_count,
        "members_due": report.due_count,
        "members_due_reported": report.due_reported_count,
        "members_not_reported": report.not_reported_count,
        "share_reporting": None if share is None else round(share, 4),
        "page_url": page_url,
        "missing_values": MISSING_VALUES_NOTE,
    }


def _csv(rows: list[dict], meta: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, *CSV_PROVENANCE_COLUMNS])
    # A CSV file has no room for metadata: each row carries it, so that a row copied
    # elsewhere still says where it is from.
    provenance = [LICENCE, _cell(meta["citation"]), meta["generated_at"]]
    for row in rows:
        writer.writerow([*(_cell(_flat(row, column)) for column in COLUMNS), *provenance])
    # A byte-order mark, so that spreadsheets read the UTF-8 names right.
    return "\ufeff".encode() + out.getvalue().encode()


def _xlsx(rows: list[dict], meta: dict) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Members")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_cell(_flat(row, column)) for column in COLUMNS])
    about = book.create_sheet("About")
    labels = {
        "title": "Title",
        "licence": "Licence",
        "citation": "Citation",
        "generated_at": "Generated at",
        "milestone_date": "Milestone date",
        "members_reported": "Members reported",
        "members_due": "Members due to report",
        "members_due_reported": "Members due to report that reported",
        "members_not_reported": "Members due to report that have not",
        "share_reporting": "Share of members due that reported",
        "page_url": "Report on the web",
        "missing_values": "Missing values",
    }
    for key, label in labels.items():
        value = meta[key]
        if key == "licence":
            value = f"{LICENCE} ({LICENCE_URL})"
        elif value is None:
            value = NOT_RECORDED
        about.append([_cell(label), _cell(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(request: HttpRequest, report: MilestoneReportData, fmt: str) -> HttpResponse:
    """The report's members as ``fmt`` (csv, xlsx, json; anything else is a 404)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    rows = export_rows(request, report)
    meta = _metadata(request, report)
    if fmt == "csv":
        response = HttpResponse(_csv(rows, meta), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(_xlsx(rows, meta), content_type=XLSX_TYPE)
    else:
        document = {**meta, "count": len(rows), "members": rows}
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    slug = report.milestone.slug
    filename = f"leadit-progress-report-{slug}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
