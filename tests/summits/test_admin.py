"""The secretariat's admin for events: planning a year of board meetings, documents checked
like the service checks them, attendee lists exported."""

import datetime
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leadit.models import BackgroundJob
from summits.admin import RegistrationResource
from summits.models import Event, EventDocument
from tests.factories.summits import (
    BoardKindFactory,
    EventFactory,
    RegistrationFactory,
)

PLAN = "/admin/summits/event/plan-board-meetings/"
DOCUMENT_ADD = "/admin/summits/eventdocument/add/"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _plan_form(kind, **extra):
    return {
        "year": "2027",
        "week": "2",
        "weekday": "1",
        "time": "14:00",
        "time_zone": "Europe/Stockholm",
        "kind": str(kind.pk),
        "title": "Management Board meeting, {month} {year}",
        **extra,
    }


@pytest.mark.django_db
def test_admin_plan_page_is_linked_from_the_event_list(staff_client):
    html = staff_client.get("/admin/summits/event/").content.decode()

    assert PLAN in html


@pytest.mark.django_db
def test_admin_plan_page_is_for_staff_only(member_client):
    response = member_client.get(PLAN)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_plan_preview_shows_twelve_meetings_and_creates_nothing(staff_client):
    kind = BoardKindFactory()

    response = staff_client.post(PLAN, _plan_form(kind, preview="Preview"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<td>New</td>") == 12
    assert "Tue 12 January 2027" in html
    assert "14:00 (Europe/Stockholm)" in html
    assert 'name="confirm"' in html
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_admin_plan_confirm_creates_the_year_once(staff_client, staff_user):
    kind = BoardKindFactory()

    first = staff_client.post(PLAN, _plan_form(kind, confirm="Create"))
    again = staff_client.post(PLAN, _plan_form(kind, confirm="Create"), follow=True)

    assert first.status_code == 302
    assert Event.objects.filter(kind=kind).count() == 12
    assert "0 meeting(s) created; 12 already existed" in again.content.decode()
    march = Event.objects.get(slug="management-board-2027-03")
    assert march.start.astimezone(STOCKHOLM) == datetime.datetime(2027, 3, 9, 14, tzinfo=STOCKHOLM)
    assert march.responsible == staff_user
    preview = staff_client.post(PLAN, _plan_form(kind, preview="Preview")).content.decode()
    assert preview.count("Already exists — kept") == 12


@pytest.mark.django_db
def test_admin_plan_refuses_a_bad_title(staff_client):
    kind = BoardKindFactory()

    response = staff_client.post(PLAN, _plan_form(kind, title="Board {day}", preview="Preview"))

    assert "may only use {month} and {year}" in response.content.decode()
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_admin_event_list_filters_by_kind_visibility_and_year(staff_client):
    EventFactory(title="Summit 2027", start=datetime.datetime(2027, 5, 1, tzinfo=datetime.UTC))
    EventFactory(title="Summit 2026", start=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC))

    html = staff_client.get("/admin/summits/event/?year=2027&visibility__exact=public").content
    html = html.decode()

    assert "Summit 2027" in html
    assert "Summit 2026" not in html


def _document_form(event, file, **extra):
    return {
        "event": str(event.pk),
        "kind": "agenda",
        "title": "Agenda",
        "file": file,
        "link": "",
        "visibility": "members",
        **extra,
    }


@pytest.mark.django_db
def test_admin_document_add_refuses_a_forbidden_type_with_a_clear_message(staff_client):
    event = EventFactory()

    response = staff_client.post(
        DOCUMENT_ADD, _document_form(event, SimpleUploadedFile("evil.pdf", b"MZ\x90 not pdf"))
    )

    assert response.status_code == 200
    assert "is named .pdf but is not a PDF document" in response.content.decode()
    assert not EventDocument.objects.exists()


@pytest.mark.django_db
def test_admin_document_add_refuses_a_too_big_file(staff_client, settings):
    settings.EVENT_DOCUMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * 2 * 1024 * 1024)

    response = staff_client.post(DOCUMENT_ADD, _document_form(EventFactory(), big))

    assert "the limit is 1 MB" in response.content.decode()
    assert not EventDocument.objects.exists()


@pytest.mark.django_db
def test_admin_document_add_goes_through_the_service(staff_client, staff_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = EventFactory(kind=BoardKindFactory())
    pdf = SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n%%EOF\n")

    response = staff_client.post(DOCUMENT_ADD, _document_form(event, pdf))

    assert response.status_code == 302
    document = EventDocument.objects.get()
    assert document.uploaded_by == staff_user
    assert document.file.name.endswith(".pdf")
    assert BackgroundJob.objects.get().arguments == {"document_id": document.pk}
    assert document.history.count() == 1


@pytest.mark.django_db
def test_admin_registrations_export_as_csv(staff_client):
    registration = RegistrationFactory(name="=cmd|' /C calc'!A0", email="ada@member.example")
    fields = {f"registrationresource_{name}": "on" for name in RegistrationResource.Meta.fields}

    response = staff_client.post(
        "/admin/summits/registration/export/", {"format": "0", "resource": "0", **fields}
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "ada@member.example" in text
    assert registration.event.title in text
    assert "'=cmd" in text


@pytest.mark.django_db
def test_admin_event_change_page_shows_documents_and_registrations(staff_client):
    event = EventFactory(kind=BoardKindFactory())
    RegistrationFactory(event=event, name="Ada Delegate")

    html = staff_client.get(f"/admin/summits/event/{event.pk}/change/").content.decode()

    assert "Ada Delegate" in html
    assert "Agenda: Due" in staff_client.get("/admin/summits/event/").content.decode()
