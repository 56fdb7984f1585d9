"""The roadmap pages: the list /tracker/ (filters in the query string), its downloads
/tracker/export.csv|.xlsx|.json (exactly the filtered list), and one roadmap
/tracker/roadmaps/<slug>/."""

import csv
import io
import json

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from leadit.cache import cache_public_page, cached_fragment
from leadit.filtering import active_filter_links, query_without
from leadit.spreadsheets import escape_formula

from ..filters import DEFAULT_SORT, SORT_CHOICES, RoadmapFilter
from ..selectors.roadmaps import (
    roadmap_catalogue,
    roadmap_export_queryset,
    roadmap_page,
    roadmaps_last_updated,
)
from ..wording import NOT_RECORDED, or_not_recorded

ROADMAPS_PER_PAGE = 25
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CITATION_NAME = "LeadIT Industry Transition Tracker"
EXPORT_FORMATS = ("csv", "xlsx", "json")
MISSING_VALUES_NOTE = (
    f"“{NOT_RECORDED}” marks a value the Tracker does not record: not that it is none "
    "(see the methodology page). is_demo marks invented demo records."
)


def _filter_parameters(data: QueryDict) -> QueryDict:
    """The list's parameters in ``data``, in the visitor's order, without ``page``, unknown
    parameters (tracking tags and the like) and empty ones: what the list depends on,
    with the page and the date."""
    query = QueryDict(mutable=True)
    for name in data:
        value = data.get(name, "")
        if name in RoadmapFilter.Meta.fields and value.strip():
            query[name] = value
    return query


def _canonical_query(data: QueryDict, filterset: RoadmapFilter) -> QueryDict:
    """The list's parameters with a valid value: what its links and citation carry."""
    query = _filter_parameters(data)
    for name in filterset.errors:
        query.pop(name, None)
    return query


def _list_url(request: HttpRequest, query: QueryDict) -> str:
    """The full address of the list exactly as filtered and sorted (any page)."""
    return request.build_absolute_uri(reverse("tracker:index") + query_without(query))


def _citation(request: HttpRequest, query: QueryDict, today) -> str:
    return f"{CITATION_NAME}, {today.isoformat()}, {_list_url(request, query)}"


@cache_public_page("tracker", reads=[*RoadmapFilter.Meta.fields, "page"])
def roadmap_list(request: HttpRequest) -> HttpResponse:
    given = _filter_parameters(request.GET)
    page_asked = request.GET.get("page", "")
    today = timezone.localdate()
    body = cached_fragment(
        request,
        "tracker",
        ("roadmap_list", given.urlencode(), page_asked, today),
        lambda: _roadmap_list_body(request, given=given, page_asked=page_asked, today=today),
    )
    return render(request, "tracker/roadmap_list.html", body)


def _roadmap_list_body(request: HttpRequest, *, given: QueryDict, page_asked: str, today) -> dict:
    """The list's content, rendered: the filters with their counts and the ones ignored,
    the table, the pages and the downloads."""
    catalogue = roadmap_catalogue(data=given)
    filterset = catalogue.filterset
    query = _canonical_query(given, filterset)
    # A page number that is not a number gives the first page; past the end, the last.
    page = Paginator(catalogue.roadmaps, ROADMAPS_PER_PAGE).get_page(page_asked)
    index = reverse("tracker:index")
    active = active_filter_links(
        filterset.active(), lambda name: index + query_without(query, name)
    )
    year_from, year_to = filterset.target_range()
    sort = filterset.sort_order()
    context = {
        "page_obj": page,
        "roadmaps": page.object_list,
        "facets": catalogue.facets,
        "query": filterset.form.cleaned_data.get("q", ""),
        "target_from": year_from or "",
        "target_to": year_to or "",
        "sort": sort,
        "sort_choices": SORT_CHOICES,
        "active_filters": active,
        "ignored_filters": filterset.ignored(),
        "page_query": query_without(query) + ("&" if query else "?") + "page=",
        # Clearing the filters keeps the order.
        "clear_url": index + (f"?sort={sort}" if sort != DEFAULT_SORT else ""),
        "export_query": query_without(query),
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "citation": _citation(request, query, today),
        "last_updated": roadmaps_last_updated(),
    }
    html = render_to_string("tracker/includes/roadmap_list_body.html", context, request=request)
    return {"body": mark_safe(html), "page_number": page.number}  # noqa: S308 - our template


# --- Downloads ------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "slug",
    "title",
    "is_demo",
    "scope",
    "country_code",
    "country_name",
    "region",
    "publisher",
    "published_on",
    "status",
    "sectors",
    "instruments",
    "net_zero_year",
    "earliest_target_year",
    "document_url",
    "last_reviewed_on",
    "url",
]


