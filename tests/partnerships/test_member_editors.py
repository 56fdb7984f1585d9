"""Member editors publish their member's offers and edit only their own."""

import logging
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships.models import SupportOffer
from tests.factories.members import EditorFactory, SectorFactory
from tests.factories.partnerships import SupportOfferFactory

pytestmark = pytest.mark.django_db


def _offer_data(member, sector, **overrides):
    data = {
        "member": member.pk,
        "title": "Kiln efficiency experts",
        "kind": "technical_study",
        "sectors": [sector.pk],
        "description": "Our engineers.",
        "instrument": "technical_assistance",
        "countries": ["KE", "IN"],
        "amount_min": "10000",
        "amount_max": "50000",
        "currency": "USD",
        "opens_on": "2025-01-01",
        "closes_on": "2026-12-31",
        "visibility": "members",
    }
    return {**data, **overrides}


def test_editor_publishes_an_offer_of_their_member(member_client, member_user):
    sector = SectorFactory()
    response = member_client.post(
        reverse("partnerships:offer_new"), _offer_data(member_user.member, sector)
    )
    assert response.status_code == 302
    offer = SupportOffer.objects.get()
    assert offer.member == member_user.member and offer.amount_max_usd == Decimal("50000.00")
    assert sorted(offer.eligible_countries.values_list("country", flat=True)) == ["IN", "KE"]
    page = member_client.get(reverse("partnerships:my_commitments")).content.decode()
    assert "Kiln efficiency experts" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"closes_on": "2024-01-01"}, "closes_on", "cannot end before it opens"),
        ({"amount_min": "-1"}, "amount_min", "cannot be negative"),
        ({"amount_max": "5"}, "amount_max", "cannot be below the smallest"),
        ({"currency": "QQQ"}, "currency", "Unknown currency"),
    ],
)
def test_bad_offer_input_is_a_form_error_and_nothing_is_written(
    member_client, member_user, overrides, field, message
):
    sector = SectorFactory()
    response = member_client.post(
        reverse("partnerships:offer_new"), _offer_data(member_user.member, sector, **overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not SupportOffer.objects.exists()


def test_editor_cannot_publish_for_another_member(member_client, member_user):
    other = EditorFactory().member
    response = member_client.post(
        reverse("partnerships:offer_new"), _offer_data(other, SectorFactory())
    )
    assert "Select a valid choice" in " ".join(response.context["form"].errors["member"])
    assert not SupportOffer.objects.exists()


def test_another_members_offer_answers_404_and_is_logged(member_client, caplog):
    offer = SupportOfferFactory(member=EditorFactory().member)
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = member_client.post(reverse("partnerships:offer_edit", args=[offer.pk]), {})
    assert response.status_code == 404
    assert any("support offer" in r.getMessage() for r in caplog.records)


def test_a_user_who_keeps_no_member_has_no_offer_form(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("plain", "p@example.org", "x"))
    assert client.get(reverse("partnerships:offer_new")).status_code == 404
