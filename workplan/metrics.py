"""Live objective targets: a small registry of metrics computed from the portal's own data,
and the progress of a target (value, threshold, met / on track / behind).

A value that is not recorded (a manual target never measured, a metric whose data is
incomplete) is "Not recorded", never 0. Once a workplan's period is over its targets show
their final state instead: "Final: met" or "Final: not met" (or "Not recorded"), never
"On track" or "Behind". Demo records (``is_demo``) never count towards a metric.

A metric is a function of a workplan (its period) and the target's options. The metrics of
the lower layers (members, tracker) are registered here; a HIGHER app registers its own in
its ``AppConfig.ready()`` (workplan must never import it):

- "events_held" (options: kind, an event kind's slug) — registered here (summits is lower);
- the partnerships metrics of ``partnerships/workplan_metrics.py`` — registered here too;
- the technology metrics of ``technology/workplan_metrics.py`` — registered here too;
- the milestone-reporting metrics of ``members/workplan_metrics.py`` — registered here too;
- "briefs_published" — registered by the publications app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import ObjectiveTarget, TargetMeasurement, Workplan

MetricValue = Decimal | int | None  # None: not recorded
State = Literal["met", "on_track", "behind", "not_met", "not_recorded"]

STATE_LABELS: dict[str, str] = {
    "met": "Met",
    "on_track": "On track",
    "behind": "Behind",
    "not_met": "Not met",
    "not_recorded": "Not recorded",
}
# A closed period's targets: their final state.
FINAL_STATE_LABELS: dict[str, str] = {
    "met": "Final: met",
    "not_met": "Final: not met",
    "not_recorded": "Not recorded",
}


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    compute: Callable[[Workplan, dict], MetricValue]
    # The options the metric understands: name -> allowed values (None: any text).
    options: Mapping[str, Sequence[str] | None] = field(default_factory=dict)

    def options_help(self) -> str:
        if not self.options:
            return "no options"
        return "; ".join(
            f"{name}: {' or '.join(values) if values else 'text'}"
            for name, values in self.options.items()
        )


METRICS: dict[str, Metric] = {}


def register_metric(
    *,
    key: str,
    label: str,
    compute: Callable[[Workplan, dict], MetricValue],
    options: Mapping[str, Sequence[str] | None] | None = None,
) -> None:
    """Add (or replace) a metric. ``compute(workplan, options)`` returns a number;
    ``options`` (optional) names the options it reads and their allowed values, so that
    forms can refuse a typo instead of silently counting everything."""
    METRICS[key] = Metric(key=key, label=label, compute=compute, options=dict(options or {}))


def metric_choices() -> list[tuple[str, str]]:
    """(key, label) of every registered metric, for forms and the admin."""
    return sorted(((m.key, m.label) for m in METRICS.values()), key=lambda c: c[1])


def metric_options_errors(key: str, options: object) -> list[str]:
    """What is wrong with ``options`` for metric ``key`` (empty when nothing is)."""
    metric = METRICS.get(key)
    if metric is None:
        return [f"There is no metric “{key}”."]
    if not isinstance(options, dict):
        return ['Options must be a JSON object, e.g. {"kind": "company"}.']
    errors = []
    for name, value in options.items():
        if name not in metric.options:
            known = ", ".join(metric.options) or "none"
            errors.append(f"“{metric.label}” has no option “{name}” (its options: {known}).")
            continue
        allowed = metric.options[name]
        if allowed and value not in allowed:
            errors.append(f"Option “{name}” must be {' or '.join(allowed)}, not “{value}”.")
    return errors


@dataclass(frozen=True)
class TargetProgress:
    value: Decimal | None  # None: not recorded
    threshold: Decimal
    unit: str
    state: State
    state_label: str
    fraction: float  # value / threshold, between 0 and 1
    source: Literal["metric", "manual"]
    measured_on: date | None  # the latest measurement's date; None for a live metric
    closed: bool = False  # the workplan's period is over: a final state
    period_end: date | None = None

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)

    @property
    def recorded(self) -> bool:
        return self.value is not None


def elapsed_fraction(workplan: Workplan, today: date) -> float:
    """How much of the workplan's period has passed, between 0 and 1."""
    start, end = workplan.period_start, workplan.period_end
    if today >= end:
        return 1.0
    if today <= start:
        return 0.0
    return (today - start).days / (end - start).days


