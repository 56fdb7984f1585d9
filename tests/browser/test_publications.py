"""Staff publish a draft brief from the admin; a real Celery worker renders its PDF; the
PDF downloads, and the public archive and brief page show it (and pass axe-core)."""

import io
import time

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from publications.models import Publication, RenderedDocument
from tests.factories.members import SectorFactory
from tests.factories.publications import BriefFactory
from tests.factories.users import StaffFactory

RENDER_TIMEOUT = 90  # seconds: WeasyPrint in a solo worker on a shared 2-core machine

BODY = """\
## Why it matters

Green steel costs more to make today.[^1]

| Country | Instrument |
|---|---|
| Germany | Carbon contracts for difference |
| Sweden | Climate declarations for buildings |

[[chart: roadmaps-by-sector | Roadmaps by sector]]

[^1]: LeadIT analysis.
"""


def _reload_until_done(page, row) -> None:
    """Reload the admin's list until the brief's PDF column says "Done", as staff would."""
    deadline = time.monotonic() + RENDER_TIMEOUT
    while "Done" not in row.inner_text():
        assert "Failed" not in row.inner_text(), row.inner_text()
        if time.monotonic() > deadline:
            pytest.fail(f"The PDF was not rendered in time: {row.inner_text()}")
        time.sleep(1)
        page.reload()


@pytest.mark.django_db(transaction=True)
def test_staff_publish_a_brief_and_the_public_downloads_its_pdf(
    page, browser, live_server, celery_worker, sign_in, axe_check, csp_violations
):
    brief = BriefFactory(
        title="Lead markets for green steel",
        slug="lead-markets-for-green-steel",
        summary="How public buyers create the first market for near-zero steel.",
        status=Publication.Status.DRAFT,
        published_on=None,
        body=BODY,
        countries=["SE", "DE"],
        sectors=[SectorFactory(name="Iron and steel", slug="steel")],
    )

    # The draft is not public yet. (``page`` is the visitor's: ``csp_violations`` watches it.)
    visitor = page
    response = visitor.goto(live_server.url + "/publications/lead-markets-for-green-steel/")
    assert response.status == 404

    # Staff publish it from the admin's list of briefs.
    staff = browser.new_context().new_page()
    sign_in(staff, StaffFactory())
    staff.goto(live_server.url + "/admin/publications/brief/")
    row = staff.locator("#result_list tr", has_text="Lead markets for green steel")
    row.locator("input.action-select").check()
    staff.locator("select[name=action]").select_option(
        label="Publish the selected briefs (and render their PDFs)"
    )
    staff.get_by_role("button", name="Go").click()
    expect(staff.locator(".messagelist")).to_contain_text("1 brief(s) published")
    expect(row).to_contain_text("Published")

    # A real worker renders the PDF; the admin shows it done.
    _reload_until_done(staff, row)
    document = RenderedDocument.objects.get(publication=brief)
    assert document.status == RenderedDocument.Status.DONE
    row.get_by_role("link", name="Lead markets for green steel").click()
    expect(staff.locator(".pdf-documents")).to_contain_text("Done")

    # The PDF downloads: a real PDF with its pages.
    pdf = visitor.request.get(live_server.url + "/publications/lead-markets-for-green-steel.pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(body)).pages) == document.page_count >= 1

    # The public archive lists it with its PDF; its page shows the brief and the download.
    visitor.goto(live_server.url + "/publications/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Publications")
    item = visitor.locator(".publication-item", has_text="Lead markets for green steel")
    expect(
        item.get_by_role("link", name="PDF of “Lead markets for green steel”", exact=True)
    ).to_be_visible()
    axe_check(visitor)

    item.get_by_role("link", name="Lead markets for green steel", exact=True).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Lead markets for green steel")
    expect(visitor.locator(".prose > table")).to_contain_text("Carbon contracts for difference")
    expect(visitor.locator("figure")).to_contain_text("Roadmaps by sector")
    expect(visitor.get_by_role("heading", name="Cite as")).to_be_visible()
    download = visitor.get_by_role("link", name="Download the PDF")
    expect(download).to_have_attribute("href", "/publications/lead-markets-for-green-steel.pdf")
    expect(visitor.locator(".publication-download")).to_contain_text(f"{document.page_count} page")
    axe_check(visitor)

    # Filtered by its sector, the archive still shows it.
    visitor.goto(live_server.url + "/publications/?sector=steel&year=2019x")
    expect(visitor.locator(".notice--warning")).to_contain_text("2019x")
    expect(visitor.locator(".publication-item")).to_have_count(1)
    axe_check(visitor)
    assert csp_violations == []
