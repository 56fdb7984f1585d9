import datetime
from decimal import Decimal

import pytest

from members.models import Member, ProgressUpdate
from tests.factories.members import (
    CompanyMemberFactory,
    ImpactStoryFactory,
    MemberFactory,
    ProgressUpdateFactory,
)
from tests.factories.tracker import CountryGroupFactory, RoadmapFactory, TargetFactory
from tests.factories.workplan import (
    ObjectiveFactory,
    ObjectiveTargetFactory,
    TargetMeasurementFactory,
    WorkplanFactory,
)
from workplan import metrics
from workplan.metrics import METRICS, metric_choices, target_progress, workplan_progress

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def workplan():
    return WorkplanFactory(period_start=D(2021, 1, 1), period_end=D(2021, 12, 31))


@pytest.fixture
def members_2021():
    # Inside the period.
    MemberFactory(economy_group=Member.EconomyGroup.DEVELOPING, joined_on=D(2021, 1, 1))
    MemberFactory(economy_group=Member.EconomyGroup.DEVELOPING, joined_on=D(2021, 12, 31))
    MemberFactory(economy_group=Member.EconomyGroup.DEVELOPED, joined_on=D(2021, 6, 1))
    CompanyMemberFactory(joined_on=D(2021, 3, 1))
    CompanyMemberFactory(joined_on=D(2021, 4, 1), status=Member.Status.FORMER)
    # Outside the period, prospective, or a demo record (invented: never counted).
    MemberFactory(economy_group=Member.EconomyGroup.DEVELOPING, joined_on=D(2020, 12, 31))
    MemberFactory(economy_group=Member.EconomyGroup.DEVELOPED, joined_on=D(2022, 1, 1))
    CompanyMemberFactory(joined_on=D(2021, 5, 1), status=Member.Status.PROSPECTIVE)
    CompanyMemberFactory(joined_on=D(2021, 5, 1), is_demo=True)
    MemberFactory(joined_on=None, is_demo=True)


def _value(key, workplan, **options):
    return METRICS[key].compute(workplan, options)


def test_new_members_counts_members_joined_in_period_by_kind_and_group(workplan, members_2021):
    assert _value("new_members", workplan) == 5
    assert _value("new_members", workplan, kind="country") == 3
    assert _value("new_members", workplan, kind="company") == 2
    assert _value("new_members", workplan, kind="country", economy_group="developing") == 2
    assert _value("new_members", workplan, kind="country", economy_group="developed") == 1


def test_new_members_is_not_recorded_while_a_real_member_has_no_joining_date(
    workplan, members_2021
):
    MemberFactory(economy_group=Member.EconomyGroup.DEVELOPED, joined_on=None)

    # It may have joined in the period: any count could be wrong.
    assert _value("new_members", workplan) is None
    assert _value("new_members", workplan, kind="country") is None
    assert _value("new_members", workplan, kind="country", economy_group="developed") is None
    # The other kinds are complete.
    assert _value("new_members", workplan, kind="company") == 2
    assert _value("new_members", workplan, kind="country", economy_group="developing") == 2


def test_progress_updates_and_impact_stories_count_published_in_period(workplan):
    member = MemberFactory()
    ProgressUpdateFactory(
        member=member,
        status=ProgressUpdate.Status.PUBLISHED,
        published_at=datetime.datetime(2021, 5, 1, 12, tzinfo=datetime.UTC),
    )
    ProgressUpdateFactory(
        member=member,
        status=ProgressUpdate.Status.PUBLISHED,
        published_at=datetime.datetime(2022, 5, 1, 12, tzinfo=datetime.UTC),
    )
    ProgressUpdateFactory(member=member)  # a draft
    ImpactStoryFactory(member=member, date=D(2021, 7, 1), is_published=True)
    ImpactStoryFactory(member=member, date=D(2021, 7, 2), is_published=False)
    ImpactStoryFactory(member=member, date=D(2020, 7, 1), is_published=True)

    assert _value("progress_updates_received", workplan) == 1
    assert _value("impact_stories", workplan) == 1


def test_roadmaps_added_counts_roadmaps_created_in_period(workplan):
    RoadmapFactory()  # created now, after 2021
    current = WorkplanFactory(
        period_start=datetime.date.today() - datetime.timedelta(days=1),
        period_end=datetime.date.today() + datetime.timedelta(days=1),
    )

    assert _value("roadmaps_added", workplan) == 0
    assert _value("roadmaps_added", current) == 1


def test_metric_choices_lists_the_built_in_metrics():
    keys = {key for key, _label in metric_choices()}

    assert {
        "new_members",
        "roadmaps_added",
        "g20_countries_covered",
        "progress_updates_received",
        "impact_stories",
    } <= keys


