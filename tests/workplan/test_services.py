import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories.members import MemberFactory, PillarFactory
from tests.factories.users import StaffFactory
from tests.factories.workplan import (
    ActivityFactory,
    ActivityGroupFactory,
    ImpactPathwayFactory,
    MELIndicatorFactory,
    MELMeasurementFactory,
    ObjectiveFactory,
    ObjectiveTargetFactory,
    TargetMeasurementFactory,
    WorkplanFactory,
)
from workplan.models import (
    Activity,
    ActivityGroup,
    ImpactPathway,
    Objective,
    ObjectiveTarget,
    TargetMeasurement,
    Workplan,
)
from workplan.selectors import objectives_behind, overdue_and_due_soon, recent_status_changes
from workplan.services import activity_objective_toggle, activity_save, workplan_copy

pytestmark = pytest.mark.django_db

D = datetime.date


def _activity_in(workplan, **kwargs):
    pathway = ImpactPathwayFactory(workplan=workplan)
    return ActivityFactory(group=ActivityGroupFactory(pathway=pathway), **kwargs)


def test_toggle_marks_then_unmarks_and_records_history():
    workplan = WorkplanFactory()
    objective = ObjectiveFactory(workplan=workplan, number=2)
    activity = _activity_in(workplan)
    records_before = activity.history.count()

    assert activity_objective_toggle(activity=activity, objective=objective) is True
    assert list(activity.objectives.all()) == [objective]
    marked = activity.history.first()
    assert marked.history_change_reason == "Matrix: marked objective 2"
    assert [o.objective_id for o in marked.objectives.all()] == [objective.pk]

    assert activity_objective_toggle(activity=activity, objective=objective) is False
    assert activity.objectives.count() == 0
    unmarked = activity.history.first()
    assert unmarked.history_change_reason == "Matrix: unmarked objective 2"
    assert unmarked.objectives.count() == 0
    assert activity.history.count() == records_before + 2


def test_toggle_refuses_objective_of_another_workplan():
    activity = _activity_in(WorkplanFactory())
    foreign = ObjectiveFactory(workplan=WorkplanFactory(period_start=D(2022, 1, 1)))
    records_before = activity.history.count()

    with pytest.raises(ValidationError, match="another workplan"):
        activity_objective_toggle(activity=activity, objective=foreign)

    assert activity.objectives.count() == 0
    assert activity.history.count() == records_before


def test_activity_save_refuses_due_before_start():
    activity = _activity_in(WorkplanFactory())
    activity.start_date, activity.due_date = D(2021, 5, 1), D(2021, 4, 1)

    with pytest.raises(ValidationError) as error:
        activity_save(activity=activity)

    assert error.value.message_dict == {"due_date": ["The due date is before the start date."]}


@pytest.fixture
def source():
    """A 2021 workplan: 2 objectives with targets, 2 pathways, 3 groups, 4 activities."""
    workplan = WorkplanFactory(
        title="2021", slug="2021", period_start=D(2021, 1, 1), period_end=D(2021, 12, 31)
    )
    workplan.pillars.set([PillarFactory()])
    one = ObjectiveFactory(workplan=workplan, number=1, due_date=D(2021, 11, 1), due_event="COP26")
    two = ObjectiveFactory(workplan=workplan, number=2)
    target = ObjectiveTargetFactory(
        objective=one, metric="new_members", metric_options={"kind": "company"}
    )
    TargetMeasurementFactory(target=ObjectiveTargetFactory(objective=two))
    TargetMeasurementFactory(target=target)
    first, second = ImpactPathwayFactory(workplan=workplan), ImpactPathwayFactory(workplan=workplan)
    group_a = ActivityGroupFactory(pathway=first)
    group_b = ActivityGroupFactory(pathway=first)
    group_c = ActivityGroupFactory(pathway=second)
    member = MemberFactory()
    lead = StaffFactory(totp=False)
    ActivityFactory(
        group=group_a,
        objectives=[one, two],
        status=Activity.Status.DONE,
        partners="IEA",
        lead=lead,
        start_date=D(2021, 2, 1),
        due_date=D(2021, 3, 15),
    ).partner_members.set([member])
    ActivityFactory(group=group_b, objectives=[two], status=Activity.Status.IN_PROGRESS)
    ActivityFactory(group=group_c, objectives=[], status=Activity.Status.DROPPED)
    ActivityFactory(group=group_c, objectives=[one], start_date=None, due_date=None)
    MELMeasurementFactory(indicator=MELIndicatorFactory(workplan=workplan))
    return workplan


