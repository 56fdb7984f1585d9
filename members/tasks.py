import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from leadit.jobs import background_job
from leadit.mail import TRANSIENT_MAIL_ERRORS, secretariat_addresses
from leadit.validators import email_subject

from . import (
    tasks_milestones,  # noqa: F401 - found by autodiscovery through this module
    tasks_reminders,  # noqa: F401 - autodiscovery imports only tasks.py
)
from .models import ProgressUpdate

logger = logging.getLogger(__name__)


def _tell_secretariat(update: ProgressUpdate, *, what: str, template: str) -> int:
    recipients = secretariat_addresses()
    if not recipients:
        return 0
    return send_mail(
        subject=email_subject(f"[LeadIT] {update.member} {what}: {update.title}"),
        message=render_to_string(template, {"update": update, "site_url": settings.SITE_URL}),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def _update(update_id: int, **conditions) -> ProgressUpdate | None:
    return (
        ProgressUpdate.objects.select_related("member", "milestone", "author")
        .filter(pk=update_id, **conditions)
        .first()
    )


@background_job(
    name="members.notify_secretariat_of_progress_update", transient=TRANSIENT_MAIL_ERRORS
)
def notify_secretariat_of_progress_update(*, update_id: int) -> int:
    update = _update(update_id)
    if update is None:
        logger.info("Progress update %s is gone; no notification", update_id)
        return 0
    return _tell_secretariat(
        update, what="published a progress update", template="members/email/update_published.txt"
    )


@background_job(
    name="members.notify_secretariat_of_hidden_update_edit", transient=TRANSIENT_MAIL_ERRORS
)
def notify_secretariat_of_hidden_update_edit(*, update_id: int, edited_at: str = "") -> int:
    """A member edited an update the secretariat had hidden: ask for a review. Nothing is
    sent if the update is gone or no longer hidden (it was reviewed meanwhile)."""
    update = _update(update_id, status=ProgressUpdate.Status.HIDDEN)
    if update is None:
        logger.info("Progress update %s is gone or no longer hidden; no notification", update_id)
        return 0
    return _tell_secretariat(
        update,
        what="edited a hidden progress update",
        template="members/email/hidden_update_edited.txt",
    )
