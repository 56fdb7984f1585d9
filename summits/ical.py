"""iCalendar (RFC 5545) for events: the public feed and one event's .ics.

Built with the ``icalendar`` package, which escapes TEXT values (commas, semicolons,
backslashes, new lines), folds long lines at 75 octets and ends lines with CRLF. Times are
given in UTC (``...Z``), which every calendar reads without a VTIMEZONE; the event's own
time zone is named in the description.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .models import Event

PRODUCT_ID = "-//LeadIT//Events//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def uid_host() -> str:
    """The host part of every UID: the portal's own, so UIDs do not change with the
    address a request came in through."""
    return urlsplit(settings.SITE_URL).hostname or "leadit.example"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{uid_host()}"


def _description(event: Event) -> str:
    parts = [event.description.strip()] if event.description.strip() else []
    parts.append(f"Time zone of the event: {event.time_zone}.")
    parts.append(f"Format: {event.get_format_display()}.")
    return "\n\n".join(parts)


def calendar_bytes(
    *,
    events: Iterable[Event],
    absolute_url: Callable[[str], str],
    name: str = "LeadIT events",
    now: datetime | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT per event, as UTF-8 bytes. ``absolute_url`` turns a
    path into a full URL (``request.build_absolute_uri``)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", " ".join(name.split()))
    for event in events:
        entry = CalendarEvent()
        entry.add("uid", event_uid(event))
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.start.astimezone(UTC))
        entry.add("dtend", event.end.astimezone(UTC))
        entry.add("summary", event.title)
        if event.location:
            entry.add("location", event.location)
        entry.add("description", _description(event))
        entry.add("url", absolute_url(event.get_absolute_url()))
        if event.updated_at:
            entry.add("last-modified", event.updated_at.astimezone(UTC).replace(microsecond=0))
        calendar.add_component(entry)
    return calendar.to_ical()
