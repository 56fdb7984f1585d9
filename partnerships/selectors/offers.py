"""Reads for the offers: the filtered list /partnerships/offers/ with its facet counts, its
downloads /partnerships/offers/export.<fmt>, and one offer /partnerships/offers/<id>/.

Every read starts from ``SupportOffer.objects.visible_to(user)`` and runs a constant
number of queries whatever the number of offers, providers and eligible countries
(``tests/partnerships/test_offers.py`` asserts it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet
from django.http import QueryDict

from leadit.facets import Facet, FacetOption, choice_facet
from tracker.models import CountryGroupMembership

from ..filters import OfferFilter
from ..models import OfferCountry, SupportKind, SupportOffer, visible_levels
from .needs import country_facet, sector_facet


def visible_offers(*, user) -> QuerySet[SupportOffer]:
    return SupportOffer.objects.visible_to(user)


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


def _offers_per_country(rows: QuerySet, offer: str) -> dict[str, int]:
    """``rows`` (with a ``country``) counted per country, each offer once."""
    counted = rows.order_by().values_list("country").annotate(n=Count(offer, distinct=True))
    return dict(counted)


def _eligible_counts(filterset: OfferFilter) -> tuple[int, dict[str, int]]:
    """The offers open to every country, and for each country named by an offer (or one
    of its groups) those it may ask for, with every other filter kept: four queries, each
    counting in the database (an offer's groups can hold tens of thousands of countries
    across offers: too many rows to count in Python)."""
    without = filterset.queryset_without("country")
    open_to_all = without.filter(open_to_all_countries=True).count()
    named = without.filter(open_to_all_countries=False).order_by().values("pk")
    listed = OfferCountry.objects.filter(offer__in=named)
    by_list = _offers_per_country(listed, "offer")
    by_group = _offers_per_country(
        CountryGroupMembership.objects.filter(group__support_offers__in=named),
        "group__support_offers",
    )
    # An offer that lists a country and also a group holding it counts once.
    twice = _offers_per_country(
        listed.filter(offer__eligible_groups__memberships__country=F("country")), "offer"
    )
    return open_to_all, {
        country: open_to_all + by_list.get(country, 0) + n - twice.get(country, 0)
        for country, n in {**dict.fromkeys(by_list, 0), **by_group}.items()
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
