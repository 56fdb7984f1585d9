import os
import socketserver
import threading

import psycopg
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.db.backends.postgresql.operations import DatabaseOperations

from leadit.celery import app
from tests.factories.members import EditorFactory
from tests.factories.users import StaffFactory
from tests.support.broker import broker_unreachable

# Playwright's synchronous API keeps an event loop in the test process's main thread once a
# browser test has run, and Django then refuses any database work in that thread. The
# portal has no asynchronous code; under ``pytest -n`` a process may run other tests after
# a browser test, so the check is off for the tests (never for the portal itself).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_sessionstart(session):
    """The suite runs against real PostgreSQL and Redis; if either is down the run stops
    here with a clear message. It never skips."""
    problems = []
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadit")
    try:
        psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()
    except psycopg.Error as exc:
        problems.append(f"PostgreSQL at {database_url}: {exc}")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(redis_url, socket_timeout=5).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis at {redis_url}: {exc}")
    if problems:
        pytest.exit("Required services are unreachable:\n  " + "\n  ".join(problems), 3)


def pytest_collection_modifyitems(items):
    """Browser tests last: Playwright keeps an event loop in the main thread until the end
    of the session, and Django refuses synchronous database work beside a running loop."""
    items.sort(key=lambda item: "browser" in item.path.parts)


def _sql_flush_deleting(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """What a transactional test's teardown runs to empty the database: a DELETE of each
    table instead of one TRUNCATE of all of them. TRUNCATE replaces every table's files
    (about 120 tables here), seconds per test on a busy machine; deleting the few rows a test
    wrote takes milliseconds. Django's foreign keys are deferrable, so the order does not
    matter; the rare flush that must reset sequences or cascade truncates as before."""
    if reset_sequences or allow_cascade or not tables:
        return _truncating_sql_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    deletes = [f"{style.SQL_KEYWORD('DELETE FROM')} {self.quote_name(table)};" for table in tables]
    return ["SET CONSTRAINTS ALL DEFERRED;", *deletes]


_truncating_sql_flush = DatabaseOperations.sql_flush


@pytest.fixture(scope="session", autouse=True)
def _flush_by_deleting():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", _sql_flush_deleting)
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached pages live in Redis: every test starts from an empty cache
    (clearing it also drops the copies of pages each process keeps)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_user(db):
    return StaffFactory()


@pytest.fixture
def member_user(db):
    """A user who is not staff and edits a member of their own ("another member's user"
    for any object that is not theirs); ``member_user.member`` is that member."""
    return EditorFactory()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def member_client(client, member_user):
    client.force_login(member_user)
    return client


@pytest.fixture
def celery_worker(django_db_blocker):
    """A real Celery worker (one solo process) consuming from the real Redis broker. Tests
    that use it are marked ``django_db(transaction=True)``: the worker sees only committed
    rows."""
    assert not app.conf.task_always_eager, "tests must go through the Redis broker"
    assert app.conf.broker_url.startswith("redis://")
    with (
        django_db_blocker.unblock(),
        start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
        ) as worker,
    ):
        yield worker


@pytest.fixture
def listener():
    """A real TCP listener on loopback that records every connection it receives: what
    must never be fetched (by the PDF renderer, say) is pointed at it."""
    connections = []

    class Record(socketserver.BaseRequestHandler):
        def handle(self):
            connections.append(self.client_address)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], connections
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def media_root(settings, tmp_path):
    """MEDIA_ROOT in a fresh temporary folder."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def broker_down():
    """The Celery broker unreachable for the test's duration."""
    with broker_unreachable():
        yield


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of the test's own on a free port (tests.support.redis_server), with
    the Django cache and the Celery broker pointed at it: stop, kill or hang it for real."""
    from tests.support.redis_server import RedisServer

    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        with server.serving(cache=True, broker=True):
            yield server
    finally:
        server.close()
