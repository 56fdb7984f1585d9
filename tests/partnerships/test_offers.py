"""The offers /partnerships/offers/ and one offer /partnerships/offers/<id>/: who may ask
(open to all, a listed country, a group containing it), open today, by provider; contact
e-mails for signed-in members only; members' offers kept from the public."""

import datetime
import logging
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.models import OfferCountry, SupportKind, SupportOffer, Visibility
from tests.factories.members import EditorFactory, MemberFactory, SectorFactory
from tests.factories.partnerships import (
    FocalPointFactory,
    InstitutionOfferFactory,
    OfferCountryFactory,
    PartnerInstitutionFactory,
    PartnershipFactory,
    SupportOfferFactory,
)
from tests.factories.tracker import CountryGroupFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

OFFERS = reverse("partnerships:offers")


@pytest.fixture
def offers():
    today = timezone.localdate()
    cement = SectorFactory(name="Cement", slug="cement")
    PartnershipFactory(country="IN", name="India partnership")
    PartnershipFactory(country="KE", name="Kenya partnership")
    steelco = MemberFactory(name="Steelco", slug="steelco")
    bank = PartnerInstitutionFactory(name="Demo Green Bank", slug="demo-green-bank")
    east_africa = CountryGroupFactory(name="East Africa", slug="east-africa", countries=["KE"])
    everyone = SupportOfferFactory(
        member=steelco,
        title="Studies for anyone",
        sectors=[cement],
        contact_email="studies@steelco.example",
    )
    india = InstitutionOfferFactory(
        institution=bank,
        title="Grants for India",
        open_to_all_countries=False,
        closes_on=today - datetime.timedelta(days=1),
        opens_on=today - datetime.timedelta(days=60),
    )
    OfferCountryFactory(offer=india, country="IN")
    kenya = InstitutionOfferFactory(
        institution=bank,
        title="Loans for East Africa",
        kind=SupportKind.CONCESSIONAL_LOAN,
        instrument=SupportOffer.Instrument.CONCESSIONAL_LOAN,
        open_to_all_countries=False,
        eligible_groups=[east_africa],
        amount_min=None,
        amount_max=Decimal("8000000"),
        amount_max_usd=Decimal("8000000"),
    )
    members_only = SupportOfferFactory(
        member=steelco, title="Members-only pilot", visibility=Visibility.MEMBERS
    )
    return {"everyone": everyone, "india": india, "kenya": kenya, "members_only": members_only}


def _titles(response) -> list[str]:
    return sorted(offer.title for offer in response.context["offers"])


def _facet(response, name: str) -> dict[str, int]:
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {option.value: option.count for option in facet.options}


def test_the_public_sees_public_offers_with_counts_of_public_offers_only(client, offers):
    response = client.get(OFFERS)
    assert _titles(response) == ["Grants for India", "Loans for East Africa", "Studies for anyone"]
    assert _facet(response, "provider") == {"demo-green-bank": 2, "steelco": 1}
    content = response.content.decode()
    assert "Members-only pilot" not in content
    assert "3 offers" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=IN", ["Grants for India", "Studies for anyone"]),
        ("country=ke", ["Loans for East Africa", "Studies for anyone"]),
        ("country=BR", ["Studies for anyone"]),
        ("open=1", ["Loans for East Africa", "Studies for anyone"]),
        ("provider=demo-green-bank", ["Grants for India", "Loans for East Africa"]),
        ("provider=Steelco", ["Studies for anyone"]),
        ("instrument=concessional_loan", ["Loans for East Africa"]),
        ("kind=grant", ["Grants for India"]),
        ("sector=cement", ["Studies for anyone"]),
        ("q=east+africa", ["Loans for East Africa"]),
    ],
)
def test_each_filter_narrows_the_offers(client, offers, query, expected):
    assert _titles(client.get(f"{OFFERS}?{query}")) == expected


def test_the_country_facet_counts_offers_each_partner_may_ask_for(client, offers):
    assert _facet(client.get(OFFERS), "country") == {"IN": 2, "KE": 2}
    assert _facet(client.get(f"{OFFERS}?open=1"), "country") == {"IN": 1, "KE": 2}


def test_unknown_provider_and_bad_switch_are_ignored_and_said(client, offers):
    response = client.get(f"{OFFERS}?provider=nobody&open=perhaps")
    content = response.content.decode()
    assert len(response.context["offers"]) == 3
    assert "Offered by: “nobody” is not a member or partner institution" in content
    assert "Open today: “perhaps” is not 1 (on) or 0 (off)" in content


def test_the_active_provider_filter_names_the_provider(client, offers):
    response = client.get(f"{OFFERS}?provider=steelco")
    assert [(f["label"], f["value"]) for f in response.context["active_filters"]] == [
        ("Offered by", "Steelco")
    ]


def test_closed_offers_say_so_with_their_date(client, offers):
    content = client.get(offers["india"].get_absolute_url()).content.decode()
    assert "Closed" in content
    kenya = client.get(offers["kenya"].get_absolute_url()).content.decode()
    assert "up to USD 8,000,000" in re.sub(r"<[^>]+>", "", kenya)


