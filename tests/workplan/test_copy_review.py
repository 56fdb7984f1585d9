"""A copied workplan moves its dates, but its words stay: objectives and activities whose
text names a milestone or a year of the old period are flagged for staff review, with the
reason, listed under "Needs review", and cleared when staff save them."""

import datetime

import pytest

from tests.factories.members import MilestoneFactory
from tests.factories.workplan import (
    ActivityFactory,
    ActivityGroupFactory,
    ImpactPathwayFactory,
    ObjectiveFactory,
    WorkplanFactory,
)
from workplan import services
from workplan.models import Activity, Objective, Workplan

WORKPLANS = "/admin/workplan/workplan/"
OBJECTIVES = "/admin/workplan/objective/"
ACTIVITIES = "/admin/workplan/activity/"


@pytest.fixture
def old_plan(db):
    """The 2021 plan: working towards COP26 (a milestone of its period)."""
    MilestoneFactory(name="COP26 Glasgow 2021", date=datetime.date(2021, 10, 31))
    MilestoneFactory(name="COP21 Paris 2015", date=datetime.date(2015, 11, 30))
    plan = WorkplanFactory(
        title="LeadIT 2021",
        slug="2021",
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 12, 31),
        introduction="The plan works towards **COP26 in Glasgow (November 2021)**.",
    )
    ObjectiveFactory(
        workplan=plan,
        number=1,
        short_title="Green procurement",
        description="Before COP26, work out how green procurement can pull the market.",
        due_date=datetime.date(2021, 10, 31),
        due_event="COP26",
    )
    ObjectiveFactory(
        workplan=plan,
        number=2,
        short_title="Net zero by 2050",
        description="Members commit to net-zero industry by 2050, as agreed at COP21.",
        due_date=None,
        due_event="",
    )
    ObjectiveFactory(
        workplan=plan,
        number=3,
        short_title="Annual summit",
        description="A summit every year.",
        due_date=datetime.date(2021, 11, 10),
        due_event="Leadership Summit",
    )
    group = ActivityGroupFactory(pathway=ImpactPathwayFactory(workplan=plan))
    ActivityFactory(group=group, title="Summit – virtual or hybrid", description="")
    ActivityFactory(group=group, title="Brief on 2021 procurement pathways", description="")
    return plan


def _copy_service(plan) -> Workplan:
    return services.workplan_copy(
        workplan=plan,
        title="LeadIT 2027",
        slug="2027",
        period_start=datetime.date(2027, 1, 1),
        period_end=datetime.date(2027, 12, 31),
    )


@pytest.mark.django_db
def test_the_copy_flags_texts_naming_the_old_milestones_and_years(old_plan):
    copy = _copy_service(old_plan)

    one, two, three = copy.objectives.order_by("number")
    assert one.due_date == datetime.date(2027, 10, 31)  # moved; "COP26" did not
    assert one.needs_review
    assert one.review_reason == "mentions COP26, a milestone of the old period"
    assert not two.needs_review  # 2050 and COP21 are not the old period's
    assert two.review_reason == ""
    assert three.needs_review
    assert three.review_reason == (
        "its due event “Leadership Summit” was kept while the due date moved to 10 November 2027"
    )
    summit, brief = Activity.objects.filter(group__pathway__workplan=copy).order_by("order")
    assert not summit.needs_review
    assert brief.needs_review
    assert brief.review_reason == "mentions 2021, a year of the old period"
    # The source is left alone.
    assert not Objective.objects.filter(workplan=old_plan, needs_review=True).exists()


@pytest.mark.django_db
def test_the_copy_message_says_how_many_need_review(staff_client, old_plan):
    response = staff_client.post(
        WORKPLANS,
        {
            "action": "copy_to_new_period",
            "_selected_action": [old_plan.pk],
            "apply": "1",
            "title": "LeadIT 2027",
            "slug": "2027",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
        },
        follow=True,
    )

    page = response.content.decode()
    copy = Workplan.objects.get(slug="2027")
    assert "2 objectives</a> and " in page
    assert "1 activity</a> need review" in page
    assert f"{OBJECTIVES}?workplan__id__exact={copy.pk}&amp;needs_review=yes" in page
    assert (
        "The introduction needs review: it mentions COP26, a milestone of the old period; "
        "it mentions 2021, a year of the old period." in page
    )
    # The copy's own page shows which objectives need review and why.
    assert "Needs review: mentions COP26, a milestone of the old period" in page


@pytest.mark.django_db
def test_the_lists_show_the_reason_and_filter_needs_review(staff_client, old_plan):
    copy = _copy_service(old_plan)

    objectives = staff_client.get(
        OBJECTIVES, {"workplan__id__exact": copy.pk, "needs_review": "yes"}
    ).content.decode()
    activities = staff_client.get(ACTIVITIES, {"needs_review": "yes"}).content.decode()

    assert "Needs review: mentions COP26, a milestone of the old period" in objectives
    assert "Green procurement" in objectives
    assert "Net zero by 2050" not in objectives
    assert "2 objectives" in objectives
    assert "Brief on 2021 procurement pathways" in activities
    assert "Summit – virtual or hybrid" not in activities
    assert "needs review" in objectives.lower() and "?needs_review=no" in objectives


@pytest.mark.django_db
def test_saving_an_objective_or_activity_marks_it_reviewed(staff_client, old_plan):
    copy = _copy_service(old_plan)
    objective = copy.objectives.get(number=1)
    activity = Activity.objects.get(group__pathway__workplan=copy, needs_review=True)

    form = staff_client.get(f"{OBJECTIVES}{objective.pk}/change/").content.decode()
    saved = staff_client.post(
        f"{OBJECTIVES}{objective.pk}/change/",
        {
            "workplan": copy.pk,
            "number": "1",
            "short_title": "Green procurement",
            "description": "Before COP32, work out how green procurement can pull the market.",
            "due_date": "2027-11-09",
            "due_event": "COP32",
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
        },
    )
    activity_saved = staff_client.post(
        f"{ACTIVITIES}{activity.pk}/change/",
        {
            "group": activity.group_id,
            "order": activity.order,
            "title": "Brief on 2027 procurement pathways",
            "description": "",
            "lead": "",
            "partners": "",
            "status": Activity.Status.PLANNED,
            "start_date": "2027-02-01",
            "due_date": "2027-11-30",
            "deliverable_url": "",
        },
    )

    assert "Needs review: mentions COP26, a milestone of the old period." in form
    assert "Saving this page marks it reviewed." in form
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert activity_saved.status_code == 302, activity_saved.content.decode()[:2000]
    objective.refresh_from_db()
    activity.refresh_from_db()
    assert (objective.needs_review, objective.review_reason) == (False, "")
    assert (activity.needs_review, activity.review_reason) == (False, "")
    assert copy.objectives.filter(needs_review=True).count() == 1  # the other one still


@pytest.mark.django_db
def test_a_copy_without_stale_wording_flags_nothing(staff_client):
    plan = WorkplanFactory(
        slug="2024",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        introduction="Net-zero industry by 2050.",
    )
    ObjectiveFactory(workplan=plan, description="Support members every year.")

    response = staff_client.post(
        WORKPLANS,
        {
            "action": "copy_to_new_period",
            "_selected_action": [plan.pk],
            "apply": "1",
            "title": "Next",
            "slug": "2025",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        follow=True,
    )

    assert "No copied text names the old period&#x27;s milestones or years." in (
        response.content.decode()
    )
    assert not Objective.objects.filter(needs_review=True).exists()
