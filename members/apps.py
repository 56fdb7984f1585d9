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
        # The public member pages are page-cached: a change makes them stale.
        signals.connect_page_cache()
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

        # The home page: LeadIT in numbers (members and member countries; the coverage map
        # marks the member countries too).
        from django.db.models import Count, Q
        from django.urls import reverse

        from leadit.home import HomeNumber, home_depends_on, register_home_numbers

        def member_numbers() -> list[HomeNumber]:
            counts = Member.objects.filter(status=Member.Status.ACTIVE).aggregate(
                members=Count("pk", filter=Q(is_demo=False)),
                countries=Count("pk", filter=Q(is_demo=False, kind=Member.Kind.COUNTRY)),
                demo=Count("pk", filter=Q(is_demo=True)),
            )
            demo = counts["demo"]
            note = (
                f"{demo} demo member{'s' if demo != 1 else ''} (invented) not counted."
                if demo
                else ""
            )
            return [
                HomeNumber(
                    value=counts["members"],
                    label="members: countries and companies",
                    url=reverse("members:index"),
                    note=note,
                ),
                HomeNumber(
                    value=counts["countries"],
                    label="member countries",
                    url=reverse("members:index") + "?kind=country",
                ),
            ]

        register_home_numbers(key="members", compute=member_numbers, order=10)
        home_depends_on([Member])

        # The newsletter: members' progress of the quarter.
        from . import newsletter

        newsletter.register()
