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
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from leadit.cache import invalidate
        from tracker.groups import register_derived_group

        from .models import Member

        def leadit_member_countries() -> set[str]:
            return set(
                Member.objects.filter(
                    kind=Member.Kind.COUNTRY, status=Member.Status.ACTIVE
                ).values_list("country", flat=True)
            )

        register_derived_group(
            slug="leadit-members", name="LeadIT member countries", countries=leadit_member_countries
        )

        # Tracker pages show LeadIT-member badges and groups: a member change makes them stale.
        def member_changed(sender, **kwargs) -> None:
            invalidate("tracker", "members")

        post_save.connect(
            member_changed, sender=Member, weak=False, dispatch_uid="members-invalidate-save"
        )
        post_delete.connect(
            member_changed, sender=Member, weak=False, dispatch_uid="members-invalidate-del"
        )
        m2m_changed.connect(
            member_changed,
            sender=Member.sectors.through,
            weak=False,
            dispatch_uid="members-invalidate-m2m",
        )
