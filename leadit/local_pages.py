"""Each web process's own copy of the cached pages it served last, kept current by Redis.

A page-cache hit in Redis costs a network round trip, which on a busy machine costs more
than rendering the barest view. So each process also keeps the pages it served in memory
(least recently used first out, ``MAX_BYTES`` at most) and answers from there while it is
sure they are current: a thread per process subscribes to ``CHANNEL``, on which
``leadit.cache.invalidate`` announces every namespace's new generation (and
``cache.clear()`` that everything is gone), and holds the generations it heard. Whenever
that subscription is not known to be live (not yet started, reconnecting, the cache is not
Redis) this copy is not used and every lookup goes to Redis as before. A hung Redis keeps
the connection open and silent, so the thread PINGs every second: unanswered for
``SILENT_SECONDS``, the subscription counts as lost and every copy is dropped (an edit
elsewhere may go unheard from then on). An edit still shows up at once: the invalidating process updates its
own copy directly, the others within the delivery of one pub/sub message. (Emptying Redis
behind Django's back, ``redis-cli FLUSHDB``, is not heard: use ``cache.clear()``.)
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from django.core.cache import cache

logger = logging.getLogger(__name__)

CHANNEL = "pagecache:generations"
CLEARED = "*"  # announced when the whole cache is cleared
MAX_BYTES = 32 * 1024 * 1024
RECONNECT_MAX_SECONDS = 5
# The subscription's own check that Redis still answers (a hung Redis keeps the connection
# open and says nothing): a PING this often, and lost if nothing was heard for longer.
PING_EVERY_SECONDS = 1.0
SILENT_SECONDS = 3.0


def _redis_client():
    """The cache's redis-py client, or None when the cache is not Redis."""
    get_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    return get_client(write=True) if get_client else None


def _channel(client) -> str:
    # Channels are server-wide: another site or test run on another database of the same
    # Redis must not be heard.
    db = client.connection_pool.connection_kwargs.get("db", 0)
    return f"{cache.make_key(CHANNEL)}:db{db}"


