import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Public sign-up is closed: accounts come from invitations only.

    The members app holds the Invitation model; when it lands it puts the accepted
    invitation's key in the session under ``INVITATION_SESSION_KEY`` and registers a
    checker with ``register_invitation_checker``. Until then nobody can sign up.
    """

    INVITATION_SESSION_KEY = "leadit_invitation_key"
    _invitation_checker = None

    @classmethod
    def register_invitation_checker(cls, checker) -> None:
        cls._invitation_checker = staticmethod(checker)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        key = request.session.get(self.INVITATION_SESSION_KEY)
        checker = type(self)._invitation_checker
        return bool(key and checker and checker(key))

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
