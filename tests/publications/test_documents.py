"""Rendered documents: the row first, one per content, rendered by a real worker on the real
Redis broker, errors kept and retried, swept up when the broker was down."""

import io
import threading
import time
from datetime import timedelta

import pypdf
import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

import leadit.jobs
from leadit.celery import app
from leadit.jobs import job_send, requeue_stale_jobs
from leadit.models import BackgroundJob
from publications import services
from publications.documents import (
    document_render,
    document_request_render,
    document_retry,
    latest_document,
)
from publications.models import Publication, RenderedDocument
from tests.factories.publications import BriefFactory
from tests.support.broker import broker_unreachable

Status = RenderedDocument.Status


def _wait(document: RenderedDocument, *statuses: str, timeout: float = 60) -> RenderedDocument:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in statuses:
            return document
        time.sleep(0.1)
    raise AssertionError(f"document stayed {document.status}: {document.last_error}")


# --- Requests ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_render_writes_the_queued_row_before_the_job_is_sent(
    django_capture_on_commit_callbacks,
):
    brief = BriefFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = document_request_render(publication=brief)
        row = RenderedDocument.objects.get(pk=document.pk)
        assert row.status == Status.QUEUED
        assert row.job.sent_at is None

    assert [getattr(callback, "func", None) for callback in callbacks].count(job_send) == 1
    assert row.job.task_name == "publications.render_document"
    assert row.job.arguments == {"document_id": document.pk}
    assert len(row.content_hash) == 64


@pytest.mark.django_db
def test_request_render_of_unchanged_content_returns_the_existing_document():
    brief = BriefFactory()

    first = document_request_render(publication=brief)
    second = document_request_render(publication=brief)

    assert second.pk == first.pk
    assert RenderedDocument.objects.filter(publication=brief).count() == 1
    assert BackgroundJob.objects.count() == 1


@pytest.mark.django_db
def test_request_render_of_changed_content_makes_a_new_document():
    brief = BriefFactory()
    first = document_request_render(publication=brief)

    brief.body += "\n\nOne more paragraph."
    brief.save()
    second = document_request_render(publication=brief)

    assert second.pk != first.pk
    assert second.content_hash != first.content_hash


@pytest.mark.django_db
def test_request_render_of_failed_content_queues_the_same_row_again():
    brief = BriefFactory()
    failed = document_request_render(publication=brief)
    RenderedDocument.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, last_error="OSError: disk full", attempts=1
    )

    again = document_request_render(publication=brief)

    assert again.pk == failed.pk
    assert again.status == Status.QUEUED
    assert again.last_error == ""
    assert RenderedDocument.objects.count() == 1
    assert BackgroundJob.objects.count() == 2  # a new job for the retry


@pytest.mark.django_db
def test_retry_of_a_document_that_did_not_fail_is_refused():
    document = document_request_render(publication=BriefFactory())

    with pytest.raises(ValidationError, match="Only a failed document"):
        document_retry(document=document)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_the_same_content_make_one_document():
    brief = BriefFactory()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def request():
        try:
            barrier.wait(timeout=10)
            results.append(document_request_render(publication=brief).pk)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(set(results)) == 1
    assert RenderedDocument.objects.filter(publication=brief).count() == 1


@pytest.mark.django_db
def test_latest_document_is_the_most_recently_finished_done_one():
    brief = BriefFactory()
    now = timezone.now()
    old = RenderedDocument.objects.create(
        publication=brief, content_hash="a" * 64, status=Status.DONE, file="x/old.pdf",
        finished_at=now - timedelta(days=2),
    )  # fmt: skip
    new = RenderedDocument.objects.create(
        publication=brief, content_hash="b" * 64, status=Status.DONE, file="x/new.pdf",
        finished_at=now - timedelta(days=1),
    )  # fmt: skip
    RenderedDocument.objects.create(publication=brief, content_hash="c" * 64, status=Status.FAILED)

    assert latest_document(brief) == new
    assert latest_document(BriefFactory()) is None
    assert old != new


# --- Publishing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_brief_publish_publishes_dates_and_requests_the_pdf():
    brief = BriefFactory(status=Publication.Status.DRAFT, published_on=None)

    document = services.brief_publish(brief=brief, on=timezone.localdate())

    brief.refresh_from_db()
    assert brief.status == Publication.Status.PUBLISHED
    assert brief.published_on == timezone.localdate()
    assert document.publication_id == brief.pk
    assert document.status == Status.QUEUED


@pytest.mark.django_db
def test_brief_publish_without_a_body_is_refused_and_nothing_is_rendered():
    brief = BriefFactory(status=Publication.Status.DRAFT, published_on=None, body="  ")

    with pytest.raises(ValidationError):
        services.brief_publish(brief=brief)

    brief.refresh_from_db()
    assert brief.status == Publication.Status.DRAFT
    assert not RenderedDocument.objects.exists()


@pytest.mark.django_db
def test_brief_unpublish_makes_it_a_draft_again():
    brief = BriefFactory()

    services.brief_unpublish(brief=brief)

    brief.refresh_from_db()
    assert (brief.status, brief.published_on) == (Publication.Status.DRAFT, None)
    assert not Publication.objects.published().filter(pk=brief.pk).exists()


