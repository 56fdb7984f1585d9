"""Who reported at a milestone (a COP, a UN summit): the reads behind the public milestone
report (``/members/milestones/<slug>/``), its downloads and its PDF, and behind the
newsletter's "who reported" section and the workplan's "members reporting at the last
milestone" metric.

The interface other apps use, kept stable:

- :func:`milestone_report` ``(milestone, *, today=None) -> MilestoneReportData``;
- :func:`milestone_list` ``(*, today=None) -> list[MilestoneSummary]``.

Definitions (the page, the downloads, the PDF and the metric all say the same thing):

- a member **reported** for a milestone if it is public (``Member.objects.public()``:
  active or former, never prospective) and has at least one *published* progress update
  whose milestone is it (drafts and updates hidden by the secretariat do not count);
- the members **due to report** are the *active* members that had joined by the
  milestone's date (or whose joining date is not recorded): a former member is not
  expected to report, nor a member that joined after the milestone (the same rule as
  ``members.gca.MilestoneReporting`` and the workplan metric);
- a member **has not reported (yet)** if it is due and has no such update;
- the **share reporting** is due members that reported / members due; ``None`` when no
  member was due (never shown as 0 %). A former member's report is listed and counted in
  ``reported_count``, not in the share;
- counts by pillar count the published updates (and their members) that name the pillar
  (``ProgressUpdate.pillars``); counts by commitment status count the commitments those
  updates report on (``ReportedCommitment`` rows), by status and by commitment category.

Each read runs in a fixed number of queries, whatever the number of members or updates
(``tests/members/test_milestone_report.py`` asserts it at 10 and 200 members).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from .models import (
    Commitment,
    Member,
    MemberCommitment,
    Milestone,
    Pillar,
    ProgressUpdate,
    ReportedCommitment,
)

# The statuses an update can report a commitment at ("not reported" is the absence of a
# report, never a reported status: ``ReportedCommitment``'s check constraint).
REPORTED_STATUSES: list[tuple[str, str]] = [
    (value, label)
    for value, label in MemberCommitment.Status.choices
    if value != MemberCommitment.Status.NOT_REPORTED
]

# ``Member.objects.public()`` as statuses, for counts across a relation.
PUBLIC_STATUSES = [s for s in Member.Status.values if s != Member.Status.PROSPECTIVE]


@dataclass(frozen=True)
class CommitmentReport:
    """One commitment one update reports on, with the status it reported."""

    text: str
    category: str  # Commitment.Category value
    category_label: str
    status: str  # MemberCommitment.Status value, never "not_reported"
    status_label: str


@dataclass(frozen=True)
class ReportedUpdate:
    """One published update for the milestone."""

    pk: int
    title: str
    url: str  # the member's public page, anchored at the update ("#update-<pk>")
    published_at: datetime
    is_demo: bool
    pillars: list[Pillar]  # by number
    commitments: list[CommitmentReport]


@dataclass(frozen=True)
class MemberReport:
    """A member in the report: with its updates if it reported, else none."""

    member: Member
    updates: list[ReportedUpdate] = field(default_factory=list)

    @property
    def reported(self) -> bool:
        return bool(self.updates)

    @property
    def is_demo(self) -> bool:
        """Whether what this row says is (partly) invented: the member is a demo record, or
        one of its updates is (the downloads' ``demo_record`` column)."""
        return self.member.is_demo or any(update.is_demo for update in self.updates)

    @property
    def pillars(self) -> list[Pillar]:
        """The pillars its updates name, each once, by number."""
        seen = {pillar.pk: pillar for update in self.updates for pillar in update.pillars}
        return sorted(seen.values(), key=lambda pillar: pillar.number)

    @property
    def commitments(self) -> list[CommitmentReport]:
        return [report for update in self.updates for report in update.commitments]


@dataclass(frozen=True)
class PillarCount:
    pillar: Pillar
    updates: int  # published updates for the milestone naming the pillar
    members: int  # members with at least one of them


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int  # commitment reports at this status


@dataclass(frozen=True)
class CategoryCount:
    """Commitment reports of one category (Support / Engage / Promote), by status."""

    category: str
    label: str
    by_status: list[StatusCount]  # in REPORTED_STATUSES order

    @property
    def total(self) -> int:
        return sum(count.count for count in self.by_status)


@dataclass(frozen=True)
class MilestoneReportData:
    """Everything the milestone report shows (see the module's definitions)."""

    milestone: Milestone
    today: date
    reported: list[MemberReport]  # by member name
    not_reported: list[MemberReport]  # by member name; their ``updates`` are empty
    by_pillar: list[PillarCount]  # every pillar, by number, zeros included
    by_status: list[StatusCount]  # every reported status, zeros included
    by_category: list[CategoryCount]  # every commitment category, zeros included

    @property
    def is_past(self) -> bool:
        """Whether the milestone's day has gone by: who has not reported "did not"."""
        return self.milestone.date < self.today

    @property
    def reported_count(self) -> int:
        return len(self.reported)

    @property
    def not_reported_count(self) -> int:
        return len(self.not_reported)

    @property
    def due_reported_count(self) -> int:
        """Members due to report that reported."""
        return sum(1 for entry in self.reported if _is_due(entry.member, self.milestone))

    @property
    def due_count(self) -> int:
        """Members due to report: those that reported and those that have not."""
        return self.due_reported_count + self.not_reported_count

    @property
    def other_reported_count(self) -> int:
        """Members that reported without being due (former, or joined after the date)."""
        return self.reported_count - self.due_reported_count

    @property
    def share_reporting(self) -> float | None:
        """Due members that reported / members due, from 0 to 1; None when none was due."""
        if not self.due_count:
            return None
        return self.due_reported_count / self.due_count

    @property
    def updates_count(self) -> int:
        return sum(len(report.updates) for report in self.reported)

    @property
    def commitment_reports_count(self) -> int:
        return sum(count.count for count in self.by_status)

    @property
    def members(self) -> list[MemberReport]:
        """Reported and not reported, by member name: the downloads' rows."""
        return sorted(
            self.reported + self.not_reported, key=lambda r: (r.member.name.lower(), r.member.pk)
        )


def _published_updates(milestone: Milestone):
    """The milestone's published updates of public members, with what the report shows of
    each: three queries (updates, pillars, reported commitments)."""
    reports = ReportedCommitment.objects.select_related("member_commitment__commitment").order_by(
        "member_commitment__commitment__order", "member_commitment__commitment__pk", "pk"
    )
    return (
        ProgressUpdate.objects.published()
        .filter(milestone=milestone, member__in=Member.objects.public())
        .select_related("member")
        .prefetch_related(
            Prefetch("pillars", queryset=Pillar.objects.order_by("number")),
            Prefetch("reported_commitments", queryset=reports),
        )
        .order_by("published_at", "pk")
    )


def _reported_update(update: ProgressUpdate) -> ReportedUpdate:
    commitments = []
    for report in update.reported_commitments.all():
        commitment = report.member_commitment.commitment
        commitments.append(
            CommitmentReport(
                text=commitment.text,
                category=commitment.category,
                category_label=commitment.get_category_display(),
                status=report.status,
                status_label=report.get_status_display(),
            )
        )
    return ReportedUpdate(
        pk=update.pk,
        title=update.title,
        url=f"{update.member.get_absolute_url()}#update-{update.pk}",
        published_at=update.published_at,
        is_demo=update.is_demo,
        pillars=list(update.pillars.all()),
        commitments=commitments,
    )


def _is_due(member: Member, milestone: Milestone) -> bool:
    """Whether ``member`` is expected to report for ``milestone``: the rule of
    ``Member.objects.due_to_report``, for a member already loaded."""
    return member.status == Member.Status.ACTIVE and (
        member.joined_on is None or member.joined_on <= milestone.date
    )


def _by_name(reports: list[MemberReport]) -> list[MemberReport]:
    return sorted(reports, key=lambda r: (r.member.name.lower(), r.member.pk))


def milestone_report(milestone: Milestone, *, today: date | None = None) -> MilestoneReportData:
    """Who reported for ``milestone``, who has not (yet), and the counts by pillar and by
    commitment status: six queries, whatever the number of members and updates.

    ``today`` (default: the local date) decides whether the milestone is past."""
    today = today or timezone.localdate()
    updates_by_member: dict[int, list[ReportedUpdate]] = defaultdict(list)
    members: dict[int, Member] = {}
    pillar_updates: dict[int, int] = defaultdict(int)
    pillar_members: dict[int, set[int]] = defaultdict(set)
    status_counts: dict[tuple[str, str], int] = defaultdict(int)
    for update in _published_updates(milestone):
        reported = _reported_update(update)
        members[update.member_id] = update.member
        updates_by_member[update.member_id].append(reported)
        for pillar in reported.pillars:
            pillar_updates[pillar.pk] += 1
            pillar_members[pillar.pk].add(update.member_id)
        for commitment in reported.commitments:
            status_counts[(commitment.category, commitment.status)] += 1

    not_reported = Member.objects.due_to_report(milestone.date).exclude(pk__in=list(members))
    by_category = [
        CategoryCount(
            category=category,
            label=label,
            by_status=[
                StatusCount(status, status_label, status_counts[(category, status)])
                for status, status_label in REPORTED_STATUSES
            ],
        )
        for category, label in Commitment.Category.choices
    ]
    return MilestoneReportData(
        milestone=milestone,
        today=today,
        reported=_by_name(
            [MemberReport(members[pk], updates) for pk, updates in updates_by_member.items()]
        ),
        not_reported=_by_name([MemberReport(member) for member in not_reported]),
        by_pillar=[
            PillarCount(pillar, pillar_updates[pillar.pk], len(pillar_members[pillar.pk]))
            for pillar in Pillar.objects.order_by("number")
        ],
        by_status=[
            StatusCount(
                status, label, sum(status_counts[(c, status)] for c in Commitment.Category.values)
            )
            for status, label in REPORTED_STATUSES
        ],
        by_category=by_category,
    )


@dataclass(frozen=True)
class MilestoneSummary:
    """One milestone in the list: its date and how many members reported for it."""

    milestone: Milestone
    members_reported: int
    is_upcoming: bool  # today or later

    @property
    def date(self) -> date:
        return self.milestone.date


def milestone_list(*, today: date | None = None) -> list[MilestoneSummary]:
    """Every milestone, latest first, with the number of public members that published an
    update for it: one query."""
    today = today or timezone.localdate()
    reported = Q(
        updates__status=ProgressUpdate.Status.PUBLISHED,
        updates__member__status__in=PUBLIC_STATUSES,
    )
    milestones = Milestone.objects.annotate(
        members_reported=Count("updates__member", filter=reported, distinct=True)
    ).order_by("-date", "name")
    return [
        MilestoneSummary(
            milestone=milestone,
            members_reported=milestone.members_reported,
            is_upcoming=milestone.date >= today,
        )
        for milestone in milestones
    ]
