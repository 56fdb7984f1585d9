"""The home page: LeadIT in numbers (each app's, from the database), the coverage map, the
latest changes, events and briefs; the footer's privacy, accessibility and contact pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leadit.cache import invalidate
from leadit.home import HOME_CACHE_NAMESPACE
from members.models import Member
from tests.factories.members import CompanyMemberFactory, MemberFactory, SectorFactory
from tests.factories.tracker import IndustrialProjectFactory, RoadmapFactory, TargetFactory
from tracker.models import Roadmap

pytestmark = pytest.mark.django_db

COUNTRIES = ["SE", "IN", "DE", "BR", "ZA", "JP"]


def _numbers(page: str) -> dict[str, int]:
    found = re.findall(
        r'<span class="numbers__value">(\d+)</span> <span class="numbers__label">([^<]+)</span>',
        page,
    )
    return {label: int(value) for value, label in found}


def _world(size: int) -> None:
    steel = SectorFactory(name="Iron and steel", slug="steel")
    for index in range(size):
        code = COUNTRIES[index]
        MemberFactory(country=code, name=f"Member country {index}")
        CompanyMemberFactory(country=code, name=f"Member company {index}")
        roadmap = RoadmapFactory(country=code, sectors=[steel])
        TargetFactory(roadmap=roadmap)
        TargetFactory(roadmap=roadmap, target_year=2035)
        IndustrialProjectFactory(country=code, sector=steel)
    # Never counted: an invented member and roadmap, a prospective member, a superseded
    # roadmap's target.
    MemberFactory(country="FR", name="Invented member", is_demo=True)
    MemberFactory(country="FR", name="Prospective", status=Member.Status.PROSPECTIVE)
    RoadmapFactory(country="FR", is_demo=True)
    old = RoadmapFactory(country="SE", status=Roadmap.Status.SUPERSEDED)
    TargetFactory(roadmap=old)


def _home(client) -> str:
    invalidate(HOME_CACHE_NAMESPACE)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_home_shows_the_numbers_counted_from_the_database(client):
    _world(3)

    numbers = _numbers(_home(client))

    assert numbers == {
        "members: countries and companies": 6,
        "member countries": 3,
        "countries with a roadmap or target in the Tracker": 3,
        "industry transition roadmaps": 3,
        "targets recorded": 6,
        "steel plants and industrial projects": 3,
        # Partnerships register their numbers too (none in this world).
        "industry transition partnerships": 0,
        "open requests for support": 0,
        "million US dollars committed (agreed or delivered)": 0,
        "pipeline projects past financial close": 0,
        # And technology.
        "technology solutions": 0,
        "co-development projects under way": 0,
    }


def test_home_says_which_demo_records_its_numbers_leave_out(client):
    _world(1)

    page = _home(client)

    assert "1 demo member (invented) not counted." in page
    assert "1 demo record (invented) not counted." in page


def test_home_shows_the_coverage_map_with_its_key_and_the_latest_changes(client):
    _world(2)

    page = _home(client)

    assert re.search(r'<svg [^>]*class="chart chart--map"', page)
    assert 'class="map-key"' in page and "Roadmap for at least one sector" in page
    assert "Latest changes in the Tracker" in page
    assert "Next events" in page and "Latest briefs" in page


def test_home_query_count_does_not_grow_with_the_data(client):
    def queries(size: int) -> int:
        _world(size) if size == 1 else _grow()
        invalidate(HOME_CACHE_NAMESPACE)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    def _grow():
        steel = SectorFactory(name="Iron and steel", slug="steel")
        for code in COUNTRIES[1:]:
            MemberFactory(country=code)
            roadmap = RoadmapFactory(country=code, sectors=[steel])
            TargetFactory(roadmap=roadmap)
            for _ in range(3):
                IndustrialProjectFactory(country=code, sector=steel)

    small = queries(1)
    large = queries(6)

    assert small == large


def test_home_is_page_cached_and_a_change_shows_at_once(client):
    _world(1)
    _home(client)

    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    assert len(captured) == 0  # served from the page cache

    RoadmapFactory(country="IN")
    numbers = _numbers(client.get("/").content.decode())
    assert numbers["industry transition roadmaps"] == 2


FOOTER_PAGES = [
    ("privacy", "Privacy notice"),
    ("accessibility", "Accessibility statement"),
    ("contact", "Contact the secretariat"),
]


@pytest.mark.parametrize(("name", "heading"), FOOTER_PAGES)
def test_footer_links_to_the_page_which_answers_with_its_heading(client, name, heading):
    url = reverse(name)
    home = _home(client)
    footer = home[home.index('<footer class="site-footer">') :]
    assert f'href="{url}"' in footer

    response = client.get(url)

    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()
    assert "secretariat@leadit.example" in response.content.decode()


def test_privacy_notice_says_what_is_kept_why_how_long_and_how_to_leave(client):
    page = client.get(reverse("privacy")).content.decode()

    for heading in ["What we keep", "Why", "How long", "How to unsubscribe or have your data"]:
        assert heading in page


def test_accessibility_statement_names_its_target_limitations_and_how_to_report(client):
    page = client.get(reverse("accessibility")).content.decode()

    assert "WCAG" in page and "2.1" in page and "level AA" in page
    assert "Known limitations" in page and "Report a problem" in page


def test_newsletter_sign_up_form_links_the_privacy_notice(client):
    page = client.get(reverse("publications:subscribe")).content.decode()

    form = page[page.index('<form method="post"') : page.index("</form>")]
    assert f'href="{reverse("privacy")}#newsletter"' in form


def test_header_has_the_svg_wordmark_and_no_letter_circle(client):
    page = _home(client)

    assert re.search(r'<svg class="brand__wordmark"[^>]*role="img"', page)
    assert '<title id="brand-wordmark-title">LeadIT</title>' in page
    assert "brand__mark" not in page
    assert "style=" not in page


@pytest.mark.django_db
def test_a_bulk_import_of_plants_shows_on_the_home_page_at_once(
    client, django_capture_on_commit_callbacks
):
    from tracker.gem_import import GEM_SUBSET_FILE, gem_import

    before = client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        gem_import(path=GEM_SUBSET_FILE)

    after = client.get("/").content.decode()

    assert ">468<" not in before
    assert ">468<" in after
