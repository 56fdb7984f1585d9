"""Staff's admin of subscribers and deliveries: search, filters, CSV export, unsubscribe,
read-only deliveries and the explicit "send the interrupted ones again"."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from leadit.models import BackgroundJob
from publications.models import Delivery, Subscriber
from tests.factories.members import ContactFactory, MemberFactory
from tests.factories.publications import NewsletterIssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

SUBSCRIBERS = reverse("admin:publications_subscriber_changelist")
DELIVERIES = reverse("admin:publications_delivery_changelist")


def _action(client, url, action, objects):
    return client.post(
        url, {"action": action, ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects]}, follow=True
    )


def test_subscriber_list_searches_and_filters_by_state(staff_client):
    SubscriberFactory(email="ada@example.org")
    SubscriberFactory(email="pending@example.org", confirmed_at=None)
    SubscriberFactory(email="gone@example.org", unsubscribed_at=timezone.now())

    found = staff_client.get(SUBSCRIBERS, {"q": "ada"}).content.decode()
    pending = staff_client.get(SUBSCRIBERS, {"confirmed": "no"}).content.decode()
    gone = staff_client.get(SUBSCRIBERS, {"unsubscribed": "yes"}).content.decode()

    assert "ada@example.org" in found and "gone@example.org" not in found
    assert "pending@example.org" in pending and "ada@example.org" not in pending
    assert "Waiting for confirmation" in pending
    assert "gone@example.org" in gone and "ada@example.org" not in gone


def test_unsubscribe_action_unsubscribes_the_selected(staff_client):
    ada, bob = SubscriberFactory(email="ada@example.org"), SubscriberFactory()

    response = _action(staff_client, SUBSCRIBERS, "unsubscribe", [ada])

    assert "1 subscriber(s) unsubscribed." in response.content.decode()
    ada.refresh_from_db(), bob.refresh_from_db()
    assert ada.unsubscribed_at is not None and bob.unsubscribed_at is None


def test_export_action_gives_a_csv_with_formulae_escaped(staff_client):
    contact = ContactFactory(member=MemberFactory(name="Sweden"), email="min@gov.example")
    SubscriberFactory(
        email="min@gov.example", name="=HYPERLINK()", source="member_contact", contact=contact
    )

    response = _action(staff_client, SUBSCRIBERS, "export_csv", Subscriber.objects.all())

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["E-mail", "Name", "Source", "Member"]
    assert rows[1][:4] == ["min@gov.example", "'=HYPERLINK()", "Member contact", "Sweden"]


def test_subscribers_and_deliveries_cannot_be_added_by_hand(staff_client):
    assert staff_client.get(reverse("admin:publications_subscriber_add")).status_code == 403
    assert staff_client.get(reverse("admin:publications_delivery_add")).status_code == 403


def test_delivery_list_filters_by_status_and_searches_by_email(staff_client):
    issue = NewsletterIssueFactory()
    Delivery.objects.create(
        issue=issue, subscriber=SubscriberFactory(email="a@example.org"), status="sent"
    )
    Delivery.objects.create(
        issue=issue,
        subscriber=SubscriberFactory(email="b@example.org"),
        status="refused",
        last_error="550 5.1.1 User unknown",
    )

    refused = staff_client.get(DELIVERIES, {"status__exact": "refused"}).content.decode()
    found = staff_client.get(DELIVERIES, {"q": "a@example"}).content.decode()

    assert "b@example.org" in refused and "550 5.1.1 User unknown" in refused
    assert "a@example.org" not in refused
    assert "a@example.org" in found and "b@example.org" not in found


def test_resend_action_queues_only_the_unconfirmed_deliveries(staff_client):
    issue = NewsletterIssueFactory(send_finished_at=timezone.now())
    sent = Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status="sent")
    interrupted = Delivery.objects.create(
        issue=issue, subscriber=SubscriberFactory(), status="unconfirmed"
    )

    response = _action(staff_client, DELIVERIES, "resend_unconfirmed", [sent, interrupted])

    assert "1 delivery(ies) queued to be sent again" in response.content.decode()
    sent.refresh_from_db(), interrupted.refresh_from_db(), issue.refresh_from_db()
    assert (sent.status, interrupted.status) == ("sent", "pending")
    assert issue.send_finished_at is None
    job = BackgroundJob.objects.get()
    assert (job.task_name, job.arguments) == ("publications.send_issue", {"issue_id": issue.pk})


def test_resend_action_on_deliveries_that_were_not_interrupted_does_nothing(staff_client):
    issue = NewsletterIssueFactory()
    sent = Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status="sent")

    response = _action(staff_client, DELIVERIES, "resend_unconfirmed", [sent])

    assert "nothing sent" in response.content.decode()
    assert not BackgroundJob.objects.exists()
