"""Focal points' invitations: staff invite an address to keep one partnership; the
e-mailed one-time link (only its hash is stored) makes its holder a focal point. The key,
expiry, state and sign-up hand-over are shared with members' invitations
(leadit/invitations.py)."""

import functools
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html

from leadit.accounts import InvitationKind
from leadit.invitations import (
    InvitationState,
    hash_invitation_key,
    invitation_issue_key,
    invitation_state,
)

from ..emails import send_focal_point_invitation
from ..models import FocalPoint, FocalPointInvitation, Partnership

logger = logging.getLogger(__name__)


def focal_point_invitation_find(*, key: str) -> FocalPointInvitation | None:
    return (
        FocalPointInvitation.objects.select_related("partnership")
        .filter(key_hash=hash_invitation_key(key))
        .first()
    )


def _send_after_commit(invitation: FocalPointInvitation, key: str, base_url: str) -> None:
    # The key travels in this closure only: never in the database, nor in a job's row.
    transaction.on_commit(
        functools.partial(
            send_focal_point_invitation, invitation_id=invitation.pk, key=key, base_url=base_url
        )
    )


def focal_point_invitation_create(
    *, partnership: Partnership, email: str, invited_by, base_url: str
) -> FocalPointInvitation:
    """Invite ``email`` to be a focal point of ``partnership``; the link is e-mailed."""
    invitation = FocalPointInvitation(
        partnership=partnership, email=email.strip().lower(), invited_by=invited_by
    )
    key = invitation_issue_key(invitation)
    invitation.full_clean()
    with transaction.atomic():
        invitation.save()
        _send_after_commit(invitation, key, base_url)
    return invitation


def focal_point_invitation_resend(
    *, invitation: FocalPointInvitation, base_url: str
) -> FocalPointInvitation:
    """A fresh link (the old one stops working) with a new expiry date."""
    state = invitation_state(invitation)
    if state in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        raise ValidationError(f"This invitation is {state.label.lower()}.")
    with transaction.atomic():
        key = invitation_issue_key(invitation)
        invitation.save(update_fields=["key_hash", "expires_at"])
        _send_after_commit(invitation, key, base_url)
    return invitation


def focal_point_invitation_revoke(*, invitation: FocalPointInvitation) -> FocalPointInvitation:
    if invitation.accepted_at:
        raise ValidationError("An accepted invitation cannot be revoked; remove the focal point.")
    invitation.revoked_at = invitation.revoked_at or timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def focal_point_invitation_accept(*, invitation: FocalPointInvitation, user) -> FocalPoint:
    """Make ``user`` (whose address must be the invited one) a focal point."""
    with transaction.atomic():
        invitation = FocalPointInvitation.objects.select_for_update().get(pk=invitation.pk)
        state = invitation_state(invitation)
        if state != InvitationState.PENDING:
            raise ValidationError(f"This invitation is {state.label.lower()}.")
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                f"This invitation is for {invitation.email}; you are signed in as {user.email}."
            )
        focal_point, _ = FocalPoint.objects.get_or_create(
            user=user, partnership=invitation.partnership
        )
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    logger.info("Focal point invitation %s accepted by user %s", invitation.pk, user.pk)
    return focal_point


def _usable(key: str) -> FocalPointInvitation | None:
    invitation = focal_point_invitation_find(key=key)
    if invitation is None or invitation_state(invitation) != InvitationState.PENDING:
        return None
    return invitation


def _accept_after_signup(request, user, invitation: FocalPointInvitation) -> None:
    focal_point_invitation_accept(invitation=invitation, user=user)
    messages.success(
        request, f"Welcome! You are now a focal point of the {invitation.partnership} partnership."
    )


# Sign-up opens for a usable focal point invitation held in the session (apps.py registers
# it with leadit.accounts.register_invitation_kind).
INVITATION_KIND = InvitationKind(
    name="partnership focal point",
    find_usable=_usable,
    accept=_accept_after_signup,
    purpose=lambda invitation: format_html(
        "be a focal point of <strong>{}</strong>, keeping its requests, "
        "plan values and pipeline projects up to date",
        invitation.partnership,
    ),
)
