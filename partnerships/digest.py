"""The secretariat's weekly partnerships digest (beat, Mondays): the requests that came in
last week, open requests nobody has answered for 60 days, and pipeline projects stuck at
one stage for 180 days.

A week is sent at most once: its ``SecretariatDigest`` row is inserted first (its unique
week decides who sends when two workers run the job) and the e-mail goes out in the same
transaction, so a failed send leaves no row and the next run tries again. A week with
nothing to say is recorded without an e-mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from leadit.validators import email_subject

from .emails import secretariat_addresses
from .matching import MATCHABLE_STATUSES
from .models import PipelineProject, SecretariatDigest, SupportCommitment, SupportRequest

logger = logging.getLogger(__name__)

UNMATCHED_AFTER_DAYS = 60
STUCK_AFTER_DAYS = 180
# Stages a project may rightly stay at: it is built and running, or it was given up.
SETTLED_STAGES = (PipelineProject.Stage.OPERATING, PipelineProject.Stage.DROPPED)
LISTED = 50  # per section; the e-mail says how many more there are


@dataclass
class Digest:
    week_start: date
    new_requests: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    stuck: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any(self.counts.values())


def week_covered(today: date) -> date:
    """The Monday of the last full week before ``today``."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(weeks=1)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def digest_collect(*, week_start: date, today: date) -> Digest:
    """What the digest of the week starting ``week_start`` says, as of ``today``."""
    requests = SupportRequest.objects.select_related("partnership").order_by("created_at", "id")
    new = requests.filter(
        created_at__gte=_start_of(week_start),
        created_at__lt=_start_of(week_start + timedelta(weeks=1)),
    )
    answered = SupportCommitment.objects.filter(request=OuterRef("pk")).exclude(
        status=SupportCommitment.Status.DECLINED
    )
    unmatched = requests.filter(
        status__in=MATCHABLE_STATUSES,
        created_at__lt=_start_of(today - timedelta(days=UNMATCHED_AFTER_DAYS)),
    ).exclude(Exists(answered))
    stuck = (
        PipelineProject.objects.select_related("partnership")
        .exclude(stage__in=SETTLED_STAGES)
        .filter(stage_since__lt=today - timedelta(days=STUCK_AFTER_DAYS))
        .order_by("stage_since", "name")
    )
    sections = {"new_requests": new, "unmatched": unmatched, "stuck": stuck}
    digest = Digest(week_start=week_start)
    for name, queryset in sections.items():
        digest.counts[name] = queryset.count()
        setattr(digest, name, list(queryset[:LISTED]) if digest.counts[name] else [])
    return digest


def digest_send(*, today: date | None = None) -> str:
    """Send last week's digest unless it was sent (or found empty) already. Returns what
    happened: "sent", "nothing to say", "already done" or "no recipients"."""
    today = today or timezone.localdate()
    week_start = week_covered(today)
    if SecretariatDigest.objects.filter(week_start=week_start).exists():
        return "already done"
    recipients = secretariat_addresses()
    if not recipients:
        logger.warning("No secretariat address for the partnerships digest")
        return "no recipients"
    digest = digest_collect(week_start=week_start, today=today)
    try:
        with transaction.atomic():
            row = SecretariatDigest.objects.create(week_start=week_start, summary=digest.counts)
            if digest.is_empty:
                return "nothing to say"
            _send(digest, recipients)
            row.sent_at = timezone.now()
            row.save(update_fields=["sent_at"])
    except IntegrityError:
        return "already done"  # another worker recorded this week first
    return "sent"


def _send(digest: Digest, recipients: list[str]) -> None:
    counts = digest.counts
    context = {
        "digest": digest,
        "week_end": digest.week_start + timedelta(days=6),
        "site_url": settings.SITE_URL.rstrip("/"),
        "unmatched_days": UNMATCHED_AFTER_DAYS,
        "stuck_days": STUCK_AFTER_DAYS,
        "listed": LISTED,
    }
    subject = (
        f"[LeadIT] Partnerships, week of {digest.week_start:%-d %b %Y}: "
        f"{counts['new_requests']} new, {counts['unmatched']} unanswered, "
        f"{counts['stuck']} stuck"
    )
    send_mail(
        subject=email_subject(subject),
        message=render_to_string("partnerships/email/secretariat_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
