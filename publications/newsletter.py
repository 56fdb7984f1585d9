"""The quarterly newsletter: an issue's sections assembled from the quarter's real data, the
helpers staff use to reorder, trim and annotate them, creating an issue and publishing it.

**Assembly** (``issue_assemble``) copies the quarter's data into ``NewsletterItem`` rows, one
section per kind, so that a sent issue never changes when the data does:

========================  ======================================================================
section                   what goes in it
========================  ======================================================================
new members               public members (active or former) who joined in the quarter, or were
                          announced at a public event held in it
events held               public events that started in the quarter and are over
coming events             public events of the quarter not over yet, and those of next quarter
roadmaps                  roadmaps added to the tracker in the quarter, and those whose data
                          (or targets) changed in it — with what changed
projects                  industrial projects added in the quarter, or whose status changed
briefs                    briefs published in the quarter
members' progress         progress updates published in the quarter, impact stories dated in it
workplan progress         the public workplan covering the quarter: its targets' progress (as
                          at the quarter's end), each objective, activities delivered in it
========================  ======================================================================

A section holds at most ``MAX_ITEMS`` items; past that, one last item says how many more
there are and links to the full list. A section with nothing this quarter is still created,
left out (``included=False``) and empty, so staff see "nothing this quarter" rather than
wonder where it went.

**Re-assembly** refreshes the data and keeps staff's work:

- custom sections ("Other") and their items are never touched;
- an assembled section keeps its title, note, position and inclusion (matched by kind) —
  except that it is left out when it becomes empty and put back when it had no items
  before and has some now;
- its assembled items (those with a ``source``) are replaced by fresh copies; an item staff
  had left out stays left out when the same source comes back; items staff added by hand
  (no ``source``) are kept where they are. Wording staff changed on an assembled item is
  replaced: annotate in the section's note instead;
- a deleted assembled section comes back at the end (to drop one, untick "included").

Queries: a fixed number whatever the amount of data (``tests/publications/test_newsletter.py``
asserts it at two data sizes).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import strip_tags
from django.utils.text import Truncator

from leadit.markdown import render_markdown
from members.models import ImpactStory, Member, ProgressUpdate
from summits.models import Event
from tracker.models import IndustrialProject, Roadmap, Target
from workplan.metrics import workplan_progress
from workplan.models import Activity, Objective, Workplan

from .models import Brief, NewsletterIssue, NewsletterItem, NewsletterSection, Publication
from .signals import pages_changed

Kind = NewsletterSection.Kind
# The assembled sections, in the order a new issue shows them.
ASSEMBLED_KINDS: tuple[str, ...] = (
    Kind.NEW_MEMBERS,
    Kind.EVENTS_HELD,
    Kind.EVENTS_COMING,
    Kind.ROADMAPS,
    Kind.PROJECTS,
    Kind.BRIEFS,
    Kind.PROGRESS,
    Kind.WORKPLAN,
)
MAX_ITEMS = 12
# Positions go in steps of ten, so staff can put something between two rows by typing 15.
STEP = 10
EXCERPT_WORDS = 30
# Fields of a tracker record that change on every save and mean nothing to a reader.
BOOKKEEPING_FIELDS = {"id", "created_at", "updated_at", "last_reviewed_on", "last_reviewed_by"}


# --- Quarters --------------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of ``quarter`` (1–4) of ``year``."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError(f"A quarter is 1, 2, 3 or 4, not {quarter}.")
    start = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, following - timedelta(days=1)


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


@dataclass(frozen=True)
class Period:
    """The quarter an issue covers, the next one, and the moment of assembly."""

    year: int
    quarter: int
    now: datetime

    @property
    def bounds(self) -> tuple[date, date]:
        return quarter_bounds(self.year, self.quarter)

    @property
    def start(self) -> date:
        return self.bounds[0]

    @property
    def end(self) -> date:
        return self.bounds[1]

    @property
    def next_end(self) -> date:
        return quarter_bounds(*next_quarter(self.year, self.quarter))[1]

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}"

    @property
    def as_of(self) -> date:
        """The day progress is judged at: the quarter's end, or today if it is not over."""
        return min(timezone.localdate(self.now), self.end)


# --- What an item is made of -----------------------------------------------------------------


