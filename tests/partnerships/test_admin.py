"""The secretariat's partnerships admin: every list and form opens, suggested matches are
shown on a request and accepted with one click, imports are all-or-nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerships.models import (
    Factsheet,
    SecretariatDigest,
    SupportCommitment,
    SupportOffer,
    SupportRequest,
)
from tests.factories.members import MemberFactory, SectorFactory
from tests.factories.partnerships import (
    CurrencyRateFactory,
    FocalPointFactory,
    FocalPointInvitationFactory,
    InstitutionOfferFactory,
    OutcomeFactory,
    PartnershipFactory,
    PipelineProjectFactory,
    SupportCommitmentFactory,
    SupportOfferFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "currencyrate", "partnerinstitution", "partnership", "outcome", "focalpoint",
    "focalpointinvitation", "supportrequest", "supportoffer", "supportcommitment",
    "pipelineproject", "factsheet", "secretariatdigest",
]  # fmt: skip


@pytest.fixture
def world():
    cement = SectorFactory(name="Cement", slug="cement")
    india = PartnershipFactory(country="IN", name="India")
    need = SupportRequestFactory(partnership=india, title="Kiln study", sectors=[cement])
    offer = SupportOfferFactory(
        title="Cement studies fund", member=MemberFactory(name="Steelco"), sectors=[cement]
    )
    SupportCommitmentFactory(request=SupportRequestFactory(partnership=india))
    OutcomeFactory(partnership=india)
    PipelineProjectFactory(partnership=india, sector=cement)
    Factsheet.objects.create(partnership=india)
    CurrencyRateFactory(currency="INR", usd_per_unit=Decimal("0.012"))
    InstitutionOfferFactory(sectors=[cement])
    FocalPointFactory(partnership=india)
    FocalPointInvitationFactory(partnership=india)
    SecretariatDigest.objects.create(week_start=datetime.date(2026, 2, 23))
    return {"india": india, "need": need, "offer": offer}


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_form_opens_for_staff(staff_client, world, model):
    changelist = staff_client.get(reverse(f"admin:partnerships_{model}_changelist"))
    assert changelist.status_code == 200
    first = changelist.context["cl"].result_list[0]
    change = staff_client.get(reverse(f"admin:partnerships_{model}_change", args=[first.pk]))
    assert change.status_code == 200


def test_a_request_page_shows_its_suggested_matches_with_reasons(staff_client, world):
    need = world["need"]
    page = staff_client.get(reverse("admin:partnerships_supportrequest_change", args=[need.pk]))
    html = page.content.decode()
    assert "Suggested matches" in html
    assert "Cement studies fund" in html
    assert "sector ✓ cement · kind ✓ technical study · country eligible ✓ · amount fits ✓" in html

    own_page = staff_client.get(
        reverse("admin:partnerships_supportrequest_matches", args=[need.pk])
    )
    assert "Cement studies fund" in own_page.content.decode()
    overview = staff_client.get(reverse("admin:partnerships_matches"))
    assert "Kiln study" in overview.content.decode()


def test_accepting_a_match_is_one_post_and_proposes_the_commitment(staff_client, world):
    need, offer = world["need"], world["offer"]
    accept = reverse("admin:partnerships_supportrequest_accept_match", args=[need.pk, offer.pk])

    assert staff_client.get(accept).status_code == 405  # a link never writes
    response = staff_client.post(accept, {"back": "matches"}, follow=True)

    commitment = SupportCommitment.objects.get(request=need)
    assert commitment.status == SupportCommitment.Status.PROPOSED
    assert commitment.offer == offer and commitment.member == offer.member
    assert "Proposed: Steelco" in response.content.decode()
    assert "Cement studies fund" not in response.content.decode().split("<table")[-1]
    staff_client.post(accept)  # a second click: refused, nothing more written
    assert SupportCommitment.objects.filter(request=need).count() == 1


def test_a_non_staff_user_cannot_accept_a_match(member_client, world):
    accept = reverse(
        "admin:partnerships_supportrequest_accept_match",
        args=[world["need"].pk, world["offer"].pk],
    )
    member_client.post(accept)
    assert not SupportCommitment.objects.filter(request=world["need"]).exists()


def test_an_unknown_currency_in_the_form_is_an_error_and_nothing_is_saved(staff_client, world):
    need = world["need"]
    url = reverse("admin:partnerships_supportrequest_change", args=[need.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {
        **{k: v for k, v in form.initial.items() if v is not None and k != "sectors"},
        "sectors": [s.pk for s in need.sectors.all()],
        "amount": "1000",
        "currency": "XYZ",
        "commitments-TOTAL_FORMS": "0",
        "commitments-INITIAL_FORMS": "0",
    }
    data["partnership"] = need.partnership_id
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Unknown currency “XYZ”" in response.content.decode()
    need.refresh_from_db()
    assert need.currency == "USD"


def _import(client, model: str, csv_text: str, *, confirm: bool = False):
    url = reverse(f"admin:partnerships_{model}_import")
    upload = SimpleUploadedFile("rows.csv", csv_text.encode(), content_type="text/csv")
    response = client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    return response


def test_a_request_import_with_one_bad_row_shows_its_error_and_writes_nothing(staff_client, world):
    before = SupportRequest.objects.count()
    csv_text = (
        "id,partnership,title,sectors,kind,description,amount,currency,priority,status,"
        "visibility,is_demo\n"
        ",in,Grid study,cement,technical_study,A study.,1000000,INR,high,open,public,1\n"
        ",IN,Bad money,cement,technical_study,A study.,-5,ABC,high,open,public,1\n"
    )
    preview = _import(staff_client, "supportrequest", csv_text)
    html = preview.content.decode()
    assert "Unknown currency “ABC”" in html
    assert "cannot be negative" in html
    assert SupportRequest.objects.count() == before


def test_a_good_request_import_previews_then_converts_to_usd(staff_client, world):
    csv_text = (
        "id,partnership,title,sectors,kind,description,amount,currency,priority,status,"
        "visibility,is_demo\n"
        ",in,Grid study,cement,technical_study,A study.,1000000,INR,high,open,public,1\n"
    )
    preview = _import(staff_client, "supportrequest", csv_text)
    assert preview.status_code == 200
    confirm = preview.context["confirm_form"]
    staff_client.post(reverse("admin:partnerships_supportrequest_process_import"), confirm.initial)
    created = SupportRequest.objects.get(title="Grid study")
    assert created.amount_usd == Decimal("12000.00")
    assert created.partnership == world["india"]


def test_offers_export_as_csv(staff_client, world):
    response = staff_client.post(
        reverse("admin:partnerships_supportoffer_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"supportofferresource_{f}": "on" for f in ["id", "title", "member"]},
        },
    )
    assert response.status_code == 200
    assert "Cement studies fund" in response.content.decode()
    assert SupportOffer.objects.count() == 2
