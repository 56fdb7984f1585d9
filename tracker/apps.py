from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Industry Transition Tracker"

    def ready(self) -> None:
        from leadit.home import home_depends_on, register_home_numbers, register_home_section

        from . import signals
        from .views import home

        signals.connect()

        # The home page: the Tracker's numbers, its coverage map and its latest changes.
        register_home_numbers(key="tracker", compute=home.tracker_numbers, order=20)
        register_home_section(
            key="coverage-map",
            template="tracker/home_map.html",
            context=home.home_map_context,
            order=5,
        )
        register_home_section(
            key="tracker-changes",
            template="tracker/home_changes.html",
            context=home.home_changes_context,
            order=15,
        )
        home_depends_on(self.get_models())

        # The newsletter: roadmaps and industrial projects of the quarter.
        from . import newsletter

        newsletter.register()
