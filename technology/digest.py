"""The monthly technology needs digest (beat, on the first day of each month): to each
editor of each active member that offers at least one technology solution, the technology
needs partnerships posted last month whose technologies or sectors fit that member's
solutions.

Who gets what is worked out for everyone at once, in a fixed handful of queries (the
month's needs, the members' solutions, the editors, the opt-outs, the rows already sent),
whatever the number of members. A person gets one e-mail a month at most: their
``NeedsDigestSent`` row is inserted first (its unique user and month decides when two
workers run the job) and the e-mail goes out in the same transaction, so a failed send
leaves no row and the next run tries again. Nobody gets an empty digest, and a person who
opted out (the one-click link every digest carries) gets none."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from leadit.mail import TRANSIENT_MAIL_ERRORS
from leadit.optouts import opt_out_headers, opt_out_url, opted_out_users
from leadit.validators import email_subject
from members.models import Member, MembershipRole
from partnerships.matching import MATCHABLE_STATUSES
from partnerships.models import SupportKind, SupportRequest, Visibility

from .models import NeedsDigestSent, TechnologySolution

logger = logging.getLogger(__name__)

TOPIC = "technology-needs-digest"
# Needs a member editor may read (secretariat-only needs never leave the secretariat).
SHOWN_TO_MEMBERS = (Visibility.PUBLIC, Visibility.MEMBERS)
LISTED = 30  # needs per e-mail; the e-mail says how many more there are
SMTP_TIMEOUT_SECONDS = 20


@dataclass
class Fit:
    """One need and why it fits: the technologies and sectors it shares with the
    person's members' solutions."""

    need: SupportRequest
    technologies: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)


@dataclass
class PersonDigest:
    user: object
    members: list[Member] = field(default_factory=list)
    fits: list[Fit] = field(default_factory=list)


@dataclass
class _Profile:
    """What a member's solutions cover: technology ids and sector ids."""

    technologies: set[int] = field(default_factory=set)
    sectors: set[int] = field(default_factory=set)


def month_covered(today: date) -> date:
    """The first day of the month before ``today``'s."""
    first = today.replace(day=1)
    if first.month == 1:
        return first.replace(year=first.year - 1, month=12)
    return first.replace(month=first.month - 1)


def _next_month(month: date) -> date:
    return (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else month.replace(month=month.month + 1)
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def month_needs(month: date) -> list[SupportRequest]:
    """The technology needs posted in ``month`` that are still open, with their
    technology and sector ids (``tech_ids``, ``sector_ids``) and names: three queries."""
    needs = list(
        SupportRequest.objects.filter(
            kind=SupportKind.TECHNOLOGY,
            status__in=MATCHABLE_STATUSES,
            visibility__in=SHOWN_TO_MEMBERS,
            created_at__gte=_start_of(month),
            created_at__lt=_start_of(_next_month(month)),
        )
        .select_related("partnership")
        .order_by("created_at", "id")
    )
    by_id = {need.pk: need for need in needs}
    for need in needs:
        need.tech_names, need.sector_names = {}, {}
    links = (
        (SupportRequest.technologies.through, "technology", "tech_names"),
        (SupportRequest.sectors.through, "sector", "sector_names"),
    )
    for through, target, attribute in links:
        rows = through.objects.filter(supportrequest_id__in=by_id).values_list(
            "supportrequest_id", f"{target}_id", f"{target}__name"
        )
        for need_id, target_id, name in rows:
            getattr(by_id[need_id], attribute)[target_id] = name
    return needs


def member_profiles() -> dict[int, _Profile]:
    """What the solutions of each active member cover, by member id: two queries."""
    solutions = TechnologySolution.objects.filter(member__status=Member.Status.ACTIVE)
    profiles: dict[int, _Profile] = defaultdict(_Profile)
    for member_id, technology_id in solutions.values_list("member_id", "technology_id"):
        profiles[member_id].technologies.add(technology_id)
    sectors = TechnologySolution.sectors.through.objects.filter(
        technologysolution__in=solutions
    ).values_list("technologysolution__member_id", "sector_id")
    for member_id, sector_id in sectors:
        profiles[member_id].sectors.add(sector_id)
    return profiles


def _fit(need: SupportRequest, profiles: list[_Profile]) -> Fit | None:
    technologies = set().union(*(p.technologies for p in profiles)) & need.tech_names.keys()
    sectors = set().union(*(p.sectors for p in profiles)) & need.sector_names.keys()
    if not technologies and not sectors:
        return None
    return Fit(
        need=need,
        technologies=sorted(need.tech_names[t] for t in technologies),
        sectors=sorted(need.sector_names[s] for s in sectors),
    )


def digest_collect(*, month: date) -> list[PersonDigest]:
    """Who gets which needs of ``month``: the people with at least one fitting need who
    were not sent this month's digest yet and did not opt out. A fixed number of queries."""
    needs = month_needs(month)
    if not needs:
        return []
    profiles = member_profiles()
    roles = (
        MembershipRole.objects.filter(
            member_id__in=list(profiles),
            member__status=Member.Status.ACTIVE,
            user__is_active=True,
        )
        .exclude(user__email="")
        .exclude(user__in=opted_out_users(TOPIC))
        .exclude(user__in=NeedsDigestSent.objects.filter(month=month).values("user"))
        .select_related("user", "member")
        .order_by("user_id", "member__name")
    )
    people: dict[int, PersonDigest] = {}
    for role in roles:
        person = people.setdefault(role.user_id, PersonDigest(user=role.user))
        person.members.append(role.member)
    for person in people.values():
        mine = [profiles[member.pk] for member in person.members]
        person.fits = [fit for need in needs if (fit := _fit(need, mine))]
    return [person for person in people.values() if person.fits]


def digest_send(*, today: date | None = None) -> dict[str, int]:
    """Send last month's digest to everyone it has something for and who has not had it.
    Returns counts: "sent", "failed" (a refused address: tried again next run)."""
    month = month_covered(today or timezone.localdate())
    people = digest_collect(month=month)
    counts = {"sent": 0, "failed": 0}
    if not people:
        return counts
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS
    connection = get_connection(timeout=timeout)
    with connection:
        for person in people:
            try:
                sent = _send_once(person, month, connection)
            except TRANSIENT_MAIL_ERRORS:
                raise  # the mail server is away: the task retries, the sent rows hold
            except Exception:
                logger.exception("Needs digest of %s to user %s failed", month, person.user.pk)
                counts["failed"] += 1
                continue
            counts["sent"] += sent
    return counts


def _send_once(person: PersonDigest, month: date, connection) -> int:
    """1 if this person's digest went out now; 0 if another run recorded it first."""
    try:
        with transaction.atomic():
            NeedsDigestSent.objects.create(
                user=person.user, month=month, request_count=len(person.fits)
            )
            digest_message(person, month, connection=connection).send()
    except IntegrityError:
        return 0
    return 1


def digest_message(person: PersonDigest, month: date, *, connection=None) -> EmailMessage:
    url = opt_out_url(person.user, TOPIC)
    context = {
        "person": person,
        "month": month,
        "fits": person.fits[:LISTED],
        "more": max(0, len(person.fits) - LISTED),
        "member_names": ", ".join(member.name for member in person.members),
        "site_url": settings.SITE_URL.rstrip("/"),
        "opt_out_url": url,
    }
    subject = render_to_string("technology/email/needs_digest_subject.txt", context)
    return EmailMessage(
        subject=email_subject(subject),
        body=render_to_string("technology/email/needs_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.user.email],
        connection=connection,
        headers={**opt_out_headers(url), "Precedence": "bulk"},
    )
