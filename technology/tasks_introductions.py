"""The introductions' jobs (thin: fetch, log and return if gone, call the e-mail)."""

import logging

from leadit.jobs import background_job
from leadit.mail import TRANSIENT_MAIL_ERRORS

from . import emails
from .models import Introduction

logger = logging.getLogger(__name__)


def _introduction(introduction_id: int) -> Introduction | None:
    introduction = (
        Introduction.objects.select_related(
            "requested_by", "requester_member", "requester_partnership", "answered_by",
            "solution__member", "solution__institution", "need__partnership",
        )
        .filter(pk=introduction_id)
        .first()
    )  # fmt: skip
    if introduction is None:
        logger.info("Introduction %s is gone; no e-mail", introduction_id)
    return introduction


def _notify(introduction_id: int, send) -> int:
    introduction = _introduction(introduction_id)
    return 0 if introduction is None else send(introduction)


@background_job(name="technology.notify_introduction_asked", transient=TRANSIENT_MAIL_ERRORS)
def notify_introduction_asked(*, introduction_id: int) -> int:
    return _notify(introduction_id, emails.send_introduction_asked)


@background_job(name="technology.notify_introduction_accepted", transient=TRANSIENT_MAIL_ERRORS)
def notify_introduction_accepted(*, introduction_id: int) -> int:
    return _notify(introduction_id, emails.send_introduction_accepted)


@background_job(name="technology.notify_introduction_declined", transient=TRANSIENT_MAIL_ERRORS)
def notify_introduction_declined(*, introduction_id: int) -> int:
    return _notify(introduction_id, emails.send_introduction_declined)


@background_job(name="technology.notify_introduction_withdrawn", transient=TRANSIENT_MAIL_ERRORS)
def notify_introduction_withdrawn(*, introduction_id: int) -> int:
    return _notify(introduction_id, emails.send_introduction_withdrawn)
