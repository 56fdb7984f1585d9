"""The secretariat's weekly partnerships digest: what it lists, never twice for a week,
no e-mail when there is nothing to say; run by a real Celery worker through Redis."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from partnerships.digest import digest_send, week_covered
from partnerships.models import PipelineProject, SecretariatDigest, SupportRequest
from partnerships.tasks_staff import send_secretariat_digest
from tests.factories.partnerships import (
    PartnershipFactory,
    PipelineProjectFactory,
    SupportCommitmentFactory,
    SupportRequestFactory,
)

# Waits until the one worker process has run everything sent before (a round trip).
from tests.support.worker_drain import drain_worker

MONDAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _secretariat(settings):
    settings.ADMIN_NOTIFICATION_EMAILS = ["secretariat@leadit.example"]


def _created(request, day: datetime.date):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    SupportRequest.objects.filter(pk=request.pk).update(created_at=moment)


def _week_of_news(today: datetime.date):
    india = PartnershipFactory(country="IN", name="India")
    new = SupportRequestFactory(partnership=india, title="Kiln audit")
    _created(new, week_covered(today) + datetime.timedelta(days=2))
    this_week = SupportRequestFactory(partnership=india, title="Asked this week")
    _created(this_week, today)
    old = SupportRequestFactory(partnership=india, title="Old and unanswered")
    _created(old, today - datetime.timedelta(days=90))
    answered = SupportRequestFactory(partnership=india, title="Old but answered")
    _created(answered, today - datetime.timedelta(days=90))
    SupportCommitmentFactory(request=answered, status="proposed")
    PipelineProjectFactory(
        partnership=india, name="Stuck kiln", stage_since=today - datetime.timedelta(days=200)
    )
    PipelineProjectFactory(
        partnership=india, name="Running plant", stage=PipelineProject.Stage.OPERATING,
        stage_since=today - datetime.timedelta(days=400),
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_weekly_job_on_a_real_worker_sends_last_weeks_digest_once(celery_worker):
    today = timezone.localdate()
    _week_of_news(today)

    send_secretariat_digest.delay()
    drain_worker()
    send_secretariat_digest.delay()  # the beat fires again (a second beat, a restart)
    drain_worker()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["secretariat@leadit.example"]
    assert "1 new, 1 unanswered, 1 stuck" in message.subject
    assert "Kiln audit" in message.body
    assert "Old and unanswered" in message.body
    assert "Stuck kiln" in message.body
    for absent in ("Asked this week", "Old but answered", "Running plant"):
        assert absent not in message.body
    row = SecretariatDigest.objects.get()
    assert row.week_start == week_covered(today) and row.sent_at is not None


@pytest.mark.django_db
def test_a_week_with_nothing_to_say_sends_nothing_and_is_not_tried_again():
    PartnershipFactory()

    assert digest_send(today=MONDAY) == "nothing to say"
    assert digest_send(today=MONDAY) == "already done"

    assert mail.outbox == []
    assert SecretariatDigest.objects.get().sent_at is None


@pytest.mark.django_db
def test_the_next_week_gets_its_own_digest():
    _week_of_news(MONDAY)

    assert digest_send(today=MONDAY) == "sent"
    assert digest_send(today=MONDAY + datetime.timedelta(days=3)) == "already done"
    assert digest_send(today=MONDAY + datetime.timedelta(weeks=1)) == "sent"

    assert len(mail.outbox) == 2
    # Each week lists the requests of its own week.
    assert "Kiln audit" in mail.outbox[0].body and "Asked this week" not in mail.outbox[0].body
    assert "Asked this week" in mail.outbox[1].body and "Kiln audit" not in mail.outbox[1].body


@pytest.mark.django_db
def test_a_failed_send_leaves_the_week_to_try_again(monkeypatch):
    _week_of_news(MONDAY)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("partnerships.digest.send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        digest_send(today=MONDAY)
    assert not SecretariatDigest.objects.exists()

    monkeypatch.undo()
    assert digest_send(today=MONDAY) == "sent"
