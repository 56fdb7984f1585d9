from django.apps import AppConfig


class TechnologyConfig(AppConfig):
    name = "technology"
    verbose_name = "Technology transfer"

    def ready(self):
        # What technology adds to the registries of leadit (home page, newsletter) and its
        # page-cache signals and lost-render answer; each module registers itself.
        from . import contributions

        contributions.register()
