"""The secretariat's partnerships jobs: the weekly digest (beat) and factsheet renders.
Thin: each calls its module."""

from celery import shared_task

from leadit.jobs import background_job

from .digest import digest_send
from .factsheet import TRANSIENT_RENDER_ERRORS, factsheet_render


@shared_task(name="partnerships.send_secretariat_digest")
def send_secretariat_digest() -> str:
    """Weekly (beat, Monday 06:00 UTC): last week's digest, once per week."""
    return digest_send()


@background_job(name="partnerships.render_factsheet", transient=TRANSIENT_RENDER_ERRORS)
def render_factsheet(*, factsheet_id: int) -> str:
    return factsheet_render(factsheet_id=factsheet_id)
