"""Whole-page caching of public pages in the shared cache (Redis in production), with
invalidation by namespace: ``invalidate("tracker")`` makes every cached tracker page stale
at once by moving the namespace to a new generation, so an edit shows up immediately.

Three pieces work together:

* ``@cache_public_page(namespace)`` on a view says that its GET responses to anonymous
  visitors may be cached, and under which namespace;
* :class:`PageCacheMiddleware`, the first middleware, stores those responses with every
  header the rest of the stack added (CSP, security headers, ``X-Frame-Options``,
  ``Vary``…: they are the same for every anonymous visitor) and answers later requests
  from the cache before any other middleware runs: from the web process's own copy
  (``leadit.local_pages``) while it is known to be current, else with one Redis round
  trip;
* :class:`PageCacheFront`, around Django's WSGI application (``leadit.wsgi``), answers a
  hit on the process's own copy before Django's request handling even starts, so a hit
  costs less than the barest Django view.

A visitor with a session cookie may be signed in, which only the session can tell: the
middleware lets that request through, and the decorator answers it from the cache if the
visitor is anonymous after all.
"""

import atexit
import contextlib
import functools
import gzip
import hashlib
import logging
import os
import pickle
import threading
import time
import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver, resolve
from django.utils.cache import patch_vary_headers

from .local_pages import LOCAL_PAGES, announce
from .redis_cache import on_recovery

logger = logging.getLogger(__name__)

PAGE_TIMEOUT = 60 * 60
# With the cache down, pages are rendered as if nothing were cached (and /healthz says so).
CACHE_DOWN = (redis.RedisError, OSError)
# While invalidations wait for Redis to come back, it is asked this often.
REPLAY_EVERY_SECONDS = 1.0
# Headers that belong to one response only.
NOT_STORED = {"content-length", "set-cookie", "date"}

# Every namespace a view was declared with, so that a lookup can fetch the page and the
# generations in one round trip without knowing the view yet.
NAMESPACES: set[str] = set()


def _generation_key(namespace: str) -> str:
    return f"pagecache:{namespace}:generation"


def _page_key(request: HttpRequest) -> str:
    # The scheme and host too: a page may hold absolute links built from them. (Asking
    # for the host checks it against ALLOWED_HOSTS.)
    digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"pagecache:page:{digest}"


def _pages_cache():
    """The cache as the page cache needs it: raising when Redis is down (``cache.strict``
    of ``leadit.redis_cache.ResilientRedisCache``) rather than answering from this
    process's own memory, where an invalidation by another process cannot reach."""
    return getattr(cache, "strict", cache)


def invalidate(*namespaces: str) -> None:
    """Make every cached page of ``namespaces`` stale. Never fails for want of Redis: an
    edit must go through while the cache is down. Then the namespaces are remembered and
    invalidated again as soon as Redis answers (before this process reads a page from it,
    and within ``REPLAY_EVERY_SECONDS`` anyway), so a page cached before the outage is not
    served after it."""
    for namespace in namespaces:
        try:
            _new_generation(namespace)
        except CACHE_DOWN as exc:
            _remember(namespace, exc)


def _new_generation(namespace: str) -> None:
    generation = uuid.uuid4().hex
    # This process's own copies go stale at once, whatever Redis does.
    LOCAL_PAGES.heard(namespace, generation)
    _pages_cache().set(_generation_key(namespace), generation, timeout=None)
    announce(namespace, generation)


# --- Invalidations Redis missed -------------------------------------------------------------

_pending: set[str] = set()
_pending_lock = threading.Lock()
_replay_lock = threading.RLock()
_replayer_pid: int | None = None


def _remember(namespace: str, exc: BaseException) -> None:
    global _replayer_pid
    with _pending_lock:
        first = not _pending
        _pending.add(namespace)
        start = _replayer_pid != os.getpid()
        if start:
            _replayer_pid = os.getpid()
    if first:
        logger.warning(
            "Page cache unavailable (%s); invalidation of %s kept until Redis answers",
            type(exc).__name__,
            namespace,
        )
    if start:
        threading.Thread(
            target=_replay_loop, args=(os.getpid(),), name="page-cache-replay", daemon=True
        ).start()


def pending_invalidations() -> set[str]:
    with _pending_lock:
        return set(_pending)


def replay_pending() -> None:
    """Invalidate again what Redis missed (what fails again stays pending)."""
    replayed = []
    with _replay_lock:
        for namespace in sorted(pending_invalidations()):
            if namespace not in pending_invalidations():
                continue  # replayed meanwhile (by the recovery this very call set off)
            try:
                _new_generation(namespace)
            except CACHE_DOWN:
                break
            with _pending_lock:
                _pending.discard(namespace)
            replayed.append(namespace)
    if replayed:
        logger.warning("Page cache: invalidations of %s replayed", ", ".join(replayed))


