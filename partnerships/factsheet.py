"""The partnership factsheet: a PDF of one partnership as the public sees it (stage, plan
outcomes, requests, commitments, pipeline, sources), rendered on demand by a worker.

A factsheet may leave the secretariat (it is made to be handed out), so it shows public
records only, whoever asks for it. Rendering is a pure function returning bytes
(:func:`factsheet_pdf`, on the portal's one restricted renderer ``leadit.pdf``); the task
stores them on the ``Factsheet`` row under an unguessable name."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from leadit.jobs import WORKER_LOST_MESSAGE
from leadit.pdf import render_pdf

from .models import (
    Factsheet,
    OutcomeMeasurement,
    Partnership,
    PipelineProject,
    SupportCommitment,
    SupportRequest,
)

logger = logging.getLogger(__name__)

# Worth another try with backoff: the database or a network file store went away for a
# moment. A failure of the rendering itself fails the same way again.
TRANSIENT_RENDER_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
Status = Factsheet.Status


def _outcomes(partnership: Partnership) -> list[dict]:
    measurements = OutcomeMeasurement.objects.order_by("-measured_on")
    outcomes = partnership.outcomes.prefetch_related(Prefetch("measurements", measurements))
    rows = []
    for outcome in outcomes:
        latest = next(iter(outcome.measurements.all()), None)
        rows.append({"outcome": outcome, "latest": latest})
    return rows


def _requests(partnership: Partnership) -> list[SupportRequest]:
    live = SupportCommitment.objects.exclude(status=SupportCommitment.Status.DECLINED)
    return list(
        SupportRequest.objects.public()
        .filter(partnership=partnership)
        .prefetch_related(
            "sectors",
            Prefetch("commitments", live.select_related("member", "institution")),
        )
        .order_by("status", "title")
    )


def factsheet_context(partnership: Partnership, *, now=None) -> dict:
    """What the factsheet shows: public records only."""
    requests = _requests(partnership)
    projects = (
        PipelineProject.objects.public()
        .filter(partnership=partnership)
        .select_related("sector")
        .order_by("name")
    )
    return {
        "partnership": partnership,
        "stage_changes": list(partnership.stage_changes.order_by("changed_on", "id")),
        "lead_members": list(partnership.lead_members.all()),
        "supporting_members": list(partnership.supporting_members.all()),
        "outcomes": _outcomes(partnership),
        "requests": requests,
        "commitments": [c for r in requests for c in r.commitments.all()],
        "projects": list(projects),
        "sources": list(partnership.sources.all()),
        "rendered_on": timezone.localdate(now),
        "site_url": settings.SITE_URL.rstrip("/"),
    }


def factsheet_html(partnership: Partnership, *, now=None) -> str:
    context = factsheet_context(partnership, now=now)
    return render_to_string("partnerships/factsheet.html", context)


def factsheet_pdf(partnership: Partnership, *, now=None) -> bytes:
    """The factsheet of ``partnership`` as it is now, as PDF bytes."""
    css = render_to_string("partnerships/factsheet.css")
    base = settings.SITE_URL.rstrip("/") + "/"
    return render_pdf(factsheet_html(partnership, now=now), base_url=base, stylesheets=[css])


# --- Requests and renders ---------------------------------------------------------------


def factsheet_render(*, factsheet_id: int) -> str:
    """Render factsheet ``factsheet_id`` and store its PDF. Returns what happened."""
    factsheet = Factsheet.objects.select_related("partnership").filter(pk=factsheet_id).first()
    if factsheet is None:
        logger.info("Factsheet %s is gone; nothing to do", factsheet_id)
        return "gone"
    if factsheet.status == Status.RENDERED:
        return "already rendered"  # a duplicate delivery
    try:
        pdf = factsheet_pdf(factsheet.partnership)
    except TRANSIENT_RENDER_ERRORS:
        raise  # the job retries; the row stays queued
    except Exception as exc:
        Factsheet.objects.filter(pk=factsheet.pk).update(
            status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:5000]
        )
        raise
    _store(factsheet, pdf)
    return "rendered"


def _store(factsheet: Factsheet, pdf: bytes) -> None:
    """The file and the row saying it is rendered, or neither."""
    code = factsheet.partnership.country.code.lower()
    name = f"factsheet-{code}-{secrets.token_hex(12)}.pdf"
    stored = None
    try:
        with transaction.atomic():
            factsheet.pdf.save(name, ContentFile(pdf), save=False)
            stored = factsheet.pdf.name
            factsheet.status = Status.RENDERED
            factsheet.rendered_at = timezone.now()
            factsheet.error = ""
            factsheet.save(update_fields=["pdf", "status", "rendered_at", "error"])
    except BaseException:
        if stored:
            factsheet.pdf.storage.delete(stored)
        raise


def factsheet_job_lost(sender, *, job, **kwargs) -> None:
    """``leadit.jobs.job_lost``: the sweep gave up on a render whose worker vanished (the
    hard time limit, the OOM killer), so its factsheet failed too and staff can ask again."""
    if job.task_name != "partnerships.render_factsheet":
        return
    Factsheet.objects.filter(pk=job.arguments.get("factsheet_id"), status=Status.QUEUED).update(
        status=Status.FAILED, error=WORKER_LOST_MESSAGE
    )


def register() -> None:
    from leadit.jobs import job_lost

    job_lost.connect(factsheet_job_lost, dispatch_uid="partnerships-factsheet-lost")


def latest_factsheet(partnership: Partnership) -> Factsheet | None:
    return (
        Factsheet.objects.filter(partnership=partnership, status=Status.RENDERED)
        .order_by("-rendered_at")
        .first()
    )
