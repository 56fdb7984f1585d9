"""The workplan's technology metrics (LeadIT 2.0, pillar 2): solutions listed, introductions
accepted and co-development projects active, each within a workplan's period.

workplan is a higher layer than technology, so technology never imports it: this module
only computes, and ``workplan/metrics.py`` registers :data:`METRICS` as it registers the
other lower apps' metrics. Public, real records only: members' and secretariat records and
invented demo records never count (an introduction has no visibility of its own: it counts
unless its solution or need is a demo record)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from .models import CoDevelopmentProject, Introduction, TechnologySolution

# A project counts as active in a period if it was under way then: planned ones have not
# started, and a stopped one's last active day is not recorded.
WORKED_ON = (CoDevelopmentProject.Status.ACTIVE, CoDevelopmentProject.Status.COMPLETED)


class Period(Protocol):
    period_start: date
    period_end: date


def solutions_listed(period: Period, options: dict) -> int:
    """Public solutions added to the catalogue in the period."""
    return (
        TechnologySolution.objects.visible_to(AnonymousUser())
        .filter(
            is_demo=False,
            created_at__date__gte=period.period_start,
            created_at__date__lte=period.period_end,
        )
        .count()
    )


def introductions_accepted(period: Period, options: dict) -> int:
    """Introductions the other side accepted in the period (contacts shared)."""
    return (
        Introduction.objects.filter(
            status=Introduction.Status.ACCEPTED,
            answered_at__date__gte=period.period_start,
            answered_at__date__lte=period.period_end,
        )
        .exclude(solution__is_demo=True)
        .exclude(need__is_demo=True)
        .count()
    )


def codevelopment_projects_active(period: Period, options: dict) -> int:
    """Public projects under way at some time in the period: started by its end, not ended
    before its start, and active or completed (not planned, not stopped)."""
    return (
        CoDevelopmentProject.objects.visible_to(AnonymousUser())
        .filter(is_demo=False, status__in=WORKED_ON, starts_on__lte=period.period_end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.period_start))
        .count()
    )


# (key, label, compute): what workplan/metrics.py registers.
METRICS: list[tuple[str, str, Callable[[Period, dict], int]]] = [
    ("technology_solutions_listed", "Technology solutions listed in the period", solutions_listed),
    ("technology_introductions_accepted", "Technology introductions accepted in the period", introductions_accepted),
    ("technology_codev_active", "Co-development projects active in the period", codevelopment_projects_active),
]  # fmt: skip
