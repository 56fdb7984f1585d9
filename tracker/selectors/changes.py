"""Recent changes to the Tracker's data (/tracker/changes/), read from the history tables
that django-simple-history keeps for roadmaps, targets, industrial projects and sources.

A change is one history row: what (the object, as it was named then), when, added /
changed / deleted, and which fields changed compared with the row before it (list fields
such as a roadmap's sectors included). The read takes a fixed number of queries whatever
the size of the history: per kind, one for the newest rows (each with the id of the row
before it), one for those earlier rows, one per list field; then one for the roadmaps and
one for the projects the changes link to.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db.models import Model, OuterRef, Q, Subquery
from django.urls import reverse
from django_countries import countries

from ..models import IndustrialProject, Roadmap, Source, Target

# Bookkeeping fields that change on every save and mean nothing to a reader.
IGNORED_FIELDS = {"id", "updated_at", "created_at"}
ACTIONS = {"+": "Added", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class ChangeKind:
    slug: str  # the ?kind= value
    label: str
    model: type[Model]
    m2m: tuple[str, ...] = ()  # list fields whose history is kept


KINDS = {
    kind.slug: kind
    for kind in (
        ChangeKind("roadmap", "Roadmap", Roadmap, ("sectors", "instruments")),
        ChangeKind("target", "Target", Target),
        ChangeKind("project", "Industrial project", IndustrialProject, ("technologies",)),
        ChangeKind("source", "Roadmap source", Source),
    )
}


@dataclass
class Change:
    kind: ChangeKind
    action: str  # Added | Changed | Deleted
    when: datetime
    title: str
    url: str = ""  # empty if the object (or what it belongs to) no longer exists
    context: str = ""  # e.g. the roadmap a target belongs to
    fields: list[str] = field(default_factory=list)  # names of the changed fields
    # internal, for linking
    object_id: int = 0
    roadmap_id: int | None = None
    country: str = ""


def _history_model(kind: ChangeKind):
    return kind.model.history.model


def _newest(kind: ChangeKind, limit: int) -> list:
    history = _history_model(kind)
    before = (
        history.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return list(
        history.objects.annotate(previous_id=Subquery(before)).order_by(
            "-history_date", "-history_id"
        )[:limit]
    )


def _m2m_snapshots(kind: ChangeKind, name: str, history_ids: Iterable[int]) -> dict:
    """history_id → frozenset of related ids, for the list field ``name``."""
    m2m = apps.get_model(kind.model._meta.app_label, f"{_history_model(kind).__name__}_{name}")
    related = kind.model._meta.get_field(name).related_model._meta.model_name
    snapshots: dict[int, set] = {}
    for history_id, related_id in m2m.objects.filter(history_id__in=list(history_ids)).values_list(
        "history_id", f"{related}_id"
    ):
        snapshots.setdefault(history_id, set()).add(related_id)
    return {key: frozenset(value) for key, value in snapshots.items()}


def _changed_fields(kind: ChangeKind, record, previous, snapshots: dict) -> list[str]:
    names = []
    for model_field in _history_model(kind).tracked_fields:
        if model_field.name in IGNORED_FIELDS:
            continue
        if getattr(record, model_field.attname) != getattr(previous, model_field.attname):
            names.append(str(model_field.verbose_name))
    for name, snapshot in snapshots.items():
        empty = frozenset()
        if snapshot.get(record.history_id, empty) != snapshot.get(previous.history_id, empty):
            names.append(str(kind.model._meta.get_field(name).verbose_name))
    return names


def _title(kind: ChangeKind, record) -> str:
    if kind.slug == "roadmap":
        return record.title
    if kind.slug == "project":
        return record.name
    if kind.slug == "source":
        return record.title
    what = record.get_kind_display()
    return f"{what} target for {record.target_year}" + (
        f": {record.description}" if record.description else ""
    )


def _changes_of(kind: ChangeKind, limit: int) -> list[Change]:
    records = _newest(kind, limit * 2)  # room for saves that changed nothing
    previous = _history_model(kind).objects.in_bulk(
        [r.previous_id for r in records if r.previous_id]
    )
    all_ids = [r.history_id for r in records] + list(previous)
    snapshots = {name: _m2m_snapshots(kind, name, all_ids) for name in kind.m2m}
    changes = []
    for record in records:
        action = ACTIONS.get(record.history_type, "Changed")
        fields = []
        if record.history_type == "~" and record.previous_id in previous:
            fields = _changed_fields(kind, record, previous[record.previous_id], snapshots)
            if not fields:
                continue  # saved again without a visible change
        changes.append(
            Change(
                kind=kind,
                action=action,
                when=record.history_date,
                title=_title(kind, record),
                fields=fields,
                object_id=record.id,
                roadmap_id=getattr(record, "roadmap_id", None),
                country=str(getattr(record, "country", "") or ""),
            )
        )
    return changes


def _link(changes: list[Change]) -> None:
    """Give each change a link to its object (or the roadmap it belongs to) if that still
    exists, and a context line: two queries, whatever the number of changes."""
    roadmap_ids = {c.object_id for c in changes if c.kind.slug == "roadmap"}
    roadmap_ids |= {c.roadmap_id for c in changes if c.roadmap_id}
    roadmaps = {
        pk: (slug, title)
        for pk, slug, title in Roadmap.objects.filter(pk__in=roadmap_ids).values_list(
            "pk", "slug", "title"
        )
    }
    project_ids = [c.object_id for c in changes if c.kind.slug == "project"]
    projects = dict(IndustrialProject.objects.filter(pk__in=project_ids).values_list("pk", "slug"))
    for change in changes:
        slug = change.kind.slug
        if slug == "roadmap" and change.object_id in roadmaps:
            change.url = reverse("tracker:roadmap", kwargs={"slug": roadmaps[change.object_id][0]})
        elif slug == "project" and change.object_id in projects:
            change.url = reverse("tracker:project", kwargs={"slug": projects[change.object_id]})
        elif slug in ("target", "source"):
            if change.roadmap_id in roadmaps:
                roadmap_slug, roadmap_title = roadmaps[change.roadmap_id]
                anchor = "#targets" if slug == "target" else "#sources"
                change.url = reverse("tracker:roadmap", kwargs={"slug": roadmap_slug}) + anchor
                change.context = f"in the roadmap “{roadmap_title}”"
            elif slug == "target" and change.country and change.roadmap_id is None:
                change.url = reverse("tracker:country", kwargs={"iso2": change.country})
                change.context = f"for {countries.name(change.country)}"


def recent_changes(*, kind: str = "", limit: int = 50) -> list[Change]:
    """The ``limit`` newest changes, newest first; of one kind (``KINDS``) if given."""
    kinds = [KINDS[kind]] if kind in KINDS else list(KINDS.values())
    changes = []
    for each in kinds:
        changes += _changes_of(each, limit)
    changes.sort(key=lambda change: change.when, reverse=True)
    changes = changes[:limit]
    _link(changes)
    return changes
