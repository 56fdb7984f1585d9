"""Django's Redis cache: one client per connection pool, and a cache outage that degrades
instead of breaking.

``ReusingRedisCache``: Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis``
on every call, and redis-py fills a table of response callbacks in each constructor: about a
quarter of a millisecond per cache call here, more than the round trip itself (see
docs/performance.md). Cache backends are per thread in Django, so one client per pool is
safe to keep.

``ResilientRedisCache`` (the production cache) adds what an outage needs:

* **A circuit breaker.** When Redis does not answer (refused, reset, or no reply within the
  client's ``socket_timeout``), the cache is taken as down for ``RETRY_AFTER_SECONDS``: calls
  meanwhile do not wait for Redis again, so a hung Redis costs a request one socket timeout
  at most, not one per cache call. Then one ``PING`` decides whether it is back.
* **Two ways of failing.** Most callers (allauth's rate-limit counters, its TOTP replay
  guard, the newsletter sign-up limit, the PDF render's copy of its HTML, import-export's
  dry-run files) only need *a* cache: with Redis down they get this process's own memory
  (a ``LocMemCache``) for that call, and a warning in the log (once per
  ``WARN_EVERY_SECONDS``). Rate limits therefore still apply, per process, while Redis is
  down. Callers for whom a local answer would be wrong — the page cache, which must not
  keep pages where an invalidation cannot reach them, and ``/healthz`` — use
  ``cache.strict``, which raises (``CACHE_DOWN``) instead.
* **Recovery.** The first successful ``PING`` after an outage empties the local fallback
  (nothing kept there during the outage is read after it) and runs the callbacks registered
  with ``on_recovery`` (the page cache replays the invalidations Redis missed) *before* the
  call that found Redis back goes on, so that call never reads a page the outage left stale.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# What "Redis is not answering" looks like from redis-py (a reset connection, a refused
# one, a socket timeout, Redis still loading its data after a restart).
CACHE_DOWN = (redis.ConnectionError, redis.TimeoutError, OSError)
RETRY_AFTER_SECONDS = 2.0
WARN_EVERY_SECONDS = 30.0
OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class CacheUnavailable(redis.ConnectionError):
    """Redis did not answer a moment ago; it is not asked again until the retry time."""


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def clear(self):
        super().clear()
        # Web processes keep copies of cached pages (leadit.local_pages): they drop them too.
        from .local_pages import announce_cleared

        announce_cleared()


# --- Outage state (per process and per Redis location, shared by every thread) ------------

_recovery_callbacks: list[Callable[[], None]] = []


def on_recovery(callback: Callable[[], None]) -> None:
    """Call ``callback()`` whenever this process finds the Redis cache back after an outage
    (before the call that found it back goes on)."""
    if callback not in _recovery_callbacks:
        _recovery_callbacks.append(callback)


class _Outage:
    def __init__(self, location: str) -> None:
        self.location = location
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0
        self.warned_at: float | None = None
        self.recovering: int | None = None  # the thread finding out whether Redis is back
        self.failures = 0

    def failed(self, exc: BaseException, fallback: bool) -> None:
        now = time.monotonic()
        with self.lock:
            self.down = True
            self.failures += 1
            self.retry_at = now + RETRY_AFTER_SECONDS
            warn = self.warned_at is None or now - self.warned_at >= WARN_EVERY_SECONDS
            if warn:
                self.warned_at = now
        if warn:
            logger.warning(
                "Redis cache at %s is not answering (%s: %s)%s; asking again every %s s",
                _safe_location(self.location),
                type(exc).__name__,
                exc,
                "; using this process's own memory meanwhile" if fallback else "",
                RETRY_AFTER_SECONDS,
            )


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage(location: str) -> _Outage:
    outage = _outages.get(location)
    if outage is None:
        with _outages_lock:
            outage = _outages.setdefault(location, _Outage(location))
    return outage


def _safe_location(location: str) -> str:
    # Never log a password from the URL.
    if "@" in location:
        scheme, _, rest = location.partition("://")
        return f"{scheme}://…@{rest.rpartition('@')[2]}"
    return location


def reset_outages() -> None:
    """Forget every outage this process noticed (tests pointing the cache elsewhere)."""
    with _outages_lock:
        _outages.clear()


class ResilientRedisCache(ReusingRedisCache):
    """See the module's docstring. ``cache.strict`` is the same cache raising ``CACHE_DOWN``
    errors rather than falling back."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        self._fallback = LocMemCache(
            f"leadit-redis-fallback:{self._location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                "OPTIONS": {"MAX_ENTRIES": 10000},
            },
        )
        self.strict = _Strict(self)

    @property
    def is_down(self) -> bool:
        """Whether this process found Redis not answering and has not seen it back yet."""
        return _outage(self._location).down

    def _call(self, name: str, args, kwargs, *, fallback: bool):
        outage = _outage(self._location)
        if outage.down and not self._back(outage, fallback):
            if fallback:
                return getattr(self._fallback, name)(*args, **kwargs)
            raise CacheUnavailable(f"Redis cache at {_safe_location(self._location)} is down")
        try:
            return getattr(super(), name)(*args, **kwargs)
        except CACHE_DOWN as exc:
            outage.failed(exc, fallback)
            if fallback:
                return getattr(self._fallback, name)(*args, **kwargs)
            raise

    def _back(self, outage: _Outage, fallback: bool) -> bool:
        """Whether Redis answers again (asked at most once per retry period); if so, the
        fallback is emptied and the recovery callbacks run, and only then is the outage
        over for the other threads (they keep failing fast meanwhile)."""
        me = threading.get_ident()
        with outage.lock:
            if not outage.down or outage.recovering == me:
                return True  # over, or this thread's own recovery callbacks asking
            if outage.recovering is not None or time.monotonic() < outage.retry_at:
                return False
            outage.recovering = me
        try:
            try:
                self._cache.get_client(write=True).ping()
            except CACHE_DOWN as exc:
                outage.failed(exc, fallback)
                return False
            failures = outage.failures
            self._fallback.clear()
            for callback in list(_recovery_callbacks):
                try:
                    callback()
                except Exception:  # noqa: BLE001 - one callback must not stop the others
                    logger.exception("Cache recovery callback %r failed", callback)
            with outage.lock:
                if outage.failures != failures:
                    return False  # failed again meanwhile: still down
                outage.down = False
                outage.warned_at = None
            logger.warning("Redis cache at %s answers again", _safe_location(self._location))
            return True
        finally:
            with outage.lock:
                outage.recovering = None


def _lenient(name: str):
    def operation(self, *args, **kwargs):
        return self._call(name, args, kwargs, fallback=True)

    operation.__name__ = name
    return operation


for _name in OPERATIONS:
    setattr(ResilientRedisCache, _name, _lenient(_name))


class _Strict:
    """The cache's operations raising ``CACHE_DOWN`` errors when Redis is down (and failing
    fast, without asking Redis, while the breaker is open); anything else is the cache's."""

    def __init__(self, backend: ResilientRedisCache) -> None:
        self._backend = backend

    def __getattr__(self, name: str):
        if name in OPERATIONS:
            backend = self._backend

            def operation(*args, **kwargs):
                return backend._call(name, args, kwargs, fallback=False)

            return operation
        return getattr(self._backend, name)
