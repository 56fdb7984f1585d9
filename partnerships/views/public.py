"""The partnerships overview (/partnerships/) and one partnership's page
(/partnerships/<iso2>/): public, page-cached, public records only."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from leadit import charts as svg
from leadit.cache import cache_public_page
from leadit.countries import country_code_clean
from leadit.maps import MapCategory, world_map

from ..models import Partnership
from ..selectors.overview import Overview, StageCapex, overview
from ..selectors.partnership import partnership_page
from ..signals import PAGES_NAMESPACE

STAGE = Partnership.Stage
# The map groups the six stages in four phases (a pattern each, so never colour alone);
# the table under it gives every partnership's exact stage.
MAP_PHASES = {
    STAGE.EXPRESSION_OF_INTEREST: "starting",
    STAGE.SCOPING: "starting",
    STAGE.CONSOLIDATED_RESPONSE: "planning",
    STAGE.PLAN_AGREED: "planning",
    STAGE.IN_IMPLEMENTATION: "implementation",
    STAGE.CONCLUDED: "concluded",
}
MAP_CATEGORIES = [
    MapCategory("starting", "Expression of interest or scoping", "#56B4E9", "dots"),
    MapCategory("planning", "Consolidated response or plan agreed", "#E69F00", "diagonal"),
    MapCategory("implementation", "In implementation", "#009E73", "cross"),
    MapCategory("concluded", "Concluded", "#CC79A7", "horizontal"),
]
NOT_A_PARTNERSHIP = "No partnership"


def _partnership_map(data: Overview):
    return world_map(
        title="Industry transition partnerships by stage",
        countries={
            row.partnership.country.code: MAP_PHASES[row.partnership.stage] for row in data.rows
        },
        categories=MAP_CATEGORIES,
        other_label=NOT_A_PARTNERSHIP,
        legend="html",
    )


def _capex_chart(stages: list[StageCapex]):
    """Capex per stage gate in millions of US dollars; the table beside it is the text."""
    items = [(stage.label, stage.capex_usd / 1_000_000) for stage in stages if stage.projects]
    return svg.bar_chart(items, title="Pipeline capital expenditure by stage", unit="million USD")


@cache_public_page(PAGES_NAMESPACE)
def overview_page(request: HttpRequest) -> HttpResponse:
    data = overview()
    context = {
        "overview": data,
        "totals": data.totals,
        "partnership_map": _partnership_map(data),
        "capex_chart": _capex_chart(data.capex_by_stage),
        "capex_total": sum(stage.capex_usd for stage in data.capex_by_stage),
        "projects_total": sum(stage.projects for stage in data.capex_by_stage),
    }
    return render(request, "partnerships/overview.html", context)


@cache_public_page(PAGES_NAMESPACE)
def partnership_detail(request: HttpRequest, iso2: str) -> HttpResponse:
    # One address per partnership: /partnerships/in/, never /partnerships/IN/.
    if iso2 != iso2.lower():
        return redirect("partnerships:partnership", iso2=iso2.lower(), permanent=True)
    code = country_code_clean(iso2)
    page = partnership_page(code=code) if code else None
    if page is None:
        raise Http404("No partnership with this country.")
    context = {
        "page": page,
        "partnership": page.partnership,
        "canonical_url": request.build_absolute_uri(
            reverse("partnerships:partnership", kwargs={"iso2": iso2})
        ),
    }
    return render(request, "partnerships/partnership_detail.html", context)
