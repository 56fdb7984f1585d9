"""The workplan demo: the whole 2021 Workplan from the seed document, idempotent."""

import datetime

import pytest

import leadit.demo
import members.demo
from workplan import demo
from workplan.metrics import workplan_progress
from workplan.models import Activity, ActivityGroup, ImpactPathway, Objective, Workplan

pytestmark = pytest.mark.django_db

MARKS_2021 = 60  # 48 printed X's, the "Agenda setting" row counted once per event (4 × 4)


@pytest.fixture(autouse=True)
def _demo_logins_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(leadit.demo, "DEMO_LOGINS_FILE", tmp_path / "demo-logins.json")


def _seed():
    leadit.demo.seed_demo()
    members.demo.seed_demo()
    demo.seed_demo()


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
    )


def test_demo_loads_the_whole_2021_workplan():
    _seed()

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
    done = Activity.objects.filter(group__pathway__workplan=plan, status="done").count()
    assert done > 32 / 2
    assert plan.indicators.count() == 2
    assert all(
        m.note.startswith("Demo value") for i in plan.indicators.all() for m in i.measurements.all()
    )


def test_demo_objective_1_targets_count_the_demo_members_live():
    _seed()
    plan = Workplan.objects.get(slug="2021")

    progress = workplan_progress(plan, today=datetime.date(2022, 1, 1))

    by_label = {t.label: progress[t.pk] for t in plan.objectives.get(number=1).targets.all()}
    assert {label: p.value for label, p in by_label.items()} == {
        "New developing-country members": 1,  # Argentina
        "New developed-country members": 2,  # Netherlands, Korea
        "New company members": 3,
    }
    assert {p.source for p in by_label.values()} == {"metric"}
    assert {p.state for p in by_label.values()} == {"behind"}


def test_demo_has_a_staff_only_2_0_draft_linked_to_the_pillars():
    _seed()

    draft = Workplan.objects.get(slug="leadit-2-0-2024-26")
    assert draft.status == Workplan.Status.DRAFT
    assert "demo" in draft.title.lower()
    assert draft.pillars.count() == 3
    assert [o.number for o in draft.objectives.all()] == [1, 2, 3]
    assert Activity.objects.filter(group__pathway__workplan=draft).count() == 6
    assert all("(demo)" in a.title for a in Activity.objects.filter(group__pathway__workplan=draft))


def test_demo_seeding_twice_changes_nothing():
    _seed()
    first = _counts()

    _seed()

    assert _counts() == first
    assert Objective.objects.filter(workplan__slug="2021").count() == 5
    assert _marks(Workplan.objects.get(slug="2021")) == MARKS_2021
