"""Who reported for a milestone, and the yearly export for the UNFCCC Global Climate Action
(GCA) portal's survey of cooperative initiatives, where LeadIT reports.

Reads only (a selector and a writer): the views, the newsletter section and the workplan
metric call them.

* :func:`milestone_reporting`: which public members published an update for a milestone
  and how many members due to report have not yet (the newsletter's "Who reported for
  <milestone>" and the workplan's "members reporting at the last milestone" read it).
* :func:`gca_survey` and :func:`gca_workbook`: one calendar year laid out for the survey:
  "Participants", "Activities", "Outputs by pillar" and a "README" sheet.

Truthful: a missing value is ``not_recorded``, never blank or 0; a year with no update
says so in words rather than in a table of zeros; invented demo records are labelled in a
"Demo record" column and never counted in the outputs.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from leadit.spreadsheets import escape_formula
from tracker.wording import DEMO_LABEL, NOT_RECORDED, or_not_recorded

from .models import (
    Member,
    MemberCommitment,
    Milestone,
    Pillar,
    PillarEngagement,
    ProgressUpdate,
    ReportedCommitment,
)

# --- Who reported for a milestone ---------------------------------------------------------


def update_url(update: ProgressUpdate) -> str:
    """Where an update is read on the portal: its member's public timeline."""
    return update.member.get_absolute_url() + "#profile-updates"


def latest_milestones(on_or_before: datetime.date, *, since: datetime.date | None = None):
    """The milestones dated on or before ``on_or_before`` (and not before ``since`` if
    given), latest first."""
    milestones = Milestone.objects.filter(date__lte=on_or_before)
    if since is not None:
        milestones = milestones.filter(date__gte=since)
    return milestones.order_by("-date", "-pk")


def milestone_updates(milestone: Milestone, *, real_only: bool = False) -> QuerySet:
    """The published updates of public members for ``milestone`` (members selected), in
    the order the members' names and the updates' dates give; ``real_only`` leaves out
    invented demo records."""
    updates = (
        ProgressUpdate.objects.published()
        .filter(milestone=milestone, member__in=Member.objects.public())
        .select_related("member")
        .order_by("member__name", "published_at", "pk")
    )
    if real_only:
        updates = updates.filter(is_demo=False, member__is_demo=False)
    return updates


