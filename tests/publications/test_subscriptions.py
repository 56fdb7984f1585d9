"""Newsletter sign-up with double opt-in, confirmation links, one-click unsubscribe and the
member contacts who receive the newsletter without signing up (e-mail: locmem here; the
real SMTP conversation is in test_sending.py)."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leadit.models import BackgroundJob
from publications.models import Delivery, Subscriber
from publications.subscriptions import (
    SignUp,
    confirmation_token,
    recipients,
    subscriber_sign_up,
    subscribers_sync_member_contacts,
    unsubscribe_url,
)
from tests.factories.members import ContactFactory
from tests.factories.publications import NewsletterIssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("publications:subscribe")
SENT = reverse("publications:subscribe_sent")


def _sign_up(client, email="ada@example.org", **data):
    return client.post(SUBSCRIBE, {"email": email, "name": "Ada", **data})


def _confirm_link(message) -> str:
    return re.search(r"https?://\S+/newsletter/confirm/\S+/", message.body).group(0)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Sign-up --------------------------------------------------------------------------------


def test_subscribe_page_shows_an_accessible_form_with_a_hidden_honeypot(client):
    page = _page(client.get(SUBSCRIBE))

    assert "<h1>Subscribe to the LeadIT newsletter</h1>" in page
    assert '<label for="id_email">E-mail address' in page
    assert 'autocomplete="email"' in page
    assert '<div class="visually-hidden" aria-hidden="true">' in page
    assert 'name="website"' in page and 'tabindex="-1"' in page


def test_sign_up_sends_a_confirmation_and_confirming_makes_the_subscriber_active(client):
    response = _sign_up(client, email="Ada@Example.ORG")

    assert response.status_code == 302 and response["Location"] == SENT
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Ada@example.org"  # the domain is lower-cased
    assert subscriber.confirmed_at is None and not subscriber.is_active
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Ada@example.org"]
    assert message.subject == "[LeadIT] Please confirm your newsletter subscription"
    assert "The link works for 3 days." in message.body
    html = message.alternatives[0][0]
    assert "Confirm my subscription" in html

    link = _path(_confirm_link(message))
    asked = _page(client.get(link))
    assert "<h1>Confirm your subscription</h1>" in asked
    assert not Subscriber.objects.get().is_active  # opening the link is not confirming

    page = _page(client.post(link))

    assert "<h1>Subscription confirmed</h1>" in page
    assert "Ada@example.org now receives the LeadIT newsletter" in page
    subscriber.refresh_from_db()
    assert subscriber.is_active and subscriber.source == Subscriber.Source.PUBLIC_FORM
    assert list(recipients()) == [subscriber]


def test_check_your_inbox_page_explains_what_happens_next(client):
    page = _page(client.get(SENT))

    assert "<h1>Check your inbox</h1>" in page
    assert "If the address already receives the newsletter, there is nothing more to do." in page


def test_sign_up_with_an_invalid_address_shows_a_form_error_and_sends_nothing(client):
    response = _sign_up(client, email="not-an-address")

    assert response.status_code == 200
    page = _page(response)
    assert "Please correct the marked field" in page
    assert "Enter a valid email address." in page
    assert Subscriber.objects.count() == 0 and mail.outbox == []


def test_sign_up_answers_the_same_for_new_pending_confirmed_and_unsubscribed(client):
    SubscriberFactory(email="confirmed@example.org")
    SubscriberFactory(email="gone@example.org", unsubscribed_at=timezone.now())
    SubscriberFactory(
        email="pending@example.org",
        confirmed_at=None,
        confirmation_sent_at=timezone.now() - timedelta(days=1),
    )

    answers = {
        email: _sign_up(client, email=email)
        for email in (
            "new@example.org",
            "pending@example.org",
            "confirmed@example.org",
            "gone@example.org",
        )
    }

    assert {(r.status_code, r["Location"]) for r in answers.values()} == {(302, SENT)}
    # The page behind the redirect is one page, for everybody.
    assert client.get(SENT).content == Client().get(SENT).content


def test_sign_up_of_a_confirmed_address_sends_no_second_e_mail(client):
    SubscriberFactory(email="ada@example.org")

    assert subscriber_sign_up(email="ada@example.org") == SignUp.ALREADY_ACTIVE

    assert mail.outbox == []


def test_sign_up_twice_in_a_row_sends_one_confirmation(client):
    _sign_up(client)
    _sign_up(client)

    assert len(mail.outbox) == 1
    assert Subscriber.objects.count() == 1


def test_sign_up_of_a_pending_address_later_sends_a_fresh_link(client):
    SubscriberFactory(
        email="ada@example.org",
        confirmed_at=None,
        confirmation_sent_at=timezone.now() - timedelta(hours=1),
    )

    assert subscriber_sign_up(email="ada@example.org") == SignUp.RESENT

    assert len(mail.outbox) == 1


def test_unsubscribed_address_signing_up_again_needs_a_fresh_confirmation(client):
    subscriber = SubscriberFactory(email="ada@example.org")
    old_link = reverse("publications:confirm_subscription", args=[confirmation_token(subscriber)])
    client.post(_path(unsubscribe_url(subscriber)))

    _sign_up(client)

    subscriber.refresh_from_db()
    assert not subscriber.is_active  # still unsubscribed until the new link is opened
    assert len(mail.outbox) == 1
    # A link sent before the unsubscribe cannot subscribe the address again.
    stale = client.get(old_link)
    assert stale.status_code == 400
    assert "This confirmation link is no longer valid" in _page(stale)
    assert client.post(_path(_confirm_link(mail.outbox[0]))).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.is_active and subscriber.unsubscribed_at is None


def test_honeypot_filled_in_answers_like_a_sign_up_and_stores_nothing(client):
    response = _sign_up(client, website="http://spam.example")

    assert response.status_code == 302 and response["Location"] == SENT
    assert Subscriber.objects.count() == 0 and mail.outbox == []


def test_sixth_sign_up_from_one_address_within_an_hour_is_refused_with_429(client):
    for n in range(5):
        assert _sign_up(client, email=f"reader{n}@example.org").status_code == 302

    response = _sign_up(client, email="reader5@example.org")

    assert response.status_code == 429
    assert "Too many attempts" in _page(response)
    assert Subscriber.objects.count() == 5
    # Another client address is not affected.
    other = Client(REMOTE_ADDR="192.0.2.7").post(SUBSCRIBE, {"email": "x@example.org"})
    assert other.status_code == 302


def test_sign_up_when_the_mail_server_is_down_records_a_job_to_send_it_later(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there

    response = _sign_up(client)

    # The visitor is told the e-mail is delayed (tests/test_mail_server_down.py: the job).
    assert response.status_code == 302 and response["Location"] == SENT + "?mail=delayed"
    job = BackgroundJob.objects.get()
    assert job.task_name == "publications.send_confirmation"
    assert job.arguments == {"subscriber_id": Subscriber.objects.get().pk}


# --- Confirmation links ---------------------------------------------------------------------------


def test_confirm_link_followed_twice_says_already_confirmed(client):
    _sign_up(client)
    link = _path(_confirm_link(mail.outbox[0]))
    client.post(link)
    confirmed_at = Subscriber.objects.get().confirmed_at

    opened, confirmed_again = client.get(link), client.post(link)

    for response in (opened, confirmed_again):
        assert response.status_code == 200
        assert "<h1>Already confirmed</h1>" in _page(response)
    assert Subscriber.objects.get().confirmed_at == confirmed_at


def test_expired_confirm_link_answers_400_with_a_way_to_sign_up_again(client, monkeypatch):
    subscriber = SubscriberFactory(confirmed_at=None)
    four_days_ago = int(time.time()) - 4 * 86400
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(four_days_ago)
    )
    token = confirmation_token(subscriber)
    monkeypatch.undo()

    response = client.get(reverse("publications:confirm_subscription", args=[token]))

    assert response.status_code == 400
    page = _page(response)
    assert "<h1>This confirmation link has expired</h1>" in page
    assert f'href="{SUBSCRIBE}">Sign up again</a>' in page
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def test_forged_confirm_link_answers_400(client):
    subscriber = SubscriberFactory(confirmed_at=None)
    token = confirmation_token(subscriber)
    forged = token.replace(f"{subscriber.pk}.", f"{subscriber.pk + 1}.", 1)

    for bad in (forged, "not-a-real-token", token[:-2]):
        url = reverse("publications:confirm_subscription", args=[bad])
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 400
            assert "<h1>This confirmation link is not valid</h1>" in _page(response)
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


# --- Unsubscribing --------------------------------------------------------------------------------


def test_unsubscribe_get_shows_a_button_and_does_not_unsubscribe(client):
    subscriber = SubscriberFactory(email="ada@example.org")

    response = client.get(_path(unsubscribe_url(subscriber)))

    page = _page(response)
    assert response.status_code == 200
    assert "ada@example.org will receive no more newsletters." in page
    assert '<button type="submit">Unsubscribe</button>' in page
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


def test_one_click_unsubscribe_post_without_csrf_token_unsubscribes(client):
    subscriber = SubscriberFactory(email="ada@example.org")
    issue = NewsletterIssueFactory()
    Delivery.objects.create(issue=issue, subscriber=subscriber)  # a send under way
    mailer = Client(enforce_csrf_checks=True)

    response = mailer.post(
        _path(unsubscribe_url(subscriber)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "<h1>You are unsubscribed</h1>" in _page(response)
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    assert recipients().count() == 0
    assert not Delivery.objects.exists()  # the pending delivery will not go out


def test_unsubscribe_again_is_idempotent(client):
    subscriber = SubscriberFactory(email="ada@example.org")
    client.post(_path(unsubscribe_url(subscriber)))
    first = Subscriber.objects.get().unsubscribed_at

    again = client.post(_path(unsubscribe_url(subscriber)))
    page = client.get(_path(unsubscribe_url(subscriber)))

    assert again.status_code == 200 and "<h1>Already unsubscribed</h1>" in _page(again)
    assert "<h1>Already unsubscribed</h1>" in _page(page)
    assert Subscriber.objects.get().unsubscribed_at == first


def test_unsubscribe_with_an_unknown_token_answers_404_with_an_explanation(client):
    for method in (client.get, client.post):
        response = method(reverse("publications:unsubscribe", args=["no-such-token"]))
        assert response.status_code == 404
        assert "<h1>This unsubscribe link is not valid</h1>" in _page(response)


# --- Member contacts --------------------------------------------------------------------------------


def test_member_contacts_flagged_for_the_newsletter_become_confirmed_subscribers():
    flagged = ContactFactory(email="minister@gov.example", name="Min Ister")
    ContactFactory(email="quiet@gov.example", receives_newsletter=False)

    subscribers_sync_member_contacts()

    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.name, subscriber.contact, subscriber.source) == (
        "minister@gov.example",
        "Min Ister",
        flagged,
        Subscriber.Source.MEMBER_CONTACT,
    )
    assert list(recipients()) == [subscriber]
    assert mail.outbox == []  # no double opt-in: the secretariat entered them


def test_member_contact_who_unsubscribed_stays_unsubscribed():
    contact = ContactFactory(email="minister@gov.example")
    subscribers_sync_member_contacts()
    Subscriber.objects.update(unsubscribed_at=timezone.now())

    subscribers_sync_member_contacts()

    assert Subscriber.objects.get(contact=contact).unsubscribed_at is not None
    assert recipients().count() == 0


def test_member_contact_whose_flag_is_turned_off_is_not_sent_to():
    contact = ContactFactory(email="minister@gov.example")
    subscribers_sync_member_contacts()

    contact.receives_newsletter = False
    contact.save()
    subscribers_sync_member_contacts()

    assert Subscriber.objects.count() == 1
    assert recipients().count() == 0


def test_member_contact_already_signed_up_on_the_form_is_linked_not_duplicated():
    pending = SubscriberFactory(email="Minister@gov.example", confirmed_at=None)
    contact = ContactFactory(email="minister@gov.example")

    subscribers_sync_member_contacts()

    pending.refresh_from_db()
    assert Subscriber.objects.count() == 1
    assert pending.contact == contact and pending.is_active


def test_member_contact_address_corrected_moves_the_subscription_along():
    contact = ContactFactory(email="old@gov.example")
    subscribers_sync_member_contacts()

    contact.email = "new@gov.example"
    contact.save()
    subscribers_sync_member_contacts()

    assert list(Subscriber.objects.values_list("email", flat=True)) == ["new@gov.example"]


def test_member_contact_whose_flag_is_off_may_subscribe_on_the_form(client):
    contact = ContactFactory(email="minister@gov.example")
    subscribers_sync_member_contacts()
    contact.receives_newsletter = False
    contact.save()

    _sign_up(client, email="minister@gov.example")
    client.post(_path(_confirm_link(mail.outbox[0])))

    subscriber = Subscriber.objects.get()
    assert subscriber.source == Subscriber.Source.PUBLIC_FORM
    assert list(recipients()) == [subscriber]


def test_contact_sync_takes_a_constant_number_of_queries(django_assert_max_num_queries):
    ContactFactory.create_batch(30)
    subscribers_sync_member_contacts()
    ContactFactory.create_batch(30)

    with django_assert_max_num_queries(8):
        subscribers_sync_member_contacts()

    assert recipients().count() == 60
