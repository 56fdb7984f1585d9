"""The partnerships demo: the one real partnership says only what is public record, every
other record is labelled invented, every page has something to show, and seeding twice
changes nothing."""

import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

import leadit.demo
from members import demo as members_demo
from members.models import Member
from partnerships import demo
from partnerships.models import (
    AMOUNT_CEILING,
    CurrencyRate,
    Outcome,
    OutcomeMeasurement,
    PartnerInstitution,
    Partnership,
    PartnershipStageChange,
    PipelineProject,
    PipelineStageChange,
    SupportCommitment,
    SupportKind,
    SupportOffer,
    SupportRequest,
    Visibility,
)
from tracker import demo as tracker_demo

MODELS = [
    Partnership, PartnershipStageChange, CurrencyRate, PartnerInstitution, SupportRequest,
    SupportOffer, SupportCommitment, PipelineProject, PipelineStageChange, Outcome,
    OutcomeMeasurement,
]  # fmt: skip


def _seed_all() -> None:
    tracker_demo._seed_reference_data()  # sectors, technologies, groups (no GEM plants)
    members_demo.seed_demo()
    demo.seed_demo()


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seeded once for the module, in a transaction rolled back after it (each test runs in
    a savepoint of it)."""
    logins = tmp_path_factory.mktemp("demo") / "demo-logins.json"
    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        patch.setattr(leadit.demo, "DEMO_LOGINS_FILE", logins)
        _seed_all()
        yield logins
        transaction.set_rollback(True)


@pytest.fixture
def seeded(db, _seeded_once, monkeypatch):
    monkeypatch.setattr(leadit.demo, "DEMO_LOGINS_FILE", _seeded_once)


def _rows() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {
        f"history of {model.__name__}": model.history.count()
        for model in MODELS
        if hasattr(model, "history")
    }
    return counts


def test_seeding_twice_changes_nothing_not_even_history(seeded):
    before = _rows()
    updated = {m.__name__: list(m.objects.values_list("updated_at", flat=True)) for m in
               (Partnership, SupportRequest, SupportOffer, PipelineProject)}  # fmt: skip

    demo.seed_demo()

    assert _rows() == before
    assert {
        m.__name__: list(m.objects.values_list("updated_at", flat=True))
        for m in (Partnership, SupportRequest, SupportOffer, PipelineProject)
    } == updated


def test_the_india_sweden_partnership_says_only_what_is_public_record(seeded):
    india = Partnership.objects.get(country="IN")

    assert not india.is_demo
    assert india.name == "India–Sweden Industry Transition Partnership"
    assert "1 December 2023" in india.summary and "COP28" in india.summary
    assert "No support requests, commitments, plan outcomes or pipeline projects" in india.summary
    assert india.stage_since.isoformat() == "2023-12-01"
    # The existing member countries lead it; no duplicate members were made.
    assert sorted(india.lead_members.values_list("slug", flat=True)) == ["india", "sweden"]
    assert Member.objects.filter(kind="country", country__in=["IN", "SE"]).count() == 2
    sources = {source.url: source for source in india.sources.all()}
    pib = sources["https://pib.gov.in/PressReleasePage.aspx?PRID=1981722"]
    assert pib.published_on.isoformat() == "2023-12-01"
    assert "Press Information Bureau" in pib.publisher
    assert any("drishtiias" in url for url in sources)
    # Nothing invented about it.
    assert not india.support_requests.exists()
    assert not india.pipeline_projects.exists()
    assert not india.outcomes.exists()
    assert not SupportCommitment.objects.filter(request__partnership=india).exists()


def test_every_other_record_is_labelled_invented(seeded):
    others = Partnership.objects.exclude(country="IN")

    assert others.count() == 4
    for partnership in others:
        assert partnership.is_demo
        assert "demo partnership (invented)" in partnership.name
        assert partnership.summary.startswith("*Demo partnership (invented).*")
    for model, name in (
        (SupportRequest, "title"), (SupportOffer, "title"), (PipelineProject, "name"),
        (PartnerInstitution, "name"),
    ):  # fmt: skip
        rows = model.objects.all()
        assert rows.exists() and all(row.is_demo for row in rows)
        assert all(re.search(r"\(demo\)", getattr(row, name)) for row in rows), model
    assert not SupportCommitment.objects.filter(is_demo=False).exists()
    assert all(s.is_demo for s in Member.objects.filter(support_offers__isnull=False))
    assert set(CurrencyRate.objects.values_list("source", flat=True)) == {demo.RATE_SOURCE}


def test_the_demo_covers_every_kind_status_stage_and_visibility(seeded):
    requests = SupportRequest.objects.all()

    assert 35 <= requests.count() <= 45
    assert set(requests.values_list("kind", flat=True)) == set(SupportKind.values)
    assert set(requests.values_list("status", flat=True)) == set(SupportRequest.Status.values)
    assert set(requests.values_list("visibility", flat=True)) == set(Visibility.values)
    assert requests.filter(amount__isnull=True).exists()  # "not recorded" shows too
    offers = SupportOffer.objects.all()
    assert 20 <= offers.count() <= 30
    providers = {(o.member_id, o.institution_id) for o in offers}
    assert len(providers) >= 10
    commitments = SupportCommitment.objects.values_list("status", flat=True)
    assert set(commitments) == set(SupportCommitment.Status.values)
    projects = PipelineProject.objects.all()
    assert 25 <= projects.count() <= 35
    assert set(projects.values_list("stage", flat=True)) == set(PipelineProject.Stage.values)
    assert OutcomeMeasurement.objects.count() >= 6
    assert {"USD", "EUR", "INR", "SEK", "ZAR", "IDR", "BRL", "MXN"} <= set(
        CurrencyRate.objects.values_list("currency", flat=True)
    ) | {"USD"}


def test_every_project_and_partnership_has_a_dated_history_ending_at_its_stage(seeded):
    for project in PipelineProject.objects.prefetch_related("stage_changes"):
        steps = list(project.stage_changes.all())
        assert steps[0].stage == "concept"
        assert (steps[-1].stage, steps[-1].changed_on) == (project.stage, project.stage_since)
        assert [s.changed_on for s in steps] == sorted(s.changed_on for s in steps)
        assert all(s.reason for s in steps if s.stage in ("on_hold", "dropped"))
    for partnership in Partnership.objects.prefetch_related("stage_changes"):
        last = list(partnership.stage_changes.all())[-1]
        assert (last.stage, last.changed_on) == (partnership.stage, partnership.stage_since)


def test_the_demo_keeps_the_portals_own_rules_on_money_and_windows(seeded):
    for request in SupportRequest.objects.exclude(amount=None):
        assert request.amount < AMOUNT_CEILING and request.amount_usd is not None
        committed = request.commitments.exclude(status="declined").aggregate(total=Sum("amount"))
        assert (committed["total"] or Decimal(0)) <= request.amount, request
    for commitment in SupportCommitment.objects.select_related("offer"):
        offer = commitment.offer
        assert offer.visibility == Visibility.PUBLIC
        assert (offer.opens_on or commitment.proposed_on) <= commitment.proposed_on
        assert commitment.proposed_on <= (offer.closes_on or commitment.proposed_on)
        assert commitment.member_id == offer.member_id
        assert commitment.request.status != "withdrawn" or commitment.status == "declined"
    for project in PipelineProject.objects.exclude(capex=None):
        assert project.capex < AMOUNT_CEILING and project.capex_usd is not None
        assert project.stage_since <= demo.DEMO_TODAY
    assert not OutcomeMeasurement.objects.filter(measured_on__gt=demo.DEMO_TODAY).exists()
    assert SupportOffer.objects.filter(closes_on__lt=demo.DEMO_TODAY).exists()  # expired ones
