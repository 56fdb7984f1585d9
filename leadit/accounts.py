import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .invitations import INVITATION_SESSION_KEY

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvitationKind:
    """One kind of invitation that opens sign-up (a member's editors, a partnership's
    focal points). ``find_usable(key)``: the usable invitation of that key, or None;
    ``accept(request, user, invitation)``: what signing up through it grants (it may raise
    ValidationError, shown to the new user); ``purpose(invitation)``: what the invitation
    is for, ending the sign-up page's "You are accepting the invitation to …" (HTML-safe:
    build it with format_html)."""

    name: str
    find_usable: Callable[[str], object | None]
    accept: Callable[[HttpRequest, object, object], None]
    purpose: Callable[[object], str] | None = None


_INVITATION_KINDS: dict[str, InvitationKind] = {}


def register_invitation_kind(kind: InvitationKind) -> None:
    """Each app with invitations registers its kind in its ``ready()``: sign-up opens for
    a usable invitation of any registered kind held in the session."""
    _INVITATION_KINDS[kind.name] = kind
    _connect_signup_receiver()


def usable_invitation(key: str | None) -> tuple[InvitationKind, object] | None:
    """The registered kind and usable invitation that ``key`` opens, or None."""
    if not key:
        return None
    for kind in _INVITATION_KINDS.values():
        invitation = kind.find_usable(key)
        if invitation is not None:
            return kind, invitation
    return None


def accept_invitation_after_signup(sender, request, user, **kwargs) -> None:
    """``user_signed_up``: accept the invitation that opened sign-up, then forget its key.
    One receiver for every kind, so the key is read once, whatever kind it belongs to."""
    found = usable_invitation(request.session.pop(INVITATION_SESSION_KEY, None))
    if found is None:
        return
    kind, invitation = found
    try:
        kind.accept(request, user, invitation)
    except ValidationError as exc:
        from django.contrib import messages

        logger.warning("Invitation %s not accepted after sign-up: %s", invitation.pk, exc)
        messages.error(request, " ".join(exc.messages))


def _connect_signup_receiver() -> None:
    from allauth.account.signals import user_signed_up

    user_signed_up.connect(
        accept_invitation_after_signup, dispatch_uid="leadit.accept_invitation_after_signup"
    )


class AccountAdapter(DefaultAccountAdapter):
    """Public sign-up is closed: accounts come from invitations only.

    An invitation's page puts its key in the session under ``INVITATION_SESSION_KEY``
    (``leadit.invitations.invitation_open_signup``); sign-up is open while that key is a
    usable invitation of a registered kind (``register_invitation_kind``)."""

    INVITATION_SESSION_KEY = INVITATION_SESSION_KEY

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return usable_invitation(request.session.get(self.INVITATION_SESSION_KEY)) is not None

    def clean_email(self, email: str) -> str:
        """Signing up through an invitation: the account's address is the invited one,
        which the invitation stashed as verified; another address is refused. (allauth
        also cleans addresses after taking the stash off the session: no check then.)"""
        email = super().clean_email(email)
        request = self.request
        match = getattr(request, "resolver_match", None)
        invited = request.session.get("account_verified_email") if match else None
        if (
            invited
            and match.url_name == "account_signup"
            and request.session.get(self.INVITATION_SESSION_KEY)
            and email.lower() != invited.lower()
        ):
            raise ValidationError(f"Use the address the invitation was sent to: {invited}.")
        return email

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A sign-in counts as a reauthentication for as long as a reauthentication does
        (``ACCOUNT_REAUTHENTICATION_TIMEOUT``): staff who must set up an authenticator
        app right after signing in are not asked for their password a second time."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        return required and not self._signed_in_moments_ago()

    def _signed_in_moments_ago(self) -> bool:
        request = self.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return False
        records = get_authentication_records(request, user)
        if not records:
            return False
        latest = max(record.get("at", 0) for record in records)
        return time.time() - latest < account_settings.REAUTHENTICATION_TIMEOUT
