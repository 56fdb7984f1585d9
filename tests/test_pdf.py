"""The one PDF renderer (leadit/pdf.py): it renders, it embeds the portal's own static and
media files, and it never reads other files nor reaches the network."""

import io
import logging
from pathlib import Path

import pypdf
import pytest

from leadit.pdf import PDFResourceRefused, RestrictedURLFetcher, render_pdf

PASSWD = Path("/etc/passwd")


def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in _reader(pdf).pages)


def _xobjects(pdf: bytes) -> list:
    resources = _reader(pdf).pages[0]["/Resources"]
    return list(resources.get("/XObject", {}).keys())


def test_render_pdf_simple_document_returns_pdf_bytes():
    pdf = render_pdf("<h1>Workplan 2021</h1><p>Five objectives.</p>")

    assert pdf.startswith(b"%PDF-")
    reader = _reader(pdf)
    assert len(reader.pages) == 1
    assert "Workplan 2021" in _text(pdf)


def test_render_pdf_long_document_has_several_pages():
    pdf = render_pdf("".join(f"<p>Paragraph {n}</p>" for n in range(200)))

    assert len(_reader(pdf).pages) > 1


def test_render_pdf_static_image_is_embedded():
    with_image = render_pdf('<p>Logo</p><img src="/static/img/favicon.svg" alt="LeadIT">')
    missing = render_pdf('<p>Logo</p><img src="/static/img/not-there.svg" alt="LeadIT">')

    # The favicon is an SVG whose one letter "L" becomes text of the PDF.
    assert _xobjects(with_image) != []
    assert _text(with_image).split() == ["Logo", "L"]
    assert _xobjects(missing) == []


def test_render_pdf_static_stylesheet_and_data_url_are_used():
    pdf = render_pdf(
        '<link rel="stylesheet" href="/static/css/portal.css">'
        '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 '
        'width=%2210%22 height=%2210%22%3E%3Ctext y=%229%22%3EQ%3C/text%3E%3C/svg%3E">'
    )

    assert "Q" in _text(pdf)


def test_render_pdf_stylesheets_argument_applies_css_text():
    pdf = render_pdf("<p>A4 landscape</p>", stylesheets=["@page { size: A4 landscape; }"])

    box = _reader(pdf).pages[0].mediabox
    assert float(box.width) > float(box.height)


def test_render_pdf_file_url_image_is_refused_and_document_still_renders(caplog):
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = render_pdf('<p>Still here</p><img src="file:///etc/passwd" alt="">')

    assert "Still here" in _text(pdf)
    assert _xobjects(pdf) == []
    assert "PDFResourceRefused" in caplog.text


def test_render_pdf_file_url_stylesheet_is_refused():
    pdf = render_pdf(
        '<link rel="stylesheet" href="file:///etc/passwd"><p>Still here</p>',
        base_url="file:///etc/",
    )

    assert "Still here" in _text(pdf)
    assert b"root:" not in pdf


def test_render_pdf_loopback_http_is_never_requested(listener):
    port, connections = listener

    pdf = render_pdf(
        f'<p>Text</p><img src="http://127.0.0.1:{port}/x" alt="">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
    )

    assert "Text" in _text(pdf)
    assert connections == []


def test_render_pdf_base_url_host_serves_static_from_disk_only(listener):
    port, connections = listener

    pdf = render_pdf(
        '<p>Logo</p><img src="/static/img/favicon.svg" alt=""><img src="/x" alt="">'
        '<img src="/static/../../etc/passwd" alt="">',
        base_url=f"http://127.0.0.1:{port}/",
    )

    assert _text(pdf).split() == ["Logo", "L"]
    assert connections == []


def test_render_pdf_metadata_address_is_refused(caplog):
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = render_pdf('<p>x</p><img src="http://169.254.169.254/latest/meta-data/" alt="">')

    assert pdf.startswith(b"%PDF-")
    assert "refuses a network URL" in caplog.text


def test_render_pdf_file_attachment_is_refused():
    pdf = render_pdf('<link rel="attachment" href="file:///etc/passwd"><p>Report</p>')

    reader = _reader(pdf)
    assert reader.attachments == {}
    assert "root:" not in _text(pdf)
    assert b"root:" not in pdf


def test_render_pdf_media_attachment_is_embedded(media_root):
    (media_root / "data.csv").write_text("objective,activities\n1,12\n")

    pdf = render_pdf('<link rel="attachment" href="/media/data.csv"><p>Report</p>')

    assert list(_reader(pdf).attachments) == ["data.csv"]


def test_render_pdf_symlink_in_media_root_to_passwd_is_refused(media_root):
    (media_root / "leak.csv").symlink_to(PASSWD)

    pdf = render_pdf(
        '<link rel="attachment" href="/media/leak.csv">'
        f'<link rel="attachment" href="{(media_root / "leak.csv").as_uri()}"><p>Report</p>'
    )

    assert _reader(pdf).attachments == {}
    assert b"root:" not in pdf


def test_fetcher_symlink_and_traversal_are_refused(media_root):
    (media_root / "leak.css").symlink_to(PASSWD)
    (media_root / "ok.css").write_text("p { color: black; }")
    fetcher = RestrictedURLFetcher()

    assert fetcher("https://portal.invalid/media/ok.css").read() == b"p { color: black; }"
    for url in [
        "https://portal.invalid/media/leak.css",
        (media_root / "leak.css").as_uri(),
        "https://portal.invalid/media/%2e%2e/%2e%2e/etc/passwd",
        "https://portal.invalid/static/..%2f..%2fetc/passwd",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://example.org/etc/passwd",
        "https://example.org/static/img/favicon.svg",
        "ftp://portal.invalid/static/img/favicon.svg",
        "https://portal.invalid/admin/",
    ]:
        with pytest.raises(PDFResourceRefused):
            fetcher(url)


def test_fetcher_file_url_inside_static_source_is_served():
    static_file = Path(__file__).resolve().parents[1] / "static" / "img" / "favicon.svg"

    response = RestrictedURLFetcher()(static_file.as_uri())

    assert response.read().startswith(b"<svg")
    assert response.content_type == "image/svg+xml"
