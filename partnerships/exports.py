"""Downloads of exactly what a partnerships list shows as filtered and sorted (every page):
the needs, the offers and the pipeline, as CSV, XLSX or JSON.

A list hands :func:`export_response` its rows (dicts, one key per column) and its filter
set; this module writes the file. Each CSV row ends with the licence, the citation and
the time the file was made (a CSV file has no other room for them); the XLSX
file adds an "About" sheet and the JSON file top-level metadata: licence, citation (the
list's address as filtered), when it was generated, the filters applied and ignored.
Spreadsheet cells are never formulae (``leadit.spreadsheets.escape_formula``); JSON keeps
values as they are. A missing value is ``not_recorded``, never an empty cell that could
be read as "none"; invented records carry "Demo record (invented)".
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from leadit.facets import FacetOption
from leadit.filtering import filter_context, query_without
from leadit.spreadsheets import csv_download, escape_formula
from tracker.wording import DEMO_LABEL, or_not_recorded

from .filters import PartnershipListFilter

EXPORT_FORMATS = ("csv", "xlsx", "json")
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CITATION_NAME = "LeadIT industry transition partnerships"
NOT_DEMO = "no"
MISSING_VALUES_NOTE = (
    "“not_recorded” marks a value the secretariat does not record: not that it is none or "
    f"zero. “{DEMO_LABEL}” marks an invented demo record."
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ListExport:
    """One download: ``name`` ("needs") names the file, the sheet and the JSON key."""

    name: str
    title: str  # "Support requests (needs)"
    columns: Sequence[str]
    rows: list[dict]
    filters: dict[str, str]
    ignored: dict[str, str]
    sort: str
    list_url: str  # the list's full address as filtered and sorted
    generated_at: str = field(
        default_factory=lambda: timezone.now().replace(microsecond=0).isoformat()
    )
    # What the files are cited under and begin with (the technology catalogue has its own).
    citation_name: str = CITATION_NAME
    file_prefix: str = "leadit-partnerships"

    @property
    def citation(self) -> str:
        made = self.generated_at[:10]
        return f"{self.citation_name}: {self.title.lower()}, {made}, {self.list_url}"

    @property
    def filename_stem(self) -> str:
        return f"{self.file_prefix}-{self.name}"


def demo_cell(is_demo: bool) -> str:
    return DEMO_LABEL if is_demo else NOT_DEMO


def rate_date(record):
    """The day of the US dollar rate ``record``'s amounts were converted at; "not
    converted (USD)" for amounts in dollars; None (not recorded) when no rate was kept."""
    if record.usd_rate_id:
        return record.usd_rate.as_of
    return "not converted (USD)" if record.currency == "USD" else None


def canonical_query(data, filterset: PartnershipListFilter):
    """The list's parameters with a valid value, without the page or unknown parameters:
    what the list's links, downloads and citation carry."""
    query = data.copy()
    for name in list(query):
        if name not in filterset.Meta.fields or name in filterset.errors or not query[name].strip():
            query.pop(name)
    return query


def list_export(
    request: HttpRequest,
    *,
    name: str,
    title: str,
    list_url_name: str,
    filterset: PartnershipListFilter,
    columns: Sequence[str],
    rows: Iterable[dict],
    citation_name: str = CITATION_NAME,
    file_prefix: str = "leadit-partnerships",
) -> ListExport:
    """The export of the list ``list_url_name`` as ``filterset`` filtered it, ``rows``
    holding one value per column (missing values become ``not_recorded``)."""
    query = canonical_query(request.GET, filterset)
    return ListExport(
        name=name,
        title=title,
        columns=columns,
        rows=[{column: or_not_recorded(row[column]) for column in columns} for row in rows],
        filters=filterset.applied(),
        ignored={note.name: note.given for note in filterset.ignored()},
        sort=filterset.sort_order(),
        list_url=request.build_absolute_uri(reverse(list_url_name) + query_without(query)),
        citation_name=citation_name,
        file_prefix=file_prefix,
    )


