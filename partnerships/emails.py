"""The partnerships e-mails: a focal point's invitation, and the news of a proposed
commitment for the secretariat and the partnership's focal points."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leadit.invitations import INVITATION_VALID_DAYS
from leadit.mail import secretariat_addresses
from leadit.validators import email_subject

from .models import FocalPointInvitation, SupportCommitment

logger = logging.getLogger(__name__)


def send_focal_point_invitation(*, invitation_id: int, key: str, base_url: str) -> bool:
    """E-mail the one-time link. A failure is logged and leaves ``sent_at`` empty: staff
    see the invitation as not sent and resend it (a new key)."""
    invitation = FocalPointInvitation.objects.select_related("partnership").get(pk=invitation_id)
    link = base_url.rstrip("/") + reverse("partnerships:invitation", kwargs={"key": key})
    context = {"invitation": invitation, "link": link, "valid_days": INVITATION_VALID_DAYS}
    try:
        send_mail(
            subject=email_subject(
                f"[LeadIT] You are invited to keep the {invitation.partnership} partnership "
                "up to date"
            ),
            message=render_to_string("partnerships/email/focal_point_invitation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[invitation.email],
        )
    except Exception:
        logger.exception("Focal point invitation %s could not be sent", invitation.pk)
        return False
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    invitation.save(update_fields=["sent_at", "send_count"])
    return True


def focal_point_addresses(partnership_id: int) -> list[str]:
    return sorted(
        get_user_model()
        .objects.filter(focal_points__partnership_id=partnership_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def send_commitment_proposed(commitment: SupportCommitment) -> int:
    """Tell the secretariat and the request's focal points (one e-mail, each addressed)."""
    recipients = sorted(
        set(secretariat_addresses()) | set(focal_point_addresses(commitment.request.partnership_id))
    )
    if not recipients:
        return 0
    context = {
        "commitment": commitment,
        "need_url": settings.SITE_URL.rstrip("/") + commitment.request.get_absolute_url(),
    }
    return send_mail(
        subject=email_subject(
            f"[LeadIT] {commitment.supporter} can help: {commitment.request.title}"
        ),
        message=render_to_string("partnerships/email/commitment_proposed.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
