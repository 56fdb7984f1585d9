from django.apps import AppConfig


class WorkplanConfig(AppConfig):
    name = "workplan"
    verbose_name = "Workplan"

    def ready(self) -> None:
        # The newsletter: the workplan's progress in the quarter.
        from . import newsletter

        newsletter.register()
