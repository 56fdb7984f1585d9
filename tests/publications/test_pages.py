"""The public publication pages: the archive /publications/, one publication
/publications/<slug>/ and its PDF /publications/<slug>.pdf."""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from leadit.pdf import render_pdf
from publications.models import Publication, RenderedDocument
from tests.factories.members import EditorFactory, SectorFactory
from tests.factories.publications import (
    BriefFactory,
    NewsletterIssueFactory,
    NewsletterItemFactory,
    NewsletterSectionFactory,
)
from tests.factories.users import StaffFactory
from tests.factories.workplan import ActivityFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/publications/"
D = datetime.date


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _text(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:])", r"\1", text)


def _titles_listed(html: str) -> list[str]:
    return re.findall(r'class="publication-item__title"[^>]*><a href="[^"]+">([^<]+)</a>', html)


def _query_count(client, url: str) -> int:
    cache.clear()  # measure the view, not the page cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.fixture
def staff_browser():
    """A signed-in staff member's own client, beside the anonymous ``client``."""
    browser = Client()
    browser.force_login(StaffFactory())
    return browser


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return render_pdf("<h1>A brief</h1><p style='break-after: page'>One</p><p>Two</p>")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _done_document(publication, content: bytes, **fields) -> RenderedDocument:
    defaults = {
        "status": RenderedDocument.Status.DONE,
        "content_hash": f"{publication.pk:064x}"[-64:],
        "page_count": len(PdfReader(io.BytesIO(content)).pages),
        "size_bytes": len(content),
        "finished_at": datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC),
        "file": ContentFile(content, name="rendered.pdf"),
    }
    return RenderedDocument.objects.create(publication=publication, **{**defaults, **fields})


@pytest.fixture
def archive():
    """Two briefs and a newsletter issue published; a draft and a brief in review."""
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement and concrete", slug="cement")
    SectorFactory(name="Aviation", slug="aviation")  # nothing published about it
    procurement = BriefFactory(
        title="Green public procurement for steel and cement",
        slug="green-public-procurement",
        summary="How public buyers can create lead markets for near-zero steel and cement.",
        published_on=D(2025, 3, 14),
        countries=["SE", "DE"],
        sectors=[steel, cement],
    )
    ccfd = BriefFactory(
        title="Carbon contracts for difference",
        slug="carbon-contracts-for-difference",
        summary="Closing the cost gap of low-carbon cement with a contract.",
        published_on=D(2024, 6, 1),
        countries=["IN"],
        sectors=[cement],
    )
    issue = NewsletterIssueFactory(
        number=4,
        year=2025,
        quarter=1,
        title="LeadIT newsletter, first quarter 2025",
        slug="newsletter-2025-q1",
        summary="Summit news and two new roadmaps.",
        status=Publication.Status.PUBLISHED,
        published_on=D(2025, 4, 10),
    )
    draft = BriefFactory(
        title="Hydrogen for industry (draft)",
        slug="hydrogen-draft",
        status=Publication.Status.DRAFT,
        published_on=None,
    )
    BriefFactory(
        title="Industrial heat (in review)",
        slug="industrial-heat",
        status=Publication.Status.IN_REVIEW,
        published_on=None,
    )
    return {"procurement": procurement, "ccfd": ccfd, "issue": issue, "draft": draft}


# --- the archive ----------------------------------------------------------------------------


def test_archive_lists_published_newest_first_and_hides_drafts(client, archive):
    html = _page(client, LIST_URL)

    assert _titles_listed(html) == [
        "LeadIT newsletter, first quarter 2025",
        "Green public procurement for steel and cement",
        "Carbon contracts for difference",
    ]
    text = _text(html)
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
    html = _page(client, f"{LIST_URL}?{query}")

    assert _titles_listed(html) == expected
    text = _text(html)
    assert f"{len(expected)} publication" in text
    if not expected:
        assert "No publications match these filters" in text


