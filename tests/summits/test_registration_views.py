"""Registering and cancelling delegates through the event page, and the attendee lists."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from members.models import MembershipRole
from summits.models import Event, Registration
from tests.factories.members import EditorFactory, MemberFactory
from tests.factories.summits import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

DELEGATE = {
    "name": "Ada Delegate",
    "email": "ada@member.example",
    "role": "Head of delegation",
    "attendance_mode": "in_person",
}


def _register(client, event, **data):
    return client.post(reverse("summits:register", args=[event.slug]), {**DELEGATE, **data})


def test_register_adds_a_delegate_and_redirects_with_a_message(member_client, member_user):
    event = EventFactory(title="Dialogue")

    response = _register(member_client, event)

    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    registration = Registration.objects.get()
    assert (registration.member, registration.name, registration.registered_by) == (
        member_user.member,
        "Ada Delegate",
        member_user,
    )
    page = member_client.get(event.get_absolute_url()).content.decode()
    assert "Ada Delegate is registered for “Dialogue”" in page
    assert "<strong>Ada Delegate</strong> (ada@member.example)" in page


def test_register_get_redirects_to_the_event(member_client):
    event = EventFactory()

    response = member_client.get(reverse("summits:register", args=[event.slug]))

    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()


def test_register_after_the_deadline_shows_the_message_and_writes_nothing(member_client):
    event = EventFactory(registration_deadline=timezone.now() - datetime.timedelta(hours=1))

    response = _register(member_client, event)

    assert response.status_code == 200
    assert "Registration closed on" in response.content.decode()
    assert Registration.objects.count() == 0


def test_register_over_capacity_shows_the_message_and_writes_nothing(member_client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)

    response = _register(member_client, event)

    assert "This event is full: all 1 places are taken." in response.content.decode()
    assert Registration.objects.count() == 1


def test_register_duplicate_email_is_shown_on_the_field(member_client):
    event = EventFactory()
    RegistrationFactory(event=event, email="ada@member.example")

    response = _register(member_client, event)

    assert response.context["form"].errors["email"] == [
        "ada@member.example is already registered for this event."
    ]
    assert Registration.objects.count() == 1


def test_register_for_another_members_delegates_is_404(member_client):
    event = EventFactory()
    other = MemberFactory()

    response = _register(member_client, event, member=other.pk)

    assert response.status_code == 404
    assert Registration.objects.count() == 0


def test_register_offers_a_choice_to_an_editor_of_several_members(client):
    user = EditorFactory()
    second = MemberFactory(name="Second member")
    MembershipRole.objects.create(user=user, member=second)
    event = EventFactory()
    client.force_login(user)

    page = client.get(event.get_absolute_url()).content.decode()
    response = _register(client, event, member=second.pk)

    assert '<select name="member"' in page
    assert response.status_code == 302
    assert Registration.objects.get().member == second


def test_register_for_a_hidden_event_is_404(member_client):
    event = EventFactory(visibility=Event.Visibility.STAFF)

    assert _register(member_client, event).status_code == 404
    assert Registration.objects.count() == 0


def test_cancel_cancels_own_registration(member_client, member_user):
    registration = RegistrationFactory(member=member_user.member, name="Ada")
    url = reverse("summits:cancel_registration", args=[registration.event.slug, registration.pk])

    response = member_client.post(url)

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    page = member_client.get(registration.event.get_absolute_url()).content.decode()
    assert "The registration of Ada" in page and "is cancelled" in page


def test_cancel_another_members_registration_is_404(member_client):
    registration = RegistrationFactory()
    url = reverse("summits:cancel_registration", args=[registration.event.slug, registration.pk])

    assert member_client.post(url).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED


def test_cancel_is_post_only(member_client, member_user):
    registration = RegistrationFactory(member=member_user.member)
    url = reverse("summits:cancel_registration", args=[registration.event.slug, registration.pk])

    assert member_client.get(url).status_code == 405
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED


def test_cancel_by_staff_works_for_any_member(staff_client):
    registration = RegistrationFactory()
    url = reverse("summits:cancel_registration", args=[registration.event.slug, registration.pk])

    assert staff_client.post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_attendees_export_csv_lists_active_registrations_escaped(staff_client):
    event = EventFactory()
    member = MemberFactory(name="Sweden")
    RegistrationFactory(event=event, member=member, name="=HYPERLINK(1)", email="a@x.example")
    RegistrationFactory(event=event, member=member, name="Cancelled", status="cancelled")

    response = staff_client.get(reverse("summits:attendees", args=[event.slug, "csv"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Member", "Name", "E-mail", "Role", "Attendance", "Registered at (UTC)"]
    assert [row[:5] for row in rows[1:]] == [
        ["Sweden", "'=HYPERLINK(1)", "a@x.example", "Delegate", "In person"]
    ]


def test_attendees_export_xlsx(staff_client):
    event = EventFactory()
    RegistrationFactory(event=event, name="Ada", member=MemberFactory(name="India"))

    response = staff_client.get(reverse("summits:attendees", args=[event.slug, "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["Member", "Name"]
    assert values[1][:2] == ["India", "Ada"]


def test_attendees_export_unknown_format_is_404(staff_client):
    event = EventFactory()

    assert (
        staff_client.get(reverse("summits:attendees", args=[event.slug, "pdf"])).status_code == 404
    )


def test_attendees_export_is_404_for_a_member_user(member_client, member_user):
    event = EventFactory()
    RegistrationFactory(event=event, member=member_user.member)

    response = member_client.get(reverse("summits:attendees", args=[event.slug, "csv"]))

    assert response.status_code == 404
