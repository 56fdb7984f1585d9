"""Reads both the solution page and the technology page make: the roadmaps whose levers call
for a technology, and the partnerships' open needs that ask for it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from partnerships.models import SupportKind, SupportRequest
from tracker.models import Roadmap, RoadmapLever, Technology

# Needs still waiting for (more) support: the ones a solution's provider could answer.
OPEN_NEED_STATUSES = (SupportRequest.Status.OPEN, SupportRequest.Status.PARTLY_SUPPORTED)


@dataclass
class RoadmapCall:
    """A current roadmap and its levers that call for the technology."""

    roadmap: Roadmap
    levers: list[RoadmapLever] = field(default_factory=list)


def roadmap_calls(technology: Technology) -> list[RoadmapCall]:
    """Current roadmaps (as the tracker lists them: superseded ones left out) with their
    levers that call for ``technology``, in one query."""
    levers = (
        RoadmapLever.objects.filter(technologies=technology, roadmap__in=Roadmap.objects.current())
        .select_related("roadmap", "roadmap__region")
        .order_by("roadmap__title", "roadmap_id", "lever", "milestone_year", "pk")
    )
    calls: dict[int, RoadmapCall] = {}
    for lever in levers:
        calls.setdefault(lever.roadmap_id, RoadmapCall(lever.roadmap)).levers.append(lever)
    return list(calls.values())


def open_needs_for(technology: Technology, *, user) -> QuerySet[SupportRequest]:
    """The partnerships' technology needs ``user`` may see that ask for ``technology`` and
    are still open or partly supported."""
    return SupportRequest.objects.visible_to(user).filter(
        kind=SupportKind.TECHNOLOGY, status__in=OPEN_NEED_STATUSES, technologies=technology
    )