def test_archive_shows_active_filters_with_links_to_remove_them(client, archive):
    html = _page(client, f"{LIST_URL}?sector=cement&country=IN&year=2024")

    text = _text(html)
    assert "Filters on:" in text
    assert "Sector: Cement and concrete" in text
    assert "Country: India" in text
    assert "Year: 2024" in text
    # Removing the country keeps the others.
    assert 'href="?sector=cement&amp;year=2024"' in html


def test_archive_facets_count_what_each_choice_would_show(client, archive):
    html = _page(client, f"{LIST_URL}?kind=brief")

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
    html = _page(client, f"{LIST_URL}?{query}")

    text = _text(html)
    assert "Some filters were ignored" in text
    assert f"{label}: “{value}”" in text
    assert "so this filter is not applied" in text
    assert len(_titles_listed(html)) == 3  # everything, as without the filter


def test_archive_says_why_a_malformed_year_is_ignored(client, archive):
    text = _text(_page(client, f"{LIST_URL}?year=20x5&kind=brief"))

    assert "Year: “20x5” is not a year from 2019 to 2100" in text
    assert "2 publications" in text  # the kind filter still applies


def test_archive_search_refuses_a_nul_byte_without_failing(client, archive):
    html = _page(client, f"{LIST_URL}?q=steel%00&sector=st%00eel")

    assert "Some filters were ignored" in _text(html)
    assert len(_titles_listed(html)) == 3


def test_archive_pages_and_a_page_past_the_end_gives_the_last(client):
    for day in range(1, 26):
        BriefFactory(title=f"Brief of day {day:02d}", published_on=D(2025, 1, day))

    first = _page(client, LIST_URL)
    assert len(_titles_listed(first)) == 20
    assert _titles_listed(first)[0] == "Brief of day 25"
    assert "Page 1 of 2 (publications 1–20)" in _text(first)

    last = _page(client, f"{LIST_URL}?page=99")
    assert _titles_listed(last) == [f"Brief of day {d:02d}" for d in range(5, 0, -1)]
    assert "Page 2 of 2 (publications 21–25)" in _text(last)

    not_a_number = _page(client, f"{LIST_URL}?page=abc")
    assert _titles_listed(not_a_number)[0] == "Brief of day 25"


def test_archive_links_the_pdf_only_when_one_is_done(client, archive, media, pdf_bytes):
    _done_document(archive["procurement"], pdf_bytes)
    RenderedDocument.objects.create(publication=archive["ccfd"], content_hash="q" * 64)  # queued
    RenderedDocument.objects.create(
        publication=archive["issue"],
        content_hash="f" * 64,
        status=RenderedDocument.Status.FAILED,
        last_error="boom",
    )

    html = _page(client, LIST_URL)

    pdf_links = re.findall(r'href="(/publications/[^"]+\.pdf)"', html)
    assert pdf_links == ["/publications/green-public-procurement.pdf"]
    assert "(2 pages, " in _text(html)


def test_archive_and_page_show_the_document_finished_last(client, archive, media, pdf_bytes):
    brief = archive["procurement"]
    at = datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC)
    _done_document(brief, pdf_bytes, content_hash="a" * 64, page_count=5, finished_at=at)
    _done_document(brief, pdf_bytes, content_hash="b" * 64, page_count=7, finished_at=at)
    # Requested last, but finished before the others (a slow render of older content).
    _done_document(
        brief,
        pdf_bytes,
        content_hash="c" * 64,
        page_count=3,
        finished_at=at - datetime.timedelta(hours=1),
    )
    RenderedDocument.objects.create(publication=brief, content_hash="d" * 64)  # queued

    listed = _text(_page(client, LIST_URL))
    shown = _text(_page(client, brief.get_absolute_url()))

    assert "(7 pages, " in listed
    assert "(5 pages, " not in listed and "(3 pages, " not in listed
    assert "PDF, 7 pages," in shown


