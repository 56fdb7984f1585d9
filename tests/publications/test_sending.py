"""Sending a newsletter issue over a REAL SMTP conversation: an aiosmtpd server on the
loopback records every message (and refuses the recipients a test names), the portal's
SMTP backend talks to it, and the send job runs on a real Celery worker through Redis."""

import datetime
import email
import email.policy
import re
import smtplib
import socket
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leadit.celery import app
from leadit.jobs import job_enqueue
from leadit.models import BackgroundJob
from publications.models import Delivery, Publication, Subscriber
from publications.sending import (
    SMTPTemporaryError,
    issue_deliver,
    issue_send,
    issue_send_progress,
    issue_send_test,
    send_issue,
    sends_resume_stalled,
)
from tests.factories.members import ContactFactory
from tests.factories.publications import (
    NewsletterIssueFactory,
    NewsletterItemFactory,
    NewsletterSectionFactory,
    SubscriberFactory,
)

SITE = "https://portal.leadit.example"


class Sink:
    """An SMTP server's handler: records (recipient, message) and answers RCPT of the
    addresses in ``refuse`` with 550, in ``defer`` with 421; ``hang_up_after_data``
    swallows the message and drops the connection without answering."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[str, email.message.EmailMessage]] = []
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.hang_up_after_data: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.defer:
            return "421 4.3.2 Service shutting down, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((rcpt, message))
        if set(envelope.rcpt_tos) & self.hang_up_after_data:
            server.transport.close()  # the message is here; the answer never leaves
        return "250 2.0.0 Message accepted for delivery"

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(rcpt for rcpt, _ in self.received)

    def message_to(self, address: str) -> email.message.EmailMessage:
        with self.lock:
            return next(m for rcpt, m in self.received if rcpt == address)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1 and the portal's SMTP backend pointed at it."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "LeadIT Secretariat <secretariat@leadit.example>"
    yield sink
    controller.stop()


@pytest.fixture
def worker(smtp_sink, celery_worker):
    return celery_worker


@pytest.fixture(autouse=True)
def _empty_queue():
    """Messages left in this Redis db by an earlier run name jobs of another database."""
    app.control.purge()


def _published_issue(**kwargs):
    issue = NewsletterIssueFactory(
        title="Steel and cement in Q1",
        introduction="A quarter of [new roadmaps](/tracker/) and more.",
        status=Publication.Status.PUBLISHED,
        published_on=datetime.date(2025, 4, 2),
        **kwargs,
    )
    section = NewsletterSectionFactory(issue=issue, title="Events held")
    NewsletterItemFactory(
        section=section, title="Leadership Summit", url="/events/summit/", text="It met."
    )
    NewsletterItemFactory(section=section, title="Dropped item", included=False)
    return issue


def _wait_until_sent(issue, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        issue.refresh_from_db()
        if issue.send_finished_at:
            return issue_send_progress(issue)
        time.sleep(0.1)
    raise AssertionError(f"not sent within {timeout} s: {issue_send_progress(issue)}")


def _wait_until_finished(job, timeout: float = 30.0) -> str:
    """The job's final status, once the worker has run it."""
    finished = {BackgroundJob.Status.DONE, BackgroundJob.Status.FAILED}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in finished:
            return job.status
        time.sleep(0.05)
    raise AssertionError(f"job {job.pk} still {job.status} after {timeout} s")


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- A whole send through the worker --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_send_delivers_exactly_one_message_to_each_subscriber_with_unsubscribe_headers(
    worker, smtp_sink, client
):
    issue = _published_issue()
    readers = [SubscriberFactory(email=f"reader{n}@example.org") for n in range(6)]
    SubscriberFactory(email="pending@example.org", confirmed_at=None)
    SubscriberFactory(email="gone@example.org", unsubscribed_at=timezone.now())

    job = issue_send(issue=issue)

    progress = _wait_until_sent(issue)
    assert progress["sent"] == progress["total"] == progress["done"] == 6
    assert smtp_sink.per_recipient() == Counter({r.email: 1 for r in readers})
    message = smtp_sink.message_to("reader3@example.org")
    assert (
        message["Subject"].strip()
        == f"Steel and cement in Q1 — LeadIT newsletter {issue.quarter_label}"
    )
    assert message["From"] == "LeadIT Secretariat <secretariat@leadit.example>"
    link = f"{SITE}/publications/newsletter/unsubscribe/{readers[3].unsubscribe_token}/"
    assert message["List-Unsubscribe"].strip() == f"<{link}>"  # folded: a long line
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert link in part  # in the footer of both parts
        assert f"{SITE}/events/summit/" in part
        assert f"{SITE}/publications/{issue.slug}.pdf" in part
        assert "Leadership Summit" in part and "Dropped item" not in part
    assert f'href="{SITE}/tracker/"' in html  # a portal path in Markdown, made absolute
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert all(d.sent_at for d in Delivery.objects.all())

    # The link in the e-mail works: the one-click POST a mail program makes.
    response = client.post(
        _path(link), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    readers[3].refresh_from_db()
    assert readers[3].unsubscribed_at is not None


@pytest.mark.django_db(transaction=True)
def test_send_includes_member_contacts_flagged_for_the_newsletter(worker, smtp_sink):
    issue = _published_issue()
    ContactFactory(email="minister@gov.example")
    ContactFactory(email="quiet@gov.example", receives_newsletter=False)
    SubscriberFactory(email="reader@example.org")

    issue_send(issue=issue)

    _wait_until_sent(issue)
    assert smtp_sink.per_recipient() == Counter(
        {"minister@gov.example": 1, "reader@example.org": 1}
    )
    assert Subscriber.objects.get(email="minister@gov.example").source == "member_contact"


@pytest.mark.django_db(transaction=True)
def test_refused_recipients_are_recorded_and_the_others_still_sent(worker, smtp_sink):
    issue = _published_issue()
    for n in range(4):
        SubscriberFactory(email=f"reader{n}@example.org")
    smtp_sink.refuse = {"reader1@example.org", "reader2@example.org"}

    issue_send(issue=issue)

    progress = _wait_until_sent(issue)
    assert (progress["sent"], progress["refused"]) == (2, 2)
    assert smtp_sink.per_recipient() == Counter(
        {"reader0@example.org": 1, "reader3@example.org": 1}
    )
    refused = Delivery.objects.get(subscriber__email="reader1@example.org")
    assert refused.status == Delivery.Status.REFUSED
    assert refused.last_error.startswith("550 5.1.1 <reader1@example.org>: Recipient address")
    assert refused.sent_at is None


@pytest.mark.django_db(transaction=True)
def test_resume_after_a_killed_worker_sends_the_pending_and_never_the_interrupted(
    worker, smtp_sink
):
    issue = _published_issue()
    subscribers = [SubscriberFactory(email=f"reader{n}@example.org") for n in range(6)]
    # What a worker killed mid-send leaves: two sent, one mid-message, three still to go.
    statuses = ["sent", "sent", "sending", "pending", "pending", "pending"]
    for subscriber, status in zip(subscribers, statuses, strict=True):
        Delivery.objects.create(issue=issue, subscriber=subscriber, status=status)
    issue.send_requested_at = timezone.now()
    issue.save()
    job = BackgroundJob.objects.create(
        task_name=send_issue.name, arguments={"issue_id": issue.pk}, status="running"
    )  # the dead worker's job, forever "running"

    assert sends_resume_stalled() == 1  # the periodic sweep: nobody holds the send

    progress = _wait_until_sent(issue)
    assert (progress["sent"], progress["unconfirmed"], progress["pending"]) == (5, 1, 0)
    assert smtp_sink.per_recipient() == Counter(
        {s.email: 1 for s in subscribers[3:]}
    )  # neither the two already sent nor the interrupted one again
    interrupted = Delivery.objects.get(subscriber=subscribers[2])
    assert interrupted.status == Delivery.Status.UNCONFIRMED
    assert "may or may not have arrived" in interrupted.last_error

    # The dead worker's message comes back from the broker later: nothing happens twice.
    with transaction.atomic():
        duplicate = job_enqueue(task=send_issue, issue_id=issue.pk)
    assert _wait_until_finished(duplicate) == BackgroundJob.Status.DONE
    assert smtp_sink.per_recipient() == Counter({s.email: 1 for s in subscribers[3:]})
    assert sends_resume_stalled() == 0  # finished: nothing to resume
    # The stale row is left for staff to see, as the dead worker left it.
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.RUNNING


@pytest.mark.django_db(transaction=True)
def test_staff_resend_of_unconfirmed_deliveries_sends_those_only(worker, smtp_sink):
    from publications.sending import deliveries_resend_unconfirmed

    issue = _published_issue()
    a, b = SubscriberFactory(email="a@example.org"), SubscriberFactory(email="b@example.org")
    Delivery.objects.create(issue=issue, subscriber=a, status="sent")
    Delivery.objects.create(issue=issue, subscriber=b, status="unconfirmed")
    issue.send_requested_at = issue.send_finished_at = timezone.now()
    issue.save()

    assert deliveries_resend_unconfirmed(deliveries=Delivery.objects.all()) == 1

    _wait_until_sent(issue)
    assert smtp_sink.per_recipient() == Counter({"b@example.org": 1})


# --- Refusals and errors, without a worker ----------------------------------------------------


@pytest.mark.django_db
def test_sending_an_issue_twice_is_refused(smtp_sink):
    issue = _published_issue()
    SubscriberFactory()
    issue_send(issue=issue)

    with pytest.raises(ValidationError, match="already being sent"):
        issue_send(issue=issue)

    issue_deliver(issue_id=issue.pk)
    with pytest.raises(ValidationError, match="already sent .* sent only once"):
        issue_send(issue=issue)
    assert Delivery.objects.count() == 1 and len(smtp_sink.received) == 1


@pytest.mark.django_db
def test_sending_a_draft_is_refused(smtp_sink):
    issue = NewsletterIssueFactory()  # a draft
    SubscriberFactory()

    with pytest.raises(ValidationError, match="Only a published issue can be sent"):
        issue_send(issue=issue)

    assert not Delivery.objects.exists() and not BackgroundJob.objects.exists()


@pytest.mark.django_db
def test_test_send_goes_to_one_address_only(smtp_sink):
    issue = NewsletterIssueFactory(title="Draft issue")  # a draft may be test-sent
    SubscriberFactory.create_batch(3)

    issue_send_test(issue=issue, email="editor@leadit.example")

    assert smtp_sink.per_recipient() == Counter({"editor@leadit.example": 1})
    message = smtp_sink.message_to("editor@leadit.example")
    assert message["Subject"].strip().startswith("[Test] Draft issue")
    issue.refresh_from_db()
    assert issue.test_sent_to == "editor@leadit.example" and issue.test_sent_at
    assert not Delivery.objects.exists() and issue.send_requested_at is None


@pytest.mark.django_db
def test_test_send_to_an_invalid_address_is_refused(smtp_sink):
    issue = NewsletterIssueFactory()

    with pytest.raises(ValidationError, match="valid e-mail address"):
        issue_send_test(issue=issue, email="editor@")

    assert smtp_sink.received == []


@pytest.mark.django_db
def test_test_send_with_the_mail_server_down_says_so(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens
    issue = NewsletterIssueFactory()

    with pytest.raises(ValidationError, match="The test copy could not be sent to ed@x.org"):
        issue_send_test(issue=issue, email="ed@x.org")

    issue.refresh_from_db()
    assert issue.test_sent_at is None


@pytest.mark.django_db
def test_server_asking_to_try_later_puts_the_delivery_back_for_the_retry(smtp_sink):
    issue = _published_issue()
    SubscriberFactory(email="a@example.org")
    SubscriberFactory(email="b@example.org")
    issue_send(issue=issue)
    smtp_sink.defer = {"b@example.org"}

    with pytest.raises(SMTPTemporaryError):  # the job retries it with backoff
        issue_deliver(issue_id=issue.pk)

    b = Delivery.objects.get(subscriber__email="b@example.org")
    assert b.status == Delivery.Status.PENDING and "421" in b.last_error
    smtp_sink.defer = set()
    issue_deliver(issue_id=issue.pk)  # the retry
    assert smtp_sink.per_recipient() == Counter({"a@example.org": 1, "b@example.org": 1})
    assert issue_send_progress(issue)["sent"] == 2


@pytest.mark.django_db
def test_connection_lost_after_the_message_was_handed_over_is_never_sent_again(smtp_sink):
    issue = _published_issue()
    for name in ("a", "b", "c"):
        SubscriberFactory(email=f"{name}@example.org")
    issue_send(issue=issue)
    smtp_sink.hang_up_after_data = {"b@example.org"}

    with pytest.raises(smtplib.SMTPServerDisconnected):  # transient: the job retries
        issue_deliver(issue_id=issue.pk)
    issue_deliver(issue_id=issue.pk)

    b = Delivery.objects.get(subscriber__email="b@example.org")
    assert b.status == Delivery.Status.UNCONFIRMED
    assert smtp_sink.per_recipient() == Counter(
        {"a@example.org": 1, "b@example.org": 1, "c@example.org": 1}
    )
    issue.refresh_from_db()
    assert issue.send_finished_at is not None


@pytest.mark.django_db
def test_addresses_that_need_encoding_and_long_lines_still_get_a_correct_copy(smtp_sink):
    # The copies are normally made from one pre-encoded message; an internationalised
    # domain, or a line so long the part is quoted-printable, takes the full build instead.
    issue = _published_issue()
    issue.introduction = "A very long paragraph. " * 60  # > 998 characters on one line
    issue.save()
    idn = SubscriberFactory(email="reader@bücher.example")
    plain = SubscriberFactory(email="plain@example.org")
    issue_send(issue=issue)

    issue_deliver(issue_id=issue.pk)

    assert smtp_sink.per_recipient() == Counter(
        {"reader@xn--bcher-kva.example": 1, "plain@example.org": 1}
    )
    for subscriber, address in ((idn, "reader@xn--bcher-kva.example"), (plain, plain.email)):
        message = smtp_sink.message_to(address)
        link = f"{SITE}/publications/newsletter/unsubscribe/{subscriber.unsubscribe_token}/"
        assert message["List-Unsubscribe"].strip() == f"<{link}>"
        assert link in message.get_body(("plain",)).get_content()
        assert link in message.get_body(("html",)).get_content()
        assert "A very long paragraph." in message.get_body(("html",)).get_content()


@pytest.mark.django_db
def test_a_long_send_goes_on_in_slices_each_a_job_of_its_own(smtp_sink, monkeypatch):
    monkeypatch.setattr("publications.sending.SLICE_SECONDS", 0)  # a very slow server
    issue = _published_issue()
    for n in range(3):
        SubscriberFactory(email=f"reader{n}@example.org")
    issue_send(issue=issue)

    issue_deliver(issue_id=issue.pk)

    assert issue_send_progress(issue)["sent"] == 1
    issue.refresh_from_db()
    assert issue.send_finished_at is None
    continuation = BackgroundJob.objects.latest("created_at")
    assert continuation.description == "Continue sending “Steel and cement in Q1”"
    assert continuation.arguments == {"issue_id": issue.pk}
    issue_deliver(issue_id=issue.pk)
    issue_deliver(issue_id=issue.pk)
    issue_deliver(issue_id=issue.pk)  # the last slice finds nothing more: finished
    issue.refresh_from_db()
    assert issue.send_finished_at is not None
    assert smtp_sink.per_recipient() == Counter({f"reader{n}@example.org": 1 for n in range(3)})


@pytest.mark.django_db
def test_progress_counts_each_status_and_the_total():
    issue = _published_issue()
    for status in ["sent", "sent", "refused", "pending", "unconfirmed"]:
        Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), status=status)

    progress = issue_send_progress(issue)

    assert progress == {
        "pending": 1,
        "sending": 0,
        "sent": 2,
        "refused": 1,
        "failed": 0,
        "unconfirmed": 1,
        "total": 5,
        "done": 4,
    }
