"""A publication as HTML and as PDF: the brief's body (Markdown, figures from the portal's
charts), "cite as", the print document (cover, contents, page numbers, footnotes, licence)
read back from the PDF, and bad input that stays inert and fetches nothing."""

import io
import re

import pypdf
import pytest
from django.utils import timezone
from PIL import Image

from publications.content import (
    brief_body_html,
    cite_as,
    publication_print_html,
)
from publications.models import Publication
from publications.rendering import content_hash, publication_pdf
from tests.factories.publications import (
    BriefFactory,
    NewsletterIssueFactory,
    NewsletterItemFactory,
    NewsletterSectionFactory,
)
from tests.factories.tracker import RoadmapFactory, SectorFactory


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- The body -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_brief_body_renders_headings_tables_and_footnotes():
    html = brief_body_html(BriefFactory())

    assert '<h2 id="section-1">Why it matters</h2>' in html
    assert "<table>" in html and "<td>CCfD</td>" in html
    assert 'id="fn:1"' in html and "LeadIT analysis." in html


@pytest.mark.django_db
def test_brief_body_figure_line_inserts_the_chart_with_its_caption():
    steel = SectorFactory(name="Iron and steel")
    RoadmapFactory.create_batch(2, sectors=[steel])
    brief = BriefFactory(
        body="Intro.\n\n[[chart: roadmaps-by-sector | Roadmaps <em>by</em> sector]]\n\nAfter."
    )

    html = brief_body_html(brief)

    figure = re.search(r'<figure class="figure" id="figure-1">.*?</figure>', html, re.S).group()
    assert "<svg" in figure and "Iron and steel" in figure
    assert "<figcaption" in figure and "Figure 1." in figure
    assert "Roadmaps &lt;em&gt;by&lt;/em&gt; sector" in figure  # the caption is text
    assert "Source: LeadIT Industry Transition Tracker" in figure
    assert html.index("Intro.") < html.index("<figure") < html.index("After.")


@pytest.mark.django_db
def test_brief_body_unknown_chart_shows_a_figure_not_available_note():
    html = brief_body_html(BriefFactory(body="[[chart: <b>nope</b>]]"))

    assert "Figure not available" in html
    assert "&lt;b&gt;nope&lt;/b&gt;" in html
    assert "<svg" not in html


@pytest.mark.django_db
def test_brief_body_figure_syntax_in_code_or_mid_sentence_stays_text():
    body = "```\n[[chart: net-zero-years]]\n```\n\nSee [[chart: net-zero-years]] here."

    html = brief_body_html(BriefFactory(body=body))

    assert "<figure" not in html
    assert html.count("[[chart: net-zero-years]]") == 2


@pytest.mark.django_db
def test_brief_body_malicious_markdown_is_inert_on_the_page():
    body = (
        "<script>alert(1)</script>\n\n"
        '<img src="x" onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n"
        '<a href="#" onclick="alert(4)">x</a>\n\n'
        '<link rel="attachment" href="file:///etc/passwd">\n\n'
        "leaditfigure0000000000000000n0\n"
    )

    html = brief_body_html(BriefFactory(body=body))

    for bad in ("<script", "onerror", "javascript:", "onclick", "<link", "<figure"):
        assert bad not in html.lower()


# --- Cite as --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cite_as_is_written_from_authors_year_title_and_address(settings):
    settings.SITE_URL = "https://leadit.example"
    brief = BriefFactory(title="Green steel", slug="green-steel", authors="A. Author, B. Author")

    assert cite_as(brief) == (
        "A. Author, B. Author (2025). Green steel. LeadIT Secretariat. "
        "https://leadit.example/publications/green-steel/"
    )


@pytest.mark.django_db
def test_cite_as_explicit_text_wins_and_a_draft_has_no_year():
    assert cite_as(BriefFactory(cite_as="  Cite me like this.  ")) == "Cite me like this."
    draft = BriefFactory(status=Publication.Status.DRAFT, published_on=None, title="Draft")
    assert "(n.d.). Draft." in cite_as(draft)


# --- The PDF ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_brief_pdf_has_cover_contents_page_numbers_footnote_and_cite_as():
    brief = BriefFactory(title="Contracts for difference", slug="cfd")

    pages = _pages(publication_pdf(brief))

    cover, contents, *_, last = pages
    assert "Contracts for difference" in cover
    assert "POLICY BRIEF" in cover  # printed in capitals
    assert "A. Author, B. Author" in cover and "14 March 2025" in cover
    assert "Page 1 of" not in cover  # the cover has no running header or footer
    assert "Contents" in contents
    assert re.search(r"Why it matters[ .]*2", _flat(contents))  # with its page number
    assert re.search(r"About this publication[ .]*\d", _flat(contents))
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in text
        assert "Contracts for difference" in text  # the running header
    assert "LeadIT analysis." in contents  # the footnote, on the page of its call
    assert "CITE AS" in last
    assert cite_as(brief).split(" http")[0] in _flat(last)
    assert "Creative Commons Attribution 4.0 International" in _flat(last)