@dataclass
class Draft:
    """An item to be written: what a collector found."""

    title: str
    text: str = ""
    url: str = ""
    date: date | None = None
    source: str = ""
    represents: int = 1  # how many things of the quarter it stands for ("And 9 more")


def _day(value: date | None) -> str:
    return format_date(value, "j F Y") if value else ""


# Characters that would make Markdown (or HTML inside it) out of plain text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]!])")


def markdown_literal(text: str) -> str:
    """Plain text as Markdown that renders to exactly that text: ``&``, ``<`` and ``>`` as
    entities, the characters of emphasis, code, links and images backslash-escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def excerpt(markdown_text: str, *, words: int = EXCERPT_WORDS) -> str:
    """The first ``words`` words of a Markdown text as plain text (so a cut never leaves a
    half-open emphasis or link behind), written as Markdown that shows that text literally:
    the item's text is Markdown, and text a member had escaped (``&lt;img …&gt;``) must not
    come back as markup once unescaped."""
    plain = html.unescape(strip_tags(render_markdown(markdown_text or "")))
    return markdown_literal(Truncator(" ".join(plain.split())).words(words, truncate="…"))


def _join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _capped(drafts: list[Draft], *, more_url: str, more_what: str, kind: str) -> list[Draft]:
    """At most ``MAX_ITEMS`` items; the rest summed up in one item linking to the full list."""
    if len(drafts) <= MAX_ITEMS:
        return drafts
    rest = len(drafts) - (MAX_ITEMS - 1)
    return [
        *drafts[: MAX_ITEMS - 1],
        Draft(
            title=f"And {rest} more {more_what}",
            text=f"See them all on the portal: {rest} more than fit here.",
            url=more_url,
            source=f"more:{kind}",
            represents=rest,
        ),
    ]


# --- Collectors: one read of the quarter's data per section ----------------------------------


def _new_members(period: Period) -> list[Draft]:
    """Members who joined in the quarter, and members announced at a public event held in
    it. Three queries."""
    announcements = Event.objects.filter(
        visibility=Event.Visibility.PUBLIC,
        start__date__gte=period.start,
        start__date__lte=period.end,
    ).order_by("start", "pk")
    members = (
        Member.objects.public()
        .filter(
            Q(joined_on__gte=period.start, joined_on__lte=period.end)
            | Q(pk__in=announcements.values("announced_members"))
        )
        .prefetch_related(
            "sectors",
            Prefetch("announced_at_events", queryset=announcements, to_attr="announced_in_quarter"),
        )
        .order_by(F("joined_on").asc(nulls_last=True), "name")
    )
    drafts = []
    for member in members:
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
        in_quarter = member.joined_on and period.start <= member.joined_on <= period.end
        when = f" on {_day(member.joined_on)}" if in_quarter else ""
        lines = [f"{what}{when}."]
        if announced:
            lines.append("Announced at " + " and ".join(e.title for e in announced) + ".")
        drafts.append(
            Draft(
                title=member.name,
                text=_join(" ".join(lines), excerpt(member.description)),
                url=member.get_absolute_url(),
                date=member.joined_on if in_quarter else timezone.localdate(announced[0].start),
                source=f"member:{member.pk}",
            )
        )
    return _capped(
        drafts,
        more_url=reverse("members:index"),
        more_what="new members",
        kind=Kind.NEW_MEMBERS,
    )


def _days(start: date, end: date) -> str:
    """ "3 July 2025", "12–13 August 2025", "31 October – 13 November 2021"."""
    if start == end:
        return _day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{_day(end)}"
    if start.year == end.year:
        return f"{format_date(start, 'j F')} – {_day(end)}"
    return f"{_day(start)} – {_day(end)}"


def _event_draft(event: Event) -> Draft:
    start, end = event.local(event.start), event.local(event.end)
    when = _days(start.date(), end.date())
    where = event.location or event.get_format_display()
    if event.location and event.format != Event.Format.IN_PERSON:
        where += f" ({event.get_format_display().lower()})"
    return Draft(
        title=event.title,
        text=_join(f"{event.kind.name} · {when} · {where}", excerpt(event.description)),
        url=event.get_absolute_url(),
        date=start.date(),
        source=f"event:{event.pk}",
    )


def _events(period: Period) -> tuple[list[Draft], list[Draft]]:
    """Public events held in the quarter (over by now), and those still to come: of the
    quarter if it is not over, and of the next quarter. One query."""
    events = (
        Event.objects.filter(
            visibility=Event.Visibility.PUBLIC,
            start__date__gte=period.start,
            start__date__lte=period.next_end,
        )
        .select_related("kind")
        .order_by("start", "pk")
    )
    held, coming = [], []
    for event in events:
        in_quarter = timezone.localdate(event.start) <= period.end
        if in_quarter and event.end <= period.now:
            held.append(_event_draft(event))
        else:
            coming.append(_event_draft(event))
    index = reverse("summits:index")
    return (
        _capped(held, more_url=index, more_what="events", kind=Kind.EVENTS_HELD),
        _capped(coming, more_url=index, more_what="events", kind=Kind.EVENTS_COMING),
    )


@dataclass
class _Changes:
    """What history says about some tracker objects in the quarter."""

    added: set[int] = field(default_factory=set)
    last: dict[int, object] = field(default_factory=dict)  # id → newest record in the quarter


def _history_in(model, period: Period) -> _Changes:
    """Every history record of ``model`` in the quarter, oldest first: one query."""
    changes = _Changes()
    records = model.history.model.objects.filter(
        history_date__date__gte=period.start, history_date__date__lte=period.end
    ).order_by("history_date", "history_id")
    for record in records:
        if record.history_type == "+":
            changes.added.add(record.id)
        if record.history_type == "-":
            changes.last.pop(record.id, None)
        else:
            changes.last[record.id] = record
    return changes


def _before_quarter(model, period: Period) -> Subquery:
    """The id of an object's last history record before the quarter (its state then)."""
    return Subquery(
        model.history.model.objects.filter(id=OuterRef("pk"), history_date__date__lt=period.start)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )


