"""The partnership factsheet PDF: requested from the admin, rendered by a real worker
through leadit/pdf.py, downloaded by staff; public records only, demo records labelled."""

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from partnerships.factsheet import factsheet_pdf
from partnerships.models import Factsheet, Visibility
from tests.factories.partnerships import (
    OutcomeFactory,
    OutcomeMeasurementFactory,
    PartnershipFactory,
    PartnershipSourceFactory,
    PipelineProjectFactory,
    SupportCommitmentFactory,
    SupportRequestFactory,
)


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _partnership():
    partnership = PartnershipFactory(country="ID", name="Indonesia demo partnership")
    outcome = OutcomeFactory(partnership=partnership, title="Clinker ratio down", unit="%")
    OutcomeMeasurementFactory(outcome=outcome, value=Decimal("17"),
                              measured_on=datetime.date(2025, 6, 1))  # fmt: skip
    need = SupportRequestFactory(partnership=partnership, title="Kiln audit",
                                 amount_usd=Decimal("250000"))  # fmt: skip
    SupportCommitmentFactory(request=need, member__name="Demo Steel AB")
    SupportRequestFactory(partnership=partnership, title="Secret need",
                          visibility=Visibility.SECRETARIAT)  # fmt: skip
    PipelineProjectFactory(partnership=partnership, name="Demo green cement line")
    PipelineProjectFactory(partnership=partnership, name="Members-only plant",
                           visibility=Visibility.MEMBERS)  # fmt: skip
    PartnershipSourceFactory(partnership=partnership, title="Joint statement")
    return partnership


@pytest.mark.django_db
def test_the_factsheet_shows_the_public_partnership_and_labels_demo_records():
    text = _text(factsheet_pdf(_partnership()))

    for shown in ("Indonesia demo partnership", "Scoping", "Clinker ratio down", "17 %",
                  "Kiln audit", "USD 250,000", "Demo Steel AB", "Demo green cement line",
                  "Joint statement", "Demo record (invented)"):  # fmt: skip
        assert shown in text, shown
    assert "Secret need" not in text
    assert "Members-only plant" not in text


@pytest.mark.django_db(transaction=True)
def test_render_factsheet_button_queues_a_render_a_real_worker_finishes(
    celery_worker, staff_client, media_root
):
    partnership = _partnership()
    change_url = reverse("admin:partnerships_partnership_change", args=[partnership.pk])

    response = staff_client.post(
        reverse("admin:partnerships_partnership_factsheet", args=[partnership.pk])
    )
    assert response.status_code == 302 and response.url == change_url

    factsheet = Factsheet.objects.get()
    deadline = time.monotonic() + 60
    while factsheet.status == Factsheet.Status.QUEUED and time.monotonic() < deadline:
        time.sleep(0.2)
        factsheet.refresh_from_db()
    assert factsheet.status == Factsheet.Status.RENDERED, factsheet.error
    assert "Download PDF" in staff_client.get(change_url).content.decode()

    download = staff_client.get(
        reverse("admin:partnerships_factsheet_download", args=[factsheet.pk])
    )
    assert download["Content-Type"] == "application/pdf"
    assert "Kiln audit" in _text(b"".join(download.streaming_content))


@pytest.mark.django_db
def test_a_non_staff_user_cannot_download_a_factsheet(member_client):
    factsheet = Factsheet.objects.create(partnership=PartnershipFactory())
    response = member_client.get(
        reverse("admin:partnerships_factsheet_download", args=[factsheet.pk])
    )
    assert response.status_code in (302, 403)
