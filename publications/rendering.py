"""A publication to PDF: pure functions (no database writes, no files), on the portal's one
restricted renderer (``leadit.pdf``). The render task in ``documents`` stores the bytes."""

from __future__ import annotations

import hashlib

from django.conf import settings

from leadit.pdf import render_pdf

from .content import publication_print_html
from .models import Publication


def print_base_url(base_url: str | None = None) -> str:
    """Where the print document's relative links resolve: the portal's public address.
    The restricted fetcher maps ``/static/…`` and ``/media/…`` there to local files and
    never requests anything."""
    return base_url or settings.SITE_URL.rstrip("/") + "/"


def html_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of a print document made by ``content.publication_print_html``."""
    return render_pdf(html, base_url=print_base_url(base_url))


def publication_pdf(publication: Publication, *, base_url: str | None = None) -> bytes:
    """The PDF of ``publication`` as it is now."""
    base = print_base_url(base_url)
    return html_pdf(publication_print_html(publication, base_url=base), base_url=base)


def html_hash(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def content_hash(publication: Publication) -> str:
    """SHA-256 of the print HTML: equal hashes, equal PDFs (the renderer is deterministic
    for the same HTML and the same static files)."""
    return html_hash(publication_print_html(publication, base_url=print_base_url()))
