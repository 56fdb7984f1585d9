"""A partnership's focal points keep its requests, plan values and pipeline projects; another
partnership's pages and objects answer 404 and the attempt is logged."""

import datetime
import logging
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships.models import PipelineProject, PipelineStageChange, SupportRequest
from tests.factories.members import SectorFactory
from tests.factories.partnerships import (
    CurrencyRateFactory,
    FocalPointFactory,
    OutcomeFactory,
    PipelineProjectFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def focal(client):
    focal_point = FocalPointFactory(partnership__country="KE", partnership__name="Kenya")
    client.force_login(focal_point.user)
    return focal_point


def _request_data(sector, **overrides):
    data = {
        "title": "Cement kiln study",
        "kind": "technical_study",
        "sectors": [sector.pk],
        "description": "A study <script>alert(1)</script> of **kilns**.",
        "amount": "200000",
        "currency": "eur",
        "priority": "high",
        "visibility": "public",
    }
    return {**data, **overrides}


def test_focal_point_creates_a_request_converted_to_usd(client, focal):
    CurrencyRateFactory(currency="EUR", usd_per_unit=Decimal("1.10"))
    sector = SectorFactory()
    response = client.post(
        reverse("partnerships:manage_request_new", args=["ke"]), _request_data(sector)
    )
    assert response.status_code == 302
    need = SupportRequest.objects.get()
    assert (need.partnership, need.currency, need.amount_usd) == (
        focal.partnership, "EUR", Decimal("220000.00"),
    )  # fmt: skip
    page = client.get(reverse("partnerships:manage", args=["ke"])).content.decode()
    assert "Cement kiln study" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "-5"}, "amount", "cannot be negative"),
        ({"amount": "5000000000000"}, "amount", "over a trillion"),
        ({"currency": "XYZ"}, "currency", "Unknown currency"),
        ({"currency": ""}, "currency", "Give the currency"),
        ({"sectors": ["999999"]}, "sectors", "Select a valid choice"),
    ],
)
def test_bad_request_input_is_a_form_error_and_nothing_is_written(
    client, focal, overrides, field, message
):
    sector = SectorFactory()
    response = client.post(
        reverse("partnerships:manage_request_new", args=["ke"]), _request_data(sector, **overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not SupportRequest.objects.exists()


def test_request_markdown_is_sanitised_on_the_need_page(client, focal):
    sector = SectorFactory()
    client.post(
        reverse("partnerships:manage_request_new", args=["ke"]),
        _request_data(sector, currency="USD"),
    )
    from leadit.markdown import render_markdown

    html = render_markdown(SupportRequest.objects.get().description)
    assert "<script>" not in html and "<strong>kilns</strong>" in html


def test_focal_point_withdraws_a_request(client, focal):
    need = SupportRequestFactory(partnership=focal.partnership)
    client.post(reverse("partnerships:manage_request_withdraw", args=["ke", need.pk]))
    need.refresh_from_db()
    assert need.status == SupportRequest.Status.WITHDRAWN


def test_another_partnerships_pages_and_objects_answer_404_and_are_logged(client, focal, caplog):
    other = FocalPointFactory(partnership__country="IN").partnership
    need = SupportRequestFactory(partnership=other)
    project = PipelineProjectFactory(partnership=other)
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        answers = [
            client.get(reverse("partnerships:manage", args=["in"])).status_code,
            # Their ids through our own partnership's URLs.
            client.post(
                reverse("partnerships:manage_request", args=["ke", need.pk]), {}
            ).status_code,
            client.post(
                reverse("partnerships:manage_request_withdraw", args=["ke", need.pk])
            ).status_code,
            client.get(
                reverse("partnerships:manage_project_stage", args=["ke", project.slug])
            ).status_code,
        ]
    assert answers == [404, 404, 404, 404]
    need.refresh_from_db()
    assert need.status == SupportRequest.Status.OPEN
    assert len([r for r in caplog.records if r.name == "leadit.access"]) == 4


def test_new_project_starts_at_concept_with_its_first_stage_recorded(client, focal):
    sector = SectorFactory()
    response = client.post(
        reverse("partnerships:manage_project_new", args=["ke"]),
        {
            "name": "Mombasa clinker substitution",
            "sector": sector.pk,
            "capex": "100000000",
            "financing_gap": "30000000",
            "currency": "USD",
            "abatement_t_per_year": "200000",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    project = PipelineProject.objects.get()
    assert project.stage == PipelineProject.Stage.CONCEPT
    assert list(project.stage_changes.values_list("stage", flat=True)) == ["concept"]


def test_project_with_unknown_technology_or_gap_above_capex_is_refused(client, focal):
    sector = SectorFactory()
    url = reverse("partnerships:manage_project_new", args=["ke"])
    base = {"name": "P", "sector": sector.pk, "currency": "USD", "visibility": "public"}
    unknown = client.post(url, {**base, "technologies": ["999999"]})
    assert "Select a valid choice" in " ".join(unknown.context["form"].errors["technologies"])
    gap = client.post(url, {**base, "capex": "10", "financing_gap": "20"})
    assert "cannot exceed the capex" in " ".join(gap.context["form"].errors["financing_gap"])
    assert not PipelineProject.objects.exists()


def test_stage_forward_is_dated_and_backwards_needs_a_reason(client, focal):
    project = PipelineProjectFactory(partnership=focal.partnership)  # feasibility
    url = reverse("partnerships:manage_project_stage", args=["ke", project.slug])
    back = client.post(url, {"stage": "concept", "changed_on": "2025-06-01", "reason": ""})
    assert "needs a reason" in " ".join(back.context["form"].errors["reason"])
    assert not PipelineStageChange.objects.exists()
    client.post(url, {"stage": "financing", "changed_on": "2025-06-01"})
    client.post(url, {"stage": "concept", "changed_on": "2025-07-01", "reason": "Redesign"})
    project.refresh_from_db()
    assert (project.stage, project.stage_since) == ("concept", datetime.date(2025, 7, 1))
    assert list(project.stage_changes.values_list("stage", "reason")) == [
        ("financing", ""),
        ("concept", "Redesign"),
    ]


def test_focal_point_records_a_plan_value_but_not_for_another_partnerships_outcome(client, focal):
    own = OutcomeFactory(partnership=focal.partnership)
    theirs = OutcomeFactory(partnership=FocalPointFactory(partnership__country="IN").partnership)
    url = reverse("partnerships:manage_measurement_new", args=["ke"])
    refused = client.post(url, {"outcome": theirs.pk, "measured_on": "2025-01-01", "value": "12"})
    assert "Select a valid choice" in " ".join(refused.context["form"].errors["outcome"])
    client.post(url, {"outcome": own.pk, "measured_on": "2025-01-01", "value": "12"})
    assert list(own.measurements.values_list("value", flat=True)) == [Decimal("12.00")]
    assert not theirs.measurements.exists()
