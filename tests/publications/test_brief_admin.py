"""The brief admin and the rendered-document admin: staff write and publish a brief through
the forms a browser would submit, see each PDF's status, error and pages, download it,
re-render and retry; the custom pages re-check the model permissions."""

import re
import time

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile

from leadit.models import BackgroundJob
from publications.models import Brief, Publication, RenderedDocument
from tests.factories.publications import BriefFactory, NewsletterIssueFactory
from tests.factories.tracker import SectorFactory
from tests.factories.users import StaffFactory

Status = RenderedDocument.Status
BRIEFS = "/admin/publications/brief/"
DOCUMENTS = "/admin/publications/rendereddocument/"


def _staff_with(*codenames: str):
    """A staff user (not superuser) with exactly these publications permissions."""
    user = StaffFactory(is_superuser=False)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="publications", codename__in=codenames)
    )
    return user


def _done(brief, media_root, **fields) -> RenderedDocument:
    document = RenderedDocument(
        publication=brief, content_hash=fields.pop("content_hash", "d" * 64), status=Status.DONE
    )
    document.file.save("x.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    for name, value in {"page_count": 4, "size_bytes": 13, **fields}.items():
        setattr(document, name, value)
    document.save()
    return document


def _failed(brief, error="NotADirectoryError: [Errno 20] Not a directory") -> RenderedDocument:
    return RenderedDocument.objects.create(
        publication=brief, content_hash="f" * 64, status=Status.FAILED, attempts=1, last_error=error
    )


def _no_inline_script_or_style(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert " style=" not in html, "inline style"


# --- Brief list and form -------------------------------------------------------------------------


@pytest.mark.django_db
def test_brief_list_shows_title_status_date_and_pdf_status(staff_client, media_root):
    done = BriefFactory(title="Green steel lead markets")
    _done(done, media_root)
    failed = BriefFactory(title="Cement in India")
    _failed(failed)
    BriefFactory(title="Still a draft", status=Publication.Status.DRAFT, published_on=None)

    html = staff_client.get(BRIEFS).content.decode()

    assert "Green steel lead markets" in html and "✓ Done" in html
    assert "Cement in India" in html and "✗ Failed" in html
    assert "Still a draft" in html and "No PDF yet" in html
    assert "14 Mar 2025" in html  # published_on


@pytest.mark.django_db
def test_brief_list_filters_by_pdf_status(staff_client, media_root):
    _failed(BriefFactory(title="Cement in India"))
    _done(BriefFactory(title="Green steel lead markets"), media_root)

    html = staff_client.get(BRIEFS, {"pdf": "failed"}).content.decode()

    assert "Cement in India" in html
    assert "Green steel lead markets" not in html


@pytest.mark.django_db
def test_brief_saved_as_published_through_the_form_is_published_and_its_pdf_queued(
    staff_client,
):
    steel = SectorFactory(name="Iron and steel")

    response = staff_client.post(
        f"{BRIEFS}add/",
        {
            "title": "Green public procurement",
            "slug": "green-public-procurement",
            "summary": "Public buyers as a lead market.",
            "authors": "A. Author",
            "body": "## Why\n\nBecause.[^1]\n\n[^1]: A note.\n",
            "status": "published",
            "published_on": "",
            "licence": "CC BY 4.0",
            "cite_as": "",
            "sectors": [steel.pk],
            "countries": ["SE", "IN"],
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    brief = Brief.objects.get(slug="green-public-procurement")
    assert brief.is_published and brief.published_on is not None
    assert list(brief.sectors.all()) == [steel]
    document = brief.documents.get()
    assert document.status == Status.QUEUED
    assert document.job.task_name == "publications.render_document"


@pytest.mark.django_db
def test_brief_saved_as_draft_renders_nothing(staff_client):
    brief = BriefFactory(status=Publication.Status.DRAFT, published_on=None)

    staff_client.post(
        f"{BRIEFS}{brief.pk}/change/",
        {
            "title": brief.title,
            "slug": brief.slug,
            "summary": brief.summary,
            "authors": brief.authors,
            "body": brief.body + "\n\nEdited.",
            "status": "draft",
            "licence": brief.licence,
            "_save": "Save",
        },
    )

    brief.refresh_from_db()
    assert brief.body.endswith("Edited.")
    assert not brief.documents.exists()


@pytest.mark.django_db
def test_brief_add_form_prepopulates_the_slug_and_explains_figures(staff_client):
    html = staff_client.get(f"{BRIEFS}add/").content.decode()

    assert "data-prepopulated-fields" in html and "id_slug" in html
    assert "[[chart: roadmaps-by-sector | Caption]]" in html


# --- Actions ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_action_publishes_and_queues_the_pdfs(staff_client):
    ready = BriefFactory(status=Publication.Status.DRAFT, published_on=None)
    empty = BriefFactory(status=Publication.Status.DRAFT, published_on=None, body=" ")

    response = staff_client.post(
        BRIEFS,
        {"action": "publish", "_selected_action": [ready.pk, empty.pk]},
        follow=True,
    )

    html = response.content.decode()
    ready.refresh_from_db()
    empty.refresh_from_db()
    assert ready.is_published and ready.documents.get().status == Status.QUEUED
    assert not empty.is_published and not empty.documents.exists()
    assert "1 brief(s) published" in html
    assert "Not published: “" in html and "needs a body" in html


@pytest.mark.django_db
def test_publish_action_needs_the_change_permission(client):
    client.force_login(_staff_with("view_brief"))
    brief = BriefFactory(status=Publication.Status.DRAFT, published_on=None)

    client.post(BRIEFS, {"action": "publish", "_selected_action": [brief.pk]})

    brief.refresh_from_db()
    assert not brief.is_published


@pytest.mark.django_db
def test_rerender_action_renders_changed_briefs_only(staff_client):
    brief = BriefFactory()
    staff_client.post(BRIEFS, {"action": "rerender", "_selected_action": [brief.pk]})

    response = staff_client.post(
        BRIEFS, {"action": "rerender", "_selected_action": [brief.pk]}, follow=True
    )

    assert brief.documents.count() == 1
    assert "0 new render(s) queued; 1 brief(s) unchanged" in response.content.decode()


# --- The brief's PDFs -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_brief_page_lists_its_pdfs_with_status_error_pages_and_links(staff_client, media_root):
    brief = BriefFactory()
    done = _done(brief, media_root, page_count=12, content_hash="a" * 64)
    failed = _failed(brief)

    html = staff_client.get(f"{BRIEFS}{brief.pk}/change/").content.decode()

    panel = html[html.index('<table class="pdf-documents">') :]
    panel = panel[: panel.index("</table>") + 200]
    assert "✓ Done" in panel and "<td>12</td>" in panel
    assert f'href="{DOCUMENTS}{done.pk}/download/">Download</a>' in panel
    assert "✗ Failed" in panel and "NotADirectoryError" in panel
    assert f'href="{DOCUMENTS}{failed.pk}/retry/">Retry…</a>' in panel
    assert f'href="{BRIEFS}{brief.pk}/render/"' in panel
    _no_inline_script_or_style(panel)


@pytest.mark.django_db
def test_rerender_page_asks_first_then_queues_a_render(staff_client):
    brief = BriefFactory(status=Publication.Status.DRAFT, published_on=None)

    confirm = staff_client.get(f"{BRIEFS}{brief.pk}/render/")
    assert not brief.documents.exists()
    response = staff_client.post(f"{BRIEFS}{brief.pk}/render/", follow=True)

    assert "Render the PDF" in confirm.content.decode()
    _no_inline_script_or_style(confirm.content.decode().split("<body", 1)[1])
    assert brief.documents.get().status == Status.QUEUED
    assert "Its PDF is being rendered" in response.content.decode()


@pytest.mark.django_db
def test_rerender_page_needs_the_change_permission(client):
    client.force_login(_staff_with("view_brief"))
    brief = BriefFactory()

    assert client.post(f"{BRIEFS}{brief.pk}/render/").status_code == 403
    assert not brief.documents.exists()


@pytest.mark.django_db
def test_retry_page_queues_a_failed_pdf_again(staff_client):
    brief = BriefFactory()
    failed = _failed(brief)

    confirm = staff_client.get(f"{DOCUMENTS}{failed.pk}/retry/").content.decode()
    response = staff_client.post(f"{DOCUMENTS}{failed.pk}/retry/")

    assert "NotADirectoryError" in confirm and "Retry the render" in confirm
    assert response["Location"] == f"{BRIEFS}{brief.pk}/change/"
    failed.refresh_from_db()
    assert (failed.status, failed.last_error) == (Status.QUEUED, "")
    assert BackgroundJob.objects.get(pk=failed.job_id).status == BackgroundJob.Status.QUEUED


@pytest.mark.django_db
def test_retry_page_of_a_pdf_that_did_not_fail_changes_nothing(staff_client, media_root):
    done = _done(BriefFactory(), media_root)

    confirm = staff_client.get(f"{DOCUMENTS}{done.pk}/retry/").content.decode()
    staff_client.post(f"{DOCUMENTS}{done.pk}/retry/")

    assert "nothing to retry" in confirm and "Retry the render" not in confirm
    done.refresh_from_db()
    assert done.status == Status.DONE


@pytest.mark.django_db
def test_retry_needs_permission_to_change_the_publication(client):
    client.force_login(_staff_with("view_brief", "view_rendereddocument"))
    failed = _failed(BriefFactory())

    assert client.post(f"{DOCUMENTS}{failed.pk}/retry/").status_code == 403
    client.post(DOCUMENTS, {"action": "retry", "_selected_action": [failed.pk]})

    failed.refresh_from_db()
    assert failed.status == Status.FAILED


@pytest.mark.django_db
def test_download_serves_the_stored_pdf_to_staff_who_may_view_it(client, media_root):
    document = _done(BriefFactory(slug="green-steel"), media_root)
    client.force_login(_staff_with("view_brief"))

    response = client.get(f"{DOCUMENTS}{document.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="green-steel-{document.pk}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"


@pytest.mark.django_db
def test_download_of_a_newsletter_pdf_needs_permission_on_newsletters(client, media_root):
    document = _done(NewsletterIssueFactory(), media_root)
    client.force_login(_staff_with("view_brief"))

    assert client.get(f"{DOCUMENTS}{document.pk}/download/").status_code == 403


# --- Rendered-document admin -----------------------------------------------------------------------


@pytest.mark.django_db
def test_document_admin_lists_status_and_error_and_cannot_add(staff_client):
    failed = _failed(BriefFactory(title="Cement in India"))

    html = staff_client.get(DOCUMENTS).content.decode()

    assert "Cement in India" in html and "✗ Failed" in html and "NotADirectoryError" in html
    assert f"{DOCUMENTS}add/" not in html
    assert staff_client.get(f"{DOCUMENTS}add/").status_code == 403
    assert staff_client.get(f"{DOCUMENTS}{failed.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_document_admin_is_read_only(staff_client):
    failed = _failed(BriefFactory())

    staff_client.post(
        f"{DOCUMENTS}{failed.pk}/change/", {"status": "done", "last_error": "", "_save": "Save"}
    )

    failed.refresh_from_db()
    assert failed.status == Status.FAILED


@pytest.mark.django_db
def test_document_admin_filters_by_publication_as_linked_from_the_issue_page(staff_client):
    mine = BriefFactory(title="Mine")
    _failed(mine)
    _failed(BriefFactory(title="Theirs"))

    html = staff_client.get(DOCUMENTS, {"publication__id__exact": mine.pk}).content.decode()

    assert ">Mine<" in html
    assert "Theirs" not in html


@pytest.mark.django_db
def test_document_retry_action_queues_failed_ones(staff_client):
    failed = _failed(BriefFactory())

    staff_client.post(DOCUMENTS, {"action": "retry", "_selected_action": [failed.pk]})

    failed.refresh_from_db()
    assert failed.status == Status.QUEUED


# --- With a real worker -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_staff_publish_and_the_pdf_turns_done_and_downloads(
    celery_worker, staff_client, media_root
):
    brief = BriefFactory(status=Publication.Status.DRAFT, published_on=None)

    staff_client.post(BRIEFS, {"action": "publish", "_selected_action": [brief.pk]})

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        html = staff_client.get(f"{BRIEFS}{brief.pk}/change/").content.decode()
        if "✓ Done" in html:
            break
        time.sleep(0.2)
    assert "✓ Done" in html
    document = brief.documents.get()
    response = staff_client.get(f"{DOCUMENTS}{document.pk}/download/")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
