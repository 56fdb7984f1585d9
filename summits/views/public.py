"""The events pages: the list (/events/), an event, its documents and .ics, the feed of
public events, and the working groups. Reads come from ``summits.selectors``; every event
and document is found among those the user may see (``leadit.access.permitted_or_404``),
so one the user may not see answers 404."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from leadit.access import permitted_or_404
from leadit.cache import cache_public_page
from leadit.facets import list_url_without

from ..forms import RegistrationForm
from ..ical import CONTENT_TYPE, calendar_bytes
from ..models import Event, EventDocument, WorkingGroup
from ..selectors.events import (
    event_list_load,
    event_page_load,
    events_visible_to,
    public_events,
    working_group_page_load,
    working_groups_load,
)
from ..signals import NAMESPACE as PAGES_NAMESPACE
from ..signals import PAGE_SECONDS


def visible_event(request: HttpRequest, slug: str) -> Event:
    """The event, if this user may see it; else 404 (logged when it exists)."""
    return permitted_or_404(
        request,
        events_visible_to(user=request.user),
        what="event",
        identifier=repr(slug),
        action="see",
        slug=slug,
    )


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def event_list(request: HttpRequest) -> HttpResponse:
    """Upcoming and past events, filtered by kind (an EventKind slug) and year through the
    query string. Unknown values are ignored, with a note saying so."""
    page = event_list_load(
        user=request.user,
        kind_value=request.GET.get("kind", "").strip(),
        year_value=request.GET.get("year", "").strip(),
        now=timezone.now(),
    )
    active = []
    if page.kind is not None:
        active.append(
            {
                "label": "Kind",
                "value": page.kind.name,
                "remove_url": list_url_without(request, "kind"),
            }
        )
    if page.year is not None:
        active.append(
            {
                "label": "Year",
                "value": str(page.year),
                "remove_url": list_url_without(request, "year"),
            }
        )
    context = {
        "upcoming": page.upcoming,
        "past": page.past,
        "total": len(page.upcoming) + len(page.past),
        "kind_options": page.kind_options,
        "year_options": page.year_options,
        "active_filters": active,
        "ignored_filters": page.ignored,
        "clear_url": request.path,
        "is_staff": request.user.is_staff,
    }
    return render(request, "summits/event_list.html", context)


def render_event_page(request: HttpRequest, event: Event, form=None) -> HttpResponse:
    """The event page as this user sees it; ``form``: the registration form with its
    errors, when re-shown."""
    context = event_page_load(event=event, user=request.user, now=timezone.now())
    if form is None and context["members"]:
        form = RegistrationForm(members=context["members"])
    context["form"] = form
    return render(request, "summits/event_detail.html", context)


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_event_page(request, visible_event(request, slug))


def event_document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The file (as an attachment) or the link of a document, if the user may see both the
    event and the document; otherwise 404."""
    event = visible_event(request, slug)
    document = permitted_or_404(
        request,
        EventDocument.objects.visible_to(request.user),
        what="event document",
        identifier=pk,
        action="download",
        pk=pk,
        event=event,
    )
    if document.file:
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The file is missing.") from exc
        response = FileResponse(handle, as_attachment=True, filename=document.download_name)
        # Members-only files must not linger in shared caches.
        public = document.visibility == event.visibility == Event.Visibility.PUBLIC
        if not public:
            patch_cache_control(response, private=True, no_store=True)
        return response
    return redirect(document.link)


# --- iCalendar --------------------------------------------------------------------------


def _ics_response(request: HttpRequest, events, filename: str, name: str) -> HttpResponse:
    body = calendar_bytes(events=events, absolute_url=request.build_absolute_uri, name=name)
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """Public events only, whoever asks: a feed URL is shared and subscribed to."""
    events = public_events().order_by("start")
    return _ics_response(request, events, "leadit-events.ics", "LeadIT events")


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    return _ics_response(request, [event], f"{event.slug}.ics", event.title)


# --- working groups ---------------------------------------------------------------------


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def working_group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "summits/working_group_list.html", {"groups": working_groups_load()})


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def working_group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup.objects.select_related("convenor"), slug=slug)
    context = working_group_page_load(group=group, user=request.user, now=timezone.now())
    return render(request, "summits/working_group_detail.html", context)