@pytest.mark.parametrize("query", ["", "?sector=steel&year=2025", "?q=brief&kind=brief"])
def test_archive_query_count_does_not_grow_with_the_publications(client, media, pdf_bytes, query):
    steel = SectorFactory(name="Iron and steel", slug="steel")

    def add(n: int) -> None:
        for i in range(n):
            brief = BriefFactory(
                title=f"A brief {i}",
                published_on=D(2025, 1, 1) + datetime.timedelta(days=i),
                countries=["SE", "IN"],
                sectors=[steel, SectorFactory()],
            )
            _done_document(brief, pdf_bytes, content_hash=f"{brief.pk:064d}")
            issue = NewsletterIssueFactory(
                status=Publication.Status.PUBLISHED, published_on=D(2024, 1, 1)
            )
            NewsletterSectionFactory(issue=issue)

    add(5)
    small = _query_count(client, LIST_URL + query)
    add(45)
    large = _query_count(client, LIST_URL + query)

    assert small == large
    assert large <= 12


# --- one publication --------------------------------------------------------------------------


def test_brief_page_shows_the_brief(client, archive):
    html = _page(client, "/publications/green-public-procurement/")

    text = _text(html)
    assert '<h1 id="publication-title">Green public procurement for steel and cement</h1>' in html
    assert "A. Author, B. Author" in text
    assert "Published 14 March 2025" in text
    assert "How public buyers can create lead markets" in text
    # The body: headings, a table and footnotes.
    assert re.search(r"<h2[^>]*>Why it matters</h2>", html)
    assert "<table>" in html and "<td>CCfD</td>" in html
    assert 'class="footnote"' in html and "LeadIT analysis." in text
    # Sectors link to the archive; countries to their tracker profile.
    assert 'href="/publications/?sector=steel">Iron and steel</a>' in html
    assert 'href="/tracker/countries/SE/">Sweden</a>' in html
    assert "Cite as" in text
    assert "A. Author, B. Author (2025). Green public procurement for steel and cement." in text
    assert "Creative Commons Attribution 4.0" in text
    assert "The PDF is being prepared" in text
    assert ".pdf" not in html
    assert '<meta name="description" content="How public buyers can create lead markets' in html
    assert "Draft — not public" not in text


def test_brief_page_links_the_pdf_with_its_size_and_pages(client, archive, media, pdf_bytes):
    _done_document(archive["procurement"], pdf_bytes)

    html = _page(client, "/publications/green-public-procurement/")

    assert 'href="/publications/green-public-procurement.pdf"' in html
    assert "PDF, 2 pages," in _text(html)
    assert "being prepared" not in html


def test_brief_page_links_the_workplan_activity_it_delivers(client):
    activity = ActivityFactory(title="Policy briefs on lead markets")
    workplan = activity.group.pathway.workplan
    BriefFactory(slug="delivers", activity=activity)

    html = _page(client, "/publications/delivers/")

    assert (
        f'href="/workplan/{workplan.slug}/#activity-{activity.pk}">Policy briefs on lead markets</a>'
        in html
    )

    workplan.status = workplan.Status.DRAFT
    workplan.save()
    html = _page(client, "/publications/delivers/")
    assert "Policy briefs on lead markets" not in html


def test_brief_page_keeps_malicious_markdown_inert(client):
    BriefFactory(
        slug="malicious",
        title="<script>alert('title')</script>",
        summary='"><img src=x onerror=alert(1)>',
        body=(
            "## Heading\n\n<script>alert('body')</script>\n\n"
            '<img src="x" onerror="alert(1)">\n\n'
            "[click me](javascript:alert(1))\n\n"
            '<a href="javascript:alert(2)">also</a>\n\n'
            '<p onclick="alert(3)">text</p>\n\n'
            '<iframe src="https://example.org/"></iframe>\n'
        ),
    )

    html = _page(client, "/publications/malicious/")

    tags = re.findall(r"<[a-zA-Z][^>]*>", html)
    assert not [tag for tag in tags if tag.lower().startswith(("<script", "<iframe"))]
    # Attribute names, not quoted values: the summary is text in the meta description.
    bare = [re.sub(r'"[^"]*"', '""', tag) for tag in tags]
    assert not [tag for tag in bare if re.search(r"\son[a-z]+\s*=", tag, re.IGNORECASE)]
    assert not [tag for tag in tags if 'href="javascript:' in tag.lower()]
    assert "click me" in html and "also" in html  # the text stays, the link goes
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html  # shown as text


