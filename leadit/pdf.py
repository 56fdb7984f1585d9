"""The portal's one PDF renderer (DESIGN.md §6): HTML in, PDF bytes out, on WeasyPrint.

WeasyPrint's own URL fetcher reads any local file (``file:///etc/passwd``) and requests any
address (internal ones included). Every fetch here goes through :class:`RestrictedURLFetcher`
instead, which serves only:

* ``data:`` URLs;
* the portal's own static and media files: ``/static/…`` and ``/media/…`` paths (relative to
  the document's base URL), read from ``STATIC_ROOT``, the static source folders (the
  staticfiles finders: ``STATICFILES_DIRS`` and each app's ``static/``) or ``MEDIA_ROOT``;
* ``file://`` URLs whose real path (symlinks resolved) lies inside those folders.

Nothing ever goes to the network: an ``http(s)`` URL is only ever mapped to one of those
files, never requested, and every other URL (other hosts, other schemes, other files,
symlinks that lead out) is refused. A refused fetch raises :class:`PDFResourceRefused`;
WeasyPrint logs it and leaves the resource out, and the document still renders.

Rendering is a pure function that returns bytes (``render_pdf``); tasks store the bytes.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import os
from pathlib import Path, PurePosixPath
from urllib import request as urllib_request
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# WeasyPrint is imported when the first PDF is rendered, not with this module: it takes
# seconds to import, and every web process imports the views that use this module.

logger = logging.getLogger(__name__)

# The WeasyPrint versions whose footnote-area code ``_fix_footnote_overflow`` was checked against.
FOOTNOTE_FIX_VERSIONS = ("70.",)
# The base URL of a document rendered without one: ``/static/…`` resolves against it.
# ``.invalid`` (RFC 2606) can never be a real host, and it is never requested anyway.
DEFAULT_BASE_URL = "https://portal.invalid/"
# A file the renderer reads may not be larger than this (an image, a stylesheet, a font).
MAX_RESOURCE_BYTES = 20 * 1024 * 1024


class PDFResourceRefused(ValueError):  # noqa: N818 - reads better at the log line
    """A resource the PDF renderer will not fetch."""


def _static_prefix() -> str:
    return _url_path_prefix(settings.STATIC_URL)


def _media_prefix() -> str:
    return _url_path_prefix(settings.MEDIA_URL)


def _url_path_prefix(setting: str) -> str:
    """``/static/`` from ``/static/`` or ``https://cdn.example/static/``."""
    path = urlsplit(setting or "").path or "/"
    return path if path.endswith("/") else path + "/"


def allowed_roots() -> list[Path]:
    """The folders whose files a PDF may include, as real paths (symlinks resolved)."""
    roots: list[Path] = []
    for root in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        if root:
            roots.append(Path(root))
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location))
    resolved = []
    for root in roots:
        real = root.resolve()
        if real not in resolved:
            resolved.append(real)
    return resolved


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


class PortalResources:
    """Decides what a PDF may include, and reads it: ``get(url)`` returns the resource's
    final URL, bytes and content type, or raises :class:`PDFResourceRefused`."""

    def __init__(self, *, base_url: str | None = None):
        local = urlsplit(base_url or DEFAULT_BASE_URL)
        # The origin the document's own ``/static/…`` links resolve to.
        self._local_origin = (local.scheme.lower(), local.netloc.lower())
        self._roots = allowed_roots()

    def get(self, url: str) -> tuple[str, bytes, str]:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._data(url)
        if scheme == "file":
            return self._file(url)
        if scheme in ("http", "https"):
            return self._http(url)
        raise PDFResourceRefused(f"PDF renderer refuses {scheme or 'relative'} URL: {url[:200]}")

    def _data(self, url: str) -> tuple[str, bytes, str]:
        request = urllib_request.Request(url)  # noqa: S310 - only data: URLs get here
        response = urllib_request.DataHandler().data_open(request)
        return url, response.read(), response.headers["Content-Type"]

    def _http(self, url: str) -> tuple[str, bytes, str]:
        parts = urlsplit(url)
        if (parts.scheme.lower(), parts.netloc.lower()) != self._local_origin:
            raise PDFResourceRefused(f"PDF renderer refuses a network URL: {url[:200]}")
        path = unquote(parts.path)
        for prefix, resolve in (
            (_static_prefix(), self._static_file),
            (_media_prefix(), self._media_file),
        ):
            if path.startswith(prefix):
                return self._read(url, resolve(path.removeprefix(prefix)))
        raise PDFResourceRefused(f"PDF renderer refuses a non-static URL: {url[:200]}")

    def _file(self, url: str) -> tuple[str, bytes, str]:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise PDFResourceRefused(f"PDF renderer refuses a remote file URL: {url[:200]}")
        return self._read(url, Path(urllib_request.url2pathname(parts.path)))

    def _static_file(self, relative: str) -> Path:
        relative = self._clean_relative(relative)
        if settings.STATIC_ROOT:
            candidate = Path(settings.STATIC_ROOT) / relative
            if candidate.is_file():
                return candidate
        found = finders.find(relative)
        if not found:
            raise PDFResourceRefused(f"No static file {relative!r}")
        return Path(found if isinstance(found, str) else found[0])

    def _media_file(self, relative: str) -> Path:
        if not settings.MEDIA_ROOT:
            raise PDFResourceRefused("No MEDIA_ROOT")
        return Path(settings.MEDIA_ROOT) / self._clean_relative(relative)

    @staticmethod
    def _clean_relative(relative: str) -> str:
        parts = PurePosixPath(relative).parts
        if not parts or ".." in parts or relative.startswith("/") or "\x00" in relative:
            raise PDFResourceRefused(f"PDF renderer refuses the path {relative[:200]!r}")
        return relative

    def _read(self, url: str, path: Path) -> tuple[str, bytes, str]:
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise PDFResourceRefused(f"PDF renderer cannot read {url[:200]}") from exc
        if not _inside(real, self._roots) or not real.is_file():
            raise PDFResourceRefused(f"PDF renderer refuses a file outside the portal: {url[:200]}")
        if real.stat().st_size > MAX_RESOURCE_BYTES:
            raise PDFResourceRefused(f"PDF renderer refuses a file that is too large: {url[:200]}")
        content_type = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        # The resolved path is read (symlinks already followed and checked), not the path
        # as given.
        return real.as_uri(), real.read_bytes(), content_type


