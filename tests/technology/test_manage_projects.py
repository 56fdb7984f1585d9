"""Member editors keep the co-development projects their members lead (outside the admin):
the project form with its participants, milestones and publications, and refusals."""

import datetime
import logging
from decimal import Decimal

import pytest
from django.urls import reverse

from technology.models import (
    CoDevelopmentProject,
    ProjectMilestone,
    ProjectParticipant,
    ProjectPublication,
)
from tests.factories.members import EditorFactory, MemberFactory, SectorFactory
from tests.factories.partnerships import (
    CurrencyRateFactory,
    PartnerInstitutionFactory,
    PipelineProjectFactory,
)
from tests.factories.technology import (
    CoDevelopmentProjectFactory,
    ProjectMilestoneFactory,
    ProjectParticipantFactory,
    TechnologySolutionFactory,
)
from tests.factories.tracker import IndustrialProjectFactory, TechnologyFactory

from .test_manage_solutions import _rows

pytestmark = pytest.mark.django_db

NEW = reverse("technology:project_new")


@pytest.fixture
def world():
    technology = TechnologyFactory(name="Calcined clay", slug="calcined-clay")
    return {
        "technology": technology,
        "sector": SectorFactory(name="Cement", slug="cement"),
        "plant": IndustrialProjectFactory(name="Demo clay kiln", technologies=[technology]),
        "partner": MemberFactory(name="Demo partner company"),
        "institute": PartnerInstitutionFactory(name="Demo research institute"),
        "rate": CurrencyRateFactory(currency="EUR", usd_per_unit=Decimal("1.10")),
    }


def _project_data(member, world, *, participants=None, milestones=None, publications=None,
                  **overrides) -> dict:  # fmt: skip
    data = {
        "lead_member": member.pk,
        "title": "Calcined clay kiln pilot",
        "technology": world["technology"].pk,
        "sectors": [world["sector"].pk],
        "summary": "Two members demonstrate a clay calciner at scale.",
        "description": "A **pilot**.",
        "status": "active",
        "trl_start": "5",
        "trl_target": "7",
        "trl_current": "6",
        "starts_on": "2025-01-01",
        "ends_on": "2027-12-31",
        "budget": "2000000",
        "currency": "EUR",
        "results": "",
        "tracker_project": world["plant"].pk,
        "visibility": "public",
    }
    if participants is None:
        participants = [
            {"member": world["partner"].pk, "role": "Host site"},
            {"institution": world["institute"].pk, "role": "Testing laboratory"},
        ]
    if milestones is None:
        milestones = [
            {"title": "Kiln commissioned", "due_on": "2025-09-30", "status": "done",
             "completed_on": "2025-10-15", "trl_reached": "6"},
            {"title": "First 10,000 t", "due_on": "2027-06-30", "status": "planned"},
        ]  # fmt: skip
    if publications is None:
        publications = [{"title": "Pilot report", "url": "https://example.org/r", "year": "2026"}]
    data.update(_rows("participants", participants))
    data.update(_rows("milestones", milestones))
    data.update(_rows("publications", publications))
    return {key: value for key, value in {**data, **overrides}.items() if value is not None}


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            CoDevelopmentProject,
            ProjectParticipant,
            ProjectMilestone,
            ProjectPublication,
        )
    )


def test_a_new_project_lists_the_solutions_and_plants_of_its_technology(
    member_client, member_user, world
):
    TechnologySolutionFactory(technology=world["technology"], name="Clay calciner")
    TechnologySolutionFactory(name="A solution of another technology")
    TechnologySolutionFactory(
        technology=world["technology"], name="A secretariat-only solution",
        visibility="secretariat",
    )  # fmt: skip
    page = member_client.get(NEW, {"technology": "calcined-clay"}).content.decode()
    assert "Clay calciner" in page and "Demo clay kiln" in page
    assert "another technology" not in page and "secretariat-only" not in page


def test_editor_adds_a_project_with_participants_milestones_and_publications(
    member_client, member_user, world
):
    response = member_client.post(NEW, _project_data(member_user.member, world))
    project = CoDevelopmentProject.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.slug == "calcined-clay-kiln-pilot" and project.created_by == member_user
    assert project.lead_member == member_user.member
    assert project.budget_usd == Decimal("2200000.00") and project.usd_rate == world["rate"]
    assert project.tracker_project == world["plant"]
    assert {p.party for p in project.participants.all()} == {world["partner"], world["institute"]}
    assert [m.title for m in project.milestones.all()] == ["Kiln commissioned", "First 10,000 t"]
    assert project.milestones.first().completed_on == datetime.date(2025, 10, 15)
    assert project.publications.get().url == "https://example.org/r"
    assert project.history.first().history_user == member_user


