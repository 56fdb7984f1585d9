"""Innovation programmes /technology/programmes/ with their open calls, one programme
/technology/programmes/<slug>/ with its calls, and the calls' deadlines as an iCalendar
feed /technology/calls.ics.

Whether a call is open depends on the day, so these pages expire every 15 minutes on top
of the page cache's invalidation on change."""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from leadit.cache import cache_public_page

from ..models import CallForProposals
from ..selectors.programmes import (
    feed_calls,
    programme_calls,
    programme_detail_queryset,
)
from ..selectors.programmes import (
    programme_list as read_programme_list,
)
from ..signals import PAGES_NAMESPACE

# Whether a call is open today changes at midnight.
PROGRAMME_PAGE_TIMEOUT = 15 * 60
PRODUCT_ID = "-//LeadIT//Technology calls for proposals//EN"
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


@cache_public_page(PAGES_NAMESPACE, timeout=PROGRAMME_PAGE_TIMEOUT)
def programme_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {"programmes": read_programme_list(today=today), "today": today}
    return render(request, "technology/programme_list.html", context)


@cache_public_page(PAGES_NAMESPACE, timeout=PROGRAMME_PAGE_TIMEOUT)
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(programme_detail_queryset(), slug=slug)
    today = timezone.localdate()
    context = {
        "programme": programme,
        "calls": programme_calls(programme, today=today),
        "today": today,
    }
    return render(request, "technology/programme_detail.html", context)


@cache_public_page(PAGES_NAMESPACE, timeout=PROGRAMME_PAGE_TIMEOUT)
def calls_ics(request: HttpRequest) -> HttpResponse:
    body = calls_calendar(
        calls=feed_calls(today=timezone.localdate()), absolute_url=request.build_absolute_uri
    )
    response = HttpResponse(body, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="leadit-calls-for-proposals.ics"'
    return response


def _uid_host() -> str:
    """The host part of every UID: the portal's own, so a UID does not change with the
    address a request came in through."""
    return urlsplit(settings.SITE_URL).hostname or "leadit.example"


def calls_calendar(
    *,
    calls: Iterable[CallForProposals],
    absolute_url: Callable[[str], str],
    now: datetime | None = None,
) -> bytes:
    """A VCALENDAR (RFC 5545) with one all-day VEVENT per call deadline, as UTF-8 bytes.
    The ``icalendar`` package escapes TEXT values (commas, semicolons, backslashes, new
    lines), folds lines at 75 octets and ends them with CRLF."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "LeadIT: deadlines of calls for proposals")
    for call in calls:
        programme_url = absolute_url(call.programme.get_absolute_url())
        entry = CalendarEvent()
        entry.add("uid", f"technology-call-{call.pk}@{_uid_host()}")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", call.deadline)  # a date: DTSTART;VALUE=DATE, all day
        entry.add("dtend", call.deadline + timedelta(days=1))
        entry.add("summary", f"Deadline: {call.title} ({call.programme.name})")
        entry.add("url", call.url or programme_url)
        entry.add("description", _description(call, programme_url))
        entry.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        if call.updated_at:
            entry.add("last-modified", call.updated_at.astimezone(UTC).replace(microsecond=0))
        calendar.add_component(entry)
    return calendar.to_ical()


def _description(call: CallForProposals, programme_url: str) -> str:
    parts = [f"Call for proposals of {call.programme.name}, run by {call.programme.run_by}."]
    if call.opens_on:
        parts.append(f"Opens on {call.opens_on:%d %B %Y}.")
    if call.url:
        parts.append(f"Apply: {call.url}")
    parts.append(f"On the LeadIT portal: {programme_url}")
    if call.is_demo:
        parts.append("Demo record (invented).")
    return "\n".join(parts)
