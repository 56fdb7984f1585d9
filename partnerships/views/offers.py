"""The offers /partnerships/offers/ (filters in the query string), their downloads
/partnerships/offers/export.csv|.xlsx|.json (exactly the filtered list) and one offer
/partnerships/offers/<id>/.

An offer's contact e-mail is shown only to those who see members' records (member editors,
focal points, staff): never to the public, so never in a cached page or a download. The
pages also expire every 15 minutes, since whether an offer is open depends on the day; the
list's content is cached as a fragment per audience, filters, page and day (``.fragments``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from leadit.access import permitted_or_404
from leadit.cache import cache_public_page

from ..exports import ListDownload, demo_cell, list_page_context, rate_date
from ..filters import OfferFilter
from ..models import SupportOffer
from ..selectors.offers import (
    offer_detail_queryset,
    offer_list,
    offers_last_updated,
    shows_contacts,
)
from ..signals import PAGES_NAMESPACE
from .fragments import cached_list_body, list_reads

OFFERS_PER_PAGE = 25
# Whether an offer is open today changes at midnight.
OFFER_PAGE_TIMEOUT = 15 * 60

OFFER_COLUMNS = [
    "id",
    "title",
    "demo_record",
    "provider",
    "provider_type",
    "kind",
    "instrument",
    "sectors",
    "eligible",
    "amount_min",
    "amount_max",
    "currency",
    "amount_min_usd",
    "amount_max_usd",
    "usd_rate_as_of",
    "opens_on",
    "closes_on",
    "description",
    "updated_on",
    "url",
]


@cache_public_page(PAGES_NAMESPACE, timeout=OFFER_PAGE_TIMEOUT, reads=list_reads(OfferFilter))
def offer_list_page(request: HttpRequest) -> HttpResponse:
    body = cached_list_body(
        request,
        name="offers",
        filterset_class=OfferFilter,
        template="partnerships/includes/offer_list_body.html",
        build=_offer_list_context,
    )
    return render(request, "partnerships/offer_list.html", body)


def _offer_list_context(request: HttpRequest) -> dict:
    """The list's content: the filters with their counts, the page of offers, the
    downloads."""
    offers = offer_list(data=request.GET, user=request.user)
    context = list_page_context(
        request,
        offers.filterset,
        offers.offers,
        per_page=OFFERS_PER_PAGE,
        list_url_name="partnerships:offers",
        export_url_name="partnerships:offers_export",
    )
    context.update(
        offers=context["page_obj"].object_list,
        facets=offers.facets,
        open_only="open" in offers.filterset.applied(),
        today=timezone.localdate(),
        last_updated=offers_last_updated(user=request.user),
    )
    return context


@cache_public_page(PAGES_NAMESPACE, timeout=OFFER_PAGE_TIMEOUT)
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = permitted_or_404(
        request,
        offer_detail_queryset(user=request.user),
        what="support offer",
        identifier=pk,
        action="see",
        pk=pk,
    )
    context = {
        "offer": offer,
        "today": timezone.localdate(),
        "show_contact": shows_contacts(request.user),
    }
    return render(request, "partnerships/offer_detail.html", context)


def eligibility(offer: SupportOffer) -> str:
    """Who may ask: every country, or the countries and groups listed."""
    if offer.open_to_all_countries:
        return "All emerging and developing economies"
    places = [place.country.name for place in offer.eligible_countries.all()]
    places += [group.name for group in offer.eligible_groups.all()]
    return "; ".join(places)


def offer_row(request: HttpRequest, offer: SupportOffer) -> dict:
    """One offer as a download row (``OFFER_COLUMNS``): no contact details, which are for
    members only."""
    return {
        "id": offer.pk,
        "title": offer.title,
        "demo_record": demo_cell(offer.is_demo),
        "provider": offer.provider.name,
        "provider_type": "LeadIT member"
        if offer.member_id
        else offer.institution.get_kind_display(),
        "kind": offer.get_kind_display(),
        "instrument": offer.get_instrument_display(),
        "sectors": "; ".join(sector.name for sector in offer.sectors.all()),
        "eligible": eligibility(offer),
        "amount_min": offer.amount_min,
        "amount_max": offer.amount_max,
        "currency": offer.currency,
        "amount_min_usd": offer.amount_min_usd,
        "amount_max_usd": offer.amount_max_usd,
        "usd_rate_as_of": rate_date(offer),
        "opens_on": offer.opens_on,
        "closes_on": offer.closes_on,
        "description": offer.description,
        "updated_on": offer.updated_at.date(),
        "url": request.build_absolute_uri(offer.get_absolute_url()),
    }


OFFERS_DOWNLOAD = ListDownload(
    name="offers",
    title="Support offers",
    list_url_name="partnerships:offers",
    columns=OFFER_COLUMNS,
    row=offer_row,
)


@cache_public_page(PAGES_NAMESPACE, timeout=OFFER_PAGE_TIMEOUT)
def offer_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The offers exactly as filtered and sorted (every page), as CSV, XLSX or JSON."""
    offers = offer_list(data=request.GET, user=request.user, with_facets=False)
    return OFFERS_DOWNLOAD.response(request, fmt, filterset=offers.filterset, records=offers.offers)