@functools.cache
def _fetcher_class():
    """``RestrictedURLFetcher``: WeasyPrint's URL fetcher (the v70 class API) that gets
    every resource from :class:`PortalResources`, built on first use (see the imports)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RestrictedURLFetcher(URLFetcher):
        def __init__(self, *, base_url: str | None = None):
            # The parent's opener (network handlers, redirects) is never used: ``fetch``
            # does not call it. A refused resource is logged and skipped, never fatal.
            super().__init__(allow_redirects=False, fail_on_errors=False, allowed_protocols=())
            self.resources = PortalResources(base_url=base_url)

        # WeasyPrint calls the fetcher (``__call__``), which calls ``fetch``.
        def fetch(self, url, headers=None):
            final_url, body, content_type = self.resources.get(url)
            return URLFetcherResponse(final_url, body, {"Content-Type": content_type})

        def open(self, url, data=None, timeout=None):  # the urllib opener entry point
            return self.fetch(url.full_url if isinstance(url, urllib_request.Request) else url)

    return RestrictedURLFetcher


def __getattr__(name: str):
    if name == "RestrictedURLFetcher":
        return _fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _fix_footnote_overflow() -> bool:
    """Work around a WeasyPrint bug that moves footnotes to a later page.

    After laying out the footnote area, WeasyPrint (70) decides whether its last note
    overflows by comparing two float sums of the same lengths, added in different orders
    (``LayoutContext._update_footnote_area``). With a decorated area (our rule and spacing)
    the sums differ in the last bit, every note "overflows", is pushed to the next page and
    pushes the following notes along (the open upstream issue "One footnote per page",
    Kozea/WeasyPrint#2502). This repeats the method with a 0.01 px tolerance. Applied only
    to the versions it was checked against; ``tests/publications/test_rendering.py`` checks that notes land on
    the page of their call."""
    import weasyprint
    from weasyprint import layout

    if not weasyprint.__version__.startswith(FOOTNOTE_FIX_VERSIONS):
        logger.warning("WeasyPrint %s: footnote fix not applied", weasyprint.__version__)
        return False
    from math import inf

    from weasyprint.formatting_structure import build
    from weasyprint.layout.block import block_level_layout

    def _update_footnote_area(self):
        if self.current_footnote_area.height != "auto" and not self.in_column:
            self.page_bottom += self.current_footnote_area.margin_height()
        self.current_footnote_area.children = self.current_page_footnotes
        if self.current_footnote_area.children:
            footnote_area = build.create_anonymous_boxes(self.current_footnote_area.deepcopy())
            footnote_area = block_level_layout(
                self, footnote_area, -inf, None, self.current_footnote_area.page
            )[0]
            self.current_footnote_area.height = footnote_area.height
            if not self.in_column:
                self.page_bottom -= footnote_area.margin_height()
            last_child = footnote_area.children[-1]
            last_child_bottom = (
                last_child.position_y + last_child.margin_height() - last_child.margin_bottom
            )
            footnote_area_bottom = (
                footnote_area.position_y
                + footnote_area.margin_height()
                - footnote_area.margin_bottom
            )
            return last_child_bottom > footnote_area_bottom + 0.01
        self.current_footnote_area.height = 0
        if not self.in_column:
            self.page_bottom -= self.current_footnote_area.margin_height()
        return False

    layout.LayoutContext._update_footnote_area = _update_footnote_area
    return True


def render_pdf(
    html: str,
    *,
    base_url: str | None = None,
    stylesheets: list[str | os.PathLike] | None = None,
) -> bytes:
    """The PDF of ``html``, every resource fetched through ``RestrictedURLFetcher``.

    ``base_url`` resolves relative links (``/static/…`` included); links in the PDF point
    there, so pass the portal's public address (``request.build_absolute_uri("/")``).
    ``stylesheets``: extra CSS, as CSS text (``str``) or the path of a ``.css`` file inside
    the static or media folders (``os.PathLike``).
    """
    from weasyprint import CSS, HTML

    _fix_footnote_overflow()
    base = base_url or DEFAULT_BASE_URL
    fetcher = _fetcher_class()(base_url=base)
    extra = []
    for stylesheet in stylesheets or []:
        if isinstance(stylesheet, os.PathLike):
            extra.append(CSS(url=Path(stylesheet).resolve().as_uri(), url_fetcher=fetcher))
        else:
            extra.append(CSS(string=stylesheet, base_url=base, url_fetcher=fetcher))
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=extra)
