"""One partnership's public page (/partnerships/<iso2>/): its stage ladder and dated history,
plan outcomes with their progress, requests, the coordination matrix (requests ×
supporters), pipeline projects and sources.

Only public records: every read goes through the querysets' ``visible_to`` for an anonymous
visitor, whoever asks (a signed-in member gets the same page, only never from the cache).
The page reads in a constant number of queries, whatever the number of requests,
commitments, outcomes or projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch

from members.models import Member

from ..models import (
    OutcomeMeasurement,
    PartnerInstitution,
    Partnership,
    PipelineProject,
    SupportCommitment,
    SupportRequest,
)

# Public pages read as the public does: never more, whoever is signed in.
PUBLIC = AnonymousUser()

# --- The stage ladder ---------------------------------------------------------------------


@dataclass(frozen=True)
class StageStep:
    value: str
    label: str
    reached: bool
    current: bool
    on: date | None  # when the partnership (last) reached this stage, if recorded


@dataclass(frozen=True)
class StageLadder:
    steps: list[StageStep]
    label: str
    rank: int  # 1-based
    total: int


def stage_ladder(stage: str, reached_on: dict[str, date] | None = None) -> StageLadder:
    """The ladder of a partnership at ``stage``: every stage, those up to ``stage`` reached,
    with the dates in ``reached_on`` (stage → date) where known. No query."""
    reached_on = reached_on or {}
    rank = Partnership.stage_rank(stage)
    steps = [
        StageStep(
            value=value,
            label=label,
            reached=index <= rank,
            current=index == rank,
            on=reached_on.get(value) if index <= rank else None,
        )
        for index, (value, label) in enumerate(Partnership.Stage.choices)
    ]
    return StageLadder(
        steps=steps, label=Partnership.Stage(stage).label, rank=rank + 1, total=len(steps)
    )


def _ladder_of(partnership: Partnership) -> StageLadder:
    """The ladder with dates from the partnership's history (prefetched ``stage_changes``):
    the latest time each stage was reached; the current stage since ``stage_since``."""
    reached_on = {change.stage: change.changed_on for change in partnership.stage_changes.all()}
    reached_on[partnership.stage] = partnership.stage_since
    return stage_ladder(partnership.stage, reached_on)


# --- Plan outcomes ------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeProgress:
    outcome: object  # Outcome, with its measurements prefetched in date order
    latest: OutcomeMeasurement | None
    percent: int | None  # how far from baseline towards target, 0–100; None: not measured

    @property
    def measurements(self) -> list[OutcomeMeasurement]:
        return list(self.outcome.measurements.all())


def outcome_percent(baseline: Decimal, target: Decimal, value: Decimal) -> int:
    """How far ``value`` has come from ``baseline`` towards ``target``, as a whole percent
    from 0 to 100; works for targets above or below the baseline (a reduction)."""
    span = target - baseline
    if span == 0:
        return 100 if value == target else 0
    share = (value - baseline) / span
    return int(max(Decimal(0), min(Decimal(1), share)) * 100)


def _outcome_progress(outcome) -> OutcomeProgress:
    measurements = list(outcome.measurements.all())
    latest = measurements[-1] if measurements else None
    percent = outcome_percent(outcome.baseline, outcome.target, latest.value) if latest else None
    return OutcomeProgress(outcome=outcome, latest=latest, percent=percent)


# --- The coordination matrix --------------------------------------------------------------


@dataclass(frozen=True)
class Supporter:
    key: tuple[str, int]  # ("member" | "institution", id)
    name: str
    url: str  # a member's profile, an institution's website, or ""
    is_demo: bool
    kind: str  # "LeadIT member" or the institution's kind


@dataclass(frozen=True)
class MatrixRow:
    request: SupportRequest
    cells: list[list[SupportCommitment]]  # one list per supporter, in the columns' order


@dataclass(frozen=True)
class CoordinationMatrix:
    supporters: list[Supporter]
    rows: list[MatrixRow]

    @property
    def commitment_count(self) -> int:
        return sum(len(cell) for row in self.rows for cell in row.cells)


def _supporter(commitment: SupportCommitment) -> Supporter:
    if commitment.member_id:
        member = commitment.member
        # A prospective member has no public profile to link to (Member.objects.public).
        url = "" if member.status == Member.Status.PROSPECTIVE else member.get_absolute_url()
        return Supporter(("member", member.pk), member.name, url, member.is_demo, "LeadIT member")
    institution: PartnerInstitution = commitment.institution
    return Supporter(
        ("institution", institution.pk), institution.name, institution.website,
        institution.is_demo, institution.get_kind_display(),
    )  # fmt: skip


def coordination_matrix(
    requests: list[SupportRequest], commitments: list[SupportCommitment]
) -> CoordinationMatrix:
    """Requests × supporters: each cell the commitments of that supporter to that request
    (usually one; a declined one and a new one may both be there). Supporters by name."""
    supporters: dict[tuple[str, int], Supporter] = {}
    by_cell: dict[tuple[int, tuple[str, int]], list[SupportCommitment]] = {}
    for commitment in commitments:
        supporter = _supporter(commitment)
        supporters.setdefault(supporter.key, supporter)
        by_cell.setdefault((commitment.request_id, supporter.key), []).append(commitment)
    columns = sorted(supporters.values(), key=lambda s: (s.name.casefold(), s.key))
    rows = [
        MatrixRow(request, [by_cell.get((request.pk, s.key), []) for s in columns])
        for request in requests
    ]
    return CoordinationMatrix(supporters=columns, rows=rows)


# --- The page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnershipPage:
    partnership: Partnership
    ladder: StageLadder
    history: list  # PartnershipStageChange, oldest first
    outcomes: list[OutcomeProgress]
    requests: list[SupportRequest]
    matrix: CoordinationMatrix
    projects: list[PipelineProject]
    sources: list
    last_updated: datetime


def _public_rows(queryset, partnership: Partnership, *, path: str, related: tuple, order: tuple):
    """The public rows of ``queryset`` that belong to ``partnership`` (through ``path``)."""
    return list(
        queryset.visible_to(PUBLIC)
        .filter(**{path: partnership})
        .select_related(*related)
        .order_by(*order)
    )


def partnership_page(*, code: str) -> PartnershipPage | None:
    """The public page of the partnership with the country ``code`` (upper-case ISO
    alpha-2), or None if there is none."""
    partnership = (
        Partnership.objects.filter(country=code)
        .prefetch_related(
            Prefetch("lead_members", queryset=Member.objects.public().order_by("name")),
            Prefetch("supporting_members", queryset=Member.objects.public().order_by("name")),
            "stage_changes",
            "sources",
            Prefetch(
                "outcomes__measurements",
                queryset=OutcomeMeasurement.objects.order_by("measured_on", "id"),
            ),
        )
        .first()
    )
    if partnership is None:
        return None
    requests = _public_rows(
        SupportRequest.objects.prefetch_related("sectors"),
        partnership,
        path="partnership",
        related=("usd_rate", "requesting_member"),
        order=("-created_at", "-id"),
    )
    commitments = _public_rows(
        SupportCommitment.objects,
        partnership,
        path="request__partnership",
        related=("member", "institution", "usd_rate"),
        order=("proposed_on", "id"),
    )
    projects = _public_rows(
        PipelineProject.objects,
        partnership,
        path="partnership",
        related=("sector", "usd_rate"),
        order=("name",),
    )
    stamps = [partnership.updated_at] + [r.updated_at for r in (*requests, *commitments, *projects)]
    return PartnershipPage(
        partnership=partnership,
        ladder=_ladder_of(partnership),
        history=list(partnership.stage_changes.all()),
        outcomes=[_outcome_progress(outcome) for outcome in partnership.outcomes.all()],
        requests=requests,
        matrix=coordination_matrix(requests, commitments),
        projects=projects,
        sources=list(partnership.sources.all()),
        last_updated=max(stamps),
    )
