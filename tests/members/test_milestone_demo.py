"""The members demo's milestone reporting: invented companies only, some reported and some
not at a past milestone, statuses as last reported, reminder steps on future milestones."""

import datetime

import pytest
from django.utils import timezone

import leadit.demo
from members import demo
from members.gca import milestone_reporting
from members.models import (
    DEFAULT_REMINDER_DAYS,
    Member,
    MemberCommitment,
    Milestone,
    MilestoneReminderStep,
    ProgressUpdate,
    ReportedCommitment,
)


@pytest.fixture
def seeded(db, tmp_path, monkeypatch):
    monkeypatch.setattr(leadit.demo, "DEMO_LOGINS_FILE", tmp_path / "demo-logins.json")
    demo.seed_demo()


def test_at_cop30_some_invented_companies_reported_and_some_not(seeded):
    reporting = milestone_reporting(Milestone.objects.get(slug="cop30-belem-2025"))

    assert [m.name for m in reporting.updates_by_member] == [
        "Contoso Cement (demo)",
        "Fabrikam Aluminium (demo)",
        "Northwind Steel (demo)",
    ]
    # Litware and Tailspin had joined by then; Woodgrove joined after it.
    assert reporting.not_reported >= 2
    assert all(m.is_demo for m in reporting.updates_by_member)


def test_only_invented_records_report_and_statuses_are_the_latest_reported(seeded):
    real = Member.objects.filter(is_demo=False)
    assert not ReportedCommitment.objects.filter(update__member__in=real).exists()
    assert not MemberCommitment.objects.filter(member__in=real).exclude(
        status=MemberCommitment.Status.NOT_REPORTED
    )
    published = ProgressUpdate.objects.published()
    assert not published.filter(is_demo=False).exists()
    assert not published.filter(pillars__isnull=True).exists()

    latest = {}
    for reported in ReportedCommitment.objects.filter(
        update__status=ProgressUpdate.Status.PUBLISHED
    ).order_by("update__published_at", "update__pk"):
        latest[reported.member_commitment_id] = reported.status
    assert len(latest) >= 10
    for row in MemberCommitment.objects.filter(pk__in=latest):
        assert row.status == latest[row.pk], row
    # A commitment no update reported on stays "not reported".
    assert set(
        MemberCommitment.objects.filter(member__is_demo=True)
        .exclude(pk__in=latest)
        .values_list("status", flat=True)
    ) == {MemberCommitment.Status.NOT_REPORTED}


def test_milestones_say_what_is_due_and_future_ones_have_reminder_steps(seeded):
    today = timezone.localdate()
    for milestone in Milestone.objects.all():
        assert milestone.description.startswith("*Generic demo text")
        steps = set(milestone.reminder_steps.values_list("days_before", flat=True))
        if milestone.date > today:
            assert steps == set(DEFAULT_REMINDER_DAYS)
    assert Milestone.objects.filter(date__gt=today).exists() or today > datetime.date(2027, 11, 8)


def test_seeding_again_changes_nothing(seeded):
    def state():
        return (
            ProgressUpdate.objects.count(),
            ReportedCommitment.objects.count(),
            ReportedCommitment.history.count(),
            MemberCommitment.history.count(),
            MilestoneReminderStep.objects.count(),
            ProgressUpdate.history.count(),
        )

    before = state()
    demo.seed_demo()
    assert state() == before
