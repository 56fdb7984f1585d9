"""Downloads of exactly the solution catalogue as filtered and sorted (every page):
``/technology/export.csv|.xlsx|.json``.

The partnerships lists' downloads (``partnerships.exports``) do the work: the same columns
rules (a missing value is ``not_recorded``, invented records say so, cells are never
formulae), each CSV row carrying the licence, the citation and the time the file was made,
the XLSX file an "About" sheet and the JSON file the same metadata at the top. Only the
name the files are cited under is the catalogue's own.

No contact details: they are for signed-in members, and a download travels anywhere.
"""

from __future__ import annotations

import dataclasses
import io
import json

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from leadit.countries import country_name
from leadit.filtering import query_without
from partnerships.exports import (
    EXPORT_FORMATS,
    LICENCE,
    LICENCE_URL,
    MISSING_VALUES_NOTE,
    XLSX_TYPE,
    ListExport,
    _cell,
    _json_value,
    about,
    canonical_query,
    demo_cell,
    export_response,
    list_export,
    list_page_context,
)

from .filters import SolutionFilter
from .models import TRL_LABELS, TechnologySolution
from .selectors.catalogue import DownloadDetails, download_details, for_download

CITATION_NAME = "LeadIT technology transfer"
TITLE = "Solution catalogue"
WORLDWIDE = "Worldwide"

SOLUTION_COLUMNS = [
    "id",
    "name",
    "demo_record",
    "provider",
    "provider_type",
    "technology",
    "sectors",
    "trl",
    "trl_label",
    "trl_assessed_in",
    "trl_assessed_by",
    "offers",
    "ip_status",
    "open_licence",
    "patent_families",
    "available_in",
    "reference_plants",
    "summary",
    "updated_on",
    "url",
]


class CatalogueExport(ListExport):
    """The catalogue's download, cited as the technology catalogue."""

    @property
    def citation(self) -> str:
        return f"{CITATION_NAME}: {self.title.lower()}, {self.generated_at[:10]}, {self.list_url}"

    @property
    def filename_stem(self) -> str:
        return "leadit-technology-solutions"


def provider_type(solution: TechnologySolution) -> str:
    if solution.member_id:
        return "LeadIT member"
    return solution.institution.get_kind_display()


def _patent(number: str, office: str, filed_on, expires_on) -> str:
    dates = [f"filed {filed_on.isoformat()}" if filed_on else ""]
    dates.append(f"expires {expires_on.isoformat()}" if expires_on else "")
    return f"{number} ({', '.join([office, *filter(None, dates)])})"


class RowWriter:
    """Solutions as download rows (``SOLUTION_COLUMNS``), no contact details: with the
    details read for all of them at once, and what every row repeats (a country's name,
    the address of the solutions' pages) worked out once."""

    def __init__(self, request: HttpRequest, details: DownloadDetails):
        self.details = details
        placeholder = "-"
        url = reverse("technology:solution", kwargs={"slug": placeholder})
        self.url_start, self.url_end = request.build_absolute_uri(url).rsplit(placeholder, 1)
        self.country_names: dict[str, str] = {}

    def country(self, code: str) -> str:
        if code not in self.country_names:
            self.country_names[code] = country_name(code)
        return self.country_names[code]

    def availability(self, solution: TechnologySolution) -> str:
        """Where the solution is available: worldwide, or its countries by name."""
        if solution.available_worldwide:
            return WORLDWIDE
        return "; ".join(self.country(code) for code in self.details.countries[solution.pk])

    def row(self, solution: TechnologySolution) -> dict:
        details, pk = self.details, solution.pk
        return {
            "id": pk,
            "name": solution.name,
            "demo_record": demo_cell(solution.is_demo),
            "provider": solution.provider.name,
            "provider_type": provider_type(solution),
            "technology": solution.technology.name,
            "sectors": "; ".join(details.sectors[pk]),
            "trl": solution.trl,
            "trl_label": TRL_LABELS[solution.trl],
            "trl_assessed_in": solution.trl_assessed_year,
            "trl_assessed_by": solution.trl_assessed_by,
            "offers": "; ".join(kind.label for kind in solution.offer_kinds),
            "ip_status": solution.get_ip_status_display(),
            "open_licence": solution.ip_licence,
            "patent_families": "; ".join(_patent(*patent) for patent in details.patents[pk]),
            "available_in": self.availability(solution),
            "reference_plants": "; ".join(details.plants[pk]),
            "summary": solution.summary,
            "updated_on": solution.updated_at.date(),
            "url": f"{self.url_start}{solution.slug}{self.url_end}",
        }


def catalogue_page_context(
    request: HttpRequest, filterset: SolutionFilter, rows, *, per_page: int
) -> dict:
    """What the catalogue shows around its cards (as every partnerships list does): the
    page, the filters in use and ignored, the order, the downloads with their citation."""
    context = list_page_context(
        request,
        filterset,
        rows,
        per_page=per_page,
        list_url_name="technology:index",
        export_url_name="technology:export",
    )
    query = query_without(canonical_query(request.GET, filterset))
    list_url = request.build_absolute_uri(reverse("technology:index") + query)
    context["citation"] = f"{CITATION_NAME}, {timezone.localdate().isoformat()}, {list_url}"
    return context


def _xlsx_bytes(export: CatalogueExport) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Solutions")
    sheet.append(list(export.columns))
    for row in export.rows:
        sheet.append([_cell(row[column]) for column in export.columns])
    info = book.create_sheet("About")
    for label, value in {**about(export), "Title": f"{CITATION_NAME}: {TITLE}"}.items():
        info.append([_cell(label), _cell(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _json_bytes(export: CatalogueExport) -> bytes:
    document = {
        "title": f"{CITATION_NAME}: {TITLE}",
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


def catalogue_download(
    request: HttpRequest, fmt: str, *, filterset: SolutionFilter, records
) -> HttpResponse:
    """``records`` (the catalogue as ``filterset`` filtered and sorted it) as ``fmt``."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    writer = RowWriter(request, download_details(records))
    listed = list_export(
        request,
        name="solutions",
        title=TITLE,
        list_url_name="technology:index",
        filterset=filterset,
        columns=SOLUTION_COLUMNS,
        rows=(writer.row(solution) for solution in for_download(records)),
    )
    export = CatalogueExport(
        **{field.name: getattr(listed, field.name) for field in dataclasses.fields(listed)}
    )
    if fmt == "csv":
        return export_response(export, fmt)
    if fmt == "xlsx":
        response = HttpResponse(_xlsx_bytes(export), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(_json_bytes(export), content_type="application/json; charset=utf-8")
    filename = f"{export.filename_stem}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
