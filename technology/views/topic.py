"""One tracker technology across the portal (/technology/<technology-slug>/): solutions and
their TRL, plants, roadmaps, open needs, co-development projects, guidelines and
innovation programmes. Anonymous visitors' pages are cached (``leadit.cache``)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from leadit import charts as svg
from leadit.cache import cache_public_page
from tracker.presentation import GEM_ATTRIBUTION

from ..models import TRL_LABELS
from ..selectors.topic import TechnologyPage, TrlSpread, technology_page
from ..signals import PAGES_NAMESPACE


def _trl_chart(technology_name: str, spread: TrlSpread) -> dict:
    title = f"Solutions for {technology_name} by technology readiness level (TRL)"
    items = [(f"TRL {trl}", n) for trl, n in spread.counts.items()]
    table = svg.ChartTable(
        title,
        ["Technology readiness level", "Solutions"],
        [[f"TRL {trl} — {TRL_LABELS[trl]}", str(n)] for trl, n in spread.counts.items()],
    )
    return {
        "svg": svg.bar_chart(items, title=title, unit=""),
        "table": svg.data_table(table),
    }


@cache_public_page(PAGES_NAMESPACE)
def technology_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page: TechnologyPage | None = technology_page(slug=slug, user=request.user)
    if page is None:
        raise Http404("No technology with this address.")
    technology = page.technology
    context = {
        "page": page,
        "technology": technology,
        "counts": page.counts,
        "gem_attribution": GEM_ATTRIBUTION,
        "trl_chart": _trl_chart(technology.name, page.trl) if page.trl.total else None,
        "canonical_url": request.build_absolute_uri(
            reverse("technology:technology", kwargs={"slug": technology.slug})
        ),
    }
    return render(request, "technology/technology_detail.html", context)
