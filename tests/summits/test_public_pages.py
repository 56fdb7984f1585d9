"""The events pages as each kind of visitor sees them: /events/, an event, its documents,
and the working groups."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from summits.models import Event, EventDocument
from tests.factories.members import EditorFactory, MemberFactory
from tests.factories.summits import (
    BoardKindFactory,
    EventDocumentFactory,
    EventFactory,
    EventKindFactory,
    PastEventFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db

MEMBERS = Event.Visibility.MEMBERS
STAFF = Event.Visibility.STAFF


def _titles(response, section):
    return [event.title for event in response.context[section]]


def _days(n):
    return timezone.now() + datetime.timedelta(days=n)


# --- /events/ ---------------------------------------------------------------------------


def test_event_list_separates_upcoming_soonest_first_and_past_newest_first(client):
    EventFactory(title="Later", start=_days(40))
    EventFactory(title="Sooner", start=_days(5))
    PastEventFactory(title="Long ago", start=_days(-300))
    PastEventFactory(title="Recently", start=_days(-20))

    response = client.get(reverse("summits:index"))

    assert _titles(response, "upcoming") == ["Sooner", "Later"]
    assert _titles(response, "past") == ["Recently", "Long ago"]
    assert "4 events</strong>: 2 upcoming, 2 past." in response.content.decode()


def test_event_list_shows_dates_in_the_event_time_zone_with_its_name(client):
    start = datetime.datetime(2031, 3, 11, 1, 0, tzinfo=datetime.UTC)
    EventFactory(
        title="Tokyo dialogue",
        start=start,
        end=start + datetime.timedelta(hours=2),
        time_zone="Asia/Tokyo",
    )

    html = client.get(reverse("summits:index")).content.decode()

    assert "11 March 2031, 10:00</time>–<time" in html
    assert ">12:00</time>" in html
    assert "(Asia/Tokyo time)" in html


def test_event_list_filters_by_kind_and_year_with_counts(client):
    summit = EventKindFactory(name="Leadership summit", slug="leadership-summit")
    workshop = EventKindFactory(name="Workshop", slug="workshop")
    EventFactory(
        title="Summit 2031", kind=summit, start=datetime.datetime(2031, 11, 10, tzinfo=datetime.UTC)
    )
    EventFactory(
        title="Summit 2032", kind=summit, start=datetime.datetime(2032, 11, 10, tzinfo=datetime.UTC)
    )
    EventFactory(
        title="Workshop 2031",
        kind=workshop,
        start=datetime.datetime(2031, 5, 10, tzinfo=datetime.UTC),
    )

    response = client.get(reverse("summits:index"), {"kind": "leadership-summit", "year": "2031"})

    assert _titles(response, "upcoming") == ["Summit 2031"]
    html = response.content.decode()
    # With the year kept, "Workshop" would show 1; with the kind kept, 2032 would show 1.
    assert '<option value="workshop">Workshop (1)</option>' in html
    assert '<option value="leadership-summit" selected>Leadership summit (1)</option>' in html
    assert '<option value="2032">2032 (1)</option>' in html
    assert [f["value"] for f in response.context["active_filters"]] == ["Leadership summit", "2031"]
    assert "Kind: Leadership summit" in html


def test_event_list_ignores_unknown_filter_values_with_a_note(client):
    EventFactory(title="Still shown")

    response = client.get(reverse("summits:index"), {"kind": "no-such-kind", "year": "next"})

    assert _titles(response, "upcoming") == ["Still shown"]
    html = response.content.decode()
    assert "Kind: “no-such-kind” is not one of the choices" in html
    assert "Year: “next” is not one of the choices" in html


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", ["Public event"]),
        ("member", ["Public event", "Members event"]),
        ("staff", ["Public event", "Members event", "Staff event"]),
    ],
)
def test_event_list_shows_each_visitor_what_they_may_see(client, who, expected, staff_user):
    EventFactory(title="Public event", start=_days(1))
    EventFactory(title="Members event", start=_days(2), visibility=MEMBERS)
    EventFactory(title="Staff event", start=_days(3), visibility=STAFF)
    if who == "member":
        client.force_login(EditorFactory())
    elif who == "staff":
        client.force_login(staff_user)

    response = client.get(reverse("summits:index"))

    assert _titles(response, "upcoming") == expected


def test_event_list_labels_non_public_events_for_staff(staff_client):
    EventFactory(title="Staff event", visibility=STAFF)

    html = staff_client.get(reverse("summits:index")).content.decode()

    assert '<span class="tag">Secretariat only</span>' in html


def test_event_list_hides_members_events_from_a_user_without_a_member(client):
    from tests.factories.users import UserFactory

    EventFactory(title="Members event", visibility=MEMBERS)
    client.force_login(UserFactory())

    assert _titles(client.get(reverse("summits:index")), "upcoming") == []


# --- one event --------------------------------------------------------------------------


def test_event_detail_shows_the_details(client):
    host = MemberFactory(name="Sweden")
    announced = MemberFactory(name="India")
    group = WorkingGroupFactory(name="Green hydrogen")
    event = EventFactory(
        title="Leadership Summit 2031",
        kind=EventKindFactory(name="Leadership summit"),
        location="Belém",
        partners="UNIDO",
        working_group=group,
        description="A **summit**.",
        host_members=[host],
        announced_members=[announced],
    )

    response = client.get(event.get_absolute_url())

    html = response.content.decode()
    assert "<h1>Leadership Summit 2031</h1>" in html
    assert "Leadership summit" in html and "Belém" in html and "UNIDO" in html
    assert "<strong>summit</strong>" in html
    assert f'href="{host.get_absolute_url()}">Sweden</a>' in html
    assert f'href="{announced.get_absolute_url()}">India</a>' in html
    assert "Green hydrogen" in html
    assert reverse("summits:event_ics", args=[event.slug]) in html
    assert "(Europe/Stockholm time)" in html
    assert '<li><a href="/events/">Events</a></li>' in html


def test_event_detail_staff_event_is_404_for_anonymous_and_member_users(client, member_user):
    event = EventFactory(visibility=STAFF)

    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(member_user)
    assert client.get(event.get_absolute_url()).status_code == 404


def test_event_detail_members_event_is_404_for_anonymous_and_200_for_a_member_editor(
    client, member_user
):
    event = EventFactory(visibility=MEMBERS)

    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(member_user)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_event_detail_shows_the_online_link_only_to_registered_members_and_staff(
    client, member_user, staff_user
):
    event = EventFactory(format=Event.Format.HYBRID, online_link="https://meet.example/secret")
    registered = EditorFactory()
    RegistrationFactory(event=event, member=registered.member)
    cancelled = EditorFactory()
    RegistrationFactory(event=event, member=cancelled.member, status="cancelled")

    def sees_link(user):
        if user:
            client.force_login(user)
        return (
            "https://meet.example/secret" in client.get(event.get_absolute_url()).content.decode()
        )

    assert not sees_link(None)
    assert not sees_link(member_user)
    assert not sees_link(cancelled)
    assert sees_link(registered)
    assert sees_link(staff_user)


def test_event_detail_lists_documents_by_visibility(client, member_user, staff_user):
    event = EventFactory()
    for visibility in ("public", "members", "staff"):
        EventDocumentFactory(event=event, title=f"{visibility} doc", visibility=visibility)

    def titles():
        return sorted(d.title for d in client.get(event.get_absolute_url()).context["documents"])

    assert titles() == ["public doc"]
    client.force_login(member_user)
    assert titles() == ["members doc", "public doc"]
    client.force_login(staff_user)
    assert titles() == ["members doc", "public doc", "staff doc"]


def test_event_detail_shows_document_deadline_states_to_staff_only(client, staff_client):
    start = timezone.now() + datetime.timedelta(days=3)
    event = EventFactory(
        kind=BoardKindFactory(), start=start, end=start + datetime.timedelta(hours=2)
    )

    html = staff_client.get(event.get_absolute_url()).content.decode()

    assert "Document deadlines" in html
    assert '<th scope="row">Agenda</th>' in html
    assert '<span class="deadline deadline--late">Late</span>' in html  # due 7 days before
    assert '<span class="deadline deadline--due">Due</span>' in html  # minutes
    client.logout()
    assert "Document deadlines" not in client.get(event.get_absolute_url()).content.decode()


def test_event_detail_unknown_slug_is_404(client):
    assert client.get(reverse("summits:detail", args=["no-such-event"])).status_code == 404


# --- documents --------------------------------------------------------------------------


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_event_document_serves_a_file_as_an_attachment(client, _media):
    document = EventDocumentFactory(
        link="", file=ContentFile(b"%PDF-1.4 agenda", name="agenda.pdf"), visibility="public"
    )

    response = client.get(reverse("summits:document", args=[document.event.slug, document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "agenda" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 agenda"


def test_event_document_redirects_to_a_link(client):
    document = EventDocumentFactory(link="https://docs.example.org/minutes", visibility="public")

    response = client.get(reverse("summits:document", args=[document.event.slug, document.pk]))

    assert response.status_code == 302
    assert response["Location"] == "https://docs.example.org/minutes"


@pytest.mark.parametrize(
    ("event_visibility", "document_visibility", "who", "status"),
    [
        ("public", "members", "anonymous", 404),
        ("public", "members", "member", 302),
        ("public", "staff", "member", 404),
        ("public", "staff", "staff", 302),
        ("members", "public", "anonymous", 404),  # the event itself is hidden
        ("staff", "public", "member", 404),
        ("staff", "public", "staff", 302),
    ],
)
def test_event_document_needs_both_event_and_document_visible(
    client, member_user, staff_user, event_visibility, document_visibility, who, status
):
    document = EventDocumentFactory(
        event=EventFactory(visibility=event_visibility), visibility=document_visibility
    )
    if who == "member":
        client.force_login(member_user)
    elif who == "staff":
        client.force_login(staff_user)

    response = client.get(reverse("summits:document", args=[document.event.slug, document.pk]))

    assert response.status_code == status


def test_event_document_of_another_event_is_404(client):
    document = EventDocumentFactory(visibility="public")
    other = EventFactory()

    response = client.get(reverse("summits:document", args=[other.slug, document.pk]))

    assert response.status_code == 404
    assert EventDocument.objects.count() == 1


# --- working groups ---------------------------------------------------------------------


def test_working_group_pages_list_members_and_visible_meetings(client):
    member = MemberFactory(name="Germany")
    group = WorkingGroupFactory(name="Financing industry transition", members=[member])
    EventFactory(title="Public meeting", working_group=group)
    EventFactory(title="Members meeting", working_group=group, visibility=MEMBERS)

    listing = client.get(reverse("summits:working_groups")).content.decode()
    response = client.get(reverse("summits:working_group", args=[group.slug]))

    assert "Financing industry transition" in listing
    assert "Germany" in response.content.decode()
    assert [e.title for e in response.context["upcoming"]] == ["Public meeting"]
    assert client.get(reverse("summits:working_group", args=["nope"])).status_code == 404