def _changed(model, before, after) -> list[str]:
    """Names of the fields that differ between two history records of ``model``."""
    names = []
    for model_field in model.history.model.tracked_fields:
        if model_field.name in BOOKKEEPING_FIELDS:
            continue
        if getattr(before, model_field.attname) != getattr(after, model_field.attname):
            names.append(str(model_field.verbose_name))
    return names


def _roadmaps(period: Period) -> list[Draft]:
    """Roadmaps added in the quarter, then those changed in it (their own data, or their
    targets added, changed or deleted), with what changed. Five queries."""
    changes = _history_in(Roadmap, period)
    target_changes: dict[int, datetime] = {}  # roadmap id → its targets' last change
    for roadmap_id, when in Target.history.model.objects.filter(
        history_date__date__gte=period.start,
        history_date__date__lte=period.end,
        roadmap_id__isnull=False,
    ).values_list("roadmap_id", "history_date"):
        target_changes[roadmap_id] = max(when, target_changes.get(roadmap_id, when))
    roadmaps = list(
        Roadmap.objects.filter(
            Q(created_at__date__gte=period.start, created_at__date__lte=period.end)
            | Q(pk__in=set(changes.last) | set(target_changes))
        )
        .annotate(before_id=_before_quarter(Roadmap, period))
        .select_related("region")
        .prefetch_related("sectors")
        .order_by("created_at", "pk")
    )
    before = Roadmap.history.model.objects.in_bulk([r.before_id for r in roadmaps if r.before_id])
    added, updated = [], []
    for roadmap in roadmaps:
        where = roadmap.country.name if roadmap.country else ""
        if roadmap.region_id:
            where = roadmap.region.name
        scope = roadmap.get_scope_display().lower()
        sectors = ", ".join(sector.name.lower() for sector in roadmap.sectors.all())
        about = f"A {scope} roadmap" + (f" of {where}" if where else "")
        about += f" by {roadmap.publisher}" + (f", for {sectors}" if sectors else "") + "."
        is_new = roadmap.before_id is None and (
            roadmap.pk in changes.added or period.start <= roadmap.created_at.date() <= period.end
        )
        if is_new:
            added.append(
                Draft(
                    title=roadmap.title,
                    text=_join(
                        f"New in the tracker. {about} Status: "
                        f"{roadmap.get_status_display().lower()}.",
                        excerpt(roadmap.summary),
                    ),
                    url=roadmap.get_absolute_url(),
                    date=timezone.localdate(roadmap.created_at),
                    source=f"roadmap:{roadmap.pk}",
                )
            )
            continue
        what = []
        last, previous = changes.last.get(roadmap.pk), before.get(roadmap.before_id)
        if last is not None and previous is not None:
            if last.status != previous.status:
                what.append(
                    f"status {Roadmap.Status(previous.status).label.lower()} → "
                    f"{Roadmap.Status(last.status).label.lower()}"
                )
            what += [name for name in _changed(Roadmap, previous, last) if name != "status"]
        elif last is not None:
            what.append("details")
        if roadmap.pk in target_changes:
            what.append("targets")
        if not what:
            continue  # saved again without a visible change
        moments = [last.history_date] if last is not None else []
        if roadmap.pk in target_changes:
            moments.append(target_changes[roadmap.pk])
        updated.append(
            Draft(
                title=roadmap.title,
                text=f"Updated in the tracker: {', '.join(what)}. {about}",
                url=roadmap.get_absolute_url(),
                date=timezone.localdate(max(moments)),
                source=f"roadmap:{roadmap.pk}",
            )
        )
    updated.sort(key=lambda draft: (draft.date, draft.title))
    return _capped(
        added + updated,
        more_url=reverse("tracker:changes") + "?kind=roadmap",
        more_what="roadmap changes",
        kind=Kind.ROADMAPS,
    )


