"""Member editors keep their members' technology solutions (outside the admin): the page
of their technology records, the solution form with its patent families, refusals."""

import datetime
import logging

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from technology.models import PatentFamily, SolutionCountry, TechnologySolution
from tests.factories.members import EditorFactory, MemberFactory, SectorFactory
from tests.factories.partnerships import PartnerInstitutionFactory
from tests.factories.technology import (
    CoDevelopmentProjectFactory,
    PatentFamilyFactory,
    TechnicalGuidelineFactory,
    TechnologySolutionFactory,
)
from tests.factories.tracker import IndustrialProjectFactory, TechnologyFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

NEW = reverse("technology:solution_new")


@pytest.fixture
def world():
    technology = TechnologyFactory(name="H2-DRI", slug="h2-dri")
    other_technology = TechnologyFactory(name="Calcined clay", slug="calcined-clay")
    return {
        "technology": technology,
        "sector": SectorFactory(name="Iron and steel", slug="steel"),
        "plant": IndustrialProjectFactory(name="Demo DRI plant", technologies=[technology]),
        "other_plant": IndustrialProjectFactory(
            name="Demo clay kiln", technologies=[other_technology]
        ),
    }


def _rows(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def _solution_data(member, world, *, patents=None, **overrides) -> dict:
    data = {
        "member": member.pk if member else None,
        "name": "Hydrogen shaft furnace",
        "technology": world["technology"].pk,
        "sectors": [world["sector"].pk],
        "trl": "7",
        "trl_assessed_year": "2024",
        "trl_assessed_by": "An independent engineer",
        "summary": "Direct reduction of iron ore with green hydrogen.",
        "description": "Our **furnace**.",
        "offers": ["licence", "demonstration"],
        "ip_status": "patented",
        "ip_licence": "",
        "available_worldwide": "",
        "countries": ["SE", "IN"],
        "reference_plants": [world["plant"].pk],
        "contact_name": "Alex Doe",
        "contact_email": "alex@example.org",
        "visibility": "public",
    }
    if patents is None:
        patents = [
            {"number": "EP3456789", "office": "EPO", "filed_on": "2019-05-01",
             "expires_on": "2039-05-01"},
        ]  # fmt: skip
    data = {**data, **_rows("patents", patents)}
    return {key: value for key, value in {**data, **overrides}.items() if value is not None}


def _counts() -> tuple[int, int, int]:
    return (
        TechnologySolution.objects.count(),
        PatentFamily.objects.count(),
        SolutionCountry.objects.count(),
    )


# --- The page of one's technology records ----------------------------------------------------


def test_editor_sees_their_solutions_projects_and_guidelines_with_edit_links(
    member_client, member_user
):
    mine = TechnologySolutionFactory(member=member_user.member, name="Our clay kiln")
    theirs = TechnologySolutionFactory(name="Another member's kiln")
    project = CoDevelopmentProjectFactory(lead_member=member_user.member, title="Kiln pilot")
    guideline = TechnicalGuidelineFactory(member=member_user.member, title="Kiln handbook")
    page = member_client.get(reverse("technology:mine")).content.decode()
    assert "Our clay kiln" in page and "Another member's kiln" not in page
    assert reverse("technology:solution_edit", args=[mine.slug]) in page
    assert reverse("technology:solution_edit", args=[theirs.slug]) not in page
    assert reverse("technology:project_edit", args=[project.slug]) in page
    assert reverse("technology:guideline_edit", args=[guideline.slug]) in page
    for name in ("solution_new", "project_new", "guideline_new"):
        assert reverse(f"technology:{name}") in page


def test_a_user_who_edits_no_member_is_told_who_keeps_solutions(client):
    client.force_login(UserFactory())
    response = client.get(reverse("technology:mine"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "kept by member editors" in page and "ask the secretariat for an invitation" in page
    assert client.get(NEW).status_code == 403


def test_the_page_of_ones_records_takes_as_many_queries_for_3_or_30_solutions(
    member_client, member_user, django_assert_max_num_queries
):
    TechnologySolutionFactory.create_batch(3, member=member_user.member)
    with django_assert_max_num_queries(12) as few:
        member_client.get(reverse("technology:mine"))
    TechnologySolutionFactory.create_batch(27, member=member_user.member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = member_client.get(reverse("technology:mine")).content.decode()
    assert page.count(reverse("technology:solution_new")) == 1


# --- A new solution ------------------------------------------------------------------------


def test_a_new_solution_starts_with_its_technology_then_lists_its_plants(member_client, world):
    page = member_client.get(NEW).content.decode()
    assert "Start with the technology" in page and 'name="technology"' in page
    page = member_client.get(NEW, {"technology": "h2-dri"}).content.decode()
    assert "Demo DRI plant" in page and "Demo clay kiln" not in page
    assert 'value="licence"' in page and "What is offered" in page


def test_editor_adds_a_solution_with_patents_countries_and_plants(
    member_client, member_user, world
):
    response = member_client.post(NEW, _solution_data(member_user.member, world))
    solution = TechnologySolution.objects.get()
    assert response.status_code == 302 and response["Location"] == solution.get_absolute_url()
    assert "is saved" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert solution.slug == "hydrogen-shaft-furnace"
    assert solution.member == member_user.member and solution.created_by == member_user
    assert solution.offers_licence and solution.offers_demonstration
    assert not solution.offers_training
    assert sorted(str(c.country) for c in solution.countries.all()) == ["IN", "SE"]
    assert list(solution.reference_plants.all()) == [world["plant"]]
    patent = solution.patents.get()
    assert (patent.number, patent.expires_on) == ("EP3456789", datetime.date(2039, 5, 1))
    assert solution.history.count() == 1 and solution.history.first().history_user == member_user


def test_two_solutions_of_one_name_get_two_slugs(member_client, member_user, world):
    TechnologySolutionFactory(slug="hydrogen-shaft-furnace")
    member_client.post(NEW, _solution_data(member_user.member, world, patents=[]))
    assert TechnologySolution.objects.filter(slug="hydrogen-shaft-furnace-2").exists()


def test_editor_edits_a_solution_and_its_patent_families(member_client, member_user, world):
    solution = TechnologySolutionFactory(
        member=member_user.member, technology=world["technology"], slug="kept-slug"
    )
    old = PatentFamilyFactory(solution=solution, number="EP1000001")
    dropped = PatentFamilyFactory(solution=solution, number="EP1000002")
    patents = [
        {"id": old.pk, "number": "EP1000001", "office": "EPO", "filed_on": "2020-01-01",
         "expires_on": "2041-01-01"},
        {"id": dropped.pk, "number": "EP1000002", "office": "EPO", "filed_on": "2020-01-01",
         "expires_on": "2040-01-01", "DELETE": "on"},
        {"number": "US9999999", "office": "USPTO", "filed_on": "2021-03-01",
         "expires_on": ""},
    ]  # fmt: skip
    data = _solution_data(member_user.member, world, name="Renamed furnace")
    data.update(_rows("patents", patents, initial=2))
    url = reverse("technology:solution_edit", args=[solution.slug])
    assert member_client.post(url, data).status_code == 302
    solution.refresh_from_db()
    assert solution.name == "Renamed furnace" and solution.slug == "kept-slug"
    assert sorted(solution.patents.values_list("number", flat=True)) == [
        "EP1000001",
        "US9999999",
    ]
    assert solution.patents.get(number="EP1000001").expires_on == datetime.date(2041, 1, 1)
    assert old.history.count() == 2  # created, then changed


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"trl": "10"}, "trl", "runs from 1 to 9"),
        ({"trl": "0"}, "trl", "runs from 1 to 9"),
        ({"offers": []}, "offers", "Tick at least one"),
        ({"ip_status": "open_licence"}, "ip_licence", "Name the open licence"),
        ({"ip_licence": "CC BY 4.0"}, "ip_licence", "only when the intellectual property"),
        ({"countries": []}, "countries", "or tick “Available worldwide”"),
        ({"available_worldwide": "on"}, "countries", "Leave the countries empty"),
        ({"trl_assessed_year": "2099"}, "trl_assessed_year", "future year"),
    ],
)
def test_bad_solution_input_is_a_form_error_and_nothing_is_written(
    member_client, member_user, world, overrides, field, message
):
    response = member_client.post(NEW, _solution_data(member_user.member, world, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert _counts() == (0, 0, 0)


def test_a_patent_expiring_before_its_filing_is_an_error_on_that_row(
    member_client, member_user, world
):
    patents = [
        {"number": "EP1", "office": "EPO", "filed_on": "2020-01-01", "expires_on": "2040-01-01"},
        {"number": "EP2", "office": "EPO", "filed_on": "2020-01-01", "expires_on": "2019-01-01"},
    ]
    response = member_client.post(NEW, _solution_data(member_user.member, world, patents=patents))
    rows = response.context["patents"].forms
    assert not rows[0].errors
    assert "expires after it was filed" in " ".join(rows[1].errors["expires_on"])
    assert _counts() == (0, 0, 0)


def test_another_members_id_in_the_form_is_refused(member_client, member_user, world):
    other = MemberFactory()
    response = member_client.post(NEW, _solution_data(other, world))
    assert "members whose pages you keep" in " ".join(response.context["form"].errors["member"])
    assert _counts() == (0, 0, 0)


def test_a_plant_that_does_not_use_the_technology_is_refused(member_client, member_user, world):
    data = _solution_data(member_user.member, world, reference_plants=[world["other_plant"].pk])
    response = member_client.post(NEW, data)
    errors = " ".join(response.context["form"].errors["reference_plants"])
    assert "does not use the chosen technology" in errors
    assert _counts() == (0, 0, 0)


def test_a_failed_edit_changes_nothing(member_client, member_user, world):
    solution = TechnologySolutionFactory(member=member_user.member, name="Unchanged")
    PatentFamilyFactory(solution=solution, number="EP1000001")
    data = _solution_data(member_user.member, world, name="Changed", trl="12")
    response = member_client.post(reverse("technology:solution_edit", args=[solution.slug]), data)
    assert response.status_code == 200
    solution.refresh_from_db()
    assert solution.name == "Unchanged" and solution.patents.count() == 1


# --- Who may edit --------------------------------------------------------------------------


def test_staff_edit_any_members_solution(staff_client, world):
    solution = TechnologySolutionFactory(technology=world["technology"])
    data = _solution_data(solution.member, world, name="Checked by the secretariat")
    url = reverse("technology:solution_edit", args=[solution.slug])
    assert staff_client.post(url, data).status_code == 302
    solution.refresh_from_db()
    assert solution.name == "Checked by the secretariat"


def test_staff_edit_a_partner_institutions_solution_which_stays_its_own(staff_client, world):
    institute = PartnerInstitutionFactory(name="Demo research institute")
    solution = TechnologySolutionFactory(
        member=None, institution=institute, technology=world["technology"]
    )
    data = _solution_data(None, world, name="Institute's furnace")
    url = reverse("technology:solution_edit", args=[solution.slug])
    assert "Demo research institute (partner institution)" in staff_client.get(url).content.decode()
    assert staff_client.post(url, data).status_code == 302
    solution.refresh_from_db()
    assert (solution.name, solution.institution, solution.member) == (
        "Institute's furnace",
        institute,
        None,
    )


def test_another_members_solution_answers_404_and_is_logged(
    member_client, member_user, world, caplog
):
    solution = TechnologySolutionFactory(member=EditorFactory().member, name="Theirs")
    url = reverse("technology:solution_edit", args=[solution.slug])
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        assert member_client.get(url).status_code == 404
        response = member_client.post(url, _solution_data(member_user.member, world))
    assert response.status_code == 404
    assert any("technology solution" in record.getMessage() for record in caplog.records)
    solution.refresh_from_db()
    assert solution.name == "Theirs"
