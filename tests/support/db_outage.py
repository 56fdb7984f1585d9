"""Real PostgreSQL failures for the tests: backends terminated with pg_terminate_backend,
and a job that has its own backend terminated while it runs."""

import psycopg
from django.core.cache import cache
from django.db import connection

from leadit.jobs import background_job
from leadit.models import BackgroundJob


def _server():
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def terminate(pids) -> int:
    """Terminate the given backends (from a connection of its own); how many were."""
    with _server() as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(%s)",
            [list(pids)],
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def own_backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@background_job(name="tests.lose_connection")
def lose_connection(*, key: str, when: str) -> int:
    """On its first run, has its own database backend terminated: ``during`` the work (the
    next query fails) or ``after`` it (only the job's bookkeeping meets the dead connection)."""
    runs = cache.incr(key) if cache.get(key) is not None else cache.set(key, 1) or 1
    if runs == 1:
        assert terminate([own_backend_pid()]) == 1
        if when == "during":
            BackgroundJob.objects.count()  # on the dead connection: OperationalError
    return runs
