"""Asking for the milestone report's PDF: the request row and its render job, in one
transaction (the job is sent after commit)."""

from django.db import transaction

from leadit.jobs import job_enqueue

from .models import Milestone, MilestoneReport
from .tasks_milestones import render_milestone_report


def milestone_report_request(*, milestone: Milestone, user) -> tuple[MilestoneReport, bool]:
    """A new queued request for ``milestone``'s PDF and its render job; or, while an earlier
    request is still queued, that one (a second click does not render twice). Returns the
    request and whether it is new."""
    with transaction.atomic():
        # Locks the milestone so that two clicks at once queue one render.
        Milestone.objects.select_for_update().filter(pk=milestone.pk).first()
        pending = (
            MilestoneReport.objects.filter(
                milestone=milestone, status=MilestoneReport.Status.QUEUED
            )
            .order_by("-requested_at")
            .first()
        )
        if pending is not None:
            return pending, False
        report = MilestoneReport.objects.create(
            milestone=milestone, requested_by=user if getattr(user, "pk", None) else None
        )
        job_enqueue(
            task=render_milestone_report,
            description=f"Progress report for {milestone}",
            report_id=report.pk,
        )
    return report, True