def _projects(period: Period) -> list[Draft]:
    """Industrial projects added to the tracker in the quarter, then those whose status
    changed in it (an import touches many fields; a status change is the news). Three
    queries."""
    changes = _history_in(IndustrialProject, period)
    projects = list(
        IndustrialProject.objects.filter(pk__in=list(changes.last))
        .annotate(before_id=_before_quarter(IndustrialProject, period))
        .select_related("sector")
        .order_by("name", "pk")
    )
    before = IndustrialProject.history.model.objects.in_bulk(
        [p.before_id for p in projects if p.before_id]
    )
    added, moved = [], []
    for project in projects:
        last = changes.last[project.pk]
        status = IndustrialProject.Status(last.status).label.lower()
        about = f"{project.sector.name} project in {project.country.name}"
        if project.owner:
            about += f" ({project.owner})"
        previous = before.get(project.before_id)
        if project.pk in changes.added and previous is None:
            start = f", start planned for {project.start_year}" if project.start_year else ""
            added.append(
                Draft(
                    title=project.name,
                    text=f"New in the tracker: {about}. Status: {status}{start}.",
                    url=project.get_absolute_url(),
                    date=timezone.localdate(last.history_date),
                    source=f"project:{project.pk}",
                )
            )
        elif previous is not None and previous.status != last.status:
            was = IndustrialProject.Status(previous.status).label.lower()
            moved.append(
                Draft(
                    title=project.name,
                    text=f"Status changed from {was} to {status}: {about}.",
                    url=project.get_absolute_url(),
                    date=timezone.localdate(last.history_date),
                    source=f"project:{project.pk}",
                )
            )
    return _capped(
        moved + added,
        more_url=reverse("tracker:changes") + "?kind=project",
        more_what="project changes",
        kind=Kind.PROJECTS,
    )


def _briefs(period: Period) -> list[Draft]:
    """Briefs published in the quarter. One query."""
    briefs = Brief.objects.filter(
        status=Publication.Status.PUBLISHED,
        published_on__gte=period.start,
        published_on__lte=period.end,
    ).order_by("published_on", "pk")
    drafts = [
        Draft(
            title=brief.title,
            text=_join(brief.summary, f"By {brief.authors}." if brief.authors else ""),
            url=brief.get_absolute_url(),
            date=brief.published_on,
            source=f"publication:{brief.pk}",
        )
        for brief in briefs
    ]
    return _capped(
        drafts, more_url=reverse("publications:index"), more_what="briefs", kind=Kind.BRIEFS
    )