def test_draft_answers_404_to_the_public_and_shows_a_banner_to_staff(
    client, archive, staff_browser
):
    assert client.get("/publications/hydrogen-draft/").status_code == 404
    assert client.get("/publications/industrial-heat/").status_code == 404
    client.force_login(EditorFactory())  # a member's user is not staff
    assert client.get("/publications/hydrogen-draft/").status_code == 404

    staff = staff_browser
    html = _page(staff, "/publications/hydrogen-draft/")
    text = _text(html)
    assert "Draft — not public." in text
    assert "Not published yet" in text
    # The archive never lists it, not even for staff.
    assert "Hydrogen" not in _page(staff, LIST_URL)


def test_unknown_slug_answers_404(client, archive):
    assert client.get("/publications/no-such-thing/").status_code == 404
    assert client.get("/publications/no-such-thing.pdf").status_code == 404


def test_newsletter_page_shows_its_kept_sections_and_items(client, archive):
    issue = archive["issue"]
    issue.introduction = "Welcome to the **first** issue of 2025."
    issue.save()
    events = NewsletterSectionFactory(
        issue=issue, title="Events held", note="A busy *quarter*.", position=1
    )
    NewsletterItemFactory(
        section=events,
        title="Leadership Summit at COP29",
        url="/events/leadership-summit-cop29/",
        date=D(2024, 11, 20),
        text="Members met in **Baku**.",
        position=1,
    )
    NewsletterItemFactory(section=events, title="Trimmed item", included=False, position=2)
    NewsletterItemFactory(
        section=events, title="Sneaky link", url="javascript:alert(1)", position=3
    )
    members = NewsletterSectionFactory(issue=issue, title="New members", position=0)
    NewsletterItemFactory(
        section=members, title="Demo Steel AB joined", url="https://example.org/x"
    )
    NewsletterSectionFactory(issue=issue, title="Dropped section", included=False, position=2)

    html = _page(client, "/publications/newsletter-2025-q1/")

    text = _text(html)
    assert "Newsletter · issue 4 · Q1 2025" in text
    assert "Welcome to the <strong>first</strong> issue" in html
    assert text.index("New members") < text.index("Events held")
    assert "<em>quarter</em>" in html
    assert 'href="/events/leadership-summit-cop29/">Leadership Summit at COP29</a>' in html
    assert "20 November 2024" in text
    assert "<strong>Baku</strong>" in html
    assert 'href="https://example.org/x">Demo Steel AB joined</a>' in html
    assert "Sneaky link" in text and "javascript:" not in html
    assert "Trimmed item" not in text
    assert "Dropped section" not in text
    assert "LeadIT newsletter No. 4, Q1 2025" in text  # cite as


def test_detail_query_count_does_not_grow_with_sectors_or_items(client):
    def make(slug: str, n: int):
        brief = BriefFactory(slug=f"brief-{slug}", sectors=[SectorFactory() for _ in range(n)])
        issue = NewsletterIssueFactory(
            slug=f"issue-{slug}", status=Publication.Status.PUBLISHED, published_on=D(2025, 1, 1)
        )
        for _ in range(n):
            section = NewsletterSectionFactory(issue=issue)
            for _ in range(n):
                NewsletterItemFactory(section=section)
        return brief, issue

    small_brief, small_issue = make("small", 1)
    large_brief, large_issue = make("large", 6)

    assert _query_count(client, small_brief.get_absolute_url()) == _query_count(
        client, large_brief.get_absolute_url()
    )
    assert _query_count(client, small_issue.get_absolute_url()) == _query_count(
        client, large_issue.get_absolute_url()
    )


# --- the PDF ------------------------------------------------------------------------------


