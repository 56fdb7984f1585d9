"""Reads for the offers: the filtered list /partnerships/offers/ with its facet counts, its
downloads /partnerships/offers/export.<fmt>, and one offer /partnerships/offers/<id>/.

Every read starts from ``SupportOffer.objects.visible_to(user)`` and runs a constant
number of queries whatever the number of offers, providers and eligible countries
(``tests/partnerships/test_offers.py`` asserts it).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.http import QueryDict

from leadit.facets import Facet, FacetOption, choice_facet

from ..filters import OfferFilter
from ..models import OfferCountry, SupportKind, SupportOffer, visible_levels
from .needs import country_facet, sector_facet, visible_rows


def visible_offers(*, user) -> QuerySet[SupportOffer]:
    return visible_rows(SupportOffer.objects.visible_to(user))


def shows_contacts(user) -> bool:
    """Offers' contact e-mails are for those who see members' records: member editors,
    focal points and staff (never the public, nor a cached public page)."""
    return len(visible_levels(user)) > 1


@dataclass(frozen=True)
class OfferList:
    filterset: OfferFilter
    offers: QuerySet[SupportOffer]  # filtered and sorted, with what a row shows
    facets: list[Facet]


def offer_list(*, data: QueryDict, user, with_facets: bool = True) -> OfferList:
    """The offers ``user`` may see, filtered and sorted by ``data``, each with its provider,
    sectors and eligible countries and groups; with ``with_facets``, facet counts."""
    filterset = OfferFilter(data, queryset=visible_offers(user=user))
    offers = filterset.qs.select_related("member", "institution", "usd_rate").prefetch_related(
        "sectors", "eligible_countries", "eligible_groups"
    )
    facets = _facets(filterset) if with_facets else []
    return OfferList(filterset=filterset, offers=offers, facets=facets)


def _eligible_counts(filterset: OfferFilter) -> tuple[int, dict[str, int]]:
    """The offers open to every country, and for each country named by an offer (or one
    of its groups) those it may ask for, with every other filter kept: three queries."""
    without = filterset.queryset_without("country")
    open_to_all = without.filter(open_to_all_countries=True).count()
    named = without.filter(open_to_all_countries=False).order_by().values("pk")
    pairs = set(
        OfferCountry.objects.filter(offer__in=named).values_list("country", "offer_id")
    ) | set(
        SupportOffer.objects.filter(pk__in=named).values_list(
            "eligible_groups__memberships__country", "pk"
        )
    )
    offers_by_country: dict[str, set[int]] = defaultdict(set)
    for country, offer_id in pairs:
        if country:
            offers_by_country[country].add(offer_id)
    return open_to_all, {
        country: open_to_all + len(ids) for country, ids in offers_by_country.items()
    }


def _provider_facet(filterset: OfferFilter) -> Facet:
    """Every member and institution with an offer the visitor may see, by name."""
    without = filterset.queryset_without("provider").values("pk")
    rows = (
        filterset.queryset.order_by()
        .values_list("member__slug", "member__name", "institution__slug", "institution__name")
        .annotate(n=Count("pk", filter=Q(pk__in=without)))
    )
    selected = filterset.selected("provider")
    options = [
        FacetOption(slug, name, n, slug == selected)
        for member_slug, member_name, institution_slug, institution_name, n in rows
        for slug, name in [(member_slug or institution_slug, member_name or institution_name)]
    ]
    return Facet("provider", "Offered by", sorted(options, key=lambda option: option.label))


def _facets(filterset: OfferFilter) -> list[Facet]:
    open_to_all, counts = _eligible_counts(filterset)
    return [
        choice_facet(filterset, "kind", SupportKind.choices, filterset.counts("kind")),
        sector_facet(filterset),
        country_facet(filterset, counts, otherwise=open_to_all),
        choice_facet(
            filterset, "instrument", SupportOffer.Instrument.choices, filterset.counts("instrument")
        ),
        _provider_facet(filterset),
    ]


def offers_last_updated(*, user) -> datetime.datetime | None:
    return visible_offers(user=user).aggregate(last=Max("updated_at"))["last"]


def offer_detail_queryset(*, user) -> QuerySet[SupportOffer]:
    """The offers ``user`` may open, with provider, sectors, eligible countries and groups."""
    return (
        SupportOffer.objects.visible_to(user)
        .select_related("member", "institution", "usd_rate")
        .prefetch_related("sectors", "eligible_countries", "eligible_groups")
    )
