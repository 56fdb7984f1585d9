"""Sending a newsletter issue: the test send, the deliveries, the send job, its resume.

How a send never e-mails anyone twice
-------------------------------------
:func:`issue_send` writes one ``Delivery`` row per recipient (``pending``) and records the
``publications.send_issue`` job. The job (:func:`issue_deliver`) works through the pending
rows in batches of ``BATCH_SIZE`` messages per SMTP connection. For each delivery it
*claims* the row — an UPDATE from ``pending`` to ``sending`` that only one worker can win —
and that is committed before the SMTP conversation starts; the outcome (``sent``,
``refused`` with the server's reply, ``failed``) is committed after it.

So a delivery found in ``sending`` when no worker holds the issue is one whose worker died
between those two commits: nobody knows whether the message went out. The next run turns
it into ``unconfirmed`` and never sends it again by itself; staff see those rows and may
send them again with the Delivery admin's action. Everything still ``pending`` is sent.

Only one run works on an issue at a time: it holds a PostgreSQL session advisory lock,
which the server releases by itself when the worker's connection goes (a killed worker).
A second copy of the job (a broker redelivery, the sweep) finds the lock taken and stops.

A job sends for at most ``SLICE_SECONDS`` (under the task's soft time limit) and then
queues the next slice as a new job. ``publications.resume_stalled_sends`` (beat, every
minute) queues a job for any unfinished send that nobody is working on and no job is
queued for — the case of a worker killed outright, whose message the broker only hands
out again after its visibility timeout. A worker that starts does the same check at once.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC

from celery import shared_task
from celery.signals import worker_ready
from django.core.exceptions import ValidationError
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, QuerySet
from django.urls import reverse
from django.utils import timezone

from leadit.jobs import background_job, job_enqueue
from leadit.models import BackgroundJob

from .emails import IssueEmail, issue_email
from .models import Delivery, NewsletterIssue, Subscriber
from .subscriptions import (
    absolute,
    mail_connection,
    normalise_email,
    recipients,
    subscribers_sync_member_contacts,
    unsubscribe_url,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 100  # messages per SMTP connection
SLICE_SECONDS = 60  # one job's share of a long send; the task's soft limit is 120 s
# PostgreSQL advisory lock keys: (this class of lock, the issue's id).
SEND_LOCK_CLASS = 0x5E4D  # "send"

INTERRUPTED = (
    "The worker stopped while this e-mail was being handed to the mail server, so it may or "
    "may not have arrived. It is not sent again automatically."
)

ACTIVE = (Delivery.Status.PENDING, Delivery.Status.SENDING)


class SMTPTemporaryError(smtplib.SMTPResponseException):
    """A 4xx answer: the server asks us to try again later."""


# Worth trying again later with backoff: the server was unreachable, hung up, or answered
# 4xx. Anything else (a wrong password, an unknown host) fails the job for staff to see.
TRANSIENT = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    SMTPTemporaryError,
    ConnectionError,
    TimeoutError,
)


# --- Staff's actions ---------------------------------------------------------------------------


def issue_send_test(*, issue: NewsletterIssue, email: str, user=None) -> None:
    """Send one copy of ``issue`` to ``email`` now (subject marked "[Test]"); record it on
    the issue. Works on drafts too — that is what it is for."""
    try:
        email = normalise_email(email)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict["email"]) from None
    subscriber = Subscriber.objects.filter(
        email__iexact=email, unsubscribed_at__isnull=True
    ).first()
    # A subscriber's copy carries their own link; anyone else's a link that goes nowhere.
    link = unsubscribe_url(subscriber) if subscriber else absolute_test_link()
    message = issue_email(issue).message(to=email, unsubscribe_url=link, subject_prefix="[Test] ")
    try:
        with mail_connection() as conn:
            conn.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        raise ValidationError(f"The test copy could not be sent to {email}: {exc}") from exc
    now = timezone.now()
    NewsletterIssue.objects.filter(pk=issue.pk).update(test_sent_to=email, test_sent_at=now)
    issue.test_sent_to, issue.test_sent_at = email, now
    logger.info("%s sent a test copy of issue %s to %s", user or "Someone", issue.pk, email)


def absolute_test_link() -> str:
    return absolute_unsubscribe("test-copy")


def issue_send(*, issue: NewsletterIssue, user=None) -> BackgroundJob:
    """Send a published issue to every current subscriber, once. Writes the deliveries and
    records the send job (queued after commit). A second send is refused."""
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
        if not issue.is_published:
            raise ValidationError(
                "Only a published issue can be sent: publish this issue first "
                "(a test send works on drafts)."
            )
        if issue.send_finished_at:
            finished = issue.send_finished_at.astimezone(UTC)
            raise ValidationError(
                f"This issue was already sent (finished {finished:%-d %B %Y, %H:%M} UTC). "
                "An issue is sent only once."
            )
        if issue.send_requested_at or issue.deliveries.exists():
            since = (issue.send_requested_at or timezone.now()).astimezone(UTC)
            raise ValidationError(
                f"This issue is already being sent (since {since:%-d %B %Y, %H:%M} UTC). "
                "An issue is sent only once; its progress shows on the issue."
            )
        subscribers_sync_member_contacts()
        ids = list(recipients().order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise ValidationError("Nobody would receive it: there are no confirmed subscribers.")
        Delivery.objects.bulk_create(
            [Delivery(issue=issue, subscriber_id=pk) for pk in ids],
            batch_size=1000,
            ignore_conflicts=True,
        )
        now = timezone.now()
        NewsletterIssue.objects.filter(pk=issue.pk).update(send_requested_at=now)
        job = job_enqueue(
            task=send_issue,
            description=f"Send “{issue.title}” to {len(ids)} subscribers"
            + (f" (asked by {user})" if user else ""),
            issue_id=issue.pk,
        )
    return job


def issue_send_progress(issue: NewsletterIssue) -> dict[str, int]:
    """How many deliveries of ``issue`` are in each status, their ``total`` and how many
    are ``done`` (no longer pending or being sent). One query."""
    counts = dict(
        Delivery.objects.filter(issue_id=issue.pk)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    progress = {status: counts.get(status, 0) for status in Delivery.Status.values}
    progress["total"] = sum(counts.values())
    progress["done"] = progress["total"] - sum(progress[s] for s in ACTIVE)
    return progress


def deliveries_resend_unconfirmed(*, deliveries: QuerySet[Delivery], user=None) -> int:
    """Staff's explicit decision to send the ``unconfirmed`` ones among ``deliveries``
    again (their subscribers may get a second copy). Returns how many were queued."""
    with transaction.atomic():
        chosen = deliveries.filter(
            status=Delivery.Status.UNCONFIRMED, subscriber__unsubscribed_at__isnull=True
        )
        issue_ids = sorted(set(chosen.values_list("issue_id", flat=True)))
        count = Delivery.objects.filter(pk__in=chosen.values("pk")).update(
            status=Delivery.Status.PENDING,
            last_error=f"Sent again at staff's request ({user or 'unknown'}, "
            f"{timezone.now():%Y-%m-%d %H:%M} UTC) after an interruption.",
        )
        for issue_id in issue_ids:
            NewsletterIssue.objects.filter(pk=issue_id).update(send_finished_at=None)
            job_enqueue(
                task=send_issue,
                description=f"Send again interrupted deliveries of issue {issue_id}",
                issue_id=issue_id,
            )
    return count


# --- The send job --------------------------------------------------------------------------------


@contextmanager
def _issue_lock(issue_id: int):
    """Yield True if this process now holds the issue's send lock (released on exit, or by
    PostgreSQL when the connection dies); False if another process holds it."""
    if connection.vendor != "postgresql":
        yield True  # the embedded SQLite default runs tasks eagerly, one at a time
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [SEND_LOCK_CLASS, issue_id])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [SEND_LOCK_CLASS, issue_id])
            except DatabaseError:
                logger.warning("Could not release the send lock of issue %s", issue_id)


def _lock_is_held(issue_id: int) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = %s AND objid = %s AND objsubid = 2)",
            [SEND_LOCK_CLASS, issue_id],
        )
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class _Recipient:
    delivery_id: int
    email: str
    token: str


class _Interrupted(Exception):
    """The connection broke while a message was being transmitted."""


def absolute_unsubscribe(token: str) -> str:
    return absolute(reverse("publications:unsubscribe", kwargs={"token": token}))


def _next_batch(issue_id: int) -> list[_Recipient]:
    pending = Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.PENDING)
    # Unsubscribed since the send began (their rows are normally deleted at once).
    pending.filter(subscriber__unsubscribed_at__isnull=False).delete()
    rows = pending.order_by("pk").values_list(
        "pk", "subscriber__email", "subscriber__unsubscribe_token"
    )[:BATCH_SIZE]
    return [_Recipient(*row) for row in rows]


def _claim(delivery_id: int) -> bool:
    """Take a pending delivery (committed): only one worker can win this UPDATE."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, attempts=F("attempts") + 1
        )
    )


