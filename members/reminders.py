"""Milestone reminders: before each milestone (a COP, a UN summit), the editors of every
active member that has published no progress update for it yet get an e-mail saying what
is due, with a link to a draft already tied to the milestone and the member's last update
for reference.

When: a milestone's reminder steps (``MilestoneReminderStep``, 30 and 7 days before by
default) each go out once, from their day (``milestone.date - days_before``) until the
day before the milestone, so a day the job did not run is made up the next day. When two
steps of one milestone are both due (the job missed the first, or the milestone was
created late), only the nearer one goes out: one e-mail, not two on the same morning.

Who: the editors (``MembershipRole``) of each ACTIVE member (never prospective or
former) with no *published* update for the milestone (a draft, or an update the
secretariat hid, does not count as reported), whose account is active, has an e-mail
address and has not opted out of ``TOPIC`` (the one-click link every reminder carries).
A person who edits several such members gets one e-mail naming them all.

Exactly once: who is reminded is worked out per step in one query, and a
``MilestoneReminder`` row per person and step is *claimed* by one INSERT … ON CONFLICT DO
NOTHING RETURNING: its unique (milestone, days_before, user) decides between two workers
or a rerun, and only the rows this run inserted are sent. The e-mails go out in chunks
(``members.tasks_reminders``), one SMTP connection per chunk; each row is locked while
its e-mail is sent (``SELECT … FOR UPDATE SKIP LOCKED``) and marked ``sent_at`` in the same
transaction, so a row whose ``sent_at`` is set is never sent again.

A failed send (a refused address, the mail server away) leaves ``sent_at`` empty: the
chunk's task retries a server that is away with backoff, and the next daily run sends
every row still unsent while its milestone is ahead — naming only the members that
still have not reported (a row whose members have all reported since is left unsent).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from leadit.mail import TRANSIENT_MAIL_ERRORS
from leadit.markdown import clean_html, render_markdown
from leadit.optouts import opt_out_headers, opt_out_url, opted_out_users
from leadit.validators import email_subject

from .models import (
    DEFAULT_REMINDER_DAYS,
    Member,
    MembershipRole,
    Milestone,
    MilestoneReminder,
    MilestoneReminderStep,
    ProgressUpdate,
)

logger = logging.getLogger(__name__)

TOPIC = "milestone-reminders"
# People per sending task: small enough that a chunk is a few seconds of a worker (well
# inside the task time limits) and several workers share a big send, large enough that
# the per-chunk queries and SMTP connection are paid rarely.
CHUNK_SIZE = 50
# Rows left unsent by an earlier run are sent again, but not those a run a moment ago
# just queued (their chunks may still be waiting for a worker).
RETRY_UNSENT_AFTER = timedelta(minutes=30)
SMTP_TIMEOUT_SECONDS = 20
MAX_DAYS_BEFORE = 365  # MilestoneReminderStep's check constraint


# --- Steps -------------------------------------------------------------------------------------


def milestone_default_steps_create(*, milestone: Milestone, today: date | None = None) -> int:
    """Give a new milestone the default reminder steps (``DEFAULT_REMINDER_DAYS``), unless
    it already has steps of its own or is today or past (no reminder could go out).
    Returns the number of steps created."""
    today = today or timezone.localdate()
    if milestone.date <= today or milestone.reminder_steps.exists():
        return 0
    with transaction.atomic():
        steps = [
            MilestoneReminderStep(milestone=milestone, days_before=days)
            for days in DEFAULT_REMINDER_DAYS
        ]
        for step in steps:
            step.full_clean()
        MilestoneReminderStep.objects.bulk_create(steps)
    return len(steps)


def due_steps(*, today: date) -> list[MilestoneReminderStep]:
    """The steps to send today: per milestone still ahead, its nearest step whose day has
    come (see the module docstring). One query."""
    steps = (
        MilestoneReminderStep.objects.filter(
            milestone__date__gt=today,
            milestone__date__lte=today + timedelta(days=MAX_DAYS_BEFORE),
        )
        .select_related("milestone")
        .order_by("milestone__date", "milestone_id", "days_before")
    )
    nearest: dict[int, MilestoneReminderStep] = {}
    for step in steps:
        if step.send_on <= today and step.milestone_id not in nearest:
            nearest[step.milestone_id] = step
    return list(nearest.values())


# --- Who is due (selectors) ----------------------------------------------------------------


def unreported_members(*, milestone: Milestone):
    """Active members with no published update for ``milestone`` (a queryset)."""
    reported = ProgressUpdate.objects.published().filter(milestone=milestone).values("member")
    return Member.objects.filter(status=Member.Status.ACTIVE).exclude(pk__in=reported)


def people_due(*, step: MilestoneReminderStep) -> dict[int, list[int]]:
    """{user id: [member ids]} of the people to remind at ``step`` who have no row for it
    yet: one query (opt-outs and earlier rows are subqueries of it)."""
    roles = (
        MembershipRole.objects.filter(
            member__in=unreported_members(milestone=step.milestone),
            user__is_active=True,
        )
        .exclude(user__email="")
        .exclude(user__in=opted_out_users(TOPIC))
        .exclude(
            user__in=MilestoneReminder.objects.filter(
                milestone_id=step.milestone_id, days_before=step.days_before
            ).values("user")
        )
        .order_by("user_id", "member__name")
        .values_list("user_id", "member_id")
    )
    people: dict[int, list[int]] = defaultdict(list)
    for user_id, member_id in roles:
        people[user_id].append(member_id)
    return dict(people)


# --- Claiming (services) -------------------------------------------------------------------


# People per INSERT: four parameters each, well under PostgreSQL's and SQLite's limits.
CLAIM_BATCH = 1000


def _claim(step: MilestoneReminderStep, people: dict[int, list[int]]) -> list[int]:
    """Insert one row per person; the ids of the rows THIS call inserted (a row another
    worker or an earlier run holds is skipped by the unique constraint, not raised).
    Plain VALUES rows, so that PostgreSQL and the embedded SQLite both run it."""
    table = MilestoneReminder._meta.db_table
    now = timezone.now()
    users = list(people)
    claimed: list[tuple[int, int]] = []
    with db_connection.cursor() as cursor:
        for start in range(0, len(users), CLAIM_BATCH):
            batch = users[start : start + CLAIM_BATCH]
            cursor.execute(
                f"""
                INSERT INTO {table} (milestone_id, days_before, user_id, created_at, sent_at)
                VALUES {", ".join(["(%s, %s, %s, %s, NULL)"] * len(batch))}
                ON CONFLICT (milestone_id, days_before, user_id) DO NOTHING
                RETURNING id, user_id
                """,  # noqa: S608 - the table name is the model's own, values are parameters
                [
                    v
                    for user_id in batch
                    for v in (step.milestone_id, step.days_before, user_id, now)
                ],
            )
            claimed.extend(cursor.fetchall())
    through = MilestoneReminder.members.through
    through.objects.bulk_create(
        [
            through(milestonereminder_id=row_id, member_id=member_id)
            for row_id, user_id in claimed
            for member_id in people[user_id]
        ],
        batch_size=2000,
    )
    return [row_id for row_id, _ in claimed]


def milestone_reminders_claim(*, today: date | None = None) -> list[int]:
    """Claim today's reminders (one row per person and due step) and return the ids of
    every row to send: those just claimed, and those an earlier run left unsent (module
    docstring). A fixed number of queries per due step, whatever the number of people."""
    today = today or timezone.localdate()
    claimed: list[int] = []
    for step in due_steps(today=today):
        with transaction.atomic():
            people = people_due(step=step)
            if people:
                claimed.extend(_claim(step, people))
    earlier = MilestoneReminder.objects.filter(
        sent_at__isnull=True,
        milestone__date__gt=today,
        created_at__lt=timezone.now() - RETRY_UNSENT_AFTER,
    ).values_list("pk", flat=True)
    fresh = set(claimed)
    return claimed + [pk for pk in earlier if pk not in fresh]


def chunks(ids: list[int], size: int = CHUNK_SIZE) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# --- The e-mail ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberDue:
    member: Member
    draft_url: str
    member_url: str
    last_update: ProgressUpdate | None  # the latest published one for an earlier milestone


RELATIVE_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')


def _portal_images_only(tag: str, attribute: str, value: str) -> str | None:
    """An e-mail loads nothing from anywhere but the portal (no tracking pixels)."""
    if tag == "img" and attribute == "src":
        return value if value.startswith(_site() + "/") else None
    return value


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


def description_html(milestone: Milestone) -> SafeString:
    """What is due, as the portal renders Markdown, with links made absolute (a mail
    program has no address to resolve ``/members/…`` against)."""
    html = RELATIVE_LINK.sub(
        lambda m: m.group(1) + _site() + "/", str(render_markdown(milestone.description))
    )
    return mark_safe(clean_html(html, attribute_filter=_portal_images_only))  # noqa: S308 - cleaned


def draft_url(member: Member, milestone: Milestone) -> str:
    path = reverse("members:update_new", kwargs={"slug": member.slug})
    return f"{_site()}{path}?milestone={milestone.slug}"


def last_updates(*, member_ids, milestone: Milestone) -> dict[int, ProgressUpdate]:
    """Each member's latest published update for a milestone before ``milestone``: one
    query (a subquery per member row, which SQLite runs as well as PostgreSQL)."""
    earlier = ProgressUpdate.objects.published().filter(milestone__date__lt=milestone.date)
    latest = earlier.filter(member_id=OuterRef("member_id")).order_by("-published_at", "-pk")
    updates = (
        earlier.filter(member_id__in=member_ids)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .select_related("milestone")
    )
    return {update.member_id: update for update in updates}


def reminder_message(
    *, reminder: MilestoneReminder, due: list[MemberDue], html_description: str, connection=None
) -> EmailMultiAlternatives:
    milestone = reminder.milestone
    url = opt_out_url(reminder.user, TOPIC)
    context = {
        "user": reminder.user,
        "milestone": milestone,
        "milestone_url": _site() + milestone.get_absolute_url(),
        "days_left": (milestone.date - timezone.localdate()).days,
        "due": due,
        "description_html": html_description,
        "opt_out_url": url,
        "site_url": _site(),
    }
    names = ", ".join(item.member.name for item in due)
    message = EmailMultiAlternatives(
        subject=email_subject(
            f"[LeadIT] Progress update due for {milestone.name} "
            f"({milestone.date:%-d %B %Y}): {names}"
        ),
        body=render_to_string("members/email/milestone_reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.user.email],
        connection=connection,
        headers={**opt_out_headers(url), "Precedence": "bulk"},
    )
    message.attach_alternative(
        render_to_string("members/email/milestone_reminder.html", context), "text/html"
    )
    return message


# --- Sending (services) --------------------------------------------------------------------


def _due_by_row(rows: list[MilestoneReminder]) -> dict[int, list[MemberDue]]:
    """For each row, its members that have still not reported, with their last update:
    three queries for the whole chunk."""
    by_milestone: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        by_milestone[row.milestone_id].update(m.pk for m in row.members.all())
    reported: set[tuple[int, int]] = set(
        ProgressUpdate.objects.published()
        .filter(milestone_id__in=by_milestone, member_id__in=set().union(*by_milestone.values()))
        .values_list("milestone_id", "member_id")
    )
    milestones = {row.milestone_id: row.milestone for row in rows}
    last: dict[int, dict[int, ProgressUpdate]] = {
        milestone_id: last_updates(member_ids=ids, milestone=milestones[milestone_id])
        for milestone_id, ids in by_milestone.items()
    }
    due: dict[int, list[MemberDue]] = {}
    for row in rows:
        milestone = row.milestone
        due[row.pk] = [
            MemberDue(
                member=member,
                draft_url=draft_url(member, milestone),
                member_url=_site() + member.get_absolute_url(),
                last_update=last[row.milestone_id].get(member.pk),
            )
            for member in sorted(row.members.all(), key=lambda m: m.name)
            if (row.milestone_id, member.pk) not in reported
            and member.status == Member.Status.ACTIVE
        ]
    return due


def milestone_reminders_send(*, reminder_ids: list[int]) -> dict[str, int]:
    """Send the unsent reminders among ``reminder_ids`` over one SMTP connection. Returns
    counts: "sent"; "skipped" (sent meanwhile by another task, or nothing left to remind
    of); "failed" (a refused address: left unsent, tried again by the next daily run).
    The mail server away raises (the task retries; rows already sent are skipped)."""
    rows = list(
        MilestoneReminder.objects.filter(
            pk__in=reminder_ids, sent_at__isnull=True, user__is_active=True
        )
        # Someone who opted out (or lost their account) since the row was claimed: not
        # sent, on a retry too.
        .exclude(user__email="")
        .exclude(user__in=opted_out_users(TOPIC))
        .select_related("milestone", "user")
        .prefetch_related("members")
        .order_by("pk")
    )
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    if not rows:
        return counts
    due = _due_by_row(rows)
    milestones = {row.milestone_id: row.milestone for row in rows}
    descriptions = {pk: description_html(milestone) for pk, milestone in milestones.items()}
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS
    with get_connection(timeout=timeout) as smtp:
        for row in rows:
            if not due[row.pk]:
                counts["skipped"] += 1
                continue
            message = reminder_message(
                reminder=row,
                due=due[row.pk],
                html_description=descriptions[row.milestone_id],
                connection=smtp,
            )
            try:
                counts["sent" if _send_once(row, message) else "skipped"] += 1
            except TRANSIENT_MAIL_ERRORS:
                raise
            except Exception:
                logger.exception("Milestone reminder %s to user %s failed", row.pk, row.user_id)
                counts["failed"] += 1
    return counts


def _send_once(row: MilestoneReminder, message: EmailMultiAlternatives) -> bool:
    """Send ``row``'s e-mail unless another task holds or has sent it: the row is locked
    while the e-mail goes out and marked sent in the same transaction."""
    with transaction.atomic():
        locked = (
            MilestoneReminder.objects.select_for_update(skip_locked=True)
            .filter(pk=row.pk, sent_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not locked:
            return False
        message.send()
        MilestoneReminder.objects.filter(pk=row.pk).update(sent_at=timezone.now())
    return True
