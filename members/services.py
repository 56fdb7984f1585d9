"""Writes of the members app: each a keyword-only function in one transaction."""

import datetime
import logging
from collections.abc import Iterable, Mapping
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leadit.invitations import INVITATION_VALID_DAYS, hash_invitation_key, invitation_issue_key
from leadit.jobs import job_enqueue
from leadit.validators import email_subject

from .models import (
    Commitment,
    ImpactStory,
    Invitation,
    Member,
    MemberCommitment,
    MembershipRole,
    Milestone,
    Pillar,
    PillarEngagement,
    ProgressUpdate,
    ReportedCommitment,
)

logger = logging.getLogger(__name__)


def invitation_find(*, key: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("member")
        .filter(key_hash=hash_invitation_key(key))
        .first()
    )


def _invitation_send(*, invitation: Invitation, key: str, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse("members:invitation", kwargs={"key": key})
    context = {"invitation": invitation, "link": link, "valid_days": INVITATION_VALID_DAYS}
    send_mail(
        subject=email_subject(
            f"[LeadIT] You are invited to keep {invitation.member}'s page up to date"
        ),
        message=render_to_string("members/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    invitation.save(update_fields=["sent_at", "send_count"])


def invitation_create(*, member: Member, email: str, invited_by, base_url: str) -> Invitation:
    """Invite ``email`` to edit ``member`` and e-mail the one-time link."""
    email = email.strip().lower()
    invitation = Invitation(member=member, email=email, invited_by=invited_by)
    key = invitation_issue_key(invitation)
    invitation.full_clean()
    with transaction.atomic():
        invitation.save()
        _invitation_send(invitation=invitation, key=key, base_url=base_url)
    return invitation


def invitation_resend(*, invitation: Invitation, base_url: str) -> Invitation:
    """Send a fresh link (the old one stops working) with a new expiry date."""
    if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
        raise ValidationError(f"This invitation is {invitation.get_state_display().lower()}.")
    with transaction.atomic():
        key = invitation_issue_key(invitation)
        invitation.save(update_fields=["key_hash", "expires_at"])
        _invitation_send(invitation=invitation, key=key, base_url=base_url)
    return invitation


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.state == Invitation.State.ACCEPTED:
        raise ValidationError("An accepted invitation cannot be revoked; remove the role.")
    invitation.revoked_at = invitation.revoked_at or timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_accept(*, invitation: Invitation, user) -> MembershipRole:
    """Grant the invited role to ``user``, whose verified address must be the invited one."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise ValidationError(f"This invitation is {invitation.get_state_display().lower()}.")
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                f"This invitation is for {invitation.email}; you are signed in as {user.email}."
            )
        role, _ = MembershipRole.objects.get_or_create(
            user=user, member=invitation.member, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    logger.info("Invitation %s accepted by user %s", invitation.pk, user.pk)
    return role


def member_commitments_ensure(*, member: Member) -> list[MemberCommitment]:
    """Every active commitment of the catalogue has a row for this member."""
    existing = set(member.commitments.values_list("commitment_id", flat=True))
    for commitment in Commitment.objects.filter(is_active=True).exclude(pk__in=existing):
        MemberCommitment.objects.create(member=member, commitment=commitment)
    return list(member.commitments.select_related("commitment").filter(commitment__is_active=True))


def progress_update_publish(*, update: ProgressUpdate, by) -> ProgressUpdate:
    """Publish a draft (or a withdrawn update) and tell the secretariat by e-mail. The
    statuses it reports become its commitments' statuses, changed by ``by`` (see
    ``reported_commitment_statuses_apply``)."""
    if update.status == ProgressUpdate.Status.HIDDEN:
        raise ValidationError(
            "The secretariat has hidden this update; edit it and ask them to review it."
        )
    with transaction.atomic():
        update.status = ProgressUpdate.Status.PUBLISHED
        update.published_at = update.published_at or timezone.now()
        update.full_clean()
        update.save(update_fields=["status", "published_at", "updated_at"])
        # A draft's reported statuses wait on its ReportedCommitment rows: publishing is
        # when they become the commitments' statuses.
        reported_commitment_statuses_apply(update=update, by=by)
        from .tasks import notify_secretariat_of_progress_update

        job_enqueue(
            task=notify_secretariat_of_progress_update,
            description=f"Tell the secretariat about “{update.title}” ({update.member})",
            update_id=update.pk,
        )
    return update


def progress_update_withdraw(*, update: ProgressUpdate) -> ProgressUpdate:
    """Back to draft: no longer on the public page."""
    if update.status == ProgressUpdate.Status.PUBLISHED:
        update.status = ProgressUpdate.Status.DRAFT
        update.save(update_fields=["status", "updated_at"])
    return update


def progress_update_hide(*, update: ProgressUpdate, reason: str) -> ProgressUpdate:
    """Staff take an update off the public page; the member sees the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Give the member a reason for hiding their update.")
    update.status = ProgressUpdate.Status.HIDDEN
    update.hidden_reason = reason
    update.hidden_at = timezone.now()
    update.edited_since_hidden_at = None
    update.full_clean()
    update.save(
        update_fields=[
            "status",
            "hidden_reason",
            "hidden_at",
            "edited_since_hidden_at",
            "updated_at",
        ]
    )
    return update


# --- Member self-service: what a member's own editors change (members/views/edit.py) ------


def member_profile_update(
    *,
    member: Member,
    description: str,
    website: str,
    logo: UploadedFile | FieldFile | Literal[False] | None,
    contact_details_public: bool,
) -> Member:
    """Change what a member's editors may change about it. Name, slug, kind, status,
    country and economy group are the secretariat's (the admin).

    ``logo``: a new upload replaces the logo, ``False`` removes it, anything else keeps it.
    The stored logo is validated again only when it is new.
    """
    member.description = description
    member.website = website
    member.contact_details_public = contact_details_public
    exclude = ["logo"]
    if logo is False:
        member.logo = ""
    elif isinstance(logo, UploadedFile):
        member.logo = logo
        exclude = []
    member.full_clean(exclude=exclude)
    with transaction.atomic():
        member.save(
            update_fields=["description", "website", "logo", "contact_details_public", "updated_at"]
        )
    return member


def member_commitments_update(*, member: Member, changed: Iterable[MemberCommitment], by) -> int:
    """Save ``member``'s edited commitment rows (status, evidence, links), each marked as
    updated by ``by``. Returns how many were saved."""
    changed = list(changed)
    for row in changed:
        if row.member_id != member.pk:
            raise ValidationError("A commitment of another member cannot be changed here.")
        row.updated_by = by
        row.full_clean()
    with transaction.atomic():
        for row in changed:
            row.save()
    return len(changed)


def member_pillars_update(*, member: Member, choices: Mapping[Pillar, tuple[str, str]]) -> None:
    """Set ``member``'s engagement in each pillar of ``choices`` to ``(role, note)``; an
    empty role means not engaged, and removes the engagement."""
    existing = {e.pillar_id: e for e in member.pillar_engagements.all()}
    with transaction.atomic():
        for pillar, (role, note) in choices.items():
            engagement = existing.get(pillar.pk)
            if not role:
                if engagement is not None:
                    engagement.delete()
                continue
            if engagement is None:
                engagement = PillarEngagement(member=member, pillar=pillar)
            elif (engagement.role, engagement.note) == (role, note):
                continue
            engagement.role = role
            engagement.note = note
            engagement.full_clean()
            engagement.save()


def progress_update_save(
    *,
    member: Member,
    update: ProgressUpdate | None = None,
    title: str,
    milestone: Milestone | None,
    body: str,
    author,
    pillars: Iterable[Pillar] | None = None,
    reported: Mapping[MemberCommitment, str] | None = None,
) -> ProgressUpdate:
    """A new draft of ``member`` (``update`` None, written by ``author``), or an edit of one
    of its updates that keeps its status: published stays published, hidden stays hidden.

    ``pillars``: the pillars it reports on; ``reported``: the member's commitments it
    reports on, each with the status reported (not started, in progress or met). None
    leaves what the update names as it is. A commitment of another member, or a status
    that is not one of those three, is refused before anything is written.

    The reported statuses are kept on the update's ``ReportedCommitment`` rows. They
    become the commitments' own statuses (changed by ``author``, the user saving, with
    history) only once the update is published: at once for a published update (the
    statuses this save changes), at ``progress_update_publish`` for a draft. A hidden
    update changes no commitment.

    A hidden update that is changed is marked "edited since hidden" and the secretariat is
    told (a background job), so that someone reviews it."""
    update = _progress_update_target(member=member, update=update, author=author)
    pillars = None if pillars is None else set(pillars)
    reported = None if reported is None else dict(reported)
    if reported is not None:
        _reported_commitments_check(member=member, reported=reported)
    stored, stored_pillars, stored_reported = _progress_update_stored(update=update)
    changed = _progress_update_changed(
        stored=stored,
        stored_pillars=stored_pillars,
        stored_reported=stored_reported,
        title=title,
        milestone=milestone,
        body=body,
        pillars=pillars,
        reported=reported,
    )
    update.title = title
    update.milestone = milestone
    update.body = body
    edited_while_hidden = (
        update.pk is not None and update.status == ProgressUpdate.Status.HIDDEN and changed
    )
    if edited_while_hidden:
        update.edited_since_hidden_at = timezone.now()
    update.full_clean()
    with transaction.atomic():
        update.save()
        if pillars is not None:
            update.pillars.set(pillars)
        if reported is not None:
            _reported_statuses_save(
                update=update, reported=reported, stored=stored_reported, by=author
            )
        if edited_while_hidden:
            _hidden_update_edit_notify(update=update)
    return update


def _progress_update_target(
    *, member: Member, update: ProgressUpdate | None, author
) -> ProgressUpdate:
    """The update to save: a new draft of ``member`` by ``author`` when ``update`` is None,
    else ``update`` itself, refused if it is another member's (an editor of one member
    must not reach another's updates)."""
    if update is None:
        return ProgressUpdate(member=member, author=author, status=ProgressUpdate.Status.DRAFT)
    if update.member_id != member.pk:
        raise ValidationError("An update of another member cannot be changed here.")
    return update


def _progress_update_stored(
    *, update: ProgressUpdate
) -> tuple[tuple[str, int | None, str] | None, set[int], dict[int, str]]:
    """What the database holds for ``update`` (nothing for a new one): its (title,
    milestone id, body), its pillars' ids and its reported statuses by member commitment
    id. Read from the database because a ModelForm has already put the new values on
    ``update``."""
    stored = (
        ProgressUpdate.objects.filter(pk=update.pk)
        .values_list("title", "milestone", "body")
        .first()
        if update.pk
        else None
    )
    stored_pillars = set(update.pillars.values_list("pk", flat=True)) if update.pk else set()
    stored_reported = (
        dict(update.reported_commitments.values_list("member_commitment", "status"))
        if update.pk
        else {}
    )
    return stored, stored_pillars, stored_reported


def _progress_update_changed(
    *,
    stored: tuple[str, int | None, str] | None,
    stored_pillars: set[int],
    stored_reported: Mapping[int, str],
    title: str,
    milestone: Milestone | None,
    body: str,
    pillars: set[Pillar] | None,
    reported: Mapping[MemberCommitment, str] | None,
) -> bool:
    """Whether the save changes what is stored (text, milestone, pillars or reported
    statuses; None for pillars or reported means "left as it is"): only a real change to
    a hidden update marks it edited and tells the secretariat. No query."""
    changed = stored != (title, milestone.pk if milestone else None, body)
    if pillars is not None and {p.pk for p in pillars} != stored_pillars:
        changed = True
    if reported is not None and {mc.pk: st for mc, st in reported.items()} != stored_reported:
        changed = True
    return changed


def _reported_statuses_save(
    *,
    update: ProgressUpdate,
    reported: Mapping[MemberCommitment, str],
    stored: Mapping[int, str],
    by,
) -> None:
    """Write the update's reported statuses and, if it is published, make the ones this
    save changed the commitments' own statuses at once (a draft waits for
    ``progress_update_publish``; a hidden update changes no commitment)."""
    touched = _reported_commitments_write(update=update, reported=reported, stored=stored)
    if update.status == ProgressUpdate.Status.PUBLISHED:
        reported_commitment_statuses_apply(update=update, by=by, only=touched)


def _hidden_update_edit_notify(*, update: ProgressUpdate) -> None:
    """Queue the e-mail telling the secretariat that a hidden update was edited, so that
    someone reviews it (a background job: the save does not wait on the mail server)."""
    from .tasks import notify_secretariat_of_hidden_update_edit

    job_enqueue(
        task=notify_secretariat_of_hidden_update_edit,
        description=(
            f"Tell the secretariat that hidden “{update.title}” ({update.member}) was edited"
        ),
        update_id=update.pk,
        edited_at=update.edited_since_hidden_at.isoformat(),
    )


REPORTABLE_STATUSES = frozenset(MemberCommitment.Status.values) - {
    MemberCommitment.Status.NOT_REPORTED
}


def _reported_commitments_check(
    *, member: Member, reported: Mapping[MemberCommitment, str]
) -> None:
    """Refuse a commitment of another member or a status an update cannot report."""
    errors = []
    for member_commitment, status in reported.items():
        if member_commitment.member_id != member.pk:
            errors.append(
                f"Commitment {member_commitment.pk} is not one of {member}'s commitments: an "
                "update reports only on its own member's commitments."
            )
        elif status not in REPORTABLE_STATUSES:
            errors.append(
                f"“{status}” is not a status an update can report for "
                f"“{member_commitment.commitment}”: not started, in progress or met."
            )
    if errors:
        raise ValidationError(errors)


def _reported_commitments_write(
    *, update: ProgressUpdate, reported: Mapping[MemberCommitment, str], stored: Mapping[int, str]
) -> set[int]:
    """Make the update's ReportedCommitment rows say ``reported``: rows are changed in
    place (so their history reads as changes), added and removed. Returns the ids of the
    member commitments whose reported status is new or changed."""
    wanted = {mc.pk: status for mc, status in reported.items()}
    removed = set(stored) - set(wanted)
    if removed:
        for row in update.reported_commitments.filter(member_commitment__in=removed):
            row.delete()  # one by one: each removal is in the rows' history
    touched = set()
    rows = {row.member_commitment_id: row for row in update.reported_commitments.all()}
    for pk, status in wanted.items():
        row = rows.get(pk)
        if row is None:
            row = ReportedCommitment(update=update, member_commitment_id=pk, status=status)
        elif row.status == status:
            continue
        row.status = status
        row.full_clean(validate_unique=False)
        row.save()
        touched.add(pk)
    return touched


def reported_commitment_statuses_apply(
    *, update: ProgressUpdate, by, only: Iterable[int] | None = None
) -> list[MemberCommitment]:
    """Set the status of each commitment a published ``update`` reports on (or of those
    whose ids are in ``only``) to the status it reported, marked as changed by ``by``;
    the commitment's history keeps the change. Returns the commitments changed.

    A commitment keeps its status when a *later* published update also reports on it:
    publishing or editing an older update does not undo a newer report. A status already
    equal is left alone (no empty history entry). Drafts and hidden updates change
    nothing."""
    if update.status != ProgressUpdate.Status.PUBLISHED:
        return []
    rows = update.reported_commitments.select_related("member_commitment")
    if only is not None:
        rows = rows.filter(member_commitment__in=list(only))
    rows = list(rows)
    newer = set(
        ReportedCommitment.objects.filter(
            member_commitment__in=[row.member_commitment_id for row in rows],
            update__status=ProgressUpdate.Status.PUBLISHED,
        )
        .exclude(update=update)
        .filter(
            Q(update__published_at__gt=update.published_at)
            | Q(update__published_at=update.published_at, update__pk__gt=update.pk)
        )
        .values_list("member_commitment", flat=True)
    )
    changed = []
    with transaction.atomic():
        for row in rows:
            member_commitment = row.member_commitment
            if member_commitment.pk in newer or member_commitment.status == row.status:
                continue
            member_commitment.status = row.status
            member_commitment.updated_by = by
            member_commitment.full_clean()
            member_commitment.save()
            changed.append(member_commitment)
    return changed


def impact_story_save(
    *,
    member: Member,
    story: ImpactStory | None = None,
    title: str,
    date: datetime.date,
    what_changed: str,
    leadit_contribution: str,
    evidence_link: str,
    is_published: bool,
) -> ImpactStory:
    """Create an impact story of ``member`` (``story`` None) or change one of its stories."""
    if story is None:
        story = ImpactStory(member=member)
    elif story.member_id != member.pk:
        raise ValidationError("A story of another member cannot be changed here.")
    story.title = title
    story.date = date
    story.what_changed = what_changed
    story.leadit_contribution = leadit_contribution
    story.evidence_link = evidence_link
    story.is_published = is_published
    story.full_clean()
    with transaction.atomic():
        story.save()
    return story