def _record(delivery_id: int, status: str, error: str = "") -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        status=status,
        last_error=error[:2000],
        sent_at=timezone.now() if status == Delivery.Status.SENT else None,
    )


# The outcome of one delivery and the claim of the next in ONE statement: the hot path of
# a send is a database round trip and a commit per message, and this halves both.
_RECORD_AND_CLAIM = """
WITH recorded AS (
    UPDATE publications_delivery SET status = %s, last_error = %s, sent_at = %s WHERE id = %s
)
UPDATE publications_delivery SET status = 'sending', attempts = attempts + 1
WHERE id = %s AND status = 'pending'
"""


def _record_and_claim(outcome: tuple[int, str, str] | None, delivery_id: int) -> bool:
    """Save ``outcome`` (if any) and claim ``delivery_id``, committed together."""
    if outcome is None or connection.vendor != "postgresql":
        with transaction.atomic():
            if outcome:
                _record(*outcome)
            return _claim(delivery_id)
    done_id, status, error = outcome
    sent_at = timezone.now() if status == Delivery.Status.SENT else None
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_AND_CLAIM, [status, error[:2000], sent_at, done_id, delivery_id])
        return cursor.rowcount == 1


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _transmit_backend(conn, message) -> tuple[str, str]:
    """Any other e-mail backend (console, locmem): just send."""
    try:
        conn.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        return Delivery.Status.REFUSED, "; ".join(
            _reply(code, text) for code, text in exc.recipients.values()
        )
    return Delivery.Status.SENT, ""


