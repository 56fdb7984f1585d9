"""The publications archive /publications/: what it lists, its filters and facets, its
pages, the PDF links and its query count."""

import datetime
import re

import pytest

from publications.models import Publication, RenderedDocument
from tests.factories.members import SectorFactory
from tests.factories.publications import (
    BriefFactory,
    NewsletterIssueFactory,
    NewsletterSectionFactory,
)
from tests.publications.pages import (
    LIST_URL,
    done_document,
    page_html,
    page_text,
    query_count,
    titles_listed,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def test_archive_lists_published_newest_first_and_hides_drafts(client, archive):
    html = page_html(client, LIST_URL)

    assert titles_listed(html) == [
        "LeadIT newsletter, first quarter 2025",
        "Green public procurement for steel and cement",
        "Carbon contracts for difference",
    ]
    text = page_text(html)
    assert "3 publications" in text
    assert "Hydrogen" not in text and "Industrial heat" not in text
    assert "Newsletter · issue 4 · Q1 2025" in text
    assert "Published 14 March 2025" in text
    assert "Sectors Cement and concrete, Iron and steel" in text
    assert "Countries Germany, Sweden" in text
    assert "How public buyers can create lead markets" in text
    assert 'href="/publications/newsletter/subscribe/"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "kind=brief",
            ["Green public procurement for steel and cement", "Carbon contracts for difference"],
        ),
        ("kind=newsletter", ["LeadIT newsletter, first quarter 2025"]),
        (
            "sector=cement",
            ["Green public procurement for steel and cement", "Carbon contracts for difference"],
        ),
        ("sector=steel", ["Green public procurement for steel and cement"]),
        ("country=IN", ["Carbon contracts for difference"]),
        ("country=se", ["Green public procurement for steel and cement"]),
        ("year=2024", ["Carbon contracts for difference"]),
        ("year=2025&kind=brief", ["Green public procurement for steel and cement"]),
        ("q=procurement", ["Green public procurement for steel and cement"]),
        ("q=COST+GAP", ["Carbon contracts for difference"]),  # the summary, any case
        ("q=nothing+like+this", []),
    ],
)
def test_archive_filters_narrow_the_list(client, archive, query, expected):
    html = page_html(client, f"{LIST_URL}?{query}")

    assert titles_listed(html) == expected
    text = page_text(html)
    assert f"{len(expected)} publication" in text
    if not expected:
        assert "No publications match these filters" in text


def test_archive_shows_active_filters_with_links_to_remove_them(client, archive):
    html = page_html(client, f"{LIST_URL}?sector=cement&country=IN&year=2024")

    text = page_text(html)
    assert "Filters on:" in text
    assert "Sector: Cement and concrete" in text
    assert "Country: India" in text
    assert "Year: 2024" in text
    # Removing the country keeps the others.
    assert 'href="?sector=cement&amp;year=2024"' in html


def test_archive_facets_count_what_each_choice_would_show(client, archive):
    html = page_html(client, f"{LIST_URL}?kind=brief")

    # With kind=brief kept: 2025 has one brief (the newsletter is left out), 2024 one.
    assert '<option value="2025">2025 (1)</option>' in html
    assert '<option value="2024">2024 (1)</option>' in html
    # The kind facet counts without its own filter.
    assert '<option value="brief" selected>Brief (2)</option>' in html
    assert '<option value="newsletter">Newsletter issue (1)</option>' in html
    assert '<option value="cement">Cement and concrete (2)</option>' in html
    assert '<option value="IN">India (1)</option>' in html
    # A sector nothing was published about is not offered.
    assert "Aviation" not in html


@pytest.mark.parametrize(
    ("query", "label", "value"),
    [
        ("kind=poem", "Kind", "poem"),
        ("sector=unknown", "Sector", "unknown"),
        ("country=XX", "Country", "XX"),
        ("year=abc", "Year", "abc"),
        ("year=1850", "Year", "1850"),
    ],
)
def test_archive_ignores_unknown_values_and_says_so(client, archive, query, label, value):
    html = page_html(client, f"{LIST_URL}?{query}")

    text = page_text(html)
    assert "Some filters were ignored" in text
    assert f"{label}: “{value}”" in text
    assert "so this filter is not applied" in text
    assert len(titles_listed(html)) == 3  # everything, as without the filter


