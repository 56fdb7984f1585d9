"""The solution catalogue ``/technology/`` (filters in the query string), its downloads
``/technology/export.csv|.xlsx|.json`` (exactly the filtered catalogue) and one solution
``/technology/solutions/<slug>/``.

Anonymous visitors' pages are cached (``leadit.cache``); the catalogue's content is also
cached as a fragment per audience, filters and page, as the partnerships lists' is
(``partnerships.views.fragments``): a page whose address only adds a tracking tag or
``?nocache=…``, and signed-in visitors who see the same records, share it.

A solution's contact is shown only to those who see members' records: never to the
public, so never in a cached page or a download.
"""

from __future__ import annotations

import copy

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from leadit.access import permitted_or_404
from leadit.cache import cache_public_page, cached_fragment
from partnerships.models import visible_levels
from partnerships.views.fragments import list_parameters, list_reads

from ..exports import catalogue_download, catalogue_page_context
from ..filters import SolutionFilter
from ..models import Visibility
from ..models.common import is_signed_in
from ..selectors.catalogue import catalogue_last_updated, solution_catalogue
from ..selectors.solution import solution_detail_queryset, solution_page
from ..signals import PAGES_NAMESPACE

SOLUTIONS_PER_PAGE = 24
BODY_TEMPLATE = "technology/catalogue_body.html"


def audience(user) -> str | None:
    """Whom the catalogue's content may be shared with: the visibility levels ``user``
    reads, or None for a member's editor (not staff), whose catalogue also holds their
    member's own records whatever their visibility."""
    levels = visible_levels(user)
    if len(levels) == len(Visibility.values):
        return "+".join(levels)
    if is_signed_in(user) and user.member_roles.exists():
        return None
    return "+".join(levels)


def _catalogue_context(request: HttpRequest) -> dict:
    """The catalogue's content: the filters with their counts, the page of solutions,
    the downloads."""
    catalogue = solution_catalogue(data=request.GET, user=request.user)
    context = catalogue_page_context(
        request, catalogue.filterset, catalogue.solutions, per_page=SOLUTIONS_PER_PAGE
    )
    context.update(
        solutions=context["page_obj"].object_list,
        facets=catalogue.facets,
        last_updated=catalogue_last_updated(user=request.user),
    )
    return context


def _catalogue_body(request: HttpRequest) -> dict:
    """``{"body": …, "page_number": …}``, rendered with only the catalogue's own
    parameters (so that no link repeats a visitor's tracking tags); from the cache when it
    may be shared."""
    parameters = list_parameters(request.GET, SolutionFilter)

    def render_body() -> dict:
        own = copy.copy(request)
        own.GET = parameters
        context = _catalogue_context(own)
        html = render_to_string(BODY_TEMPLATE, context, request=own)
        # Safe: our own template, escaped as it rendered.
        return {"body": mark_safe(html), "page_number": context["page_obj"].number}  # noqa: S308

    shared_with = audience(request.user)
    if shared_with is None:
        return render_body()
    key = (
        "catalogue",
        shared_with,
        request.get_host(),
        parameters.urlencode(),
        timezone.localdate(),
    )
    return cached_fragment(request, PAGES_NAMESPACE, key, render_body)


@cache_public_page(PAGES_NAMESPACE, reads=list_reads(SolutionFilter))
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "technology/catalogue.html", _catalogue_body(request))


@cache_public_page(PAGES_NAMESPACE)
def catalogue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The catalogue exactly as filtered and sorted (every page), as CSV, XLSX or JSON."""
    catalogue = solution_catalogue(data=request.GET, user=request.user, with_facets=False)
    return catalogue_download(
        request,
        fmt,
        filterset=catalogue.filterset,
        records=catalogue.solutions,
    )


@cache_public_page(PAGES_NAMESPACE)
def solution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    solution = permitted_or_404(
        request,
        solution_detail_queryset(user=request.user),
        what="technology solution",
        identifier=slug,
        action="view",
        slug=slug,
    )
    page = solution_page(solution, user=request.user)
    return render(request, "technology/solution_detail.html", {"page": page, "solution": solution})
