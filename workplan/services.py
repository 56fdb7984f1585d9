"""Writes of the workplan app: each a keyword-only function in one transaction."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from members.models import Milestone

from .models import (
    Activity,
    ActivityGroup,
    Objective,
    ObjectiveTarget,
    Workplan,
)


def _workplan_id_of_activity(activity: Activity) -> int:
    return (
        ActivityGroup.objects.filter(pk=activity.group_id)
        .values_list("pathway__workplan_id", flat=True)
        .get()
    )


@transaction.atomic
def activity_objective_toggle(*, activity: Activity, objective: Objective) -> bool:
    """Mark or unmark that ``activity`` serves ``objective`` (one cell of the matrix).

    Returns True when the cell is now marked. The activity's history gets a row for the
    change (``objectives`` is one of its history's m2m fields), with a change reason.
    """
    if objective.workplan_id != _workplan_id_of_activity(activity):
        raise ValidationError(
            f"Objective {objective.number} belongs to another workplan than the activity "
            f"“{activity.title}”."
        )
    # Lock the activity so that two simultaneous toggles of one cell do not cross.
    Activity.objects.select_for_update().filter(pk=activity.pk).first()
    marked = activity.objectives.filter(pk=objective.pk).exists()
    if marked:
        activity._change_reason = f"Matrix: unmarked objective {objective.number}"
        activity.objectives.remove(objective)
    else:
        activity._change_reason = f"Matrix: marked objective {objective.number}"
        activity.objectives.add(objective)
    del activity._change_reason
    return not marked


@transaction.atomic
def activity_save(*, activity: Activity) -> Activity:
    """Validate and save an activity (due date not before start, …)."""
    if activity.start_date and activity.due_date and activity.due_date < activity.start_date:
        raise ValidationError({"due_date": "The due date is before the start date."})
    activity.full_clean()
    activity.save()
    return activity


def _overlapping(*, period_start: date, period_end: date) -> list[Workplan]:
    return list(
        Workplan.objects.filter(
            Q(period_start__lte=period_end) & Q(period_end__gte=period_start)
        ).order_by("period_start")
    )


def _shift(value: date | None, offset: timedelta) -> date | None:
    return value + offset if value else None


# --- Stale wording in a copy ---------------------------------------------------------------

# A milestone's short name inside its full name: "COP26" in "COP26 Glasgow 2021".
_MILESTONE_CODE = re.compile(r"\b([A-Z]{2,})[ -]?(\d{1,3})\b")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
REVIEW_REASON_MAX = 500


@dataclass
class StaleWording:
    """Finds text that names the old period's milestones (COP26) or years (2021): copied
    into a new period, such text is out of date although every date moved."""

    old_start: date
    old_end: date
    new_start: date
    new_end: date
    _terms: list[tuple[str, re.Pattern]] = field(default_factory=list, init=False)
    _years: set[int] = field(default_factory=set, init=False)

    def __post_init__(self):
        milestones = Milestone.objects.filter(date__range=(self.old_start, self.old_end))
        seen: set[str] = set()
        for milestone in milestones.order_by("date", "name"):
            codes = _MILESTONE_CODE.findall(milestone.name)
            terms = [
                (f"{letters}{digits}", rf"\b{letters}[\s-]?{digits}\b") for letters, digits in codes
            ]
            terms.append((milestone.name, rf"\b{re.escape(milestone.name)}\b"))
            for label, pattern in terms:
                if label.casefold() not in seen:
                    seen.add(label.casefold())
                    self._terms.append((label, re.compile(pattern, re.IGNORECASE)))
        new_years = set(range(self.new_start.year, self.new_end.year + 1))
        self._years = set(range(self.old_start.year, self.old_end.year + 1)) - new_years

    def reasons(self, texts: Iterable[str]) -> list[str]:
        """Why these texts need review ("mentions COP26, a milestone of the old period"),
        or nothing."""
        text = "\n".join(t for t in texts if t)
        found: list[str] = []
        named: list[str] = []
        for label, pattern in self._terms:
            if pattern.search(text) and not any(other in label for other in named):
                named.append(label)
                found.append(f"mentions {label}, a milestone of the old period")
        years = sorted({int(y) for y in _YEAR.findall(text)} & self._years)
        found += [f"mentions {year}, a year of the old period" for year in years]
        return found


def _review_fields(reasons: list[str]) -> dict:
    reason = "; ".join(reasons)
    if len(reason) > REVIEW_REASON_MAX:
        reason = reason[: REVIEW_REASON_MAX - 1] + "…"
    return {"needs_review": bool(reasons), "review_reason": reason}


def workplan_review_counts(*, workplan: Workplan) -> dict[str, int]:
    """How many objectives and activities of ``workplan`` still need review."""
    return {
        "objectives": workplan.objectives.filter(needs_review=True).count(),
        "activities": Activity.objects.filter(
            group__pathway__workplan=workplan, needs_review=True
        ).count(),
    }


@transaction.atomic
def workplan_copy(
    *, workplan: Workplan, title: str, slug: str, period_start: date, period_end: date
) -> Workplan:
    """Copy a workplan to a new period, as a draft.

    Copied: the introduction and pillars; objectives with their targets (not their
    measurements); pathways, groups and activities with their partners and lead; the matrix
    marks, remapped to the new objectives; MEL indicators (not their measurements). Dates
    move by the offset between the two periods' starts; every activity is planned again.
    Objectives and activities whose text names a milestone or a year of the old period
    are flagged ``needs_review`` with the reason (``StaleWording``).

    Refused, with nothing written, when the new period ends before it starts or overlaps
    the source or any other workplan's period, or when the slug is taken.
    """
    new = _workplan_draft(
        workplan=workplan,
        title=title,
        slug=slug,
        period_start=period_start,
        period_end=period_end,
    )
    offset = period_start - workplan.period_start
    stale = StaleWording(
        old_start=workplan.period_start,
        old_end=workplan.period_end,
        new_start=period_start,
        new_end=period_end,
    )
    new._change_reason = f"Copied from “{workplan.title}”"
    new.save()
    new.pillars.set(workplan.pillars.all())
    objective_map = _objectives_copy(source=workplan, new=new, offset=offset, stale=stale)
    _pathways_copy(
        source=workplan, new=new, offset=offset, stale=stale, objective_map=objective_map
    )
    _indicators_copy(source=workplan, new=new)
    return new


def _workplan_draft(
    *, workplan: Workplan, title: str, slug: str, period_start: date, period_end: date
) -> Workplan:
    """The new period's workplan, validated and not saved yet; every problem at once."""
    errors = _new_period_errors(period_start=period_start, period_end=period_end)
    new = Workplan(
        title=title,
        slug=slug,
        period_start=period_start,
        period_end=period_end,
        status=Workplan.Status.DRAFT,
        introduction=workplan.introduction,
    )
    try:
        new.full_clean(validate_constraints=False)  # the period is checked above
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            errors.setdefault(field_name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return new


def _new_period_errors(*, period_start: date, period_end: date) -> dict[str, list[str]]:
    """Why a new workplan cannot have this period: it ends before it starts, or another
    workplan covers part of it."""
    if period_end < period_start:
        return {"period_end": ["The period ends before it starts."]}
    overlapping = _overlapping(period_start=period_start, period_end=period_end)
    if not overlapping:
        return {}
    names = "; ".join(
        f"“{w.title}” ({w.period_start:%d %b %Y} – {w.period_end:%d %b %Y})" for w in overlapping
    )
    return {
        "period_start": [
            f"The new period overlaps the period of {names}. "
            "Choose a period that no workplan covers yet."
        ]
    }


def _objectives_copy(
    *, source: Workplan, new: Workplan, offset: timedelta, stale: StaleWording
) -> dict[int, Objective]:
    """Copy the objectives with their targets; the copy of each, by the source's id."""
    targets_by_objective: dict[int, list[ObjectiveTarget]] = {}
    for target in ObjectiveTarget.objects.filter(objective__workplan=source):
        targets_by_objective.setdefault(target.objective_id, []).append(target)
    objective_map: dict[int, Objective] = {}
    for objective in source.objectives.order_by("number"):
        due_date = _shift(objective.due_date, offset)
        copy = _copy_of(
            objective,
            ("number", "short_title", "description", "due_event"),
            workplan=new,
            due_date=due_date,
            **_review_fields(_objective_review_reasons(objective, due_date, offset, stale)),
        )
        objective_map[objective.pk] = copy
        for target in targets_by_objective.get(objective.pk, []):
            _copy_of(
                target,
                ("label", "metric", "metric_options", "threshold", "unit", "order"),
                objective=copy,
            )
    return objective_map


def _objective_review_reasons(
    objective: Objective, due_date: date | None, offset: timedelta, stale: StaleWording
) -> list[str]:
    """Why the copy of ``objective`` needs review: stale wording, or a due event kept
    while its due date moved."""
    reasons = stale.reasons([objective.short_title, objective.description])
    due_event_reasons = stale.reasons([objective.due_event])
    if objective.due_event and not due_event_reasons and offset and due_date:
        due_event_reasons = [
            f"its due event “{objective.due_event}” was kept while the due date moved "
            f"to {due_date:%-d %B %Y}"
        ]
    return reasons + [r for r in due_event_reasons if r not in reasons]


def _pathways_copy(
    *,
    source: Workplan,
    new: Workplan,
    offset: timedelta,
    stale: StaleWording,
    objective_map: dict[int, Objective],
) -> None:
    """Copy the pathways, their groups and their activities (planned again, marks
    remapped to the copied objectives)."""
    activities = (
        Activity.objects.filter(group__pathway__workplan=source)
        .prefetch_related("objectives", "partner_members")
        .order_by("pk")
    )
    activities_by_group: dict[int, list[Activity]] = {}
    for activity in activities:
        activities_by_group.setdefault(activity.group_id, []).append(activity)
    groups = ActivityGroup.objects.filter(pathway__workplan=source).order_by("order", "pk")
    groups_by_pathway: dict[int, list[ActivityGroup]] = {}
    for group in groups:
        groups_by_pathway.setdefault(group.pathway_id, []).append(group)

    for pathway in source.pathways.order_by("order", "pk"):
        pathway_copy = _copy_of(pathway, ("title", "description", "order"), workplan=new)
        for group in groups_by_pathway.get(pathway.pk, []):
            group_copy = _copy_of(group, ("title", "order"), pathway=pathway_copy)
            for activity in activities_by_group.get(group.pk, []):
                _activity_copy(activity, group_copy, offset, stale, objective_map)


def _activity_copy(
    activity: Activity,
    group: ActivityGroup,
    offset: timedelta,
    stale: StaleWording,
    objective_map: dict[int, Objective],
) -> Activity:
    copy = _copy_of(
        activity,
        ("title", "description", "partners", "lead_id", "order"),
        group=group,
        status=Activity.Status.PLANNED,
        start_date=_shift(activity.start_date, offset),
        due_date=_shift(activity.due_date, offset),
        **_review_fields(stale.reasons([activity.title, activity.description])),
    )
    members = list(activity.partner_members.all())
    if members:
        copy.partner_members.set(members)
    marks = [objective_map[o.pk] for o in activity.objectives.all()]
    if marks:
        copy.objectives.set(marks)
    return copy


def _indicators_copy(*, source: Workplan, new: Workplan) -> None:
    """Copy the MEL indicators (not their measurements)."""
    for indicator in source.indicators.order_by("order", "pk"):
        _copy_of(indicator, ("name", "unit", "description", "order"), workplan=new)


def _copy_of(original, copied: tuple[str, ...], **values):
    """A new row like ``original``: the fields named in ``copied`` taken from it, the rest
    from ``values``."""
    return type(original).objects.create(
        **{name: getattr(original, name) for name in copied}, **values
    )
