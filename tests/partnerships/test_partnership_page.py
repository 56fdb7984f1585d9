"""/partnerships/<iso2>/: one partnership's stage and dated history, plan outcomes with their
progress, requests, the coordination matrix, pipeline projects, sources and "last
updated"; public records only, one address per partnership, the same number of queries
at any size."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from partnerships.models import Partnership, SupportCommitment, SupportRequest
from tests.factories.members import MemberFactory, SectorFactory
from tests.factories.partnerships import (
    OutcomeFactory,
    OutcomeMeasurementFactory,
    PartnerInstitutionFactory,
    PartnershipFactory,
    PartnershipSourceFactory,
    PartnershipStageChangeFactory,
    PipelineProjectFactory,
    SupportCommitmentFactory,
    SupportRequestFactory,
)

from .public_world import (
    assert_nothing_hidden_shows,
    bulk_requests,
    hidden_requests,
    query_count,
)

pytestmark = pytest.mark.django_db

URL = "/partnerships/in/"


@pytest.fixture
def india():
    india = PartnershipFactory(
        country="IN",
        name="India–Sweden industry transition partnership",
        stage=Partnership.Stage.PLAN_AGREED,
        stage_since=datetime.date(2025, 3, 1),
        is_demo=False,
        lead_members=[MemberFactory(name="Sweden", slug="sweden")],
    )
    PartnershipStageChangeFactory(
        partnership=india, stage=Partnership.Stage.SCOPING, changed_on="2024-01-10"
    )
    PartnershipStageChangeFactory(
        partnership=india,
        stage=Partnership.Stage.CONSOLIDATED_RESPONSE,
        changed_on="2024-09-01",
        reason="",
    )
    PartnershipSourceFactory(
        partnership=india,
        title="Joint statement on the partnership",
        url="https://example.org/statement",
    )
    return india


@pytest.fixture
def matrix(india):
    """Two requests; a member committed to both (agreed, declined), an institution to one."""
    steel = SupportRequestFactory(partnership=india, title="Green steel study")
    cement = SupportRequestFactory(partnership=india, title="Cement kiln audit")
    SupportRequestFactory(partnership=india, title="Unmet grid study")
    steelco = MemberFactory(name="Steelco", slug="steelco")
    bank = PartnerInstitutionFactory(name="Demo Climate Fund")
    SupportCommitmentFactory(request=steel, member=steelco, amount=Decimal("120000"))
    SupportCommitmentFactory(
        request=cement,
        member=steelco,
        status=SupportCommitment.Status.DECLINED,
        amount=None,
        amount_usd=None,
    )
    SupportCommitmentFactory(
        request=cement,
        member=None,
        institution=bank,
        status=SupportCommitment.Status.IN_DISCUSSION,
        amount=Decimal("90000"),
    )
    return {"steel": steel, "cement": cement}


def _text(client, url=URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_stage_ladder_and_its_dated_history_are_shown(client, india):
    text = _text(client)

    assert "Plan agreed" in text and "(step 4 of 6)" in text
    assert '<strong>Scoping</strong>: <time datetime="2024-01-10">10 January 2024</time>' in text
    assert '<strong>Plan agreed</strong> (current stage): <time datetime="2025-03-01">' in text
    # A stage with no dated change says so; the stages to come are named.
    assert '<strong>Expression of interest</strong>: date <span class="not-recorded">' in text
    assert "Still to come: in implementation → concluded." in text


def test_outcomes_show_baseline_latest_and_target_with_a_bar(client, india):
    share = OutcomeFactory(
        partnership=india, title="Clinker substitution", baseline=10, target=30, unit="%"
    )
    OutcomeMeasurementFactory(outcome=share, measured_on="2024-06-30", value=12)
    OutcomeMeasurementFactory(outcome=share, measured_on="2025-06-30", value=20)
    # A reduction: from 900 down to 600 t CO2 per tonne-ish; 750 is half way.
    intensity = OutcomeFactory(
        partnership=india, title="Emission intensity", baseline=900, target=600
    )
    OutcomeMeasurementFactory(outcome=intensity, measured_on="2025-01-31", value=750)
    OutcomeFactory(partnership=india, title="Green public procurement")

    text = _text(client)

    assert "Baseline <strong>10</strong> (2023) → latest <strong>20</strong>" in text
    assert "50% of the way from baseline to target; 2 measurements recorded." in text
    assert '<rect class="outcome__fill" x="0" y="0" width="50" height="10"/>' in text
    assert "Baseline <strong>900</strong> (2023) → latest <strong>750</strong>" in text
    # Not measured yet: "not recorded", never a zero.
    procurement = text.split("Green public procurement")[1].split("</li>")[0]
    assert 'latest <span class="not-recorded">not recorded</span>' in procurement
    assert "progress is not known" in procurement


def test_requests_are_listed_with_amount_and_status(client, india, matrix):
    text = _text(client)

    assert f'<a href="/partnerships/needs/{matrix["steel"].pk}/">Green steel study</a>' in text
    assert '<span class="amount">USD 250,000</span>' in text
    assert 'pstatus--request-open">Open</span>' in text


def test_the_coordination_matrix_is_a_table_of_requests_by_supporters(client, india, matrix):
    text = _text(client)
    table = text.split('<table class="coordination-matrix">')[1].split("</table>")[0]

    heads = table.split("</thead>")[0]
    # Supporters are the columns, by name; requests the rows.
    assert heads.index("Demo Climate Fund") < heads.index("Steelco")
    assert '<th scope="col"><a href="/members/steelco/">Steelco</a>' in heads
    rows = table.split("</thead>")[1].split("</tr>")
    steel_row = next(row for row in rows if "Green steel study" in row)
    assert '<th scope="row">' in steel_row
    cells = steel_row.split("<td>")[1:]
    assert "no commitment" in cells[0]  # the fund did not commit to it
    assert "Agreed" in cells[1] and "USD 120,000" in cells[1]
    cement_row = next(row for row in rows if "Cement kiln audit" in row)
    assert "In discussion" in cement_row and "USD 90,000" in cement_row
    assert "Declined" in cement_row
    unmet = next(row for row in rows if "Unmet grid study" in row)
    assert unmet.count("no commitment") == 2
    # It scrolls in its own box, reachable by keyboard, at a phone's width.
    assert (
        'class="table-scroll matrix-scroll" role="region" aria-labelledby="matrix-heading"' in text
    )


def test_pipeline_projects_link_to_their_pages(client, india):
    PipelineProjectFactory(partnership=india, name="Green cement plant", slug="green-cement")

    text = _text(client)

    assert '<a href="/partnerships/pipeline/green-cement/">Green cement plant</a>' in text


def test_sources_and_last_updated_are_shown(client, india):
    text = _text(client)

    assert '<a href="https://example.org/statement">Joint statement on the partnership</a>' in text
    assert "Last updated <time" in text


def test_a_demo_partnership_says_it_is_invented(client):
    PartnershipFactory(country="KE", name="Kenya partnership")

    text = _text(client, "/partnerships/ke/")

    assert '<h1>Kenya partnership <span class="tag tag--demo">Demo record (invented)</span>' in text
    assert "are fictional" in text


def test_the_upper_case_address_redirects_to_the_lower_case_one(client, india):
    response = client.get("/partnerships/IN/")

    assert response.status_code == 301
    assert response["Location"] == URL


@pytest.mark.parametrize("url", ["/partnerships/ke/", "/partnerships/xx/", "/partnerships/ind/"])
def test_a_country_without_a_partnership_is_not_found(client, india, url):
    assert client.get(url).status_code == 404


def test_records_hidden_from_the_public_appear_nowhere_on_the_page(member_client, india, matrix):
    anonymous = Client()
    anonymous.get(URL)  # cached: the hidden records must make it stale, then stay out
    hidden = hidden_requests(india)
    SupportCommitmentFactory(
        request=hidden[0], member=None, institution=PartnerInstitutionFactory(name="Quiet bank")
    )

    for visitor in (anonymous, member_client):
        text = _text(visitor)
        assert_nothing_hidden_shows(text)
        assert "Quiet bank" not in text
        assert "3 public requests" in text


def test_a_page_reads_as_many_queries_at_10_as_at_200_requests(client, india):
    sector = SectorFactory(name="Cement", slug="cement")
    OutcomeMeasurementFactory(outcome=OutcomeFactory(partnership=india))
    bulk_requests(india, 10, sector=sector, supporter=MemberFactory())
    small = query_count(client, URL)

    for start in range(10, 200, 10):
        # Each ten answered by a supporter of its own: the matrix grows in both directions.
        bulk_requests(india, 10, sector=sector, supporter=MemberFactory(), start=start)
    for _ in range(10):
        OutcomeMeasurementFactory(outcome=OutcomeFactory(partnership=india))
    assert SupportRequest.objects.filter(partnership=india).count() == 200
    assert SupportCommitment.objects.count() == 200

    assert query_count(client, URL) == small
