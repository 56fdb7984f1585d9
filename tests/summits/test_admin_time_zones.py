"""Staff enter and read event times on the wall clock of the event's own time zone, labelled
as such, in the admin form, the admin list and the board-meeting planner; the public page
then shows the time staff typed."""

import datetime
import re
import zoneinfo

import pytest

from summits.models import Event
from tests.factories.summits import BoardKindFactory, EventFactory, EventKindFactory

UTC = datetime.UTC
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
ADD = "/admin/summits/event/add/"
PLAN = "/admin/summits/event/plan-board-meetings/"


def _change_url(event) -> str:
    return f"/admin/summits/event/{event.pk}/change/"


def _input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def _form(kind, **fields) -> dict:
    """What the admin's add/change form posts (inlines empty)."""
    data = {
        "kind": str(kind.pk),
        "title": "Workshop on roadmaps",
        "slug": "workshop-on-roadmaps",
        "visibility": Event.Visibility.PUBLIC,
        "description": "",
        "time_zone": "Asia/Kolkata",
        "start_0": "2027-02-16",
        "start_1": "10:00",
        "end_0": "2027-02-16",
        "end_1": "11:30",
        "location": "New Delhi",
        "format": Event.Format.IN_PERSON,
        "online_link": "",
        "partners": "",
        "capacity": "",
        "registration_deadline_0": "",
        "registration_deadline_1": "",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0",
        "registrations-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(fields)
    return data


@pytest.mark.django_db
def test_the_form_shows_the_workshop_at_nine_india_time_not_utc(staff_client):
    event = EventFactory(
        time_zone="Asia/Kolkata",
        start=datetime.datetime(2027, 2, 16, 9, tzinfo=KOLKATA),
        end=datetime.datetime(2027, 2, 16, 17, tzinfo=KOLKATA),
        registration_deadline=datetime.datetime(2027, 2, 2, 23, tzinfo=KOLKATA),
    )

    html = staff_client.get(_change_url(event)).content.decode()

    assert _input_value(html, "start_0") == "2027-02-16"
    assert _input_value(html, "start_1") == "09:00"  # not 03:30 (UTC)
    assert _input_value(html, "end_1") == "17:00"
    assert _input_value(html, "registration_deadline_0") == "2027-02-02"
    assert _input_value(html, "registration_deadline_1") == "23:00"  # not 17:30
    assert "Start (in the event&#x27;s time zone)" in html
    assert "End (in the event&#x27;s time zone)" in html
    assert "Registration deadline (in the event&#x27;s time zone)" in html


@pytest.mark.django_db
def test_a_time_typed_for_kolkata_is_that_time_on_the_public_page(staff_client, client):
    kind = EventKindFactory()

    response = staff_client.post(ADD, _form(kind))

    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(slug="workshop-on-roadmaps")
    assert event.start == datetime.datetime(2027, 2, 16, 10, tzinfo=KOLKATA)
    assert event.start == datetime.datetime(2027, 2, 16, 4, 30, tzinfo=UTC)
    assert event.end == datetime.datetime(2027, 2, 16, 11, 30, tzinfo=KOLKATA)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "16 February 2027, 10:00" in page
    assert "11:30" in page
    assert "(Asia/Kolkata time)" in page
    assert "15:30" not in page and "04:30" not in page


@pytest.mark.django_db
def test_the_registration_deadline_is_read_in_the_event_time_zone(staff_client):
    kind = EventKindFactory()

    staff_client.post(
        ADD,
        _form(kind, registration_deadline_0="2027-02-02", registration_deadline_1="23:00"),
    )

    event = Event.objects.get(slug="workshop-on-roadmaps")
    assert event.registration_deadline == datetime.datetime(2027, 2, 2, 23, tzinfo=KOLKATA)


@pytest.mark.django_db
def test_changing_the_zone_keeps_the_wall_clock_time_typed(staff_client):
    event = EventFactory(
        slug="board-meeting",
        time_zone="Europe/Stockholm",
        start=datetime.datetime(2027, 3, 9, 14, tzinfo=STOCKHOLM),
        end=datetime.datetime(2027, 3, 9, 16, tzinfo=STOCKHOLM),
    )

    response = staff_client.post(
        _change_url(event),
        _form(
            event.kind,
            slug="board-meeting",
            time_zone="Asia/Kolkata",
            start_0="2027-03-09",
            start_1="14:00",
            end_0="2027-03-09",
            end_1="16:00",
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert event.time_zone == "Asia/Kolkata"
    assert event.start == datetime.datetime(2027, 3, 9, 14, tzinfo=KOLKATA)
    assert event.end == datetime.datetime(2027, 3, 9, 16, tzinfo=KOLKATA)


@pytest.mark.django_db
def test_the_list_shows_a_stockholm_board_meeting_at_14_00_stockholm_time(staff_client):
    EventFactory(
        title="Board meeting, March",
        time_zone="Europe/Stockholm",
        start=datetime.datetime(2027, 3, 9, 14, tzinfo=STOCKHOLM),
        end=datetime.datetime(2027, 3, 9, 16, tzinfo=STOCKHOLM),
    )

    html = staff_client.get("/admin/summits/event/").content.decode()

    assert "Tue 9 Mar 2027, 14:00 (Europe/Stockholm)" in html
    assert "1 p.m." not in html
    assert "event&#x27;s local time" in html.lower() or "event's local time" in html.lower()


@pytest.mark.django_db
def test_the_zone_is_chosen_from_a_searchable_list(staff_client):
    html = staff_client.get(ADD).content.decode()

    box = re.search(r'<input[^>]*name="time_zone"[^>]*>', html).group(0)
    list_id = re.search(r'list="([^"]+)"', box).group(1)
    datalist = re.search(rf'<datalist id="{list_id}">(.*?)</datalist>', html, re.S).group(1)
    assert '<option value="Asia/Kolkata">UTC+05:30</option>' in datalist
    assert datalist.count("<option") > 300
    assert "<script>" not in html  # nothing inline (CSP)


@pytest.mark.django_db
def test_a_city_name_is_enough_and_an_unknown_zone_is_refused(staff_client):
    kind = EventKindFactory()

    refused = staff_client.post(ADD, _form(kind, time_zone="Atlantis/Capital"))
    accepted = staff_client.post(ADD, _form(kind, time_zone="kolkata"))

    assert refused.status_code == 200
    assert "is not a time zone we know" in refused.content.decode()
    assert accepted.status_code == 302
    event = Event.objects.get(slug="workshop-on-roadmaps")
    assert event.time_zone == "Asia/Kolkata"
    assert event.start == datetime.datetime(2027, 2, 16, 10, tzinfo=KOLKATA)


@pytest.mark.django_db
def test_a_time_the_clocks_skip_is_refused(staff_client):
    kind = EventKindFactory()

    response = staff_client.post(
        ADD,
        _form(
            kind,
            time_zone="Europe/Stockholm",
            start_0="2027-03-28",
            start_1="02:30",
            end_0="2027-03-28",
            end_1="05:00",
        ),
    )

    assert response.status_code == 200
    assert "02:30 does not exist on 28 March 2027 in Europe/Stockholm" in (
        response.content.decode()
    )
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_the_planner_labels_its_time_and_offers_the_searchable_zone_list(staff_client):
    kind = BoardKindFactory()

    page = staff_client.get(PLAN).content.decode()
    preview = staff_client.post(
        PLAN,
        {
            "year": "2027",
            "week": "2",
            "weekday": "1",
            "time": "09:00",
            "time_zone": "Kolkata",
            "kind": str(kind.pk),
            "title": "Management Board meeting, {month} {year}",
            "preview": "Preview",
        },
    ).content.decode()

    assert "Time (in the meetings&#x27; time zone)" in page
    assert re.search(r'<input[^>]*name="time_zone"[^>]*list="id_time_zone_list"', page)
    assert '<option value="Asia/Kolkata">' in page
    assert "09:00 (Asia/Kolkata)" in preview