def list_page_context(
    request: HttpRequest,
    filterset: PartnershipListFilter,
    rows,
    *,
    per_page: int,
    list_url_name: str,
    export_url_name: str,
    citation_name: str = CITATION_NAME,
) -> dict:
    """What a partnerships list page shows around its rows: the page of ``rows``, its
    filters (in use, ignored), its order, and the downloads of exactly that list with
    their licence and citation (``partnerships/includes/list_downloads.html``)."""
    # A page number that is not a number gives the first page; past the end, the last.
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = query_without(canonical_query(request.GET, filterset))
    list_url = request.build_absolute_uri(reverse(list_url_name) + query)
    return {
        "page_obj": page,
        **filter_context(request, filterset, reasons=True),
        "sort": filterset.sort_order(),
        "sort_options": [
            FacetOption(value, label, 0, value == filterset.sort_order())
            for value, label in filterset.sort_choices()
        ],
        "downloads": [
            (label, reverse(export_url_name, kwargs={"fmt": fmt}) + query)
            for fmt, label in zip(EXPORT_FORMATS, ("CSV", "Excel (XLSX)", "JSON"), strict=True)
        ],
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "citation": f"{citation_name}, {timezone.localdate().isoformat()}, {list_url}",
    }


def _plain(value):
    """A value as a file stores it: dates in ISO 8601, amounts as numbers."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _cell(value):
    """A spreadsheet cell: never a formula, never a character a spreadsheet refuses."""
    value = _plain(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return escape_formula(value)


def _json_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def about(export: ListExport) -> dict[str, object]:
    """What the XLSX file's "About" sheet says (the JSON file says it too)."""
    return {
        "Title": f"{export.citation_name}: {export.title}",
        "Licence": f"{LICENCE} ({LICENCE_URL})",
        "Citation": export.citation,
        "Generated at": export.generated_at,
        "Filters": ", ".join(f"{k}={v}" for k, v in export.filters.items()) or "none",
        "Ignored filters": ", ".join(f"{k}={v}" for k, v in export.ignored.items()) or "none",
        "Sort": export.sort,
        "Rows": len(export.rows),
        "List on the web": export.list_url,
        "Missing values": MISSING_VALUES_NOTE,
    }


# A CSV file has no room for metadata: each row carries it, as the tracker's project rows
# carry their source and licence, so a row copied elsewhere still says where it is from.
CSV_PROVENANCE_COLUMNS = ("licence", "cite_as", "generated_at")


def _csv_response(export: ListExport) -> HttpResponse:
    response, writer = csv_download(export.filename_stem)
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    provenance = [LICENCE, _cell(export.citation), export.generated_at]
    writer.writerow([*export.columns, *CSV_PROVENANCE_COLUMNS])
    for row in export.rows:
        writer.writerow([*(_cell(row[column]) for column in export.columns), *provenance])
    return response


def _xlsx_bytes(export: ListExport) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(export.name.capitalize()[:31])
    sheet.append(list(export.columns))
    for row in export.rows:
        sheet.append([_cell(row[column]) for column in export.columns])
    info = book.create_sheet("About")
    for label, value in about(export).items():
        info.append([_cell(label), _cell(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _json_bytes(export: ListExport) -> bytes:
    document = {
        "title": f"{export.citation_name}: {export.title}",
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "citation": export.citation,
        "generated_at": export.generated_at,
        "filters": export.filters,
        "ignored_filters": export.ignored,
        "sort": export.sort,
        "count": len(export.rows),
        "list_url": export.list_url,
        "missing_values": MISSING_VALUES_NOTE,
        export.name: [{k: _json_value(v) for k, v in row.items()} for row in export.rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


@dataclass(frozen=True)
class ListDownload:
    """A list's downloads: what they are called, the list they copy and how a record
    becomes a row (``row(request, record) -> {column: value}``)."""

    name: str
    title: str
    list_url_name: str
    columns: Sequence[str]
    row: Callable[[HttpRequest, Any], dict]

    def response(
        self, request: HttpRequest, fmt: str, *, filterset: PartnershipListFilter, records
    ) -> HttpResponse:
        """``records`` (the list as ``filterset`` filtered and sorted it) as ``fmt``."""
        if fmt not in EXPORT_FORMATS:
            raise Http404("No such format.")
        export = list_export(
            request,
            name=self.name,
            title=self.title,
            list_url_name=self.list_url_name,
            filterset=filterset,
            columns=self.columns,
            rows=(self.row(request, record) for record in records),
        )
        return export_response(export, fmt)


def export_response(export: ListExport, fmt: str) -> HttpResponse:
    """``export`` as a CSV, XLSX or JSON attachment named after the list and the day."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    if fmt == "csv":
        return _csv_response(export)
    if fmt == "xlsx":
        response = HttpResponse(_xlsx_bytes(export), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(_json_bytes(export), content_type="application/json; charset=utf-8")
    filename = f"{export.filename_stem}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
