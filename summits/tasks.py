"""Background work of the events app: thin tasks over ``summits.notifications``."""

from celery import shared_task

from leadit.jobs import background_job

from . import notifications


@background_job(name="summits.notify_document_added", transient=(ConnectionError, OSError))
def notify_document_added(*, document_id: int) -> int:
    """A new agenda or minutes: tell the event's board contacts (see ``notifications``)."""
    return notifications.document_notify(document_id=document_id)


@shared_task(name="summits.send_deadline_reminders")
def send_deadline_reminders() -> int:
    """Daily (beat, 07:00 UTC): remind staff of agendas and minutes due soon or overdue.
    Idempotent: running it twice the same day sends nothing more."""
    return notifications.deadline_reminders_send()
