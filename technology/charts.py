"""The TRL progress chart of a co-development project: where its technology stood at the
start, at each milestone that proved a level, now, and where the project means to take it.

Drawn on the server as ``leadit.charts`` draws every chart (its building blocks, palette and
habits): an ``<svg>`` with ``<title>`` and ``<desc>``, the values printed beside the marks,
marks that differ by shape and not only by colour (a square at the start, circles at
milestones, a diamond now, a hollow circle on the dashed target line), classes and
presentation attributes only (no ``style=``), every label escaped, the same bytes for the
same data. ``trl_progress_table`` is its text alternative (``leadit.charts.data_table``).

Time runs along the x axis from the project's start to its end, or, with no end recorded,
to its last milestone (widened to hold today when a TRL now is recorded); TRL 1 to 9 up the
y axis."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString

from leadit.chart_parts import (
    GRID,
    INK_SOFT,
    PAD,
    PALETTE,
    WIDTH,
    _chart_id,
    _line,
    _n,
    _svg,
    _text,
    _x_value,
    _year_label_step,
)
from leadit.charts import ChartTable

from .models import TRL_MAX, TRL_MIN, CoDevelopmentProject, ProjectMilestone

START, MILESTONE, NOW, TARGET = "start", "milestone", "now", "target"
PROGRESS_COLOUR = PALETTE[0]  # blue: the levels reached
TARGET_COLOUR = PALETTE[5]  # vermillion, and dashed: the level aimed at
LEFT, RIGHT, TOP, PLOT_HEIGHT, BOTTOM = 44, 20, 16, 198, 30
LEGEND_HEIGHT = 22
INSET = 10  # keeps the first and last marks clear of the TRL labels and the right edge
# With a single day to show, the axis spans this many days either side of it.
HALF_SPAN_DAYS = 182


@dataclass(frozen=True)
class TrlPoint:
    on: datetime.date
    trl: int
    kind: str  # START, MILESTONE, NOW or TARGET
    label: str  # what the point is: "Start", a milestone's title, "Now", "Target"


@dataclass(frozen=True)
class TrlProgress:
    """What the chart draws: the points, and the span of time of the x axis."""

    title: str
    first: datetime.date
    last: datetime.date
    ends_on: datetime.date | None  # the project's end; None: not recorded
    points: list[TrlPoint]  # start, milestones and now by date, then the target (if dated)
    target: int

    @property
    def start(self) -> TrlPoint:
        return next(point for point in self.points if point.kind == START)

    @property
    def reached(self) -> list[TrlPoint]:
        """The line of levels reached: start, milestones, now."""
        return [point for point in self.points if point.kind != TARGET]


def _date_label(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def trl_progress(
    project: CoDevelopmentProject,
    milestones: Iterable[ProjectMilestone],
    *,
    today: datetime.date,
) -> TrlProgress:
    """The points of ``project``'s chart: the start at ``starts_on``, each done milestone
    that proved a TRL at its completion (else due) date, "now" at ``today`` when a current
    TRL is recorded, and the target at ``ends_on`` when an end is recorded. The axis runs
    from the start to the end (else the last milestone), widened to hold "now"."""
    milestones = list(milestones)
    points = [TrlPoint(project.starts_on, project.trl_start, START, "Start")]
    for milestone in milestones:
        if milestone.status == ProjectMilestone.Status.DONE and milestone.trl_reached:
            on = milestone.completed_on or milestone.due_on
            points.append(TrlPoint(on, milestone.trl_reached, MILESTONE, milestone.title))
    if project.trl_current is not None:
        points.append(TrlPoint(today, project.trl_current, NOW, "Now"))
    points.sort(key=lambda point: point.on)  # stable: the start before a same-day point
    if project.ends_on:
        points.append(TrlPoint(project.ends_on, project.trl_target, TARGET, "Target"))
    dates = [point.on for point in points] + [milestone.due_on for milestone in milestones]
    first, last = min(dates), max(dates)
    if last <= first:
        first -= datetime.timedelta(days=HALF_SPAN_DAYS)
        last += datetime.timedelta(days=HALF_SPAN_DAYS)
    title = f"Technology readiness of “{project.title}”"
    return TrlProgress(title, first, last, project.ends_on, points, project.trl_target)


def _description(progress: TrlProgress) -> str:
    start = progress.start
    parts = [f"TRL {start.trl} at the start, {_date_label(start.on)}."]
    milestones = [point for point in progress.points if point.kind == MILESTONE]
    for point in milestones:
        parts.append(f"TRL {point.trl} reached by “{point.label}”, {_date_label(point.on)}.")
    if not milestones:
        parts.append("No milestone has proved a TRL yet.")
    now = next((point for point in progress.points if point.kind == NOW), None)
    parts.append(f"TRL {now.trl} now." if now else "The TRL now is not recorded.")
    if progress.ends_on:
        parts.append(f"Target: TRL {progress.target} by {_date_label(progress.ends_on)}.")
    else:
        parts.append(f"Target: TRL {progress.target}; the end date is not recorded.")
    return " ".join(parts)


def trl_progress_table(progress: TrlProgress) -> ChartTable:
    """The chart's data: one row per point, by date, the target last."""
    rows = [
        [_date_label(point.on), _kind_label(point), f"TRL {point.trl}"] for point in progress.points
    ]
    if not progress.ends_on:
        rows.append(["End date not recorded", "Target", f"TRL {progress.target}"])
    return ChartTable(progress.title, ["Date", "Point", "TRL"], rows)


