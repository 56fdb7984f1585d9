"""Assembling an issue: every registered section's news of the quarter
(``leadit.newsletter_sections``), capped, copied into the issue's sections and items so that
a sent issue never changes when the data does; re-assembly keeps staff's work (see the
package's docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leadit.newsletter_sections import (
    NewsItem,
    NewsletterSectionSource,
    Quarter,
    newsletter_sections,
)

from ..models import NewsletterIssue, NewsletterItem, NewsletterSection
from ..signals import pages_changed

Kind = NewsletterSection.Kind
MAX_ITEMS = 12
# Positions go in steps of ten, so staff can put something between two rows by typing 15.
STEP = 10


def assembled_kinds() -> tuple[str, ...]:
    """The keys of the assembled sections, in the order a new issue shows them."""
    return tuple(source.key for source in newsletter_sections())


def capped(items: list[NewsItem], source: NewsletterSectionSource) -> list[NewsItem]:
    """At most ``MAX_ITEMS`` items; the rest summed up in one item linking to the full list."""
    if len(items) <= MAX_ITEMS:
        return items
    rest = len(items) - (MAX_ITEMS - 1)
    return [
        *items[: MAX_ITEMS - 1],
        NewsItem(
            title=f"And {rest} more {source.more_what}",
            text=f"See them all on the portal: {rest} more than fit here.",
            url=source.more_url(items),
            source=f"more:{source.key}",
            represents=rest,
        ),
    ]


def collect(quarter: Quarter) -> dict[str, list[NewsItem]]:
    """What each registered section of ``quarter`` would hold, capped, in their order."""
    return {source.key: capped(source.collect(quarter), source) for source in newsletter_sections()}


@dataclass(frozen=True)
class Assembly:
    """What an assembly did: how many things of the quarter each assembled section holds
    (those summed up in an "And N more" item included), and the sections it created."""

    counts: dict[str, int]
    created_sections: int
    titles: dict[str, str] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return sum(self.counts.values())

    @property
    def empty(self) -> list[str]:
        return [self.titles.get(kind, kind) for kind, count in self.counts.items() if not count]


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


def record_history(issue: NewsletterIssue, *, user, reason: str) -> None:
    """Save ``issue`` so that its history says who did what (the sections have no history
    of their own; the issue's records who assembled and published it)."""
    if user is not None:
        issue._history_user = user
    issue._change_reason = reason
    issue.save()


@dataclass
class _Plan:
    """The issue's sections after an assembly, before its writes."""

    sections: dict[str, NewsletterSection]  # key → the section refreshed (or created)
    new: list[NewsletterSection] = field(default_factory=list)
    changed: list[NewsletterSection] = field(default_factory=list)
    left_out: dict[str, set[str]] = field(default_factory=dict)  # key → sources staff left out


def _plan_sections(issue: NewsletterIssue, found: dict[str, list[NewsItem]]) -> _Plan:
    """Match every registered section with the issue's section of that kind (the first in
    position order), create the missing ones at the end, and decide their inclusion."""
    sections = list(issue.sections.prefetch_related("items"))
    plan = _Plan(sections={})
    for section in sections:
        if section.kind != Kind.CUSTOM:
            plan.sections.setdefault(section.kind, section)
    next_position = max((s.position for s in sections), default=0) + STEP
    for source in newsletter_sections():
        items, section = found[source.key], plan.sections.get(source.key)
        if section is None:
            section = NewsletterSection(
                issue=issue,
                kind=source.key,
                title=source.title,
                position=next_position,
                included=bool(items),
            )
            next_position += STEP
            plan.new.append(section)
            plan.sections[source.key] = section
            continue
        old = list(section.items.all())
        by_staff = [item for item in old if not item.source]
        plan.left_out[source.key] = {i.source for i in old if i.source and not i.included}
        had_data = any(item.source for item in old)
        included = section.included
        if not items and not by_staff:
            included = False  # nothing this quarter
        elif items and not had_data and not by_staff:
            included = True  # it was empty; now it has something
        if included != section.included:
            section.included = included
            plan.changed.append(section)
    return plan


def _write(issue: NewsletterIssue, plan: _Plan, found: dict[str, list[NewsItem]]) -> None:
    """Replace the assembled items of ``issue`` by ``found``, in bulk."""
    NewsletterItem.objects.filter(section__issue=issue, section__kind__in=list(found)).exclude(
        source=""
    ).delete()
    if plan.changed:
        NewsletterSection.objects.bulk_update(plan.changed, ["included"])
    if plan.new:
        NewsletterSection.objects.bulk_create(plan.new)
    rows = []
    for key, items in found.items():
        section = plan.sections[key]
        for position, item in enumerate(items, start=1):
            rows.append(
                NewsletterItem(
                    section=section,
                    title=item.title[:300],
                    text=item.text,
                    url=item.url[:500],
                    date=item.date,
                    source=item.source,
                    position=position * STEP,
                    included=item.source not in plan.left_out.get(key, ()),
                )
            )
    NewsletterItem.objects.bulk_create(rows)
    pages_changed()  # the bulk writes above send no signal


@transaction.atomic
def issue_assemble(*, issue: NewsletterIssue, user=None, now: datetime | None = None) -> Assembly:
    """(Re)build the assembled sections of ``issue`` from its quarter's data (see the
    package's docstring for what is kept). ``now`` is the moment events count as held at
    (default: now). Refused once the issue has been sent."""
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.send_requested_at:
        # What subscribers received must stay what the archive shows.
        raise ValidationError(
            "This issue has been sent to subscribers: its content stays as it was sent."
        )
    quarter = Quarter(year=issue.year, quarter=issue.quarter, now=now or timezone.now())
    found = collect(quarter)
    plan = _plan_sections(issue, found)
    _write(issue, plan, found)
    record_history(issue, user=user, reason=f"Assembled from the data of {quarter.label}")
    return Assembly(
        counts={key: sum(item.represents for item in items) for key, items in found.items()},
        created_sections=len(plan.new),
        titles={source.key: source.title for source in newsletter_sections()},
    )
