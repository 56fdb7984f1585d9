"""Staff's work on an issue's sections and items: reorder, trim and annotate."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import NewsletterIssue, NewsletterItem, NewsletterSection
from ..signals import pages_changed
from .assembly import STEP


def _move(model, row, direction: Literal["up", "down"], **siblings) -> None:
    """Swap ``row`` with its neighbour among ``siblings`` (locked, in their order) and
    renumber them in steps of ten; ``row.position`` follows."""
    if direction not in ("up", "down"):
        raise ValidationError(f"Move up or down, not {direction!r}.")
    rows = list(model.objects.select_for_update().filter(**siblings).order_by("position", "pk"))
    index = next(i for i, each in enumerate(rows) if each.pk == row.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, each in enumerate(rows, start=1):
        each.position = position * STEP
    model.objects.bulk_update(rows, ["position"])
    pages_changed()  # bulk_update sends no signal
    row.position = next(each.position for each in rows if each.pk == row.pk)


@transaction.atomic
def section_move(*, section: NewsletterSection, direction: Literal["up", "down"]) -> None:
    """Move ``section`` one place up or down in its issue (the positions are renumbered in
    steps of ten). Moving the first up or the last down changes nothing."""
    _move(NewsletterSection, section, direction, issue_id=section.issue_id)


@transaction.atomic
def item_move(*, item: NewsletterItem, direction: Literal["up", "down"]) -> None:
    """Move ``item`` one place up or down in its section."""
    _move(NewsletterItem, item, direction, section_id=item.section_id)


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
