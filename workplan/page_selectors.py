"""Reads of the public workplan pages: the list, one workplan, its objective matrix.

Each reads in a constant number of queries whatever the number of activities, marks,
measurements or stories (``tests/workplan/test_pages.py`` and ``test_matrix.py`` assert
it). The staff dashboard's reads live in ``workplan/selectors.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from leadit import charts
from members.models import ImpactStory, Member
from summits.models import Event

from .metrics import TargetProgress, workplan_progress
from .models import (
    Activity,
    ActivityGroup,
    ImpactPathway,
    MELIndicator,
    MELMeasurement,
    Objective,
    ObjectiveTarget,
    Workplan,
)

# --- The list: /workplan/ -----------------------------------------------------------------


def workplans_for(*, user) -> QuerySet[Workplan]:
    """Published and archived workplans, newest period first; staff also see drafts."""
    return Workplan.objects.visible_to(user).order_by("-period_start", "title")


def visible_workplan(*, slug: str, user) -> Workplan | None:
    """The workplan of ``slug`` if ``user`` may see it (drafts: staff only), else None."""
    return Workplan.objects.visible_to(user).filter(slug=slug).first()


# --- One workplan: /workplan/<slug>/ -------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    target: ObjectiveTarget
    progress: TargetProgress


@dataclass(frozen=True)
class ObjectiveRow:
    objective: Objective
    targets: list[TargetRow]


@dataclass(frozen=True)
class GroupRows:
    group: ActivityGroup
    activities: list[Activity]  # partner_members prefetched, lead selected


@dataclass(frozen=True)
class PathwayRows:
    pathway: ImpactPathway
    groups: list[GroupRows]

    @property
    def activity_count(self) -> int:
        return sum(len(group.activities) for group in self.groups)


@dataclass(frozen=True)
class IndicatorRow:
    indicator: MELIndicator
    measurements: list[MELMeasurement]  # oldest first
    chart: SafeString
    table: SafeString

    @property
    def latest(self) -> MELMeasurement | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def latest_value(self) -> str:
        """The latest value as the charts print it (thousands separated)."""
        return charts.format_number(self.latest.value) if self.latest else ""


@dataclass(frozen=True)
class WorkplanPage:
    workplan: Workplan
    objectives: list[ObjectiveRow]
    pathways: list[PathwayRows]
    indicators: list[IndicatorRow]
    stories: list[ImpactStory]
    last_updated: datetime
    activity_count: int
    status_counts: list[tuple[str, int]] = field(default_factory=list)  # (label, count)
    closed: bool = False  # the period is over: targets show final values


def _pathways(workplan: Workplan, activities: QuerySet[Activity]) -> list[PathwayRows]:
    """Pathways → groups → activities of ``workplan``: three queries (plus whatever
    ``activities`` prefetches)."""
    pathways = list(workplan.pathways.order_by("order", "pk"))
    groups = list(ActivityGroup.objects.filter(pathway__workplan=workplan).order_by("order", "pk"))
    by_group: dict[int, list[Activity]] = {group.pk: [] for group in groups}
    for activity in activities.filter(group__pathway__workplan=workplan).order_by("order", "pk"):
        by_group[activity.group_id].append(activity)
    groups_by_pathway: dict[int, list[GroupRows]] = {pathway.pk: [] for pathway in pathways}
    for group in groups:
        groups_by_pathway[group.pathway_id].append(GroupRows(group, by_group[group.pk]))
    return [PathwayRows(pathway, groups_by_pathway[pathway.pk]) for pathway in pathways]


def _indicator_row(indicator: MELIndicator) -> IndicatorRow:
    """The indicator's chart (an SVG from ``leadit.charts``) and its data table. A line over
    time when the measurements span several years (the line chart's axis marks years);
    otherwise one labelled bar per measurement."""
    measurements = list(indicator.measurements.all())
    points = [(m.date, m.value) for m in measurements]
    title = indicator.name
    if len({m.date.year for m in measurements}) > 1:
        chart = charts.line_chart(points, title=title, unit=indicator.unit)
    else:
        items = [(f"{m.date.day} {m.date:%b %Y}", m.value) for m in measurements]
        chart = charts.bar_chart(items, title=title, unit=indicator.unit)
    table = charts.data_table(
        charts.line_chart_table(points, title=title, unit=indicator.unit, label="Date"),
        summary=f"Show the data of “{title}” as a table",
    )
    return IndicatorRow(indicator, measurements, chart, table)


def workplan_page(*, slug: str, user, today: date | None = None) -> WorkplanPage | None:
    """Everything ``/workplan/<slug>/`` shows, or None if ``user`` may not see it."""
    workplan = (
        Workplan.objects.visible_to(user).filter(slug=slug).prefetch_related("pillars").first()
    )
    if workplan is None:
        return None

    progress = workplan_progress(workplan, today=today)
    objectives = list(
        workplan.objectives.order_by("number").prefetch_related(
            Prefetch("targets", queryset=ObjectiveTarget.objects.order_by("order", "pk"))
        )
    )
    objective_rows = [
        ObjectiveRow(
            objective,
            [TargetRow(t, progress[t.pk]) for t in objective.targets.all() if t.pk in progress],
        )
        for objective in objectives
    ]

    activities = Activity.objects.select_related("lead").prefetch_related(
        Prefetch("partner_members", queryset=Member.objects.order_by("name")),
        Prefetch(
            "events",
            queryset=Event.objects.filter(visibility=Event.Visibility.PUBLIC).order_by("start"),
            to_attr="public_events",
        ),
    )
    pathways = _pathways(workplan, activities)
    all_activities = [a for p in pathways for g in p.groups for a in g.activities]
    counts = dict.fromkeys(Activity.Status.values, 0)
    for activity in all_activities:
        counts[activity.status] += 1

    indicators = [
        _indicator_row(indicator)
        for indicator in workplan.indicators.order_by("order", "pk").prefetch_related(
            Prefetch("measurements", queryset=MELMeasurement.objects.order_by("date"))
        )
    ]
    stories = list(
        ImpactStory.objects.filter(
            is_published=True,
            member__in=Member.objects.public(),
            date__gte=workplan.period_start,
            date__lte=workplan.period_end,
        )
        .select_related("member")
        .order_by("-date", "pk")
    )
    last_updated = max(
        [workplan.updated_at, *(a.updated_at for a in all_activities)],
        default=workplan.updated_at,
    )
    return WorkplanPage(
        workplan=workplan,
        objectives=objective_rows,
        pathways=pathways,
        indicators=indicators,
        stories=stories,
        last_updated=last_updated,
        activity_count=len(all_activities),
        closed=workplan.is_closed_on(today or timezone.localdate()),
        status_counts=[(Activity.Status(status).label, n) for status, n in counts.items() if n],
    )


# --- The objective matrix: /workplan/<slug>/matrix/ (and its exports) ----------------------


@dataclass
class MatrixCell:
    objective: Objective
    marked: bool


@dataclass
class MatrixRow:
    activity: Activity
    cells: list[MatrixCell]

    @property
    def total(self) -> int:
        return sum(cell.marked for cell in self.cells)


@dataclass
class MatrixGroup:
    group: ActivityGroup
    rows: list[MatrixRow]


@dataclass
class MatrixPathway:
    pathway: ImpactPathway
    groups: list[MatrixGroup]


@dataclass
class ColumnTotal:
    objective: Objective
    total: int


@dataclass
class Matrix:
    workplan: Workplan
    objectives: list[Objective]
    pathways: list[MatrixPathway]
    column_totals: list[ColumnTotal]
    generated_at: datetime

    @property
    def rows(self) -> list[MatrixRow]:
        return [row for p in self.pathways for g in p.groups for row in g.rows]

    @property
    def activity_count(self) -> int:
        return len(self.rows)

    @property
    def mark_count(self) -> int:
        return sum(column.total for column in self.column_totals)

    @property
    def column_count(self) -> int:
        """Columns of the page's table: the activity, one per objective, the total."""
        return len(self.objectives) + 2


def workplan_matrix(*, workplan: Workplan) -> Matrix:
    """The objective matrix of ``workplan``: rows grouped by pathway and group, one column
    per objective, with row and column totals. Five queries."""
    objectives = list(workplan.objectives.order_by("number"))
    marks = set(
        Activity.objectives.through.objects.filter(
            activity__group__pathway__workplan=workplan
        ).values_list("activity_id", "objective_id")
    )
    pathways = []
    for pathway in _pathways(workplan, Activity.objects.all()):
        groups = []
        for group in pathway.groups:
            rows = [
                MatrixRow(
                    activity,
                    [MatrixCell(o, (activity.pk, o.pk) in marks) for o in objectives],
                )
                for activity in group.activities
            ]
            groups.append(MatrixGroup(group.group, rows))
        pathways.append(MatrixPathway(pathway.pathway, groups))
    column_totals = [
        ColumnTotal(o, sum(1 for _, objective_id in marks if objective_id == o.pk))
        for o in objectives
    ]
    return Matrix(workplan, objectives, pathways, column_totals, timezone.now())


def matrix_totals(*, workplan: Workplan, activity: Activity, objective: Objective) -> dict:
    """The totals a matrix toggle changes: the activity's row and the objective's column."""
    through = Activity.objectives.through.objects
    return {
        "row_total": through.filter(activity=activity).count(),
        "column_total": through.filter(
            objective=objective, activity__group__pathway__workplan=workplan
        ).count(),
        "mark_count": through.filter(activity__group__pathway__workplan=workplan).count(),
    }