def test_copy_copies_everything_with_marks_remapped_and_dates_shifted(source):
    copy = workplan_copy(
        workplan=source,
        title="2022",
        slug="2022",
        period_start=D(2022, 1, 1),
        period_end=D(2022, 12, 31),
    )

    assert copy.status == Workplan.Status.DRAFT
    assert copy.introduction == source.introduction
    assert list(copy.pillars.all()) == list(source.pillars.all())
    assert [(o.number, o.due_date, o.due_event) for o in copy.objectives.all()] == [
        (1, D(2022, 11, 1), "COP26"),
        (2, None, ""),
    ]
    new_targets = ObjectiveTarget.objects.filter(objective__workplan=copy)
    assert new_targets.count() == 2
    assert new_targets.get(metric="new_members").metric_options == {"kind": "company"}
    assert TargetMeasurement.objects.filter(target__in=new_targets).count() == 0
    assert ImpactPathway.objects.filter(workplan=copy).count() == 2
    assert ActivityGroup.objects.filter(pathway__workplan=copy).count() == 3
    activities = Activity.objects.filter(group__pathway__workplan=copy).order_by("order")
    assert activities.count() == 4
    assert {a.status for a in activities} == {Activity.Status.PLANNED}
    first = activities.first()
    assert (first.start_date, first.due_date) == (D(2022, 2, 1), D(2022, 3, 15))
    assert first.partners == "IEA"
    assert first.lead is not None
    assert first.partner_members.count() == 1
    # Marks point at the new objectives, the same numbers as before.
    marks = sorted(
        (a.title, o.number, o.workplan_id) for a in activities for o in a.objectives.all()
    )
    source_marks = sorted(
        (a.title, o.number, copy.pk)
        for a in Activity.objects.filter(group__pathway__workplan=source)
        for o in a.objectives.all()
    )
    assert marks == source_marks
    assert len(marks) == 4
    assert copy.indicators.count() == 1
    assert copy.indicators.get().measurements.count() == 0
    # The source is untouched.
    assert (
        Activity.objects.filter(group__pathway__workplan=source)
        .exclude(status=Activity.Status.PLANNED)
        .count()
        == 3
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2021, 6, 1), D(2022, 5, 31)),  # overlaps the source
        (D(2020, 1, 1), D(2021, 1, 1)),  # overlaps the source by a day
        (D(2023, 6, 1), D(2024, 5, 31)),  # overlaps another workplan
    ],
)
def test_copy_refuses_an_overlapping_period_and_writes_nothing(source, start, end):
    WorkplanFactory(title="2024", period_start=D(2024, 1, 1), period_end=D(2024, 12, 31))
    counts = (Workplan.objects.count(), Objective.objects.count(), Activity.objects.count())

    with pytest.raises(ValidationError) as error:
        workplan_copy(workplan=source, title="New", slug="new", period_start=start, period_end=end)

    assert "overlaps the period of" in error.value.message_dict["period_start"][0]
    assert (Workplan.objects.count(), Objective.objects.count(), Activity.objects.count()) == counts


def test_copy_refuses_a_taken_slug_and_a_reversed_period(source):
    with pytest.raises(ValidationError) as error:
        workplan_copy(
            workplan=source,
            title="New",
            slug="2021",
            period_start=D(2023, 12, 31),
            period_end=D(2023, 1, 1),
        )

    assert set(error.value.message_dict) == {"slug", "period_end"}
    assert Workplan.objects.count() == 1


# --- The dashboard's selectors ------------------------------------------------------------


def test_overdue_and_due_soon_lists_open_activities_of_live_workplans():
    today = D(2021, 6, 1)
    workplan = WorkplanFactory(status=Workplan.Status.DRAFT)
    overdue = _activity_in(workplan, title="Late", due_date=D(2021, 5, 1))
    soon = _activity_in(
        workplan, title="Soon", due_date=D(2021, 6, 20), status=Activity.Status.IN_PROGRESS
    )
    _activity_in(workplan, title="Later", due_date=D(2021, 8, 1))
    _activity_in(workplan, title="Done", due_date=D(2021, 5, 1), status=Activity.Status.DONE)
    _activity_in(workplan, title="Dropped", due_date=D(2021, 5, 1), status="dropped")
    _activity_in(
        WorkplanFactory(status=Workplan.Status.ARCHIVED), title="Archived", due_date=D(2021, 5, 1)
    )

    due = overdue_and_due_soon(today=today)

    assert due.overdue == [overdue]
    assert due.due_soon == [soon]


def test_objectives_behind_lists_behind_targets_of_current_workplans():
    workplan = WorkplanFactory(period_start=D(2021, 1, 1), period_end=D(2021, 12, 31))
    objective = ObjectiveFactory(workplan=workplan)
    behind = ObjectiveTargetFactory(objective=objective, threshold=Decimal("10"))
    TargetMeasurementFactory(target=behind, value=Decimal("1"))
    met = ObjectiveTargetFactory(objective=ObjectiveFactory(workplan=workplan))
    TargetMeasurementFactory(target=met, value=Decimal("5"))
    past = WorkplanFactory(period_start=D(2020, 1, 1), period_end=D(2020, 12, 31))
    ObjectiveTargetFactory(objective=ObjectiveFactory(workplan=past))

    result = objectives_behind(today=D(2021, 9, 1))

    assert [r.objective for r in result] == [objective]
    assert [t.target for t in result[0].targets] == [behind]
    assert result[0].targets[0].progress.state == "behind"


def test_recent_status_changes_lists_changes_newest_first():
    workplan = WorkplanFactory()
    activity = _activity_in(workplan, title="Summit")
    activity.title = "Summit at COP26"  # not a status change
    activity.save()
    activity.status = Activity.Status.IN_PROGRESS
    activity.save()
    activity.status = Activity.Status.DONE
    activity.save()
    _activity_in(workplan)  # created, never changed

    changes = recent_status_changes()

    assert [(c.old_label, c.new_label) for c in changes] == [
        ("In progress", "Done"),
        ("Planned", "In progress"),
    ]
    assert changes[0].workplan == workplan
    assert changes[0].activity_title == "Summit at COP26"
