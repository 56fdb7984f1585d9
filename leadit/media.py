"""Uploaded files at ``MEDIA_URL``: only the public ones (``PUBLIC_MEDIA_PREFIXES``: member
logos, publication covers), in every mode. Anything else under ``MEDIA_ROOT`` (event
documents under ``private/``, rendered PDFs) is reached only through the views that check
who asks, so a guessed or leaked path answers 404.

In production a proxy may serve the same prefixes itself; it must not serve the rest of
``MEDIA_ROOT`` either.
"""

import posixpath

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve


def is_public_media(path: str) -> bool:
    normalised = posixpath.normpath(path).lstrip("/")
    if normalised != path or normalised.startswith(".."):
        return False
    return normalised.startswith(tuple(settings.PUBLIC_MEDIA_PREFIXES))


def public_media(request: HttpRequest, path: str) -> HttpResponse:
    if not is_public_media(path):
        raise Http404("No such file.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)
