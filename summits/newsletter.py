"""The newsletter's events sections and its "new members and announcements" (summits sees
both members and the events that announced them), registered in ``SummitsConfig.ready()``
through ``leadit.newsletter_sections``."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from leadit.newsletter_sections import (
    NewsItem,
    Quarter,
    day,
    days,
    excerpt,
    paragraphs,
    register_newsletter_section,
)
from members.models import Member

from .models import Event


def new_members(quarter: Quarter) -> list[NewsItem]:
    """Members who joined in the quarter, and members announced at a public event held in
    it. Three queries."""
    announcements = Event.objects.filter(
        visibility=Event.Visibility.PUBLIC,
        start__date__gte=quarter.start,
        start__date__lte=quarter.end,
    ).order_by("start", "pk")
    members = (
        Member.objects.public()
        .filter(
            Q(joined_on__gte=quarter.start, joined_on__lte=quarter.end)
            | Q(pk__in=announcements.values("announced_members"))
        )
        .prefetch_related(
            "sectors",
            Prefetch("announced_at_events", queryset=announcements, to_attr="announced_in_quarter"),
        )
        .order_by(F("joined_on").asc(nulls_last=True), "name")
    )
    return [_member_item(member, quarter) for member in members]


def _member_item(member: Member, quarter: Quarter) -> NewsItem:
    announced = member.announced_in_quarter
    if member.kind == Member.Kind.COUNTRY:
        what = f"{member.name} joined LeadIT as a country member"
    else:
        sectors = ", ".join(sector.name.lower() for sector in member.sectors.all())
        what = f"{member.name} joined LeadIT as a company member" + (
            f" ({sectors})" if sectors else ""
        )
        if member.country:
            what += f", headquartered in {member.country.name}"
    in_quarter = member.joined_on and quarter.start <= member.joined_on <= quarter.end
    when = f" on {day(member.joined_on)}" if in_quarter else ""
    lines = [f"{what}{when}."]
    if announced:
        lines.append("Announced at " + " and ".join(e.title for e in announced) + ".")
    return NewsItem(
        title=member.name,
        text=paragraphs(" ".join(lines), excerpt(member.description)),
        url=member.get_absolute_url(),
        date=member.joined_on if in_quarter else timezone.localdate(announced[0].start),
        source=f"member:{member.pk}",
    )


def _event_item(event: Event) -> NewsItem:
    start, end = event.local(event.start), event.local(event.end)
    when = days(start.date(), end.date())
    where = event.location or event.get_format_display()
    if event.location and event.format != Event.Format.IN_PERSON:
        where += f" ({event.get_format_display().lower()})"
    return NewsItem(
        title=event.title,
        text=paragraphs(f"{event.kind.name} · {when} · {where}", excerpt(event.description)),
        url=event.get_absolute_url(),
        date=start.date(),
        source=f"event:{event.pk}",
    )


def public_events(quarter: Quarter) -> tuple[list[Event], list[Event]]:
    """Public events held in the quarter (over by now), and those still to come: of the
    quarter if it is not over, and of the next quarter. One query per assembly (shared by
    both sections and the workplan's progress)."""

    def read() -> tuple[list[Event], list[Event]]:
        events = (
            Event.objects.filter(
                visibility=Event.Visibility.PUBLIC,
                start__date__gte=quarter.start,
                start__date__lte=quarter.next_end,
            )
            .select_related("kind")
            .order_by("start", "pk")
        )
        held, coming = [], []
        for event in events:
            in_quarter = timezone.localdate(event.start) <= quarter.end
            (held if in_quarter and event.end <= quarter.now else coming).append(event)
        return held, coming

    return quarter.shared("summits.public_events", read)


def events_held(quarter: Quarter) -> list[NewsItem]:
    return [_event_item(event) for event in public_events(quarter)[0]]


def events_coming(quarter: Quarter) -> list[NewsItem]:
    return [_event_item(event) for event in public_events(quarter)[1]]


def register() -> None:
    def members_index(items: list[NewsItem]) -> str:
        return reverse("members:index")

    def events_index(items: list[NewsItem]) -> str:
        return reverse("summits:index")

    register_newsletter_section(
        key="new_members",
        title="New members and announcements",
        collect=new_members,
        order=10,
        more_what="new members",
        more_url=members_index,
        summary=("{n} new member", "{n} new members"),
    )
    # The two events sections differ only in which events and how they are named.
    for key, title, collect, order, summary in (
        ("events_held", "Events held", events_held, 20, ("{n} event held", "{n} events held")),
        (
            "events_coming",
            "Coming events",
            events_coming,
            30,
            ("{n} event to come", "{n} events to come"),
        ),
    ):
        register_newsletter_section(
            key=key,
            title=title,
            collect=collect,
            order=order,
            more_what="events",
            more_url=events_index,
            summary=summary,
        )
