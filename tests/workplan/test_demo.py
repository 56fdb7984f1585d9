"""The workplan demo: the whole 2021 Workplan from the seed document as a closed period,
the published LeadIT 2.0 workplan 2024–26, idempotent."""

import datetime

import pytest
from django.db import transaction

import leadit.demo
import members.demo
import summits.demo
from workplan import demo
from workplan.metrics import workplan_progress
from workplan.models import (
    Activity,
    ActivityGroup,
    ImpactPathway,
    Objective,
    ObjectiveTarget,
    TargetMeasurement,
    Workplan,
)

pytestmark = pytest.mark.django_db

MARKS_2021 = 60  # 48 printed X's, the "Agenda setting" row counted once per event (4 × 4)


def _seed():
    leadit.demo.seed_demo()
    members.demo.seed_demo()
    summits.demo.seed_demo()
    demo.seed_demo()


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for the module (seeding takes seconds), in a transaction rolled
    back after it; each test runs in a savepoint of it, so none sees another's changes."""
    logins = tmp_path_factory.mktemp("demo") / "demo-logins.json"
    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        patch.setattr(leadit.demo, "DEMO_LOGINS_FILE", logins)
        _seed()
        yield logins
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _seeded(db, _seeded_once, monkeypatch):
    monkeypatch.setattr(leadit.demo, "DEMO_LOGINS_FILE", _seeded_once)


def _marks(workplan):
    return Activity.objectives.through.objects.filter(
        activity__group__pathway__workplan=workplan
    ).count()


def _counts():
    return (
        Workplan.objects.count(),
        Objective.objects.count(),
        ImpactPathway.objects.count(),
        ActivityGroup.objects.count(),
        Activity.objects.count(),
        Activity.objectives.through.objects.count(),
        Activity.history.count(),
        Objective.history.count(),
        ObjectiveTarget.objects.count(),
        TargetMeasurement.objects.count(),
    )


def test_demo_loads_the_whole_2021_workplan():

    plan = Workplan.objects.get(slug="2021")
    assert plan.title == "LeadIT 2021 Workplan"
    assert plan.status == Workplan.Status.PUBLISHED
    assert (plan.period_start, plan.period_end) == (
        datetime.date(2021, 1, 1),
        datetime.date(2021, 12, 31),
    )
    assert [o.short_title for o in plan.objectives.all()] == [
        "Expand members",
        "Promote green procurement",
        "Expand sectoral work",
        "Leverage IT Tracker",
        "Support roadmap process",
    ]
    assert {o.due_event for o in plan.objectives.all()} == {"COP26"}
    assert [p.title for p in plan.pathways.all()] == [
        "Partnerships for change",
        "Evidence for action",
        "Industry transition roadmaps",
        "Core secretariat activities",
    ]
    assert ActivityGroup.objects.filter(pathway__workplan=plan).count() == 10
    assert Activity.objects.filter(group__pathway__workplan=plan).count() == 32
    assert _marks(plan) == MARKS_2021
    column_totals = {o.number: o.activities.count() for o in plan.objectives.all()}
    assert column_totals == {1: 16, 2: 10, 3: 12, 4: 12, 5: 10}
    korea = Activity.objects.get(title="Net-zero in Korea")
    assert sorted(o.number for o in korea.objectives.all()) == [1, 3]
    assert korea.partners == "GTC"
    # The document records no outcome: none is invented.
    statuses = set(
        Activity.objects.filter(group__pathway__workplan=plan).values_list("status", flat=True)
    )
    assert statuses == {Activity.Status.NOT_RECORDED}
    assert not Activity.objects.filter(group__pathway__workplan=plan, start_date__isnull=False)
    assert plan.indicators.count() == 2
    assert all(
        m.note.startswith("Demo value") for i in plan.indicators.all() for m in i.measurements.all()
    )


def test_demo_2021_targets_are_final_or_not_recorded_never_behind_or_zero():
    plan = Workplan.objects.get(slug="2021")

    progress = workplan_progress(plan, today=datetime.date(2026, 12, 3))

    # The real members' joining dates are not recorded (only the founders'), and the
    # invented members never count: the membership targets are not recorded.
    by_label = {t.label: progress[t.pk] for t in plan.objectives.get(number=1).targets.all()}
    assert {p.value for p in by_label.values()} == {None}
    assert {p.source for p in by_label.values()} == {"metric"}
    states = {p.state for p in progress.values()}
    assert states <= {"met", "not_met", "not_recorded"}
    assert "behind" not in states and "on_track" not in states
    assert all(p.closed for p in progress.values())
    assert not any(p.value == 0 for p in progress.values())


def test_demo_2_0_workplan_is_published_with_one_objective_per_pillar():

    plan = Workplan.objects.get(slug="leadit-2-0-2024-26")
    assert plan.status == Workplan.Status.PUBLISHED
    assert plan.title == "LeadIT 2.0 workplan 2024–26"
    assert "9 December 2023" in plan.introduction
    assert plan.pillars.count() == 3
    assert [o.short_title for o in plan.objectives.all()] == [
        "Global forum",
        "Technology transfer",
        "Transition partnerships",
    ]
    # Targets are the demo's version of the plan: labelled, and no value is invented.
    targets = ObjectiveTarget.objects.filter(objective__workplan=plan)
    assert targets.count() == 3
    assert all("(demo target)" in t.label for t in targets)
    assert not TargetMeasurement.objects.filter(target__in=targets).exists()
    activities = Activity.objects.filter(group__pathway__workplan=plan)
    done = activities.filter(status=Activity.Status.DONE)
    assert {a.title for a in done} == {
        "Leadership Summit at COP29, Baku",
        "Leadership Summit at COP30, Belém",
    }
    assert {e.slug for a in done for e in a.events.all()} == {
        "leadit-summit-cop29",
        "leadit-summit-cop30",
    }
    assert all("(demo)" in a.title for a in activities.exclude(status=Activity.Status.DONE))


def test_demo_seeding_twice_changes_nothing():
    first = _counts()

    _seed()

    assert _counts() == first
    assert Objective.objects.filter(workplan__slug="2021").count() == 5
    assert _marks(Workplan.objects.get(slug="2021")) == MARKS_2021
