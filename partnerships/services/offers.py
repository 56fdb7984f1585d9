"""A member editor's support offers."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members.models import Member

from ..models import OfferCountry, SupportOffer
from .amounts import amounts_apply

OFFER_FIELDS = (
    "title", "kind", "description", "instrument", "open_to_all_countries", "amount_min",
    "amount_max", "opens_on", "closes_on", "contact_name", "contact_email", "visibility",
)  # fmt: skip


def _check_ranges(offer: SupportOffer) -> None:
    errors = {}
    if offer.opens_on and offer.closes_on and offer.closes_on < offer.opens_on:
        errors["closes_on"] = "The window cannot end before it opens."
    low, high = offer.amount_min, offer.amount_max
    if low is not None and high is not None and high < low:
        errors["amount_max"] = "The largest amount cannot be below the smallest."
    if errors:
        raise ValidationError(errors)


def support_offer_save(
    *,
    member: Member,
    offer: SupportOffer | None = None,
    values: dict,
    sectors: Iterable,
    eligible_groups: Iterable,
    countries: Iterable[str],
    currency: str,
    by,
) -> SupportOffer:
    """A new offer of ``member`` (``offer`` None) or an edit of one of its offers.
    ``values``: the fields of ``OFFER_FIELDS``."""
    if offer is None:
        offer = SupportOffer(member=member, created_by=by)
    elif offer.member_id != member.pk:
        raise ValidationError("An offer of another member cannot be changed here.")
    for field in OFFER_FIELDS:
        setattr(offer, field, values.get(field))
    sectors, countries = list(sectors), sorted(set(countries))
    if not sectors:
        raise ValidationError({"sectors": "Name at least one sector."})
    _check_ranges(offer)
    amounts_apply(
        offer,
        fields={"amount_min": "amount_min_usd", "amount_max": "amount_max_usd"},
        currency=currency,
        on=timezone.localdate(),
    )
    offer.full_clean()
    with transaction.atomic():
        offer.save()
        offer.sectors.set(sectors)
        offer.eligible_groups.set(list(eligible_groups))
        offer.eligible_countries.exclude(country__in=countries).delete()
        kept = set(offer.eligible_countries.values_list("country", flat=True))
        OfferCountry.objects.bulk_create(
            [OfferCountry(offer=offer, country=code) for code in countries if code not in kept]
        )
    return offer