def _progress(period: Period) -> list[Draft]:
    """Members' progress updates published in the quarter and impact stories dated in it,
    of public members. Two queries."""
    public_members = Member.objects.public()
    updates = (
        ProgressUpdate.objects.published()
        .filter(
            member__in=public_members,
            published_at__date__gte=period.start,
            published_at__date__lte=period.end,
        )
        .select_related("member", "milestone")
    )
    stories = ImpactStory.objects.filter(
        member__in=public_members,
        is_published=True,
        date__gte=period.start,
        date__lte=period.end,
    ).select_related("member")
    drafts = []
    for update in updates:
        milestone = f"Reported at {update.milestone.name}." if update.milestone_id else ""
        drafts.append(
            Draft(
                title=f"{update.member.name}: {update.title}",
                text=_join(excerpt(update.body), milestone),
                url=update.member.get_absolute_url() + "#profile-updates",
                date=timezone.localdate(update.published_at),
                source=f"progress_update:{update.pk}",
            )
        )
    for story in stories:
        drafts.append(
            Draft(
                title=f"{story.member.name}: {story.title}",
                text=_join("An impact story.", excerpt(story.what_changed)),
                url=story.member.get_absolute_url() + "#profile-stories",
                date=story.date,
                source=f"impact_story:{story.pk}",
            )
        )
    drafts.sort(key=lambda draft: (draft.date, draft.source))
    return _capped(
        drafts, more_url=reverse("members:index"), more_what="updates", kind=Kind.PROGRESS
    )


def covering_workplan(period: Period) -> Workplan | None:
    """The public (published or archived) workplan whose period overlaps the quarter; the
    one that began last if several do."""
    return (
        Workplan.objects.exclude(status=Workplan.Status.DRAFT)
        .filter(period_start__lte=period.end, period_end__gte=period.start)
        .order_by("-period_start", "pk")
        .first()
    )


def _format_number(value) -> str:
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def _workplan(period: Period, *, events_held: int) -> list[Draft]:
    """The covering workplan's progress: a summary, each objective with its targets (as at
    the quarter's end), and the activities delivered in the quarter (their status became
    "done" in it). Five queries plus one per distinct live metric."""
    workplan = covering_workplan(period)
    if workplan is None:
        return []
    progress = workplan_progress(workplan, today=period.as_of)
    objectives = Objective.objects.filter(workplan=workplan).prefetch_related("targets")
    history = Activity.history.model.objects
    delivered = list(
        Activity.objects.filter(group__pathway__workplan=workplan)
        .filter(
            Exists(
                history.filter(
                    id=OuterRef("pk"),
                    status=Activity.Status.DONE,
                    history_date__date__gte=period.start,
                    history_date__date__lte=period.end,
                )
            )
        )
        .annotate(
            status_before=Subquery(
                history.filter(id=OuterRef("pk"), history_date__date__lt=period.start)
                .order_by("-history_date", "-history_id")
                .values("status")[:1]
            )
        )
        .filter(Q(status_before__isnull=True) | ~Q(status_before=Activity.Status.DONE))
        .select_related("group__pathway")
        .order_by("group__pathway__order", "group__order", "order", "pk")
    )
    url = workplan.get_absolute_url()
    states = [p.state for p in progress.values()]
    unrecorded = states.count("not_recorded")
    unrecorded = f", {unrecorded} not recorded" if unrecorded else ""
    summary = (
        f"As at {_day(period.as_of)}: {states.count('met')} of {len(states)} targets met, "
        f"{states.count('on_track')} on track, {states.count('behind')} behind"
        f"{unrecorded}. "
        f"This quarter: {len(delivered)} activit{'y' if len(delivered) == 1 else 'ies'} "
        f"delivered, {events_held} public event{'' if events_held == 1 else 's'} held."
    )
    drafts = [
        Draft(
            title=workplan.title,
            text=summary,
            url=url,
            date=period.as_of,
            source=f"workplan:{workplan.pk}",
        )
    ]
    for objective in objectives:
        lines = []
        for target in objective.targets.all():
            state = progress.get(target.pk)
            if state is None:
                continue
            unit = f" {state.unit}" if state.unit else ""
            if state.value is None:  # never "0": the value is not recorded
                lines.append(
                    f"- {target.label}: not recorded "
                    f"(target {_format_number(state.threshold)}{unit})"
                )
                continue
            lines.append(
                f"- {target.label}: {_format_number(state.value)} of "
                f"{_format_number(state.threshold)}{unit} — {state.state_label.lower()}"
            )
        drafts.append(
            Draft(
                title=f"Objective {objective.number}: {objective.short_title}",
                text="\n".join(lines) or "No measurable target.",
                url=f"{url}#objective-{objective.number}",
                source=f"objective:{objective.pk}",
            )
        )
    for activity in delivered:
        partners = f" With {activity.partners}." if activity.partners else ""
        drafts.append(
            Draft(
                title=f"Delivered: {activity.title}",
                text=f"{activity.group.pathway.title}.{partners}",
                url=activity.deliverable_url or f"{url}#activity-{activity.pk}",
                date=activity.due_date,
                source=f"activity:{activity.pk}",
            )
        )
    return _capped(drafts, more_url=url, more_what="activities", kind=Kind.WORKPLAN)


