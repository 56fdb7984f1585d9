"""The pipeline of bankable projects: the list /partnerships/pipeline/ (filters in the query
string, the funnel by stage, the time in each stage), its downloads
/partnerships/pipeline/export.csv|.xlsx|.json (exactly the filtered list) and one project
/partnerships/pipeline/<slug>/. Every page reads what the visitor may see, through the
selectors; anonymous visitors get the page cache, and the list's content is cached as a
fragment per audience, filters, page and day (``.fragments``)."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leadit.access import permitted_or_404
from leadit.cache import cache_public_page
from leadit.charts import data_table
from leadit.charts_funnel import FunnelStep, funnel_chart, funnel_chart_table

from ..exports import ListDownload, demo_cell, list_page_context, rate_date
from ..filters import PipelineFilter
from ..selectors.pipeline import (
    StageFigure,
    pipeline_list,
    project_page_queryset,
    stage_gate,
)
from ..signals import PAGES_NAMESPACE
from .fragments import cached_list_body, list_reads

PROJECTS_PER_PAGE = 25
MILLION = Decimal(1_000_000)
FUNNEL_TITLE = "Pipeline projects by stage"


def _millions(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount / MILLION


def funnel(stages: list[StageFigure]) -> dict:
    """The funnel's SVG and its table: projects and capex (USD million) per stage, on hold
    and dropped apart."""
    gate = [FunnelStep(s.label, s.count, _millions(s.capex_usd)) for s in stages if not s.apart]
    apart = [FunnelStep(s.label, s.count, _millions(s.capex_usd)) for s in stages if s.apart]
    labels = {"aside": apart, "amount_unit": "USD m"}
    return {
        "svg": funnel_chart(
            gate,
            title=FUNNEL_TITLE,
            aside_title="On hold or dropped",
            noun="project",
            **labels,
        ),
        "table": data_table(
            funnel_chart_table(
                gate,
                title=FUNNEL_TITLE,
                count_label="Projects",
                amount_label="Capex",
                **labels,
            )
        ),
        "capex_missing": sum(s.capex_missing for s in stages),
    }


@cache_public_page(PAGES_NAMESPACE, reads=list_reads(PipelineFilter))
def pipeline_list_page(request: HttpRequest) -> HttpResponse:
    body = cached_list_body(
        request,
        name="pipeline",
        filterset_class=PipelineFilter,
        template="partnerships/includes/pipeline_list_body.html",
        build=_pipeline_list_context,
    )
    return render(request, "partnerships/pipeline_list.html", body)


def _pipeline_list_context(request: HttpRequest) -> dict:
    """The list's content: the filters with their counts, the page of projects, the
    downloads, the funnel by stage and the time in each stage."""
    listing = pipeline_list(data=request.GET, user=request.user)
    filterset = listing.filterset
    context = list_page_context(
        request,
        filterset,
        listing.projects,
        per_page=PROJECTS_PER_PAGE,
        list_url_name="partnerships:pipeline",
        export_url_name="partnerships:pipeline_export",
    )
    context.update(
        projects=context["page_obj"].object_list,
        facets=listing.facets,
        min_capex=request.GET.get("min_capex", ""),
        stage_filtered=bool(filterset.selected("stage")),
        funnel=funnel(listing.stages),
        times=listing.times,
        total=listing.total,
        last_updated=listing.last_updated,
    )
    return context


EXPORT_COLUMNS = [
    "slug",
    "name",
    "demo_record",
    "partnership",
    "country_code",
    "sector",
    "technologies",
    "sponsor",
    "location",
    "stage",
    "stage_since",
    "currency",
    "capex",
    "capex_usd",
    "financing_gap",
    "financing_gap_usd",
    "usd_rate_as_of",
    "abatement_t_co2_per_year",
    "gem_plant_url",
    "updated_at",
    "url",
]


def project_row(request: HttpRequest, project) -> dict:
    """One project as a download row (``EXPORT_COLUMNS``); None where nothing is recorded."""
    return {
        "slug": project.slug,
        "name": project.name,
        "demo_record": demo_cell(project.is_demo),
        "partnership": project.partnership.name,
        "country_code": project.partnership.country.code,
        "sector": project.sector.name,
        "technologies": "; ".join(t.name for t in project.technologies.all()),
        "sponsor": project.sponsor,
        "location": project.location,
        "stage": project.get_stage_display(),
        "stage_since": project.stage_since,
        "currency": project.currency,
        "capex": project.capex,
        "capex_usd": project.capex_usd,
        "financing_gap": project.financing_gap,
        "financing_gap_usd": project.financing_gap_usd,
        "usd_rate_as_of": rate_date(project),
        "abatement_t_co2_per_year": project.abatement_t_per_year,
        "gem_plant_url": (
            request.build_absolute_uri(project.gem_plant.get_absolute_url())
            if project.gem_plant
            else None
        ),
        "updated_at": project.updated_at.replace(microsecond=0),
        "url": request.build_absolute_uri(project.get_absolute_url()),
    }


PIPELINE_DOWNLOAD = ListDownload(
    name="pipeline",
    title="Pipeline of bankable projects",
    list_url_name="partnerships:pipeline",
    columns=EXPORT_COLUMNS,
    row=project_row,
)


@cache_public_page(PAGES_NAMESPACE)
def pipeline_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The list exactly as filtered and sorted (every page) as CSV, XLSX or JSON."""
    listing = pipeline_list(data=request.GET, user=request.user, with_figures=False)
    return PIPELINE_DOWNLOAD.response(
        request,
        fmt,
        filterset=listing.filterset,
        records=listing.projects.select_related("usd_rate", "gem_plant"),
    )


@cache_public_page(PAGES_NAMESPACE)
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = permitted_or_404(
        request,
        project_page_queryset(user=request.user),
        what="pipeline project",
        identifier=slug,
        action="view",
        slug=slug,
    )
    context = {
        "project": project,
        "gate": stage_gate(project),
        "history": project.stage_changes.all(),
        "offers": project.visible_offers,
        "institutions": project.financing_institutions.all(),
        "sources": project.sources.all(),
        "technologies": project.technologies.all(),
    }
    return render(request, "partnerships/pipeline_detail.html", context)
