"""Reads of the events app for other pages: the staff dashboard's next document deadlines
and the home page's next public events."""

from datetime import datetime, timedelta

from .models import Event
from .services import (
    REMINDER_DAYS_OVERDUE,
    DocumentDeadline,
    document_deadlines,
    events_with_deadlines_between,
)

DEADLINE_HORIZON = timedelta(days=400)


def next_deadlines(*, now: datetime, limit: int = 10) -> list[DocumentDeadline]:
    """Agendas and minutes still missing: the late ones (up to 30 days overdue) first in
    due order, then the coming ones, at most ``limit``."""
    deadlines = [
        deadline
        for event in events_with_deadlines_between(
            start=now - timedelta(days=REMINDER_DAYS_OVERDUE), end=now + DEADLINE_HORIZON
        )
        for deadline in document_deadlines(event=event, now=now)
        if deadline.state != "done"
        and now - timedelta(days=REMINDER_DAYS_OVERDUE) <= deadline.due <= now + DEADLINE_HORIZON
    ]
    deadlines.sort(key=lambda d: (d.due, d.event.pk, d.kind))
    return deadlines[:limit]


def next_public_events(*, now: datetime, limit: int = 3) -> list[Event]:
    """Public events not yet over, soonest first."""
    return list(
        Event.objects.filter(visibility=Event.Visibility.PUBLIC, end__gte=now)
        .select_related("kind")
        .order_by("start")[:limit]
    )