class LocalPages:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._pages: OrderedDict[str, tuple] = OrderedDict()
        self._bytes = 0
        self._generations: dict[str, str] = {}
        self._in_sync = False
        self._epoch = 0
        self._on_reconnect = None
        # The subscription was lost and its on_reconnect has not run yet: Redis may be back
        # holding pages an edit made meanwhile has outdated, whose generations it restored.
        self._recovering = False

    # --- reads and writes -----------------------------------------------------------------

    def get(self, key: str) -> tuple | None:
        """``(namespace, generation, compressed, headers)`` if held and still current."""
        if not self._started():
            return None
        with self._lock:
            entry = self._pages.get(key) if self._in_sync else None
            if entry is None:
                return None
            expires, stored = entry
            namespace, generation = stored[0], stored[1]
            if expires < time.monotonic() or self._generations.get(namespace) != generation:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return stored

    def put(self, key: str, stored: tuple, timeout: int) -> None:
        """Keep ``stored`` (as the page cache stores it) if its generation is the current
        one this process has heard of."""
        namespace, generation, compressed = stored[0], stored[1], stored[2]
        with self._lock:
            if not self._in_sync or self._generations.get(namespace) != generation:
                return
            self._drop(key)
            self._pages[key] = (time.monotonic() + timeout, stored)
            self._bytes += len(compressed)
            while self._bytes > MAX_BYTES and self._pages:
                self._drop(next(iter(self._pages)))

    def generation(self, namespace: str) -> str | None:
        """``namespace``'s current generation, if this process is sure of it."""
        if not self._started():
            return None
        with self._lock:
            return self._generations.get(namespace) if self._in_sync else None

    def heard(self, namespace: str, generation: str) -> None:
        with self._lock:
            self._generations[namespace] = generation

    def forget(self) -> None:
        """Drop every page and generation (the cache was cleared)."""
        with self._lock:
            self._pages.clear()
            self._bytes = 0
            self._generations.clear()

    def _drop(self, key: str) -> None:
        entry = self._pages.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[1][2])

    # --- the subscription -----------------------------------------------------------------

    def configure(
        self,
        generation_keys: Callable[[], Iterable[tuple[str, str]]],
        on_reconnect: Callable[[], object] | None = None,
    ) -> None:
        """``generation_keys()`` gives ``(namespace, cache key of its generation)`` pairs;
        ``on_reconnect()`` runs when the subscription is back after it was lost (or could
        not start), before the generations are read again. Listening starts with the first
        lookup in each process (after a fork, again), so that workers and commands that
        never serve a page start nothing."""
        self._generation_keys = generation_keys
        self._on_reconnect = on_reconnect

    def restart(self) -> None:
        """Drop everything and listen afresh at the next lookup (the cache was pointed at
        another Redis, in tests)."""
        with self._lock:
            self._pid = None
            self._epoch += 1
            self._lost()

    def _lost(self) -> None:
        # Called with the lock held. Nothing heard while the subscription is down: no copy
        # can be trusted, now or once it is back (an edit may have been missed meanwhile).
        self._in_sync = False
        self._pages.clear()
        self._bytes = 0
        self._generations.clear()

    @property
    def in_sync(self) -> bool:
        return self._in_sync

    @property
    def recovering(self) -> bool:
        """Whether pages read from Redis must not be trusted until the subscription is
        back and every namespace has started afresh."""
        return self._recovering

    def __len__(self) -> int:
        return len(self._pages)

    def _started(self) -> bool:
        pid = os.getpid()
        if self._pid == pid:
            return True
        if not hasattr(self, "_generation_keys") or _redis_client() is None:
            return False
        with self._lock:
            if self._pid == pid:
                return True
            self._pid = pid
            self._epoch += 1
            epoch = self._epoch
            self._lost()
        thread = threading.Thread(
            target=self._listen, args=(pid, epoch), name="page-cache-generations", daemon=True
        )
        thread.start()
        return True

    def _current(self, pid: int, epoch: int) -> bool:
        return self._pid == pid and self._epoch == epoch

    def _listen(self, pid: int, epoch: int) -> None:
        wait = 1.0
        failed = False
        while self._current(pid, epoch):
            pubsub = None
            try:
                client = _redis_client()
                pubsub = client.pubsub()
                pubsub.subscribe(_channel(client))
                last_heard = time.monotonic()
                pinged = 0.0
                while self._current(pid, epoch):
                    # The connection of a hung Redis stays open and silent: a PING every
                    # PING_EVERY_SECONDS must be answered, or the subscription is lost.
                    now = time.monotonic()
                    if now - last_heard > SILENT_SECONDS:
                        raise TimeoutError(f"no answer from Redis for {SILENT_SECONDS} s")
                    if now - pinged >= PING_EVERY_SECONDS:
                        pubsub.ping()
                        pinged = now
                    message = pubsub.get_message(timeout=PING_EVERY_SECONDS / 2)
                    if message is None:
                        continue
                    last_heard = time.monotonic()
                    if message["type"] == "subscribe":
                        if failed and self._on_reconnect is not None:
                            self._on_reconnect()
                        self._recovering = False
                        self._resync(epoch)
                        failed, wait = False, 1.0
                    elif message["type"] == "message":
                        namespace, _, generation = message["data"].decode().partition(" ")
                        if namespace == CLEARED:
                            self.forget()
                        else:
                            self.heard(namespace, generation)
            except Exception:  # noqa: BLE001 - any failure: stop trusting, reconnect
                if not failed:
                    logger.warning("Page-cache subscription lost; reconnecting", exc_info=True)
                failed = True
                self._recovering = self._on_reconnect is not None
            finally:
                with self._lock:
                    if self._epoch == epoch:
                        self._lost()
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        pubsub.close()
            if not self._current(pid, epoch):
                return
            time.sleep(wait)
            wait = min(wait * 2, RECONNECT_MAX_SECONDS)

    def _resync(self, epoch: int) -> None:
        # Subscribed first, read second: a generation set meanwhile is also announced.
        pairs = list(self._generation_keys())
        found = getattr(cache, "strict", cache).get_many([key for _namespace, key in pairs])
        with self._lock:
            if self._epoch != epoch:
                return
            self._generations = {n: found[k] for n, k in pairs if found.get(k) is not None}
            self._in_sync = True


LOCAL_PAGES = LocalPages()


def announce(namespace: str, generation: str) -> None:
    """Tell every process ``namespace``'s new generation (and this one at once)."""
    LOCAL_PAGES.heard(namespace, generation)
    client = _redis_client()
    if client is not None:
        client.publish(_channel(client), f"{namespace} {generation}")


def announce_cleared() -> None:
    """The whole cache was cleared (``cache.clear()``): every process drops its copies."""
    LOCAL_PAGES.forget()
    client = _redis_client()
    if client is not None:
        client.publish(_channel(client), CLEARED)