def reported_member_ids(milestone: Milestone, *, real_only: bool = False) -> set[int]:
    """The public members that published an update for ``milestone``. One query."""
    return set(
        milestone_updates(milestone, real_only=real_only)
        .order_by()
        .values_list("member_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class MilestoneReporting:
    """Who reported for one milestone: the updates by member (public members, in name
    order), how many members were due to report and how many of those did. The members
    due are the active ones that had joined by the milestone's date (a member whose
    joining date is not recorded is counted in: it is active now)."""

    milestone: Milestone
    updates_by_member: dict[Member, list[ProgressUpdate]]
    due: int
    due_reported: int

    @property
    def reported(self) -> int:
        """Public members that reported (due or not: a former member's report counts)."""
        return len(self.updates_by_member)

    @property
    def not_reported(self) -> int:
        """Members due to report that have not (yet)."""
        return self.due - self.due_reported


class _Count(Subquery):
    """The number of rows of a subquery, as a column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


_UPDATE_FIELDS = ("pk", "title", "published_at", "is_demo")
_MEMBER_FIELDS = ("pk", "name", "slug", "kind", "status", "is_demo")


def _reporting(milestones: QuerySet, *, real_only: bool) -> MilestoneReporting | None:
    """Who reported for the first of ``milestones`` (a queryset of at most one): the
    milestone, its counts and its published updates with their members, in ONE query (a
    row per update, or one row with none), so that a newsletter section or a metric costs
    one query whatever the number of members."""
    published = Q(updates__status=ProgressUpdate.Status.PUBLISHED)
    due = Member.objects.due_to_report(OuterRef("date"))
    reported = ProgressUpdate.objects.filter(
        status=ProgressUpdate.Status.PUBLISHED,
        milestone=OuterRef(OuterRef("pk")),
        member=OuterRef("pk"),
    )
    if real_only:
        published &= Q(updates__is_demo=False)
        due = due.filter(is_demo=False)
        reported = reported.filter(is_demo=False)
    rows = (
        milestones.annotate(
            due=_Count(due.values("pk")),
            due_reported=_Count(due.filter(Exists(reported)).values("pk")),
            reported=FilteredRelation("updates", condition=published),
        )
        .values(
            "pk",
            "name",
            "slug",
            "date",
            "due",
            "due_reported",
            *(f"reported__{name}" for name in _UPDATE_FIELDS),
            *(f"reported__member__{name}" for name in _MEMBER_FIELDS),
        )
        .order_by("reported__member__name", "reported__published_at", "reported__pk")
    )
    milestone = None
    by_member: dict[Member, list[ProgressUpdate]] = {}
    members: dict[int, Member] = {}
    for row in rows:
        if milestone is None:
            milestone = Milestone(
                pk=row["pk"], name=row["name"], slug=row["slug"], date=row["date"]
            )
            counts = row["due"], row["due_reported"]
        member_id = row["reported__member__pk"]
        if row["reported__pk"] is None or (
            # Not public; in real_only, not real.
            row["reported__member__status"] == Member.Status.PROSPECTIVE
            or (real_only and row["reported__member__is_demo"])
        ):
            continue
        if member_id not in members:
            members[member_id] = Member(
                **{name: row[f"reported__member__{name}"] for name in _MEMBER_FIELDS}
            )
        member = members[member_id]
        update = ProgressUpdate(
            **{name: row[f"reported__{name}"] for name in _UPDATE_FIELDS},
            member=member,
            milestone=milestone,
        )
        by_member.setdefault(member, []).append(update)
    if milestone is None:
        return None
    return MilestoneReporting(milestone, by_member, *counts)


def milestone_reporting(milestone: Milestone, *, real_only: bool = False) -> MilestoneReporting:
    """Who reported for ``milestone``; ``real_only`` leaves invented records out. One query."""
    return _reporting(Milestone.objects.filter(pk=milestone.pk), real_only=real_only)


def latest_milestone_reporting(
    on_or_before: datetime.date,
    *,
    since: datetime.date | None = None,
    real_only: bool = False,
) -> MilestoneReporting | None:
    """Who reported for the latest milestone dated on or before ``on_or_before`` (and not
    before ``since``); None if there is none. One query."""
    latest = latest_milestones(on_or_before, since=since).values("pk")[:1]
    return _reporting(Milestone.objects.filter(pk=Subquery(latest)), real_only=real_only)


# --- The GCA survey: what one year holds ---------------------------------------------------

GCA_FIRST_YEAR = 2019  # LeadIT was launched on 23 September 2019
SOURCE = "LeadIT Secretariat Portal"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
NOT_DEMO = "no"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PARTICIPANT_COLUMNS = (
    "Name",
    "Kind",
    "Country",
    "Country code",
    "Joined on",
    "Status today",
    "Left on",
    "Pillars engaged (role)",
    "Profile",
    "Demo record",
)
ACTIVITY_COLUMNS = (
    "Member",
    "Milestone",
    "Title",
    "Published on",
    "Pillars",
    "Commitments reported (status)",
    "Link",
    "Demo record",
)
OUTPUT_COLUMNS = (
    "Pillar",
    "Members reporting",
    "Updates",
    "Commitments met",
    "Commitments in progress",
    "Commitments not started",
)
NO_PILLAR = "No pillar named"
ALL_PILLARS = "All updates"


def gca_year_allowed(year: int, *, today: datetime.date | None = None) -> bool:
    """A survey year: from LeadIT's launch to next year (a survey may open early)."""
    today = today or timezone.localdate()
    return GCA_FIRST_YEAR <= year <= today.year + 1


@dataclass(frozen=True)
class Participant:
    member: Member
    left_on: datetime.date | None  # former members only; None: not recorded
    engagements: list[PillarEngagement]


@dataclass(frozen=True)
class OutputRow:
    pillar: str
    members: int
    updates: int
    met: int
    in_progress: int
    not_started: int


@dataclass(frozen=True)
class GcaSurvey:
    year: int
    participants: list[Participant]
    activities: list[ProgressUpdate]  # pillars and reported commitments prefetched
    outputs: list[OutputRow]  # real records only
    demo_activities: int  # invented updates listed, not counted in the outputs
    generated_at: datetime.datetime = field(
        default_factory=lambda: timezone.now().replace(microsecond=0)
    )


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of ``year`` and of the next one, in the portal's time zone."""
    return (
        timezone.make_aware(datetime.datetime(year, 1, 1)),
        timezone.make_aware(datetime.datetime(year + 1, 1, 1)),
    )


def _left_on(member_ids: list[int]) -> dict[int, datetime.date]:
    """When each of these (former) members became former, from the members' history: the
    first record saying "former" after the last one saying otherwise. A member recorded
    as former from its first record has no known date. One query."""
    left: dict[int, datetime.date | None] = {}
    if not member_ids:
        return {}
    records = (
        Member.history.filter(id__in=member_ids)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status", "history_date")
    )
    seen_other: set[int] = set()
    for member_id, status, when in records:
        if status != Member.Status.FORMER:
            seen_other.add(member_id)
            left[member_id] = None
        elif member_id in seen_other and left.get(member_id) is None:
            left[member_id] = timezone.localdate(when)
    return {member_id: when for member_id, when in left.items() if when is not None}


def _participants(year: int) -> list[Participant]:
    """Public members active at some point in ``year``: joined by its end (or joining
    date not recorded), and not known to have left before it began. Three queries."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    members = list(
        Member.objects.public()
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=end))
        .prefetch_related(
            Prefetch(
                "pillar_engagements",
                queryset=PillarEngagement.objects.select_related("pillar").order_by(
                    "pillar__number"
                ),
            )
        )
        .order_by("name")
    )
    left = _left_on([m.pk for m in members if m.status == Member.Status.FORMER])
    participants = []
    for member in members:
        left_on = left.get(member.pk) if member.status == Member.Status.FORMER else None
        if left_on is not None and left_on < start:
            continue
        participants.append(Participant(member, left_on, list(member.pillar_engagements.all())))
    return participants


def _activities(year: int) -> list[ProgressUpdate]:
    """The updates of public members published in ``year``, oldest first. Three queries."""
    first, following = _year_bounds(year)
    return list(
        ProgressUpdate.objects.published()
        .filter(
            member__in=Member.objects.public(),
            published_at__gte=first,
            published_at__lt=following,
        )
        .select_related("member", "milestone")
        .prefetch_related(
            Prefetch("pillars", queryset=Pillar.objects.order_by("number")),
            Prefetch(
                "reported_commitments",
                queryset=ReportedCommitment.objects.select_related("member_commitment__commitment"),
            ),
        )
        .order_by("published_at", "pk")
    )


def _output_row(label: str, updates: list[ProgressUpdate]) -> OutputRow:
    """Members and updates, and the member commitments by the latest status these updates
    reported for them in the year (``updates`` oldest first: a later report wins)."""
    latest: dict[int, str] = {}
    for update in updates:
        for reported in update.reported_commitments.all():
            latest[reported.member_commitment_id] = reported.status
    statuses = list(latest.values())
    return OutputRow(
        pillar=label,
        members=len({u.member_id for u in updates}),
        updates=len(updates),
        met=statuses.count(MemberCommitment.Status.MET),
        in_progress=statuses.count(MemberCommitment.Status.IN_PROGRESS),
        not_started=statuses.count(MemberCommitment.Status.NOT_STARTED),
    )


def _is_demo(update: ProgressUpdate) -> bool:
    return update.is_demo or update.member.is_demo


def _outputs(pillars: Iterable[Pillar], updates: list[ProgressUpdate]) -> list[OutputRow]:
    """Per pillar, then updates that name none, then all of them; real records only, and
    nothing at all when there is no real update (the sheet says so instead)."""
    real = [u for u in updates if not _is_demo(u)]
    if not real:
        return []
    by_pillar: dict[int, list[ProgressUpdate]] = defaultdict(list)
    unnamed = []
    for update in real:
        named = update.pillars.all()
        for pillar in named:
            by_pillar[pillar.pk].append(update)
        if not named:
            unnamed.append(update)
    rows = [_output_row(str(pillar), by_pillar[pillar.pk]) for pillar in pillars]
    if unnamed:
        rows.append(_output_row(NO_PILLAR, unnamed))
    rows.append(_output_row(ALL_PILLARS, real))
    return rows


def gca_survey(year: int) -> GcaSurvey:
    """What the export of ``year`` holds, in a fixed number of queries (seven)."""
    activities = _activities(year)
    return GcaSurvey(
        year=year,
        participants=_participants(year),
        activities=activities,
        outputs=_outputs(Pillar.objects.order_by("number"), activities),
        demo_activities=sum(1 for u in activities if _is_demo(u)),
    )


# --- The GCA survey: the workbook ----------------------------------------------------------


def _cell(value):
    """A spreadsheet cell: dates in ISO 8601, never a formula, never a character a
    spreadsheet refuses."""
    if isinstance(value, datetime.date | datetime.datetime):
        value = value.isoformat()
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return escape_formula(value)


def _demo_cell(is_demo: bool) -> str:
    return DEMO_LABEL if is_demo else NOT_DEMO


def _engagements_text(engagements: list[PillarEngagement]) -> str:
    return "; ".join(f"{e.pillar} ({e.get_role_display().lower()})" for e in engagements)


def _commitments_text(update: ProgressUpdate) -> str:
    return "; ".join(
        f"{r.member_commitment.commitment.text}: {r.get_status_display()}"
        for r in update.reported_commitments.all()
    )


def no_updates_note(year: int) -> str:
    return f"No updates published in {year}"


def _participant_row(participant: Participant, absolute: Callable[[str], str]) -> list:
    member = participant.member
    if member.status == Member.Status.FORMER:
        left_on = participant.left_on or NOT_RECORDED
    else:
        left_on = "not applicable (still a member)"
    return [
        member.name,
        member.get_kind_display(),
        member.country.name,
        member.country.code,
        or_not_recorded(member.joined_on),
        member.get_status_display(),
        left_on,
        _engagements_text(participant.engagements) or "none recorded on the portal",
        absolute(member.get_absolute_url()),
        _demo_cell(member.is_demo),
    ]


def _activity_row(update: ProgressUpdate, absolute: Callable[[str], str]) -> list:
    return [
        update.member.name,
        update.milestone.name if update.milestone_id else "not tied to a milestone",
        update.title,
        timezone.localdate(update.published_at),
        ", ".join(str(p) for p in update.pillars.all()) or NOT_RECORDED,
        _commitments_text(update) or NOT_RECORDED,
        absolute(update_url(update)),
        _demo_cell(_is_demo(update)),
    ]


def readme_rows(survey: GcaSurvey, *, url: str) -> list[tuple[str, str]]:
    """What the "README" sheet says: what each sheet is, where it comes from, how to cite."""
    made = survey.generated_at.date().isoformat()
    return [
        ("Title", f"LeadIT: members' reported progress for the UNFCCC Global Climate Action "
                  f"portal survey, {survey.year}"),
        ("Source", SOURCE),
        ("Year", str(survey.year)),
        ("Generated at", survey.generated_at.isoformat()),
        ("Licence", f"{LICENCE} ({LICENCE_URL})"),
        ("Citation", f"LeadIT Secretariat Portal: members' reported progress, {survey.year} "
                     f"(UNFCCC Global Climate Action portal survey), {made}, {url}"),
        ("Sheet “Participants”", "Every public member (country or company) active at some "
         "point in the year: joined by its end (or joining date not recorded) and not known "
         "to have left before it began. Pillar engagement is as recorded today."),
        ("Sheet “Activities”", "Each progress update published on the portal in the year: "
         "the member, the milestone it reports for, the pillars and the member's "
         "commitments it reports on, with the status reported."),
        ("Sheet “Outputs by pillar”", "Per pillar: the members that reported and their "
         "updates in the year, and their commitments by the latest status reported in the "
         "year (met, in progress, not started). A commitment no update reported on is not "
         "counted. Invented demo records are not counted."),
        ("Missing values", "“not_recorded” marks a value the secretariat does not record: "
         "not that it is none or zero."),
        ("Demo records", f"“{DEMO_LABEL}” marks an invented demo record: not a statement by "
         "or about a real organisation."),
    ]  # fmt: skip


def gca_workbook(
    survey: GcaSurvey, *, url: str, absolute: Callable[[str], str] = lambda path: path
) -> bytes:
    """The XLSX file of ``survey``; ``url`` is the file's own address (its citation) and
    ``absolute`` turns a portal path into a full address."""
    book = Workbook(write_only=True)
    note = no_updates_note(survey.year)

    sheet = book.create_sheet("Participants")
    sheet.append(list(PARTICIPANT_COLUMNS))
    for participant in survey.participants:
        sheet.append([_cell(v) for v in _participant_row(participant, absolute)])
    if not survey.participants:
        sheet.append([f"No member recorded as active in {survey.year}"])

    sheet = book.create_sheet("Activities")
    sheet.append(list(ACTIVITY_COLUMNS))
    for update in survey.activities:
        sheet.append([_cell(v) for v in _activity_row(update, absolute)])
    if not survey.activities:
        sheet.append([note])

    sheet = book.create_sheet("Outputs by pillar")
    sheet.append(list(OUTPUT_COLUMNS))
    for row in survey.outputs:
        sheet.append(
            [
                _cell(row.pillar),
                row.members,
                row.updates,
                row.met,
                row.in_progress,
                row.not_started,
            ]
        )
    if not survey.activities:
        sheet.append([note])
    elif not survey.outputs:
        sheet.append(
            [
                f"No updates by real members published in {survey.year}: the "
                f"{survey.demo_activities} on “Activities” are invented demo records, "
                "not counted."
            ]
        )
    elif survey.demo_activities:
        sheet.append(
            [
                f"{survey.demo_activities} invented demo record(s) on “Activities” are not "
                "counted here."
            ]
        )

    sheet = book.create_sheet("README")
    for label, value in readme_rows(survey, url=url):
        sheet.append([_cell(label), _cell(value)])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def gca_filename(year: int) -> str:
    return f"leadit-gca-{year}.xlsx"