def progress_of(
    *,
    value: Decimal | int | None,
    threshold: Decimal,
    unit: str = "",
    elapsed: float,
    source: Literal["metric", "manual"],
    measured_on: date | None = None,
    closed: bool = False,
    period_end: date | None = None,
) -> TargetProgress:
    """The state of a target: ``value`` None is "not recorded"; ``closed`` (the period is
    over) gives a final state, met or not met, instead of on track / behind."""
    threshold = Decimal(threshold)
    if value is None:
        state: State = "not_recorded"
        ratio = 0.0
    else:
        value = Decimal(value)
        ratio = float(value / threshold) if threshold > 0 else 1.0
        if value >= threshold:
            state = "met"
        elif closed:
            state = "not_met"
        elif ratio >= elapsed:
            state = "on_track"
        else:
            state = "behind"
    return TargetProgress(
        value=value,
        threshold=threshold,
        unit=unit,
        state=state,
        state_label=(FINAL_STATE_LABELS if closed else STATE_LABELS)[state],
        fraction=max(0.0, min(1.0, ratio)),
        source=source,
        measured_on=measured_on,
        closed=closed,
        period_end=period_end if closed else None,
    )


def _options_key(options: Mapping | None) -> tuple:
    return tuple(sorted((str(k), repr(v)) for k, v in (options or {}).items()))


class _Computer:
    """Computes targets of workplans, each (workplan, metric, options) once."""

    def __init__(self, today: date | None):
        self.today = today or timezone.localdate()
        self._cache: dict[tuple, MetricValue] = {}

    def metric_value(self, workplan: Workplan, key: str, options: Mapping | None) -> MetricValue:
        cache_key = (workplan.pk, key, _options_key(options))
        if cache_key not in self._cache:
            self._cache[cache_key] = METRICS[key].compute(workplan, dict(options or {}))
        return self._cache[cache_key]

    def progress(
        self, target: ObjectiveTarget, workplan: Workplan, latest: TargetMeasurement | None
    ) -> TargetProgress:
        elapsed = elapsed_fraction(workplan, self.today)
        closed = workplan.is_closed_on(self.today)
        if target.metric and target.metric in METRICS:
            return progress_of(
                value=self.metric_value(workplan, target.metric, target.metric_options),
                threshold=target.threshold,
                unit=target.unit,
                elapsed=elapsed,
                source="metric",
                closed=closed,
                period_end=workplan.period_end,
            )
        # A manual target (or one whose metric's app is not installed): the latest
        # measurement counts; none yet means not recorded (never 0).
        return progress_of(
            value=latest.value if latest else None,
            threshold=target.threshold,
            unit=target.unit,
            elapsed=elapsed,
            source="manual",
            measured_on=latest.date if latest else None,
            closed=closed,
            period_end=workplan.period_end,
        )


def _latest_measurements(target_ids: Iterable[int]) -> dict[int, TargetMeasurement]:
    """The latest measurement of each target, in two queries whatever their number."""
    target_ids = list(target_ids)
    if not target_ids:
        return {}
    latest_dates = list(
        TargetMeasurement.objects.filter(target_id__in=target_ids)
        .values("target_id")
        .annotate(latest=Max("date"))
    )
    latest: dict[int, TargetMeasurement] = {}
    if not latest_dates:
        return latest
    condition = Q()
    for row in latest_dates:
        condition |= Q(target_id=row["target_id"], date=row["latest"])
    for measurement in TargetMeasurement.objects.filter(condition).order_by("target_id", "-pk"):
        latest.setdefault(measurement.target_id, measurement)
    return latest


def target_progress(target: ObjectiveTarget, *, today: date | None = None) -> TargetProgress:
    """The progress of one target against its workplan's period."""
    workplan = target.objective.workplan
    latest = None if target.metric in METRICS else _latest_measurements([target.pk]).get(target.pk)
    return _Computer(today).progress(target, workplan, latest)


def targets_progress(
    targets: Iterable[ObjectiveTarget], *, today: date | None = None
) -> dict[int, TargetProgress]:
    """The progress of many targets (``objective__workplan`` selected), computing each
    (workplan, metric, options) once and fetching all manual measurements at once."""
    targets = list(targets)
    computer = _Computer(today)
    latest = _latest_measurements(t.pk for t in targets if t.metric not in METRICS)
    return {t.pk: computer.progress(t, t.objective.workplan, latest.get(t.pk)) for t in targets}


def workplan_progress(
    workplan: Workplan, *, today: date | None = None
) -> dict[int, TargetProgress]:
    """{target id: TargetProgress} for every target of a workplan, in a handful of queries
    (one per distinct metric and options, plus two for the manual measurements)."""
    targets = list(
        ObjectiveTarget.objects.filter(objective__workplan=workplan).select_related("objective")
    )
    for target in targets:
        target.objective.workplan = workplan  # shared: no query per target for it
    return targets_progress(targets, today=today)


# --- Built-in metrics (members and tracker: lower layers, safe to import) ----------------


