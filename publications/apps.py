from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = "Publications"

    def ready(self) -> None:
        from leadit.home import home_depends_on, register_home_section
        from leadit.jobs import job_lost
        from workplan.metrics import register_metric

        from . import documents, signals
        from .models import Brief, Publication
        from .selectors import briefs_published_between, latest_briefs

        signals.connect()
        job_lost.connect(documents.document_job_lost, dispatch_uid="publications-render-lost")

        register_home_section(
            key="latest-briefs",
            template="publications/home_latest_briefs.html",
            context=lambda request: {"briefs": latest_briefs(limit=3)},
            order=20,
        )
        home_depends_on([Publication, Brief])

        # The newsletter's own section (the other apps register theirs).
        from .newsletter import briefs as newsletter_briefs

        newsletter_briefs.register()

        def briefs_published(workplan, options: dict) -> int:
            """Briefs published within the workplan's period (of one sector, by its slug,
            if asked)."""
            return briefs_published_between(
                start=workplan.period_start,
                end=workplan.period_end,
                sector=options.get("sector") or "",
            )

        register_metric(
            key="briefs_published",
            label="Briefs published in the period",
            compute=briefs_published,
            options={"sector": None},
        )
