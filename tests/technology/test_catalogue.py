"""The solution catalogue /technology/: each filter narrows it, the facets count what each
choice would give, a value it cannot apply is ignored and said, members' and secretariat
solutions never reach the public (nor a cached page), and the page reads as many queries
for 3 solutions as for 30."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from technology.models import TechnologySolution, Visibility
from tests.factories.members import EditorFactory, MemberFactory, SectorFactory
from tests.factories.partnerships import PartnerInstitutionFactory
from tests.factories.technology import SolutionCountryFactory, TechnologySolutionFactory
from tests.factories.tracker import TechnologyFactory
from tests.factories.users import StaffFactory
from tracker.models import Sector, Technology

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("technology:index")


@pytest.fixture
def world():
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement", slug="cement")
    dri = TechnologyFactory(name="H2-DRI", slug="h2-dri")
    clay = TechnologyFactory(name="Calcined clay", slug="calcined-clay")
    steelco = MemberFactory(name="Steelco", slug="steelco")
    institute = PartnerInstitutionFactory(name="Clay Research Institute", slug="clay-institute")
    shaft = TechnologySolutionFactory(
        member=steelco,
        name="Hydrogen shaft furnace",
        technology=dri,
        trl=8,
        sectors=[steel],
        offers_licence=True,
        offers_training=True,
        summary="Direct reduction of iron ore with green hydrogen.",
    )
    SolutionCountryFactory(solution=shaft, country="IN")
    SolutionCountryFactory(solution=shaft, country="BR")
    kiln = TechnologySolutionFactory(
        member=None,
        institution=institute,
        name="Flash calciner",
        technology=clay,
        trl=5,
        sectors=[cement],
        offers_licence=False,
        offers_co_development=True,
        available_worldwide=True,
        is_demo=True,
        summary="Calcines clay for low-clinker cement.",
    )
    pilot = TechnologySolutionFactory(
        member=steelco,
        name="Electrolyser pilot",
        technology=dri,
        trl=4,
        sectors=[steel, cement],
        offers_licence=False,
        offers_demonstration=True,
        summary="A pilot line.",
    )
    SolutionCountryFactory(solution=pilot, country="KE")
    members_only = TechnologySolutionFactory(
        member=steelco,
        name="Members-only furnace",
        technology=dri,
        trl=9,
        sectors=[steel],
        visibility=Visibility.MEMBERS,
        available_worldwide=True,
    )
    secretariat = TechnologySolutionFactory(
        name="Secretariat-only kiln",
        technology=clay,
        trl=6,
        visibility=Visibility.SECRETARIAT,
        available_worldwide=True,
    )
    return {
        "shaft": shaft,
        "kiln": kiln,
        "pilot": pilot,
        "members_only": members_only,
        "secretariat": secretariat,
        "steelco": steelco,
    }


def _names(response) -> list[str]:
    return sorted(solution.name for solution in response.context["solutions"])


def _facet(response, name: str) -> dict[str, int]:
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {option.value: option.count for option in facet.options if option.count}


def test_the_public_sees_public_solutions_with_what_each_card_says(client, world):
    response = client.get(CATALOGUE)
    assert _names(response) == ["Electrolyser pilot", "Flash calciner", "Hydrogen shaft furnace"]
    content = response.content.decode()
    assert "3 solutions" in content
    assert "Members-only furnace" not in content
    assert "Secretariat-only kiln" not in content
    assert "TRL 8 of 9" in content
    assert "First of a kind commercial" in content
    assert "Clay Research Institute" in content
    assert "Demo record (invented)" in content
    assert "Worldwide" in content
    assert "India, Brazil" in content or "Brazil, India" in content
    assert "Co-development" in content and "Training" in content


def test_facets_count_public_solutions_only(client, world):
    response = client.get(CATALOGUE)
    assert _facet(response, "sector") == {"steel": 2, "cement": 2}
    assert _facet(response, "technology") == {"h2-dri": 2, "calcined-clay": 1}
    assert _facet(response, "offer") == {
        "licence": 1,
        "training": 1,
        "co_development": 1,
        "demonstration": 1,
    }
    # The worldwide calciner is available everywhere a solution names.
    assert _facet(response, "country") == {"IN": 2, "BR": 2, "KE": 2}
    # TRL at least 5: the shaft furnace (8) and the calciner (5).
    assert _facet(response, "trl_min")["5"] == 2
    assert _facet(response, "trl_max")["5"] == 2


def test_facet_counts_keep_the_other_filters(client, world):
    response = client.get(f"{CATALOGUE}?technology=h2-dri&trl_min=5")
    assert _names(response) == ["Hydrogen shaft furnace"]
    # Counts for each technology keep trl_min=5; counts for each level keep h2-dri.
    assert _facet(response, "technology") == {"h2-dri": 1, "calcined-clay": 1}
    assert _facet(response, "trl_min") == {str(level): 2 for level in range(1, 5)} | {
        str(level): 1 for level in range(5, 9)
    }
    assert _facet(response, "trl_max") == {"8": 1, "9": 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sector=steel", ["Electrolyser pilot", "Hydrogen shaft furnace"]),
        ("sector=CEMENT", ["Electrolyser pilot", "Flash calciner"]),
        ("technology=calcined-clay", ["Flash calciner"]),
        ("trl_min=5", ["Flash calciner", "Hydrogen shaft furnace"]),
        ("trl_max=5", ["Electrolyser pilot", "Flash calciner"]),
        ("trl_min=5&trl_max=7", ["Flash calciner"]),
        ("offer=licence", ["Hydrogen shaft furnace"]),
        ("offer=demonstration", ["Electrolyser pilot"]),
        ("country=in", ["Flash calciner", "Hydrogen shaft furnace"]),
        ("country=KE", ["Electrolyser pilot", "Flash calciner"]),
        ("country=SE", ["Flash calciner"]),
        ("q=green+hydrogen", ["Hydrogen shaft furnace"]),
        ("q=clay+research", ["Flash calciner"]),
        ("q=steelco", ["Electrolyser pilot", "Hydrogen shaft furnace"]),
    ],
)
def test_each_filter_narrows_the_catalogue(client, world, query, expected):
    assert _names(client.get(f"{CATALOGUE}?{query}")) == expected


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("name", "Electrolyser pilot"),
        ("-trl", "Hydrogen shaft furnace"),
        ("trl", "Electrolyser pilot"),
    ],
)
def test_the_order_is_the_one_asked_for(client, world, sort, first):
    assert client.get(f"{CATALOGUE}?sort={sort}").context["solutions"][0].name == first


def test_recently_updated_first(client, world):
    world["kiln"].summary = "Calcines clay, now faster."
    world["kiln"].save()
    response = client.get(f"{CATALOGUE}?sort=-updated")
    assert response.context["solutions"][0].name == "Flash calciner"


def test_a_trl_outside_1_to_9_is_ignored_and_said(client, world):
    response = client.get(f"{CATALOGUE}?trl_min=0&trl_max=12&offer=spaceflight&sort=price")
    content = response.content.decode()
    assert len(response.context["solutions"]) == 3
    assert "TRL at least: “0” is not a level from 1 to 9" in content
    assert "TRL at most: “12” is not a level from 1 to 9" in content
    assert "What is offered: “spaceflight” is not one of the choices" in content
    assert "Sort by: “price” is not a known order, so solutions are sorted by name" in content
    assert response.context["active_filters"] == []


def test_filters_in_use_are_named_with_a_link_that_removes_them(client, world):
    response = client.get(f"{CATALOGUE}?trl_min=6&country=in&offer=licence")
    shown = [(f["label"], f["value"]) for f in response.context["active_filters"]]
    assert shown == [
        ("TRL at least", "TRL 6"),
        ("What is offered", "Licence"),
        ("Available in", "India"),
    ]
    assert response.context["active_filters"][0]["remove_url"] == ("?offer=licence&country=in")


def test_a_members_editor_sees_their_own_hidden_solutions_and_staff_see_all(client, world):
    client.force_login(EditorFactory(member=world["steelco"]))
    names = _names(client.get(CATALOGUE))
    assert "Members-only furnace" in names
    assert "Secretariat-only kiln" not in names
    client.force_login(StaffFactory())
    assert "Secretariat-only kiln" in _names(client.get(CATALOGUE))


def test_the_public_never_gets_the_catalogue_rendered_for_members(client, world):
    client.force_login(EditorFactory())  # another member's editor: members' level
    assert "Members-only furnace" in client.get(f"{CATALOGUE}?nocache=1").content.decode()
    client.logout()
    content = client.get(f"{CATALOGUE}?nocache=2").content.decode()
    assert "Members-only furnace" not in content
    assert "3 solutions" in content


def _rendered(response) -> bool:
    return "technology/catalogue_body.html" in [t.name for t in response.templates]


def test_nocache_reuses_the_rendered_catalogue_and_an_edit_shows_at_once(client, world):
    assert _rendered(client.get(f"{CATALOGUE}?offer=licence&utm_source=a"))
    again = client.get(f"{CATALOGUE}?offer=licence&nocache=1")
    assert not _rendered(again)
    assert "Hydrogen shaft furnace" in again.content.decode()
    assert "nocache" not in again.content.decode()
    world["shaft"].name = "Hydrogen shaft furnace II"
    world["shaft"].save()
    content = client.get(f"{CATALOGUE}?offer=licence&nocache=2").content.decode()
    assert "Hydrogen shaft furnace II" in content


def many_solutions(count: int) -> None:
    """``count`` public solutions from members and institutions, each in two sectors and
    two countries (bulk-inserted: the factories would take longer than the test)."""
    steel = Sector.objects.get_or_create(slug="steel", defaults={"name": "Iron and steel"})[0]
    cement = Sector.objects.get_or_create(slug="cement", defaults={"name": "Cement"})[0]
    technology = Technology.objects.get_or_create(slug="h2-dri", defaults={"name": "H2-DRI"})[0]
    providers = [{"member": MemberFactory()}, {"institution": PartnerInstitutionFactory()}]
    solutions = TechnologySolution.objects.bulk_create(
        TechnologySolution(
            name=f"Solution {n}",
            slug=f"bulk-{count}-{n}",
            technology=technology,
            trl=1 + n % 9,
            summary="A solution.",
            offers_licence=n % 2 == 0,
            offers_training=n % 3 == 0,
            available_worldwide=n % 4 == 0,
            is_demo=True,
            **providers[n % 2],
        )
        for n in range(count)
    )
    through = TechnologySolution.sectors.through
    through.objects.bulk_create(
        through(technologysolution=solution, sector=sector)
        for solution in solutions
        for sector in (steel, cement)
    )
    countries = TechnologySolution.countries.rel.related_model
    countries.objects.bulk_create(
        countries(solution=solution, country=code)
        for solution in solutions
        for code in ("IN", "KE")
    )


def _queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query", ["", "?sector=steel&technology=h2-dri&trl_min=2&offer=licence&country=ke&sort=-trl"]
)
def test_the_catalogue_reads_as_many_queries_for_3_and_30_solutions(client, query):
    many_solutions(3)
    few = _queries(client, CATALOGUE + query)
    TechnologySolution.objects.all().delete()
    many_solutions(30)
    assert _queries(client, CATALOGUE + query) == few


def test_a_members_editor_reads_as_many_queries_for_3_and_30_solutions(client):
    client.force_login(EditorFactory())
    many_solutions(3)
    few = _queries(client, CATALOGUE)
    TechnologySolution.objects.all().delete()
    many_solutions(30)
    assert _queries(client, CATALOGUE) == few
