"""What the public member pages' tests share: reading a page as a visitor does."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

LIST_URL = "/members/"


def page_html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def page_text(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;])", r"\1", text)


def names_listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/members/[^"]+/">([^<]+)</a>', html)


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)
