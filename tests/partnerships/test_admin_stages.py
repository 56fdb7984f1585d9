"""Staff move a partnership along its stage ladder from the admin ("Move to another
stage" on its change page), and a pipeline project through its gates on the project's
stage page: each move a dated history row; a step back without a reason is a form error
and nothing is written."""

import datetime

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from partnerships.models import PipelineStageChange
from tests.factories.partnerships import (
    FocalPointFactory,
    PartnershipFactory,
    PipelineProjectFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenya(db):
    return PartnershipFactory(country="KE", name="Kenya")  # at scoping since 1 June 2024


def stage_url(partnership) -> str:
    return reverse("admin:partnerships_partnership_stage", args=[partnership.pk])


def change_url(partnership) -> str:
    return reverse("admin:partnerships_partnership_change", args=[partnership.pk])


def test_the_change_page_links_to_the_move_and_the_stage_field_stays_read_only(staff_client, kenya):
    page = staff_client.get(change_url(kenya)).content.decode()

    assert f'href="{stage_url(kenya)}"' in page and "Move to another stage" in page
    assert 'name="stage"' not in page
    form = staff_client.get(stage_url(kenya)).content.decode()
    assert 'name="stage"' in form and 'name="changed_on"' in form and 'name="reason"' in form
    assert "Now at <strong>Scoping</strong> since 1 June 2024" in form


def test_a_move_forward_is_dated_and_shown_in_the_history_inline(staff_client, staff_user, kenya):
    response = staff_client.post(
        stage_url(kenya), {"stage": "response", "changed_on": "2025-03-10"}, follow=True
    )

    assert response.redirect_chain[-1][0] == change_url(kenya)
    html = response.content.decode()
    assert "Kenya is now at “Consolidated response” (since 10 March 2025)." in html
    kenya.refresh_from_db()
    assert (kenya.stage, kenya.stage_since) == ("response", datetime.date(2025, 3, 10))
    change = kenya.stage_changes.get()
    assert (change.stage, change.changed_on, change.recorded_by) == (
        "response",
        datetime.date(2025, 3, 10),
        staff_user,
    )
    inline = html.lower().split("stage history", 1)[1]
    shown_date = date_format(datetime.date(2025, 3, 10)).lower()
    assert "consolidated response" in inline and shown_date in inline


def test_a_step_back_without_a_reason_is_a_form_error_and_nothing_is_written(staff_client, kenya):
    response = staff_client.post(
        stage_url(kenya), {"stage": "interest", "changed_on": "2025-03-10", "reason": "  "}
    )

    assert response.status_code == 200
    assert "needs a reason" in " ".join(response.context["form"].errors["reason"])
    assert "needs a reason: say why" in response.content.decode()
    kenya.refresh_from_db()
    assert (kenya.stage, kenya.stage_since) == ("scoping", datetime.date(2024, 6, 1))
    assert not kenya.stage_changes.exists()

    staff_client.post(
        stage_url(kenya),
        {"stage": "interest", "changed_on": "2025-03-10", "reason": "The ministry changed."},
    )
    kenya.refresh_from_db()
    assert kenya.stage == "interest"
    assert kenya.stage_changes.get().reason == "The ministry changed."


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"stage": "scoping", "changed_on": "2025-03-10"}, "stage", "already at"),
        ({"stage": "plan_agreed", "changed_on": "2024-01-01"}, "changed_on", "cannot be earlier"),
        ({"stage": "plan_agreed", "changed_on": "2999-01-01"}, "changed_on", "in the future"),
        ({"stage": "nowhere", "changed_on": "2025-03-10"}, "stage", "Select a valid choice"),
    ],
)
def test_bad_moves_are_form_errors_and_nothing_is_written(staff_client, kenya, data, field, says):
    response = staff_client.post(stage_url(kenya), data)

    assert says in " ".join(response.context["form"].errors[field])
    kenya.refresh_from_db()
    assert kenya.stage == "scoping" and not kenya.stage_changes.exists()


def test_a_focal_point_cannot_reach_the_admin_move(client, kenya):
    focal = FocalPointFactory(partnership=kenya)
    client.force_login(focal.user)

    response = client.post(stage_url(kenya), {"stage": "plan_agreed", "changed_on": "2025-03-10"})

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    kenya.refresh_from_db()
    assert kenya.stage == "scoping"


def test_an_unknown_partnership_answers_404(staff_client):
    assert (
        staff_client.get(reverse("admin:partnerships_partnership_stage", args=[999])).status_code
        == 404
    )


def test_staff_move_a_pipeline_project_on_its_stage_page(staff_client, staff_user, kenya):
    project = PipelineProjectFactory(partnership=kenya)  # feasibility since 1 Feb 2025
    url = reverse("partnerships:manage_project_stage", args=["ke", project.slug])

    assert staff_client.get(url).status_code == 200
    back = staff_client.post(url, {"stage": "concept", "changed_on": "2025-06-01"})
    assert "needs a reason" in " ".join(back.context["form"].errors["reason"])
    assert not PipelineStageChange.objects.exists()
    staff_client.post(url, {"stage": "financing", "changed_on": "2025-06-01"})

    project.refresh_from_db()
    assert (project.stage, project.stage_since) == ("financing", datetime.date(2025, 6, 1))
    assert project.stage_changes.get().recorded_by == staff_user
