"""Who sees and who keeps which partnership records: the querysets every page, export and
form reads through."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.models import Member, MembershipRole
from partnerships.models import (
    CurrencyRate,
    FocalPoint,
    Partnership,
    SupportCommitment,
    SupportKind,
    SupportOffer,
    SupportRequest,
    Visibility,
)
from partnerships.money import clean_amount, clean_currency, to_usd

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_user_model):
    india = Partnership.objects.create(country="IN", name="India", stage_since=date(2023, 12, 1))
    kenya = Partnership.objects.create(country="KE", name="Kenya", stage_since=date(2024, 1, 1))
    requests = {
        (partnership.country.code, visibility): SupportRequest.objects.create(
            partnership=partnership,
            title=f"{partnership.name} {visibility}",
            kind=SupportKind.TECHNICAL_STUDY,
            description="A study.",
            visibility=visibility,
        )
        for partnership in (india, kenya)
        for visibility in Visibility.values
    }
    member = Member.objects.create(name="Steelco", slug="steelco", kind="company", country="SE")
    editor = django_user_model.objects.create_user("editor", "editor@example.org", "x")
    MembershipRole.objects.create(user=editor, member=member)
    focal = django_user_model.objects.create_user("focal", "focal@example.org", "x")
    FocalPoint.objects.create(user=focal, partnership=india)
    staff = django_user_model.objects.create_user("staff", "staff@example.org", "x", is_staff=True)
    stranger = django_user_model.objects.create_user("stranger", "s@example.org", "x")
    return {
        "requests": requests,
        "member": member,
        "editor": editor,
        "focal": focal,
        "staff": staff,
        "stranger": stranger,
    }


def _titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


def test_the_public_and_a_plain_account_see_public_requests_only(world):
    for user in (AnonymousUser(), world["stranger"]):
        assert _titles(SupportRequest.objects.visible_to(user)) == ["India public", "Kenya public"]


def test_a_member_editor_also_sees_members_requests_never_the_secretariats(world):
    assert _titles(SupportRequest.objects.visible_to(world["editor"])) == [
        "India members",
        "India public",
        "Kenya members",
        "Kenya public",
    ]


def test_a_focal_point_sees_all_of_their_own_partnership_and_members_records_of_others(world):
    assert _titles(SupportRequest.objects.visible_to(world["focal"])) == [
        "India members",
        "India public",
        "India secretariat",
        "Kenya members",
        "Kenya public",
    ]


def test_only_staff_and_the_partnerships_focal_points_keep_its_requests(world):
    assert _titles(SupportRequest.objects.editable_by(world["focal"])) == [
        "India members",
        "India public",
        "India secretariat",
    ]
    assert SupportRequest.objects.editable_by(world["editor"]).count() == 0
    assert SupportRequest.objects.editable_by(AnonymousUser()).count() == 0
    assert SupportRequest.objects.editable_by(world["staff"]).count() == 6
    assert list(Partnership.objects.editable_by(world["focal"])) == [
        Partnership.objects.get(country="IN")
    ]


def test_a_commitment_is_as_visible_as_its_request(world):
    secret = world["requests"][("KE", "secretariat")]
    SupportCommitment.objects.create(
        request=secret, member=world["member"], proposed_on=date(2026, 1, 5)
    )
    assert SupportCommitment.objects.visible_to(AnonymousUser()).count() == 0
    assert SupportCommitment.objects.visible_to(world["staff"]).count() == 1
    assert SupportCommitment.objects.editable_by(world["editor"]).count() == 1


def test_we_can_help_twice_is_refused_by_the_database(world):
    need = world["requests"][("IN", "public")]
    SupportCommitment.objects.create(request=need, member=world["member"], proposed_on=date.today())
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportCommitment.objects.create(
            request=need, member=world["member"], proposed_on=date.today()
        )


def test_an_offer_window_that_ends_before_it_starts_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportOffer.objects.create(
            member=world["member"],
            title="Study grant",
            kind=SupportKind.GRANT,
            description="Grants.",
            instrument=SupportOffer.Instrument.GRANT,
            opens_on=date(2026, 5, 1),
            closes_on=date(2026, 4, 1),
        )


def test_amounts_convert_at_the_latest_rate_on_or_before_their_day():
    CurrencyRate.objects.create(
        currency="INR", usd_per_unit=Decimal("0.0125"), as_of=date(2026, 1, 1)
    )
    CurrencyRate.objects.create(
        currency="INR", usd_per_unit=Decimal("0.0120"), as_of=date(2026, 7, 1)
    )
    converted = to_usd(Decimal("1000000"), "INR", date(2026, 6, 30))
    assert converted.usd == Decimal("12500.00")
    assert converted.rate.as_of == date(2026, 1, 1)
    assert to_usd(Decimal("5"), "USD", date(2026, 1, 1)).usd == Decimal("5")


def test_unknown_currencies_and_absurd_amounts_get_clear_errors():
    CurrencyRate.objects.create(
        currency="EUR", usd_per_unit=Decimal("1.08"), as_of=date(2026, 1, 1)
    )
    assert clean_currency(" eur ") == "EUR"
    with pytest.raises(ValidationError, match="Unknown currency “XYZ”: use one of EUR, USD"):
        clean_currency("xyz")
    with pytest.raises(ValidationError, match="cannot be negative"):
        clean_amount(Decimal("-1"))
    with pytest.raises(ValidationError, match="over a trillion"):
        clean_amount(Decimal("5e12"))
