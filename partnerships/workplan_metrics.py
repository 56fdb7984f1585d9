"""The workplan's partnership metrics: requests that gained agreed support, US dollars
committed and projects past financial close, each within a workplan's period.

workplan is a higher layer than partnerships, so partnerships never imports it: this module
only computes, and ``workplan/metrics.py`` registers :data:`METRICS` as it registers the
other lower apps' metrics. Public, real records only: members' and secretariat records and
invented demo records never count. A committed amount with no US dollar value (no rate for
its currency) makes the total "not recorded" rather than too small."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Min, Q, Sum

from .home import COMMITTED, PAST_FID
from .models import PipelineProject, SupportCommitment


class Period(Protocol):
    period_start: date
    period_end: date


def _committed_in(period: Period):
    return SupportCommitment.objects.visible_to(AnonymousUser()).filter(
        is_demo=False,
        request__is_demo=False,
        status__in=COMMITTED,
        agreed_on__gte=period.period_start,
        agreed_on__lte=period.period_end,
    )


def requests_supported(period: Period, options: dict) -> int:
    """Requests with a commitment agreed in the period (delivered ones included)."""
    return _committed_in(period).values("request").distinct().count()


def usd_committed(period: Period, options: dict) -> Decimal | None:
    """US dollars of the commitments agreed in the period; None (not recorded) when one of
    them has an amount the secretariat has no rate for."""
    totals = _committed_in(period).aggregate(
        usd=Sum("amount_usd"),
        unconverted=Count("pk", filter=Q(amount__isnull=False, amount_usd__isnull=True)),
    )
    if totals["unconverted"]:
        return None
    return totals["usd"] or Decimal(0)


def projects_past_fid(period: Period, options: dict) -> int:
    """Projects whose first step to financial close or beyond is dated in the period."""
    return (
        PipelineProject.objects.visible_to(AnonymousUser())
        .filter(is_demo=False)
        .annotate(
            first_past_fid=Min(
                "stage_changes__changed_on", filter=Q(stage_changes__stage__in=PAST_FID)
            )
        )
        .filter(first_past_fid__gte=period.period_start, first_past_fid__lte=period.period_end)
        .count()
    )


# (key, label, compute): what workplan/metrics.py registers.
METRICS: list[tuple[str, str, Callable[[Period, dict], int | Decimal | None]]] = [
    ("partnership_requests_supported", "Partnership requests that gained agreed support in the period", requests_supported),
    ("partnership_usd_committed", "US dollars committed to partnership requests in the period", usd_committed),
    ("partnership_projects_past_fid", "Pipeline projects that reached financial close in the period", projects_past_fid),
]  # fmt: skip
