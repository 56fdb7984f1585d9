"""Downloads of the needs board and the offers: exactly what was filtered (every page, in
its order), with licence, citation and time; formula cells escaped; members' records and
contact e-mails never in a public download; a constant number of queries."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from partnerships.models import Visibility
from tests.factories.members import EditorFactory, SectorFactory
from tests.factories.partnerships import (
    CurrencyRateFactory,
    PartnershipFactory,
    SupportCommitmentFactory,
    SupportOfferFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


def _export(kind: str, fmt: str) -> str:
    return reverse(f"partnerships:{kind}_export", kwargs={"fmt": fmt})


@pytest.fixture
def needs():
    cement = SectorFactory(name="Cement", slug="cement")
    india = PartnershipFactory(country="IN", name="India partnership")
    rate = CurrencyRateFactory(currency="INR", usd_per_unit=Decimal("0.012"))
    formula = SupportRequestFactory(
        partnership=india,
        title='=HYPERLINK("http://evil.example")',
        sectors=[cement],
        amount=Decimal("1000000"),
        currency="INR",
        amount_usd=Decimal("12000"),
        usd_rate=rate,
    )
    SupportCommitmentFactory(request=formula, amount=Decimal("5000"))
    unknown = SupportRequestFactory(partnership=india, title="Amount not known", amount=None)
    unknown.currency = ""
    unknown.amount_usd = None
    unknown.save()
    SupportRequestFactory(partnership=india, title="Steel roadmap", amount=Decimal("9000000"))
    SupportRequestFactory(
        partnership=india, title="Members-only request", visibility=Visibility.MEMBERS
    )
    return india


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_is_exactly_the_filtered_list_with_formulae_escaped(client, needs):
    response = client.get(_export("needs", "csv") + "?sector=cement&sort=title")
    assert response["Content-Disposition"].startswith(
        'attachment; filename="leadit-partnerships-needs-'
    )
    rows = _csv_rows(response)
    assert [row["title"] for row in rows] == ['\'=HYPERLINK("http://evil.example")']
    row = rows[0]
    assert row["amount"] == "1000000.00" and row["currency"] == "INR"
    assert row["amount_usd"] == "12000.00" and row["usd_rate_as_of"] == "2025-01-01"
    assert row["committed_usd"] == "5000.00" and row["live_commitments"] == "1"
    assert row["demo_record"] == "Demo record (invented)"
    assert row["sectors"] == "Cement"


def test_every_csv_row_says_its_licence_citation_and_time(client, needs):
    response = client.get(_export("needs", "csv") + "?sector=cement")

    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    rows = _csv_rows(response)
    assert rows
    for row in rows:
        assert row["licence"] == "CC BY 4.0"
        assert row["cite_as"].startswith("LeadIT industry transition partnerships:")
        assert row["cite_as"].endswith("/partnerships/needs/?sector=cement")
        assert row["generated_at"][:10] == rows[0]["generated_at"][:10] != ""


def test_a_missing_value_is_not_recorded_never_blank(client, needs):
    rows = {row["title"]: row for row in _csv_rows(client.get(_export("needs", "csv")))}
    assert rows["Amount not known"]["amount"] == "not_recorded"
    assert rows["Amount not known"]["committed_usd"] == "0"
    assert rows["Steel roadmap"]["usd_rate_as_of"] == "not converted (USD)"


def test_members_records_are_only_in_a_members_download(client, needs):
    titles = [row["title"] for row in _csv_rows(client.get(_export("needs", "csv")))]
    assert "Members-only request" not in titles and len(titles) == 3
    client.force_login(EditorFactory())
    titles = [row["title"] for row in _csv_rows(client.get(_export("needs", "csv")))]
    assert "Members-only request" in titles


def test_the_json_carries_licence_citation_time_and_filters(client, needs):
    response = client.get(_export("needs", "json") + "?min_usd=1000000&kind=planet&page=2")
    document = json.loads(response.content)
    assert document["licence"] == "CC BY 4.0"
    assert document["filters"] == {"min_usd": "1000000"}
    assert document["ignored_filters"] == {"kind": "planet"}
    assert document["count"] == 1
    assert document["needs"][0]["title"] == "Steel roadmap"
    assert document["needs"][0]["amount_usd"] == 9000000
    assert document["generated_at"][:4].isdigit()
    assert document["citation"].endswith("/partnerships/needs/?min_usd=1000000")
    assert "LeadIT industry transition partnerships" in document["citation"]


def test_the_xlsx_has_the_table_and_an_about_sheet(client, needs):
    response = client.get(_export("needs", "xlsx") + "?sort=-amount")
    book = load_workbook(io.BytesIO(response.content))
    table = list(book["Needs"].values)
    assert table[0][:2] == ("id", "title")
    assert [row[1] for row in table[1:]] == [
        "Steel roadmap",
        '\'=HYPERLINK("http://evil.example")',
        "Amount not known",
    ]
    about = dict(book["About"].values)
    assert about["Licence"].startswith("CC BY 4.0")
    assert about["Citation"].endswith("/partnerships/needs/?sort=-amount")
    assert about["Generated at"]
    assert about["Rows"] == 3


def test_an_unknown_format_answers_404(client, needs):
    assert client.get(_export("needs", "pdf")).status_code == 404
    assert client.get(_export("offers", "exe")).status_code == 404


def test_the_offers_download_has_no_contact_details_even_for_members(client, needs):
    SupportOfferFactory(title="+Studies", contact_email="secret@member.example")
    SupportOfferFactory(title="Members-only offer", visibility=Visibility.MEMBERS)
    response = client.get(_export("offers", "csv"))
    assert "secret@member.example" not in response.content.decode()
    assert [row["title"] for row in _csv_rows(response)] == ["'+Studies"]
    client.force_login(EditorFactory())
    response = client.get(_export("offers", "json"))
    assert "secret@member.example" not in response.content.decode()
    offers = json.loads(response.content)["offers"]
    assert sorted(offer["title"] for offer in offers) == ["+Studies", "Members-only offer"]
    assert offers[0]["eligible"] == "All emerging and developing economies"


def _queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("kind", ["needs", "offers"])
def test_downloads_read_as_many_queries_for_few_and_many_records(client, kind):
    factory = SupportRequestFactory if kind == "needs" else SupportOfferFactory
    sector = SectorFactory(slug="cement")
    factory.create_batch(2, sectors=[sector])
    small = _queries(client, _export(kind, "csv") + "?sector=cement")
    factory.create_batch(20, sectors=[sector])
    assert _queries(client, _export(kind, "csv") + "?sector=cement") == small
