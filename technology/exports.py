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

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from leadit.countries import country_name
from partnerships.exports import (
    EXPORT_FORMATS,
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
    return list_page_context(
        request,
        filterset,
        rows,
        per_page=per_page,
        list_url_name="technology:index",
        export_url_name="technology:export",
        citation_name=CITATION_NAME,
    )


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
        citation_name=CITATION_NAME,
        file_prefix="leadit-technology",
    )
    return export_response(listed, fmt)
