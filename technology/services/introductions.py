"""Introductions: asked by a member editor or a focal point, answered by the other side,
withdrawn by the side that asked. These are the only writers of ``Introduction``; each
step is e-mailed by a worker after commit and kept in the record's history."""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leadit.jobs import job_enqueue
from leadit.validators import no_control_characters
from members.models import Member
from partnerships.models import Partnership, SupportRequest

from ..models import Introduction, TechnologySolution
from ..selectors.introductions import (
    DAILY_LIMIT,
    answerable_introductions,
    askable_needs,
    askable_solutions,
    asked_today,
    requesters_for,
    withdrawable_introductions,
)
from ..tasks_introductions import (
    notify_introduction_accepted,
    notify_introduction_asked,
    notify_introduction_declined,
    notify_introduction_withdrawn,
)

Status = Introduction.Status
FINISHED_NEEDS = (SupportRequest.Status.CLOSED, SupportRequest.Status.WITHDRAWN)
MESSAGE_MAX_LENGTH = 4000
# Line breaks and tabs belong in a message; any other control character does not.
_MULTILINE_WHITESPACE = re.compile(r"[\r\n\t]")


class RateLimited(Exception):
    """More introductions asked in a day than ``DAILY_LIMIT``: answered with a 429."""


def clean_text(value: str, *, field: str, required: bool) -> str:
    """A message or a note: stripped, and refused if it hides control characters (or, when
    ``required``, if it is empty)."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(
            {field: "Write a message: say why you would like to be introduced."},
            code="required",
        )
    try:
        no_control_characters(_MULTILINE_WHITESPACE.sub("", text))
    except ValidationError:
        raise ValidationError(
            {
                field: "Remove the invisible control characters from this text (line breaks "
                "are fine)."
            },
            code="control_characters",
        ) from None
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {field: f"Keep this under {MESSAGE_MAX_LENGTH} characters."}, code="max_length"
        )
    return text


def _check_requester(user, member: Member | None, partnership: Partnership | None) -> None:
    requesters = requesters_for(user)
    if (member is None) == (partnership is None) or not (
        member in requesters.members or partnership in requesters.partnerships
    ):
        raise ValidationError(
            {
                "on_behalf_of": "Ask on behalf of a member you edit or a partnership you are "
                "a focal point of."
            },
            code="not_yours",
        )


def _check_subject(user, solution, need) -> None:
    if (solution is None) == (need is None):
        raise ValidationError("Ask about one solution or one technology need.")
    if solution is not None and not askable_solutions(user).filter(pk=solution.pk).exists():
        raise ValidationError("This solution is not one you may ask about.", code="not_visible")
    if need is not None and not askable_needs(user).filter(pk=need.pk).exists():
        raise ValidationError("This need is not one you may ask about.", code="not_visible")
    if need is not None and need.status in FINISHED_NEEDS:
        raise ValidationError(
            f"This need is {need.get_status_display().lower()}: it takes no more introductions.",
            code="need_finished",
        )


def _check_not_oneself(member, partnership, solution, need) -> None:
    if solution is not None and member is not None and solution.member_id == member.pk:
        raise ValidationError(
            {"on_behalf_of": f"This solution is {member}'s own: you need no introduction to it."},
            code="oneself",
        )
    if need is not None and (
        (partnership is not None and need.partnership_id == partnership.pk)
        or (member is not None and need.requesting_member_id == member.pk)
    ):
        raise ValidationError(
            {"on_behalf_of": f"This need is {member or partnership}'s own: you need no "
             "introduction to it."},
            code="oneself",
        )  # fmt: skip


def _duplicate_message(requester, subject) -> str:
    return (
        f"{requester} has already asked for an introduction about “{subject}”: it is waiting "
        "for an answer."
    )


def ask_for_introduction(
    *,
    user,
    message: str,
    member: Member | None = None,
    partnership: Partnership | None = None,
    solution: TechnologySolution | None = None,
    need: SupportRequest | None = None,
) -> Introduction:
    """A pending introduction of ``member`` or ``partnership`` about ``solution`` or
    ``need``, asked by ``user``. The other side (and the secretariat) are e-mailed after
    commit. Raises ValidationError (nothing written) or RateLimited."""
    message = clean_text(message, field="message", required=True)
    _check_requester(user, member, partnership)
    _check_subject(user, solution, need)
    _check_not_oneself(member, partnership, solution, need)
    introduction = Introduction(
        requested_by=user, requester_member=member, requester_partnership=partnership,
        solution=solution, need=need, message=message,
    )  # fmt: skip
    with transaction.atomic():
        # One person's asks one at a time, so two at once cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if asked_today(user) >= DAILY_LIMIT:
            raise RateLimited
        requester, subject = member or partnership, solution or need
        pending = Introduction.objects.pending().filter(
            requester_member=member, requester_partnership=partnership,
            solution=solution, need=need,
        )  # fmt: skip
        if pending.exists():
            raise ValidationError(_duplicate_message(requester, subject), code="duplicate")
        introduction._history_user = user
        try:
            with transaction.atomic():
                introduction.save()
        except IntegrityError:  # the same introduction asked at the same moment elsewhere
            raise ValidationError(
                _duplicate_message(requester, subject), code="duplicate"
            ) from None
        job_enqueue(
            task=notify_introduction_asked,
            description=f"Tell the other side: {introduction}",
            introduction_id=introduction.pk,
        )
    return introduction


def _locked_pending(introduction: Introduction, *, verb: str) -> Introduction:
    locked = Introduction.objects.select_for_update().get(pk=introduction.pk)
    if locked.status != Status.PENDING:
        when = locked.answered_at or locked.updated_at
        raise ValidationError(
            f"This introduction was already {locked.get_status_display().split(':')[0].lower()}"
            f" on {timezone.localtime(when):%d %B %Y}: it cannot be {verb} now.",
            code="not_pending",
        )
    return locked


def answer_introduction(
    *, introduction: Introduction, user, accept: bool, note: str = ""
) -> Introduction:
    """Accept (contacts are shared with both sides) or decline ``introduction``, as one of
    the other side's people (or the secretariat for an institution's solution)."""
    note = clean_text(note, field="note", required=False)
    with transaction.atomic():
        if not answerable_introductions(user).filter(pk=introduction.pk).exists():
            raise ValidationError(
                f"Only {introduction.other_side}'s people answer this introduction.",
                code="not_yours",
            )
        introduction = _locked_pending(introduction, verb="answered")
        introduction.status = Status.ACCEPTED if accept else Status.DECLINED
        introduction.answered_by = user
        introduction.answered_at = timezone.now()
        introduction.answer_note = note
        introduction._history_user = user
        introduction.save()
        task = notify_introduction_accepted if accept else notify_introduction_declined
        job_enqueue(
            task=task,
            description=f"Tell {'both sides' if accept else 'the requester'}: {introduction}",
            introduction_id=introduction.pk,
        )
    return introduction


def withdraw_introduction(*, introduction: Introduction, user) -> Introduction:
    """The side that asked takes its request back while it waits for an answer."""
    with transaction.atomic():
        if not withdrawable_introductions(user).filter(pk=introduction.pk).exists():
            raise ValidationError(
                f"Only {introduction.requester}'s people may withdraw this introduction.",
                code="not_yours",
            )
        introduction = _locked_pending(introduction, verb="withdrawn")
        introduction.status = Status.WITHDRAWN
        introduction._history_user = user
        introduction.save()
        job_enqueue(
            task=notify_introduction_withdrawn,
            description=f"Tell the other side: {introduction} withdrawn",
            introduction_id=introduction.pk,
        )
    return introduction