def _export_rows(request: HttpRequest, roadmaps) -> list[dict]:
    """One dict per roadmap, the columns of ``EXPORT_COLUMNS``, values as they are (dates
    as ISO strings, years as numbers, ``is_demo`` true for an invented demo record), and
    ``NOT_RECORDED`` ("not_recorded") where the Tracker holds no value: never an empty
    cell or a null, which a reader could take for "none"."""
    rows = []
    for roadmap in roadmaps:
        row = {
            "slug": roadmap.slug,
            "title": roadmap.title,
            "is_demo": roadmap.is_demo,
            "scope": roadmap.get_scope_display(),
            "country_code": roadmap.country.code or "",
            "country_name": roadmap.country.name if roadmap.country else "",
            "region": roadmap.region.name if roadmap.region else "",
            "publisher": roadmap.publisher,
            "published_on": (roadmap.published_on.isoformat() if roadmap.published_on else None),
            "status": roadmap.get_status_display(),
            "sectors": "; ".join(sector.name for sector in roadmap.sectors.all()),
            "instruments": "; ".join(i.name for i in roadmap.instruments.all()),
            "net_zero_year": roadmap.net_zero_year,
            "earliest_target_year": roadmap.earliest_target_year,
            "document_url": roadmap.document_url,
            "last_reviewed_on": (
                roadmap.last_reviewed_on.isoformat() if roadmap.last_reviewed_on else None
            ),
            "url": request.build_absolute_uri(roadmap.get_absolute_url()),
        }
        rows.append({key: or_not_recorded(value) for key, value in row.items()})
    return rows


def _flat(value):
    """A CSV or XLSX cell: yes/no for a flag, the value otherwise."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _cell(value):
    """A spreadsheet cell: never a formula, never a character a spreadsheet refuses."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return escape_formula(value)


def _filename(fmt: str) -> str:
    return f"leadit-tracker-roadmaps-{timezone.localdate().isoformat()}.{fmt}"


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([_cell(_flat(row[c])) for c in EXPORT_COLUMNS])
    # A byte-order mark, so that spreadsheets read the UTF-8 names right.
    return "\ufeff".encode() + out.getvalue().encode()


def _xlsx(rows: list[dict], about: dict) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Roadmaps")
    sheet.append(EXPORT_COLUMNS)
    for row in rows:
        sheet.append([_cell(_flat(row[c])) for c in EXPORT_COLUMNS])
    info = book.create_sheet("About")
    for label, value in about.items():
        info.append([_cell(label), _cell(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@cache_public_page("tracker")
def roadmap_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The list exactly as filtered and sorted on /tracker/ (every page), as CSV, XLSX or
    JSON. CSV is the table only; XLSX adds an "About" sheet and JSON top-level metadata
    with the licence, the citation and when it was generated. Spreadsheet cells are never
    formulae (``escape_formula``); JSON keeps every value exactly as it is."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    catalogue = roadmap_catalogue(data=request.GET, with_facets=False)
    filterset = catalogue.filterset
    rows = _export_rows(request, roadmap_export_queryset(roadmaps=catalogue.roadmaps))
    generated_at = timezone.now().replace(microsecond=0).isoformat()
    filters = filterset.applied()
    query = _canonical_query(request.GET, filterset)
    today = timezone.localdate()
    if fmt == "csv":
        response = HttpResponse(_csv(rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        about = {
            "Title": f"{CITATION_NAME}: roadmaps",
            "Licence": f"{LICENCE} ({LICENCE_URL})",
            "Citation": _citation(request, query, today),
            "Generated at": generated_at,
            "Filters": ", ".join(f"{k}={v}" for k, v in filters.items()) or "none",
            "Ignored filters": ", ".join(f"{n}={v}" for n, _l, v, _w in filterset.ignored())
            or "none",
            "Roadmaps": len(rows),
            "Demo records (invented)": sum(1 for row in rows if row["is_demo"] is True),
            "List on the web": _list_url(request, query),
            "Missing values": MISSING_VALUES_NOTE,
        }
        response = HttpResponse(
            _xlsx(rows, about),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        document = {
            "title": f"{CITATION_NAME}: roadmaps",
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "citation": _citation(request, query, today),
            "generated_at": generated_at,
            "filters": filters,
            "sort": filterset.sort_order(),
            "ignored_filters": {name: value for name, _l, value, _w in filterset.ignored()},
            "count": len(rows),
            "missing_values": MISSING_VALUES_NOTE,
            "roadmaps": rows,
        }
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{_filename(fmt)}"'
    return response


# --- One roadmap ------------------------------------------------------------------------------


@cache_public_page("tracker")
def roadmap_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = roadmap_page(slug=slug)
    if page is None:
        raise Http404("No such roadmap.")
    return render(request, "tracker/roadmap_detail.html", {"page": page, "roadmap": page.roadmap})
