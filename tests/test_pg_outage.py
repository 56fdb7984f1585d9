"""PostgreSQL connections lost: real backends terminated with ``pg_terminate_backend``.

Only the backends of this run's own test database are terminated (other runs share the
server), and never the test's own connection.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection

import leadit.jobs
from leadit.jobs import job_enqueue
from leadit.models import BackgroundJob
from tests.support.db_outage import lose_connection

ROOT = Path(__file__).resolve().parent.parent


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadit")
    return url.rsplit("/", 1)[0] + "/postgres"


def terminate_backends(database: str, *, spare: tuple[int, ...] = ()) -> int:
    """Terminate every backend connected to ``database`` except ``spare`` (and the
    terminating connection itself); how many were terminated."""
    with psycopg.connect(_server_url(), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND NOT (pid = ANY(%s))",
            [database, list(spare)],
        ).fetchall()
    return len(rows)


def own_backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def pooled_portal(transactional_db):
    """The portal under gunicorn (2 workers) in the production shape: the psycopg pool ON,
    on this run's test database."""
    port = _free_port()
    database = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": _server_url().rsplit("/", 1)[0] + f"/{database}",
        "DATABASE_POOL": "true",
        "DJANGO_SETTINGS_MODULE": "leadit.test_settings",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "leadit.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(base + "/members/")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base, database
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


def test_no_request_fails_after_the_portals_backends_are_terminated(pooled_portal):
    base, database = pooled_portal
    # Fill both processes' pools (each answers on its own connections), every page a
    # cache miss so that each request reaches the database.
    for n in range(20):
        assert _get(f"{base}/members/?warm={n}") == 200

    terminated = terminate_backends(database, spare=(own_backend_pid(),))
    assert terminated >= 2  # the pools' idle connections, now dead

    statuses = [_get(f"{base}/members/?after={n}") for n in range(30)]
    assert statuses.count(200) == 30, statuses


# --- Job bookkeeping on a lost connection (a real worker, its backend terminated) ---------


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(leadit.jobs, "RETRY_BASE_SECONDS", 0)


def _wait_for(job: BackgroundJob, *statuses: str, timeout: float = 20) -> BackgroundJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job stayed {job.status}: {job.last_error}\n{job.history}")


@pytest.mark.django_db(transaction=True)
def test_job_whose_connection_dies_after_its_work_is_recorded_done(quick_retries, celery_worker):
    key = uuid.uuid4().hex
    job = job_enqueue(task=lose_connection, description="lose it after", key=key, when="after")

    job = _wait_for(job, "done", "failed")

    # _finish met the dead connection, opened a new one and recorded the outcome.
    assert (job.status, job.attempts, job.last_error) == ("done", 1, "")
    assert cache.get(key) == 1  # the work ran once


@pytest.mark.django_db(transaction=True)
def test_job_whose_connection_dies_during_its_work_is_retried_and_done(
    quick_retries, celery_worker
):
    key = uuid.uuid4().hex
    job = job_enqueue(task=lose_connection, description="lose it during", key=key, when="during")

    job = _wait_for(job, "done", "failed")

    # A database error is transient: recorded, retried with backoff, then done.
    assert (job.status, job.attempts) == ("done", 2)
    assert cache.get(key) == 2
    assert "attempt 1: OperationalError" in job.history
    assert "retried (attempt 2 of 5)" in job.history