def _replay_loop(pid: int) -> None:
    # One thread per process while anything is pending: a worker that saved a PDF during
    # the outage may serve nothing after it, yet its invalidation must reach Redis.
    global _replayer_pid
    while True:
        time.sleep(REPLAY_EVERY_SECONDS)
        with _pending_lock:
            if not _pending:
                if _replayer_pid == pid:
                    _replayer_pid = None
                return
        try:
            replay_pending()
        except Exception:  # noqa: BLE001 - keep trying while anything is pending
            logger.exception("Page cache: replaying invalidations failed")


@atexit.register
def _replay_at_exit() -> None:
    # A management command or a worker child ending during an outage: one last try.
    if pending_invalidations():
        with contextlib.suppress(Exception):
            replay_pending()


# The resilient cache runs this before the call that found Redis back goes on.
on_recovery(replay_pending)


def _invalidate_everything() -> None:
    """After this process's subscription was lost (Redis restarted, hung, unreachable), any
    process may have changed pages it could not invalidate: start every namespace afresh."""
    invalidate(*sorted(NAMESPACES))


def _generation_keys() -> list[tuple[str, str]]:
    # Views declare their namespaces when the URLconf imports them, which Django does on its
    # first request: the front (PageCacheFront) may ask for a page before that.
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf
    return [(n, _generation_key(n)) for n in sorted(NAMESPACES)]


LOCAL_PAGES.configure(
    _generation_keys,
    on_reconnect=lambda: (replay_pending(), _invalidate_everything()),
)


def _lookup(request: HttpRequest) -> HttpResponse | None:
    """The cached page for this request if it is still current (from this process's own
    copy if it can, else from Redis); remembers the namespaces' generations on the
    request for the view's own render."""
    key = _page_key(request)
    stored = LOCAL_PAGES.get(key)
    if stored is None:
        if LOCAL_PAGES.recovering:
            # After an outage, until this process has started every namespace afresh.
            return None
        found = _pages_cache().get_many([key, *(_generation_key(n) for n in NAMESPACES)])
        request._page_cache_generations = found
        stored = found.get(key)
        if stored is None or found.get(_generation_key(stored[0])) != stored[1]:
            return None
        LOCAL_PAGES.put(key, stored, PAGE_TIMEOUT)
    return _response(request, stored)


def _response(request: HttpRequest, stored: tuple) -> HttpResponse:
    body, headers = _body_and_headers(request, stored)
    response = HttpResponse(body)
    for name, value in headers:
        response[name] = value
    return response


def _body_and_headers(request: HttpRequest, stored: tuple) -> tuple[bytes, list]:
    _namespace, _generation, compressed, headers = stored
    if _accepts_gzip(request):
        return compressed, [("Content-Encoding", "gzip"), *headers]
    return _decompressed(compressed), headers


# Issue 13: a client that does not take gzip (some HTTP libraries, feed readers, bots) made
# every hit of a large page (the charts, the coverage map: 200+ KiB) decompress it again, at
# under 0.85 x the barest view. The process keeps the plain bodies it served last. The key is
# the compressed bytes: the process's own copy hands out the same object each time, whose
# hash Python keeps, and a new generation is a new entry. At most PLAIN_PAGES bodies.
PLAIN_PAGES = 16


@functools.lru_cache(maxsize=PLAIN_PAGES)
def _decompressed(compressed: bytes) -> bytes:
    return gzip.decompress(compressed)


def _accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")


def _current_generation(request: HttpRequest, namespace: str) -> str:
    generation = getattr(request, "_page_cache_generations", {}).get(
        _generation_key(namespace)
    ) or LOCAL_PAGES.generation(namespace)
    if generation is None:
        generation = uuid.uuid4().hex
        pages = _pages_cache()
        if pages.add(_generation_key(namespace), generation, timeout=None):
            announce(namespace, generation)
        else:
            generation = pages.get(_generation_key(namespace))
    return generation


def _may_use_cache(request: HttpRequest) -> bool:
    return request.method == "GET"


def _one_off(request: HttpRequest, view) -> bool:
    """Whether the address carries a query parameter the view does not read (a tracking
    tag, ``?nocache=…``): such addresses are rarely asked for twice, so their pages are
    neither looked up nor stored (the view's own fragments still serve them)."""
    reads = getattr(view, "page_cache_reads", None)
    return reads is not None and not reads.issuperset(request.GET.keys())


