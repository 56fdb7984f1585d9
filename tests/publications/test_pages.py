"""The public publication pages: one publication /publications/<slug>/, its PDF
/publications/<slug>.pdf, the page cache and the home page's latest briefs (the archive:
test_archive.py)."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from publications.models import Publication, RenderedDocument
from tests.factories.members import EditorFactory, SectorFactory
from tests.factories.publications import (
    BriefFactory,
    NewsletterIssueFactory,
    NewsletterItemFactory,
    NewsletterSectionFactory,
)
from tests.factories.workplan import ActivityFactory
from tests.publications.pages import (
    LIST_URL,
    done_document,
    page_html,
    page_text,
    query_count,
)

pytestmark = pytest.mark.django_db

D = datetime.date


# --- one publication --------------------------------------------------------------------------


def test_brief_page_shows_the_brief(client, archive):
    html = page_html(client, "/publications/green-public-procurement/")

    text = page_text(html)
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


def test_brief_page_links_the_pdf_with_its_size_and_pages(client, archive, media_root, pdf_bytes):
    done_document(archive["procurement"], pdf_bytes)

    html = page_html(client, "/publications/green-public-procurement/")

    assert 'href="/publications/green-public-procurement.pdf"' in html
    assert "PDF, 2 pages," in page_text(html)
    assert "being prepared" not in html


def test_brief_page_links_the_workplan_activity_it_delivers(client):
    activity = ActivityFactory(title="Policy briefs on lead markets")
    workplan = activity.group.pathway.workplan
    BriefFactory(slug="delivers", activity=activity)

    html = page_html(client, "/publications/delivers/")

    assert (
        f'href="/workplan/{workplan.slug}/#activity-{activity.pk}">Policy briefs on lead markets</a>'
        in html
    )

    workplan.status = workplan.Status.DRAFT
    workplan.save()
    html = page_html(client, "/publications/delivers/")
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

    html = page_html(client, "/publications/malicious/")

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
    html = page_html(staff, "/publications/hydrogen-draft/")
    text = page_text(html)
    assert "Draft — not public." in text
    assert "Not published yet" in text
    # The archive never lists it, not even for staff.
    assert "Hydrogen" not in page_html(staff, LIST_URL)


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

    html = page_html(client, "/publications/newsletter-2025-q1/")

    text = page_text(html)
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

    assert query_count(client, small_brief.get_absolute_url()) == query_count(
        client, large_brief.get_absolute_url()
    )
    assert query_count(client, small_issue.get_absolute_url()) == query_count(
        client, large_issue.get_absolute_url()
    )


# --- the PDF ------------------------------------------------------------------------------


def test_pdf_answers_404_before_it_is_rendered(client, archive):
    RenderedDocument.objects.create(publication=archive["procurement"], content_hash="q" * 64)

    assert client.get("/publications/green-public-procurement.pdf").status_code == 404


def test_pdf_serves_the_stored_file(client, archive, media_root, pdf_bytes):
    document = done_document(archive["procurement"], pdf_bytes)

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


def test_pdf_of_a_draft_is_for_staff_only(client, archive, media_root, pdf_bytes, staff_browser):
    done_document(archive["draft"], pdf_bytes)

    assert client.get("/publications/hydrogen-draft.pdf").status_code == 404
    response = staff_browser.get("/publications/hydrogen-draft.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes
    assert response["Cache-Control"] == "private, no-store"


def test_pdf_of_an_unpublished_brief_is_withdrawn_at_once(client, archive, media_root, pdf_bytes):
    done_document(archive["procurement"], pdf_bytes)
    response = client.get("/publications/green-public-procurement.pdf")
    assert response.status_code == 200
    b"".join(response.streaming_content)  # read to the end: the test client closes the file

    brief = archive["procurement"]
    brief.status = Publication.Status.DRAFT
    brief.save()

    assert client.get("/publications/green-public-procurement.pdf").status_code == 404


# --- the page cache ---------------------------------------------------------------------------


def test_edits_show_up_at_once_on_cached_pages(client, archive, media_root, pdf_bytes):
    brief = archive["procurement"]
    assert "Green public procurement" in page_html(client, LIST_URL)
    assert "Green public procurement" in page_html(client, brief.get_absolute_url())
    assert "The PDF is being prepared" in page_html(client, brief.get_absolute_url())

    brief.title = "Buying green: public procurement of steel and cement"
    brief.save()
    done_document(brief, pdf_bytes)

    assert "Buying green" in page_html(client, LIST_URL)
    detail = page_html(client, brief.get_absolute_url())
    assert "Buying green" in detail
    assert 'href="/publications/green-public-procurement.pdf"' in detail

    brief.sectors.clear()
    assert "Sectors Cement and concrete, Iron and steel" not in page_text(
        page_html(client, LIST_URL)
    )

    brief.status = Publication.Status.DRAFT
    brief.save()
    assert "Buying green" not in page_html(client, LIST_URL)
    assert client.get(brief.get_absolute_url()).status_code == 404


def test_pages_are_served_from_the_cache_between_edits(client, archive):
    page_html(client, LIST_URL)
    # A change that bypasses the signals (a raw update) is not seen: the page is cached.
    Publication.objects.filter(pk=archive["ccfd"].pk).update(title="Changed behind the back")

    assert "Changed behind the back" not in page_html(client, LIST_URL)


# --- the home page ----------------------------------------------------------------------------


def test_home_page_shows_the_three_latest_briefs(client, archive):
    BriefFactory(title="Oldest brief", slug="oldest", published_on=D(2020, 1, 1))
    BriefFactory(title="Newest brief", slug="newest", published_on=D(2025, 6, 30))

    html = page_html(client, "/")

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
