"""The "Progress report for <milestone>" PDF the secretariat takes to the summit: who
reported, with their updates, who has not, the counts by pillar and commitment status.

Rendering is a pure function returning bytes (:func:`milestone_report_pdf`, on the
portal's one restricted renderer ``leadit.pdf``); the task stores them on the
``MilestoneReport`` row under an unguessable name, and the public page links the latest
one (``members:milestone_pdf``). The report is public, like the page it copies."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from leadit.jobs import WORKER_LOST_MESSAGE
from leadit.markdown import render_markdown
from leadit.page_signals import pages_stale
from leadit.pdf import render_pdf

from .milestone_charts import report_figures
from .models import Milestone, MilestoneReport
from .selectors_milestones import milestone_report

logger = logging.getLogger(__name__)

RENDER_TASK_NAME = "members.render_milestone_report"
# Worth another try with backoff: the database or a network file store went away for a
# moment. A failure of the rendering itself fails the same way again.
TRANSIENT_RENDER_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# The public milestone pages show the latest PDF: cached under the members' namespace.
PAGES_NAMESPACE = "members"
Status = MilestoneReport.Status


def download_filename(milestone: Milestone) -> str:
    return f"leadit-progress-report-{milestone.slug}.pdf"


def milestone_report_html(milestone: Milestone, *, now=None) -> str:
    report = milestone_report(milestone, today=timezone.localdate(now))
    site_url = settings.SITE_URL.rstrip("/")
    context = {
        "report": report,
        "milestone": milestone,
        "what_is_due": render_markdown(milestone.description) if milestone.description else "",
        "figures": report_figures(report),
        "rendered_on": timezone.localdate(now),
        "site_url": site_url,
        "page_url": site_url + milestone.get_absolute_url(),
    }
    return render_to_string("members/pdf/milestone_report.html", context)


def milestone_report_pdf(milestone: Milestone, *, now=None) -> bytes:
    """The milestone report as it is now, as PDF bytes."""
    css = render_to_string("members/pdf/milestone_report.css")
    base = settings.SITE_URL.rstrip("/") + "/"
    return render_pdf(milestone_report_html(milestone, now=now), base_url=base, stylesheets=[css])


# --- Renders -----------------------------------------------------------------------------


def milestone_report_render(*, report_id: int) -> str:
    """Render the PDF of request ``report_id`` and store it. Returns what happened."""
    report = MilestoneReport.objects.select_related("milestone").filter(pk=report_id).first()
    if report is None:
        logger.info("Milestone report %s is gone; nothing to do", report_id)
        return "gone"
    if report.status == Status.RENDERED:
        return "already rendered"  # a duplicate delivery
    try:
        pdf = milestone_report_pdf(report.milestone)
    except TRANSIENT_RENDER_ERRORS:
        raise  # the job retries; the row stays queued
    except Exception as exc:
        milestone_report_fail(report_id=report.pk, error=f"{type(exc).__name__}: {exc}")
        raise
    _store(report, pdf)
    return "rendered"


def milestone_report_fail(*, report_id: int, error: str) -> None:
    """The request failed: staff see it on the report page and can ask again."""
    MilestoneReport.objects.filter(pk=report_id, status=Status.QUEUED).update(
        status=Status.FAILED, error=error[:5000]
    )


def _store(report: MilestoneReport, pdf: bytes) -> None:
    """The file and the row saying it is rendered, or neither; then the public page, which
    links the latest PDF, goes stale."""
    name = f"progress-report-{report.milestone.slug}-{secrets.token_hex(12)}.pdf"
    stored = None
    try:
        with transaction.atomic():
            report.pdf.save(name, ContentFile(pdf), save=False)
            stored = report.pdf.name
            report.status = Status.RENDERED
            report.rendered_at = timezone.now()
            report.error = ""
            report.save(update_fields=["pdf", "status", "rendered_at", "error"])
            pages_stale(PAGES_NAMESPACE)
    except BaseException:
        if stored:
            report.pdf.storage.delete(stored)
        raise


def milestone_report_job_lost(sender, *, job, **kwargs) -> None:
    """``leadit.jobs.job_lost``: the sweep gave up on a render whose worker vanished (the
    hard time limit, the OOM killer), so its request failed too, not stuck "queued"."""
    if job.task_name != RENDER_TASK_NAME:
        return
    milestone_report_fail(report_id=job.arguments.get("report_id"), error=WORKER_LOST_MESSAGE)


def register() -> None:
    from leadit.jobs import job_lost

    job_lost.connect(milestone_report_job_lost, dispatch_uid="members-milestone-report-lost")


# --- Reads for the pages -----------------------------------------------------------------


def latest_rendered(milestone: Milestone) -> MilestoneReport | None:
    """The PDF the public page links and ``report.pdf`` serves."""
    return (
        MilestoneReport.objects.filter(milestone=milestone, status=Status.RENDERED)
        .exclude(pdf="")
        .order_by("-rendered_at", "-pk")
        .first()
    )


def latest_request(milestone: Milestone) -> MilestoneReport | None:
    """Staff's latest request, whatever its state (queued, rendered, failed)."""
    return (
        MilestoneReport.objects.filter(milestone=milestone).order_by("-requested_at", "-pk").first()
    )
