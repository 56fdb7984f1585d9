"""One solution's page /technology/solutions/<slug>/: its TRL, offer, IP and availability,
the reference plants, the roadmaps that call for its technology and the partnerships'
open needs that ask for it; the contact only for signed-in members, focal points and
staff; a hidden solution answers 404 (logged); as many queries with many plants, patents,
roadmaps and needs as with one."""

import datetime
import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import SupportRequest
from technology.models import TechnologySolution, Visibility
from tests.factories.members import EditorFactory, MemberFactory
from tests.factories.partnerships import FocalPointFactory, PartnershipFactory
from tests.factories.technology import (
    PatentFamilyFactory,
    SolutionCountryFactory,
    TechnologyNeedFactory,
    TechnologySolutionFactory,
)
from tests.factories.tracker import (
    IndustrialProjectFactory,
    RoadmapFactory,
    RoadmapLeverFactory,
    TechnologyFactory,
)
from tests.factories.users import StaffFactory, UserFactory
from tracker.models import Roadmap

pytestmark = pytest.mark.django_db


@pytest.fixture
def solution():
    dri = TechnologyFactory(name="H2-DRI", slug="h2-dri")
    member = MemberFactory(name="Steelco", slug="steelco")
    plant = IndustrialProjectFactory(name="Demo Luleå DRI plant", slug="demo-lulea-dri")
    shaft = TechnologySolutionFactory(
        member=member,
        name="Hydrogen shaft furnace",
        slug="hydrogen-shaft-furnace",
        technology=dri,
        trl=8,
        trl_assessed_year=2024,
        trl_assessed_by="Demo Testing Institute",
        description="Reduces iron ore with **green hydrogen**.",
        offers_licence=True,
        offers_joint_venture=True,
        ip_status=TechnologySolution.IPStatus.PATENTED,
        contact_name="Robin Engineer",
        contact_email="robin@steelco.example",
        reference_plants=[plant],
    )
    PatentFamilyFactory(
        solution=shaft,
        number="EP3456789",
        office="EPO",
        filed_on=datetime.date(2019, 5, 2),
        expires_on=datetime.date(2039, 5, 2),
    )
    SolutionCountryFactory(solution=shaft, country="IN")
    calling = RoadmapFactory(title="Demo Swedish steel roadmap")
    RoadmapLeverFactory(
        roadmap=calling, description="Scale up H2-DRI", milestone_year=2030, technologies=[dri]
    )
    RoadmapLeverFactory(
        roadmap=RoadmapFactory(title="Demo roadmap without it"), description="Scrap-based EAF"
    )
    RoadmapLeverFactory(
        roadmap=RoadmapFactory(title="Demo old roadmap", status=Roadmap.Status.SUPERSEDED),
        description="H2-DRI pilots",
        technologies=[dri],
    )
    india = PartnershipFactory(country="IN", name="India partnership")
    TechnologyNeedFactory(partnership=india, title="H2-DRI for a state plant", technologies=[dri])
    TechnologyNeedFactory(
        partnership=india,
        title="H2-DRI need already met",
        technologies=[dri],
        status=SupportRequest.Status.SUPPORTED,
    )
    TechnologyNeedFactory(
        partnership=india,
        title="Members-only H2-DRI need",
        technologies=[dri],
        visibility=Visibility.MEMBERS,
    )
    TechnologyNeedFactory(
        partnership=india, title="A clay need", technologies=[TechnologyFactory()]
    )
    return shaft


def test_the_page_shows_trl_offer_ip_and_availability(client, solution):
    content = client.get(solution.get_absolute_url()).content.decode()
    assert "TRL 8 of 9" in content
    assert "First of a kind commercial" in content
    assert "in 2024 by Demo Testing Institute" in content
    assert "<strong>green hydrogen</strong>" in content
    assert "Licence" in content and "Joint venture" in content
    assert "EP3456789" in content and "2 May 2039" in content and "2 May 2019" in content
    assert "India" in content


def test_missing_trl_assessment_and_description_say_not_recorded(client):
    solution = TechnologySolutionFactory(trl_assessed_year=None, trl_assessed_by="")
    content = client.get(solution.get_absolute_url()).content.decode()
    assert "Not recorded" in content
    assert "None" not in content


