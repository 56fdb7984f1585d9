from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Industry Transition Tracker"

    def ready(self) -> None:
        from . import signals

        signals.connect()