def _transmit_smtp(smtp: smtplib.SMTP, sender: str, recipient: str, payload: bytes):
    """Hand one message to the mail server: ``(status, server's reply)``.

    The conversation is held step by step, so a failure before DATA (nothing was
    transmitted; raised as is: the delivery is safe to send again) is told apart from one
    during DATA (``_Interrupted``: the server may have the message)."""
    smtp.ehlo_or_helo_if_needed()
    code, text = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        if 400 <= code < 500:
            raise SMTPTemporaryError(code, text)
        raise smtplib.SMTPSenderRefused(code, text, sender)
    code, text = smtp.rcpt(recipient)
    if code not in (250, 251):
        smtp.rset()
        if code == 421:  # the server is closing the connection
            raise SMTPTemporaryError(code, text)
        return Delivery.Status.REFUSED, _reply(code, text)
    try:
        code, text = smtp.data(payload)
    except smtplib.SMTPResponseException as exc:  # refused in reply to DATA itself
        code, text = exc.smtp_code, exc.smtp_error
    except BaseException as exc:
        # A broken connection, a time limit…: the server may or may not have it all.
        raise _Interrupted(str(exc) or type(exc).__name__) from exc
    if code == 250:
        return Delivery.Status.SENT, ""
    smtp.rset()
    if 400 <= code < 500:
        raise SMTPTemporaryError(code, text)
    return Delivery.Status.FAILED, _reply(code, text)


class _Copies:
    """Each recipient's copy of the issue: from the pre-encoded message when it can be
    (see ``IssueEmail.raw``), else built in full."""

    def __init__(self, email: IssueEmail):
        self.email = email
        self.raw = email.raw()

    def transmit(self, conn, recipient: _Recipient) -> tuple[str, str]:
        link = absolute_unsubscribe(recipient.token)
        if not isinstance(conn, SMTPBackend):
            message = self.email.message(to=recipient.email, unsubscribe_url=link, connection=conn)
            return _transmit_backend(conn, message)
        payload = (
            self.raw.for_recipient(to=recipient.email, unsubscribe_url=link) if self.raw else None
        )
        if payload is not None:
            sender, envelope_to = self.raw.sender, recipient.email
        else:
            message = self.email.message(to=recipient.email, unsubscribe_url=link)
            encoding = message.encoding or "utf-8"
            sender = sanitize_address(message.from_email, encoding)
            envelope_to = sanitize_address(recipient.email, encoding)
            payload = message.message().as_bytes(linesep="\r\n")
        return _transmit_smtp(conn.connection, sender, envelope_to, payload)


