from allauth.account.adapter import DefaultAccountAdapter
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
