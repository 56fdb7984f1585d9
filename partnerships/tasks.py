"""The partnerships jobs (thin: fetch, log and return if gone, call the e-mail)."""

import logging

from leadit.jobs import background_job
from leadit.mail import TRANSIENT_MAIL_ERRORS

from .emails import send_commitment_proposed
from .models import SupportCommitment

logger = logging.getLogger(__name__)


@background_job(name="partnerships.notify_commitment_proposed", transient=TRANSIENT_MAIL_ERRORS)
def notify_commitment_proposed(*, commitment_id: int) -> int:
    commitment = (
        SupportCommitment.objects.select_related(
            "request__partnership", "member", "institution", "offer", "proposed_by"
        )
        .filter(pk=commitment_id)
        .first()
    )
    if commitment is None:
        logger.info("Commitment %s is gone; no notification", commitment_id)
        return 0
    return send_commitment_proposed(commitment)