def test_editor_edits_a_project_and_its_rows(member_client, member_user, world):
    project = CoDevelopmentProjectFactory(
        lead_member=member_user.member, technology=world["technology"], slug="kept"
    )
    stays = ProjectParticipantFactory(project=project, member=world["partner"], role="Host")
    goes = ProjectMilestoneFactory(project=project, title="Dropped milestone")
    data = _project_data(member_user.member, world, title="Renamed pilot", publications=[])
    data.update(
        _rows(
            "participants",
            [{"id": stays.pk, "member": world["partner"].pk, "role": "Host site and operator"}],
            initial=1,
        )
    )
    data.update(
        _rows(
            "milestones",
            [
                {
                    "id": goes.pk,
                    "title": goes.title,
                    "due_on": "2026-06-30",
                    "status": "planned",
                    "DELETE": "on",
                },
                {"title": "Cement trial", "due_on": "2026-03-31", "status": "planned"},
            ],  # fmt: skip
            initial=1,
        )
    )
    response = member_client.post(reverse("technology:project_edit", args=["kept"]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.slug) == ("Renamed pilot", "kept")
    assert project.participants.get().role == "Host site and operator"
    assert [m.title for m in project.milestones.all()] == ["Cement trial"]


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"trl_start": "0"}, "trl_start", "runs from 1 to 9"),
        ({"trl_target": "10"}, "trl_target", "runs from 1 to 9"),
        ({"trl_start": "7", "trl_target": "5"}, "trl_target", "cannot be below the TRL"),
        ({"ends_on": "2024-12-31"}, "ends_on", "cannot end before it starts"),
        ({"currency": "QQQ"}, "currency", "Unknown currency"),
        ({"budget": "-5"}, "budget", "cannot be negative"),
    ],
)
def test_bad_project_input_is_a_form_error_and_nothing_is_written(
    member_client, member_user, world, overrides, field, message
):
    data = _project_data(member_user.member, world, **overrides)
    response = member_client.post(NEW, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert _counts() == (0, 0, 0, 0)


def test_a_milestone_due_after_the_projects_end_is_an_error_on_that_row(
    member_client, member_user, world
):
    milestones = [
        {"title": "On time", "due_on": "2027-01-31", "status": "planned"},
        {"title": "Too late", "due_on": "2028-03-31", "status": "planned"},
    ]
    response = member_client.post(
        NEW, _project_data(member_user.member, world, milestones=milestones)
    )
    rows = response.context["milestones"].forms
    assert not rows[0].errors
    assert "due after the project ends" in " ".join(rows[1].errors["due_on"])
    assert _counts() == (0, 0, 0, 0)


def test_a_completion_date_of_a_milestone_not_done_is_refused(member_client, member_user, world):
    milestones = [
        {"title": "Planned", "due_on": "2026-01-31", "status": "planned",
         "completed_on": "2025-12-01"},
    ]  # fmt: skip
    response = member_client.post(
        NEW, _project_data(member_user.member, world, milestones=milestones)
    )
    errors = response.context["milestones"].forms[0].errors["completed_on"]
    assert "Only a milestone that is done" in " ".join(errors)
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"role": "Funder"}, "Choose the member or the partner institution"),
        ({"member": "PARTNER", "institution": "INSTITUTE", "role": "Both"}, "not both"),
    ],
)
def test_a_participant_is_exactly_one_member_or_institution(
    member_client, member_user, world, row, message
):
    ids = {"PARTNER": world["partner"].pk, "INSTITUTE": world["institute"].pk}
    row = {key: ids.get(value, value) for key, value in row.items()}
    response = member_client.post(NEW, _project_data(member_user.member, world, participants=[row]))
    assert message in str(response.context["participants"].forms[0].errors)
    assert _counts() == (0, 0, 0, 0)


def test_another_members_id_as_lead_is_refused(member_client, member_user, world):
    response = member_client.post(NEW, _project_data(MemberFactory(), world))
    errors = " ".join(response.context["form"].errors["lead_member"])
    assert "members whose pages you keep" in errors
    assert _counts() == (0, 0, 0, 0)


def test_a_solution_or_pipeline_project_the_user_cannot_see_is_refused(
    member_client, member_user, world
):
    hidden = TechnologySolutionFactory(technology=world["technology"], visibility="secretariat")
    pipeline = PipelineProjectFactory(visibility="secretariat")
    data = _project_data(
        member_user.member, world, solution=hidden.pk, pipeline_project=pipeline.pk
    )
    response = member_client.post(NEW, data)
    form = response.context["form"]
    assert "Choose a solution of this technology" in " ".join(form.errors["solution"])
    assert "pipeline project you can see" in " ".join(form.errors["pipeline_project"])
    assert _counts() == (0, 0, 0, 0)


# --- Who may edit --------------------------------------------------------------------------


def test_staff_edit_any_members_project(staff_client, world):
    project = CoDevelopmentProjectFactory(technology=world["technology"])
    data = _project_data(project.lead_member, world, title="Checked by the secretariat")
    assert (
        staff_client.post(reverse("technology:project_edit", args=[project.slug]), data).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.title == "Checked by the secretariat"


def test_a_project_another_member_leads_answers_404_and_is_logged(
    member_client, member_user, world, caplog
):
    project = CoDevelopmentProjectFactory(lead_member=EditorFactory().member, title="Theirs")
    # Taking part is not leading: the lead member's editors keep the project.
    ProjectParticipantFactory(project=project, member=member_user.member)
    url = reverse("technology:project_edit", args=[project.slug])
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        assert member_client.get(url).status_code == 404
        response = member_client.post(url, _project_data(member_user.member, world))
    assert response.status_code == 404
    assert any("co-development project" in record.getMessage() for record in caplog.records)
    project.refresh_from_db()
    assert project.title == "Theirs"
