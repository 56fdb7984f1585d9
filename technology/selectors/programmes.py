"""Reads for the innovation programmes /technology/programmes/, one programme with its
calls, and the calendar of call deadlines /technology/calls.ics. Programmes and calls are
public records (the secretariat keeps them from the programmes' own announcements).

Each read runs a constant number of queries whatever the number of programmes and calls."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from ..models import CallForProposals, InnovationProgramme

# The calendar keeps a year of past deadlines: a subscriber sees what closed recently, and
# the feed does not grow for ever.
FEED_PAST_DAYS = 365


def programme_list(*, today: datetime.date) -> QuerySet[InnovationProgramme]:
    """Every programme with who runs it, its sectors and technologies, and its calls open
    on ``today`` (``open_calls``, soonest deadline first)."""
    open_calls = CallForProposals.objects.open_on(today).order_by("deadline", "title")
    return InnovationProgramme.objects.select_related("member").prefetch_related(
        "sectors",
        "technologies",
        Prefetch("calls", queryset=open_calls, to_attr="open_calls"),
    )


def programme_detail_queryset() -> QuerySet[InnovationProgramme]:
    return InnovationProgramme.objects.select_related("member").prefetch_related(
        "sectors", "technologies"
    )


@dataclass(frozen=True)
class ProgrammeCalls:
    open: list[CallForProposals]  # open today, soonest deadline first
    upcoming: list[CallForProposals]  # opening later
    closed: list[CallForProposals]  # deadline passed, latest first


def programme_calls(programme: InnovationProgramme, *, today: datetime.date) -> ProgrammeCalls:
    """The calls of ``programme`` as of ``today``: open, opening later, and closed."""
    calls = list(programme.calls.order_by("deadline", "title"))
    return ProgrammeCalls(
        open=[call for call in calls if _is_open(call, today)],
        upcoming=[call for call in calls if call.opens_on and call.opens_on > today],
        closed=[call for call in reversed(calls) if call.deadline < today],
    )


def _is_open(call: CallForProposals, today: datetime.date) -> bool:
    # The same rule as ``CallForProposals.objects.open_on``.
    return (call.opens_on is None or call.opens_on <= today) and call.deadline >= today


def feed_calls(*, today: datetime.date) -> QuerySet[CallForProposals]:
    """The calls in the calendar: every deadline from a year ago on, with its programme."""
    since = today - datetime.timedelta(days=FEED_PAST_DAYS)
    return (
        CallForProposals.objects.filter(deadline__gte=since)
        .select_related("programme")
        .order_by("deadline", "pk")
    )
