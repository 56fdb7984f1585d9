"""Reads of the introductions: who may ask and for whom, who answers or withdraws, the
list of a user's introductions, the contacts once shared and the timeline from history.

Which introductions a user reaches is ``IntroductionQuerySet.involving`` (asked or to be
answered; staff: all) and ``answerable_by`` (the other side's people); the secretariat
answers for partner institutions' solutions, which have no editors in the portal."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from members.models import Member
from partnerships.models import Partnership, SupportKind, SupportRequest

from ..models import Introduction, TechnologySolution
from ..models.common import is_signed_in

# At most this many introductions asked by one person in RATE_WINDOW (counted from the
# rows, so it holds across web processes with no cache involved).
DAILY_LIMIT = 10
RATE_WINDOW = timedelta(hours=24)

LIST_RELATED = (
    "requested_by",
    "requester_member",
    "requester_partnership",
    "solution__member",
    "solution__institution",
    "need__partnership",
    "answered_by",
)


@dataclass(frozen=True)
class Requesters:
    """Whom a user may ask on behalf of: their members (editor) and partnerships (focal
    point)."""

    members: list
    partnerships: list

    def __bool__(self) -> bool:
        return bool(self.members or self.partnerships)


def requesters_for(user) -> Requesters:
    if not is_signed_in(user):
        return Requesters([], [])
    return Requesters(
        members=list(Member.objects.edited_by(user).order_by("name")),
        partnerships=list(Partnership.objects.filter(focal_points__user=user).order_by("name")),
    )


def askable_solutions(user) -> QuerySet:
    return TechnologySolution.objects.visible_to(user).select_related("member", "institution")


def askable_needs(user) -> QuerySet:
    """Technology needs only: any other kind of support request answers 404 here."""
    return (
        SupportRequest.objects.visible_to(user)
        .filter(kind=SupportKind.TECHNOLOGY)
        .select_related("partnership", "requesting_member")
    )


def asked_today(user, now=None) -> int:
    since = (now or timezone.now()) - RATE_WINDOW
    return Introduction.objects.filter(requested_by=user, created_at__gte=since).count()


def over_rate_limit(user) -> bool:
    return asked_today(user) >= DAILY_LIMIT


def answerable_introductions(user) -> QuerySet:
    """Introductions ``user`` answers (``IntroductionQuerySet.answerable_by``)."""
    return Introduction.objects.answerable_by(user)


def withdrawable_introductions(user) -> QuerySet:
    """Introductions asked on behalf of a member or a partnership ``user`` speaks for."""
    if not is_signed_in(user):
        return Introduction.objects.none()
    return Introduction.objects.filter(
        Q(requester_member__in=user.member_roles.values("member"))
        | Q(requester_partnership__in=user.focal_points.values("partnership"))
    )


def involving(user) -> QuerySet:
    return Introduction.objects.involving(user).select_related(*LIST_RELATED)


@dataclass
class IntroductionRow:
    introduction: Introduction
    side: str  # "asked", "answer" or "secretariat": where the user stands


def with_sides(user, introductions) -> list[IntroductionRow]:
    """``introductions`` (a page of ``involving(user)``), each with the user's side: two
    queries more, whatever the number of rows."""
    asked_members = set(user.member_roles.values_list("member_id", flat=True))
    asked_partnerships = set(user.focal_points.values_list("partnership_id", flat=True))
    rows = []
    for introduction in introductions:
        if (
            introduction.requester_member_id in asked_members
            or introduction.requester_partnership_id in asked_partnerships
        ):
            side = "asked"
        elif (introduction.solution and introduction.solution.member_id in asked_members) or (
            introduction.need and introduction.need.partnership_id in asked_partnerships
        ):
            side = "answer"
        elif user.is_staff and introduction.solution and introduction.solution.institution_id:
            side = "answer"  # the secretariat speaks for partner institutions
        else:
            side = "secretariat"
        rows.append(IntroductionRow(introduction, side))
    return rows


@dataclass(frozen=True)
class Contact:
    organisation: str
    name: str
    email: str


def _person(user) -> tuple[str, str]:
    if user is None:
        return "", ""
    return user.get_full_name() or user.email, user.email


def requester_contact(introduction: Introduction) -> Contact:
    name, email = _person(introduction.requested_by)
    return Contact(str(introduction.requester), name, email)


def other_side_contact(introduction: Introduction) -> Contact:
    """The solution's contact as its provider gave it, else whoever accepted; for a need,
    the focal point who accepted."""
    solution = introduction.solution
    if solution is not None and solution.contact_email:
        return Contact(str(solution.provider), solution.contact_name, solution.contact_email)
    name, email = _person(introduction.answered_by)
    return Contact(str(introduction.other_side), name, email)


def shared_contacts(introduction: Introduction) -> tuple[Contact, Contact] | None:
    """(requester, other side), only once the introduction is accepted."""
    if not introduction.contacts_shared:
        return None
    return requester_contact(introduction), other_side_contact(introduction)


@dataclass(frozen=True)
class Step:
    what: str  # "asked", "accepted", "declined", "withdrawn"
    label: str
    at: object
    by: str
    note: str = ""


STEP_LABELS = {
    Introduction.Status.PENDING: "Asked",
    Introduction.Status.ACCEPTED: "Accepted",
    Introduction.Status.DECLINED: "Declined",
    Introduction.Status.WITHDRAWN: "Withdrawn",
}


def timeline(introduction: Introduction, *, names_shown: bool) -> list[Step]:
    """Each step from the recorded history, oldest first: who (the organisation, and the
    person when ``names_shown``) and when. Edits that change no status are not steps."""
    records = introduction.history.select_related("history_user").order_by(
        "history_date", "history_id"
    )
    steps, previous = [], None
    for record in records:
        if record.status == previous:
            continue
        previous = record.status
        asked = record.status == Introduction.Status.PENDING
        side = str(
            introduction.requester
            if asked or record.status == Introduction.Status.WITHDRAWN
            else introduction.other_side
        )
        person = record.history_user or (introduction.requested_by if asked else None)
        by = side
        if names_shown and person is not None:
            by = f"{_person(person)[0]} ({side})"
        note = record.answer_note if record.status in ("accepted", "declined") else ""
        steps.append(Step(record.status, STEP_LABELS[record.status], record.history_date, by, note))
    return steps
