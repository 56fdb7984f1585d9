"""Invitations meet allauth: who may sign up, and what happens right after."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError

from leadit.accounts import AccountAdapter

from .services import invitation_accept, invitation_find

logger = logging.getLogger(__name__)


def invitation_key_is_usable(key: str) -> bool:
    invitation = invitation_find(key=key)
    return invitation is not None and invitation.is_usable


def accept_invitation_after_signup(sender, request, user, **kwargs) -> None:
    """``user_signed_up``: accept the invitation that opened sign-up, then forget its key."""
    key = request.session.pop(AccountAdapter.INVITATION_SESSION_KEY, None)
    invitation = invitation_find(key=key) if key else None
    if invitation is None:
        return
    try:
        invitation_accept(invitation=invitation, user=user)
    except ValidationError as exc:
        logger.warning("Invitation %s not accepted after sign-up: %s", invitation.pk, exc)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Welcome! You can now keep {invitation.member}'s page up to date."
        )
