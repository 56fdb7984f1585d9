"""Member editors keep their member's technical guidelines and add versions: an uploaded
PDF checked by its content (not its name), or Markdown a worker renders to a real PDF
through leadit/pdf.py. Another member's guideline answers 404; bad input writes nothing."""

import datetime
import io
import logging
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from leadit.jobs import fail_lost_jobs
from leadit.models import BackgroundJob
from technology.guideline_pdf import RENDER_TASK_NAME, guideline_version_render
from technology.models import GuidelineVersion, TechnicalGuideline, Visibility
from tests.factories.members import EditorFactory, MemberFactory, SectorFactory
from tests.factories.technology import (
    GuidelineVersionFactory,
    TechnicalGuidelineFactory,
    one_page_pdf,
)
from tests.factories.tracker import TechnologyFactory

Status = GuidelineVersion.RenderStatus
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def _version_url(guideline) -> str:
    return reverse("technology:guideline_version_new", args=[guideline.slug])


def _version_post(client, guideline, **fields):
    data = {"version": "1.0", "published_on": "2025-05-01", "change_note": "", "body": ""}
    data.update(fields)
    return client.post(_version_url(guideline), data)


@pytest.fixture
def editor(db):
    return EditorFactory()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def own_guideline(editor):
    return TechnicalGuidelineFactory(member=editor.member, title="Kiln retrofit guide")


# --- The guideline ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_editor_creates_a_guideline_for_their_member(editor_client, editor):
    cement = SectorFactory(name="Cement", slug="cement")
    clay = TechnologyFactory(name="Calcined clay", slug="calcined-clay")

    response = editor_client.post(
        reverse("technology:guideline_new"),
        {
            "member": editor.member.pk,
            "title": "Calcined clay cement: a practical guide",
            "summary": "How to blend and qualify LC3 cements.",
            "sectors": [cement.pk],
            "technologies": [clay.pk],
            "licence": "CC BY 4.0",
            "visibility": Visibility.MEMBERS,
        },
    )

    guideline = TechnicalGuideline.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("technology:guideline_edit", args=[guideline.slug])
    assert guideline.slug == "calcined-clay-cement-a-practical-guide"
    assert guideline.member == editor.member
    assert list(guideline.sectors.all()) == [cement]
    assert list(guideline.technologies.all()) == [clay]
    page = editor_client.get(response.url).content.decode()
    assert "No version yet" in page and "Add a version" in page


