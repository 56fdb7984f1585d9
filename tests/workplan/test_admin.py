"""The secretariat's admin for workplans: the copy action, activity import/export with
objective columns, target metric choices, and the pages under the CSP."""

import datetime
import io
import re

import openpyxl
import pytest
import tablib

from tests.factories.members import MemberFactory
from tests.factories.users import StaffFactory
from tests.factories.workplan import (
    ActivityFactory,
    ActivityGroupFactory,
    ImpactPathwayFactory,
    ObjectiveFactory,
    WorkplanFactory,
)
from workplan.models import Activity, ActivityGroup, ImpactPathway, Objective, Workplan
from workplan.resources import ActivityResource

pytestmark = pytest.mark.django_db

D = datetime.date
WORKPLANS = "/admin/workplan/workplan/"
ACTIVITY_IMPORT = "/admin/workplan/activity/import/"
ACTIVITY_EXPORT = "/admin/workplan/activity/export/"
CSV_FORMAT = "0"
XLSX_FORMAT = "1"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=|<style", re.IGNORECASE)
HEADER = "pathway,group,activity,status,start_date,due_date,lead,partners,partner_members"


def upload(text: str, name: str = "activities.csv") -> io.BytesIO:
    file = io.BytesIO(text.encode())
    file.name = name
    return file


@pytest.fixture
def workplan():
    """2021 with objectives 1–5 and one activity marked for objectives 1 and 3."""
    workplan = WorkplanFactory(title="LeadIT 2021", slug="2021")
    objectives = [
        ObjectiveFactory(workplan=workplan, number=n, short_title=f"O{n}") for n in range(1, 6)
    ]
    group = ActivityGroupFactory(
        pathway=ImpactPathwayFactory(workplan=workplan, title="Evidence for action", order=1),
        title="LeadIT briefs",
    )
    ActivityFactory(
        group=group,
        title="Brief on green steel",
        objectives=[objectives[0], objectives[2]],
        status=Activity.Status.DONE,
        partners="=IEA",
    )
    return workplan


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        WORKPLANS,
        "/admin/workplan/activity/",
        "/admin/workplan/objectivetarget/add/",
        ACTIVITY_IMPORT,
        ACTIVITY_EXPORT,
    ],
)
def test_admin_pages_are_not_for_anonymous_or_members(client, member_client, url):
    anonymous = client.get(url)
    member = member_client.get(url)

    assert anonymous.status_code == member.status_code == 302
    assert "/admin/login/" in anonymous["Location"]


@pytest.mark.parametrize(
    "url",
    [
        WORKPLANS,
        "/admin/workplan/objective/",
        "/admin/workplan/objectivetarget/",
        "/admin/workplan/objectivetarget/add/",
        "/admin/workplan/impactpathway/",
        "/admin/workplan/activitygroup/",
        "/admin/workplan/activity/",
        "/admin/workplan/activity/add/",
        "/admin/workplan/melindicator/",
        ACTIVITY_IMPORT,
        ACTIVITY_EXPORT,
    ],
)
def test_admin_pages_work_for_staff_without_inline_script_or_style(staff_client, workplan, url):
    response = staff_client.get(url)

    assert response.status_code == 200
    assert INLINE.findall(response.content.decode()) == []


def test_admin_workplan_change_page_has_inlines(staff_client, workplan):
    page = staff_client.get(f"{WORKPLANS}{workplan.pk}/change/").content.decode()

    assert "objectives-TOTAL_FORMS" in page
    assert "pathways-TOTAL_FORMS" in page
    assert "indicators-TOTAL_FORMS" in page
    assert INLINE.findall(page) == []


def test_admin_workplan_refuses_duplicate_objective_numbers(staff_client, workplan):
    page = staff_client.get(f"{WORKPLANS}{workplan.pk}/change/").content.decode()
    data = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    data = {k: v for k, v in data.items() if not k.startswith("_")}
    data.update(
        {
            "title": workplan.title,
            "slug": workplan.slug,
            "status": workplan.status,
            "period_start": "2021-01-01",
            "period_end": "2021-12-31",
            "objectives-TOTAL_FORMS": "6",
            "objectives-5-number": "3",
            "objectives-5-short_title": "A second three",
            "objectives-5-workplan": str(workplan.pk),
        }
    )

    response = staff_client.post(f"{WORKPLANS}{workplan.pk}/change/", data)

    assert response.status_code == 200
    assert "Please correct the duplicate data for number" in response.content.decode()
    assert workplan.objectives.count() == 5


# --- Copy to a new period -------------------------------------------------------------------


def _copy(client, workplan, **data):
    return client.post(
        WORKPLANS,
        {"action": "copy_to_new_period", "_selected_action": [workplan.pk], **data},
    )


