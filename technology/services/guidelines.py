"""Writes for the technical guidelines: a guideline kept by a member's editors (or the
secretariat), and its versions: an uploaded PDF, checked by its content, or Markdown that a
worker renders to PDF (the job is queued with the version, sent after commit)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from pypdf import PdfReader

from leadit.jobs import job_enqueue
from members.models import Member

from ..guideline_pdf import stored_name
from ..models import GuidelineVersion, TechnicalGuideline
from ..tasks_guidelines import render_guideline_version

logger = logging.getLogger(__name__)

GUIDELINE_FIELDS = ("title", "summary", "licence", "visibility")
PDF_MAX_BYTES = 20 * 1024 * 1024
Status = GuidelineVersion.RenderStatus


# --- Uploaded PDFs ----------------------------------------------------------------------


def pdf_upload_errors(file) -> list[str]:
    """What is wrong with an uploaded guideline PDF, judged by its content, never by its
    name: its size, the %PDF- signature, and whether a PDF reader finds its pages (a
    truncated or damaged file does not)."""
    name = (getattr(file, "name", "") or "the file").rsplit("/", 1)[-1]
    size = getattr(file, "size", None)
    if size is not None and size > PDF_MAX_BYTES:
        return [
            f"“{name}” is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{PDF_MAX_BYTES // 1024 // 1024} MB."
        ]
    file.seek(0)
    head = file.read(1024)
    file.seek(0)
    if isinstance(head, str):
        head = head.encode()
    if not head.startswith(b"%PDF-"):
        return [f"“{name}” is not a PDF document (its content is not PDF, whatever its name)."]
    try:
        pages = len(PdfReader(file, strict=False).pages)
    except Exception:  # pypdf raises many kinds of error on a damaged file
        logger.info("Uploaded guideline %r could not be read as a PDF", name, exc_info=True)
        pages = 0
    finally:
        file.seek(0)
    if not pages:
        return [f"“{name}” starts like a PDF but cannot be read: it is damaged or incomplete."]
    return []


# --- Guidelines -------------------------------------------------------------------------


def _unique_slug(title: str) -> str:
    base = slugify(title)[:180].strip("-") or "guideline"
    slug, n = base, 1
    while TechnicalGuideline.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_editable(guideline: TechnicalGuideline, by) -> None:
    if not TechnicalGuideline.objects.editable_by(by).filter(pk=guideline.pk).exists():
        raise ValidationError("This guideline is kept by another member: it cannot be changed.")


def _check_keeper(member: Member | None, by) -> None:
    if member is None:
        if not by.is_staff:
            raise ValidationError({"member": "Choose the member that keeps this guideline."})
        return  # the secretariat's own guideline
    if not Member.objects.editable_by(by).filter(pk=member.pk).exists():
        raise ValidationError({"member": "You may add guidelines only for a member you keep."})


def guideline_save(
    *,
    by,
    member: Member | None,
    guideline: TechnicalGuideline | None = None,
    values: dict,
    sectors: Iterable,
    technologies: Iterable,
) -> TechnicalGuideline:
    """A new guideline kept by ``member`` (None: the secretariat's own, staff only), or an
    edit of ``guideline`` (its keeper does not change). ``values``: ``GUIDELINE_FIELDS``."""
    if guideline is None:
        _check_keeper(member, by)
        guideline = TechnicalGuideline(member=member)
    else:
        _check_editable(guideline, by)
    for field in GUIDELINE_FIELDS:
        setattr(guideline, field, values.get(field))
    with transaction.atomic():
        if not guideline.slug:
            guideline.slug = _unique_slug(guideline.title or "")
        guideline.full_clean()
        guideline.save()
        guideline.sectors.set(list(sectors))
        guideline.technologies.set(list(technologies))
    return guideline


# --- Versions ---------------------------------------------------------------------------


def _check_version(guideline: TechnicalGuideline, label: str, pdf, body: str) -> None:
    errors: dict[str, list[str]] = {}
    if pdf and body:
        errors[NON_FIELD_ERRORS] = ["Either upload a PDF or write the text in Markdown, not both."]
    elif not pdf and not body:
        errors[NON_FIELD_ERRORS] = ["Upload a PDF, or write the text in Markdown."]
    elif pdf and (problems := pdf_upload_errors(pdf)):
        errors["pdf"] = problems
    if label and guideline.versions.filter(version__iexact=label).exists():
        errors["version"] = [f"Version {label} of this guideline is already recorded."]
    if errors:
        raise ValidationError(errors)


def guideline_version_add(
    *,
    guideline: TechnicalGuideline,
    by,
    version: str,
    published_on,
    change_note: str = "",
    pdf=None,
    body: str = "",
) -> GuidelineVersion:
    """A new version of ``guideline``: an uploaded ``pdf`` (checked by its content) kept
    as it is, or ``body`` in Markdown, queued for rendering to PDF. Any error: nothing is
    written, no file stored."""
    _check_editable(guideline, by)
    label, body = (version or "").strip(), (body or "").strip()
    _check_version(guideline, label, pdf, body)
    row = GuidelineVersion(
        guideline=guideline,
        version=label,
        published_on=published_on,
        change_note=(change_note or "").strip(),
        body="" if pdf else body,
        render_status=Status.UPLOADED if pdf else Status.QUEUED,
        created_by=by if getattr(by, "pk", None) else None,
    )
    # The file is stored only once everything else is known to be right.
    row.full_clean(exclude=["pdf"])
    stored = None
    try:
        with transaction.atomic():
            if pdf:
                row.pdf.save(stored_name(row), File(pdf), save=False)
                stored = row.pdf.name
            row.save()
            if not pdf:
                _queue_render(row)
    except IntegrityError as exc:  # the same label saved a moment ago by someone else
        _remove(row, stored)
        raise ValidationError(
            {"version": [f"Version {label} of this guideline is already recorded."]}
        ) from exc
    except BaseException:
        _remove(row, stored)
        raise
    return row


def _remove(row: GuidelineVersion, stored: str | None) -> None:
    if stored:
        row.pdf.storage.delete(stored)


def _queue_render(version: GuidelineVersion) -> None:
    job_enqueue(
        task=render_guideline_version,
        description=f"PDF of {version.guideline} v{version.version}",
        version_id=version.pk,
    )


def guideline_version_render_again(*, version: GuidelineVersion, by) -> GuidelineVersion:
    """Queue again the rendering of a Markdown version whose rendering failed."""
    _check_editable(version.guideline, by)
    if version.render_status != Status.FAILED or not version.body:
        raise ValidationError("Only a Markdown version whose rendering failed is rendered again.")
    with transaction.atomic():
        version.render_status = Status.QUEUED
        version.render_error = ""
        version.save(update_fields=["render_status", "render_error"])
        _queue_render(version)
    return version
