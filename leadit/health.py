"""Liveness and readiness: database, cache and broker. No DNS or other outside checks.

``/healthz`` answers within ``DEADLINE_SECONDS`` whatever the services do: the checks run
at the same time in a small pool of threads, each with its own client timeouts, and a check
still running at the deadline reports ``"timeout"`` (a hung Redis accepts connections and
then says nothing). Any check not ``"ok"`` makes the answer a 503 naming it.
"""

import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlsplit

import redis
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app

logger = logging.getLogger(__name__)

DEADLINE_SECONDS = 2.5
CLIENT_TIMEOUT_SECONDS = 1.0
# Bounded: checks that hang past their own timeouts cannot pile up threads; while all are
# busy, new checks wait in the queue and report "timeout" at the deadline.
_pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="healthz")


def _check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # A connection of this pool thread: not kept open between checks.
        connection.close()


def _check_cache() -> None:
    # The cache itself, never this process's fallback memory (leadit.redis_cache).
    strict = getattr(cache, "strict", cache)
    key = f"healthz:{uuid.uuid4().hex}"
    strict.set(key, "ok", timeout=10)
    if strict.get(key) != "ok":
        raise RuntimeError("cache did not return the value just written")
    strict.delete(key)


def _check_broker() -> str:
    if celery_app.conf.task_always_eager:
        return "not used (eager)"
    url = celery_app.conf.broker_url
    if urlsplit(url).scheme in ("redis", "rediss"):
        # kombu's Redis transport waits for ever on a hung Redis: ask with timeouts.
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=CLIENT_TIMEOUT_SECONDS,
            socket_timeout=CLIENT_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    with celery_app.connection_for_write(connect_timeout=CLIENT_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=CLIENT_TIMEOUT_SECONDS)
    return "ok"


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


def _run(name: str, check) -> str:
    try:
        return check() or "ok"
    except Exception:
        # The detail goes to the log, never to the (unauthenticated) caller.
        logger.exception("Health check %s failed", name)
        return "error"


@never_cache
def healthz(request):
    deadline = time.monotonic() + DEADLINE_SECONDS
    futures = {name: _pool.submit(_run, name, check) for name, check in CHECKS.items()}
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            logger.error("Health check %s did not answer within %s s", name, DEADLINE_SECONDS)
            results[name] = "timeout"
    healthy = all(value == "ok" or value.startswith("not used") for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