def test_admin_copy_action_asks_for_the_new_period_first(staff_client, workplan):
    response = _copy(staff_client, workplan)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Copy “LeadIT 2021” to a new period" in page
    assert 'value="LeadIT 2021 (copy)"' in page
    assert 'value="2022-01-01"' in page and 'value="2022-12-31"' in page
    assert "its 5 objectives" in page and "its 1 activity" in page
    assert INLINE.findall(page) == []
    assert Workplan.objects.count() == 1


def test_admin_copy_action_copies_the_workplan(staff_client, workplan):
    response = _copy(
        staff_client,
        workplan,
        apply="1",
        title="LeadIT 2022",
        slug="2022",
        period_start="2022-01-01",
        period_end="2022-12-31",
    )

    copy = Workplan.objects.get(slug="2022")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/workplan/workplan/{copy.pk}/change/"
    assert copy.status == Workplan.Status.DRAFT
    assert copy.objectives.count() == 5
    activity = Activity.objects.get(group__pathway__workplan=copy)
    assert activity.status == Activity.Status.PLANNED
    assert sorted(o.number for o in activity.objectives.all()) == [1, 3]
    page = staff_client.get(response["Location"]).content.decode()
    assert "copied to" in page


def test_admin_copy_action_shows_overlap_and_writes_nothing(staff_client, workplan):
    response = _copy(
        staff_client,
        workplan,
        apply="1",
        title="Overlapping",
        slug="overlapping",
        period_start="2021-07-01",
        period_end="2022-06-30",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The new period overlaps the period of “LeadIT 2021”" in page
    assert "nothing was copied" in page
    assert Workplan.objects.count() == 1
    assert Objective.objects.count() == 5


def test_admin_copy_action_refuses_more_than_one_workplan(staff_client, workplan):
    other = WorkplanFactory(period_start=D(2023, 1, 1))

    response = staff_client.post(
        WORKPLANS,
        {"action": "copy_to_new_period", "_selected_action": [workplan.pk, other.pk]},
        follow=True,
    )

    assert "Select exactly one workplan to copy." in response.content.decode()
    assert Workplan.objects.count() == 2


def test_admin_copy_action_needs_the_add_permission(client, workplan):
    from django.contrib.auth.models import Permission

    viewer = StaffFactory(is_superuser=False)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_workplan"),
        Permission.objects.get(codename="change_workplan"),
    )
    client.force_login(viewer)

    changelist = client.get(WORKPLANS).content.decode()
    _copy(
        client,
        workplan,
        apply="1",
        title="2022",
        slug="2022",
        period_start="2022-01-01",
        period_end="2022-12-31",
    )

    assert "copy_to_new_period" not in changelist
    assert Workplan.objects.count() == 1


# --- Objective targets: the metric select ---------------------------------------------------


def test_admin_target_metric_is_a_select_of_registered_metrics(staff_client):
    page = staff_client.get("/admin/workplan/objectivetarget/add/").content.decode()

    assert '<select name="metric"' in page
    assert '<option value="new_members">New members joined in the period</option>' in page
    assert "— none: a manual target —" in page


def test_admin_target_refuses_unknown_metric_options(staff_client, workplan):
    objective = workplan.objectives.get(number=1)

    response = staff_client.post(
        "/admin/workplan/objectivetarget/add/",
        {
            "objective": objective.pk,
            "label": "Companies",
            "metric": "new_members",
            "metric_options": '{"kind": "companies"}',
            "threshold": "6",
            "unit": "members",
            "order": "0",
            "measurements-TOTAL_FORMS": "0",
            "measurements-INITIAL_FORMS": "0",
        },
    )

    assert "Option “kind” must be country or company, not “companies”." in (
        response.content.decode()
    )
    assert not objective.targets.exists()


# --- Activities: import and export with objective columns -----------------------------------


def _activity_csv(*rows, objectives="1,2,3,4,5"):
    return "\n".join([f"{HEADER},{objectives}", *rows]) + "\n"


def _preview(client, workplan, text, name="activities.csv", file_format=CSV_FORMAT):
    return client.post(
        ACTIVITY_IMPORT,
        {"format": file_format, "workplan": workplan.pk, "import_file": upload(text, name)},
    )


def _confirm(client, preview):
    fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.content.decode())
    )
    return client.post(
        "/admin/workplan/activity/process_import/", {**fields, "confirm": "1"}, follow=True
    )


