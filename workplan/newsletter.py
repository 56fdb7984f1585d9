"""The newsletter's "Workplan progress" section: the public workplan covering the quarter,
its targets' progress as at the quarter's end, each objective, and the activities delivered
in the quarter. Registered in ``WorkplanConfig.ready()`` through
``leadit.newsletter_sections``."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery

from leadit.newsletter_sections import NewsItem, Quarter, day, register_newsletter_section
from summits.newsletter import public_events

from .metrics import workplan_progress
from .models import Activity, Objective, Workplan


def covering_workplan(quarter: Quarter) -> Workplan | None:
    """The public (published or archived) workplan whose period overlaps the quarter; the
    one that began last if several do."""
    return (
        Workplan.objects.exclude(status=Workplan.Status.DRAFT)
        .filter(period_start__lte=quarter.end, period_end__gte=quarter.start)
        .order_by("-period_start", "pk")
        .first()
    )


def _format_number(value) -> str:
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def _delivered(workplan: Workplan, quarter: Quarter) -> list[Activity]:
    """The workplan's activities whose status became "done" in the quarter. One query."""
    history = Activity.history.model.objects
    return list(
        Activity.objects.filter(group__pathway__workplan=workplan)
        .filter(
            Exists(
                history.filter(
                    id=OuterRef("pk"),
                    status=Activity.Status.DONE,
                    history_date__date__gte=quarter.start,
                    history_date__date__lte=quarter.end,
                )
            )
        )
        .annotate(
            status_before=Subquery(
                history.filter(id=OuterRef("pk"), history_date__date__lt=quarter.start)
                .order_by("-history_date", "-history_id")
                .values("status")[:1]
            )
        )
        .filter(Q(status_before__isnull=True) | ~Q(status_before=Activity.Status.DONE))
        .select_related("group__pathway")
        .order_by("group__pathway__order", "group__order", "order", "pk")
    )


def _summary(quarter: Quarter, progress: dict, *, delivered: int, events_held: int) -> str:
    states = [p.state for p in progress.values()]
    unrecorded = states.count("not_recorded")
    unrecorded = f", {unrecorded} not recorded" if unrecorded else ""
    return (
        f"As at {day(quarter.as_of)}: {states.count('met')} of {len(states)} targets met, "
        f"{states.count('on_track')} on track, {states.count('behind')} behind"
        f"{unrecorded}. "
        f"This quarter: {delivered} activit{'y' if delivered == 1 else 'ies'} "
        f"delivered, {events_held} public event{'' if events_held == 1 else 's'} held."
    )


def _objective_item(objective: Objective, progress: dict, url: str) -> NewsItem:
    lines = []
    for target in objective.targets.all():
        state = progress.get(target.pk)
        if state is None:
            continue
        unit = f" {state.unit}" if state.unit else ""
        if state.value is None:  # never "0": the value is not recorded
            lines.append(
                f"- {target.label}: not recorded (target {_format_number(state.threshold)}{unit})"
            )
            continue
        lines.append(
            f"- {target.label}: {_format_number(state.value)} of "
            f"{_format_number(state.threshold)}{unit} — {state.state_label.lower()}"
        )
    return NewsItem(
        title=f"Objective {objective.number}: {objective.short_title}",
        text="\n".join(lines) or "No measurable target.",
        url=f"{url}#objective-{objective.number}",
        source=f"objective:{objective.pk}",
    )


def workplan_section(quarter: Quarter) -> list[NewsItem]:
    """The covering workplan's progress: a summary, each objective with its targets (as at
    the quarter's end), and the activities delivered in the quarter (their status became
    "done" in it). Five queries plus one per distinct live metric (the events held are the
    events sections' shared read)."""
    workplan = covering_workplan(quarter)
    if workplan is None:
        return []
    progress = workplan_progress(workplan, today=quarter.as_of)
    objectives = Objective.objects.filter(workplan=workplan).prefetch_related("targets")
    delivered = _delivered(workplan, quarter)
    url = workplan.get_absolute_url()
    held = len(public_events(quarter)[0])
    items = [
        NewsItem(
            title=workplan.title,
            text=_summary(quarter, progress, delivered=len(delivered), events_held=held),
            url=url,
            date=quarter.as_of,
            source=f"workplan:{workplan.pk}",
        )
    ]
    items += [_objective_item(objective, progress, url) for objective in objectives]
    for activity in delivered:
        partners = f" With {activity.partners}." if activity.partners else ""
        items.append(
            NewsItem(
                title=f"Delivered: {activity.title}",
                text=f"{activity.group.pathway.title}.{partners}",
                url=activity.deliverable_url or f"{url}#activity-{activity.pk}",
                date=activity.due_date,
                source=f"activity:{activity.pk}",
            )
        )
    return items


def register() -> None:
    register_newsletter_section(
        key="workplan",
        title="Workplan progress",
        collect=workplan_section,
        order=80,
        more_what="activities",
        # The summary item links to the workplan's page, where all of them are.
        more_url=lambda items: items[0].url,
        summary=("the workplan’s progress", "the workplan’s progress"),
    )
