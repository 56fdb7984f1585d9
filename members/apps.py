from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        from allauth.account.signals import user_signed_up

        from leadit.accounts import AccountAdapter

        from . import signals

        # Sign-up opens only for a usable invitation held in the session, and the new
        # account gets the invited role straight away.
        AccountAdapter.register_invitation_checker(signals.invitation_key_is_usable)
        user_signed_up.connect(
            signals.accept_invitation_after_signup,
            dispatch_uid="members.accept_invitation_after_signup",
        )