def _long_body(sections: int = 6) -> str:
    filler = (
        "A contract for difference pays the producer the gap between an agreed strike price "
        "and a reference price, and claws back the difference when the reference rises. "
    ) * 6
    parts = []
    for n in range(sections):
        parts.append(f"## Section {n}\n\nCALL{n} Heavy industry emits.[^n{n}] {filler}\n")
        parts += [f"{filler}\n", f"{filler}\n", f"{filler}\n"]
        parts.append(f"[^n{n}]: NOTE{n} LeadIT analysis, {2020 + n}.\n")
    return "\n".join(parts)


@pytest.mark.django_db
def test_brief_pdf_footnotes_land_on_the_page_of_their_call():
    pages = _pages(publication_pdf(BriefFactory(body=_long_body())))

    calls, notes = {}, {}
    for number, text in enumerate(pages, start=1):
        calls.update((n, number) for n in re.findall(r"CALL(\d)", text))
        notes.update((n, number) for n in re.findall(r"NOTE(\d)", text))
    assert len(notes) == 6
    # WeasyPrint may move a note whose call ends a full page to the next one; never further.
    assert all(0 <= notes[n] - calls[n] <= 1 for n in calls)
    assert sum(notes[n] == calls[n] for n in calls) >= 5


@pytest.mark.django_db
def test_brief_pdf_embeds_its_cover_image_from_media(media_root):
    (media_root / "publications" / "covers").mkdir(parents=True)
    Image.new("RGB", (40, 20), "#0b5d7a").save(media_root / "publications/covers/plant.png")
    brief = BriefFactory(cover_image="publications/covers/plant.png")

    reader = pypdf.PdfReader(io.BytesIO(publication_pdf(brief)))

    assert len(reader.pages[0].images) == 1


@pytest.mark.django_db
def test_brief_pdf_malicious_markdown_fetches_and_embeds_nothing(listener, media_root):
    port, connections = listener
    body = (
        "## Tricks\n\n"
        "<script>document.write('SCRIPT-RAN')</script>\n\n"
        '<img src="file:///etc/passwd" onerror="alert(1)">\n\n'
        "![meta](http://169.254.169.254/latest/meta-data/)\n\n"
        f"![loop](http://127.0.0.1:{port}/x.png)\n\n"
        f'<img src="http://127.0.0.1:{port}/y.png">\n\n'
        '<link rel="attachment" href="file:///etc/passwd">\n\n'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">\n\n'
        "[run](javascript:alert(2)) and [file](file:///etc/passwd)\n\n"
        "![up](/media/../../../../etc/passwd)\n\n"
        "Still readable.\n"
    )
    brief = BriefFactory(body=body)

    pdf = publication_pdf(brief)

    assert connections == []
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert all(not page.images for page in reader.pages)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Still readable." in text
    assert "root:x:0:0" not in text and "SCRIPT-RAN" not in text
    assert b"root:x:0:0" not in pdf
    links = [
        annotation.get_object().get("/A", {}).get("/URI", "")
        for page in reader.pages
        for annotation in page.get("/Annots", []) or []
    ]
    assert not any(str(uri).startswith(("javascript:", "file:")) for uri in links)


# --- Newsletter issues -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_newsletter_print_shows_introduction_kept_sections_and_items_in_order(settings):
    settings.SITE_URL = "https://leadit.example"
    issue = NewsletterIssueFactory(number=7, year=2025, quarter=3, introduction="Hello **all**.")
    events = NewsletterSectionFactory(
        issue=issue, title="Coming events", position=2, note="Mark it."
    )
    members = NewsletterSectionFactory(issue=issue, title="New members", position=1)
    NewsletterSectionFactory(issue=issue, title="Hidden section", included=False)
    NewsletterItemFactory(section=members, title="Welcome, Kenya", url="/members/kenya/")
    NewsletterItemFactory(section=members, title="Trimmed item", included=False)
    NewsletterItemFactory(section=events, title="COP30 summit", url="javascript:alert(1)")

    html = publication_print_html(issue)

    assert "Newsletter No. 7 · Q3 2025" in html
    assert "Hello <strong>all</strong>." in html
    assert html.index("New members") < html.index("Coming events")
    assert "Hidden section" not in html and "Trimmed item" not in html
    assert "Mark it." in html
    assert '<a href="https://leadit.example/members/kenya/">Welcome, Kenya</a>' in html
    assert "javascript:" not in html


@pytest.mark.django_db
def test_newsletter_pdf_has_cover_contents_and_cite_as():
    issue = NewsletterIssueFactory(
        number=12,
        year=2025,
        quarter=3,
        status=Publication.Status.PUBLISHED,
        published_on=timezone.datetime(2025, 10, 1).date(),
    )
    section = NewsletterSectionFactory(issue=issue, title="Events held")
    NewsletterItemFactory(section=section, title="Leadership Summit, Belém")

    pages = _pages(publication_pdf(issue))

    assert "NEWSLETTER NO. 12 · Q3 2025" in pages[0]
    assert re.search(r"Events held[ .]*\d", _flat(pages[1]))
    assert "Leadership Summit, Belém" in "\n".join(pages)
    assert "LeadIT newsletter No. 12, Q3 2025" in _flat(pages[-1])


# --- Content hash -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_content_hash_is_stable_and_follows_the_content():
    brief = BriefFactory()
    first = content_hash(brief)

    assert content_hash(brief) == first
    brief.body += "\n\nMore."
    assert content_hash(brief) != first
