"""The needs board /partnerships/needs/ (filters in the query string), its downloads
/partnerships/needs/export.csv|.xlsx|.json (exactly the filtered list) and one need
/partnerships/needs/<id>/ with its commitments.

Anonymous visitors' pages are cached (``leadit.cache``); the board's content is also cached
as a fragment per audience, filters and page (``.fragments``), which pages whose address
only adds a tracking tag, and signed-in visitors of one visibility level, share."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leadit.access import permitted_or_404
from leadit.cache import cache_public_page

from ..exports import ListDownload, demo_cell, list_page_context, rate_date
from ..filters import NeedFilter
from ..models import SupportRequest
from ..selectors.needs import need_detail_queryset, needs_board, needs_last_updated
from ..signals import PAGES_NAMESPACE
from .fragments import cached_list_body, list_reads

NEEDS_PER_PAGE = 25

NEED_COLUMNS = [
    "id",
    "title",
    "demo_record",
    "partnership",
    "country_code",
    "country",
    "requested_by",
    "sectors",
    "kind",
    "priority",
    "status",
    "amount",
    "currency",
    "amount_usd",
    "usd_rate_as_of",
    "live_commitments",
    "committed_usd",
    "description",
    "created_on",
    "updated_on",
    "url",
]


@cache_public_page(PAGES_NAMESPACE, reads=list_reads(NeedFilter))
def need_list(request: HttpRequest) -> HttpResponse:
    body = cached_list_body(
        request,
        name="needs",
        filterset_class=NeedFilter,
        template="partnerships/includes/need_list_body.html",
        build=_need_list_context,
    )
    return render(request, "partnerships/need_list.html", body)


def _need_list_context(request: HttpRequest) -> dict:
    """The board's content: the filters with their counts, the page of needs, the
    downloads."""
    board = needs_board(data=request.GET, user=request.user)
    context = list_page_context(
        request,
        board.filterset,
        board.needs,
        per_page=NEEDS_PER_PAGE,
        list_url_name="partnerships:needs",
        export_url_name="partnerships:needs_export",
    )
    context.update(
        needs=context["page_obj"].object_list,
        facets=board.facets,
        unmatched="unmatched" in board.filterset.applied(),
        min_usd=request.GET.get("min_usd", ""),
        max_usd=request.GET.get("max_usd", ""),
        last_updated=needs_last_updated(user=request.user),
    )
    return context


@cache_public_page(PAGES_NAMESPACE)
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = permitted_or_404(
        request,
        need_detail_queryset(user=request.user),
        what="support request",
        identifier=pk,
        action="see",
        pk=pk,
    )
    return render(request, "partnerships/need_detail.html", {"need": need})


def need_row(request: HttpRequest, need: SupportRequest) -> dict:
    """One need as a download row (``NEED_COLUMNS``); None where nothing is recorded."""
    return {
        "id": need.pk,
        "title": need.title,
        "demo_record": demo_cell(need.is_demo),
        "partnership": need.partnership.name,
        "country_code": need.partnership.country.code,
        "country": need.partnership.country.name,
        "requested_by": (need.requesting_member or need.partnership).name,
        "sectors": "; ".join(sector.name for sector in need.sectors.all()),
        "kind": need.get_kind_display(),
        "priority": need.get_priority_display(),
        "status": need.get_status_display(),
        "amount": need.amount,
        "currency": need.currency,
        "amount_usd": need.amount_usd,
        "usd_rate_as_of": rate_date(need),
        "live_commitments": need.live_commitments,
        "committed_usd": need.committed_usd,
        "description": need.description,
        "created_on": need.created_at.date(),
        "updated_on": need.updated_at.date(),
        "url": request.build_absolute_uri(need.get_absolute_url()),
    }


NEEDS_DOWNLOAD = ListDownload(
    name="needs",
    title="Support requests (needs)",
    list_url_name="partnerships:needs",
    columns=NEED_COLUMNS,
    row=need_row,
)


@cache_public_page(PAGES_NAMESPACE)
def need_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The board exactly as filtered and sorted (every page), as CSV, XLSX or JSON."""
    board = needs_board(data=request.GET, user=request.user, with_facets=False)
    return NEEDS_DOWNLOAD.response(request, fmt, filterset=board.filterset, records=board.needs)
