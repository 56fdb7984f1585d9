"""The newsletter's Tracker sections: roadmaps and industrial projects added or changed in
the quarter, read from their django-simple-history records. Registered in
``TrackerConfig.ready()`` through ``leadit.newsletter_sections``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from leadit.newsletter_sections import (
    NewsItem,
    Quarter,
    excerpt,
    paragraphs,
    register_newsletter_section,
)

from .models import IndustrialProject, Roadmap, Target

# Fields of a tracker record that change on every save and mean nothing to a reader.
BOOKKEEPING_FIELDS = {"id", "created_at", "updated_at", "last_reviewed_on", "last_reviewed_by"}


@dataclass
class _Changes:
    """What history says about some tracker objects in the quarter."""

    added: set[int] = field(default_factory=set)
    last: dict[int, object] = field(default_factory=dict)  # id → newest record in the quarter


def _history_in(model, quarter: Quarter) -> _Changes:
    """Every history record of ``model`` in the quarter, oldest first: one query."""
    changes = _Changes()
    records = model.history.model.objects.filter(
        history_date__date__gte=quarter.start, history_date__date__lte=quarter.end
    ).order_by("history_date", "history_id")
    for record in records:
        if record.history_type == "+":
            changes.added.add(record.id)
        if record.history_type == "-":
            changes.last.pop(record.id, None)
        else:
            changes.last[record.id] = record
    return changes


def _before_quarter(model, quarter: Quarter) -> Subquery:
    """The id of an object's last history record before the quarter (its state then)."""
    return Subquery(
        model.history.model.objects.filter(id=OuterRef("pk"), history_date__date__lt=quarter.start)
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


# --- Roadmaps --------------------------------------------------------------------------------


def _target_changes(quarter: Quarter) -> dict[int, datetime]:
    """Roadmap id → the last change of its targets in the quarter. One query."""
    changes: dict[int, datetime] = {}
    for roadmap_id, when in Target.history.model.objects.filter(
        history_date__date__gte=quarter.start,
        history_date__date__lte=quarter.end,
        roadmap_id__isnull=False,
    ).values_list("roadmap_id", "history_date"):
        changes[roadmap_id] = max(when, changes.get(roadmap_id, when))
    return changes


def _roadmap_about(roadmap: Roadmap) -> str:
    where = roadmap.country.name if roadmap.country else ""
    if roadmap.region_id:
        where = roadmap.region.name
    scope = roadmap.get_scope_display().lower()
    sectors = ", ".join(sector.name.lower() for sector in roadmap.sectors.all())
    about = f"A {scope} roadmap" + (f" of {where}" if where else "")
    return about + f" by {roadmap.publisher}" + (f", for {sectors}" if sectors else "") + "."


def _roadmap_changes(roadmap: Roadmap, last, previous, targets_changed: bool) -> list[str]:
    """What changed in ``roadmap`` during the quarter ("status adopted → in implementation",
    field names, "targets")."""
    what = []
    if last is not None and previous is not None:
        if last.status != previous.status:
            what.append(
                f"status {Roadmap.Status(previous.status).label.lower()} → "
                f"{Roadmap.Status(last.status).label.lower()}"
            )
        what += [name for name in _changed(Roadmap, previous, last) if name != "status"]
    elif last is not None:
        what.append("details")
    if targets_changed:
        what.append("targets")
    return what


def roadmaps(quarter: Quarter) -> list[NewsItem]:
    """Roadmaps added in the quarter, then those changed in it (their own data, or their
    targets added, changed or deleted), with what changed. Five queries."""
    changes = _history_in(Roadmap, quarter)
    target_changes = _target_changes(quarter)
    found = list(
        Roadmap.objects.filter(
            Q(created_at__date__gte=quarter.start, created_at__date__lte=quarter.end)
            | Q(pk__in=set(changes.last) | set(target_changes))
        )
        .annotate(before_id=_before_quarter(Roadmap, quarter))
        .select_related("region")
        .prefetch_related("sectors")
        .order_by("created_at", "pk")
    )
    before = Roadmap.history.model.objects.in_bulk([r.before_id for r in found if r.before_id])
    added, updated = [], []
    for roadmap in found:
        about = _roadmap_about(roadmap)
        is_new = roadmap.before_id is None and (
            roadmap.pk in changes.added or quarter.start <= roadmap.created_at.date() <= quarter.end
        )
        if is_new:
            added.append(
                NewsItem(
                    title=roadmap.title,
                    text=paragraphs(
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
        last, previous = changes.last.get(roadmap.pk), before.get(roadmap.before_id)
        what = _roadmap_changes(roadmap, last, previous, roadmap.pk in target_changes)
        if not what:
            continue  # saved again without a visible change
        moments = [last.history_date] if last is not None else []
        if roadmap.pk in target_changes:
            moments.append(target_changes[roadmap.pk])
        updated.append(
            NewsItem(
                title=roadmap.title,
                text=f"Updated in the tracker: {', '.join(what)}. {about}",
                url=roadmap.get_absolute_url(),
                date=timezone.localdate(max(moments)),
                source=f"roadmap:{roadmap.pk}",
            )
        )
    updated.sort(key=lambda item: (item.date, item.title))
    return added + updated


# --- Industrial projects ---------------------------------------------------------------------


def projects(quarter: Quarter) -> list[NewsItem]:
    """Industrial projects added to the tracker in the quarter, then those whose status
    changed in it (an import touches many fields; a status change is the news). Three
    queries."""
    changes = _history_in(IndustrialProject, quarter)
    found = list(
        IndustrialProject.objects.filter(pk__in=list(changes.last))
        .annotate(before_id=_before_quarter(IndustrialProject, quarter))
        .select_related("sector")
        .order_by("name", "pk")
    )
    before = IndustrialProject.history.model.objects.in_bulk(
        [p.before_id for p in found if p.before_id]
    )
    added, moved = [], []
    for project in found:
        last = changes.last[project.pk]
        status = IndustrialProject.Status(last.status).label.lower()
        about = f"{project.sector.name} project in {project.country.name}"
        if project.owner:
            about += f" ({project.owner})"
        previous = before.get(project.before_id)
        if project.pk in changes.added and previous is None:
            start = f", start planned for {project.start_year}" if project.start_year else ""
            text = f"New in the tracker: {about}. Status: {status}{start}."
            added.append(_project_item(project, last, text))
        elif previous is not None and previous.status != last.status:
            was = IndustrialProject.Status(previous.status).label.lower()
            text = f"Status changed from {was} to {status}: {about}."
            moved.append(_project_item(project, last, text))
    return moved + added


def _project_item(project: IndustrialProject, last, text: str) -> NewsItem:
    return NewsItem(
        title=project.name,
        text=text,
        url=project.get_absolute_url(),
        date=timezone.localdate(last.history_date),
        source=f"project:{project.pk}",
    )


def register() -> None:
    # Both sections end with the tracker's recent changes of their kind.
    for key, title, collect, order, kind, summary in (
        ("roadmaps", "New and updated roadmaps", roadmaps, 40, "roadmap",
         ("{n} new or updated roadmap", "{n} new or updated roadmaps")),
        ("projects", "Industrial projects", projects, 50, "project",
         ("{n} industrial project", "{n} industrial projects")),
    ):  # fmt: skip
        register_newsletter_section(
            key=key,
            title=title,
            collect=collect,
            order=order,
            more_what=f"{kind} changes",
            more_url=lambda items, kind=kind: reverse("tracker:changes") + f"?kind={kind}",
            summary=summary,
        )
