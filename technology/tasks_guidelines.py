"""The guideline render job: a Markdown version to PDF. Thin: it calls its module."""

from leadit.jobs import background_job

from .guideline_pdf import RENDER_TASK_NAME, TRANSIENT_RENDER_ERRORS, guideline_version_render


@background_job(name=RENDER_TASK_NAME, transient=TRANSIENT_RENDER_ERRORS)
def render_guideline_version(*, version_id: int) -> str:
    return guideline_version_render(version_id=version_id)
