"""The public workplan pages (/workplan/, /workplan/<slug>/) and the staff dashboard."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Member
from tests.factories.members import (
    CompanyMemberFactory,
    ImpactStoryFactory,
    MemberFactory,
    PillarFactory,
)
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
from workplan.models import Activity, Workplan

pytestmark = pytest.mark.django_db

D = datetime.date


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _text(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:)])", r"\1", text).replace("( ", "(")


def _section(html: str, heading_id: str) -> str:
    """The text of the page's ``<section aria-labelledby=heading_id>``."""
    start = html.index(f'<section aria-labelledby="{heading_id}"')
    return _text(html[start : html.index("</section>", start)])


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def workplan_2021():
    """The 2021 workplan, in part: two objectives with one target met and one behind (its
    period is over), a pathway with a group of activities, an indicator, stories."""
    workplan = WorkplanFactory(
        title="2021 Workplan",
        slug="2021",
        period_start=D(2021, 1, 1),
        period_end=D(2021, 12, 31),
        introduction="Concrete deliverables by **COP26**.",
    )
    workplan.pillars.add(PillarFactory(title="Global forum for a just transition"))
    membership = ObjectiveFactory(
        workplan=workplan,
        number=1,
        short_title="Expand membership",
        due_event="COP26",
        description="",
    )
    procurement = ObjectiveFactory(
        workplan=workplan, number=2, short_title="Promote green procurement", description=""
    )
    ObjectiveTargetFactory(
        objective=membership,
        label="Company members joined",
        metric="new_members",
        metric_options={"kind": "company"},
        threshold=Decimal("6"),
        unit="members",
    )
    CompanyMemberFactory(joined_on=D(2021, 3, 1))
    CompanyMemberFactory(joined_on=D(2021, 9, 1))
    CompanyMemberFactory(joined_on=D(2020, 9, 1))  # before the period
    report = ObjectiveTargetFactory(
        objective=procurement, label="Procurement pathways explored", threshold=Decimal("3")
    )
    TargetMeasurementFactory(target=report, date=D(2021, 10, 1), value=Decimal("3"))

    pathway = ImpactPathwayFactory(workplan=workplan, title="Partnerships for change")
    group = ActivityGroupFactory(pathway=pathway, title="Leadership Summit at COP26")
    partner = MemberFactory(name="Republic of Demo", slug="republic-of-demo")
    summit = ActivityFactory(
        group=group,
        title="Summit – virtual or hybrid",
        status=Activity.Status.DONE,
        start_date=D(2021, 6, 1),
        due_date=D(2021, 11, 10),
        partners="IEA, Swedish Embassy",
        deliverable_url="https://deliverables.example/summit-report",
        lead=StaffFactory(first_name="Sam", last_name="Secretariat"),
        objectives=[membership],
    )
    summit.partner_members.add(partner)
    ActivityFactory(
        group=group,
        title="Announce new members",
        status=Activity.Status.IN_PROGRESS,
        objectives=[membership, procurement],
    )
    indicator = MELIndicatorFactory(
        workplan=workplan, name="People reached at events", unit="people"
    )
    MELMeasurementFactory(indicator=indicator, date=D(2021, 3, 31), value=Decimal("120"))
    MELMeasurementFactory(indicator=indicator, date=D(2021, 11, 30), value=Decimal("480"))
    ImpactStoryFactory(member=partner, title="Green steel in public tenders", date=D(2021, 8, 1))
    ImpactStoryFactory(member=partner, title="A story from 2019", date=D(2019, 8, 1))
    ImpactStoryFactory(
        member=partner, title="An unpublished story", date=D(2021, 8, 1), is_published=False
    )
    prospective = MemberFactory(status=Member.Status.PROSPECTIVE)
    ImpactStoryFactory(member=prospective, title="A prospective member's story", date=D(2021, 8, 1))
    return workplan


# --- The list --------------------------------------------------------------------------


def test_list_shows_published_and_archived_workplans_not_drafts(client):
    WorkplanFactory(title="2021 Workplan", status=Workplan.Status.ARCHIVED)
    WorkplanFactory(
        title="LeadIT 2.0",
        status=Workplan.Status.PUBLISHED,
        period_start=D(2024, 1, 1),
        period_end=D(2026, 12, 31),
    )
    WorkplanFactory(
        title="Secret plan",
        status=Workplan.Status.DRAFT,
        period_start=D(2027, 1, 1),
        period_end=D(2027, 12, 31),
    )

    text = _text(_page(client, "/workplan/"))

    assert "2 workplans" in text
    assert text.index("LeadIT 2.0") < text.index("2021 Workplan")  # newest period first
    assert "Archived" in text
    assert "Secret plan" not in text
    assert "Staff dashboard" not in text


