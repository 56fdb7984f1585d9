"""A guideline version written in Markdown, rendered to PDF by a worker.

Rendering is a pure function returning bytes (:func:`guideline_version_pdf`, on the
portal's one restricted renderer ``leadit.pdf``: a Markdown image pointing at another host
or a local file is left out, never fetched); the task stores them on the version under an
unguessable name below ``technology/guidelines/``, which ``leadit.media`` never serves: the
file is reached only through the download view, which checks who asks."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from leadit.jobs import WORKER_LOST_MESSAGE
from leadit.markdown import render_markdown
from leadit.pdf import render_pdf

from .models import GuidelineVersion

logger = logging.getLogger(__name__)

RENDER_TASK_NAME = "technology.render_guideline_version"
# Worth another try with backoff: the database or a network file store went away for a
# moment. A failure of the rendering itself fails the same way again.
TRANSIENT_RENDER_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
Status = GuidelineVersion.RenderStatus


def guideline_version_html(version: GuidelineVersion, *, now=None) -> str:
    guideline = version.guideline
    context = {
        "guideline": guideline,
        "version": version,
        "provider": guideline.member.name if guideline.member_id else "LeadIT secretariat",
        "sectors": list(guideline.sectors.all()),
        "technologies": list(guideline.technologies.all()),
        "body": render_markdown(version.body),
        "rendered_on": timezone.localdate(now),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    return render_to_string("technology/guideline_pdf.html", context)


def guideline_version_pdf(version: GuidelineVersion, *, now=None) -> bytes:
    """The version's Markdown, with the guideline's title, version and licence, as PDF."""
    css = render_to_string("technology/guideline_pdf.css")
    base = settings.SITE_URL.rstrip("/") + "/"
    return render_pdf(guideline_version_html(version, now=now), base_url=base, stylesheets=[css])


def guideline_version_render(*, version_id: int) -> str:
    """Render version ``version_id`` and store its PDF. Returns what happened."""
    version = (
        GuidelineVersion.objects.select_related("guideline__member").filter(pk=version_id).first()
    )
    if version is None:
        logger.info("Guideline version %s is gone; nothing to do", version_id)
        return "gone"
    if version.render_status == Status.RENDERED and version.pdf:
        return "already rendered"  # a duplicate delivery
    if not version.body.strip():
        return "nothing to render"  # an uploaded PDF
    try:
        pdf = guideline_version_pdf(version)
    except TRANSIENT_RENDER_ERRORS:
        raise  # the job retries; the version stays queued
    except Exception as exc:
        _fail(version, f"{type(exc).__name__}: {exc}")
        raise
    _store(version, pdf)
    return "rendered"


def _fail(version: GuidelineVersion, error: str) -> None:
    # ``save``, not ``update``: the version's history keeps the failure, and the cached
    # guideline pages go stale (they show "Rendering failed").
    version.render_status = Status.FAILED
    version.render_error = error[:5000]
    version.save(update_fields=["render_status", "render_error"])


def file_label(version: GuidelineVersion) -> str:
    """``kiln-guide-v1-0``: the guideline and the version, as a file name."""
    label = slugify(version.version.replace(".", "-")) or "version"
    return f"{version.guideline.slug}-v{label}"


def stored_name(version: GuidelineVersion) -> str:
    """The file's name: readable, and unguessable so a leaked listing reveals no path."""
    return f"{file_label(version)}-{secrets.token_hex(12)}.pdf"


def _store(version: GuidelineVersion, pdf: bytes) -> None:
    """The file and the row saying it is rendered, or neither."""
    stored = None
    try:
        with transaction.atomic():
            version.pdf.save(stored_name(version), ContentFile(pdf), save=False)
            stored = version.pdf.name
            version.render_status = Status.RENDERED
            version.render_error = ""
            version.save(update_fields=["pdf", "render_status", "render_error"])
    except BaseException:
        if stored:
            version.pdf.storage.delete(stored)
        raise


def guideline_version_job_lost(sender, *, job, **kwargs) -> None:
    """``leadit.jobs.job_lost``: the sweep gave up on a render whose worker vanished (the
    hard time limit, the OOM killer), so the version failed too and its editor can render
    it again."""
    if job.task_name != RENDER_TASK_NAME:
        return
    version = GuidelineVersion.objects.filter(
        pk=job.arguments.get("version_id"), render_status=Status.QUEUED
    ).first()
    if version is not None:
        _fail(version, WORKER_LOST_MESSAGE)


def register() -> None:
    from leadit.jobs import job_lost

    job_lost.connect(guideline_version_job_lost, dispatch_uid="technology-guideline-pdf-lost")
