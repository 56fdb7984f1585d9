"""Invitations meet allauth: who may sign up, and what happens right after."""

from django.contrib import messages
from django.utils.html import format_html

from leadit.accounts import InvitationKind

from .services import invitation_accept, invitation_find


def usable_invitation(key: str):
    invitation = invitation_find(key=key)
    return invitation if invitation is not None and invitation.is_usable else None


def accept_invitation_after_signup(request, user, invitation) -> None:
    """Signing up through an editor's invitation: grant the role straight away."""
    invitation_accept(invitation=invitation, user=user)
    messages.success(request, f"Welcome! You can now keep {invitation.member}'s page up to date.")


# Sign-up opens for a usable editor's invitation held in the session (leadit.accounts).
INVITATION_KIND = InvitationKind(
    name="member editor",
    find_usable=usable_invitation,
    accept=accept_invitation_after_signup,
    purpose=lambda invitation: format_html(
        "keep <strong>{}</strong>'s page up to date", invitation.member
    ),
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
        models.ReportedCommitment,
        models.ImpactStory,
        Sector,
        Roadmap,
    ]


def connect_page_cache() -> None:
    """Any change to what the public member pages show makes them all stale at once.
    (Invitations, roles and editors' accounts are left out: no public page shows them.)"""
    from leadit.page_signals import stale_on_change

    from .models import Member, ProgressUpdate

    stale_on_change(
        PAGES_NAMESPACE,
        models=_page_models(),
        throughs=[Member.sectors.through, ProgressUpdate.pillars.through],
    )
