"""Shared data for the tests of the public partnerships pages: many partnerships or
requests made quickly (bulk inserts, which send no signals, so tests clear the page cache
before measuring), and records hidden from the public with tell-tale names and amounts."""

import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Member
from partnerships.models import (
    Partnership,
    PartnershipStageChange,
    PipelineProject,
    SupportCommitment,
    SupportRequest,
    Visibility,
)
from tests.factories.members import MemberFactory, SectorFactory
from tests.factories.partnerships import (
    COUNTRY_CODES,
    SupportCommitmentFactory,
    SupportRequestFactory,
)

# Amounts no public record of the tests uses: if they show, a hidden record leaked.
HIDDEN_AMOUNTS = {
    Visibility.MEMBERS: Decimal("7777777"),
    Visibility.SECRETARIAT: Decimal("8888888"),
}


def query_count(client, url: str) -> int:
    cache.clear()  # bulk inserts send no signals: make sure the page is built afresh
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def bulk_requests(
    partnership: Partnership, count: int, *, sector, supporter, start: int = 0
) -> None:
    """``count`` public requests of ``partnership`` (numbered from ``start``), each with a
    sector, an agreed commitment of ``supporter`` and a pipeline project."""
    requests = SupportRequest.objects.bulk_create(
        SupportRequest(
            partnership=partnership,
            title=f"Bulk request {partnership.country.code} {n}",
            kind="technical_study",
            description="A study.",
            amount=Decimal(1000 + n),
            amount_usd=Decimal(1000 + n),
            currency="USD",
            is_demo=True,
        )
        for n in range(start, start + count)
    )
    SupportRequest.sectors.through.objects.bulk_create(
        SupportRequest.sectors.through(supportrequest=r, sector=sector) for r in requests
    )
    SupportCommitment.objects.bulk_create(
        SupportCommitment(
            request=r,
            member=supporter,
            status=SupportCommitment.Status.AGREED,
            amount=Decimal(500),
            amount_usd=Decimal(500),
            currency="USD",
            proposed_on=datetime.date(2025, 1, 1),
            agreed_on=datetime.date(2025, 2, 1),
        )
        for r in requests
    )
    PipelineProject.objects.bulk_create(
        PipelineProject(
            partnership=partnership,
            name=f"Bulk project {partnership.country.code} {n}",
            slug=f"bulk-project-{partnership.country.code.lower()}-{n}",
            sector=sector,
            capex=Decimal(10_000_000),
            capex_usd=Decimal(10_000_000),
            currency="USD",
            stage=PipelineProject.Stage.CONCEPT,
            stage_since=datetime.date(2025, 1, 1),
        )
        for n in range(start, start + count)
    )


def bulk_partnerships(count: int, *, start: int = 0) -> list[Partnership]:
    """``count`` partnerships, each with a stage change, a lead member, one request with a
    commitment and one pipeline project."""
    sector = SectorFactory(name="Cement", slug="cement")
    supporter = Member.objects.filter(slug="bulk-supporter").first() or MemberFactory(
        name="Bulk supporter", slug="bulk-supporter"
    )
    partnerships = Partnership.objects.bulk_create(
        Partnership(
            country=code,
            name=f"Bulk partnership {code}",
            stage=Partnership.Stage.SCOPING,
            stage_since=datetime.date(2025, 1, 1),
            is_demo=True,
        )
        for code in COUNTRY_CODES[start : start + count]
    )
    PartnershipStageChange.objects.bulk_create(
        PartnershipStageChange(partnership=p, stage=p.stage, changed_on=p.stage_since)
        for p in partnerships
    )
    Partnership.lead_members.through.objects.bulk_create(
        Partnership.lead_members.through(partnership=p, member=supporter) for p in partnerships
    )
    for partnership in partnerships:
        bulk_requests(partnership, 1, sector=sector, supporter=supporter)
    return partnerships


def hidden_requests(partnership: Partnership) -> list[SupportRequest]:
    """A members-only and a secretariat-only request, each with an agreed commitment of a
    supporter seen nowhere else, all with amounts no public record has."""
    hidden = []
    for visibility, amount in HIDDEN_AMOUNTS.items():
        request = SupportRequestFactory(
            partnership=partnership,
            title=f"Confidential {visibility} request",
            visibility=visibility,
            amount=amount,
        )
        SupportCommitmentFactory(
            request=request,
            member=MemberFactory(name=f"Quiet {visibility} supporter"),
            amount=amount,
        )
        hidden.append(request)
    return hidden


def assert_nothing_hidden_shows(text: str) -> None:
    for visibility, amount in HIDDEN_AMOUNTS.items():
        assert f"Confidential {visibility} request" not in text
        assert f"Quiet {visibility} supporter" not in text
        assert f"{amount:,.0f}" not in text
