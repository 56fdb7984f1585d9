"""The content of the partnerships lists (needs board, offers, pipeline) cached as one
rendered fragment per audience, filters, page and day (``leadit.cache.cached_fragment``).

The page cache keys on the whole address, so ``?nocache=…``, ``?utm_source=…`` or a
reordered query string miss it and would render the list again; the fragment depends only
on the parameters the list reads, so they reuse it. It is made stale with every other
partnerships page (``partnerships.signals``), so an edit shows at once.

A fragment is shared only between visitors who see the same records: anonymous visitors
and signed-in visitors of the same visibility level. A focal point also sees their own
partnership's records, so their list is rendered for them alone, never cached.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from leadit.cache import cached_fragment

from ..filters import PartnershipListFilter
from ..models import Visibility, visible_levels
from ..signals import PAGES_NAMESPACE

PAGE = "page"


def audience(user) -> str | None:
    """Whom a list fragment may be shared with: the visibility levels ``user`` reads, or
    None for a focal point (not staff), whose lists also hold their partnership's records."""
    levels = visible_levels(user)
    everything = len(levels) == len(Visibility.values)
    if not everything and user.is_authenticated and user.focal_points.exists():
        return None
    return "+".join(levels)


def list_reads(filterset_class: type[PartnershipListFilter]) -> list[str]:
    """The query parameters a list reads: its filters, in their declared order, and the
    page (``cache_public_page(reads=…)``: other addresses are not stored as pages)."""
    return [*filterset_class.Meta.fields, PAGE]


def list_parameters(data: QueryDict, filterset_class: type[PartnershipListFilter]) -> QueryDict:
    """The parameters of ``data`` the list reads, without blank or unknown ones (tracking
    tags, ``nocache``)."""
    query = QueryDict(mutable=True)
    for name in list_reads(filterset_class):
        values = data.getlist(name)
        if any(value.strip() for value in values):
            query.setlist(name, values)
    return query


def cached_list_body(
    request: HttpRequest,
    *,
    name: str,
    filterset_class: type[PartnershipListFilter],
    template: str,
    build: Callable[[HttpRequest], dict],
) -> dict:
    """``{"body": …, "page_number": …}``: ``template`` rendered with ``build(request)``,
    where the request carries only the list's own parameters (so that no link in the
    fragment repeats a visitor's tracking tags); from the cache when it may be shared."""
    parameters = list_parameters(request.GET, filterset_class)

    def render_body() -> dict:
        own = copy.copy(request)
        own.GET = parameters
        context = build(own)
        html = render_to_string(template, context, request=own)
        # Safe: our own template, escaped as it rendered.
        return {"body": mark_safe(html), "page_number": context["page_obj"].number}  # noqa: S308

    shared_with = audience(request.user)
    if shared_with is None:
        return render_body()
    key = (name, shared_with, request.get_host(), parameters.urlencode(), timezone.localdate())
    return cached_fragment(request, PAGES_NAMESPACE, key, render_body)
