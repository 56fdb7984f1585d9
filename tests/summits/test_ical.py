"""The iCalendar feed of public events and one event's .ics, parsed back with the
``icalendar`` package."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from summits.models import Event
from tests.factories.summits import EventFactory

pytestmark = pytest.mark.django_db

TRICKY_TITLE = 'Board; budget, "Q1"\nnext \\ step'


def _events(response):
    calendar = Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_calendar_feed_is_valid_icalendar_with_public_events_only(client):
    start = datetime.datetime(2031, 6, 10, 12, 0, tzinfo=datetime.UTC)
    public = EventFactory(
        title="Public summit",
        start=start,
        end=start + datetime.timedelta(hours=3),
        time_zone="America/Sao_Paulo",
        location="Belém, Brazil",
        description="A **summit**.",
    )
    EventFactory(title="Members meeting", visibility=Event.Visibility.MEMBERS)
    EventFactory(title="Staff meeting", visibility=Event.Visibility.STAFF)

    response = client.get(reverse("summits:calendar"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"VERSION:2.0\r\n" in body and b"PRODID:" in body
    (entry,) = _events(response)
    assert str(entry["SUMMARY"]) == "Public summit"
    assert str(entry["UID"]) == f"event-{public.pk}@127.0.0.1"
    assert entry["DTSTART"].dt == start
    assert entry["DTEND"].dt == start + datetime.timedelta(hours=3)
    assert b"DTSTART:20310610T120000Z\r\n" in body
    assert "DTSTAMP" in entry
    assert str(entry["LOCATION"]) == "Belém, Brazil"
    assert str(entry["URL"]) == f"http://testserver{public.get_absolute_url()}"
    assert "A **summit**." in str(entry["DESCRIPTION"])
    assert "America/Sao_Paulo" in str(entry["DESCRIPTION"])


def test_calendar_feed_is_the_same_for_members_and_staff(client, member_user, staff_user):
    EventFactory(title="Members meeting", visibility=Event.Visibility.MEMBERS)
    client.force_login(staff_user)

    assert _events(client.get(reverse("summits:calendar"))) == []


def test_calendar_feed_escapes_and_folds_titles(client):
    EventFactory(title=TRICKY_TITLE, location="Room 1; floor 2, east wing", description="x" * 200)

    response = client.get(reverse("summits:calendar"))

    (entry,) = _events(response)
    assert str(entry["SUMMARY"]) == TRICKY_TITLE
    assert str(entry["LOCATION"]) == "Room 1; floor 2, east wing"
    body = response.content
    assert b'SUMMARY:Board\\; budget\\, "Q1"\\nnext \\\\ step\r\n' in body
    lines = body.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long description is folded


def test_event_ics_is_one_event_and_round_trips_the_title(client):
    event = EventFactory(title=TRICKY_TITLE)
    EventFactory(title="Another")

    response = client.get(reverse("summits:event_ics", args=[event.slug]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    (entry,) = _events(response)
    assert str(entry["SUMMARY"]) == TRICKY_TITLE


def test_event_ics_members_event_for_members_only(client, member_user):
    event = EventFactory(visibility=Event.Visibility.MEMBERS)
    url = reverse("summits:event_ics", args=[event.slug])

    assert client.get(url).status_code == 404
    client.force_login(member_user)
    assert client.get(url).status_code == 200


def test_event_ics_staff_event_is_404_for_a_member_user(client, member_user):
    event = EventFactory(visibility=Event.Visibility.STAFF)
    client.force_login(member_user)

    assert client.get(reverse("summits:event_ics", args=[event.slug])).status_code == 404
