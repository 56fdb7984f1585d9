"""What the events app tells people by e-mail, and the rows that keep it from being told
twice.

- an agenda or minutes added (not secretariat-only) → the event's "board" contacts
  (``document_recipients``): for a Management Board meeting, the primary contact of every
  active member (the board is made of all members); for any other event, every contact of
  its host members plus the primary contacts of its working group's member organisations;
- a document due within ``REMINDER_DAYS_AHEAD`` days or overdue (up to
  ``REMINDER_DAYS_OVERDUE`` days) → the event's ``responsible`` staff user, or every active
  staff user when nobody is responsible; at most once per document per day.

Both run as jobs (``summits.tasks``), never inside a request's transaction.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection, send_mail, send_mass_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from leadit.validators import email_subject
from members.models import Contact, Member

from .models import BOARD_KIND_SLUG, DeadlineReminder, Event, EventDocument
from .selectors.deadlines import (
    REMINDER_DAYS_AHEAD,
    REMINDER_DAYS_OVERDUE,
    DocumentDeadline,
    missing_deadlines_between,
)

logger = logging.getLogger(__name__)


# --- A new agenda or minutes -----------------------------------------------------------------


def document_recipients(*, event: Event) -> list[str]:
    """The e-mail addresses told about a new agenda or minutes (see the module docstring)."""
    if event.kind.slug == BOARD_KIND_SLUG:
        contacts = Contact.objects.filter(member__status=Member.Status.ACTIVE, is_primary=True)
    else:
        contacts = Contact.objects.filter(member__in=event.host_members.all())
        if event.working_group_id:
            contacts = contacts | Contact.objects.filter(
                member__in=event.working_group.members.all(), is_primary=True
            )
    emails = {e.strip().lower() for e in contacts.values_list("email", flat=True) if e}
    return sorted(emails)


def document_notify(*, document_id: int) -> int:
    """E-mail the board contacts about a new agenda or minutes; one message each (nobody
    sees the others' addresses). Returns the number sent."""
    document = (
        EventDocument.objects.select_related("event", "event__kind", "event__working_group")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        return 0
    event = document.event
    recipients = document_recipients(event=event)
    if not recipients:
        return 0
    when = event.local(event.start)
    subject = f"[LeadIT] {document.get_kind_display()} of {event.title}"
    # "The agenda … is available", "The minutes … are available" (a plural noun).
    verb = "are" if document.kind == EventDocument.Kind.MINUTES else "is"
    body = (
        f"The {document.get_kind_display().lower()} of “{event.title}” "
        f"({when:%-d %B %Y, %H:%M} {event.time_zone}) {verb} available:\n\n"
        f"{document.title}\n{settings.SITE_URL}{event.get_absolute_url()}\n\n"
        "Sign in to the LeadIT portal to read members-only documents.\n\n"
        "— The LeadIT Secretariat\n"
    )
    messages = [(email_subject(subject), body, None, [address]) for address in recipients]
    return send_mass_mail(messages, fail_silently=False)


# --- Reminders -------------------------------------------------------------------------------


def reminder_recipients(*, event: Event) -> list[str]:
    responsible = event.responsible
    if responsible is not None and responsible.is_active and responsible.email:
        return [responsible.email]
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return sorted(set(staff.values_list("email", flat=True)))


def deadline_reminders_send(*, now: datetime | None = None) -> int:
    """E-mail the responsible staff about every agenda or minutes due within
    ``REMINDER_DAYS_AHEAD`` days or overdue by at most ``REMINDER_DAYS_OVERDUE`` days.

    At most one e-mail per document per day, however often this runs and however many
    workers run it: the ``DeadlineReminder`` row is inserted first (its unique constraint
    decides who sends) and the e-mail goes out in the same transaction, so a failed send
    leaves no row and the next run tries again. Returns the number of e-mails sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    connection = get_connection()
    for deadline in missing_deadlines_between(
        start=now - timedelta(days=REMINDER_DAYS_OVERDUE),
        end=now + timedelta(days=REMINDER_DAYS_AHEAD),
        now=now,
    ):
        event = deadline.event
        recipients = reminder_recipients(event=event)
        if not recipients:
            logger.warning("No staff to remind about %s of %s", deadline.kind, event)
            continue
        try:
            with transaction.atomic():
                DeadlineReminder.objects.create(event=event, document_kind=deadline.kind, day=today)
                _send_reminder(
                    deadline=deadline, recipients=recipients, now=now, connection=connection
                )
        except IntegrityError:
            continue  # already reminded today
        sent += 1
    return sent


def _send_reminder(*, deadline: DocumentDeadline, recipients, now, connection) -> None:
    event = deadline.event
    due = deadline.due_local
    if deadline.state == "late":
        days = (now - deadline.due).days
        status = f"is LATE: it was due {days} day{'s' if days != 1 else ''} ago"
        subject = f"[LeadIT] Late: {deadline.label.lower()} of {event.title}"
    else:
        status = "is due soon"
        subject = f"[LeadIT] Due {due:%-d %b}: {deadline.label.lower()} of {event.title}"
    body = (
        f"The {deadline.label.lower()} of “{event.title}” {status} "
        f"(due {due:%-d %B %Y, %H:%M} {event.time_zone}).\n\n"
        f"Add it in the admin: {settings.SITE_URL}/admin/summits/eventdocument/add/"
        f"?event={event.pk}&kind={deadline.kind}\n"
        f"Event page: {settings.SITE_URL}{event.get_absolute_url()}\n"
    )
    send_mail(email_subject(subject), body, None, recipients, connection=connection)
