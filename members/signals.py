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


def pages_changed() -> None:
    """Make every cached member page stale: now, so that the writer's next request shows the
    change, and again after commit, so that a page rendered meanwhile from the old rows does
    not outlive the transaction."""
    from django.db import transaction

    from leadit.cache import invalidate

    invalidate(PAGES_NAMESPACE)
    transaction.on_commit(lambda: invalidate(PAGES_NAMESPACE))


def _member_pages_changed(sender, **kwargs) -> None:
    pages_changed()


def _page_models():
    """What the directory, the profiles and the CSV show: the member and its parts, the
    sectors they name and a country member's national roadmaps (tracker)."""
    from tracker.models import Roadmap, Sector

    from .models import (
        Commitment,
        Contact,
        ImpactStory,
        Member,
        MemberCommitment,
        Milestone,
        Pillar,
        PillarEngagement,
        ProgressUpdate,
    )

    return [
        Member,
        Contact,
        Pillar,
        PillarEngagement,
        Commitment,
        MemberCommitment,
        Milestone,
        ProgressUpdate,
        ImpactStory,
        Sector,
        Roadmap,
    ]


def connect_page_cache() -> None:
    """Any change to what the public member pages show makes them all stale at once.
    (Invitations, roles and editors' accounts are left out: no public page shows them.)"""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import Member

    for model in _page_models():
        uid = f"members-pages-{model._meta.label_lower}"
        post_save.connect(_member_pages_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_member_pages_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        _member_pages_changed, sender=Member.sectors.through, dispatch_uid="members-pages-sectors"
    )
