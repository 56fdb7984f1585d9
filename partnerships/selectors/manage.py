"""What a focal point's pages read: one partnership's requests, plan and projects."""

from django.db.models import Count, Prefetch, Q

from ..models import OutcomeMeasurement, Partnership, SupportCommitment


def partnership_workbench(partnership: Partnership) -> dict:
    """The requests (with their live commitments counted), the plan's outcomes (with their
    measurements, newest first) and the pipeline projects of ``partnership``."""
    live = ~Q(commitments__status=SupportCommitment.Status.DECLINED) & Q(commitments__isnull=False)
    requests = (
        partnership.support_requests.annotate(live_commitments=Count("commitments", filter=live))
        .prefetch_related("sectors")
        .order_by("status", "-created_at")
    )
    outcomes = partnership.outcomes.prefetch_related(
        Prefetch("measurements", queryset=OutcomeMeasurement.objects.order_by("-measured_on"))
    )
    projects = partnership.pipeline_projects.select_related("sector").order_by("name")
    return {
        "requests": list(requests),
        "outcomes": list(outcomes),
        "projects": list(projects),
    }