def test_archive_says_why_a_malformed_year_is_ignored(client, archive):
    text = page_text(page_html(client, f"{LIST_URL}?year=20x5&kind=brief"))

    assert "Year: “20x5” is not a year from 2019 to 2100" in text
    assert "2 publications" in text  # the kind filter still applies


def test_archive_search_refuses_a_nul_byte_without_failing(client, archive):
    html = page_html(client, f"{LIST_URL}?q=steel%00&sector=st%00eel")

    assert "Some filters were ignored" in page_text(html)
    assert len(titles_listed(html)) == 3


def test_archive_pages_and_a_page_past_the_end_gives_the_last(client):
    for day in range(1, 26):
        BriefFactory(title=f"Brief of day {day:02d}", published_on=D(2025, 1, day))

    first = page_html(client, LIST_URL)
    assert len(titles_listed(first)) == 20
    assert titles_listed(first)[0] == "Brief of day 25"
    assert "Page 1 of 2 (publications 1–20)" in page_text(first)

    last = page_html(client, f"{LIST_URL}?page=99")
    assert titles_listed(last) == [f"Brief of day {d:02d}" for d in range(5, 0, -1)]
    assert "Page 2 of 2 (publications 21–25)" in page_text(last)

    not_a_number = page_html(client, f"{LIST_URL}?page=abc")
    assert titles_listed(not_a_number)[0] == "Brief of day 25"


def test_archive_links_the_pdf_only_when_one_is_done(client, archive, media_root, pdf_bytes):
    done_document(archive["procurement"], pdf_bytes)
    RenderedDocument.objects.create(publication=archive["ccfd"], content_hash="q" * 64)  # queued
    RenderedDocument.objects.create(
        publication=archive["issue"],
        content_hash="f" * 64,
        status=RenderedDocument.Status.FAILED,
        last_error="boom",
    )

    html = page_html(client, LIST_URL)

    pdf_links = re.findall(r'href="(/publications/[^"]+\.pdf)"', html)
    assert pdf_links == ["/publications/green-public-procurement.pdf"]
    assert "(2 pages, " in page_text(html)


def test_archive_and_page_show_the_document_finished_last(client, archive, media_root, pdf_bytes):
    brief = archive["procurement"]
    at = datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC)
    done_document(brief, pdf_bytes, content_hash="a" * 64, page_count=5, finished_at=at)
    done_document(brief, pdf_bytes, content_hash="b" * 64, page_count=7, finished_at=at)
    # Requested last, but finished before the others (a slow render of older content).
    done_document(
        brief,
        pdf_bytes,
        content_hash="c" * 64,
        page_count=3,
        finished_at=at - datetime.timedelta(hours=1),
    )
    RenderedDocument.objects.create(publication=brief, content_hash="d" * 64)  # queued

    listed = page_text(page_html(client, LIST_URL))
    shown = page_text(page_html(client, brief.get_absolute_url()))

    assert "(7 pages, " in listed
    assert "(5 pages, " not in listed and "(3 pages, " not in listed
    assert "PDF, 7 pages," in shown


@pytest.mark.parametrize("query", ["", "?sector=steel&year=2025", "?q=brief&kind=brief"])
def test_archive_query_count_does_not_grow_with_the_publications(
    client, media_root, pdf_bytes, query
):
    steel = SectorFactory(name="Iron and steel", slug="steel")

    def add(n: int) -> None:
        for i in range(n):
            brief = BriefFactory(
                title=f"A brief {i}",
                published_on=D(2025, 1, 1) + datetime.timedelta(days=i),
                countries=["SE", "IN"],
                sectors=[steel, SectorFactory()],
            )
            done_document(brief, pdf_bytes, content_hash=f"{brief.pk:064d}")
            issue = NewsletterIssueFactory(
                status=Publication.Status.PUBLISHED, published_on=D(2024, 1, 1)
            )
            NewsletterSectionFactory(issue=issue)

    add(5)
    small = query_count(client, LIST_URL + query)
    add(20)  # more than a page (20) in every list measured
    large = query_count(client, LIST_URL + query)

    assert small == large
    assert large <= 12