def test_admin_activity_import_creates_activities_groups_and_marks(
    staff_client, staff_user, workplan
):
    lead = StaffFactory(email="lead@secretariat.example.org", totp=False)
    MemberFactory(slug="sweden")
    text = _activity_csv(
        # an existing activity: marks change from 1,3 to 2,3
        "Evidence for action,LeadIT briefs,Brief on green steel,done,,,,,,,X,X,,",
        "Partnerships for change,Leadership Summit,Summit at COP26,In progress,"
        "2021-03-01,2021-11-09,LEAD@secretariat.example.org,UK embassy,sweden,X,,,,x",
        "Partnerships for change,Leadership Summit,Side event,,,,,,,X,,,,",
    )

    preview = _preview(staff_client, workplan, text)
    done = _confirm(staff_client, preview)

    assert "Confirm import" in preview.content.decode()
    assert "style=" not in preview.content.decode()
    assert "Import finished: 2 new, 1 updated" in done.content.decode()
    summit = Activity.objects.get(title="Summit at COP26")
    assert summit.group.pathway.workplan == workplan
    assert summit.group.title == "Leadership Summit"
    assert summit.status == Activity.Status.IN_PROGRESS
    assert (summit.start_date, summit.due_date) == (D(2021, 3, 1), D(2021, 11, 9))
    assert summit.lead == lead
    assert summit.partners == "UK embassy"
    assert [m.slug for m in summit.partner_members.all()] == ["sweden"]
    assert sorted(o.number for o in summit.objectives.all()) == [1, 5]
    assert Activity.objects.get(title="Side event").status == Activity.Status.PLANNED
    brief = Activity.objects.get(title="Brief on green steel")
    assert sorted(o.number for o in brief.objectives.all()) == [2, 3]
    assert brief.history.first().history_user == staff_user
    assert ImpactPathway.objects.filter(workplan=workplan).count() == 2
    assert ActivityGroup.objects.filter(pathway__workplan=workplan).count() == 2


def test_admin_activity_import_unknown_objective_column_is_a_file_error(staff_client, workplan):
    text = _activity_csv(
        "Partnerships for change,Summit,Summit at COP26,planned,,,,,,X,,,,,X",
        objectives="1,2,3,4,5,7",
    )

    response = _preview(staff_client, workplan, text)

    page = response.content.decode()
    assert "The file has objective column(s) “7”, but the workplan “LeadIT 2021” has no such" in (
        page
    )
    assert "its objectives: 1, 2, 3, 4, 5" in page
    assert "Traceback" not in page
    assert "Confirm import" not in page
    assert not Activity.objects.filter(title="Summit at COP26").exists()
    assert not ImpactPathway.objects.filter(title="Partnerships for change").exists()


def test_admin_activity_import_shows_each_bad_row_and_writes_nothing(staff_client, workplan):
    StaffFactory(email="lead@secretariat.example.org", totp=False)
    text = _activity_csv(
        "Partnerships for change,Summit,Good row,planned,,,,,,X,,,,",
        "Partnerships for change,Summit,Late,planned,2021-05-01,2021-04-01,,,,,,,,",
        "Partnerships for change,Summit,Odd status,finished,,,,,,,,,,",
        "Partnerships for change,Summit,Bad lead,planned,,,not-an-address,,,,,,,",
        "Partnerships for change,Summit,Unknown lead,planned,,,nobody@example.org,,,,,,,",
        "Partnerships for change,Summit,Bad mark,planned,,,,,,yes,,,,",
        "Partnerships for change,Summit,Good row,planned,,,,,,,,,,",
    )

    response = _preview(staff_client, workplan, text)

    page = response.content.decode()
    assert "Some rows failed to validate" in page
    assert "The due date 2021-04-01 is before the start date 2021-05-01." in page
    assert (
        "Unknown status “finished”: use planned, in progress, done, dropped, outcome not recorded."
        in page
    )
    assert "The lead “not-an-address” is not an e-mail address." in page
    assert "No staff user has the e-mail address “nobody@example.org”." in page
    assert "Objective 1: write X or leave the cell blank, not “yes”." in page
    assert "is also in row 1 of this file" in page
    assert "Confirm import" not in page
    assert Activity.objects.count() == 1
    assert not ImpactPathway.objects.filter(title="Partnerships for change").exists()


def test_activity_resource_import_with_a_bad_row_writes_nothing(workplan):
    text = _activity_csv(
        "Partnerships for change,Summit,Good,planned,,,,,,X,,,,",
        "Partnerships for change,Summit,Bad,finished,,,,,,,,,,",
    )

    result = ActivityResource(workplan=workplan).import_data(
        tablib.Dataset().load(text, format="csv"), dry_run=False
    )

    assert result.has_validation_errors()
    assert Activity.objects.count() == 1
    assert ImpactPathway.objects.count() == 1


