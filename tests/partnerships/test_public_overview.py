"""/partnerships/: the partnership countries on the map and in a list with their stage, the
totals, the pipeline capex by stage and the latest changes; public records only, cached
for anonymous visitors, in the same number of queries at any size."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from partnerships.models import Partnership, PipelineProject, SupportCommitment, SupportRequest
from tests.factories.members import MemberFactory
from tests.factories.partnerships import (
    CurrencyRateFactory,
    InstitutionOfferFactory,
    PartnershipFactory,
    PartnershipStageChangeFactory,
    PipelineProjectFactory,
    SupportCommitmentFactory,
    SupportRequestFactory,
)

from .public_world import (
    assert_nothing_hidden_shows,
    bulk_partnerships,
    hidden_requests,
    query_count,
)

pytestmark = pytest.mark.django_db

URL = "/partnerships/"


@pytest.fixture
def world():
    sweden = MemberFactory(name="Sweden", slug="sweden", is_demo=False)
    india = PartnershipFactory(
        country="IN",
        name="India–Sweden industry transition partnership",
        stage=Partnership.Stage.IN_IMPLEMENTATION,
        is_demo=False,
        lead_members=[sweden],
    )
    kenya = PartnershipFactory(country="KE", name="Kenya partnership (demo)")
    PartnershipStageChangeFactory(
        partnership=india, stage=Partnership.Stage.IN_IMPLEMENTATION, changed_on="2025-05-01"
    )
    supported = SupportRequestFactory(
        partnership=india,
        title="Green steel study",
        amount=Decimal("1000000"),
        status=SupportRequest.Status.SUPPORTED,
    )
    rate = CurrencyRateFactory(currency="INR", usd_per_unit=Decimal("0.012"))
    SupportRequestFactory(
        partnership=india,
        title="Cement kiln audit",
        amount=Decimal("25000000"),
        currency="INR",
        amount_usd=Decimal("300000"),
        usd_rate=rate,
        status=SupportRequest.Status.PARTLY_SUPPORTED,
    )
    SupportRequestFactory(partnership=kenya, title="Grid study", amount=None, amount_usd=None)
    SupportRequestFactory(
        partnership=kenya, title="Withdrawn idea", status=SupportRequest.Status.WITHDRAWN
    )
    bank = InstitutionOfferFactory(institution__name="Demo Climate Fund").institution
    SupportCommitmentFactory(
        request=supported,
        member=None,
        institution=bank,
        amount=Decimal("400000"),
        agreed_on=datetime.date(2025, 6, 2),
    )
    PipelineProjectFactory(
        partnership=india, stage=PipelineProject.Stage.FEASIBILITY, capex=Decimal("50000000")
    )
    PipelineProjectFactory(
        partnership=kenya, stage=PipelineProject.Stage.OPERATING, capex=Decimal("20000000")
    )
    return {"india": india, "kenya": kenya}


def test_the_overview_lists_each_partnership_with_its_stage_and_lead_members(client, world):
    text = client.get(URL).content.decode()

    assert '<a href="/partnerships/in/">India</a>' in text
    assert '<a href="/partnerships/ke/">Kenya</a>' in text
    assert "In implementation" in text and "(step 5 of 6)" in text
    assert "Scoping" in text and "(step 2 of 6)" in text
    assert '<a href="/members/sweden/">Sweden</a>' in text


def test_the_map_colours_partnership_countries_by_stage(client, world):
    text = client.get(URL).content.decode()

    assert 'class="map__country map__country--implementation" data-country="IN"' in text
    assert 'class="map__country map__country--starting" data-country="KE"' in text


def test_the_totals_count_requests_support_and_dollars(client, world):
    text = client.get(URL).content.decode()

    # Three requests (the withdrawn one not counted), two of them supported in part or fully.
    assert '<span class="numbers__value">3</span>' in text
    assert "67%" in text
    assert "1 fully and 1 partly supported" in text
    # 1,000,000 + 300,000 requested (INR converted; the request without an amount noted),
    # short in the headline figure, exact in its tooltip.
    assert '<span title="USD 1,300,000">USD 1.3 million</span>' in text
    assert "1 request without an amount in US dollars not included" in text
    assert "USD 400,000" in text


def test_pipeline_capex_is_shown_per_stage_gate(client, world):
    text = client.get(URL).content.decode()

    assert (
        '2 public pipeline projects, <span title="USD 70,000,000">USD 70.0 million</span> of'
        in text
    )
    assert '<a href="/partnerships/pipeline/?stage=feasibility">Feasibility</a></th>' in text
    assert "<td>50,000,000</td>" in text
    assert 'class="chart chart--bar"' in text


def test_latest_changes_show_stage_changes_new_requests_and_agreed_commitments(client, world):
    text = client.get(URL).content.decode()

    assert "moved to <strong>In implementation</strong>" in text
    assert "Green steel study</a>." in text  # a new request
    assert "Demo Climate Fund agreed to support" in text
    assert 'with <span class="amount">USD 400,000</span>' in text


def test_demo_partnerships_are_labelled_and_counted_as_such(client, world):
    text = client.get(URL).content.decode()

    assert "1 of the 2 partnerships below is invented" in text
    kenya_row = text.split('href="/partnerships/ke/"')[1].split("</th>")[0]
    assert "Demo record (invented)" in kenya_row
    india_row = text.split('href="/partnerships/in/"')[1].split("</th>")[0]
    assert "Demo record (invented)" not in india_row


def test_records_hidden_from_the_public_appear_nowhere_not_even_signed_in(member_client, world):
    anonymous = Client()
    anonymous.get(URL)  # cached: the hidden records must make it stale, then stay out
    hidden_requests(world["india"])

    for visitor in (anonymous, member_client):
        text = visitor.get(URL).content.decode()
        assert_nothing_hidden_shows(text)
        # The totals stay those of the public records.
        assert '<span class="numbers__value">3</span>' in text
        assert "USD 400,000" in text and "USD 1.3 million" in text


def test_an_anonymous_page_is_cached_and_made_stale_by_a_new_request(
    client, world, django_assert_num_queries
):
    client.get(URL)
    with django_assert_num_queries(0):
        cached = client.get(URL)
    assert "Solar kiln trial" not in cached.content.decode()

    SupportRequestFactory(partnership=world["kenya"], title="Solar kiln trial")

    assert "Solar kiln trial" in client.get(URL).content.decode()


def test_a_signed_in_visitor_never_gets_the_cached_anonymous_page(member_client, world):
    anonymous = Client()
    anonymous.get(URL)  # cached now

    page = member_client.get(URL).content.decode()

    assert "Signed in as" in page
    assert "Signed in as" not in anonymous.get(URL).content.decode()


def test_the_main_navigation_links_to_partnerships(client, world):
    text = client.get(URL).content.decode()

    assert '<a href="/partnerships/" aria-current="page">Partnerships</a>' in text
    assert '<a href="/partnerships/">Partnerships</a>' in client.get("/members/").content.decode()


def test_the_overview_reads_as_many_queries_at_10_as_at_200_partnerships(client):
    bulk_partnerships(10)
    small = query_count(client, URL)
    bulk_partnerships(190, start=10)
    assert Partnership.objects.count() == 200
    assert SupportCommitment.objects.count() == 200

    assert query_count(client, URL) == small


def test_an_empty_overview_says_nothing_is_recorded_yet(client):
    text = client.get(URL).content.decode()

    assert "No partnerships are recorded yet." in text
    assert "No changes are recorded yet." in text