def collect(period: Period) -> dict[str, list[Draft]]:
    """What each assembled section of ``period`` would hold."""
    held, coming = _events(period)
    return {
        Kind.NEW_MEMBERS: _new_members(period),
        Kind.EVENTS_HELD: held,
        Kind.EVENTS_COMING: coming,
        Kind.ROADMAPS: _roadmaps(period),
        Kind.PROJECTS: _projects(period),
        Kind.BRIEFS: _briefs(period),
        Kind.PROGRESS: _progress(period),
        Kind.WORKPLAN: _workplan(
            period, events_held=sum(1 for d in held if d.source.startswith("event:"))
        ),
    }


# --- Assembly --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assembly:
    """What an assembly did: how many things of the quarter each assembled section holds
    (those summed up in an "And N more" item included), and the sections it created."""

    counts: dict[str, int]
    created_sections: int

    @property
    def items(self) -> int:
        return sum(self.counts.values())

    @property
    def empty(self) -> list[str]:
        return [Kind(kind).label for kind, count in self.counts.items() if not count]


@dataclass(frozen=True)
class AssembledState:
    """What re-assembling would replace, for the confirmation page."""

    sections: int
    items: int  # assembled items that would be replaced
    left_out: int  # of which staff left out (they stay left out)
    added_by_staff: int  # items with no source: kept
    notes: int  # assembled sections with a note: kept
    custom_sections: int  # kept

    @property
    def would_replace(self) -> bool:
        return self.items > 0


def issue_assembled_state(issue: NewsletterIssue) -> AssembledState:
    """What an assembly of ``issue`` would replace and what it would keep. Two queries."""
    sections = list(issue.sections.all())
    assembled = [s for s in sections if s.kind != Kind.CUSTOM]
    items = list(
        NewsletterItem.objects.filter(section__in=assembled).values_list("source", "included")
    )
    return AssembledState(
        sections=len(assembled),
        items=sum(1 for source, _ in items if source),
        left_out=sum(1 for source, included in items if source and not included),
        added_by_staff=sum(1 for source, _ in items if not source),
        notes=sum(1 for s in assembled if s.note.strip()),
        custom_sections=len(sections) - len(assembled),
    )


def _record_history(issue: NewsletterIssue, *, user, reason: str) -> None:
    """Save ``issue`` so that its history says who did what (the sections have no history
    of their own; the issue's records who assembled and published it)."""
    if user is not None:
        issue._history_user = user
    issue._change_reason = reason
    issue.save()


