"""The needs board /partnerships/needs/ and one need /partnerships/needs/<id>/: filters in
the query string with counts, ignored values said, members' and secretariat records kept
from those who may not see them, and a constant number of queries."""

import logging
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import SupportCommitment, SupportKind, SupportRequest, Visibility
from tests.factories.members import EditorFactory, MemberFactory, SectorFactory
from tests.factories.partnerships import (
    FocalPointFactory,
    PartnerInstitutionFactory,
    PartnershipFactory,
    SupportCommitmentFactory,
    SupportRequestFactory,
)
from tests.factories.users import StaffFactory

pytestmark = pytest.mark.django_db

NEEDS = reverse("partnerships:needs")


@pytest.fixture
def board():
    cement = SectorFactory(name="Cement", slug="cement")
    steel = SectorFactory(name="Iron and steel", slug="steel")
    india = PartnershipFactory(country="IN", name="India–Sweden partnership", is_demo=False)
    kenya = PartnershipFactory(country="KE", name="Kenya partnership")
    study = SupportRequestFactory(
        partnership=india,
        title="Clinker substitution study",
        sectors=[cement],
        amount=Decimal("250000"),
    )
    loan = SupportRequestFactory(
        partnership=kenya,
        title="Green steel plant loan",
        kind=SupportKind.CONCESSIONAL_LOAN,
        sectors=[steel],
        amount=Decimal("50000000"),
        status=SupportRequest.Status.PARTLY_SUPPORTED,
    )
    SupportCommitmentFactory(request=loan, amount=Decimal("20000000"))
    members_only = SupportRequestFactory(
        partnership=india,
        title="Members-only grid study",
        sectors=[cement],
        visibility=Visibility.MEMBERS,
    )
    secret = SupportRequestFactory(
        partnership=kenya, title="Secretariat-only note", visibility=Visibility.SECRETARIAT
    )
    return {
        "study": study,
        "loan": loan,
        "members_only": members_only,
        "secret": secret,
        "india": india,
    }


def _titles(response) -> list[str]:
    return [need.title for need in response.context["needs"]]


def _facet(response, name: str) -> dict[str, int]:
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {option.value: option.count for option in facet.options}


def test_the_public_sees_public_needs_only_in_the_list_and_the_counts(client, board):
    response = client.get(NEEDS)
    assert response.status_code == 200
    assert _titles(response) == ["Green steel plant loan", "Clinker substitution study"]
    assert _facet(response, "sector") == {"cement": 1, "steel": 1}
    assert _facet(response, "country") == {"IN": 1, "KE": 1}
    content = response.content.decode()
    assert "2 needs" in content
    assert "Members-only grid study" not in content
    assert "Secretariat-only note" not in content
    assert "Demo record (invented)" in content


def test_a_member_editor_also_sees_members_needs_and_staff_everything(client, board):
    client.force_login(EditorFactory())
    titles = _titles(client.get(NEEDS))
    assert "Members-only grid study" in titles
    assert "Secretariat-only note" not in titles
    client.force_login(StaffFactory())
    assert len(_titles(client.get(NEEDS))) == 4


def test_a_focal_point_sees_their_own_partnerships_secretariat_needs_counted_once(client, board):
    kenya = board["secret"].partnership
    FocalPointFactory(partnership=kenya)  # a second focal point must not double the counts
    focal = FocalPointFactory(partnership=kenya)
    client.force_login(focal.user)
    response = client.get(NEEDS)
    assert "Secretariat-only note" in _titles(response)
    assert _facet(response, "country") == {"IN": 2, "KE": 2}


BODY = "partnerships/includes/need_list_body.html"


def _rendered(response) -> bool:
    """Whether the board's content was rendered for this request (not the cached one)."""
    return BODY in [template.name for template in response.templates]


