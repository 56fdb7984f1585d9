"""Milestone reminders (beat, daily): claim who is due, then fan the e-mails out in
chunks so that several workers share a large send. Thin: the work is in
``members.reminders``."""

import logging

from celery import shared_task
from django.db import transaction

from leadit.mail import TRANSIENT_MAIL_ERRORS

from . import reminders

logger = logging.getLogger(__name__)


@shared_task(name="members.send_milestone_reminders")
def send_milestone_reminders() -> dict[str, int]:
    """Claim today's reminders (rows first: nothing is lost if a chunk's task is) and
    queue one task per chunk of people once the claim is committed."""
    ids = reminders.milestone_reminders_claim()
    batches = reminders.chunks(ids)
    for batch in batches:
        transaction.on_commit(
            lambda batch=batch: send_milestone_reminder_batch.delay(reminder_ids=batch)
        )
    logger.info("Milestone reminders: %s to send in %s chunks", len(ids), len(batches))
    return {"reminders": len(ids), "chunks": len(batches)}


# The mail server away: retried with backoff; the rows already sent in the chunk are
# skipped on the retry (their sent_at is set).
@shared_task(
    name="members.send_milestone_reminder_batch",
    autoretry_for=TRANSIENT_MAIL_ERRORS,
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=6,
)
def send_milestone_reminder_batch(*, reminder_ids: list[int]) -> dict[str, int]:
    return reminders.milestone_reminders_send(reminder_ids=reminder_ids)
