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


# --- The page cache ----------------------------------------------------------------------

# The public member pages (directory, profiles, CSV) are cached under this namespace
# (``leadit.cache``); pages of higher apps that show members (events, the workplan) listen
# to these models themselves, the home page through ``home_depends_on``.
PAGES_NAMESPACE = "members"


def _page_models():
    """What the directory, the profiles and the CSV show: the member and its parts, the
    sectors they name and a country member's national roadmaps (tracker)."""
    from tracker.models import Roadmap, Sector

    from . import models

    return [
        models.Member,
        models.Contact,
        models.Pillar,
        models.PillarEngagement,
        models.Commitment,
        models.MemberCommitment,
        models.Milestone,
        models.ProgressUpdate,
        models.ImpactStory,
        Sector,
        Roadmap,
    ]


def connect_page_cache() -> None:
    """Any change to what the public member pages show makes them all stale at once.
    (Invitations, roles and editors' accounts are left out: no public page shows them.)"""
    from leadit.page_signals import stale_on_change

    from .models import Member

    stale_on_change(PAGES_NAMESPACE, models=_page_models(), throughs=[Member.sectors.through])