def test_a_tracking_parameter_reuses_the_rendered_board_whose_links_leave_it_out(client, board):
    first = client.get(f"{NEEDS}?utm_source=newsletter&sector=cement")
    again = client.get(f"{NEEDS}?sector=cement&nocache=1")
    assert _rendered(first) and not _rendered(again)
    content = again.content.decode()
    assert "Clinker substitution study" in content and "Green steel plant loan" not in content
    assert "nocache" not in content and "utm_source" not in content
    assert 'href="/partnerships/needs/export.csv?sector=cement"' in content


def test_an_edit_shows_at_once_on_the_cached_board(client, board):
    client.get(f"{NEEDS}?nocache=1")
    study = board["study"]
    study.title = "Renamed clinker study"
    study.save()
    content = client.get(f"{NEEDS}?nocache=2").content.decode()
    assert "Renamed clinker study" in content
    assert "Clinker substitution study" not in content


@pytest.mark.parametrize("viewer", ["editor", "staff", "focal_point"])
def test_the_public_never_gets_a_board_rendered_for_someone_who_sees_more(client, board, viewer):
    secret_partnership = board["secret"].partnership
    signed_in = {
        "editor": EditorFactory,
        "staff": StaffFactory,
        "focal_point": lambda: FocalPointFactory(partnership=secret_partnership).user,
    }[viewer]()
    client.force_login(signed_in)
    assert "Members-only grid study" in client.get(f"{NEEDS}?nocache=1").content.decode()
    client.logout()
    content = client.get(f"{NEEDS}?nocache=2").content.decode()
    assert "Members-only grid study" not in content
    assert "Secretariat-only note" not in content
    assert "2 needs" in content


def test_a_member_editor_never_gets_a_focal_points_board(client, board):
    client.force_login(FocalPointFactory(partnership=board["secret"].partnership).user)
    assert "Secretariat-only note" in client.get(NEEDS).content.decode()
    client.force_login(EditorFactory())
    content = client.get(NEEDS).content.decode()
    assert "Members-only grid study" in content
    assert "Secretariat-only note" not in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=in", ["Clinker substitution study"]),
        ("sector=steel", ["Green steel plant loan"]),
        ("kind=concessional_loan", ["Green steel plant loan"]),
        ("status=open", ["Clinker substitution study"]),
        ("min_usd=1000000", ["Green steel plant loan"]),
        ("max_usd=1000000", ["Clinker substitution study"]),
        ("unmatched=1", ["Clinker substitution study"]),
        ("q=clinker", ["Clinker substitution study"]),
        ("q=kenya", ["Green steel plant loan"]),
        ("sort=title", ["Clinker substitution study", "Green steel plant loan"]),
        ("sort=-amount", ["Green steel plant loan", "Clinker substitution study"]),
    ],
)
def test_each_filter_narrows_the_board(client, board, query, expected):
    assert _titles(client.get(f"{NEEDS}?{query}")) == expected


def test_a_declined_commitment_leaves_a_need_unmatched(client, board):
    SupportCommitmentFactory(request=board["study"], status=SupportCommitment.Status.DECLINED)
    assert _titles(client.get(f"{NEEDS}?unmatched=1")) == ["Clinker substitution study"]


def test_facet_counts_keep_the_other_filters(client, board):
    response = client.get(f"{NEEDS}?sector=cement")
    assert _facet(response, "country") == {"IN": 1, "KE": 0}
    assert _facet(response, "sector") == {"cement": 1, "steel": 1}
    assert _facet(response, "kind")[SupportKind.TECHNICAL_STUDY] == 1


def test_values_that_cannot_be_read_are_ignored_and_said(client, board):
    response = client.get(f"{NEEDS}?min_usd=abc&max_usd=-5&kind=planet&unmatched=maybe&sort=x")
    content = response.content.decode()
    assert _titles(response) == ["Green steel plant loan", "Clinker substitution study"]
    assert "Amount at least: “abc” is not a number, so this filter is not applied." in content
    assert "Amount at most: “-5” is negative" in content
    assert "Kind of support: “planet” is not one of the choices" in content
    assert "Without a supporter yet: “maybe” is not 1 (on) or 0 (off)" in content
    assert "Sort by: “x” is not a known order, so the list is shown newest first" in content


