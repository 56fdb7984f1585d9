"""What the public publication pages' tests share: reading a page as a visitor does and
a finished PDF of a publication."""

import datetime
import io
import re

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from publications.models import RenderedDocument

LIST_URL = "/publications/"


def page_html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def page_text(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:])", r"\1", text)


def titles_listed(html: str) -> list[str]:
    return re.findall(r'class="publication-item__title"[^>]*><a href="[^"]+">([^<]+)</a>', html)


def query_count(client, url: str) -> int:
    cache.clear()  # measure the view, not the page cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def done_document(publication, content: bytes, **fields) -> RenderedDocument:
    defaults = {
        "status": RenderedDocument.Status.DONE,
        "content_hash": f"{publication.pk:064x}"[-64:],
        "page_count": len(PdfReader(io.BytesIO(content)).pages),
        "size_bytes": len(content),
        "finished_at": datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC),
        "file": ContentFile(content, name="rendered.pdf"),
    }
    return RenderedDocument.objects.create(publication=publication, **{**defaults, **fields})
