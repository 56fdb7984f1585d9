from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self):
        # What partnerships adds to the registries of leadit (home page, newsletter,
        # workplan metrics) and its page-cache signals; each module registers itself.
        from leadit.accounts import register_invitation_kind

        from . import contributions
        from .services.invitations import INVITATION_KIND

        contributions.register()
        # A focal point's invitation opens sign-up as a member editor's does.
        register_invitation_kind(INVITATION_KIND)