def test_an_open_licence_is_named(client):
    solution = TechnologySolutionFactory(
        ip_status=TechnologySolution.IPStatus.OPEN_LICENCE, ip_licence="CERN-OHL-P"
    )
    content = client.get(solution.get_absolute_url()).content.decode()
    assert "Available under an open licence: CERN-OHL-P" in content


def test_the_page_links_plants_roadmaps_and_open_needs(client, solution):
    content = client.get(solution.get_absolute_url()).content.decode()
    assert reverse("tracker:project", kwargs={"slug": "demo-lulea-dri"}) in content
    assert "Demo Luleå DRI plant" in content
    assert "Demo Swedish steel roadmap" in content
    assert "milestone 2030" in content
    assert "Demo roadmap without it" not in content
    assert "Demo old roadmap" not in content  # superseded
    assert "H2-DRI for a state plant" in content
    assert "H2-DRI need already met" not in content
    assert "Members-only H2-DRI need" not in content
    assert "A clay need" not in content


def test_a_focal_point_sees_members_needs_too(client, solution):
    client.force_login(FocalPointFactory().user)
    content = client.get(solution.get_absolute_url()).content.decode()
    assert "Members-only H2-DRI need" in content


def test_the_contact_is_for_signed_in_members_focal_points_and_staff(client, solution):
    url = solution.get_absolute_url()
    for _ in range(2):  # the second answer comes from the page cache
        content = client.get(url).content.decode()
        assert "robin@steelco.example" not in content
        assert "Robin Engineer" not in content
        assert "Contact details are shared with signed-in members" in content
        assert "Ask for an introduction" not in content
    client.force_login(UserFactory())  # an account that is neither
    content = client.get(url).content.decode()
    assert "robin@steelco.example" not in content
    assert reverse("technology:introduction_solution", kwargs={"slug": solution.slug}) in content
    for user in (EditorFactory(), FocalPointFactory().user, StaffFactory()):
        client.force_login(user)
        assert "robin@steelco.example" in client.get(url).content.decode()


def test_edit_link_for_the_members_editors_and_staff_only(client, solution):
    edit = reverse("technology:solution_edit", kwargs={"slug": solution.slug})
    client.force_login(EditorFactory())
    assert edit not in client.get(solution.get_absolute_url()).content.decode()
    client.force_login(EditorFactory(member=solution.member))
    assert edit in client.get(solution.get_absolute_url()).content.decode()
    client.force_login(StaffFactory())
    assert edit in client.get(solution.get_absolute_url()).content.decode()


def test_a_hidden_solution_answers_404_and_is_logged(client, caplog):
    hidden = TechnologySolutionFactory(name="Members-only furnace", visibility=Visibility.MEMBERS)
    secret = TechnologySolutionFactory(visibility=Visibility.SECRETARIAT)
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        assert client.get(hidden.get_absolute_url()).status_code == 404
    assert "Refused technology solution" in caplog.text
    assert client.get("/technology/solutions/no-such-thing/").status_code == 404
    client.force_login(EditorFactory())
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 200
    assert "Visible to:" in response.content.decode()
    assert client.get(secret.get_absolute_url()).status_code == 404
    client.force_login(EditorFactory(member=secret.member))
    assert client.get(secret.get_absolute_url()).status_code == 200


COUNTRIES = ["BR", "KE", "ZA", "MX", "ID", "VN", "EG", "MA", "NG"]


def _queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_reads_as_many_queries_with_one_and_ten_of_everything(client, solution):
    url = solution.get_absolute_url()
    client.force_login(EditorFactory())
    few = _queries(client, url)
    # One partnership for the new needs: a factory's next country could be the fixture's.
    kenya = PartnershipFactory(country="KE", name="Kenya partnership")
    for n in range(9):
        PatentFamilyFactory(solution=solution)
        SolutionCountryFactory(solution=solution, country=COUNTRIES[n])
        solution.reference_plants.add(IndustrialProjectFactory())
        RoadmapLeverFactory(description="More H2-DRI", technologies=[solution.technology])
        TechnologyNeedFactory(partnership=kenya, technologies=[solution.technology])
    assert _queries(client, url) == few
