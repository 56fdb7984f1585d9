"""Rendered PDFs: request a render (the row first, then the job), the render task, retry.

One ``RenderedDocument`` row per content: the row carries the SHA-256 of the print HTML
(``content.publication_print_html``), and the database allows one row per (publication,
hash). Requesting a render of unchanged content returns the existing row — done, queued or
running — and renders nothing; a failed one is queued again rather than duplicated.

The row is written in the caller's transaction and the job is sent after commit
(``leadit.jobs.job_enqueue``); if the broker is down then, the job stays queued and the
periodic ``leadit.requeue_stale_jobs`` sends it later. The task is idempotent: a document
already done is not rendered again when the broker delivers the task twice.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from leadit.jobs import MAX_ATTEMPTS, WORKER_LOST_MESSAGE, background_job, job_enqueue
from leadit.models import BackgroundJob

from .content import publication_print_html
from .models import Publication, RenderedDocument
from .rendering import html_hash, html_pdf, print_base_url

logger = logging.getLogger(__name__)

# Worth another try with backoff: the database went away for a moment (a restart, a
# fail-over, a dropped pooled connection), or a network file store (S3-compatible media)
# did not answer in time. A failure of the rendering itself is not transient: the same
# HTML fails the same way, so it fails the document at once for staff to see.
TRANSIENT_RENDER_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)

# A brief of 50 pages renders in a few seconds here: well past that, something is wrong.
# (Enforced by the prefork pool of the production workers through CELERY_TASK_ANNOTATIONS.)
RENDER_SOFT_TIME_LIMIT = 90
RENDER_TIME_LIMIT = 120
# How long the print HTML built by a request waits in the cache for its render task: past
# the sweep's "lost by the broker" delay (leadit.jobs.RESEND_AFTER), with room to spare.
RENDER_HTML_TIMEOUT = 2 * 60 * 60

Status = RenderedDocument.Status


def document_request_render(*, publication: Publication, requested_by=None) -> RenderedDocument:
    """The document of ``publication``'s current content: the existing one when that
    content was already rendered or is being rendered, else a new row with its render job
    (sent after commit). A failed row for the same content is queued again."""
    html = publication_print_html(publication, base_url=print_base_url())
    content_hash = html_hash(html)
    user = requested_by if getattr(requested_by, "pk", None) else None
    with transaction.atomic():
        existing = (
            RenderedDocument.objects.select_for_update()
            .filter(publication_id=publication.pk, content_hash=content_hash)
            .first()
        )
        if existing is not None:
            if existing.status == Status.FAILED:
                return document_retry(document=existing)
            return existing
        try:
            # A savepoint: a concurrent request may insert the same content first.
            with transaction.atomic():
                document = RenderedDocument.objects.create(
                    publication_id=publication.pk,
                    content_hash=content_hash,
                    status=Status.QUEUED,
                    requested_by=user,
                )
        except IntegrityError:
            return RenderedDocument.objects.get(
                publication_id=publication.pk, content_hash=content_hash
            )
        _keep_html(document, html)
        _enqueue(document)
    return document


def document_retry(*, document: RenderedDocument) -> RenderedDocument:
    """Staff's "retry" of a failed document: queued again with a new job."""
    with transaction.atomic():
        document = RenderedDocument.objects.select_for_update().get(pk=document.pk)
        if document.status != Status.FAILED:
            raise ValidationError(
                f"Only a failed document can be retried; this one is {document.get_status_display().lower()}."
            )
        document.status = Status.QUEUED
        document.last_error = ""
        document.started_at = document.finished_at = None
        document.save(update_fields=["status", "last_error", "started_at", "finished_at"])
        _enqueue(document)
    return document


def _enqueue(document: RenderedDocument) -> None:
    document.job = job_enqueue(
        task=render_document,
        description=f"PDF of “{document.publication}”"[:300],
        document_id=document.pk,
    )
    document.save(update_fields=["job"])


