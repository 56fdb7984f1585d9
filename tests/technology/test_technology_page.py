"""/technology/<technology-slug>/: one tracker technology across the portal — solutions and
their TRL, plants, roadmaps with levers on it, open needs, co-development projects,
guidelines and programmes — each as the visitor may see it, in a flat number of queries.
And the tracker admin refuses a technology slug the catalogue's own pages take."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import Partnership, SupportRequest, Visibility
from tests.factories.members import MemberFactory
from tests.factories.partnerships import PartnershipFactory
from tests.factories.technology import (
    CallForProposalsFactory,
    CoDevelopmentProjectFactory,
    InnovationProgrammeFactory,
    TechnicalGuidelineFactory,
    TechnologyNeedFactory,
    TechnologySolutionFactory,
)
from tests.factories.tracker import (
    IndustrialProjectFactory,
    RoadmapFactory,
    RoadmapLeverFactory,
    TechnologyFactory,
)
from tracker.models import TECHNOLOGY_RESERVED_SLUGS, IndustrialProject, Roadmap, Technology

pytestmark = pytest.mark.django_db

H2_DRI = "Hydrogen-based direct reduction (H2-DRI)"
STATUS = SupportRequest.Status


def _page(client, slug="h2-dri"):
    response = client.get(reverse("technology:technology", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, heading_id: str) -> str:
    """The text of one section, from its heading to the next section."""
    start = page.index(f'id="{heading_id}"')
    return page[start : page.find("</section>", start)]


@pytest.fixture
def world():
    h2 = TechnologyFactory(name=H2_DRI, slug="h2-dri", description="Iron ore reduced by hydrogen.")
    other = TechnologyFactory(name="Clinker substitution", slug="clinker-substitution")
    steelco = MemberFactory(name="Steelco")
    TechnologySolutionFactory(
        name="Open shaft furnace", technology=h2, trl=5, member=steelco, offers_training=True
    )
    TechnologySolutionFactory(name="Members' furnace", technology=h2, trl=8, visibility="members")
    TechnologySolutionFactory(name="Secret furnace", technology=h2, trl=9, visibility="secretariat")
    TechnologySolutionFactory(name="Calcined clay kiln", technology=other, trl=6)

    IndustrialProjectFactory(name="Luleå DRI plant", technologies=[h2], status="operating")
    IndustrialProjectFactory(name="Oxelösund plant", technologies=[h2], status="operating")
    IndustrialProjectFactory(
        name="Odisha DRI project", technologies=[h2], status="announced", country="IN"
    )
    IndustrialProjectFactory(name="Cement works", technologies=[other], country="KE")

    current = RoadmapFactory(title="Swedish steel roadmap")
    RoadmapLeverFactory(
        roadmap=current,
        description="Scale up H2-DRI to 5 Mt",
        milestone_year=2030,
        technologies=[h2],
    )
    RoadmapLeverFactory(roadmap=current, description="Drive demand for green steel")
    old = RoadmapFactory(title="Old steel roadmap", status=Roadmap.Status.SUPERSEDED)
    RoadmapLeverFactory(roadmap=old, description="Pilot H2-DRI", technologies=[h2])
    unrelated = RoadmapFactory(title="Cement roadmap")
    RoadmapLeverFactory(
        roadmap=unrelated, description="Drive clinker substitution", technologies=[other]
    )

    kenya = PartnershipFactory(country="KE", name="Kenya partnership")
    india = PartnershipFactory(country="IN", name="India partnership")
    TechnologyNeedFactory(title="H2-DRI pilot study", partnership=kenya, technologies=[h2])
    TechnologyNeedFactory(
        title="Hydrogen supply plan",
        partnership=india,
        technologies=[h2],
        status=STATUS.PARTLY_SUPPORTED,
    )
    TechnologyNeedFactory(
        title="Met need", partnership=kenya, technologies=[h2], status=STATUS.SUPPORTED
    )
    TechnologyNeedFactory(
        title="Members' need", partnership=kenya, technologies=[h2], visibility="members"
    )
    TechnologyNeedFactory(title="Clay need", partnership=kenya, technologies=[other])

    CoDevelopmentProjectFactory(title="Hydrogen shaft demo", technology=h2, trl_start=4)
    CoDevelopmentProjectFactory(title="Members' demo", technology=h2, visibility="members")
    CoDevelopmentProjectFactory(title="Clay demo", technology=other)

    TechnicalGuidelineFactory(title="Safe hydrogen handling", technologies=[h2])
    TechnicalGuidelineFactory(
        title="Draft hydrogen guide", technologies=[h2], visibility="secretariat"
    )
    TechnicalGuidelineFactory(title="Clay guide", technologies=[other])

    programme = InnovationProgrammeFactory(name="Green steel accelerator", technologies=[h2])
    CallForProposalsFactory(
        programme=programme, deadline=datetime.date.today() + datetime.timedelta(days=10)
    )
    InnovationProgrammeFactory(name="Cement incubator", technologies=[other])
    return {"h2": h2, "steelco": steelco}


def test_the_public_sees_each_section_with_its_public_records(client, world):
    page = _page(client)

    assert "<h1>Hydrogen-based direct reduction (H2-DRI)</h1>" in page
    assert "Iron ore reduced by hydrogen." in page
    solutions = _section(page, "solutions-heading")
    assert "Open shaft furnace" in solutions and "Steelco" in solutions
    assert "Licence, Training" in solutions
    assert "Members&#x27; furnace" not in solutions and "Secret furnace" not in solutions
    assert "Calcined clay kiln" not in solutions
    assert "all at technology readiness level (TRL) 5" in solutions
    assert 'role="img"' in solutions  # the TRL distribution, drawn on the server

    plants = _section(page, "plants-heading")
    assert "3 industrial plants or projects" in plants
    assert "Operating: <strong>2</strong>" in plants and "Announced: <strong>1</strong>" in plants
    assert "Sweden: <strong>2</strong>" in plants and "India: <strong>1</strong>" in plants
    assert reverse("tracker:projects") + "?technology=h2-dri" in plants
    assert IndustrialProject.objects.get(name="Luleå DRI plant").get_absolute_url() in plants
    assert "Cement works" not in plants

    roadmaps = _section(page, "roadmaps-heading")
    assert "Swedish steel roadmap" in roadmaps
    assert "Technology by 2030:</strong> Scale up H2-DRI to 5 Mt" in roadmaps
    assert "Drive demand" not in roadmaps  # a lever of that roadmap on no technology
    assert "Old steel roadmap" not in roadmaps and "Cement roadmap" not in roadmaps

    needs = _section(page, "needs-heading")
    assert "H2-DRI pilot study" in needs and "Hydrogen supply plan" in needs
    assert "Kenya" in needs and "India" in needs and "Partly supported" in needs
    need = SupportRequest.objects.get(title="H2-DRI pilot study")
    assert reverse("partnerships:need", kwargs={"pk": need.pk}) in needs
    for absent in ("Met need", "Members&#x27; need", "Clay need"):
        assert absent not in needs

    projects = _section(page, "projects-heading")
    assert "Hydrogen shaft demo" in projects and "TRL 4 → 7" in projects and "Active" in projects
    assert "Members&#x27; demo" not in projects and "Clay demo" not in projects

    guidelines = _section(page, "guidelines-heading")
    assert "Safe hydrogen handling" in guidelines
    assert "Draft hydrogen guide" not in guidelines and "Clay guide" not in guidelines

    programmes = _section(page, "programmes-heading")
    assert "Green steel accelerator" in programmes and "next open call closes" in programmes
    assert "Cement incubator" not in programmes


def test_the_summary_counts_what_the_visitor_may_see(client, staff_user, world):
    def numbers(page):
        summary = _section(page, "summary-heading")
        return [
            int(part.split("</span>")[0]) for part in summary.split('class="numbers__value">')[1:]
        ]

    # solutions, plants, roadmaps, needs, projects, guidelines, programmes
    assert numbers(_page(client)) == [1, 3, 1, 2, 1, 1, 1]
    client.force_login(staff_user)
    assert numbers(_page(client)) == [3, 3, 1, 3, 2, 2, 1]


def test_staff_see_members_and_secretariat_records_marked_as_such(staff_client, world):
    page = _page(staff_client)

    solutions = _section(page, "solutions-heading")
    assert "Members&#x27; furnace" in solutions and "Secret furnace" in solutions
    assert "Visible to: Secretariat only" in solutions
    assert "from technology readiness level (TRL) 5 to 9" in solutions
    assert "Members&#x27; need" in _section(page, "needs-heading")
    assert "Members&#x27; demo" in _section(page, "projects-heading")
    assert "Draft hydrogen guide" in _section(page, "guidelines-heading")


def test_a_member_editor_sees_members_records_and_their_own_not_others_secret_ones(
    client, member_user, world
):
    TechnologySolutionFactory(
        name="Our own draft",
        technology=world["h2"],
        member=member_user.member,
        visibility="secretariat",
    )
    client.force_login(member_user)

    solutions = _section(_page(client), "solutions-heading")

    assert "Members&#x27; furnace" in solutions and "Our own draft" in solutions
    assert "Secret furnace" not in solutions


def test_a_technology_with_nothing_recorded_says_so_in_every_section(client):
    TechnologyFactory(name="Electrification of heat", slug="electrification")

    page = _page(client, "electrification")

    assert "No description of this technology is recorded yet." in page
    for sentence in (
        "No solution for Electrification of heat is recorded in the catalogue yet.",
        "No plant using Electrification of heat is recorded in the Industry Transition",
        "No current roadmap in the Industry Transition Tracker has a lever calling for "
        "Electrification of heat",
        "No open need for Electrification of heat is recorded on the needs board yet.",
        "No co-development project on Electrification of heat is recorded yet.",
        "No technical guideline on Electrification of heat is recorded yet.",
        "No innovation programme naming Electrification of heat is recorded yet.",
    ):
        assert sentence in page
    assert ">None<" not in page
    assert 'role="img"' not in _section(page, "solutions-heading")  # no empty chart


def test_an_unknown_technology_answers_404(client, world):
    response = client.get(reverse("technology:technology", kwargs={"slug": "cold-fusion"}))

    assert response.status_code == 404


def test_the_public_page_is_cached_and_shows_a_new_solution_at_once(client, world):
    assert "Second furnace" not in _page(client)
    with CaptureQueriesContext(connection) as cached:
        _page(client)
    assert len(cached) == 0

    TechnologySolutionFactory(name="Second furnace", technology=world["h2"], trl=6)

    assert "Second furnace" in _page(client)


def test_long_lists_show_the_first_records_and_link_to_the_rest(staff_client):
    h2 = TechnologyFactory(name=H2_DRI, slug="h2-dri")
    _records(h2, 25)

    page = _page(staff_client)

    assert "The 20 most mature are listed" in page
    assert "see all 25 in the catalogue" in page
    assert "See the other 5 in the Tracker" in page


def _records(technology: Technology, n: int) -> None:
    """``n`` records of every kind on ``technology``, some hidden from the public."""
    # A country of its own: the factory's next one could be a fixture's (one per country).
    partnership = Partnership.objects.filter(country="ZA").first() or PartnershipFactory(
        country="ZA", name="South Africa partnership"
    )
    roadmap_levers = [RoadmapFactory() for _ in range(n)]
    for i in range(n):
        hidden = Visibility.MEMBERS if i % 3 == 0 else Visibility.PUBLIC
        TechnologySolutionFactory(technology=technology, trl=1 + i % 9, visibility=hidden)
        IndustrialProjectFactory(technologies=[technology], country=["SE", "IN", "DE"][i % 3])
        RoadmapLeverFactory(
            roadmap=roadmap_levers[i], description=f"Build plant {i}", technologies=[technology]
        )
        TechnologyNeedFactory(partnership=partnership, technologies=[technology], visibility=hidden)
        CoDevelopmentProjectFactory(technology=technology, visibility=hidden)
        TechnicalGuidelineFactory(technologies=[technology], visibility=hidden)
        CallForProposalsFactory(programme=InnovationProgrammeFactory(technologies=[technology]))


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        _page(client)
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_query_count_is_flat_whatever_the_number_of_records(client, staff_user, signed_in):
    if signed_in:
        client.force_login(staff_user)
    h2 = TechnologyFactory(name=H2_DRI, slug="h2-dri")
    _records(h2, 3)
    few = _queries(client)

    _records(h2, 27)
    cache.clear()  # the anonymous page was cached with 3 records of each kind
    many = _queries(client)

    assert many == few
    assert "30 industrial plants or projects" in _page(client)


# --- The tracker admin keeps the catalogue's path words free ---------------------------


ADD_TECHNOLOGY = "/admin/tracker/technology/add/"


@pytest.mark.parametrize("slug", sorted(TECHNOLOGY_RESERVED_SLUGS))
def test_admin_refuses_a_technology_slug_the_catalogue_takes(staff_client, slug):
    response = staff_client.post(ADD_TECHNOLOGY, {"name": "Anything", "slug": slug})

    assert response.status_code == 200
    assert f"“{slug}” is taken by a page of the technology catalogue" in (response.content.decode())
    assert not Technology.objects.exists()


def test_admin_adds_a_technology_with_a_free_slug(staff_client):
    response = staff_client.post(ADD_TECHNOLOGY, {"name": "Green methanol", "slug": "methanol"})

    assert response.status_code == 302
    assert Technology.objects.get(slug="methanol").name == "Green methanol"


def test_every_fixed_catalogue_prefix_is_a_slug_no_technology_may_take():
    """A technology named like a prefix would hide its own page behind the catalogue's."""
    from technology.urls import urlpatterns

    prefixes = {
        str(pattern.pattern).split("/")[0].split(".")[0]
        for pattern in urlpatterns
        if str(pattern.pattern) and not str(pattern.pattern).startswith("<")
    }
    assert prefixes - {"calls"} <= TECHNOLOGY_RESERVED_SLUGS
