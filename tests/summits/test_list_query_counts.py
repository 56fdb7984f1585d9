"""The events lists take as many queries for a handful of events, groups and members as for
many: /events/ as each kind of visitor sees it (filtered or not), the calendar feed, the
working groups and a working group's page."""

import datetime
from itertools import cycle

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from summits.models import Event, WorkingGroup
from tests.factories.members import EditorFactory, MemberFactory
from tests.factories.summits import (
    EventDocumentFactory,
    EventFactory,
    EventKindFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db

GROUP = "financing"


def _query_count(client, url: str) -> tuple[int, str]:
    """Queries of one rendering of ``url`` (never a page-cache hit) and the page's text."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.fixture
def group():
    convenor = MemberFactory(name="Convenor Country")
    return WorkingGroupFactory(name="Financing", slug=GROUP, convenor=convenor)


def _grow(group: WorkingGroup, n: int) -> None:
    """``n`` more events of every visibility and kind, half of them past, each with a host,
    a document and a registration; ``n`` more members of the working group and another
    group with a member of its own."""
    kinds = [EventKindFactory() for _ in range(3)]
    visibilities = cycle(Event.Visibility.values)
    now = timezone.now().replace(microsecond=0)
    for i, kind in zip(range(n), cycle(kinds), strict=False):
        start = now + datetime.timedelta(days=(i + 1) * 40 * (1 if i % 2 else -1))
        event = EventFactory(
            kind=kind,
            start=start,
            visibility=next(visibilities),
            working_group=group,
            host_members=[MemberFactory()],
        )
        EventDocumentFactory(event=event)
        RegistrationFactory(event=event)
    group.members.add(*[MemberFactory() for _ in range(n)])
    WorkingGroupFactory(convenor=MemberFactory(), members=[MemberFactory()])


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/events/", "anonymous"),
        ("/events/", "editor"),
        ("/events/", "staff"),
        ("/events/?kind=nope&year=20x1", "staff"),
        ("/events/calendar.ics", "anonymous"),
        ("/events/working-groups/", "anonymous"),
        (f"/events/working-groups/{GROUP}/", "anonymous"),
        (f"/events/working-groups/{GROUP}/", "editor"),
    ],
)
def test_events_lists_query_count_is_the_same_at_3_and_15_events(
    client, group, url, who, staff_user
):
    if who == "editor":
        client.force_login(EditorFactory())
    elif who == "staff":
        client.force_login(staff_user)
    _grow(group, 3)
    small, small_page = _query_count(client, url)
    _grow(group, 12)

    large, large_page = _query_count(client, url)

    assert Event.objects.count() == 15
    assert len(large_page) > len(small_page)  # the larger data is on the page
    assert large == small


def test_event_list_filtered_by_kind_and_year_query_count_does_not_grow(client, group):
    _grow(group, 3)
    summit = EventKindFactory(name="Leadership summit", slug="leadership-summit")
    year = timezone.now().year + 3
    EventFactory(kind=summit, start=datetime.datetime(year, 6, 1, tzinfo=datetime.UTC))
    url = f"/events/?kind=leadership-summit&year={year}"
    small, _ = _query_count(client, url)
    for day in range(1, 12):
        EventFactory(kind=summit, start=datetime.datetime(year, 7, day, tzinfo=datetime.UTC))
    _grow(group, 6)

    large, page = _query_count(client, url)

    assert page.count('class="event-item__title"') == 12
    assert large == small