def document_job_lost(sender, *, job: BackgroundJob, **kwargs) -> None:
    """``leadit.jobs.job_lost``: the sweep gave up on a render whose worker vanished (the
    hard time limit, the OOM killer), so its document failed too and can be retried."""
    RenderedDocument.objects.filter(job=job, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.FAILED, last_error=WORKER_LOST_MESSAGE, finished_at=timezone.now()
    )


def _html_key(document_id: int) -> str:
    return f"publications:print-html:{document_id}"


def _keep_html(document: RenderedDocument, html: str) -> None:
    # The request has just built the print HTML to hash it; the task renders that very
    # HTML (exactly the content of the row's hash) instead of building it again. A cache
    # miss (expired, evicted, a retry) only means the task builds it from the database.
    cache.set(_html_key(document.pk), html, RENDER_HTML_TIMEOUT)


def _print_html(document: RenderedDocument) -> str:
    html = cache.get(_html_key(document.pk))
    if html is not None and html_hash(html) == document.content_hash:
        return html
    return publication_print_html(document.publication, base_url=print_base_url())


def latest_document(publication: Publication) -> RenderedDocument | None:
    """The PDF to serve: the most recently finished document that is done."""
    return (
        RenderedDocument.objects.filter(publication_id=publication.pk, status=Status.DONE)
        .order_by("-finished_at", "-created_at")
        .first()
    )


# --- The render ---------------------------------------------------------------------------


def document_render(*, document_id: int) -> str:
    """Render document ``document_id`` and store its PDF. Returns what happened."""
    with transaction.atomic():
        document = (
            RenderedDocument.objects.select_for_update()
            .select_related("publication")
            .filter(pk=document_id)
            .first()
        )
        if document is None:
            logger.info("Rendered document %s is gone; nothing to do", document_id)
            return "gone"
        if document.status == Status.DONE:
            # A duplicate delivery (the broker re-sent the task): already rendered.
            return "already done"
        document.status = Status.RUNNING
        document.attempts += 1
        document.started_at = timezone.now()
        document.finished_at = None
        document.save(update_fields=["status", "attempts", "started_at", "finished_at"])

    started = time.monotonic()
    try:
        html = _print_html(document)
        rendered_hash = html_hash(html)
        pdf = html_pdf(html, base_url=print_base_url())
        pages = page_count(pdf)
        seconds = time.monotonic() - started
        _store_pdf(document, pdf, pages=pages, seconds=seconds, rendered_hash=rendered_hash)
    except TRANSIENT_RENDER_ERRORS as exc:
        # The job wrapper retries while its job has attempts left; the row says the same.
        job_attempts = (
            BackgroundJob.objects.filter(pk=document.job_id)
            .values_list("attempts", flat=True)
            .first()
        )
        will_retry = job_attempts is not None and job_attempts < MAX_ATTEMPTS
        _record_failure(document, exc, Status.QUEUED if will_retry else Status.FAILED)
        raise
    except Exception as exc:
        _record_failure(document, exc, Status.FAILED)
        raise
    logger.info("Rendered %s: %s pages, %s bytes in %.2f s", document, pages, len(pdf), seconds)
    return "rendered"


def _store_pdf(
    document: RenderedDocument, pdf: bytes, *, pages: int, seconds: float, rendered_hash: str
) -> None:
    """The PDF's file, and the row saying it is done, or neither: a file whose row was not
    saved (the database failed, the content was superseded) is deleted again. (The page
    cache's invalidation on save cannot fail it: ``leadit.cache.invalidate`` keeps what
    Redis misses for later.)"""
    stored_name = None
    try:
        with transaction.atomic():
            if rendered_hash != document.content_hash:
                _adopt_new_content(document, rendered_hash)
            document.file.save(f"{document.publication.slug}.pdf", ContentFile(pdf), save=False)
            stored_name = document.file.name
            document.status = Status.DONE
            document.page_count = pages
            document.size_bytes = len(pdf)
            document.render_seconds = round(seconds, 3)
            document.finished_at = timezone.now()
            document.last_error = ""
            document.save()
    except BaseException:
        if stored_name:
            _discard_unreferenced(stored_name)
        raise


