"""Co-development projects: the list /technology/projects/ (filters in the query string,
counts per status) and one project /technology/projects/<slug>/ with its participants,
milestones, budget, publications, links and its TRL progress chart. Every page reads what
the visitor may see, through ``..selectors.projects``; anonymous visitors get the page
cache (made stale by any change to what the pages show: ``..signals``)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from leadit.access import permitted_or_404
from leadit.cache import cache_public_page
from leadit.charts import data_table
from leadit.facets import FacetOption
from leadit.filtering import filter_context

from ..charts import trl_progress, trl_progress_chart, trl_progress_table
from ..selectors import projects as selectors
from ..signals import PAGES_NAMESPACE

PROJECTS_PER_PAGE = 25


@cache_public_page(PAGES_NAMESPACE)
def project_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.project_list(data=request.GET, user=request.user)
    filterset = listing.filterset
    page = Paginator(listing.projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "projects": page.object_list,
        "facets": listing.facets,
        "statuses": listing.statuses,
        "total": listing.total,
        "sort_options": [
            FacetOption(value, label, 0, value == filterset.sort_order())
            for value, label in filterset.sort_choices()
        ],
        **filter_context(request, filterset, reasons=True),
    }
    return render(request, "technology/project_list.html", context)


@cache_public_page(PAGES_NAMESPACE)
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = permitted_or_404(
        request,
        selectors.project_page_queryset(user=request.user),
        what="co-development project",
        identifier=slug,
        action="view",
        slug=slug,
    )
    today = timezone.localdate()
    progress = trl_progress(project, project.milestones.all(), today=today)
    participants = project.participants.all()
    context = {
        "project": project,
        "sectors": project.sectors.all(),
        "participants": participants,
        "lead_listed": any(p.member_id == project.lead_member_id for p in participants),
        "milestones": selectors.milestone_rows(project, today=today),
        "publications": project.publications.all(),
        # The linked records the visitor may see, else None (the selector's prefetch).
        "solution": project.visible_solution,
        "pipeline_project": project.visible_pipeline_project,
        "chart": trl_progress_chart(progress),
        "chart_table": data_table(trl_progress_table(progress)),
        "may_edit": selectors.may_edit(project, user=request.user),
    }
    return render(request, "technology/project_detail.html", context)