def test_contact_email_is_for_signed_in_members_and_focal_points_only(client, offers):
    url = offers["everyone"].get_absolute_url()
    for _ in range(2):  # the second answer comes from the page cache
        content = client.get(url).content.decode()
        assert "studies@steelco.example" not in content
        assert "shown to LeadIT members and partnership focal points" in content
    assert "studies@steelco.example" not in client.get(OFFERS).content.decode()
    client.force_login(UserFactory())  # an account that is neither
    assert "studies@steelco.example" not in client.get(url).content.decode()
    client.force_login(EditorFactory())
    assert "studies@steelco.example" in client.get(url).content.decode()
    client.force_login(FocalPointFactory().user)
    assert "studies@steelco.example" in client.get(url).content.decode()


def test_a_members_offer_answers_404_to_the_public_and_is_logged(client, offers, caplog):
    url = offers["members_only"].get_absolute_url()
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        assert client.get(url).status_code == 404
    assert "Refused support offer" in caplog.text
    client.force_login(EditorFactory())
    response = client.get(url)
    assert response.status_code == 200
    assert "Visible to: LeadIT members and focal points" in response.content.decode()


def _rendered(response) -> bool:
    """Whether the list's content was rendered for this request (not the cached one)."""
    return "partnerships/includes/offer_list_body.html" in [t.name for t in response.templates]


def test_nocache_reuses_the_rendered_offers_and_an_edit_shows_at_once(client, offers):
    assert _rendered(client.get(f"{OFFERS}?kind=grant&utm_source=a"))
    again = client.get(f"{OFFERS}?kind=grant&nocache=1")
    assert not _rendered(again)
    assert "Grants for India" in again.content.decode()
    assert "nocache" not in again.content.decode()
    offers["india"].title = "Grants for Indian cement"
    offers["india"].save()
    assert (
        "Grants for Indian cement" in client.get(f"{OFFERS}?kind=grant&nocache=2").content.decode()
    )


def test_the_public_never_gets_the_offers_rendered_for_members(client, offers):
    client.force_login(EditorFactory())
    assert "Members-only pilot" in client.get(f"{OFFERS}?nocache=1").content.decode()
    client.logout()
    content = client.get(f"{OFFERS}?nocache=2").content.decode()
    assert "Members-only pilot" not in content
    assert "3 offers" in content


def _many_offers(count: int) -> None:
    """``count`` public offers from two providers, each listing a country and a group."""
    sector = SectorFactory(slug="cement", name="Cement")
    group = CountryGroupFactory(slug="east-africa", countries=["KE"])
    PartnershipFactory()
    providers = [{"member": MemberFactory()}, {"institution": PartnerInstitutionFactory()}]
    offers = SupportOffer.objects.bulk_create(
        SupportOffer(
            title=f"Offer {n}",
            kind=SupportKind.TECHNICAL_STUDY,
            description="An offer.",
            instrument=SupportOffer.Instrument.TECHNICAL_ASSISTANCE,
            open_to_all_countries=n % 3 == 0,
            is_demo=True,
            **providers[n % 2],
        )
        for n in range(count)
    )
    SupportOffer.sectors.through.objects.bulk_create(
        SupportOffer.sectors.through(supportoffer=offer, sector=sector) for offer in offers
    )
    SupportOffer.eligible_groups.through.objects.bulk_create(
        SupportOffer.eligible_groups.through(supportoffer=offer, countrygroup=group)
        for offer in offers
    )
    OfferCountry.objects.bulk_create(OfferCountry(offer=offer, country="IN") for offer in offers)


def _queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "?country=KE&open=1&sector=cement&sort=closes"])
def test_the_offers_read_as_many_queries_for_10_and_500_offers(client, query):
    _many_offers(10)
    small = _queries(client, OFFERS + query)
    _many_offers(490)
    assert _queries(client, OFFERS + query) == small


def test_offers_from_the_cached_content_read_as_many_queries_for_10_and_500_offers(client):
    _many_offers(10)
    client.get(f"{OFFERS}?open=1&utm_source=a")
    with CaptureQueriesContext(connection) as small:
        client.get(f"{OFFERS}?open=1&nocache=1")
    _many_offers(490)
    client.get(f"{OFFERS}?open=1&utm_source=a")
    with CaptureQueriesContext(connection) as large:
        client.get(f"{OFFERS}?open=1&nocache=2")
    assert len(large) == len(small)


def test_an_offer_page_reads_as_many_queries_with_1_and_20_countries(client, offers):
    offer = offers["india"]
    small = _queries(client, offer.get_absolute_url())
    for code in ["BR", "ZA", "MX", "ID", "VN", "EG", "MA", "NG", "GH", "PE"]:
        OfferCountryFactory(offer=offer, country=code)
    assert _queries(client, offer.get_absolute_url()) == small