def _kind_label(point: TrlPoint) -> str:
    if point.kind == MILESTONE:
        return f"Milestone: {point.label}"
    return {START: "Start", NOW: "Now", TARGET: "Target"}[point.kind]


class _Plot:
    """Where a date and a TRL go on the drawing."""

    def __init__(self, progress: TrlProgress):
        self.x_min, self.x_max = _x_value(progress.first), _x_value(progress.last)
        self.width = WIDTH - LEFT - RIGHT
        self.top = TOP + LEGEND_HEIGHT
        self.base = self.top + PLOT_HEIGHT

    def x(self, day: datetime.date) -> float:
        share = (_x_value(day) - self.x_min) / (self.x_max - self.x_min)
        return LEFT + INSET + (self.width - 2 * INSET) * share

    def y(self, trl: float) -> float:
        step = PLOT_HEIGHT / (TRL_MAX - TRL_MIN + 1)
        return self.base - step * (trl - TRL_MIN + 0.5)


def _axes(plot: _Plot, progress: TrlProgress) -> str:
    parts = ['<g class="chart__grid">']
    for trl in range(TRL_MIN, TRL_MAX + 1):
        y = plot.y(trl)
        parts.append(_line(LEFT, y, WIDTH - RIGHT, y, GRID))
        parts.append(_text(LEFT - 6, y + 4, str(trl), anchor="end", klass="chart__tick", size=11))
    parts.append("</g>")
    parts.append(_text(LEFT - 6, plot.top - 6, "TRL", anchor="end", klass="chart__unit", size=11))
    parts.append(_line(LEFT, plot.base, WIDTH - RIGHT, plot.base, INK_SOFT, "chart__axis"))
    years = range(progress.first.year + 1, progress.last.year + 1)
    step = _year_label_step(plot.width / max(plot.x_max - plot.x_min, 1))
    ticks = [datetime.date(year, 1, 1) for year in years if year % step == 0]
    if not ticks:  # the span holds no new year: name the year it is in
        ticks, anchors = [progress.first], ["start"]
    else:
        anchors = ["middle"] * len(ticks)
    for day, anchor in zip(ticks, anchors, strict=True):
        x = plot.x(day)
        parts.append(_line(x, plot.base, x, plot.base + 4, INK_SOFT))
        parts.append(_text(x, plot.base + 17, str(day.year), anchor=anchor, klass="chart__tick"))
    return "".join(parts)


