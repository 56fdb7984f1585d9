"""The daily deadline reminders: one e-mail per due or overdue document per day, run by a
real Celery worker through Redis (the worker thread shares this process's mail.outbox)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from leadit.celery import app
from summits.models import DeadlineReminder, EventDocument
from summits.notifications import deadline_reminders_send
from summits.tasks import send_deadline_reminders
from tests.factories.summits import BoardKindFactory, EventDocumentFactory, EventFactory
from tests.factories.users import StaffFactory, UserFactory
from tests.support.worker_drain import drain_worker

DAY = datetime.timedelta(days=1)


def _due_documents(now):
    """Two documents to remind about, and two not to."""
    responsible = StaffFactory(totp=False, email="owner@secretariat.example.org")
    kind = BoardKindFactory()
    # Agenda due in 2 days (meeting in 9): reminded, to the responsible staff member.
    soon = EventFactory(kind=kind, start=now + 9 * DAY, responsible=responsible)
    # Minutes 5 days overdue, agenda done: the minutes are reminded, to all staff.
    late = EventFactory(kind=kind, start=now - 12 * DAY)
    EventDocumentFactory(event=late, kind=EventDocument.Kind.AGENDA)
    # Agenda due in 10 days: not yet. Minutes 40 days overdue: given up.
    EventFactory(kind=kind, start=now + 17 * DAY)
    old = EventFactory(kind=kind, start=now - 47 * DAY)
    EventDocumentFactory(event=old, kind=EventDocument.Kind.AGENDA)
    return soon, late


@pytest.mark.django_db(transaction=True)
def test_reminder_job_on_a_real_worker_sends_one_email_per_document_per_day(celery_worker):
    now = timezone.now()
    soon, late = _due_documents(now)
    UserFactory(email="member@member.example")  # not staff: never reminded
    staff_emails = {"owner@secretariat.example.org"}

    send_deadline_reminders.delay()
    drain_worker()
    send_deadline_reminders.delay()  # the same day again: nothing more
    drain_worker()

    assert len(mail.outbox) == 2
    by_event = {m.subject.split(" of ", 1)[1]: m for m in mail.outbox}
    assert by_event[soon.title].to == ["owner@secretariat.example.org"]
    assert "agenda" in by_event[soon.title].subject
    assert "Late: minutes" in by_event[late.title].subject
    assert set(by_event[late.title].to) == staff_emails
    assert DeadlineReminder.objects.count() == 2


@pytest.mark.django_db
def test_reminders_run_twice_the_same_day_send_once_and_again_the_next_day():
    now = timezone.now()
    _due_documents(now)

    first = deadline_reminders_send(now=now)
    second = deadline_reminders_send(now=now + datetime.timedelta(minutes=5))
    assert (first, second, len(mail.outbox)) == (2, 0, 2)

    assert deadline_reminders_send(now=now + DAY) == 2
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_reminders_skip_documents_already_there():
    now = timezone.now()
    soon, late = _due_documents(now)
    EventDocumentFactory(event=soon, kind=EventDocument.Kind.AGENDA)
    EventDocumentFactory(event=late, kind=EventDocument.Kind.MINUTES)

    assert deadline_reminders_send(now=now) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_reminder_not_recorded_when_the_email_fails(monkeypatch):
    now = timezone.now()
    _due_documents(now)

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("summits.notifications.send_mail", broken)
    with pytest.raises(ConnectionError):
        deadline_reminders_send(now=now)

    assert not DeadlineReminder.objects.exists()  # the next run tries again
    monkeypatch.undo()
    assert deadline_reminders_send(now=now) == 2


def test_reminder_job_is_scheduled_daily_at_seven_utc():
    entry = app.conf.beat_schedule["summits-deadline-reminders"]

    assert entry["task"] == "summits.send_deadline_reminders"
    assert entry["schedule"].hour == {7}
    assert entry["schedule"].minute == {0}
    assert app.conf.timezone == "UTC"
