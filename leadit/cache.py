"""Whole-page caching of public pages in the shared cache (Redis in production), with
invalidation by namespace: ``invalidate("tracker")`` makes every cached tracker page stale
at once by moving the namespace to a new generation, so an edit shows up immediately.

Two pieces work together:

* ``@cache_public_page(namespace)`` on a view says that its GET responses to anonymous
  visitors may be cached, and under which namespace;
* :class:`PageCacheMiddleware`, the first middleware, stores those responses with every
  header the rest of the stack added (CSP, security headers, ``X-Frame-Options``,
  ``Vary``…: they are the same for every anonymous visitor) and answers later requests
  from the cache before any other middleware runs: from the web process's own copy
  (``leadit.local_pages``) while it is known to be current, else with one Redis round
  trip. Either way a hit costs less than the barest view.

A visitor with a session cookie may be signed in, which only the session can tell: the
middleware lets that request through, and the decorator answers it from the cache if the
visitor is anonymous after all.
"""

import functools
import gzip
import hashlib
import logging
import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers

from .local_pages import LOCAL_PAGES, announce

logger = logging.getLogger(__name__)

PAGE_TIMEOUT = 60 * 60
# With the cache down, pages are rendered as if nothing were cached (and /healthz says so).
CACHE_DOWN = (redis.RedisError, OSError)
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


def invalidate(*namespaces: str) -> None:
    for namespace in namespaces:
        generation = uuid.uuid4().hex
        cache.set(_generation_key(namespace), generation, timeout=None)
        announce(namespace, generation)


LOCAL_PAGES.configure(lambda: [(n, _generation_key(n)) for n in sorted(NAMESPACES)])


def _lookup(request: HttpRequest) -> HttpResponse | None:
    """The cached page for this request if it is still current (from this process's own
    copy if it can, else from Redis); remembers the namespaces' generations on the
    request for the view's own render."""
    key = _page_key(request)
    stored = LOCAL_PAGES.get(key)
    if stored is None:
        found = cache.get_many([key, *(_generation_key(n) for n in NAMESPACES)])
        request._page_cache_generations = found
        stored = found.get(key)
        if stored is None or found.get(_generation_key(stored[0])) != stored[1]:
            return None
        LOCAL_PAGES.put(key, stored, PAGE_TIMEOUT)
    return _response(request, stored)


def _response(request: HttpRequest, stored: tuple) -> HttpResponse:
    _namespace, _generation, compressed, headers = stored
    if _accepts_gzip(request):
        response = HttpResponse(compressed)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed))
    for name, value in headers:
        response[name] = value
    return response


def _accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def _current_generation(request: HttpRequest, namespace: str) -> str:
    generation = getattr(request, "_page_cache_generations", {}).get(_generation_key(namespace))
    if generation is None:
        generation = uuid.uuid4().hex
        if cache.add(_generation_key(namespace), generation, timeout=None):
            announce(namespace, generation)
        else:
            generation = cache.get(_generation_key(namespace))
    return generation


def _may_use_cache(request: HttpRequest) -> bool:
    return request.method == "GET"


def cache_public_page(namespace: str, timeout: int = PAGE_TIMEOUT):
    """Cache a view's GET responses for anonymous visitors under ``namespace``.

    Signed-in users always get a fresh page (it shows their name and may show more), and a
    page that displayed a one-time message or handed out a CSRF token is never stored.
    """
    NAMESPACES.add(namespace)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _may_use_cache(request) or request.user.is_authenticated:
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
        return wrapper

    return decorator


def _cached_view(request: HttpRequest) -> bool:
    """Whether the URL's view caches its pages: resolving takes microseconds, a cache
    lookup a network round trip that every other page would pay for nothing."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return hasattr(match.func, "page_cache_namespace")


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            _may_use_cache(request)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            # Plain HTTP is redirected to HTTPS by the security middleware, not answered.
            and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
            and _cached_view(request)
        ):
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
        cache.set(key, stored, timeout)
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
        stored = cache.get(fragment_key)
    except CACHE_DOWN:
        return build()
    if stored is not None and stored[0] == generation:
        return stored[1]
    value = build()
    try:
        cache.set(fragment_key, (generation, value), PAGE_TIMEOUT)
    except CACHE_DOWN:
        logger.warning("Page cache unavailable; fragment of %s not stored", request.path)
    return value
