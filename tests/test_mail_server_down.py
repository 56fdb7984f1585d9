"""A mail server that cannot be reached, through the real worker shape (Redis broker, a
Celery worker): the action answers, the e-mail's job is retried, then recorded as failed
with its error, and staff retry it once the mail server is back. The embedded (eager)
shape is tested in tests/test_embedded_default.py."""

import socket
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

import leadit.jobs
from leadit.models import BackgroundJob
from tests.factories.members import ProgressUpdateFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOTIFY = "members.notify_secretariat_of_progress_update"
CONFIRM = "publications.send_confirmation"


def _dead_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_mail_server(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _dead_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.ADMIN_NOTIFICATION_EMAILS = ["secretariat@leadit.example"]
    # Two attempts, back to back, instead of five over minutes.
    monkeypatch.setattr(leadit.jobs, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(leadit.jobs, "RETRY_BASE_SECONDS", 0)
    return settings


def _wait_until_finished(task_name: str, timeout: float = 30) -> BackgroundJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = BackgroundJob.objects.filter(task_name=task_name).first()
        if job and job.status in (BackgroundJob.Status.FAILED, BackgroundJob.Status.DONE):
            return job
        time.sleep(0.1)
    raise AssertionError(f"{task_name} did not finish: {job and job.status}")


def test_dead_mail_server_is_no_error_page_and_the_jobs_fail_for_staff_to_retry(
    dead_mail_server, celery_worker, member_user, staff_user
):
    update = ProgressUpdateFactory(member=member_user.member)
    editor, visitor, staff = Client(), Client(), Client()
    editor.force_login(member_user)
    staff.force_login(staff_user)

    published = editor.post(
        reverse("members:update_publish", kwargs={"slug": update.member.slug, "pk": update.pk})
    )
    signed_up = visitor.post(reverse("publications:subscribe"), {"email": "ada@example.org"})

    assert published.status_code == 302
    update.refresh_from_db()
    assert update.status == "published"
    assert signed_up.status_code == 302
    assert signed_up["Location"].endswith("?mail=delayed")
    told = visitor.get(signed_up["Location"])
    assert "We could not send the confirmation e-mail just now" in told.content.decode()
    for task_name in (NOTIFY, CONFIRM):
        job = _wait_until_finished(task_name)
        assert job.status == BackgroundJob.Status.FAILED
        assert job.attempts == 2  # retried once, then given up for staff
        assert "Connection refused" in job.last_error

    # The mail server is back; staff retry both from the admin.
    dead_mail_server.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    retried = staff.post(
        reverse("admin:leadit_backgroundjob_changelist"),
        {
            "action": "retry",
            "_selected_action": list(BackgroundJob.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    assert retried.status_code == 200
    assert "2 job(s) retried" in retried.content.decode()
    for task_name in (NOTIFY, CONFIRM):
        job = _wait_until_finished(task_name)
        assert job.status == BackgroundJob.Status.DONE, job.last_error
        assert job.last_error == ""
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "secretariat@leadit.example"]