# --- Through a real worker ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_render_through_the_worker_ends_done_with_the_pdf_stored(celery_worker, media_root):
    brief = BriefFactory(title="Green public procurement of steel")

    document = _wait(document_request_render(publication=brief), Status.DONE, Status.FAILED)

    assert document.status == Status.DONE, document.last_error
    assert document.attempts == 1
    with document.file.open("rb") as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF-")
    assert document.size_bytes == len(pdf)
    assert document.page_count == len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert document.render_seconds > 0
    assert document.started_at <= document.finished_at
    # Stored under an unguessable name, not the slug.
    assert brief.slug not in document.file.name
    assert document.file.name.startswith("publications/pdf/")
    assert len(document.file.name.rsplit("/", 1)[1]) == 36  # 32 hex digits + ".pdf"
    document.job.refresh_from_db()
    assert document.job.status == BackgroundJob.Status.DONE
    assert latest_document(brief) == document


@pytest.mark.django_db(transaction=True)
def test_published_brief_gets_its_pdf_once_even_when_published_twice(celery_worker, media_root):
    brief = BriefFactory(status=Publication.Status.DRAFT, published_on=None)

    first = services.brief_publish(brief=brief)
    _wait(first, Status.DONE, Status.FAILED)
    second = services.brief_publish(brief=brief)

    assert second.pk == first.pk
    assert RenderedDocument.objects.filter(publication=brief).count() == 1
    assert BackgroundJob.objects.filter(task_name="publications.render_document").count() == 1


@pytest.mark.django_db(transaction=True)
def test_duplicate_delivery_of_a_done_render_renders_nothing(celery_worker, media_root):
    document = _wait(document_request_render(publication=BriefFactory()), Status.DONE)
    stored = document.file.name

    assert document_render(document_id=document.pk) == "already done"

    document.refresh_from_db()
    assert (document.file.name, document.attempts) == (stored, 1)


@pytest.mark.django_db(transaction=True)
def test_failing_render_records_the_error_and_a_retry_renders_it(celery_worker, settings, tmp_path):
    # A real failure: the media folder cannot be created (its parent is a file).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"
    brief = BriefFactory()

    document = _wait(document_request_render(publication=brief), Status.DONE, Status.FAILED)

    assert document.status == Status.FAILED
    assert document.last_error.startswith("NotADirectoryError")
    assert document.attempts == 1
    assert not document.file
    document.job.refresh_from_db()
    assert document.job.status == BackgroundJob.Status.FAILED
    assert latest_document(brief) is None

    settings.MEDIA_ROOT = tmp_path / "media"
    document_retry(document=document)

    document = _wait(document, Status.DONE, Status.FAILED)
    assert document.status == Status.DONE, document.last_error
    assert (document.attempts, document.last_error) == (2, "")
    assert RenderedDocument.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_render_requested_while_the_broker_is_down_is_done_after_the_sweep(
    django_db_blocker, media_root, monkeypatch
):
    brief = BriefFactory()
    with broker_unreachable():
        document = document_request_render(publication=brief)  # commits: autocommit
    document.refresh_from_db()
    assert document.status == Status.QUEUED
    assert document.job.sent_at is None  # the broker never got it
    # The sweep leaves a job alone for a minute (it may still be on its way).
    BackgroundJob.objects.filter(pk=document.job_id).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    monkeypatch.setattr(leadit.jobs, "RETRY_BASE_SECONDS", 0)

    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        assert requeue_stale_jobs() == 1
        document = _wait(document, Status.DONE, Status.FAILED)

    assert document.status == Status.DONE, document.last_error
    assert document.file
    assert document.attempts == 1


@pytest.mark.django_db
def test_render_of_a_brief_edited_after_the_request_renders_what_was_requested(media_root):
    brief = BriefFactory(body="## Before\n\nAs requested.\n")
    document = document_request_render(publication=brief)
    brief.body = "## After\n\nEdited later.\n"
    brief.save()

    assert document_render(document_id=document.pk) == "rendered"

    document.refresh_from_db()
    with document.file.open("rb") as stored:
        text = "".join(page.extract_text() for page in pypdf.PdfReader(stored).pages)
    assert "As requested." in text and "Edited later." not in text
    # Requesting the edited content is a new document.
    assert document_request_render(publication=brief).pk != document.pk


@pytest.mark.django_db
def test_render_without_the_requested_html_renders_the_current_content(media_root):
    brief = BriefFactory(body="## Before\n\nAs requested.\n")
    document = document_request_render(publication=brief)
    cache.clear()  # evicted, or rendered long after the request
    brief.body = "## After\n\nEdited later.\n"
    brief.save()

    document_render(document_id=document.pk)

    document.refresh_from_db()
    assert document.status == Status.DONE
    # The row now says what it holds: the current content, so it is not rendered again.
    assert document_request_render(publication=brief).pk == document.pk


@pytest.mark.django_db
def test_render_whose_worker_vanished_is_failed_by_the_sweep_and_can_be_retried():
    brief = BriefFactory()
    document = document_request_render(publication=brief)
    long_ago = timezone.now() - timedelta(hours=2)
    RenderedDocument.objects.filter(pk=document.pk).update(status=Status.RUNNING)
    BackgroundJob.objects.filter(pk=document.job_id).update(
        status=BackgroundJob.Status.RUNNING, started_at=long_ago, sent_at=long_ago
    )

    requeue_stale_jobs()

    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert "No worker finished this job" in document.last_error
    assert document_retry(document=document).status == Status.QUEUED