@pytest.mark.parametrize(
    ("today", "state"),
    [
        # 2 of 3 joined: 0.67 of the threshold.
        (D(2021, 3, 1), "on_track"),  # 0.16 of the year gone
        (D(2021, 9, 30), "behind"),  # 0.75 of the year gone
        (D(2021, 12, 31), "behind"),  # the last day: still open
        (D(2022, 2, 1), "not_met"),  # the period is over: a final state
    ],
)
def test_target_progress_state_depends_on_elapsed_period(workplan, members_2021, today, state):
    target = ObjectiveTargetFactory(
        objective=ObjectiveFactory(workplan=workplan),
        metric="new_members",
        metric_options={"kind": "country", "economy_group": "developing"},
        threshold=Decimal("3"),
        unit="members",
    )

    progress = target_progress(target, today=today)

    assert progress.value == Decimal("2")
    assert progress.threshold == Decimal("3")
    assert progress.state == state
    assert (
        progress.state_label
        == {"on_track": "On track", "behind": "Behind", "not_met": "Final: not met"}[state]
    )
    assert progress.closed == (state == "not_met")
    assert progress.source == "metric"
    assert progress.fraction == pytest.approx(2 / 3)
    assert progress.unit == "members"


def test_target_progress_is_met_when_value_reaches_threshold(workplan, members_2021):
    target = ObjectiveTargetFactory(
        objective=ObjectiveFactory(workplan=workplan),
        metric="new_members",
        metric_options={"kind": "company"},
        threshold=Decimal("2"),
    )

    progress = target_progress(target, today=D(2021, 2, 1))

    assert progress.state == "met"
    assert progress.state_label == "Met"
    assert progress.fraction == 1.0


def test_manual_target_uses_latest_measurement(workplan):
    target = ObjectiveTargetFactory(
        objective=ObjectiveFactory(workplan=workplan), threshold=Decimal("10")
    )
    TargetMeasurementFactory(target=target, date=D(2021, 3, 1), value=Decimal("8"))
    TargetMeasurementFactory(target=target, date=D(2021, 6, 1), value=Decimal("4"))

    progress = target_progress(target, today=D(2021, 7, 1))

    assert progress.source == "manual"
    assert progress.value == Decimal("4")
    assert progress.measured_on == D(2021, 6, 1)
    assert progress.state == "behind"  # 0.4 < 0.5 of the year


@pytest.mark.parametrize("today", [D(2021, 1, 1), D(2021, 9, 1), D(2022, 1, 1)])
def test_manual_target_without_measurement_is_not_recorded_never_zero(workplan, today):
    target = ObjectiveTargetFactory(objective=ObjectiveFactory(workplan=workplan))

    progress = target_progress(target, today=today)

    assert progress.value is None
    assert not progress.recorded
    assert progress.measured_on is None
    assert progress.state == "not_recorded"
    assert progress.state_label == "Not recorded"
    assert progress.fraction == 0.0


def test_closed_period_target_met_is_final(workplan):
    target = ObjectiveTargetFactory(
        objective=ObjectiveFactory(workplan=workplan), threshold=Decimal("2")
    )
    TargetMeasurementFactory(target=target, date=D(2021, 11, 1), value=Decimal("2"))

    progress = target_progress(target, today=D(2022, 3, 1))

    assert (progress.state, progress.state_label) == ("met", "Final: met")
    assert progress.closed
    assert progress.period_end == D(2021, 12, 31)


def test_unregistered_metric_falls_back_to_manual_measurements(workplan):
    target = ObjectiveTargetFactory(
        objective=ObjectiveFactory(workplan=workplan), metric="events_held_not_installed"
    )
    TargetMeasurementFactory(target=target, value=Decimal("5"))

    progress = target_progress(target, today=D(2021, 7, 1))

    assert progress.source == "manual"
    assert progress.value == Decimal("5")


def test_workplan_progress_computes_each_metric_once(
    workplan, members_2021, django_assert_num_queries, monkeypatch
):
    calls = []
    original = METRICS["new_members"].compute
    monkeypatch.setitem(
        METRICS,
        "new_members",
        metrics.Metric(
            key="new_members",
            label="x",
            compute=lambda w, o: calls.append(o) or original(w, o),
        ),
    )
    objective = ObjectiveFactory(workplan=workplan)
    for _ in range(5):
        ObjectiveTargetFactory(
            objective=objective, metric="new_members", metric_options={"kind": "country"}
        )
    manual = [ObjectiveTargetFactory(objective=objective) for _ in range(5)]
    for target in manual:
        TargetMeasurementFactory(target=target)

    # targets, one metric computation, latest dates, latest measurements
    with django_assert_num_queries(4):
        progress = workplan_progress(workplan, today=D(2021, 6, 1))

    assert len(progress) == 10
    assert calls == [{"kind": "country"}]
    assert {p.value for p in progress.values()} == {Decimal("3"), Decimal("1")}


def test_g20_countries_covered_counts_g20_countries_with_a_roadmap_or_target(workplan):
    CountryGroupFactory(slug="g20", name="G20", countries=["DE", "IN", "FR", "JP"])
    RoadmapFactory(country="DE")
    RoadmapFactory(country="DE")
    RoadmapFactory(country="SE")  # not in the G20
    TargetFactory(roadmap=None, country="IN")
    TargetFactory(roadmap=RoadmapFactory(scope="global", country=""), country="FR")

    assert _value("g20_countries_covered", workplan) == 3