def test_each_active_filter_has_a_link_that_removes_it(client, board):
    response = client.get(f"{NEEDS}?country=IN&unmatched=1")
    active = {f["label"]: f for f in response.context["active_filters"]}
    assert active["Country"]["value"] == "India"
    assert active["Without a supporter yet"]["remove_url"] == "?country=IN"
    assert active["Country"]["remove_url"] == "?unmatched=1"
    assert '<a href="?country=IN">Remove' in response.content.decode()


def test_a_need_shows_its_commitments_with_supporter_status_and_amount(client, board):
    bank = PartnerInstitutionFactory(name="Demo Climate Fund")
    SupportCommitmentFactory(
        request=board["loan"],
        member=None,
        institution=bank,
        status=SupportCommitment.Status.PROPOSED,
        amount=Decimal("5000000"),
    )
    response = client.get(board["loan"].get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Demo Climate Fund" in content
    assert "Proposed" in content and "Agreed" in content
    assert "USD 5,000,000" in content and "USD 20,000,000" in content
    assert "Demo record (invented)" in content


def test_a_need_the_visitor_may_not_see_answers_404_and_is_logged(client, board, caplog):
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        assert client.get(board["members_only"].get_absolute_url()).status_code == 404
    assert "Refused support request" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        assert client.get(reverse("partnerships:need", args=[999999])).status_code == 404
    assert "leadit.access" not in caplog.text
    client.force_login(EditorFactory())
    assert client.get(board["members_only"].get_absolute_url()).status_code == 200


def _many_needs(count: int) -> None:
    """``count`` public needs in two partnerships and two sectors, half with a commitment."""
    sectors = [SectorFactory(slug="cement", name="Cement"), SectorFactory(slug="steel")]
    partnerships = [PartnershipFactory(), PartnershipFactory()]
    member = MemberFactory()
    needs = SupportRequest.objects.bulk_create(
        SupportRequest(
            partnership=partnerships[n % 2],
            title=f"Need {n}",
            kind=SupportKind.TECHNICAL_STUDY,
            description="A need.",
            amount=Decimal(n * 1000),
            amount_usd=Decimal(n * 1000),
            currency="USD",
            is_demo=True,
        )
        for n in range(count)
    )
    SupportRequest.sectors.through.objects.bulk_create(
        SupportRequest.sectors.through(supportrequest=need, sector=sectors[n % 2])
        for n, need in enumerate(needs)
    )
    SupportCommitment.objects.bulk_create(
        SupportCommitment(request=need, member=member, proposed_on="2025-01-01", status="agreed")
        for need in needs[::2]
    )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "?sector=cement&unmatched=1&min_usd=10&sort=-amount"])
def test_the_board_reads_as_many_queries_for_10_and_500_needs(client, query):
    _many_needs(10)
    small = _queries(client, NEEDS + query)
    SupportRequest.objects.all().delete()
    _many_needs(490)
    client.logout()
    cache.clear()
    assert _queries(client, NEEDS + query) == small


@pytest.mark.parametrize("query", ["", "sector=cement&unmatched=1&"])
def test_a_board_from_the_cached_content_reads_as_many_queries_for_10_and_500_needs(client, query):
    _many_needs(10)
    client.get(f"{NEEDS}?{query}utm_source=a")
    small = _queries(client, f"{NEEDS}?{query}nocache=1")
    SupportRequest.objects.all().delete()
    _many_needs(490)
    client.get(f"{NEEDS}?{query}utm_source=a")
    assert _queries(client, f"{NEEDS}?{query}nocache=2") == small


def test_a_need_page_reads_as_many_queries_with_1_and_30_commitments(client):
    need = SupportRequestFactory()
    SupportCommitmentFactory(request=need)
    small = _queries(client, need.get_absolute_url())
    for _ in range(29):
        SupportCommitmentFactory(request=need)
    cache.clear()
    assert _queries(client, need.get_absolute_url()) == small