@transaction.atomic
def issue_assemble(*, issue: NewsletterIssue, user=None, now: datetime | None = None) -> Assembly:
    """(Re)build the assembled sections of ``issue`` from its quarter's data (see the
    module's docstring for what is kept). ``now`` is the moment events count as held at
    (default: now). Refused once the issue has been sent."""
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.send_requested_at:
        # What subscribers received must stay what the archive shows.
        raise ValidationError(
            "This issue has been sent to subscribers: its content stays as it was sent."
        )
    period = Period(year=issue.year, quarter=issue.quarter, now=now or timezone.now())
    drafts = collect(period)

    sections = list(issue.sections.prefetch_related("items"))
    existing: dict[str, NewsletterSection] = {}
    for section in sections:  # in position order: the first of a kind is the one refreshed
        if section.kind != Kind.CUSTOM:
            existing.setdefault(section.kind, section)
    next_position = max((s.position for s in sections), default=0) + STEP

    new_sections: list[NewsletterSection] = []
    changed_sections: list[NewsletterSection] = []
    left_out: dict[str, set[str]] = {}
    for kind in ASSEMBLED_KINDS:
        found = drafts[kind]
        section = existing.get(kind)
        if section is None:
            section = NewsletterSection(
                issue=issue,
                kind=kind,
                title=Kind(kind).label,
                position=next_position,
                included=bool(found),
            )
            next_position += STEP
            new_sections.append(section)
            existing[kind] = section
            continue
        old = list(section.items.all())
        by_staff = [item for item in old if not item.source]
        left_out[kind] = {item.source for item in old if item.source and not item.included}
        had_data = any(item.source for item in old)
        included = section.included
        if not found and not by_staff:
            included = False  # nothing this quarter
        elif found and not had_data and not by_staff:
            included = True  # it was empty; now it has something
        if included != section.included:
            section.included = included
            changed_sections.append(section)

    NewsletterItem.objects.filter(section__issue=issue, section__kind__in=ASSEMBLED_KINDS).exclude(
        source=""
    ).delete()
    if changed_sections:
        NewsletterSection.objects.bulk_update(changed_sections, ["included"])
    if new_sections:
        NewsletterSection.objects.bulk_create(new_sections)
    items = []
    for kind in ASSEMBLED_KINDS:
        section = existing[kind]
        for position, draft in enumerate(drafts[kind], start=1):
            items.append(
                NewsletterItem(
                    section=section,
                    title=draft.title[:300],
                    text=draft.text,
                    url=draft.url[:500],
                    date=draft.date,
                    source=draft.source,
                    position=position * STEP,
                    included=draft.source not in left_out.get(kind, ()),
                )
            )
    NewsletterItem.objects.bulk_create(items)
    pages_changed()  # the bulk writes above send no signal
    _record_history(issue, user=user, reason=f"Assembled from the data of {period.label}")
    return Assembly(
        counts={kind: sum(d.represents for d in drafts[kind]) for kind in ASSEMBLED_KINDS},
        created_sections=len(new_sections),
    )


# --- Reorder, trim, annotate -----------------------------------------------------------------


