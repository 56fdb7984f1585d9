"""The partnerships overview (/partnerships/): the partnerships with their stage, the totals
(requests, share supported, US dollars requested and committed, pipeline capex by stage)
and the latest changes.

Public records only (``visible_to`` an anonymous visitor), in a constant number of queries
whatever the number of partnerships, requests, commitments or projects. Invented demo
records are counted (nearly all records of a demo portal are), and the totals say how many
of them are demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from members.models import Member

from ..models import (
    Partnership,
    PartnershipStageChange,
    PipelineProject,
    SupportCommitment,
    SupportRequest,
)
from .partnership import PUBLIC, StageLadder, stage_ladder

# Commitments that count as support given: agreed or already delivered.
COUNTED_COMMITMENTS = [SupportCommitment.Status.AGREED, SupportCommitment.Status.DELIVERED]
# Requests that count as supported, partly or fully.
SUPPORTED_REQUESTS = [SupportRequest.Status.PARTLY_SUPPORTED, SupportRequest.Status.SUPPORTED]
LATEST_CHANGES = 12


@dataclass(frozen=True)
class RequestTotals:
    requests: int  # public requests, withdrawn ones left out
    supported: int  # fully supported
    partly_supported: int
    requested_usd: Decimal
    without_usd: int  # requests whose amount (or its conversion) is not recorded
    demo: int
    committed_usd: Decimal  # agreed or delivered commitments
    commitments: int
    commitments_without_usd: int

    @property
    def share_supported(self) -> int | None:
        """Requests with some support (partly or fully), as a whole percent."""
        if not self.requests:
            return None
        return round(100 * (self.supported + self.partly_supported) / self.requests)


@dataclass(frozen=True)
class StageCapex:
    stage: str
    label: str
    projects: int
    capex_usd: Decimal
    without_capex: int


@dataclass(frozen=True)
class PartnershipRow:
    partnership: Partnership  # lead members prefetched
    ladder: StageLadder
    requests: int  # public, withdrawn left out
    projects: int  # public pipeline projects


@dataclass(frozen=True)
class Change:
    """One line of "latest changes": ``kind`` is "stage", "request" or "commitment"."""

    kind: str
    on: date
    partnership: Partnership
    subject: object  # the stage change, the request or the commitment
    is_demo: bool


@dataclass(frozen=True)
class Overview:
    rows: list[PartnershipRow]
    totals: RequestTotals
    capex_by_stage: list[StageCapex]
    changes: list[Change]

    @property
    def demo_partnerships(self) -> int:
        return sum(1 for row in self.rows if row.partnership.is_demo)


def _public_requests():
    return SupportRequest.objects.visible_to(PUBLIC)


def _counted(queryset, column: str = "partnership") -> Subquery:
    """``queryset``'s rows per partnership (by ``column``), as an integer subquery."""
    counts = (
        queryset.filter(**{column: OuterRef("pk")})
        .order_by()
        .values(column)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def partnership_rows() -> list[PartnershipRow]:
    partnerships = Partnership.objects.annotate(
        public_requests=_counted(
            _public_requests().exclude(status=SupportRequest.Status.WITHDRAWN)
        ),
        public_projects=_counted(PipelineProject.objects.visible_to(PUBLIC)),
    ).prefetch_related(Prefetch("lead_members", queryset=Member.objects.public().order_by("name")))
    return [
        PartnershipRow(
            partnership=partnership,
            ladder=stage_ladder(partnership.stage),
            requests=partnership.public_requests,
            projects=partnership.public_projects,
        )
        for partnership in partnerships.order_by("name")
    ]


def request_totals() -> RequestTotals:
    live = ~Q(status=SupportRequest.Status.WITHDRAWN)
    requests = _public_requests().aggregate(
        requests=Count("pk", filter=live),
        supported=Count("pk", filter=Q(status=SupportRequest.Status.SUPPORTED)),
        partly=Count("pk", filter=Q(status=SupportRequest.Status.PARTLY_SUPPORTED)),
        usd=Sum("amount_usd", filter=live),
        without_usd=Count("pk", filter=live & Q(amount_usd__isnull=True)),
        demo=Count("pk", filter=live & Q(is_demo=True)),
    )
    commitments = (
        SupportCommitment.objects.visible_to(PUBLIC)
        .filter(status__in=COUNTED_COMMITMENTS)
        .aggregate(
            usd=Sum("amount_usd"),
            n=Count("pk"),
            without_usd=Count("pk", filter=Q(amount_usd__isnull=True)),
        )
    )
    return RequestTotals(
        requests=requests["requests"],
        supported=requests["supported"],
        partly_supported=requests["partly"],
        requested_usd=requests["usd"] or Decimal(0),
        without_usd=requests["without_usd"],
        demo=requests["demo"],
        committed_usd=commitments["usd"] or Decimal(0),
        commitments=commitments["n"],
        commitments_without_usd=commitments["without_usd"],
    )


def capex_by_stage() -> list[StageCapex]:
    """Public pipeline projects per stage gate, every stage listed (in gate order) even
    when empty, with their capex in US dollars."""
    rows = {
        row["stage"]: row
        for row in PipelineProject.objects.visible_to(PUBLIC)
        .order_by()
        .values("stage")
        .annotate(
            n=Count("pk"),
            capex=Sum("capex_usd"),
            without=Count("pk", filter=Q(capex_usd__isnull=True)),
        )
    }
    return [
        StageCapex(
            stage=value,
            label=label,
            projects=rows.get(value, {}).get("n", 0),
            capex_usd=rows.get(value, {}).get("capex") or Decimal(0),
            without_capex=rows.get(value, {}).get("without", 0),
        )
        for value, label in PipelineProject.Stage.choices
    ]


def latest_changes(limit: int = LATEST_CHANGES) -> list[Change]:
    """The newest stage changes, public requests and agreed commitments, newest first."""
    stages = PartnershipStageChange.objects.select_related("partnership").order_by(
        "-changed_on", "-id"
    )[:limit]
    requests = (
        _public_requests().select_related("partnership").order_by("-created_at", "-id")[:limit]
    )
    commitments = (
        SupportCommitment.objects.visible_to(PUBLIC)
        .filter(status__in=COUNTED_COMMITMENTS, agreed_on__isnull=False)
        .select_related("request__partnership", "member", "institution", "usd_rate")
        .order_by("-agreed_on", "-id")[:limit]
    )
    changes = [
        Change("stage", c.changed_on, c.partnership, c, c.partnership.is_demo) for c in stages
    ]
    changes += [
        Change(
            "request",
            timezone.localdate(r.created_at),
            r.partnership,
            r,
            r.is_demo or r.partnership.is_demo,
        )
        for r in requests
    ]
    changes += [
        Change(
            "commitment",
            c.agreed_on,
            c.request.partnership,
            c,
            c.is_demo or c.request.is_demo or c.request.partnership.is_demo,
        )
        for c in commitments
    ]
    changes.sort(key=lambda change: change.on, reverse=True)
    return changes[:limit]


def overview() -> Overview:
    return Overview(
        rows=partnership_rows(),
        totals=request_totals(),
        capex_by_stage=capex_by_stage(),
        changes=latest_changes(),
    )
