"""The technology demo: every record is invented and labelled, it builds on the demo
members, institutions and tracker technologies (creating no technology of its own), it
touches no real partnership's records, and seeding twice changes nothing."""

import pytest
from django.db import transaction
from django.utils import timezone

import leadit.demo
from leadit.models import BackgroundJob
from members import demo as members_demo
from members.models import Member
from partnerships import demo as partnerships_demo
from partnerships.models import Partnership, SupportRequest
from technology import demo
from technology.models import (
    TRL_MAX,
    TRL_MIN,
    CallForProposals,
    CoDevelopmentProject,
    GuidelineVersion,
    InnovationProgramme,
    Introduction,
    PatentFamily,
    ProjectMilestone,
    ProjectParticipant,
    ProjectPublication,
    SolutionCountry,
    TechnicalGuideline,
    TechnologySolution,
)
from tracker import demo as tracker_demo
from tracker.models import Technology

MODELS = [
    TechnologySolution, SolutionCountry, PatentFamily, CoDevelopmentProject,
    ProjectParticipant, ProjectMilestone, ProjectPublication, InnovationProgramme,
    CallForProposals, TechnicalGuideline, GuidelineVersion, Introduction, SupportRequest,
    Technology, BackgroundJob,
]  # fmt: skip
# The records with a demo flag and a name, and the field holding the name.
NAMED = [
    (TechnologySolution, "name"),
    (CoDevelopmentProject, "title"),
    (InnovationProgramme, "name"),
    (CallForProposals, "title"),
    (TechnicalGuideline, "title"),
]


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The lower apps' demo and this one, seeded once for the module in a transaction
    rolled back after it. Counts after the first seeding are kept for the second."""
    logins = tmp_path_factory.mktemp("demo") / "demo-logins.json"
    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        patch.setattr(leadit.demo, "DEMO_LOGINS_FILE", logins)
        tracker_demo._seed_reference_data()  # sectors and technologies (no GEM plants)
        members_demo.seed_demo()
        partnerships_demo.seed_demo()
        technologies = set(Technology.objects.values_list("slug", flat=True))
        demo.seed_demo()
        yield {"technologies": technologies, "logins": logins}
        transaction.set_rollback(True)


@pytest.fixture
def seeded(db, _seeded_once, monkeypatch):
    monkeypatch.setattr(leadit.demo, "DEMO_LOGINS_FILE", _seeded_once["logins"])
    return _seeded_once


def _counts() -> dict:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {
        f"history of {model.__name__}": model.history.count()
        for model in MODELS
        if hasattr(getattr(model, "history", None), "count")
    }
    return counts


def test_seeding_twice_changes_nothing(seeded):
    before = _counts()
    demo.seed_demo()
    assert _counts() == before  # no row added, none saved again (no history either)


def test_everything_is_labelled_demo(seeded):
    for model, field in NAMED:
        rows = model.objects.all()
        assert rows.exists(), model
        assert all(row.is_demo for row in rows), model
        assert all(getattr(row, field).endswith(" (demo)") for row in rows), model
    for solution in TechnologySolution.objects.select_related("member", "institution"):
        assert solution.provider.is_demo  # demo members and institutions only
        assert "Demo record (invented)" in solution.description
    assert all(p.lead_member.is_demo for p in CoDevelopmentProject.objects.all())
    assert all(g.member is None or g.member.is_demo for g in TechnicalGuideline.objects.all())
    assert all(p.number.startswith("DEMO-") for p in PatentFamily.objects.all())
    assert not TechnologySolution.objects.filter(reference_plants__isnull=False).exists()


def test_uses_the_tracker_technologies_and_creates_none(seeded):
    assert set(Technology.objects.values_list("slug", flat=True)) == seeded["technologies"]
    used = set(TechnologySolution.objects.values_list("technology__slug", flat=True))
    assert {"h2-dri", "ccus", "clinker-substitution"} <= used


def test_the_catalogue_has_enough_to_show(seeded):
    solutions = TechnologySolution.objects.all()
    assert 20 <= solutions.count() <= 30
    trls = set(solutions.values_list("trl", flat=True))
    assert min(trls) >= TRL_MIN and max(trls) <= TRL_MAX
    assert {4, 5, 6, 7, 8, 9} <= trls
    statuses = set(solutions.values_list("ip_status", flat=True))
    assert {"patented", "open_licence"} <= statuses
    assert solutions.filter(institution__isnull=False).exists()
    assert solutions.filter(available_worldwide=True).exists()
    assert SolutionCountry.objects.exists()

    projects = CoDevelopmentProject.objects.all()
    assert 5 <= projects.count() <= 8
    assert all(p.participants.count() >= 2 for p in projects)
    assert ProjectMilestone.objects.filter(status="done", trl_reached__isnull=False).exists()
    assert projects.filter(status="completed").exists()

    today = timezone.localdate()
    assert InnovationProgramme.objects.count() == 4
    assert CallForProposals.objects.open_on(today).exists()
    assert CallForProposals.objects.filter(deadline__lt=today).exists()

    assert TechnicalGuideline.objects.count() == 4
    two = [g for g in TechnicalGuideline.objects.all() if g.versions.count() == 2]
    assert len(two) == 1
    assert all(v.body for v in GuidelineVersion.objects.all())


def test_guideline_renders_are_queued_once(seeded):
    """Each Markdown version not rendered yet has one render job (run after commit: here
    the transaction never commits, so they wait)."""
    waiting = GuidelineVersion.objects.exclude(render_status="rendered")
    jobs = BackgroundJob.objects.filter(task_name="technology.render_guideline_version")
    assert sorted(job.arguments["version_id"] for job in jobs) == sorted(
        waiting.values_list("pk", flat=True)
    )


def test_needs_only_on_demo_partnerships(seeded):
    needs = SupportRequest.objects.filter(technologies__isnull=False).distinct()
    assert needs.count() >= 3
    assert all(n.is_demo and n.partnership.is_demo and n.kind == "technology" for n in needs)
    real = Partnership.objects.filter(is_demo=False)
    assert not SupportRequest.objects.filter(partnership__in=real).exists()


def test_two_introductions_one_pending_for_the_demo_member(seeded):
    northwind = Member.objects.get(slug="northwind-steel-demo")
    pending = Introduction.objects.get(status="pending")
    assert pending.solution.member == northwind
    assert pending.requester_partnership.is_demo
    accepted = Introduction.objects.get(status="accepted")
    assert accepted.requester_member == northwind
    assert accepted.solution.provider.is_demo
