"""Non-trivial reads of the workplan app for the staff dashboard: activities overdue or due
soon, objectives behind target, recent status changes. (The public pages' reads live in
``workplan/page_selectors.py``.)

Each reads in a constant number of queries, whatever the number of activities.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, Q, Window
from django.db.models.functions import Lag

from .metrics import TargetProgress, targets_progress
from .models import Activity, ActivityGroup, Objective, ObjectiveTarget, Workplan

OPEN_STATUSES = [Activity.Status.PLANNED, Activity.Status.IN_PROGRESS]
LIVE_WORKPLAN_STATUSES = [Workplan.Status.PUBLISHED, Workplan.Status.DRAFT]


@dataclass(frozen=True)
class DueActivities:
    today: date
    days: int
    overdue: list[Activity]  # due before today, oldest first
    due_soon: list[Activity]  # due today or within ``days`` days, soonest first

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon)


def overdue_and_due_soon(*, today: date, days: int = 30) -> DueActivities:
    """Activities still planned or in progress, of published and draft workplans, due before
    today (overdue) or within ``days`` days. Each has ``group__pathway__workplan`` and
    ``lead`` selected. One query."""
    activities = list(
        Activity.objects.filter(
            status__in=OPEN_STATUSES,
            group__pathway__workplan__status__in=LIVE_WORKPLAN_STATUSES,
            due_date__isnull=False,
            due_date__lte=today + timedelta(days=days),
        )
        .select_related("group__pathway__workplan", "lead")
        .order_by("due_date", "pk")
    )
    return DueActivities(
        today=today,
        days=days,
        overdue=[a for a in activities if a.due_date < today],
        due_soon=[a for a in activities if a.due_date >= today],
    )


@dataclass(frozen=True)
class TargetBehind:
    target: ObjectiveTarget
    progress: TargetProgress


@dataclass(frozen=True)
class ObjectiveBehind:
    objective: Objective  # with ``workplan`` selected
    targets: list[TargetBehind] = field(default_factory=list)  # only those behind

    @property
    def workplan(self) -> Workplan:
        return self.objective.workplan


def objectives_behind(*, today: date) -> list[ObjectiveBehind]:
    """Objectives of current workplans (published or draft, whose period has begun and
    has not ended) with at least one target behind, with those targets. Queries: one for
    the targets, one per distinct metric and options, two for manual measurements."""
    targets = list(
        ObjectiveTarget.objects.filter(
            objective__workplan__status__in=LIVE_WORKPLAN_STATUSES,
            objective__workplan__period_start__lte=today,
            objective__workplan__period_end__gte=today,
        )
        .select_related("objective__workplan")
        .order_by("objective__workplan__period_start", "objective__number", "order", "pk")
    )
    progress = targets_progress(targets, today=today)
    behind: dict[int, ObjectiveBehind] = {}
    for target in targets:
        if progress[target.pk].state != "behind":
            continue
        entry = behind.setdefault(target.objective_id, ObjectiveBehind(objective=target.objective))
        entry.targets.append(TargetBehind(target=target, progress=progress[target.pk]))
    return list(behind.values())


@dataclass(frozen=True)
class StatusChange:
    activity_id: int
    activity_title: str
    workplan: Workplan | None  # None if the activity's group is gone
    old_status: str
    new_status: str
    changed_at: datetime
    changed_by: str  # the user's name or e-mail, "" when unknown

    @property
    def old_label(self) -> str:
        return Activity.Status(self.old_status).label

    @property
    def new_label(self) -> str:
        return Activity.Status(self.new_status).label


def recent_status_changes(*, limit: int = 20) -> list[StatusChange]:
    """The latest changes of an activity's status, newest first, from the activities'
    history (a record whose status differs from the activity's previous record). Three
    queries."""
    HistoricalActivity = Activity.history.model
    changes = list(
        HistoricalActivity.objects.annotate(
            previous_status=Window(
                Lag("status"),
                partition_by=[F("id")],
                order_by=[F("history_date").asc(), F("history_id").asc()],
            )
        )
        .filter(Q(previous_status__isnull=False) & ~Q(previous_status=F("status")))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    workplans = {
        row["pk"]: row["pathway__workplan_id"]
        for row in ActivityGroup.objects.filter(pk__in={c.group_id for c in changes}).values(
            "pk", "pathway__workplan_id"
        )
    }
    by_id = Workplan.objects.in_bulk(set(workplans.values())) if workplans else {}
    result = []
    for change in changes:
        user = change.history_user
        result.append(
            StatusChange(
                activity_id=change.id,
                activity_title=change.title,
                workplan=by_id.get(workplans.get(change.group_id)),
                old_status=change.previous_status,
                new_status=change.status,
                changed_at=change.history_date,
                changed_by=(user.get_full_name() or user.email) if user else "",
            )
        )
    return result
