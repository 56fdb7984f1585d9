"""The milestone report's render job: the "Progress report for <milestone>" PDF. Thin: it
calls its module. Found by Celery's autodiscovery through ``members/tasks.py``."""

from leadit.jobs import background_job

from . import milestone_pdf
from .milestone_pdf import RENDER_TASK_NAME, TRANSIENT_RENDER_ERRORS, milestone_report_render

# A render whose worker vanished fails its request (``leadit.jobs.job_lost``, sent by the
# sweep, which runs where the tasks are imported). Connected once (``dispatch_uid``).
milestone_pdf.register()


@background_job(name=RENDER_TASK_NAME, transient=TRANSIENT_RENDER_ERRORS)
def render_milestone_report(*, report_id: int) -> str:
    return milestone_report_render(report_id=report_id)
