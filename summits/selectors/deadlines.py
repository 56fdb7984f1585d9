"""The agenda and minutes deadlines of events whose kind requires documents: each done (a
document of that kind exists), due or late; the reminders (``summits.notifications``), the
event page and the staff dashboard read them here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.db.models import Max, QuerySet

from ..models import Event, EventDocument, EventKind

REMINDER_DAYS_AHEAD = 3
REMINDER_DAYS_OVERDUE = 30
DEADLINE_HORIZON = timedelta(days=400)
DEADLINE_KINDS = (EventDocument.Kind.AGENDA, EventDocument.Kind.MINUTES)

DeadlineState = Literal["done", "due", "late"]
STATE_LABELS = {"done": "Done", "due": "Due", "late": "Late"}


@dataclass(frozen=True)
class DocumentDeadline:
    event: Event
    kind: str  # "agenda" or "minutes"
    due: datetime  # aware, UTC
    state: DeadlineState
    document: EventDocument | None = None

    @property
    def label(self) -> str:
        return EventDocument.Kind(self.kind).label

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def due_local(self) -> datetime:
        """The due time on the event's own wall clock."""
        return self.event.local(self.due)


def document_deadlines(*, event: Event, now: datetime) -> list[DocumentDeadline]:
    """The agenda and minutes deadlines of ``event`` (none unless its kind requires
    documents), each done (a document of that kind exists), late (past due, missing) or due.
    Uses ``event.documents`` prefetched when it is."""
    if not event.kind.requires_documents:
        return []
    documents: dict[str, EventDocument] = {}
    for document in event.documents.all():
        documents.setdefault(document.kind, document)
    result = []
    for kind, due in (
        (EventDocument.Kind.AGENDA, event.agenda_due),
        (EventDocument.Kind.MINUTES, event.minutes_due),
    ):
        document = documents.get(kind)
        if document is not None:
            state: DeadlineState = "done"
        elif now > due:
            state = "late"
        else:
            state = "due"
        result.append(
            DocumentDeadline(event=event, kind=str(kind), due=due, state=state, document=document)
        )
    return result


def events_with_deadlines_between(*, start: datetime, end: datetime) -> QuerySet[Event]:
    """Events whose agenda or minutes may fall due between ``start`` and ``end`` (a coarse
    database filter; ``document_deadlines`` decides), documents prefetched."""
    longest = EventKind.objects.filter(requires_documents=True).aggregate(
        before=Max("agenda_days_before"), after=Max("minutes_days_after")
    )
    before = timedelta(days=(longest["before"] or 0) + 1)
    after = timedelta(days=(longest["after"] or 0) + 1)
    return (
        Event.objects.filter(
            kind__requires_documents=True, start__lte=end + before, end__gte=start - after
        )
        .select_related("kind", "responsible")
        .prefetch_related("documents")
        .order_by("start")
    )


def missing_deadlines_between(*, start: datetime, end: datetime, now: datetime):
    """Each agenda or minutes not yet added whose due time falls between ``start`` and
    ``end``, event by event in start order."""
    for event in events_with_deadlines_between(start=start, end=end):
        for deadline in document_deadlines(event=event, now=now):
            if deadline.state != "done" and start <= deadline.due <= end:
                yield deadline


def next_deadlines(*, now: datetime, limit: int = 10) -> list[DocumentDeadline]:
    """Agendas and minutes still missing: the late ones (up to 30 days overdue) first in
    due order, then the coming ones, at most ``limit``."""
    deadlines = list(
        missing_deadlines_between(
            start=now - timedelta(days=REMINDER_DAYS_OVERDUE), end=now + DEADLINE_HORIZON, now=now
        )
    )
    deadlines.sort(key=lambda d: (d.due, d.event.pk, d.kind))
    return deadlines[:limit]
