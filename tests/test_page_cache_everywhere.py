"""Every anonymous public page is served from the page cache (``leadit.cache``) and made
stale by any change to what it shows (issue 13, item 13).

For each namespace: the second anonymous request of each URL reads nothing from the
database, and an edit of the underlying data shows on the very next request. Then the
pages of other apps that show the same data, and a walk of the URLconf: a public page that
is not cached must be on the list of exceptions below, with its reason.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from leadit.access import Access, access_of
from publications.models import Publication
from summits.models import Event
from tests.factories.members import (
    EditorFactory,
    ImpactStoryFactory,
    MemberFactory,
    PublishedUpdateFactory,
)
from tests.factories.publications import BriefFactory
from tests.factories.summits import EventFactory, RegistrationFactory, WorkingGroupFactory
from tests.factories.tracker import RoadmapFactory
from tests.factories.workplan import (
    ActivityFactory,
    ImpactPathwayFactory,
    ObjectiveFactory,
    WorkplanFactory,
)

pytestmark = pytest.mark.django_db


def _cached_twice(client, url: str, django_assert_num_queries):
    """The page rendered, then served from the cache with no query; returns it."""
    first = client.get(url)
    assert first.status_code == 200, url
    client.cookies.pop("sessionid", None)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content, url
    return second


def _rendered_again(client, url: str, django_assert_num_queries) -> bool:
    """Whether the next request renders the page (reads the database) instead of a hit."""
    try:
        with django_assert_num_queries(0):
            client.get(url)
    except pytest.fail.Exception:
        return True
    return False


def _text(response) -> str:
    return response.content.decode(errors="replace")


# --- members ---------------------------------------------------------------------------------


@pytest.fixture
def member(db):
    member = MemberFactory(name="Aurora Steelworks", slug="aurora")
    PublishedUpdateFactory(member=member, title="First furnace converted")
    ImpactStoryFactory(member=member, title="A story", is_published=True)
    return member


MEMBER_URLS = ["/members/", "/members/?kind=country", "/members/aurora/", "/members/export.csv"]


@pytest.mark.parametrize("url", MEMBER_URLS)
def test_member_pages_are_cached_and_an_edit_shows_at_once(
    client, member, url, django_assert_num_queries
):
    assert "Aurora Steelworks" in _text(_cached_twice(client, url, django_assert_num_queries))

    member.name = "Borealis Steel"
    member.save()

    after = _text(client.get(url))
    assert "Borealis Steel" in after and "Aurora Steelworks" not in after


def test_a_new_progress_update_shows_on_the_cached_profile(
    client, member, django_assert_num_queries
):
    _cached_twice(client, "/members/aurora/", django_assert_num_queries)

    PublishedUpdateFactory(member=member, title="Second furnace converted")

    assert "Second furnace converted" in _text(client.get("/members/aurora/"))


def test_a_new_roadmap_shows_on_the_cached_profile_of_its_country(
    client, member, django_assert_num_queries
):
    _cached_twice(client, "/members/aurora/", django_assert_num_queries)

    RoadmapFactory(country="SE", scope="national", title="Swedish steel roadmap")

    assert "Swedish steel roadmap" in _text(client.get("/members/aurora/"))


# --- events ----------------------------------------------------------------------------------


@pytest.fixture
def event(db):
    group = WorkingGroupFactory(name="Green steel group", slug="green-steel")
    return EventFactory(title="Steel summit", slug="steel-summit", working_group=group)


EVENT_URLS = [
    "/events/",
    "/events/?utm_source=newsletter",
    "/events/steel-summit/",
    "/events/steel-summit.ics",
    "/events/calendar.ics",
    "/events/working-groups/",
    "/events/working-groups/green-steel/",
]


@pytest.mark.parametrize("url", EVENT_URLS)
def test_event_pages_are_cached_and_an_edit_shows_at_once(
    client, event, url, django_assert_num_queries
):
    before = _text(_cached_twice(client, url, django_assert_num_queries))

    event.title = "Renamed summit"
    event.save()
    group = event.working_group
    group.name = "Renamed group"
    group.save()

    after = _text(client.get(url))
    assert after != before
    assert "Renamed summit" in after or "Renamed group" in after
    assert "Steel summit" not in after


def test_a_registration_makes_the_cached_event_page_stale(client, event, django_assert_num_queries):
    """The page counts the places left."""
    event.capacity = 10
    event.save()
    _cached_twice(client, "/events/steel-summit/", django_assert_num_queries)

    RegistrationFactory(event=event)

    assert _rendered_again(client, "/events/steel-summit/", django_assert_num_queries)


def test_a_member_renamed_shows_on_the_cached_event_that_it_hosts(
    client, event, django_assert_num_queries
):
    host = MemberFactory(name="Host Country Agency")
    event.host_members.set([host])
    _cached_twice(client, "/events/steel-summit/", django_assert_num_queries)

    host.name = "Renamed Host Agency"
    host.save()

    assert "Renamed Host Agency" in _text(client.get("/events/steel-summit/"))


def test_members_only_events_are_never_in_what_anonymous_visitors_get(client, event):
    EventFactory(title="Members-only board meeting", visibility=Event.Visibility.MEMBERS)
    client.get("/events/")

    anonymous = _text(client.get("/events/"))
    client.force_login(EditorFactory())
    as_member = _text(client.get("/events/"))
    client.logout()

    assert "Members-only board meeting" not in anonymous
    assert "Members-only board meeting" in as_member
    assert "Members-only board meeting" not in _text(client.get("/events/"))


def test_event_pages_are_cached_for_a_few_minutes_only():
    """Upcoming/past and open registration change with the clock, which sends no signal."""
    from summits.signals import PAGE_SECONDS
    from summits.views.public import event_list

    assert event_list.page_cache_namespace == "events"
    assert PAGE_SECONDS <= 5 * 60


# --- workplan --------------------------------------------------------------------------------


@pytest.fixture
def workplan(db):
    workplan = WorkplanFactory(title="Workplan of the Lead", slug="lead-plan")
    objective = ObjectiveFactory(workplan=workplan, short_title="Cut emissions")
    group = ImpactPathwayFactory(workplan=workplan).groups.create(title="Group A", order=1)
    ActivityFactory(group=group, title="Steel dialogue", objectives=[objective])
    return workplan


WORKPLAN_URLS = [
    "/workplan/",
    "/workplan/lead-plan/",
    "/workplan/lead-plan/matrix/",
    "/workplan/lead-plan/matrix.xlsx",
    "/workplan/lead-plan/matrix.pdf",
]


@pytest.mark.parametrize("url", WORKPLAN_URLS)
def test_workplan_pages_are_cached_and_an_edit_shows_at_once(
    client, workplan, url, django_assert_num_queries
):
    before = _cached_twice(client, url, django_assert_num_queries).content

    workplan.title = "Renamed workplan"
    workplan.save()
    activity = workplan.pathways.get().groups.get().activities.get()
    activity.title = "Renamed dialogue"
    activity.save()

    after = client.get(url)
    assert after.status_code == 200
    assert after.content != before
    if after["Content-Type"].startswith("text/html"):
        assert "Renamed workplan" in _text(after)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda: MemberFactory(), id="a member"),
        pytest.param(lambda: PublishedUpdateFactory(), id="a progress update"),
        pytest.param(lambda: EventFactory(), id="an event"),
        pytest.param(lambda: RoadmapFactory(), id="a roadmap"),
        pytest.param(
            lambda: BriefFactory(status=Publication.Status.PUBLISHED), id="a brief (higher app)"
        ),
    ],
)
def test_what_the_workplan_metrics_count_makes_its_cached_pages_stale(
    client, workplan, edit, django_assert_num_queries
):
    _cached_twice(client, "/workplan/lead-plan/", django_assert_num_queries)

    edit()

    assert _rendered_again(client, "/workplan/lead-plan/", django_assert_num_queries)


def test_a_matrix_mark_shows_at_once(client, workplan, django_assert_num_queries):
    _cached_twice(client, "/workplan/lead-plan/matrix/", django_assert_num_queries)
    activity = workplan.pathways.get().groups.get().activities.get()

    activity.objectives.clear()

    assert "matrix__cell--on" not in _text(client.get("/workplan/lead-plan/matrix/"))


def test_staff_never_get_the_anonymous_page(staff_client, workplan):
    WorkplanFactory(title="Draft plan", slug="draft-plan", status="draft")
    staff_client.logout()
    staff_client.get("/workplan/")
    assert "Draft plan" not in _text(staff_client.get("/workplan/"))


# --- pages without data of their own --------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/privacy/",
        "/accessibility/",
        "/contact/",
        "/publications/",
        "/publications/newsletter/subscribe/check-your-inbox/",
    ],
)
def test_other_public_pages_are_cached(client, url, django_assert_num_queries):
    _cached_twice(client, url, django_assert_num_queries)


def test_the_home_page_shows_a_new_member_at_once(client, django_assert_num_queries):
    MemberFactory(status="active")
    _cached_twice(client, "/", django_assert_num_queries)

    MemberFactory(status="active", name="Another member")

    assert _rendered_again(client, "/", django_assert_num_queries)


def test_a_publication_page_is_cached_and_an_edit_shows_at_once(client, django_assert_num_queries):
    brief = BriefFactory(
        title="Green steel brief", slug="green-brief", status=Publication.Status.PUBLISHED
    )
    brief.published_on = timezone.localdate()
    brief.save()
    assert "Green steel brief" in _text(
        _cached_twice(client, "/publications/green-brief/", django_assert_num_queries)
    )

    brief.title = "Renamed brief"
    brief.save()

    assert "Renamed brief" in _text(client.get("/publications/green-brief/"))


# --- every public page -----------------------------------------------------------------------

OUR_PACKAGES = ("leadit", "tracker", "members", "partnerships", "technology", "summits")
OUR_PACKAGES += ("workplan", "publications", "bench")

# Public URLs that are not page-cached, and why.
NOT_CACHED = {
    "healthz": "answers the state of the database, cache and broker now",
    "media": "files, served by their own view",
    "members:invitation": "a personal invitation key",
    "members:milestone_pdf": "a file download: the latest rendered progress report PDF",
    "partnerships:invitation": "a personal invitation key",
    "summits:document": "a file download (streamed), checked against the event's visibility",
    "publications:pdf": "a streamed PDF with its own ETag and Cache-Control",
    "publications:subscribe": "a form with a CSRF token",
    "publications:confirm_subscription": "a personal token; a form",
    "publications:unsubscribe": "a personal token; a form",
    "mail_opt_out": "a personal token; a form",
    "technology:guideline_download": "a file download, checked against the guideline's visibility",
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.callback


def test_every_public_page_of_ours_is_page_cached():
    uncached = sorted(
        name
        for name, callback in _walk(get_resolver().url_patterns)
        if access_of(name, callback) == Access.PUBLIC
        and callback.__module__.split(".")[0] in OUR_PACKAGES
        and not hasattr(callback, "page_cache_namespace")
        and name not in NOT_CACHED
    )
    assert uncached == []
