from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        from allauth.account.signals import user_signed_up

        from leadit.accounts import AccountAdapter

        from . import contributions, signals

        # Sign-up opens only for a usable invitation held in the session, and the new
        # account gets the invited role straight away.
        AccountAdapter.register_invitation_checker(signals.invitation_key_is_usable)
        user_signed_up.connect(
            signals.accept_invitation_after_signup,
            dispatch_uid="members.accept_invitation_after_signup",
        )
        # The public member pages are page-cached: a change makes them stale.
        signals.connect_page_cache()
        # The tracker's member group, the home page's numbers, the newsletter's section.
        contributions.register()
