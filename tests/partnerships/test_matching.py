"""Suggested matches: which offers the secretariat is shown for an open request, in which
order, with which reasons, and what accepting one writes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.matching import suggested_matches, suggestions_for
from partnerships.models import SupportCommitment, SupportKind, SupportRequest
from partnerships.services.matches import match_accept
from tests.factories.members import MemberFactory, SectorFactory
from tests.factories.partnerships import (
    InstitutionOfferFactory,
    OfferCountryFactory,
    PartnershipFactory,
    SupportCommitmentFactory,
    SupportOfferFactory,
    SupportRequestFactory,
)
from tests.factories.tracker import CountryGroupFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def cement():
    return SectorFactory(name="Cement", slug="cement")


@pytest.fixture
def steel():
    return SectorFactory(name="Iron and steel", slug="steel")


@pytest.fixture
def need(cement):
    india = PartnershipFactory(country="IN", name="India")
    return SupportRequestFactory(
        partnership=india,
        title="Clinker substitution study",
        kind=SupportKind.TECHNICAL_STUDY,
        amount=Decimal("500000"),
        amount_usd=Decimal("500000"),
        sectors=[cement],
    )


def _offer(title, **kwargs):
    kwargs.setdefault("open_to_all_countries", False)
    return SupportOfferFactory(title=title, **kwargs)


def test_offers_are_ranked_country_then_kind_then_sector_then_amount(need, cement, steel):
    group = CountryGroupFactory(slug="south-asia", countries=["IN", "BD"])
    perfect = _offer("Perfect", sectors=[cement], open_to_all_countries=True)
    by_group = _offer(
        "By group", sectors=[cement], eligible_groups=[group], amount_max=Decimal("100000"),
        amount_max_usd=Decimal("100000"), amount_min=None, amount_min_usd=None,
    )  # fmt: skip
    wrong_kind = _offer("Wrong kind", kind=SupportKind.GRANT, sectors=[cement])
    OfferCountryFactory(offer=wrong_kind, country="IN")
    not_eligible = _offer("Not eligible", sectors=[cement])
    other_sector = _offer("Other sector", sectors=[steel], open_to_all_countries=True)
    _offer("Unrelated", kind=SupportKind.EQUITY, sectors=[steel], open_to_all_countries=True)

    suggestions = suggestions_for(need, today=TODAY)

    assert [s.offer.title for s in suggestions] == [
        "Perfect",  # country, kind, sector, amount
        "By group",  # country, kind, sector; amount above the offer's ceiling
        "Other sector",  # country, kind
        "Wrong kind",  # country, sector
        "Not eligible",  # kind, sector
    ]
    texts = {s.offer: s.reasons_text() for s in suggestions}
    assert texts[perfect] == (
        "sector ✓ cement · kind ✓ technical study · country eligible ✓ · amount fits ✓"
    )
    assert texts[by_group].endswith("country eligible ✓ · amount fits ✗")
    assert texts[other_sector].startswith("sector ✗ · kind ✓ technical study")
    assert texts[not_eligible].split(" · ")[2] == "country eligible ✗"


def test_amount_not_recorded_is_said_so(need, cement):
    _offer("No range", sectors=[cement], amount_min=None, amount_max=None, currency="",
           amount_min_usd=None, amount_max_usd=None, open_to_all_countries=True)  # fmt: skip
    need.amount = need.amount_usd = None
    need.save()

    (only,) = suggestions_for(need, today=TODAY)
    assert only.reasons_text().endswith("amount fits not recorded")


def test_closed_offers_and_providers_already_proposed_are_not_suggested(need, cement):
    _offer("Closed yesterday", sectors=[cement], closes_on=TODAY - datetime.timedelta(days=1))
    _offer("Opens tomorrow", sectors=[cement], opens_on=TODAY + datetime.timedelta(days=1))
    proposed = _offer("Already proposed", sectors=[cement])
    SupportCommitmentFactory(request=need, member=proposed.member, status="proposed")
    declined = _offer("Declined before", sectors=[cement])
    SupportCommitmentFactory(request=need, member=declined.member, status="declined")
    _offer("Open until today", sectors=[cement], closes_on=TODAY)

    titles = [s.offer.title for s in suggestions_for(need, today=TODAY)]

    assert sorted(titles) == ["Declined before", "Open until today"]


def test_a_request_no_longer_open_has_no_suggestions(need, cement):
    _offer("Fits", sectors=[cement], open_to_all_countries=True)
    need.status = SupportRequest.Status.SUPPORTED
    need.save()

    assert suggestions_for(need, today=TODAY) == []


def test_suggestions_of_many_requests_take_the_same_queries_as_of_few(cement, steel):
    def build(count):
        requests = []
        for _ in range(count):
            requests.append(SupportRequestFactory(sectors=[cement, steel]))
            _offer("Offer", sectors=[cement], open_to_all_countries=True)
            InstitutionOfferFactory(sectors=[steel])
        return list(SupportRequest.objects.prefetch_related("sectors"))

    few = build(2)
    with CaptureQueriesContext(connection) as small:
        suggested_matches(few, today=TODAY)
    many = build(8)
    with CaptureQueriesContext(connection) as large:
        result = suggested_matches(many, today=TODAY, limit=3)
    assert len(large) == len(small)
    assert all(len(found) == 3 for found in result.values())


def test_accepting_a_suggestion_proposes_a_commitment_once(need, cement, staff_user):
    member = MemberFactory(name="Steelco")
    offer = _offer("Fits", member=member, sectors=[cement], open_to_all_countries=True)

    commitment = match_accept(request=need, offer=offer, user=staff_user)

    assert (commitment.member, commitment.offer, commitment.status) == (
        member,
        offer,
        SupportCommitment.Status.PROPOSED,
    )
    assert commitment.proposed_by == staff_user
    assert suggestions_for(need) == []
    with pytest.raises(ValidationError, match="no longer a suggested match"):
        match_accept(request=need, offer=offer, user=staff_user)
    assert SupportCommitment.objects.count() == 1