@pytest.mark.django_db
def test_an_editor_cannot_create_a_guideline_for_another_member(editor_client):
    other = MemberFactory()

    response = editor_client.post(
        reverse("technology:guideline_new"),
        {"member": other.pk, "title": "Borrowed", "summary": "x", "licence": "CC BY 4.0",
         "visibility": Visibility.PUBLIC},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not TechnicalGuideline.objects.exists()


@pytest.mark.django_db
def test_staff_may_keep_a_guideline_of_the_secretariat(staff_client):
    response = staff_client.post(
        reverse("technology:guideline_new"),
        {"member": "", "title": "Secretariat note", "summary": "x", "licence": "CC BY 4.0",
         "visibility": Visibility.PUBLIC},
    )  # fmt: skip

    assert response.status_code == 302
    guideline = TechnicalGuideline.objects.get()
    assert guideline.member is None
    assert "LeadIT secretariat" in staff_client.get(guideline.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_another_members_guideline_answers_404_and_is_logged(editor_client, caplog):
    theirs = TechnicalGuidelineFactory(title="Their guide")

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        edit = editor_client.post(
            reverse("technology:guideline_edit", args=[theirs.slug]),
            {"title": "Taken over", "summary": "x", "licence": "x", "visibility": "public"},
        )
        version = _version_post(editor_client, theirs, body="# Mine now")

    assert edit.status_code == 404 and version.status_code == 404
    assert "Refused technical guideline" in caplog.text
    theirs.refresh_from_db()
    assert theirs.title == "Their guide"
    assert not GuidelineVersion.objects.exists()


@pytest.mark.django_db
def test_the_forms_show_labelled_fields(editor_client, own_guideline):
    new = editor_client.get(reverse("technology:guideline_new")).content.decode()
    version = editor_client.get(_version_url(own_guideline)).content.decode()

    assert 'for="id_title"' in new and 'id="id_technologies"' in new
    assert 'enctype="multipart/form-data"' in version
    for field in ("version", "published_on", "change_note", "pdf", "body"):
        assert f'for="id_{field}"' in version, field
    assert "at most 20 MB" in version


@pytest.mark.django_db
def test_a_user_who_keeps_no_member_gets_no_guideline_form(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", "n@example.org", "x"))

    assert client.get(reverse("technology:guideline_new")).status_code == 404


# --- Uploaded versions --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_uploaded_pdf_becomes_a_downloadable_version(editor_client, own_guideline, media_root):
    upload = SimpleUploadedFile("guide.pdf", one_page_pdf(), content_type="application/pdf")

    response = _version_post(editor_client, own_guideline, version="2.0", pdf=upload,
                             change_note="New kiln data")  # fmt: skip

    assert response.status_code == 302
    version = GuidelineVersion.objects.get()
    assert version.render_status == Status.UPLOADED
    assert version.pdf.name.startswith(f"technology/guidelines/{own_guideline.slug}-v2-0-")
    assert not BackgroundJob.objects.exists()
    page = editor_client.get(own_guideline.get_absolute_url()).content.decode()
    assert "Download version 2.0 (PDF)" in page and "What changed: New kiln data" in page
    download = editor_client.get(
        reverse("technology:guideline_download", args=[own_guideline.slug, version.pk])
    )
    assert b"".join(download.streaming_content) == one_page_pdf()
    download.close()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Minutes of the meeting, plain text.\n", "is not a PDF document"),
        (PNG, "is not a PDF document"),
        (b"%PDF-1.7\nnot really a pdf at all", "cannot be read: it is damaged or incomplete"),
    ],
    ids=["text-named-pdf", "png-named-pdf", "truncated-pdf"],
)
def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_is_written(
    editor_client, own_guideline, media_root, content, message
):
    upload = SimpleUploadedFile("guide.pdf", content, content_type="application/pdf")

    response = _version_post(editor_client, own_guideline, pdf=upload)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "Nothing was saved" in page
    assert not GuidelineVersion.objects.exists()
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_a_pdf_over_20_mb_is_refused(editor_client, own_guideline, media_root):
    big = one_page_pdf() + b"%" * (20 * 1024 * 1024)
    upload = SimpleUploadedFile("big.pdf", big, content_type="application/pdf")

    response = _version_post(editor_client, own_guideline, pdf=upload)

    assert "the limit is 20 MB" in response.content.decode()
    assert not GuidelineVersion.objects.exists()
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_a_version_label_is_used_once_per_guideline(editor_client, own_guideline):
    GuidelineVersionFactory(guideline=own_guideline, version="1.0")
    GuidelineVersionFactory(guideline=TechnicalGuidelineFactory(), version="2.0")

    again = _version_post(editor_client, own_guideline, version="1.0", body="# Text")
    other_label = _version_post(editor_client, own_guideline, version="2.0", body="# Text")

    assert "Version 1.0 of this guideline is already recorded." in again.content.decode()
    assert other_label.status_code == 302
    assert own_guideline.versions.count() == 2


@pytest.mark.django_db
def test_a_version_is_a_pdf_or_markdown_not_both_nor_neither(
    editor_client, own_guideline, media_root
):
    upload = SimpleUploadedFile("guide.pdf", one_page_pdf(), content_type="application/pdf")

    both = _version_post(editor_client, own_guideline, pdf=upload, body="# Text")
    neither = _version_post(editor_client, own_guideline)

    assert "not both" in both.content.decode()
    assert "Upload a PDF, or write the text in Markdown." in neither.content.decode()
    assert not GuidelineVersion.objects.exists()
    assert _stored_files(media_root) == []


# --- Markdown versions --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_markdown_version_is_queued_then_rendered_to_a_real_pdf(
    editor_client, own_guideline, media_root
):
    own_guideline.licence = "CC BY-SA 4.0"
    own_guideline.save()
    body = "# Scope\n\nPreheater towers and **calciners**.\n\n- Step one\n- Step two"

    response = _version_post(editor_client, own_guideline, version="3.0", body=body)

    assert response.status_code == 302
    version = GuidelineVersion.objects.get()
    assert version.render_status == Status.QUEUED and not version.pdf
    job = BackgroundJob.objects.get()
    assert job.task_name == RENDER_TASK_NAME and job.arguments == {"version_id": version.pk}
    page = editor_client.get(own_guideline.get_absolute_url()).content.decode()
    assert "Being prepared" in page

    assert guideline_version_render(version_id=version.pk) == "rendered"

    version.refresh_from_db()
    assert version.render_status == Status.RENDERED
    pdf = version.pdf.read()
    version.pdf.close()
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for shown in ("Kiln retrofit guide", "Version 3.0", "CC BY-SA 4.0", "Scope", "calciners"):
        assert shown in text, shown
    assert guideline_version_render(version_id=version.pk) == "already rendered"
    page = editor_client.get(own_guideline.get_absolute_url()).content.decode()
    assert "Download version 3.0 (PDF)" in page


@pytest.mark.django_db
def test_a_version_whose_worker_was_lost_fails_and_can_be_rendered_again(
    editor_client, own_guideline
):
    version = GuidelineVersionFactory(guideline=own_guideline, version="4.0")
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT, hours=1)
    BackgroundJob.objects.create(
        task_name=RENDER_TASK_NAME,
        arguments={"version_id": version.pk},
        status=BackgroundJob.Status.RUNNING,
        started_at=long_ago,
    )

    assert fail_lost_jobs() == 1

    version.refresh_from_db()
    assert version.render_status == Status.FAILED
    assert "No worker finished this job" in version.render_error
    public_page = editor_client.get(own_guideline.get_absolute_url()).content.decode()
    assert "Rendering failed" in public_page
    edit_url = reverse("technology:guideline_edit", args=[own_guideline.slug])
    assert "Render version 4.0 again" in editor_client.get(edit_url).content.decode()

    response = editor_client.post(edit_url, {"render_again": version.pk})

    assert response.status_code == 302
    version.refresh_from_db()
    assert version.render_status == Status.QUEUED and version.render_error == ""
    assert BackgroundJob.objects.filter(status=BackgroundJob.Status.QUEUED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_a_markdown_version(celery_worker, client, media_root):
    editor = EditorFactory()
    guideline = TechnicalGuidelineFactory(member=editor.member, title="Worker guide")
    client.force_login(editor)

    response = _version_post(client, guideline, version="1.0", body="# Heat\n\nRecover it.",
                             published_on=datetime.date(2025, 1, 2).isoformat())  # fmt: skip
    assert response.status_code == 302

    version = GuidelineVersion.objects.get()
    deadline = time.monotonic() + 90
    while version.render_status == Status.QUEUED and time.monotonic() < deadline:
        time.sleep(0.3)
        version.refresh_from_db()
    assert version.render_status == Status.RENDERED, version.render_error
    download = client.get(
        reverse("technology:guideline_download", args=[guideline.slug, version.pk])
    )
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    download.close()