def cache_public_page(namespace: str, timeout: int = PAGE_TIMEOUT, reads=None):
    """Cache a view's GET responses for anonymous visitors under ``namespace``.

    Signed-in users always get a fresh page (it shows their name and may show more), and a
    page that displayed a one-time message or handed out a CSRF token is never stored.
    ``reads``, if given, names every query parameter the view reads: an address with any
    other is not cached (see ``_one_off``).
    """
    NAMESPACES.add(namespace)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if (
                not _may_use_cache(request)
                or request.user.is_authenticated
                or _one_off(request, wrapper)
            ):
                return view(request, *args, **kwargs)
            try:
                if not hasattr(request, "_page_cache_generations"):
                    cached = _lookup(request)
                    if cached is not None:
                        return cached
                # Read before rendering: an edit made during the render leaves the stored
                # page already stale.
                generation = _current_generation(request, namespace)
            except CACHE_DOWN:
                logger.warning("Page cache unavailable; rendering %s", request.path)
                return view(request, *args, **kwargs)
            response = view(request, *args, **kwargs)
            response._page_cache = (namespace, generation, timeout)
            return response

        # Tells the middleware that this view's pages may be in the cache.
        wrapper.page_cache_namespace = namespace
        wrapper.page_cache_reads = None if reads is None else frozenset(reads)
        return wrapper

    return decorator


def _cached_view(request: HttpRequest) -> bool:
    """Whether the URL's view caches its pages: resolving takes microseconds, a cache
    lookup a network round trip that every other page would pay for nothing."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return hasattr(match.func, "page_cache_namespace") and not _one_off(request, match.func)


def _anonymous_get(request: HttpRequest) -> bool:
    """Whether a cached page may answer this request, if there is one for its address."""
    return (
        _may_use_cache(request)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        # Plain HTTP is redirected to HTTPS by the security middleware, not answered.
        and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
    )


class PageCacheFront:
    """The WSGI application in front of Django's (``leadit.wsgi``): answers a request from
    this process's own copy of a current page (``leadit.local_pages``) without Django's
    request handling (signals, URL resolving, response objects), which cost more than the
    barest view; anything else (a page only Redis holds, a miss, a host not allowed) goes to
    Django, where :class:`PageCacheMiddleware` decides as before. A page only ever gets into
    the process's copy through that middleware, with every header the stack added."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            request = WSGIRequest(environ)
            try:
                stored = LOCAL_PAGES.get(_page_key(request)) if _anonymous_get(request) else None
            except DisallowedHost:
                stored = None  # Django answers 400 and logs it
            if stored is not None:
                body, headers = _body_and_headers(request, stored)
                start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
                return [body]
        return self.app(environ, start_response)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _anonymous_get(request) and _cached_view(request):
            try:
                cached = _lookup(request)
            except CACHE_DOWN:
                cached = None
            if cached is not None:
                return cached
        response = self.get_response(request)
        if hasattr(response, "_page_cache"):
            try:
                self._store(request, response)
            except CACHE_DOWN:
                logger.warning("Page cache unavailable; %s not stored", request.path)
        return response

    @staticmethod
    def _store(request: HttpRequest, response: HttpResponse) -> None:
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        messages_shown = getattr(getattr(request, "_messages", None), "used", False)
        # A page with a CSRF token in it is tied to this visitor's cookie.
        token_handed_out = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        if response.status_code != 200 or response.streaming or messages_shown:
            return
        if token_handed_out or response.cookies:
            return
        namespace, generation, timeout = response._page_cache
        patch_vary_headers(response, ["Accept-Encoding"])
        headers = [(h, v) for h, v in response.items() if h.lower() not in NOT_STORED]
        # Stored compressed, once: a fraction of the bytes to fetch from Redis and to send,
        # for every browser (they all accept gzip). The page holds no secret (no CSRF
        # token, nothing of a signed-in user), so compression leaks nothing (BREACH).
        compressed = gzip.compress(response.content, compresslevel=6, mtime=0)
        stored = (namespace, generation, compressed, headers)
        key = _page_key(request)
        _pages_cache().set(key, stored, timeout)
        LOCAL_PAGES.put(key, stored, timeout)


def cached_fragment(request: HttpRequest, namespace: str, key: tuple, build):
    """``build()`` (any picklable value: a rendered part of a page and what goes with it),
    cached under ``key`` until ``namespace`` is invalidated.

    For the parts of a page that depend only on some of its query string: the page cache
    keys on the whole address, so ``?utm_source=…``, a reordered query or another visitor's
    tracking parameters miss it; the fragment is still there.
    """
    digest = hashlib.sha256(repr(key).encode()).hexdigest()
    fragment_key = f"pagecache:{namespace}:fragment:{digest}"
    try:
        generation = _current_generation(request, namespace)
        # The process's own copy first (as for pages), kept pickled: each use gets its own.
        local = LOCAL_PAGES.get(fragment_key)
        if local is not None and local[1] == generation:
            return pickle.loads(local[2])  # noqa: S301 - our own bytes, never a visitor's
        stored = _pages_cache().get(fragment_key)
    except CACHE_DOWN:
        return build()
    if stored is not None and stored[0] == generation:
        value = stored[1]
    else:
        value = build()
        try:
            _pages_cache().set(fragment_key, (generation, value), PAGE_TIMEOUT)
        except CACHE_DOWN:
            logger.warning("Page cache unavailable; fragment of %s not stored", request.path)
            return value
    local = (namespace, generation, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), ())
    LOCAL_PAGES.put(fragment_key, local, PAGE_TIMEOUT)
    return value
