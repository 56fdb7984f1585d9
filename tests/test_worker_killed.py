"""A whole Celery worker killed with SIGKILL in the middle of a PDF render: the render is
noticed (its lease is not renewed), queued again by the sweep and done by another worker,
and never run twice at once. The workers are real ``celery worker`` processes (prefork) on
this run's test database and Redis."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from leadit.jobs import job_story, requeue_stale_jobs
from leadit.models import BackgroundJob
from publications.documents import document_request_render, render_document
from publications.models import Delivery, RenderedDocument
from publications.sending import send_issue
from tests.factories.publications import BriefFactory, NewsletterIssueFactory, SubscriberFactory

ROOT = Path(__file__).resolve().parent.parent
Status = RenderedDocument.Status
# Real timings (heartbeat 10 s, lease 30 s, the sweep every 20 s as beat runs it) when
# LEADIT_REAL_LEASE_TIMINGS is set; short ones by default, to keep the suite fast.
REAL = bool(os.environ.get("LEADIT_REAL_LEASE_TIMINGS"))
HEARTBEAT, LEASE, SWEEP_EVERY = (10, 30, 20) if REAL else (1, 4, 1)


class Worker:
    """``celery -A leadit worker --pool=prefork -c 1`` in a session of its own."""

    def __init__(self, name: str, log: Path, media: Path, render_delay: float = 0):
        database = connection.settings_dict["NAME"]  # the test database
        base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadit")
        env = {
            **os.environ,
            "DATABASE_URL": base.rsplit("/", 1)[0] + f"/{database}",
            "DJANGO_SETTINGS_MODULE": "leadit.test_settings",
            "MEDIA_ROOT": str(media),
            "JOB_HEARTBEAT_SECONDS": str(HEARTBEAT),
            "LEADIT_TEST_RENDER_DELAY": str(render_delay),
        }
        self.log = log
        self.name = name
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "leadit", "worker", "--pool=prefork",
                 "-c", "1", "-n", f"{name}@%h", "--include", "tests.support.worker_process",
                 "--without-gossip", "--without-mingle", "-l", "info"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while " ready." not in self.log.read_text():
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, f"worker {name} did not start"
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the whole worker: its main process and its pool process."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(tmp_path, media_root):
    started = []

    def start(name: str, render_delay: float = 0) -> Worker:
        worker = Worker(name, tmp_path / f"{name}.log", media_root, render_delay)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_render_whose_worker_was_killed_is_redone_and_never_run_twice(workers, settings, client):
    settings.JOB_LEASE_SECONDS = LEASE
    brief = BriefFactory(title="Hydrogen-ready steel plants")
    first = workers("first", render_delay=60)
    document = document_request_render(publication=brief)
    job = BackgroundJob.objects.get(pk=document.job_id)

    def running():
        job.refresh_from_db()
        return job.status == BackgroundJob.Status.RUNNING and job.heartbeat_at

    _wait(running, 30, "the render to start")
    first_owner = job.lease_owner
    # A second live worker gets the same job again (a broker redelivery): it must not run
    # it while the first one's lease is fresh.
    second = workers("second")
    render_document.apply_async(kwargs={"job_id": job.pk, "document_id": document.pk})
    _wait(lambda: "not run twice" in second.log.read_text(), 20, "the duplicate to be refused")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.lease_owner) == ("running", 1, first_owner)

    time.sleep(max(0.0, 4 - (time.monotonic() % 1)))  # some seconds into the render
    first.kill()
    killed_at = time.monotonic()

    # The sweep (beat runs it every 20 s) finds the silent lease and queues the job again;
    # the second worker renders it.
    deadline = time.monotonic() + 90
    next_sweep = time.monotonic()
    while document.status not in (Status.DONE, Status.FAILED):
        assert time.monotonic() < deadline, f"not redone in 90 s: {document.status}"
        if time.monotonic() >= next_sweep:
            requeue_stale_jobs()
            next_sweep += SWEEP_EVERY
        time.sleep(0.2)
        document.refresh_from_db()
    seconds = time.monotonic() - killed_at
    print(f"killed render redone {seconds:.1f} s after the kill")

    assert document.status == Status.DONE, document.last_error
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert "re-queued, attempt 2 of 5" in job.history
    assert job_story(job) == "Done on attempt 2 of 5 after its worker was lost"
    assert seconds < 90
    response = client.get(f"/publications/{brief.slug}.pdf")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF-")


@pytest.mark.django_db
def test_the_admin_tells_the_story_of_an_interrupted_and_resumed_send(staff_client):
    issue = NewsletterIssueFactory()
    for subscriber in SubscriberFactory.create_batch(3):
        Delivery.objects.create(issue=issue, subscriber=subscriber, status=Delivery.Status.SENT)
    lost = BackgroundJob.objects.create(
        task_name=send_issue.name,
        arguments={"issue_id": issue.pk},
        description="Send the issue",
        status=BackgroundJob.Status.FAILED,
        attempts=5,
        last_error="WorkerLost: Worker lost on attempt 5 of 5 (no heartbeat …)",
    )
    resumed = BackgroundJob.objects.create(
        task_name=send_issue.name,
        arguments={"issue_id": issue.pk},
        description="Resume sending",
        status=BackgroundJob.Status.DONE,
        attempts=1,
    )

    assert job_story(lost) == f"Interrupted — resumed by job #{resumed.pk} (done)"
    assert job_story(resumed) == "Done"
    html = staff_client.get(f"/admin/publications/newsletterissue/{issue.pk}/change/")
    html = html.content.decode()
    assert "Sent to 3 of 3" in html
    assert f"Interrupted — resumed by job #{resumed.pk} (done)" in html
    jobs = staff_client.get("/admin/leadit/backgroundjob/").content.decode()
    assert f"Interrupted — resumed by job #{resumed.pk} (done)" in jobs
