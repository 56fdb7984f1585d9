from django.apps import AppConfig


class WorkplanConfig(AppConfig):
    name = "workplan"
    verbose_name = "Workplan"

    def ready(self) -> None:
        # The workplan pages are page-cached: a change to what they show makes them stale.
        from . import signals

        signals.connect()

        # The newsletter: the workplan's progress in the quarter.
        from . import newsletter

        newsletter.register()
