"""What every invitation of the portal shares (members' editors, partnerships' focal
points): a one-time key of which only the SHA-256 is stored, an expiry, the state read off
its dates, and the hand-over to sign-up (the key in the session, the invited address
stashed as verified). Each app keeps its own invitation model and what accepting grants;
``leadit.accounts.register_invitation_kind`` tells sign-up about it."""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

INVITATION_VALID_DAYS = 14
# The session entry that opens sign-up for one invitation (AccountAdapter reads it).
INVITATION_SESSION_KEY = "leadit_invitation_key"


class InvitationState(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


def hash_invitation_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def invitation_state(invitation) -> InvitationState:
    """The state of anything with ``accepted_at``, ``revoked_at`` and ``expires_at``."""
    if invitation.accepted_at:
        return InvitationState.ACCEPTED
    if invitation.revoked_at:
        return InvitationState.REVOKED
    if invitation.expires_at <= timezone.now():
        return InvitationState.EXPIRED
    return InvitationState.PENDING


def invitation_issue_key(invitation, *, valid_days: int = INVITATION_VALID_DAYS) -> str:
    """A fresh key for ``invitation`` (its hash and a new expiry set on it, not saved);
    the key itself is returned for the e-mail and never stored."""
    key = secrets.token_urlsafe(32)
    invitation.key_hash = hash_invitation_key(key)
    invitation.expires_at = timezone.now() + timedelta(days=valid_days)
    return key


def account_exists(email: str) -> bool:
    return (
        EmailAddress.objects.filter(email__iexact=email).exists()
        or get_user_model().objects.filter(email__iexact=email).exists()
    )


def invitation_open_signup(request, *, key: str, email: str, next_url: str):
    """Open sign-up for this invitation only, with the invited address already counted as
    verified (the link was e-mailed to it); the response sends the visitor there."""
    request.session[INVITATION_SESSION_KEY] = key
    get_account_adapter(request).stash_verified_email(request, email)
    query = urlencode({"email": email, "next": next_url})
    return redirect(reverse("account_signup") + "?" + query)