def _new_members(workplan: Workplan, options: dict) -> int | None:
    """Real members (never demo records) who joined in the period; None (not recorded)
    when a real member of that kind has no recorded joining date: it may have joined in
    the period, so any count could be wrong."""
    from members.models import Member

    members = Member.objects.public().filter(is_demo=False)
    if options.get("kind"):
        members = members.filter(kind=options["kind"])
    if options.get("economy_group"):
        members = members.filter(economy_group=options["economy_group"])
    counts = members.aggregate(
        undated=Count("pk", filter=Q(joined_on__isnull=True)),
        joined=Count(
            "pk",
            filter=Q(joined_on__gte=workplan.period_start, joined_on__lte=workplan.period_end),
        ),
    )
    return None if counts["undated"] else counts["joined"]


def _roadmaps_added(workplan: Workplan, options: dict) -> int:
    from tracker.models import Roadmap

    roadmaps = Roadmap.objects.filter(
        created_at__date__gte=workplan.period_start, created_at__date__lte=workplan.period_end
    )
    if options.get("sector"):
        roadmaps = roadmaps.filter(sectors__slug=options["sector"]).distinct()
    return roadmaps.count()


def _g20_countries_covered(workplan: Workplan, options: dict) -> int:
    """G20 countries with at least one roadmap or target in the tracker (today's coverage,
    not limited to the period: coverage is a state, not a flow). Today's coverage is not a
    closed period's final value: a past period's target is better measured by hand."""
    from tracker.groups import group_countries
    from tracker.models import Roadmap, Target

    g20 = group_countries(options.get("group") or "g20") or set()
    if not g20:
        return 0
    covered = set(
        Roadmap.objects.filter(country__in=g20).values_list("country", flat=True).distinct()
    )
    covered |= set(Target.objects.filter(country__in=g20).values_list("country", flat=True))
    covered |= set(
        Target.objects.filter(roadmap__country__in=g20).values_list("roadmap__country", flat=True)
    )
    return len(covered & g20)


def _progress_updates_received(workplan: Workplan, options: dict) -> int:
    from members.models import ProgressUpdate

    return (
        ProgressUpdate.objects.published()
        .filter(is_demo=False, member__is_demo=False)
        .filter(
            published_at__date__gte=workplan.period_start,
            published_at__date__lte=workplan.period_end,
        )
        .count()
    )


def _impact_stories(workplan: Workplan, options: dict) -> int:
    from members.models import ImpactStory

    return ImpactStory.objects.filter(
        is_demo=False,
        member__is_demo=False,
        is_published=True,
        date__gte=workplan.period_start,
        date__lte=workplan.period_end,
    ).count()


register_metric(
    key="new_members",
    label="New members joined in the period",
    compute=_new_members,
    options={"kind": ["country", "company"], "economy_group": ["developed", "developing"]},
)
register_metric(
    key="roadmaps_added",
    label="Roadmaps added to the tracker in the period",
    compute=_roadmaps_added,
    options={"sector": None},
)
register_metric(
    key="g20_countries_covered",
    label="G20 countries covered by the tracker",
    compute=_g20_countries_covered,
    options={"group": None},
)
register_metric(
    key="progress_updates_received",
    label="Progress updates published in the period",
    compute=_progress_updates_received,
)
register_metric(
    key="impact_stories",
    label="Impact stories published, dated in the period",
    compute=_impact_stories,
)


def _events_held(workplan: Workplan, options: dict) -> int:
    """Events (of one kind, by its slug, if asked) that started in the period and are over."""
    from summits.models import Event

    events = Event.objects.filter(
        start__date__gte=workplan.period_start,
        start__date__lte=workplan.period_end,
        end__lte=timezone.now(),
    )
    if options.get("kind"):
        events = events.filter(kind__slug=options["kind"])
    return events.count()


register_metric(
    key="events_held",
    label="Events held in the period",
    compute=_events_held,
    options={"kind": None},
)


def _register_partnership_metrics() -> None:
    """partnerships is lower than workplan: its metrics are registered here, like summits'."""
    from partnerships.workplan_metrics import METRICS as PARTNERSHIP_METRICS

    for key, label, compute in PARTNERSHIP_METRICS:
        register_metric(key=key, label=label, compute=compute)


def _register_technology_metrics() -> None:
    """technology is lower than workplan too: its metrics are registered the same way."""
    from technology.workplan_metrics import METRICS as TECHNOLOGY_METRICS

    for key, label, compute in TECHNOLOGY_METRICS:
        register_metric(key=key, label=label, compute=compute)


def _register_member_metrics() -> None:
    """Members reporting at the last milestone (count and share), from the members app."""
    from members.workplan_metrics import METRICS as MEMBER_METRICS

    for key, label, compute in MEMBER_METRICS:
        register_metric(key=key, label=label, compute=compute)


_register_partnership_metrics()
_register_technology_metrics()
_register_member_metrics()
# "briefs_published" is registered by the publications app in its AppConfig.ready() (a
# higher layer: workplan never imports it).