def test_list_shows_drafts_marked_to_staff(staff_client):
    WorkplanFactory(title="Secret plan", status=Workplan.Status.DRAFT)

    text = _text(_page(staff_client, "/workplan/"))

    assert "1 workplan" in text
    assert (
        "Secret plan 1 January 2021 – 31 December 2021 Closed period kept as history, with "
        "final values Draft visible to staff only"
    ) in text


def test_list_without_workplans_says_so(client):
    assert "No workplan has been published yet." in _page(client, "/workplan/")


# --- One workplan -----------------------------------------------------------------------


def test_detail_shows_period_pillars_and_introduction(client, workplan_2021):
    html = _page(client, "/workplan/2021/")

    text = _text(html)
    assert "<h1>2021 Workplan</h1>" in html
    assert "Period 1 January 2021 – 31 December 2021" in text
    assert "LeadIT 2.0 pillar Global forum for a just transition" in text
    assert "Concrete deliverables by <strong>COP26</strong>." in html
    assert "Activities 2 (1 in progress, 1 done)" in text


def test_detail_shows_each_target_with_value_threshold_and_state(client, workplan_2021):
    html = _page(client, "/workplan/2021/")

    text = _text(html)
    # The period is over: final values, never "On track" or "Behind".
    assert "Closed period (2021). This workplan ended on 31 December 2021" in text
    assert (
        "1. Expand membership Due by COP26 Company members joined Closed period (2021): "
        "final value 2 of target 6 members (33%) Final: not met counted from the portal's data"
    ) in text
    assert (
        "2. Promote green procurement Procurement pathways explored Closed period (2021): "
        "final value 3 of target 3 (100%) Final: met measured 1 Oct 2021"
    ) in text
    assert "Behind" not in text and "On track" not in text
    # The bars only repeat the numbers: hidden from assistive technology, width = percent.
    assert html.count('<svg class="progress__bar"') == 2
    assert '<rect class="progress__fill" x="0" y="0" width="33" height="10"/>' in html
    assert 'aria-hidden="true" focusable="false"><rect class="progress__track"' in html


def test_detail_target_on_track_in_a_current_period(client):
    today = timezone.localdate()
    workplan = WorkplanFactory(
        slug="now",
        period_start=today - datetime.timedelta(days=30),
        period_end=today + datetime.timedelta(days=3000),
    )
    target = ObjectiveTargetFactory(
        objective=ObjectiveFactory(workplan=workplan, number=1), label="Briefs", threshold=10
    )
    TargetMeasurementFactory(target=target, date=today, value=Decimal("1"))

    text = _text(_page(client, "/workplan/now/"))

    assert "Briefs 1 of 10 (10%) On track" in text


def test_detail_shows_pathways_groups_and_activities(client, workplan_2021):
    html = _page(client, "/workplan/2021/")

    text = _text(html)
    assert "Partnerships for change (2 activities)" in text
    assert "Leadership Summit at COP26" in text
    assert (
        "Summit – virtual or hybrid Done 1 Jun 2021 – 10 Nov 2021 Sam Secretariat "
        "Republic of Demo, IEA, Swedish Embassy Deliverable of “Summit – virtual or hybrid”"
    ) in text
    assert '<a href="/members/republic-of-demo/">Republic of Demo</a>' in html
    assert 'href="https://deliverables.example/summit-report" rel="noopener noreferrer"' in html
    assert "Announce new members In progress" in text


def test_detail_mel_indicator_has_a_chart_and_a_data_table(client, workplan_2021):
    html = _page(client, "/workplan/2021/")

    text = _text(html)
    assert "Latest: 480 people on 30 November 2021" in text
    # Measurements within one year: one labelled bar per date.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--bar"' in html
    assert "<title>30 Nov 2021: 480 people</title>" in html
    assert "Show the data of “People reached at events” as a table" in text
    assert "Date Value (people) 2021-03-31 120 2021-11-30 480" in text
    assert "style=" not in html


def test_detail_mel_indicator_over_several_years_is_a_line(client):
    workplan = WorkplanFactory(
        slug="phase-2", period_start=D(2024, 1, 1), period_end=D(2026, 12, 31)
    )
    indicator = MELIndicatorFactory(workplan=workplan, name="Tracker visits", unit="visits")
    for year, value in [(2024, 1800), (2025, 12500), (2026, 30000)]:
        MELMeasurementFactory(indicator=indicator, date=D(year, 12, 31), value=value)

    html = _page(client, "/workplan/phase-2/")

    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--line"' in html
    assert "Latest: 30,000 visits on 31 December 2026" in _text(html)


def test_detail_shows_published_stories_of_the_period_only(client, workplan_2021):
    text = _text(_page(client, "/workplan/2021/"))

    assert "Green steel in public tenders Republic of Demo · 1 August 2021" in text
    assert "A story from 2019" not in text
    assert "An unpublished story" not in text
    assert "A prospective member's story" not in text


