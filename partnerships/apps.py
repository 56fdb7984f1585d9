from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self):
        # What partnerships adds to the registries of leadit (home page, newsletter,
        # workplan metrics) and its page-cache signals; each module registers itself.
        from . import contributions

        contributions.register()
