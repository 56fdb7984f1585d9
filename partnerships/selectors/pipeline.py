"""Reads for the pipeline of bankable projects: the filtered list /partnerships/pipeline/
with its facet counts, its funnel by stage and the time projects spend in each stage, its
downloads /partnerships/pipeline/export.<fmt>, and one project /partnerships/pipeline/<slug>/.

Every read starts from ``PipelineProject.objects.visible_to(user)``: a members' or
secretariat project never reaches a visitor who may not see it, not in the list, a count,
the funnel, the times or a download. Each read runs a constant number of queries whatever
the number of projects (``tests/partnerships/test_pipeline.py`` asserts it).
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.http import QueryDict

from leadit.facets import Facet, choice_facet
from tracker.models import Sector

from ..filters import PIPELINE_STAGES_APART, PipelineFilter
from ..models import PipelineProject, PipelineStageChange, SupportOffer
from .needs import country_facet

Stage = PipelineProject.Stage


def visible_projects(*, user) -> QuerySet[PipelineProject]:
    return PipelineProject.objects.visible_to(user)


# --- The funnel and the time in each stage ---------------------------------------------


@dataclass(frozen=True)
class StageFigure:
    """How many listed projects are at one stage, and their capital expenditure."""

    stage: str
    label: str
    count: int
    capex_usd: Decimal | None  # None: no project at this stage has a capex in USD
    capex_missing: int  # projects at this stage whose capex in USD is not recorded
    apart: bool  # on hold or dropped: not a step of the gate


def stage_figures(projects: QuerySet[PipelineProject]) -> list[StageFigure]:
    """Every stage, in the gate's order then on hold and dropped, with its count and the
    sum of its capex in US dollars (one query)."""
    rows = {
        row["stage"]: row
        for row in projects.order_by()
        .values("stage")
        .annotate(
            n=Count("pk"),
            capex=Sum("capex_usd"),
            missing=Count("pk", filter=Q(capex_usd__isnull=True)),
        )
    }
    figures = []
    for stage, label in Stage.choices:
        row = rows.get(stage, {"n": 0, "capex": None, "missing": 0})
        capex = row["capex"] if row["n"] else Decimal(0)
        figures.append(
            StageFigure(
                stage, label, row["n"], capex, row["missing"], stage in PIPELINE_STAGES_APART
            )
        )
    return figures


@dataclass(frozen=True)
class StageTime:
    """How long the listed projects stayed in one stage, from their dated stage history."""

    stage: str
    label: str
    median_days: int | None  # None: no stay in this stage has ended yet, or no history
    ended: int  # stays that ended (the project moved on): what the median is taken of
    ongoing: int  # projects in this stage now, with a dated start

    @property
    def recorded(self) -> bool:
        return bool(self.ended or self.ongoing)


def stage_times(projects: QuerySet[PipelineProject]) -> list[StageTime]:
    """For every stage, the median days a project stayed in it before its next recorded
    change (one query). A project without history gives nothing: its times are not
    recorded, and it is not counted as zero."""
    changes = (
        PipelineStageChange.objects.filter(project__in=projects.values("pk"))
        .order_by("project_id", "changed_on", "id")
        .values_list("project_id", "stage", "changed_on")
    )
    stays: dict[str, list[int]] = defaultdict(list)
    ongoing: dict[str, int] = defaultdict(int)
    previous = None
    for project_id, stage, changed_on in changes:
        if previous and previous[0] == project_id:
            stays[previous[1]].append((changed_on - previous[2]).days)
        elif previous:
            ongoing[previous[1]] += 1
        previous = (project_id, stage, changed_on)
    if previous:
        ongoing[previous[1]] += 1
    return [
        StageTime(
            stage,
            label,
            round(statistics.median(stays[stage])) if stays[stage] else None,
            len(stays[stage]),
            ongoing[stage],
        )
        for stage, label in Stage.choices
    ]


# --- The list -------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineListing:
    filterset: PipelineFilter
    projects: QuerySet[PipelineProject]  # filtered and sorted, with what a row shows
    facets: list[Facet]
    stages: list[StageFigure]  # of the projects matching every filter but the stage
    times: list[StageTime]  # likewise
    total: int  # every project the visitor may see
    last_updated: datetime.datetime | None


def pipeline_list(*, data: QueryDict, user, with_figures: bool = True) -> PipelineListing:
    """The projects ``user`` may see, filtered and sorted by ``data`` (the query string);
    with ``with_figures``, the facet counts (each option with every *other* filter kept),
    the funnel and the stage times (of the projects matching every filter but the stage,
    so that the funnel shows the whole gate), the total and the last change."""
    base = visible_projects(user=user)
    filterset = PipelineFilter(data, queryset=base)
    projects = filterset.qs.select_related("partnership", "sector").prefetch_related("technologies")
    if not with_figures:
        return PipelineListing(filterset, projects, [], [], [], 0, None)
    gate = filterset.queryset_without("stage")
    stamp = base.order_by().aggregate(total=Count("pk"), last=Max("updated_at"))
    return PipelineListing(
        filterset=filterset,
        projects=projects,
        facets=_facets(filterset),
        stages=stage_figures(gate),
        times=stage_times(gate),
        total=stamp["total"],
        last_updated=stamp["last"],
    )


def _facets(filterset: PipelineFilter) -> list[Facet]:
    return [
        country_facet(filterset, filterset.counts("country", "partnership__country")),
        choice_facet(
            filterset,
            "sector",
            Sector.objects.values_list("slug", "name"),
            filterset.counts("sector", "sector__slug"),
        ),
        choice_facet(filterset, "stage", Stage.choices, filterset.counts("stage")),
        filterset.used_technology_facet("technologies__slug"),
    ]


# --- One project ------------------------------------------------------------------------


def project_page_queryset(*, user) -> QuerySet[PipelineProject]:
    """The projects ``user`` may open, with what the page shows: partnership, sector, GEM
    plant, the rate used, technologies, dated stage history, sources, the partner
    institutions financing it and the financing offers ``user`` may see."""
    offers = SupportOffer.objects.visible_to(user).select_related("member", "institution")
    return (
        PipelineProject.objects.visible_to(user)
        .select_related("partnership", "sector", "gem_plant", "usd_rate")
        .prefetch_related(
            "technologies",
            "stage_changes",
            "sources",
            "financing_institutions",
            Prefetch("financing_offers", queryset=offers, to_attr="visible_offers"),
        )
    )


def stage_gate(project: PipelineProject) -> list[dict]:
    """The gate's steps, each marked reached (the project is past it or at it) and
    current; a project on hold or dropped has reached the steps of its history."""
    steps = [stage for stage in Stage.values if stage not in PIPELINE_STAGES_APART]
    reached = {change.stage for change in project.stage_changes.all()}
    if project.stage in steps:
        reached |= set(steps[: steps.index(project.stage) + 1])
    return [
        {
            "stage": stage,
            "label": Stage(stage).label,
            "reached": stage in reached,
            "current": stage == project.stage,
        }
        for stage in steps
    ]
