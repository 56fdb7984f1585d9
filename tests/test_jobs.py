"""Background jobs: recorded before they are queued, never lost, run once, errors kept."""

import time
import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.utils import timezone

import leadit.jobs
from leadit.celery import app
from leadit.jobs import job_enqueue, job_retry, requeue_stale_jobs
from leadit.models import BackgroundJob
from tests.support.jobs import count_run


@pytest.fixture
def worker(django_db_blocker, monkeypatch):
    monkeypatch.setattr(leadit.jobs, "RETRY_BASE_SECONDS", 0)
    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        yield


def _wait_for_status(job: BackgroundJob, *statuses: str, timeout: float = 20) -> BackgroundJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job stayed {job.status}: {job.last_error}")


@pytest.mark.django_db
def test_job_is_recorded_before_it_is_sent_and_sent_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_enqueue(task=count_run, description="count", key="k")
        assert BackgroundJob.objects.get(pk=job.pk).sent_at is None

    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.QUEUED
    assert job.sent_at is not None
    assert job.arguments == {"key": "k"}


@pytest.mark.django_db
def test_job_queued_while_the_broker_is_down_waits_for_the_sweep(
    broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(task=count_run, key="k")

    job.refresh_from_db()
    assert (job.status, job.sent_at) == (BackgroundJob.Status.QUEUED, None)


@pytest.mark.django_db(transaction=True)
def test_sweep_sends_jobs_that_never_reached_the_broker(worker):
    key = uuid.uuid4().hex
    job = BackgroundJob.objects.create(task_name=count_run.name, arguments={"key": key})
    BackgroundJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    assert requeue_stale_jobs() == 1

    assert _wait_for_status(job, "done").attempts == 1
    assert cache.get(key) == 1


@pytest.mark.django_db(transaction=True)
def test_job_runs_on_a_worker_and_is_marked_done(worker):
    key = uuid.uuid4().hex

    job = job_enqueue(task=count_run, key=key)

    job = _wait_for_status(job, "done")
    assert job.attempts == 1
    assert job.finished_at is not None
    assert cache.get(key) == 1


@pytest.mark.django_db(transaction=True)
def test_transient_error_is_retried_until_the_job_succeeds(worker):
    key = uuid.uuid4().hex

    job = job_enqueue(task=count_run, key=key, fail_first=2)

    job = _wait_for_status(job, "done")
    assert job.attempts == 3
    assert job.last_error == ""


@pytest.mark.django_db(transaction=True)
def test_permanent_error_fails_the_job_with_its_message_and_staff_can_retry(worker):
    key = uuid.uuid4().hex

    job = job_enqueue(task=count_run, key=key, fail_with="bad input")

    job = _wait_for_status(job, "failed")
    assert job.attempts == 1
    assert job.last_error == "ValueError: bad input"

    BackgroundJob.objects.filter(pk=job.pk).update(arguments={"key": key})
    job.refresh_from_db()
    job_retry(job=job)
    assert _wait_for_status(job, "done").attempts == 2


@pytest.mark.django_db(transaction=True)
def test_duplicate_delivery_of_a_finished_job_does_nothing(worker):
    key = uuid.uuid4().hex
    job = _wait_for_status(job_enqueue(task=count_run, key=key), "done")

    count_run.apply_async(kwargs={"job_id": job.pk, "key": key})
    time.sleep(1)

    job.refresh_from_db()
    assert (job.status, job.attempts, cache.get(key)) == ("done", 1, 1)


@pytest.mark.django_db
def test_sweep_fails_a_job_whose_worker_vanished_so_staff_can_retry_it():
    hours_ago = timezone.now() - timedelta(hours=2)
    lost = BackgroundJob.objects.create(
        task_name="tests.count_run", status=BackgroundJob.Status.RUNNING, started_at=hours_ago
    )
    busy = BackgroundJob.objects.create(
        task_name="tests.count_run", status=BackgroundJob.Status.RUNNING, started_at=timezone.now()
    )

    requeue_stale_jobs()

    lost.refresh_from_db()
    busy.refresh_from_db()
    assert lost.status == BackgroundJob.Status.FAILED
    assert "No worker finished this job" in lost.last_error
    assert busy.status == BackgroundJob.Status.RUNNING


@pytest.mark.django_db(transaction=True)
def test_a_delayed_retry_records_when_it_is_due(django_db_blocker, monkeypatch):
    monkeypatch.setattr(leadit.jobs, "RETRY_BASE_SECONDS", 60)
    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        job = job_enqueue(task=count_run, key=uuid.uuid4().hex, fail_first=1)
        job = _wait_for_status(job, "queued", "failed")
        deadline = time.monotonic() + 20
        while job.attempts == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
            job.refresh_from_db()

    assert job.status == BackgroundJob.Status.QUEUED
    assert "retried (attempt 2 of 5)" in job.history
    # Due in two minutes (60 s × 2): the sweep leaves it alone until RESEND_AFTER past that.
    assert job.sent_at > timezone.now() + timedelta(seconds=90)


@pytest.mark.django_db(transaction=True)
def test_sweep_resends_a_retry_whose_worker_died_holding_it(worker):
    # Its worker was killed while it held the delayed retry: nothing will deliver it again
    # before the broker's visibility timeout (an hour).
    key = uuid.uuid4().hex
    job = BackgroundJob.objects.create(
        task_name=count_run.name,
        arguments={"key": key},
        attempts=1,
        sent_at=timezone.now() - leadit.jobs.RESEND_AFTER - timedelta(seconds=30),
    )

    assert requeue_stale_jobs() == 1

    assert _wait_for_status(job, "done").attempts == 2
    assert cache.get(key) == 1
