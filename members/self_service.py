"""Reads (selectors) of the member self-service pages and the dashboard.

Kept apart from ``selectors.py`` (the public pages' reads) so each stays small.

Staleness: a member is "stale" when it has published nothing on or since the date of the
most recent milestone that has already happened (a COP, a UN summit).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .models import (
    Commitment,
    ImpactStory,
    Member,
    MemberCommitment,
    Milestone,
    Pillar,
    PillarEngagement,
    ProgressUpdate,
)

# --- Milestones and staleness ----------------------------------------------------------


def milestone_last_past(*, today: datetime.date | None = None) -> Milestone | None:
    """The most recent milestone on or before today: what members should have reported on."""
    today = today or timezone.localdate()
    return Milestone.objects.filter(date__lte=today).order_by("-date").first()


def milestones_upcoming(*, today: datetime.date | None = None, limit: int = 5) -> list[Milestone]:
    today = today or timezone.localdate()
    return list(Milestone.objects.filter(date__gt=today).order_by("date")[:limit])


def is_stale(*, last_published_at: datetime.datetime | None, milestone: Milestone | None) -> bool:
    """No published update on or since the date of ``milestone`` (never stale without one)."""
    if milestone is None:
        return False
    if last_published_at is None:
        return True
    return timezone.localdate(last_published_at) < milestone.date


def members_with_progress(
    queryset: QuerySet[Member], *, milestone: Milestone | None
) -> list[Member]:
    """``queryset`` in one query, each member annotated with ``last_published_at``,
    ``draft_count`` and ``hidden_count``, and flagged ``is_stale`` against ``milestone``."""
    members = list(
        queryset.annotate(
            last_published_at=Max(
                "progress_updates__published_at",
                filter=Q(progress_updates__status=ProgressUpdate.Status.PUBLISHED),
            ),
            draft_count=Count(
                "progress_updates",
                filter=Q(progress_updates__status=ProgressUpdate.Status.DRAFT),
            ),
            hidden_count=Count(
                "progress_updates",
                filter=Q(progress_updates__status=ProgressUpdate.Status.HIDDEN),
            ),
        )
    )
    for member in members:
        member.is_stale = is_stale(last_published_at=member.last_published_at, milestone=milestone)
    return members


# --- A member's recent changes (the "history" page) -------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    what: str  # "Profile", "Commitment: …", "Progress update “…”"
    action: str  # "Created", "Changed", "Deleted"
    fields: list[str]  # labels of the fields that changed (for "Changed")


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _recent_records(history_manager, *, limit: int, **filters) -> list:
    """The newest ``limit`` historical records matching ``filters``, each with the record
    before it (``prev``) attached: two queries, whatever the number of records."""
    model = history_manager.model
    previous = (
        model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date")
        .values("history_id")[:1]
    )
    records = list(
        model.objects.filter(**filters)
        .select_related("history_user")
        .annotate(prev_history_id=Subquery(previous))
        .order_by("-history_date")[:limit]
    )
    prev_ids = [r.prev_history_id for r in records if r.prev_history_id]
    prevs = model.objects.in_bulk(prev_ids) if prev_ids else {}
    for record in records:
        record.prev = prevs.get(record.prev_history_id)
    return records


def _changed_fields(record) -> list[str]:
    if record.history_type != "~" or record.prev is None:
        return []
    delta = record.diff_against(record.prev)
    opts = record.instance_type._meta
    return [str(opts.get_field(name).verbose_name) for name in delta.changed_fields]


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return "system"
    return user.email or user.get_username()


def member_history(*, member: Member, limit: int = 50) -> list[HistoryEntry]:
    """Recent changes to ``member`` and to its commitments, pillar engagements, progress
    updates and impact stories, newest first, at most ``limit``.

    About a dozen queries whatever the length of the history (two per model, the names of
    commitments and pillars, and the sectors of profile changes)."""
    sources = [
        ("profile", _recent_records(Member.history, limit=limit, id=member.pk)),
        (
            "commitment",
            _recent_records(MemberCommitment.history, limit=limit, member_id=member.pk),
        ),
        ("pillar", _recent_records(PillarEngagement.history, limit=limit, member_id=member.pk)),
        ("update", _recent_records(ProgressUpdate.history, limit=limit, member_id=member.pk)),
        ("story", _recent_records(ImpactStory.history, limit=limit, member_id=member.pk)),
    ]
    tagged = sorted(
        ((kind, record) for kind, records in sources for record in records),
        key=lambda pair: pair[1].history_date,
        reverse=True,
    )[:limit]
    commitment_ids = {r.commitment_id for kind, r in tagged if kind == "commitment"}
    pillar_ids = {r.pillar_id for kind, r in tagged if kind == "pillar"}
    commitments = Commitment.objects.in_bulk(commitment_ids) if commitment_ids else {}
    pillars = Pillar.objects.in_bulk(pillar_ids) if pillar_ids else {}

    def describe(kind: str, record) -> str:
        if kind == "profile":
            return "Profile"
        if kind == "commitment":
            return f"Commitment: {commitments.get(record.commitment_id, 'a removed commitment')}"
        if kind == "pillar":
            return f"Pillar engagement: {pillars.get(record.pillar_id, 'a removed pillar')}"
        if kind == "update":
            return f"Progress update “{record.title}”"
        return f"Impact story “{record.title}”"

    return [
        HistoryEntry(
            when=record.history_date,
            who=_who(record),
            what=describe(kind, record),
            action=_ACTIONS.get(record.history_type, record.history_type),
            fields=_changed_fields(record),
        )
        for kind, record in tagged
    ]
