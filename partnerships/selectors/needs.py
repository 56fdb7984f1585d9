"""Reads for the needs board: the filtered list /partnerships/needs/ with its facet counts,
its downloads /partnerships/needs/export.<fmt>, and one need /partnerships/needs/<id>/.

Every read starts from ``SupportRequest.objects.visible_to(user)``: a members' or
secretariat record never reaches a visitor who may not see it, not even as a count. Each
runs a constant number of queries whatever the number of needs, sectors and commitments
(``tests/partnerships/test_needs_board.py`` asserts it).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.translation import get_language

from leadit.countries import country_name
from leadit.facets import Facet, FacetOption, choice_facet
from tracker.models import Sector

from ..filters import DECLINED, NeedFilter, PartnershipListFilter
from ..models import (
    AMOUNT,
    Partnership,
    SupportCommitment,
    SupportKind,
    SupportOffer,
    SupportRequest,
)

# What counts as committed money: a supporter has agreed to it or delivered it.
COMMITTED_STATUSES = (SupportCommitment.Status.AGREED, SupportCommitment.Status.DELIVERED)


def visible_needs(*, user) -> QuerySet[SupportRequest]:
    return SupportRequest.objects.visible_to(user)


def _commitments_of_row(statuses: Iterable[str] | None = None) -> QuerySet:
    commitments = SupportCommitment.objects.filter(request=OuterRef("pk"))
    if statuses is None:
        commitments = commitments.exclude(status=DECLINED)
    else:
        commitments = commitments.filter(status__in=statuses)
    return commitments.order_by().values("request")


def with_commitment_totals(needs: QuerySet[SupportRequest]) -> QuerySet[SupportRequest]:
    """Each need with ``live_commitments`` (supporters not declined), ``committed`` (how
    many agreed or delivered) and ``committed_usd`` (their sum in US dollars: 0 when there
    are none, None when none of them records an amount)."""
    live = _commitments_of_row().annotate(n=Count("pk")).values("n")
    committed = _commitments_of_row(COMMITTED_STATUSES)
    return needs.annotate(
        live_commitments=Coalesce(Subquery(live, output_field=IntegerField()), 0),
        committed=Coalesce(
            Subquery(committed.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            0,
        ),
        committed_sum=Subquery(committed.annotate(s=Sum("amount_usd")).values("s")),
    ).annotate(
        committed_usd=Case(
            When(committed=0, then=Value(Decimal(0))),
            default=F("committed_sum"),
            output_field=DecimalField(**AMOUNT),
        )
    )


@dataclass(frozen=True)
class NeedsBoard:
    filterset: NeedFilter
    needs: QuerySet[SupportRequest]  # filtered and sorted, with what a row shows
    facets: list[Facet]


def needs_board(*, data: QueryDict, user, with_facets: bool = True) -> NeedsBoard:
    """The needs ``user`` may see, filtered and sorted by ``data`` (the query string), each
    with its partnership, sectors and commitment totals; with ``with_facets``, the count
    of each facet option with every *other* filter kept."""
    filterset = NeedFilter(data, queryset=visible_needs(user=user))
    needs = with_commitment_totals(
        filterset.qs.select_related("partnership", "requesting_member", "usd_rate")
    ).prefetch_related("sectors")
    facets = _facets(filterset) if with_facets else []
    return NeedsBoard(filterset=filterset, needs=needs, facets=facets)


@functools.lru_cache(maxsize=1024)
def _country_label(code: str, language: str | None) -> str:
    """A country's name in ``language``: translating it takes longer than the rest of a
    facet option, and every list names each partnership's country on every render."""
    return country_name(code)


def country_facet(
    filterset: PartnershipListFilter, counts: dict[str, int], *, otherwise: int = 0
) -> Facet:
    """Every partnership's country, by name, with ``counts`` (``otherwise`` when absent)."""
    codes = Partnership.objects.order_by().values_list("country", flat=True)
    selected = filterset.selected("country")
    language = get_language()
    options = [
        FacetOption(
            code, _country_label(code, language), counts.get(code, otherwise), code == selected
        )
        for code in codes
    ]
    return Facet("country", "Country", sorted(options, key=lambda option: option.label))


def sector_facet(filterset: PartnershipListFilter) -> Facet:
    counts = filterset.counts("sector", "sectors__slug")
    sectors = Sector.objects.values_list("slug", "name")
    return choice_facet(filterset, "sector", sectors, counts)


def _facets(filterset: NeedFilter) -> list[Facet]:
    return [
        country_facet(filterset, filterset.counts("country", "partnership__country")),
        sector_facet(filterset),
        choice_facet(filterset, "kind", SupportKind.choices, filterset.counts("kind")),
        choice_facet(
            filterset, "status", SupportRequest.Status.choices, filterset.counts("status")
        ),
    ]


def needs_last_updated(*, user) -> datetime.datetime | None:
    """When a need the visitor may see last changed."""
    return visible_needs(user=user).aggregate(last=Max("updated_at"))["last"]


def need_detail_queryset(*, user) -> QuerySet[SupportRequest]:
    """The needs ``user`` may open, with what the page shows: partnership, sectors, and
    the commitments (supporter, status, amount), newest first."""
    # The offer a commitment came through is named only to those who may see that offer.
    offer_visible = Exists(SupportOffer.objects.visible_to(user).filter(pk=OuterRef("offer_id")))
    commitments = SupportCommitment.objects.select_related(
        "member", "institution", "offer"
    ).annotate(offer_visible=offer_visible)
    return (
        SupportRequest.objects.visible_to(user)
        .select_related("partnership", "requesting_member", "usd_rate")
        .prefetch_related("sectors", Prefetch("commitments", queryset=commitments))
    )
