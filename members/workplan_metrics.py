"""The workplan's members-reporting metrics: how many active members published an update
for the last milestone of a workplan's period, and what share of the members due to report
that is (LeadIT 2.0's commitment to "report progress at key milestones").

workplan is a higher layer than members, so members never imports it: this module only
computes, and ``workplan/metrics.py`` registers :data:`METRICS` as it registers the other
lower apps' metrics. The last milestone is the latest one dated in the period and not
after today; with none, both metrics are not recorded (None), never 0. Real records only:
invented demo members and updates never count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.utils import timezone

from .gca import MilestoneReporting, latest_milestone_reporting


class Period(Protocol):
    period_start: date
    period_end: date


def last_milestone_reporting(
    period: Period, *, today: date | None = None
) -> MilestoneReporting | None:
    """Who reported for the latest milestone of the period that has taken place (real
    records only); None if there is none. One query."""
    today = today or timezone.localdate()
    return latest_milestone_reporting(
        min(today, period.period_end), since=period.period_start, real_only=True
    )


def members_reporting(period: Period, options: dict) -> int | None:
    """Active members due to report that published an update for the last milestone."""
    reporting = last_milestone_reporting(period)
    return None if reporting is None else reporting.due_reported


def members_reporting_share(period: Period, options: dict) -> Decimal | None:
    """That count as a percentage of the active members due to report (one decimal);
    not recorded when there is no milestone or no member was due."""
    reporting = last_milestone_reporting(period)
    if reporting is None or not reporting.due:
        return None
    share = Decimal(100 * reporting.due_reported) / Decimal(reporting.due)
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# (key, label, compute): what workplan/metrics.py registers.
METRICS: list[tuple[str, str, Callable[[Period, dict], int | Decimal | None]]] = [
    ("members_reporting", "Members reporting at the last milestone", members_reporting),
    ("members_reporting_share", "Share of members reporting at the last milestone (%)", members_reporting_share),
]  # fmt: skip
