"""Whole-page caching of public pages in the shared cache (Redis in production), with
invalidation by namespace: ``invalidate("tracker")`` makes every cached tracker page stale
at once by moving the namespace to a new generation, so an edit shows up immediately."""

import functools
import hashlib
import uuid

from django.core.cache import cache
from django.http import HttpResponse

PAGE_TIMEOUT = 60 * 60


def _generation_key(namespace: str) -> str:
    return f"pagecache:{namespace}:generation"


def invalidate(*namespaces: str) -> None:
    for namespace in namespaces:
        cache.set(_generation_key(namespace), uuid.uuid4().hex, timeout=None)


def cache_public_page(namespace: str, timeout: int = PAGE_TIMEOUT):
    """Cache a view's GET responses for anonymous visitors under ``namespace``.

    Signed-in users always get a fresh page (it shows their name and may show more), and a
    page that displayed a one-time message is never stored.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "GET" or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
            key, generation_key = f"pagecache:{namespace}:{digest}", _generation_key(namespace)
            # One round trip: the page carries the generation it was rendered in, and is
            # used only while that is still the namespace's current generation.
            found = cache.get_many([key, generation_key])
            generation = found.get(generation_key)
            if generation is None:
                generation = uuid.uuid4().hex
                if not cache.add(generation_key, generation, timeout=None):
                    generation = cache.get(generation_key)
            stored = found.get(key)
            if stored is not None and stored[0] == generation:
                _, content, content_type, headers = stored
                response = HttpResponse(content, content_type=content_type)
                for name, value in headers:
                    response[name] = value
                return response
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            messages_shown = getattr(getattr(request, "_messages", None), "used", False)
            if response.status_code == 200 and not messages_shown and not response.streaming:
                headers = [(h, response[h]) for h in ("Content-Disposition",) if h in response]
                stored = (generation, response.content, response["Content-Type"], headers)
                cache.set(key, stored, timeout)
            return response

        return wrapper

    return decorator
