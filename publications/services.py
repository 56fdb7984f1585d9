"""Writes of briefs: publish (which renders the PDF), unpublish, staff's re-render. Each a
keyword-only function, validated with ``full_clean`` and done in one transaction; the
render job is sent after commit (``documents.document_request_render``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leadit.cache import invalidate

from .documents import document_request_render
from .models import Brief, Publication, RenderedDocument

CACHE_NAMESPACE = "publications"


def brief_publish(*, brief: Brief, user=None, on: datetime.date | None = None) -> RenderedDocument:
    """Publish ``brief`` (dated ``on``, else the date it already has, else today) and
    request its PDF. Returns the rendered document (new, or the existing one for
    unchanged content). Publishing again only re-dates it when ``on`` is given."""
    with transaction.atomic():
        brief = Brief.objects.select_for_update().get(pk=brief.pk)
        brief.status = Publication.Status.PUBLISHED
        brief.published_on = on or brief.published_on or timezone.localdate()
        if not brief.body.strip():
            raise ValidationError({"body": "A brief needs a body before it can be published."})
        brief.full_clean()
        brief.save()
        document = document_request_render(publication=brief, requested_by=user)
        transaction.on_commit(lambda: invalidate(CACHE_NAMESPACE))
    return document


def brief_unpublish(*, brief: Brief, user=None) -> Brief:
    """Take ``brief`` off the public site (back to draft). Its PDFs are kept for staff."""
    with transaction.atomic():
        brief = Brief.objects.select_for_update().get(pk=brief.pk)
        brief.status = Publication.Status.DRAFT
        brief.published_on = None
        brief.full_clean()
        brief.save()
        transaction.on_commit(lambda: invalidate(CACHE_NAMESPACE))
    return brief


def brief_request_render(*, brief: Brief, user=None) -> RenderedDocument:
    """Staff's "re-render PDF": a new render if the content changed since the last one
    (a draft too, to proof it), else the existing document (a failed one is retried)."""
    return document_request_render(publication=brief, requested_by=user)