def _move(rows: list, row, direction: Literal["up", "down"]) -> list:
    """``rows`` (in their order) with ``row`` swapped with its neighbour, renumbered."""
    index = next(i for i, each in enumerate(rows) if each.pk == row.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, each in enumerate(rows, start=1):
        each.position = position * STEP
    return rows


@transaction.atomic
def section_move(*, section: NewsletterSection, direction: Literal["up", "down"]) -> None:
    """Move ``section`` one place up or down in its issue (the positions are renumbered in
    steps of ten). Moving the first up or the last down changes nothing."""
    if direction not in ("up", "down"):
        raise ValidationError(f"Move up or down, not {direction!r}.")
    rows = list(
        NewsletterSection.objects.select_for_update()
        .filter(issue_id=section.issue_id)
        .order_by("position", "pk")
    )
    NewsletterSection.objects.bulk_update(_move(rows, section, direction), ["position"])
    pages_changed()  # bulk_update sends no signal
    section.position = next(each.position for each in rows if each.pk == section.pk)


@transaction.atomic
def item_move(*, item: NewsletterItem, direction: Literal["up", "down"]) -> None:
    """Move ``item`` one place up or down in its section."""
    if direction not in ("up", "down"):
        raise ValidationError(f"Move up or down, not {direction!r}.")
    rows = list(
        NewsletterItem.objects.select_for_update()
        .filter(section_id=item.section_id)
        .order_by("position", "pk")
    )
    NewsletterItem.objects.bulk_update(_move(rows, item, direction), ["position"])
    pages_changed()
    item.position = next(each.position for each in rows if each.pk == item.pk)


@transaction.atomic
def sections_renumber(*, issue: NewsletterIssue) -> None:
    """Renumber the sections of ``issue`` 10, 20, 30… in their current order (after staff
    typed positions by hand), and each section's items likewise."""
    sections = list(issue.sections.select_for_update().order_by("position", "pk"))
    for position, section in enumerate(sections, start=1):
        section.position = position * STEP
    NewsletterSection.objects.bulk_update(sections, ["position"])
    items = list(
        NewsletterItem.objects.select_for_update()
        .filter(section__issue=issue)
        .order_by("section_id", "position", "pk")
    )
    counters: dict[int, int] = {}
    for item in items:
        counters[item.section_id] = counters.get(item.section_id, 0) + 1
        item.position = counters[item.section_id] * STEP
    NewsletterItem.objects.bulk_update(items, ["position"])
    pages_changed()


@transaction.atomic
def section_set_included(*, section: NewsletterSection, included: bool) -> None:
    """Keep (``True``) or leave out (``False``) a whole section: trimming."""
    section.included = included
    section.save(update_fields=["included"])


@transaction.atomic
def item_set_included(*, item: NewsletterItem, included: bool) -> None:
    """Keep or leave out one item of a section."""
    item.included = included
    item.save(update_fields=["included"])


@transaction.atomic
def section_annotate(*, section: NewsletterSection, note: str) -> None:
    """Set staff's note on a section (Markdown, shown before its items; kept by
    re-assembly)."""
    section.note = note.strip()
    section.full_clean()
    section.save(update_fields=["note"])


# --- Creating and publishing an issue --------------------------------------------------------


def issue_title(*, number: int, year: int, quarter: int) -> str:
    return f"LeadIT newsletter No. {number} — Q{quarter} {year}"


@transaction.atomic
def issue_create_for_quarter(
    *, year: int, quarter: int, user=None, now: datetime | None = None
) -> NewsletterIssue:
    """A new draft issue for a quarter (the next number; title "LeadIT newsletter No. N —
    Q3 2025", address "newsletter-2025-q3"), assembled from that quarter's data."""
    quarter_bounds(year, quarter)
    if NewsletterIssue.objects.filter(year=year, quarter=quarter).exists():
        raise ValidationError(f"There is already an issue for Q{quarter} {year}.")
    number = (NewsletterIssue.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    issue = NewsletterIssue(
        number=number,
        year=year,
        quarter=quarter,
        title=issue_title(number=number, year=year, quarter=quarter),
        slug=f"newsletter-{year}-q{quarter}",
        status=Publication.Status.DRAFT,
    )
    issue.full_clean()
    if user is not None:
        issue._history_user = user
    issue._change_reason = f"Created for Q{quarter} {year}"
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError as exc:
        # Two members of staff created an issue at the same moment: the number or the
        # quarter is taken now.
        raise ValidationError("Another issue was created at the same time; try again.") from exc
    assembly = issue_assemble(issue=issue, user=user, now=now)
    issue.refresh_from_db()
    issue.summary = issue_summary(counts=assembly.counts, label=f"Q{quarter} {year}")
    _record_history(issue, user=user, reason="Summary written from the assembled sections")
    return issue


SUMMARY_PHRASES = {
    Kind.NEW_MEMBERS: ("new member", "new members"),
    Kind.EVENTS_HELD: ("event held", "events held"),
    Kind.EVENTS_COMING: ("event to come", "events to come"),
    Kind.ROADMAPS: ("new or updated roadmap", "new or updated roadmaps"),
    Kind.PROJECTS: ("industrial project", "industrial projects"),
    Kind.BRIEFS: ("brief", "briefs"),
    Kind.PROGRESS: ("progress report from members", "progress reports from members"),
}


def issue_summary(*, counts: dict[str, int], label: str) -> str:
    """A first summary for the archive from what was assembled, e.g. "Q3 2025 at LeadIT:
    2 new members, 1 event held, 3 briefs and the workplan's progress." Staff may rewrite
    it; re-assembly never touches it."""
    parts = []
    for kind, (one, many) in SUMMARY_PHRASES.items():
        if counts.get(kind):
            parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
    if counts.get(Kind.WORKPLAN):
        parts.append("the workplan’s progress")
    if not parts:
        return f"The LeadIT newsletter for {label}."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{label} at LeadIT: {listed}."


def _request_render(issue: NewsletterIssue, user):
    # Imported here: documents.py (render task) is a sibling service module whose own
    # imports load the rendering stack, which the assembly never needs.
    from .documents import document_request_render

    return document_request_render(publication=issue, requested_by=user)


@transaction.atomic
def issue_publish(*, issue: NewsletterIssue, user=None, on: date | None = None) -> NewsletterIssue:
    """Publish ``issue`` on ``on`` (default: the date it was published on before, or today)
    and request its PDF. An issue with no section kept cannot be published."""
    given, issue = issue, NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if not issue.sections.filter(included=True).exists():
        raise ValidationError(
            "This issue has no section to publish: assemble it or add a section first."
        )
    issue.status = Publication.Status.PUBLISHED
    issue.published_on = on or issue.published_on or timezone.localdate()
    issue.full_clean()
    _record_history(issue, user=user, reason=f"Published on {issue.published_on:%Y-%m-%d}")
    _request_render(issue, user)
    given.status, given.published_on = issue.status, issue.published_on
    return issue
