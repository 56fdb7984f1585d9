"""What members adds to the registries for milestone reporting: the newsletter's "Who
reported for <milestone>" section and the workplan's "members reporting at the last
milestone" metrics (count and share)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from leadit.newsletter_sections import NEWSLETTER_SECTIONS, Quarter
from members.models import Member, ProgressUpdate
from members.workplan_metrics import METRICS, members_reporting, members_reporting_share
from tests.factories.members import (
    CompanyMemberFactory,
    MemberFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
)
from tests.factories.workplan import ObjectiveTargetFactory, WorkplanFactory
from workplan.metrics import register_metric, target_progress


def moment(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args, 10))


def q4_2025(now=None) -> Quarter:
    return Quarter(year=2025, quarter=4, now=now or moment(2026, 1, 15))


def collect(quarter: Quarter):
    return NEWSLETTER_SECTIONS["milestone_reports"].collect(quarter)


@pytest.fixture
def cop30():
    return MilestoneFactory(name="COP30 Belém 2025", date=datetime.date(2025, 11, 10))


@pytest.fixture
def reporting(cop30):
    """Two members reported for COP30 (one of them twice, one invented), one active member
    has not; a member that joined later, a former and a prospective one are not due."""
    sweden = MemberFactory(name="Sweden", slug="sweden", joined_on=datetime.date(2019, 9, 23))
    PublishedUpdateFactory(
        member=sweden, milestone=cop30, title="Steel plant opens", published_at=moment(2025, 10, 1)
    )
    PublishedUpdateFactory(
        member=sweden, milestone=cop30, title="Second *heat*", published_at=moment(2025, 11, 2)
    )
    demo = CompanyMemberFactory(name="Northwind Steel (demo)", is_demo=True)
    PublishedUpdateFactory(
        member=demo,
        milestone=cop30,
        title="Fossil-free heats",
        is_demo=True,
        published_at=moment(2025, 11, 3),
    )
    india = MemberFactory(name="India", slug="india")
    ProgressUpdateFactory(member=india, milestone=cop30, title="A draft only")
    ProgressUpdateFactory(
        member=india,
        milestone=cop30,
        title="Hidden",
        status=ProgressUpdate.Status.HIDDEN,
        hidden_reason="Off topic",
        published_at=moment(2025, 11, 1),
    )
    MemberFactory(name="Late joiner", joined_on=datetime.date(2025, 12, 1))
    MemberFactory(name="Left", status=Member.Status.FORMER)
    prospective = MemberFactory(name="Prospect", status=Member.Status.PROSPECTIVE)
    PublishedUpdateFactory(member=prospective, milestone=cop30, published_at=moment(2025, 11, 4))
    return sweden, demo, india


# --- The newsletter section ----------------------------------------------------------------


@pytest.mark.django_db
def test_section_lists_who_reported_and_counts_who_has_not(reporting, cop30):
    sweden, demo, _ = reporting

    lead, *members = collect(q4_2025())

    assert lead.title == "Who reported for COP30 Belém 2025"
    assert "2 members reported for COP30 Belém 2025 (10 November 2025)." in lead.text
    assert "1 member due to report has not reported yet." in lead.text
    assert lead.url == f"/members/milestones/{cop30.slug}/"
    assert lead.represents == 0
    assert [m.title for m in members] == [
        "Northwind Steel (demo): Fossil-free heats",
        "Sweden: 2 updates",
    ]
    northwind, sweden_item = members
    assert "Demo record (invented)." in northwind.text
    assert "Demo record" not in sweden_item.text
    # Titles as written, never as markup; each with its day.
    assert "“Steel plant opens”, published 1 October 2025" in sweden_item.text
    assert "“Second \\*heat\\*”, published 2 November 2025" in sweden_item.text
    assert sweden_item.url == "/members/sweden/#profile-updates"
    assert "Prospect" not in " ".join(m.title for m in members)


@pytest.mark.django_db
def test_section_says_nobody_reported_for_a_milestone_of_the_quarter(cop30):
    MemberFactory(name="Sweden")
    MemberFactory(name="India")

    (lead,) = collect(q4_2025())

    assert "No member has reported for COP30 Belém 2025 (10 November 2025) yet." in lead.text
    assert "2 members due to report have not reported yet." in lead.text


@pytest.mark.django_db
def test_section_takes_the_latest_milestone_on_or_before_the_issue_date(cop30):
    member = MemberFactory(name="Sweden")
    PublishedUpdateFactory(member=member, milestone=cop30, published_at=moment(2025, 11, 1))
    # Not yet held when the issue is assembled in the quarter: not the "latest".
    MilestoneFactory(name="Leadership Summit 2025", date=datetime.date(2025, 12, 20))

    lead, _ = collect(q4_2025(now=moment(2025, 12, 1)))

    assert lead.title == "Who reported for COP30 Belém 2025"


@pytest.mark.django_db
def test_section_is_empty_without_a_milestone_or_for_an_old_one_nobody_reported_for():
    MemberFactory()
    assert collect(q4_2025()) == []

    MilestoneFactory(name="COP29 Baku 2024", date=datetime.date(2024, 11, 11))
    assert collect(q4_2025()) == []


@pytest.mark.django_db
def test_section_reads_in_a_fixed_number_of_queries(cop30, django_assert_num_queries):
    for i in range(5):
        member = MemberFactory()
        for _ in range(i % 3 + 1):
            PublishedUpdateFactory(member=member, milestone=cop30, published_at=moment(2025, 11, 1))

    with django_assert_num_queries(1):
        items = collect(q4_2025())

    assert len(items) == 6


# --- The workplan metrics ------------------------------------------------------------------


@pytest.fixture
def registered():
    """The metrics as workplan/metrics.py registers them (idempotent)."""
    for key, label, compute in METRICS:
        register_metric(key=key, label=label, compute=compute)


@pytest.mark.django_db
def test_metrics_count_and_share_real_members_due_at_the_last_milestone(reporting, registered):
    plan = WorkplanFactory(period_start=datetime.date(2024, 1, 1))
    plan.period_end = datetime.date(2026, 12, 31)
    plan.save()
    # The last milestone of the period that has taken place, not an earlier one.
    MilestoneFactory(name="COP29 Baku 2024", date=datetime.date(2024, 11, 11))

    # Sweden reported; India (a draft and a hidden update) has not; the invented member,
    # the late joiner, the former and the prospective member are not counted.
    assert members_reporting(plan, {}) == 1
    assert members_reporting_share(plan, {}) == Decimal("50.0")

    target = ObjectiveTargetFactory(
        objective__workplan=plan, metric="members_reporting_share", threshold=Decimal("80")
    )
    progress = target_progress(target, today=datetime.date(2026, 1, 10))
    assert progress.value == Decimal("50.0")
    assert progress.state_label == "Behind"


@pytest.mark.django_db
def test_metrics_are_not_recorded_without_a_milestone_in_the_period(registered):
    MemberFactory()
    MilestoneFactory(name="COP26 Glasgow 2021", date=datetime.date(2021, 10, 31))
    # A milestone of the period still to come is not the last one either.
    MilestoneFactory(name="Coming summit", date=timezone.localdate() + datetime.timedelta(days=20))
    plan = WorkplanFactory(period_start=datetime.date(2024, 1, 1))
    plan.period_end = timezone.localdate() + datetime.timedelta(days=365)
    plan.save()

    assert members_reporting(plan, {}) is None
    assert members_reporting_share(plan, {}) is None
    for metric in ("members_reporting", "members_reporting_share"):
        target = ObjectiveTargetFactory(objective__workplan=plan, metric=metric)
        progress = target_progress(target)
        assert progress.value is None
        assert progress.state_label == "Not recorded"


@pytest.mark.django_db
def test_share_is_not_recorded_when_no_member_was_due(cop30):
    MemberFactory(joined_on=datetime.date(2026, 1, 1))
    plan = WorkplanFactory(period_start=datetime.date(2025, 1, 1))

    assert members_reporting(plan, {}) == 0
    assert members_reporting_share(plan, {}) is None