def test_detail_says_when_it_was_last_updated(client, workplan_2021):
    text = _text(_page(client, "/workplan/2021/"))

    today = timezone.localdate()
    assert f"Last updated {today.day} {today:%B %Y}." in text


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_detail_of_a_draft_is_not_found_for_others_than_staff(client, member_user, who):
    WorkplanFactory(slug="draft-plan", status=Workplan.Status.DRAFT)
    if who == "member":
        client.force_login(member_user)

    assert client.get("/workplan/draft-plan/").status_code == 404


def test_detail_of_a_draft_is_shown_to_staff_marked_draft(staff_client):
    WorkplanFactory(slug="draft-plan", title="Draft plan", status=Workplan.Status.DRAFT)

    text = _text(_page(staff_client, "/workplan/draft-plan/"))

    assert "Draft: only secretariat staff can see this workplan" in text


def test_detail_of_an_unknown_workplan_is_not_found(client):
    assert client.get("/workplan/nothing-here/").status_code == 404


def _activities(workplan, count: int) -> None:
    objectives = list(workplan.objectives.all())
    members = [MemberFactory() for _ in range(2)]
    group = None
    for index in range(count):
        if index % 25 == 0:
            group = ActivityGroupFactory(pathway=ImpactPathwayFactory(workplan=workplan))
        activity = ActivityFactory(
            group=group, lead=None, objectives=objectives[: index % 3], partners="IEA"
        )
        activity.partner_members.set(members[: index % 3])
    indicator = MELIndicatorFactory(workplan=workplan)
    for _ in range(count // 10):
        MELMeasurementFactory(indicator=indicator)
    for _ in range(count // 10):
        ImpactStoryFactory(member=members[0], date=D(2021, 5, 1))


def test_detail_query_count_does_not_grow_with_the_activities(client, workplan_2021):
    _activities(workplan_2021, 10)
    small = _query_count(client, "/workplan/2021/")
    _activities(workplan_2021, 40)  # in more pathways and groups than the 10

    large = _query_count(client, "/workplan/2021/")

    assert Activity.objects.count() == 52
    assert large == small


def test_list_query_count_does_not_grow_with_the_workplans(client):
    WorkplanFactory()
    small = _query_count(client, "/workplan/")
    for _ in range(20):
        WorkplanFactory()

    assert _query_count(client, "/workplan/") == small


# --- The staff dashboard ----------------------------------------------------------------


@pytest.fixture
def current_workplan():
    today = timezone.localdate()
    workplan = WorkplanFactory(
        title="Current plan",
        slug="current",
        period_start=today - datetime.timedelta(days=200),
        period_end=today + datetime.timedelta(days=165),
    )
    group = ActivityGroupFactory(pathway=ImpactPathwayFactory(workplan=workplan))
    ActivityFactory(
        group=group,
        title="Late roadmap guide",
        start_date=None,
        due_date=today - datetime.timedelta(days=14),
        status=Activity.Status.IN_PROGRESS,
    )
    ActivityFactory(
        group=group,
        title="Newsletter soon",
        start_date=None,
        due_date=today + datetime.timedelta(days=10),
    )
    ActivityFactory(
        group=group,
        title="Far away summit",
        start_date=None,
        due_date=today + datetime.timedelta(days=90),
    )
    ActivityFactory(
        group=group,
        title="Done long ago",
        start_date=None,
        due_date=today - datetime.timedelta(days=30),
        status=Activity.Status.DONE,
    )
    objective = ObjectiveFactory(workplan=workplan, number=1, short_title="Expand membership")
    companies = ObjectiveTargetFactory(objective=objective, label="Companies joined", threshold=10)
    TargetMeasurementFactory(target=companies, date=today, value=Decimal("0"))
    changed = ActivityFactory(
        group=group, title="Board meeting minutes", start_date=None, due_date=None
    )
    changed.status = Activity.Status.DONE
    changed.save()
    return workplan


def test_dashboard_lists_due_activities_objectives_behind_and_status_changes(
    staff_client, current_workplan
):
    html = _page(staff_client, "/workplan/dashboard/")

    text = _text(html)
    assert "1 activity overdue" in text
    assert "1 due in the next 30 days" in text
    assert "1 objective behind target" in text
    overdue = _section(html, "overdue")
    assert "Late roadmap guide" in overdue
    assert "2 weeks late" in overdue
    assert "Done long ago" not in text
    assert "Far away summit" not in text
    soon = _section(html, "due-soon")
    assert "Newsletter soon" in soon
    behind = _section(html, "behind")
    assert "1. Expand membership Current plan Companies joined 0 of 10 (0%) Behind" in behind
    assert "Board meeting minutes Planned → Done" in _section(html, "changes")
    late = Activity.objects.get(title="Late roadmap guide")
    assert f'href="/admin/workplan/activity/{late.pk}/change/"' in html


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_dashboard_is_refused_to_others_than_staff(client, member_user, who):
    if who == "member":
        client.force_login(member_user)

    response = client.get("/workplan/dashboard/")

    assert response.status_code == (404 if who == "member" else 302)
