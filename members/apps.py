from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        from leadit.accounts import register_invitation_kind

        from . import contributions, milestone_pdf, signals

        # Sign-up opens only for a usable invitation held in the session, and the new
        # account gets the invited role straight away.
        register_invitation_kind(signals.INVITATION_KIND)
        # The public member pages are page-cached: a change makes them stale.
        signals.connect_page_cache()
        # The tracker's member group, the home page's numbers, the newsletter's section.
        contributions.register()
        # A progress-report PDF whose worker was lost is marked failed, not left queued.
        milestone_pdf.register()
