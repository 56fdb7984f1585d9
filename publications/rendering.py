"""A publication to PDF: pure functions (no database writes, no files), on the portal's one
restricted renderer (``leadit.pdf``). The render task in ``documents`` stores the bytes."""

from __future__ import annotations

import functools
import hashlib
import logging

from django.conf import settings

from leadit.pdf import render_pdf

from .content import publication_print_html
from .models import Publication

logger = logging.getLogger(__name__)
# The WeasyPrint versions whose footnote-area code ``_fix_footnote_overflow`` was checked against.
FOOTNOTE_FIX_VERSIONS = ("70.",)


def print_base_url(base_url: str | None = None) -> str:
    """Where the print document's relative links resolve: the portal's public address.
    The restricted fetcher maps ``/static/…`` and ``/media/…`` there to local files and
    never requests anything."""
    return base_url or settings.SITE_URL.rstrip("/") + "/"


@functools.cache
def _fix_footnote_overflow() -> bool:
    """Work around a WeasyPrint bug that moves footnotes to a later page.

    After laying out the footnote area, WeasyPrint (70) decides whether its last note
    overflows by comparing two float sums of the same lengths, added in different orders
    (``LayoutContext._update_footnote_area``). With a decorated area (our rule and spacing)
    the sums differ in the last bit, every note "overflows", is pushed to the next page and
    pushes the following notes along (the open upstream issue "One footnote per page",
    Kozea/WeasyPrint#2502). This repeats the method with a 0.01 px tolerance. Applied only
    to the versions it was checked against; ``test_rendering`` checks that notes land on
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


def html_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of a print document made by ``content.publication_print_html``."""
    _fix_footnote_overflow()
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