def test_activity_resource_without_a_workplan_refuses_the_file(workplan):
    text = _activity_csv("Partnerships for change,Summit,Good,planned,,,,,,X,,,,")

    result = ActivityResource().import_data(
        tablib.Dataset().load(text, format="csv"), dry_run=False
    )

    assert result.has_errors()
    assert "Choose the workplan" in str(result.base_errors[0].error)
    assert Activity.objects.count() == 1


def test_admin_activity_export_has_one_x_column_per_objective(staff_client, workplan):
    other = WorkplanFactory(period_start=D(2022, 1, 1))
    ActivityFactory(group=ActivityGroupFactory(pathway=ImpactPathwayFactory(workplan=other)))
    early = ActivityGroupFactory(
        pathway=ImpactPathwayFactory(workplan=workplan, title="Partnerships for change", order=0),
        title="Summit",
    )
    ActivityFactory(group=early, title="Summit at COP26", objectives=[])

    response = staff_client.post(
        ACTIVITY_EXPORT, {"format": XLSX_FORMAT, "resource": "0", "workplan": workplan.pk}
    )

    assert response.status_code == 200
    assert "2021-" in response["Content-Disposition"]
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert rows[0] == (
        "pathway",
        "group",
        "activity",
        "status",
        "start_date",
        "due_date",
        "lead",
        "partners",
        "partner_members",
        "1",
        "2",
        "3",
        "4",
        "5",
    )
    assert len(rows) == 3
    assert rows[1][:4] == ("Partnerships for change", "Summit", "Summit at COP26", "Planned")
    assert rows[1][9:] == (None, None, None, None, None)
    assert rows[2][:4] == ("Evidence for action", "LeadIT briefs", "Brief on green steel", "Done")
    assert rows[2][7] == "'=IEA"  # a formula is never handed to a spreadsheet
    assert rows[2][9:] == ("X", None, "X", None, None)


def test_activity_export_then_import_round_trips(workplan):
    dataset = ActivityResource(workplan=workplan).export()
    Activity.objects.all().delete()

    result = ActivityResource(workplan=workplan).import_data(
        tablib.Dataset().load(dataset.csv, format="csv")
    )

    assert not result.has_errors() and not result.has_validation_errors()
    brief = Activity.objects.get()
    assert brief.partners == "=IEA"
    assert sorted(o.number for o in brief.objectives.all()) == [1, 3]
    assert brief.status == Activity.Status.DONE


# --- Activity form -----------------------------------------------------------------------------


def test_admin_activity_form_refuses_due_before_start(staff_client, workplan):
    activity = Activity.objects.get()

    response = staff_client.post(
        f"/admin/workplan/activity/{activity.pk}/change/",
        {
            "group": activity.group_id,
            "order": "0",
            "title": activity.title,
            "status": "planned",
            "start_date": "2021-05-01",
            "due_date": "2021-04-01",
        },
    )

    assert "The due date is before the start date." in response.content.decode()
    activity.refresh_from_db()
    assert activity.start_date == D(2021, 2, 1)


def test_admin_workplan_form_refuses_a_period_ending_before_it_starts(staff_client):
    response = staff_client.post(
        "/admin/workplan/workplan/add/",
        {
            "title": "Backwards",
            "slug": "backwards",
            "status": "draft",
            "period_start": "2022-12-31",
            "period_end": "2022-01-01",
            **{
                f"{prefix}-{name}": "0"
                for prefix in ("objectives", "pathways", "indicators")
                for name in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )

    assert "The period ends before it starts." in response.content.decode()
    assert not Workplan.objects.filter(slug="backwards").exists()


def test_admin_activity_form_offers_only_its_workplans_objectives(staff_client, workplan):
    ObjectiveFactory(workplan=WorkplanFactory(period_start=D(2023, 1, 1)), short_title="Foreign")
    activity = Activity.objects.get()

    page = staff_client.get(f"/admin/workplan/activity/{activity.pk}/change/").content.decode()

    assert "1. O1" in page and "5. O5" in page
    assert "Foreign" not in page


@pytest.mark.parametrize(
    ("metric", "options", "expected"),
    [("", "", {}), ("new_members", '{"kind": "company"}', {"kind": "company"})],
)
def test_admin_target_saves_manual_and_metric_targets(
    staff_client, workplan, metric, options, expected
):
    objective = workplan.objectives.get(number=1)

    response = staff_client.post(
        "/admin/workplan/objectivetarget/add/",
        {
            "objective": objective.pk,
            "label": "A target",
            "metric": metric,
            "metric_options": options,
            "threshold": "6",
            "unit": "members",
            "order": "0",
            "measurements-TOTAL_FORMS": "0",
            "measurements-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    target = objective.targets.get()
    assert (target.metric, target.metric_options) == (metric, expected)