def _discard_unreferenced(name: str) -> None:
    """Delete the stored file ``name`` unless a row references it."""
    try:
        referenced = RenderedDocument.objects.filter(file=name).exists()
    except (OperationalError, InterfaceError):
        # The database cannot say (the commit may even have gone through): the sweep
        # (sweep_orphaned_pdfs) deletes the file later if it is not referenced.
        logger.warning("Kept %s: could not check whether a document references it", name)
        return
    if not referenced:
        _file_storage().delete(name)
        logger.info("Deleted %s: no document references it", name)


def _file_storage():
    return RenderedDocument._meta.get_field("file").storage


# Files of rendered documents, and how old an unreferenced one must be before the sweep
# deletes it: a render saves its file and then its row, within its hard time limit.
PDF_FOLDER = "publications/pdf"
ORPHAN_MIN_AGE_SECONDS = 2 * RENDER_TIME_LIMIT


def sweep_orphaned_pdfs(*, older_than: float = ORPHAN_MIN_AGE_SECONDS) -> list[str]:
    """Delete the files under ``PDF_FOLDER`` that no document references and that are
    older than ``older_than`` seconds (younger ones may belong to a render in flight).
    Returns the names deleted."""
    storage = _file_storage()
    try:
        _folders, files = storage.listdir(PDF_FOLDER)
    except FileNotFoundError:
        return []
    referenced = set(
        RenderedDocument.objects.filter(file__startswith=f"{PDF_FOLDER}/").values_list(
            "file", flat=True
        )
    )
    cutoff = timezone.now() - timedelta(seconds=older_than)
    deleted = []
    for filename in files:
        name = f"{PDF_FOLDER}/{filename}"
        if name in referenced:
            continue
        try:
            if storage.get_modified_time(name) > cutoff:
                continue
        except (FileNotFoundError, NotImplementedError):
            continue
        # Checked again one by one: a row saved since the listing keeps its file.
        if RenderedDocument.objects.filter(file=name).exists():
            continue
        storage.delete(name)
        deleted.append(name)
    if deleted:
        logger.warning("Deleted %s PDF file(s) no document references", len(deleted))
    return deleted


@shared_task(name="publications.sweep_orphaned_pdfs")
def sweep_orphaned_pdfs_task() -> int:
    """Periodic (beat): delete PDF files no document references (``sweep_orphaned_pdfs``)."""
    return len(sweep_orphaned_pdfs())


class ContentSuperseded(Exception):  # noqa: N818 - it is what happened
    """The content changed after the render was requested, and another document already
    renders the new content."""


def _adopt_new_content(document: RenderedDocument, rendered_hash: str) -> None:
    # The publication changed between the request and the render: the row records what
    # was rendered. If another row already holds that content, this one is redundant.
    other = (
        RenderedDocument.objects.filter(
            publication_id=document.publication_id, content_hash=rendered_hash
        )
        .exclude(pk=document.pk)
        .first()
    )
    if other is not None:
        raise ContentSuperseded(
            f"The publication changed after this render was requested; document {other.pk} "
            "already renders its current content."
        )
    document.content_hash = rendered_hash


def _record_failure(document: RenderedDocument, exc: Exception, status: str) -> None:
    if isinstance(exc, SoftTimeLimitExceeded):
        message = f"The render took longer than {RENDER_SOFT_TIME_LIMIT} s and was stopped."
    else:
        message = f"{type(exc).__name__}: {exc}".strip()
    try:
        RenderedDocument.objects.filter(pk=document.pk).update(
            status=status,
            last_error=message[:5000],
            finished_at=timezone.now() if status == Status.FAILED else None,
        )
    except (OperationalError, InterfaceError):
        # The database itself is what failed: the job row (and the sweep) keep the story.
        logger.exception("Could not record the failure of %s", document)


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF (read back with pypdf, which only parses)."""
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


@background_job(name="publications.render_document", transient=TRANSIENT_RENDER_ERRORS)
def render_document(*, document_id: int) -> str:
    """Render one ``RenderedDocument`` (see ``document_render``)."""
    return document_render(document_id=document_id)
