"""The monthly technology needs digest (beat, on the first day of each month). Thin: it
calls ``technology.digest``."""

from celery import shared_task

from leadit.mail import TRANSIENT_MAIL_ERRORS

from .digest import digest_send


# The mail server away: retried with backoff; the people already sent to are skipped on
# the retry (their rows of the month are there).
@shared_task(
    name="technology.send_needs_digests",
    autoretry_for=TRANSIENT_MAIL_ERRORS,
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=6,
)
def send_needs_digests() -> dict[str, int]:
    return digest_send()