def test_pdf_answers_404_before_it_is_rendered(client, archive):
    RenderedDocument.objects.create(publication=archive["procurement"], content_hash="q" * 64)

    assert client.get("/publications/green-public-procurement.pdf").status_code == 404


def test_pdf_serves_the_stored_file(client, archive, media, pdf_bytes):
    document = _done_document(archive["procurement"], pdf_bytes)

    response = client.get("/publications/green-public-procurement.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="green-public-procurement.pdf"'
    body = b"".join(response.streaming_content)
    assert body == pdf_bytes and body.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(body)).pages) == 2
    assert response["ETag"] == f'"{document.content_hash}"'
    assert response["Last-Modified"] == "Fri, 14 Mar 2025 12:00:00 GMT"
    assert response["Cache-Control"].startswith("public")
    # The file's stored name is not the slug: it is unguessable.
    assert "green-public-procurement" not in document.file.name

    again = client.get(
        "/publications/green-public-procurement.pdf", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_pdf_of_a_draft_is_for_staff_only(client, archive, media, pdf_bytes, staff_browser):
    _done_document(archive["draft"], pdf_bytes)

    assert client.get("/publications/hydrogen-draft.pdf").status_code == 404
    response = staff_browser.get("/publications/hydrogen-draft.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes
    assert response["Cache-Control"] == "private, no-store"


def test_pdf_of_an_unpublished_brief_is_withdrawn_at_once(client, archive, media, pdf_bytes):
    _done_document(archive["procurement"], pdf_bytes)
    response = client.get("/publications/green-public-procurement.pdf")
    assert response.status_code == 200
    b"".join(response.streaming_content)  # read to the end: the test client closes the file

    brief = archive["procurement"]
    brief.status = Publication.Status.DRAFT
    brief.save()

    assert client.get("/publications/green-public-procurement.pdf").status_code == 404


# --- the page cache ---------------------------------------------------------------------------


def test_edits_show_up_at_once_on_cached_pages(client, archive, media, pdf_bytes):
    brief = archive["procurement"]
    assert "Green public procurement" in _page(client, LIST_URL)
    assert "Green public procurement" in _page(client, brief.get_absolute_url())
    assert "The PDF is being prepared" in _page(client, brief.get_absolute_url())

    brief.title = "Buying green: public procurement of steel and cement"
    brief.save()
    _done_document(brief, pdf_bytes)

    assert "Buying green" in _page(client, LIST_URL)
    detail = _page(client, brief.get_absolute_url())
    assert "Buying green" in detail
    assert 'href="/publications/green-public-procurement.pdf"' in detail

    brief.sectors.clear()
    assert "Sectors Cement and concrete, Iron and steel" not in _text(_page(client, LIST_URL))

    brief.status = Publication.Status.DRAFT
    brief.save()
    assert "Buying green" not in _page(client, LIST_URL)
    assert client.get(brief.get_absolute_url()).status_code == 404


def test_pages_are_served_from_the_cache_between_edits(client, archive):
    _page(client, LIST_URL)
    # A change that bypasses the signals (a raw update) is not seen: the page is cached.
    Publication.objects.filter(pk=archive["ccfd"].pk).update(title="Changed behind the back")

    assert "Changed behind the back" not in _page(client, LIST_URL)


# --- the home page ----------------------------------------------------------------------------


def test_home_page_shows_the_three_latest_briefs(client, archive):
    BriefFactory(title="Oldest brief", slug="oldest", published_on=D(2020, 1, 1))
    BriefFactory(title="Newest brief", slug="newest", published_on=D(2025, 6, 30))

    html = _page(client, "/")

    section = html.split('id="latest-briefs-heading"')[1].split("</section>")[0]
    titles = re.findall(r'<h3><a href="/publications/[^"]+/">([^<]+)</a></h3>', section)
    assert titles == [
        "Newest brief",
        "Green public procurement for steel and cement",
        "Carbon contracts for difference",
    ]
    assert "30 June 2025" in section
    assert 'href="/publications/"' in section
    assert "newsletter, first quarter" not in section  # briefs only