def _marker(point: TrlPoint, x: float, y: float) -> str:
    colour = TARGET_COLOUR if point.kind == TARGET else PROGRESS_COLOUR
    if point.kind == START:
        return (
            f'<rect x="{_n(x - 5)}" y="{_n(y - 5)}" width="10" height="10" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="1"/>'
        )
    if point.kind == NOW:
        return (
            f'<path d="M{_n(x)},{_n(y - 7)} l7,7 l-7,7 l-7,-7 z" fill="{colour}" '
            'stroke="#ffffff" stroke-width="1"/>'
        )
    fill = "#ffffff" if point.kind == TARGET else colour
    return (
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5" fill="{fill}" stroke="{colour}" '
        'stroke-width="2"/>'
    )


def _points(plot: _Plot, progress: TrlProgress) -> str:
    parts = []
    for point in progress.points:
        x, y = plot.x(point.on), plot.y(point.trl)
        parts.append(
            f'<g class="chart__point chart__point--{point.kind}"><title>'
            f"{escape(_kind_label(point))}, {escape(_date_label(point.on))}: TRL {point.trl}"
            "</title>"
            + _marker(point, x, y)
            + _text(x, y - 10, str(point.trl), anchor="middle", klass="chart__value")
            + "</g>"
        )
    return "".join(parts)


def _lines(plot: _Plot, progress: TrlProgress) -> str:
    y = plot.y(progress.target)
    # Above the line, unless the start's mark is there (a project starting at its target).
    starts_on_target = progress.start.trl == progress.target
    label_y = y + 15 if starts_on_target else y - 5
    parts = [
        f'<g class="chart__target"><title>Target: TRL {progress.target}</title>'
        f'<line class="chart__target-line" x1="{LEFT}" y1="{_n(y)}" x2="{WIDTH - RIGHT}" '
        f'y2="{_n(y)}" stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        + _text(LEFT + 4, label_y, f"Target TRL {progress.target}", klass="chart__target-label")
        + "</g>"
    ]
    reached = progress.reached
    if len(reached) > 1:
        coordinates = " ".join(f"{_n(plot.x(p.on))},{_n(plot.y(p.trl))}" for p in reached)
        parts.append(
            f'<polyline class="chart__line" points="{coordinates}" fill="none" '
            f'stroke="{PROGRESS_COLOUR}" stroke-width="2.5" stroke-linejoin="round"/>'
        )
    return "".join(parts)


def _legend() -> str:
    """Shapes with their names: the marks differ by shape, not only by colour."""
    items = [
        (TrlPoint(datetime.date.min, 1, START, ""), "Start"),
        (TrlPoint(datetime.date.min, 1, MILESTONE, ""), "Milestone"),
        (TrlPoint(datetime.date.min, 1, NOW, ""), "Now"),
        (TrlPoint(datetime.date.min, 1, TARGET, ""), "Target"),
    ]
    parts, x = ['<g class="chart__legend">'], float(PAD)
    for point, name in items:
        # The target's mark sits on a piece of its dashed line.
        offset = 9 if point.kind == TARGET else 5
        if point.kind == TARGET:
            parts.append(
                f'<line x1="{_n(x)}" y1="{TOP - 2}" x2="{_n(x + 18)}" y2="{TOP - 2}" '
                f'stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            )
        parts.append(_marker(point, x + offset, TOP - 2) + _text(x + 2 * offset + 6, TOP + 2, name))
        x += 2 * offset + 6 + len(name) * 6.8 + 18
    parts.append("</g>")
    return "".join(parts)


def trl_progress_chart(progress: TrlProgress) -> SafeString:
    """The chart of ``progress`` (see ``trl_progress``) as an ``<svg>``."""
    cid = _chart_id(
        "trl",
        progress.title,
        progress.first,
        progress.last,
        [(p.on, p.trl, p.kind, p.label) for p in progress.points],
        progress.target,
    )
    plot = _Plot(progress)
    body = _legend() + _axes(plot, progress) + _lines(plot, progress) + _points(plot, progress)
    height = plot.base + BOTTOM
    return _svg(cid, "trl", progress.title, _description(progress), WIDTH, height, body)
