"""Each web process's own copy of the cached pages it served last, kept current by Redis.

A page-cache hit in Redis costs a network round trip, which on a busy machine costs more
than rendering the barest view. So each process also keeps the pages it served in memory
(least recently used first out, ``MAX_BYTES`` at most) and answers from there while it is
sure they are current: a thread per process subscribes to ``CHANNEL``, on which
``leadit.cache.invalidate`` announces every namespace's new generation (and
``cache.clear()`` that everything is gone), and holds the generations it heard. Whenever that subscription is not known to be live (not yet
started, reconnecting, the cache is not Redis) this copy is not used and every lookup goes
to Redis as before. An edit still shows up at once: the invalidating process updates its
own copy directly, the others within the delivery of one pub/sub message. (Emptying Redis
behind Django's back, ``redis-cli FLUSHDB``, is not heard: use ``cache.clear()``.)
"""

from __future__ import annotations

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
RECONNECT_MAX_SECONDS = 30


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

    def configure(self, generation_keys: Callable[[], Iterable[tuple[str, str]]]) -> None:
        """``generation_keys()`` gives ``(namespace, cache key of its generation)`` pairs.
        Listening starts with the first lookup in each process (after a fork, again), so
        that workers and commands that never serve a page start nothing."""
        self._generation_keys = generation_keys

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
            self._pages.clear()
            self._bytes = 0
            self._generations.clear()
            self._in_sync = False
        thread = threading.Thread(
            target=self._listen, args=(pid,), name="page-cache-generations", daemon=True
        )
        thread.start()
        return True

    def _listen(self, pid: int) -> None:
        wait = 1
        while self._pid == pid:
            try:
                client = _redis_client()
                pubsub = client.pubsub()
                pubsub.subscribe(_channel(client))
                for message in pubsub.listen():
                    if message["type"] == "subscribe":
                        self._resync()
                        wait = 1
                    elif message["type"] == "message":
                        namespace, _, generation = message["data"].decode().partition(" ")
                        if namespace == CLEARED:
                            self.forget()
                        else:
                            self.heard(namespace, generation)
            except Exception:  # noqa: BLE001 - any failure: stop trusting, reconnect
                logger.warning("Page-cache subscription lost; reconnecting", exc_info=True)
            with self._lock:
                self._in_sync = False
            time.sleep(wait)
            wait = min(wait * 2, RECONNECT_MAX_SECONDS)

    def _resync(self) -> None:
        # Subscribed first, read second: a generation set meanwhile is also announced.
        pairs = list(self._generation_keys())
        found = cache.get_many([key for _namespace, key in pairs])
        with self._lock:
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