def _send_batch(copies: _Copies, batch: list[_Recipient], counts: Counter, deadline: float) -> bool:
    """Send ``batch`` over one SMTP connection; False if the slice's ``deadline`` came
    first. Each delivery's outcome is committed together with the claim of the next one
    (one commit per message); the outcome of the last one when the batch ends, whatever
    ends it."""
    conn = mail_connection()
    conn.open()
    outcome: tuple[int, str, str] | None = None  # (delivery, status, reply) not yet saved
    try:
        for recipient in batch:
            if time.monotonic() > deadline and recipient is not batch[0]:
                return False  # a slow server: leave the rest to the next slice
            claimed = _record_and_claim(outcome, recipient.delivery_id)
            outcome = None
            if not claimed:
                continue  # taken by another worker, or unsubscribed a moment ago
            try:
                status, reply = copies.transmit(conn, recipient)
            except _Interrupted as exc:
                _record(
                    recipient.delivery_id, Delivery.Status.UNCONFIRMED, f"{INTERRUPTED} ({exc})"
                )
                counts["unconfirmed"] += 1
                cause = exc.__cause__
                if isinstance(cause, smtplib.SMTPException | OSError):
                    # The connection broke: the job tries the rest again later.
                    raise smtplib.SMTPServerDisconnected(str(exc)) from exc
                raise cause from None
            except BaseException as exc:
                # Nothing was transmitted: the delivery goes back to the queue.
                Delivery.objects.filter(pk=recipient.delivery_id).update(
                    status=Delivery.Status.PENDING,
                    last_error=f"{type(exc).__name__}: {exc}"[:2000],
                )
                raise
            outcome = (recipient.delivery_id, status, reply)
            counts[str(status)] += 1
        return True
    finally:
        if outcome:
            _record(*outcome)
        with suppress(smtplib.SMTPException, OSError):
            conn.close()


def issue_deliver(*, issue_id: int) -> dict[str, int]:
    """The work of one send job (see the module docstring). Returns what it did."""
    issue = NewsletterIssue.objects.filter(pk=issue_id).first()
    if issue is None:
        logger.info("Issue %s is gone; nothing to send", issue_id)
        return {}
    counts: Counter = Counter()
    more = False
    with _issue_lock(issue_id) as locked:
        if not locked:
            logger.info("Issue %s is being sent by another worker", issue_id)
            return {"skipped": 1}
        # We hold the lock, so any delivery still "sending" lost its worker mid-message.
        counts["interrupted"] = Delivery.objects.filter(
            issue_id=issue_id, status=Delivery.Status.SENDING
        ).update(status=Delivery.Status.UNCONFIRMED, last_error=INTERRUPTED)
        if counts["interrupted"]:
            logger.warning(
                "Issue %s: %s deliveries were interrupted; marked unconfirmed",
                issue_id,
                counts["interrupted"],
            )
        copies = _Copies(issue_email(issue))
        deadline = time.monotonic() + SLICE_SECONDS
        while batch := _next_batch(issue_id):
            if not _send_batch(copies, batch, counts, deadline) or time.monotonic() > deadline:
                more = True
                break
        if not more:
            NewsletterIssue.objects.filter(pk=issue_id, send_finished_at__isnull=True).update(
                send_finished_at=timezone.now()
            )
    if more:
        # After the lock is released, so the next slice can take it at once.
        job_enqueue(
            task=send_issue,
            description=f"Continue sending “{issue.title}”",
            issue_id=issue_id,
        )
    logger.info("Issue %s: %s", issue_id, dict(counts))
    return dict(counts)


@background_job(name="publications.send_issue", transient=TRANSIENT)
def send_issue(*, issue_id: int) -> dict[str, int]:
    """Send a newsletter issue's pending deliveries (resumable; see ``sending``)."""
    return issue_deliver(issue_id=issue_id)


def sends_resume_stalled() -> int:
    """Queue a send job for every unfinished send nobody is working on and no job is
    queued for. Returns how many were queued."""
    queued = 0
    unfinished = NewsletterIssue.objects.filter(
        send_requested_at__isnull=False, send_finished_at__isnull=True
    ).values_list("pk", "title")
    for issue_id, title in unfinished:
        waiting = BackgroundJob.objects.filter(
            task_name=send_issue.name,
            status=BackgroundJob.Status.QUEUED,
            arguments__issue_id=issue_id,
        ).exists()
        if waiting or _lock_is_held(issue_id):
            continue
        with transaction.atomic():
            job_enqueue(task=send_issue, description=f"Resume sending “{title}”", issue_id=issue_id)
        queued += 1
        logger.warning("Resuming the stalled send of issue %s", issue_id)
    return queued


@shared_task(name="publications.resume_stalled_sends")
def resume_stalled_sends() -> int:
    """Periodic (beat, every minute): resume sends whose worker died."""
    return sends_resume_stalled()


@worker_ready.connect
def _resume_when_a_worker_starts(sender=None, **kwargs) -> None:
    """A worker (re)starting is the usual sign that one died: resume the sends nobody is
    working on now rather than at the next beat — the dead worker's own message only comes
    back from Redis after the broker's visibility timeout (an hour)."""
    try:
        sends_resume_stalled()
    except Exception:  # never keep a worker from starting
        logger.exception("Could not look for stalled newsletter sends")
    finally:
        connection.close()  # the worker's main process does no other database work
