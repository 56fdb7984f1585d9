"""The events pages: the list (/events/), an event, its documents and .ics, the feed of
public events, and the working groups. Every lookup goes through
``Event.objects.visible_to(user)``: an event the user may not see answers 404."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from leadit.access import log_refused
from leadit.cache import cache_public_page
from leadit.facets import list_url_without
from members.models import Member

from ..forms import RegistrationForm
from ..ical import CONTENT_TYPE, calendar_bytes
from ..models import Event, EventDocument, EventKind, Registration, WorkingGroup
from ..services import document_deadlines
from ..signals import NAMESPACE as PAGES_NAMESPACE
from ..signals import PAGE_SECONDS

Visibility = Event.Visibility


def document_visibilities(user) -> set[str]:
    """The document visibilities a user may see: the same rule as for events."""
    if user.is_authenticated and user.is_staff:
        return {Visibility.PUBLIC, Visibility.MEMBERS, Visibility.STAFF}
    if user.is_authenticated and user.member_roles.exists():
        return {Visibility.PUBLIC, Visibility.MEMBERS}
    return {Visibility.PUBLIC}


def _visible_event(request: HttpRequest, slug: str) -> Event:
    """The event, if this user may see it; else 404 (logged when it exists)."""
    try:
        return get_object_or_404(
            Event.objects.visible_to(request.user).select_related(
                "kind", "milestone", "working_group"
            ),
            slug=slug,
        )
    except Http404:
        if Event.objects.filter(slug=slug).exists():
            log_refused(request, "event", repr(slug), action="see")
        raise


# --- the list ---------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def event_list(request: HttpRequest) -> HttpResponse:
    """Upcoming events (soonest first) and past ones (newest first), filtered by kind
    (an EventKind slug) and year through the query string. Unknown values are ignored,
    with a note saying so."""
    visible = Event.objects.visible_to(request.user).select_related("kind")
    events = list(visible.only("id", "kind_id", "start"))  # for the counts of each choice
    kinds = {kind.slug: kind for kind in EventKind.objects.all()}

    ignored = []
    kind_value = request.GET.get("kind", "").strip()
    kind = kinds.get(kind_value)
    if kind_value and kind is None:
        ignored.append(("Kind", kind_value))
    year_value = request.GET.get("year", "").strip()
    year = int(year_value) if year_value.isdigit() and len(year_value) == 4 else None
    if year_value and year is None:
        ignored.append(("Year", year_value))

    # Each choice counts the events it would show with the other filter kept.
    kind_counts = Counter(e.kind_id for e in events if year is None or e.start.year == year)
    year_counts = Counter(e.start.year for e in events if kind is None or e.kind_id == kind.pk)
    kind_options = [
        Option(k.slug, k.name, kind_counts[k.pk], k == kind)
        for k in kinds.values()
        if kind_counts[k.pk] or k == kind
    ]
    years = sorted(set(year_counts) | ({year} if year else set()), reverse=True)
    year_options = [Option(str(y), str(y), year_counts[y], y == year) for y in years]

    selected = visible
    active = []
    if kind is not None:
        selected = selected.filter(kind=kind)
        active.append(
            {"label": "Kind", "value": kind.name, "remove_url": list_url_without(request, "kind")}
        )
    if year is not None:
        selected = selected.filter(start__year=year)
        active.append(
            {"label": "Year", "value": str(year), "remove_url": list_url_without(request, "year")}
        )
    now = timezone.now()
    upcoming = list(selected.filter(end__gte=now).order_by("start"))
    past = list(selected.filter(end__lt=now).order_by("-start"))
    context = {
        "upcoming": upcoming,
        "past": past,
        "total": len(upcoming) + len(past),
        "kind_options": kind_options,
        "year_options": year_options,
        "active_filters": active,
        "ignored_filters": ignored,
        "clear_url": request.path,
        "is_staff": request.user.is_staff,
    }
    return render(request, "summits/event_list.html", context)


# --- one event --------------------------------------------------------------------------


def _user_members(user):
    """The members this user edits through their own membership roles."""
    if not user.is_authenticated:
        return Member.objects.none()
    return Member.objects.filter(roles__user=user).order_by("name")


def registration_is_open(event: Event, now=None) -> bool:
    now = now or timezone.now()
    if event.end < now:
        return False
    return event.registration_deadline is None or now <= event.registration_deadline


def event_detail_context(request: HttpRequest, event: Event, form=None) -> dict:
    """Everything the event page shows to this user (also used to re-show the page with
    the registration form's errors)."""
    user = request.user
    now = timezone.now()
    is_staff = user.is_authenticated and user.is_staff
    documents = event.documents.filter(visibility__in=document_visibilities(user))
    members = _user_members(user)
    own_registrations = Registration.objects.none()
    if members:
        own_registrations = (
            event.registrations.filter(member__in=members, status=Registration.Status.REGISTERED)
            .select_related("member")
            .order_by("member__name", "name")
        )
    registered = is_staff or (
        user.is_authenticated
        and event.registrations.filter(
            member__roles__user=user, status=Registration.Status.REGISTERED
        ).exists()
    )
    active_count = event.registrations.filter(status=Registration.Status.REGISTERED).count()
    if form is None and members:
        form = RegistrationForm(members=members)
    context = {
        "event": event,
        "documents": documents,
        "hosts": event.host_members.public().order_by("name"),
        "announced": event.announced_members.public().order_by("name"),
        "show_online_link": bool(event.online_link) and registered,
        "registration_open": registration_is_open(event, now),
        "places_left": (
            max(event.capacity - active_count, 0) if event.capacity is not None else None
        ),
        "members": members,
        "own_registrations": own_registrations,
        "form": form,
        "is_staff": is_staff,
        "is_past": event.end < now,
    }
    if is_staff:
        context["deadlines"] = document_deadlines(event=event, now=now)
        context["all_registrations"] = (
            event.registrations.filter(status=Registration.Status.REGISTERED)
            .select_related("member")
            .order_by("member__name", "name")
        )
    return context


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _visible_event(request, slug)
    return render(request, "summits/event_detail.html", event_detail_context(request, event))


def event_document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The file (as an attachment) or the link of a document, if the user may see both the
    event and the document; otherwise 404."""
    event = _visible_event(request, slug)
    try:
        document = get_object_or_404(
            EventDocument, pk=pk, event=event, visibility__in=document_visibilities(request.user)
        )
    except Http404:
        if EventDocument.objects.filter(pk=pk, event=event).exists():
            log_refused(request, "event document", pk, action="download")
        raise
    if document.file:
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The file is missing.") from exc
        response = FileResponse(handle, as_attachment=True, filename=document.download_name)
        # Members-only files must not linger in shared caches.
        public = document.visibility == event.visibility == Visibility.PUBLIC
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
    events = Event.objects.filter(visibility=Visibility.PUBLIC).select_related("kind")
    return _ics_response(request, events.order_by("start"), "leadit-events.ics", "LeadIT events")


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = _visible_event(request, slug)
    return _ics_response(request, [event], f"{event.slug}.ics", event.title)


# --- working groups ---------------------------------------------------------------------


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def working_group_list(request: HttpRequest) -> HttpResponse:
    groups = WorkingGroup.objects.select_related("convenor").prefetch_related(
        Prefetch("members", queryset=Member.objects.public().order_by("name"))
    )
    return render(request, "summits/working_group_list.html", {"groups": groups})


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
def working_group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup.objects.select_related("convenor"), slug=slug)
    meetings = Event.objects.visible_to(request.user).filter(working_group=group)
    now = timezone.now()
    context = {
        "group": group,
        "members": group.members.public().order_by("name"),
        "upcoming": meetings.filter(end__gte=now).select_related("kind").order_by("start"),
        "past": meetings.filter(end__lt=now).select_related("kind").order_by("-start"),
    }
    return render(request, "summits/working_group_detail.html", context)
