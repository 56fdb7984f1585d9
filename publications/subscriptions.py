"""Newsletter subscribers: sign-up with double opt-in, confirmation, one-click unsubscribe,
and the member contacts the secretariat flagged to receive the newsletter.

* A sign-up never tells whether an address is known (no enumeration): the caller shows the
  same "check your inbox" page whatever :func:`subscriber_sign_up` did. A new or pending
  address gets a confirmation e-mail (at most one per ``RESEND_CONFIRMATION_AFTER``, so the
  form cannot be used to flood somebody's inbox); an address that already receives the
  newsletter gets nothing; an address that unsubscribed starts a fresh double opt-in and
  stays unsubscribed until the new link is followed.
* The confirmation link is signed (``TimestampSigner``), expires after
  ``NEWSLETTER_CONFIRMATION_DAYS`` and carries the moment it was issued, so a link sent
  before an unsubscribe cannot subscribe the address again.
* The unsubscribe token is the subscriber's own random ``unsubscribe_token``: it is the
  credential of the one-click unsubscribe link in every newsletter.
* Member contacts with ``receives_newsletter`` become subscribers without a double opt-in
  (the secretariat entered them); :func:`subscribers_sync_member_contacts` runs when an
  issue is sent.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leadit.jobs import background_job, job_enqueue
from members.models import Contact

from .models import Delivery, Subscriber

logger = logging.getLogger(__name__)

CONFIRM_SALT = "publications.newsletter.confirm"
# A second sign-up of a pending address within this time sends no second e-mail.
RESEND_CONFIRMATION_AFTER = timedelta(minutes=10)
# How long an SMTP conversation may stall before it counts as failed.
SMTP_TIMEOUT_SECONDS = 30


def confirmation_days() -> int:
    return int(getattr(settings, "NEWSLETTER_CONFIRMATION_DAYS", 3))


def absolute(path: str, *, base_url: str | None = None) -> str:
    """``path`` on the portal's address: the request's when there is one (``base_url``),
    else ``SITE_URL`` (jobs and workers have no request)."""
    return (base_url or settings.SITE_URL).rstrip("/") + path


def unsubscribe_url(subscriber: Subscriber) -> str:
    """The subscriber's one-click unsubscribe link (absolute: e-mails and the
    ``List-Unsubscribe`` header)."""
    return absolute(
        reverse("publications:unsubscribe", kwargs={"token": subscriber.unsubscribe_token})
    )


def mail_connection(**kwargs):
    """The configured e-mail backend, with a timeout so a stalled server cannot hang a
    request or a worker."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS
    return get_connection(timeout=timeout, **kwargs)


def recipients() -> QuerySet[Subscriber]:
    """Who receives the newsletter: confirmed, not unsubscribed, and — for a member contact
    added by the secretariat — still flagged to receive it (a contact whose flag was turned
    off, or who was deleted, gets nothing; someone who signed up themselves keeps it)."""
    return Subscriber.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).filter(Q(source=Subscriber.Source.PUBLIC_FORM) | Q(contact__receives_newsletter=True))


def receives_newsletter(subscriber: Subscriber) -> bool:
    """Whether ``subscriber`` is one of :func:`recipients` (without a query for a
    subscriber who signed up themselves)."""
    if not subscriber.is_active:
        return False
    if subscriber.source == Subscriber.Source.PUBLIC_FORM:
        return True
    return recipients().filter(pk=subscriber.pk).exists()


def _by_email(email: str) -> QuerySet[Subscriber]:
    # Lower(email) is what the unique index is built on.
    return Subscriber.objects.alias(email_ci=Lower("email")).filter(email_ci=email.lower())


def normalise_email(email: str) -> str:
    """The address as stored: trimmed, its domain in lower case; invalid → ValidationError."""
    email = BaseUserManager.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter a valid e-mail address, like name@example.org."}
        ) from None
    if len(email) > 254:
        raise ValidationError({"email": "An e-mail address has at most 254 characters."})
    return email


# --- Confirmation tokens ----------------------------------------------------------------------


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def confirmation_token(subscriber: Subscriber, *, issued_at: datetime | None = None) -> str:
    """A signed, expiring link token: the subscriber and the moment it was issued."""
    issued = issued_at or timezone.now()
    value = f"{subscriber.pk}.{signing.b62_encode(_micros(issued))}"
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(value)


def confirmation_url(token: str, *, base_url: str | None = None) -> str:
    return absolute(
        reverse("publications:confirm_subscription", kwargs={"token": token}), base_url=base_url
    )


class LinkProblem(StrEnum):
    INVALID = "invalid"  # forged, mangled, or its subscriber is gone
    EXPIRED = "expired"
    SUPERSEDED = "superseded"  # issued before the address unsubscribed


class ConfirmationLinkError(Exception):
    def __init__(self, problem: LinkProblem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Confirmation:
    subscriber: Subscriber
    newly_confirmed: bool


# --- Sign-up, confirm, unsubscribe -------------------------------------------------------------


class SignUp(StrEnum):
    """What a sign-up did. For the caller's logs and tests only: the visitor sees the same
    page in every case."""

    CREATED = "created"
    RESENT = "resent"  # pending or unsubscribed: a (new) confirmation e-mail
    THROTTLED = "throttled"  # a confirmation e-mail went out a moment ago; none again
    ALREADY_ACTIVE = "already_active"  # already receives it: nothing to do, nothing sent
    # Created or resent, but the mail server could not be reached: a job is recorded that
    # sends it later (or, failed, waits for staff to retry it). The visitor is told so
    # (which, only while the mail server is down, tells a known address from a new one).
    DEFERRED = "deferred"


def subscriber_sign_up(*, email: str, name: str = "", request=None) -> SignUp:
    """The public form's sign-up (double opt-in). Raises ValidationError for an invalid
    address; otherwise answers alike for new, pending, subscribed and unsubscribed ones.
    With ``request`` the confirmation link points at the address the visitor used."""
    email = normalise_email(email)
    name = (name or "").strip()[:200]
    now = timezone.now()
    with transaction.atomic():
        subscriber = _by_email(email).select_for_update().first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=email,
                        name=name,
                        source=Subscriber.Source.PUBLIC_FORM,
                        confirmation_sent_at=now,
                    )
                outcome = SignUp.CREATED
            except IntegrityError:
                # The same address signed up at the same moment in another request.
                return SignUp.THROTTLED
        elif receives_newsletter(subscriber):
            return SignUp.ALREADY_ACTIVE
        else:
            sent = subscriber.confirmation_sent_at
            since_unsubscribe = subscriber.unsubscribed_at is None or (
                sent is not None and sent > subscriber.unsubscribed_at
            )
            if sent and since_unsubscribe and now - sent < RESEND_CONFIRMATION_AFTER:
                return SignUp.THROTTLED
            subscriber.confirmation_sent_at = now
            if name:
                subscriber.name = name
            subscriber.save(update_fields=["confirmation_sent_at", "name"])
            outcome = SignUp.RESENT
    base_url = request.build_absolute_uri("/") if request is not None else None
    if not confirmation_send(subscriber=subscriber, issued_at=now, base_url=base_url):
        return SignUp.DEFERRED
    return outcome


def confirmation_send(
    *, subscriber: Subscriber, issued_at: datetime | None = None, base_url: str | None = None
) -> bool:
    """E-mail the confirmation link now; if the mail server cannot be reached, record a
    job that tries again with backoff and answer False (the page still answers)."""
    try:
        _confirmation_message(subscriber, issued_at=issued_at, base_url=base_url).send()
    except smtplib.SMTPRecipientsRefused as exc:
        # Our own mail server will not take the address: trying again would not help.
        logger.warning("Confirmation e-mail to subscriber %s refused: %s", subscriber.pk, exc)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Confirmation e-mail to subscriber %s deferred: %s", subscriber.pk, exc)
        job_enqueue(
            task=send_confirmation,
            description=f"Newsletter confirmation e-mail to subscriber {subscriber.pk}",
            subscriber_id=subscriber.pk,
        )
        return False
    return True


def _confirmation_message(
    subscriber: Subscriber,
    *,
    issued_at: datetime | None = None,
    connection=None,
    base_url: str | None = None,
) -> EmailMultiAlternatives:
    token = confirmation_token(subscriber, issued_at=issued_at)
    context = {
        "subscriber": subscriber,
        "confirm_url": confirmation_url(token, base_url=base_url),
        "valid_days": confirmation_days(),
        "subscribe_url": absolute(reverse("publications:subscribe"), base_url=base_url),
        "site_url": absolute("", base_url=base_url),
        "contact_email": settings.CONTACT_EMAIL,
    }
    message = EmailMultiAlternatives(
        subject="[LeadIT] Please confirm your newsletter subscription",
        body=render_to_string("publications/email/confirm_subscription.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        connection=connection or mail_connection(),
        # Auto-replies to a confirmation request help nobody.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("publications/email/confirm_subscription.html", context), "text/html"
    )
    return message


# The mail server was unreachable or hung up: worth trying again later.
CONFIRMATION_TRANSIENT = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


@background_job(name="publications.send_confirmation", transient=CONFIRMATION_TRANSIENT)
def send_confirmation(*, subscriber_id: int) -> bool:
    """A confirmation e-mail the sign-up could not send at once (a fresh link)."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or receives_newsletter(subscriber):
        logger.info("Subscriber %s is gone or confirmed; no confirmation e-mail", subscriber_id)
        return False
    _confirmation_message(subscriber).send()
    return True


def _read_confirmation_token(token: str) -> tuple[int, int, bool]:
    """``(subscriber id, when the link was issued in µs, expired)``; a forged or malformed
    token raises ConfirmationLinkError."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    try:
        value = signer.unsign(token)
    except signing.BadSignature:
        raise ConfirmationLinkError(LinkProblem.INVALID) from None
    pk, _, issued = value.partition(".")
    try:
        subscriber_id, issued_micros = int(pk), signing.b62_decode(issued)
    except ValueError:
        raise ConfirmationLinkError(LinkProblem.INVALID) from None
    try:
        signer.unsign(token, max_age=timedelta(days=confirmation_days()))
        expired = False
    except signing.SignatureExpired:
        expired = True
    return subscriber_id, issued_micros, expired


def _confirmable(subscriber: Subscriber | None, issued_micros: int, expired: bool) -> Subscriber:
    """The subscriber a link confirms (already confirmed or not), or ConfirmationLinkError."""
    if subscriber is None:
        raise ConfirmationLinkError(LinkProblem.INVALID)
    if receives_newsletter(subscriber):
        return subscriber
    if expired:
        raise ConfirmationLinkError(LinkProblem.EXPIRED)
    if subscriber.unsubscribed_at and issued_micros <= _micros(subscriber.unsubscribed_at):
        raise ConfirmationLinkError(LinkProblem.SUPERSEDED)
    return subscriber


def confirmation_subscriber(*, token: str) -> Subscriber:
    """Who the confirmation link ``token`` is for, changing nothing: the page that a link
    opens asks for a click first, because mail scanners open every link in an e-mail."""
    subscriber_id, issued_micros, expired = _read_confirmation_token(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    return _confirmable(subscriber, issued_micros, expired)


def subscriber_confirm(*, token: str) -> Confirmation:
    """Confirm the address a confirmation link was sent to. Confirming again answers
    "already confirmed" (idempotent); a forged, expired or superseded link raises
    ConfirmationLinkError."""
    subscriber_id, issued_micros, expired = _read_confirmation_token(token)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        subscriber = _confirmable(subscriber, issued_micros, expired)
        if receives_newsletter(subscriber):
            return Confirmation(subscriber, newly_confirmed=False)
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        # They asked for it themselves: they keep it even if a member contact's flag is off.
        subscriber.source = Subscriber.Source.PUBLIC_FORM
        subscriber.save(update_fields=["confirmed_at", "unsubscribed_at", "source"])
    return Confirmation(subscriber, newly_confirmed=True)


@dataclass(frozen=True)
class Unsubscription:
    subscriber: Subscriber
    newly_unsubscribed: bool


def subscriber_find_by_token(token: str) -> Subscriber | None:
    if not token or len(token) > 64:
        return None
    return Subscriber.objects.filter(unsubscribe_token=token).first()


def subscriber_unsubscribe(*, token: str) -> Unsubscription:
    """Unsubscribe the owner of ``token`` (idempotent). Unknown token → Subscriber.DoesNotExist."""
    if not token or len(token) > 64:
        raise Subscriber.DoesNotExist
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(unsubscribe_token=token)
        if subscriber.unsubscribed_at is not None:
            return Unsubscription(subscriber, newly_unsubscribed=False)
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
        # An issue being sent right now does not reach them any more.
        Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).delete()
    return Unsubscription(subscriber, newly_unsubscribed=True)


def subscribers_unsubscribe(*, subscribers: QuerySet[Subscriber], user=None) -> int:
    """Staff's "unsubscribe" on several subscribers; returns how many changed."""
    with transaction.atomic():
        ids = list(subscribers.filter(unsubscribed_at__isnull=True).values_list("pk", flat=True))
        changed = Subscriber.objects.filter(pk__in=ids).update(unsubscribed_at=timezone.now())
        Delivery.objects.filter(subscriber_id__in=ids, status=Delivery.Status.PENDING).delete()
    logger.info("%s unsubscribed %s subscribers", user or "Someone", changed)
    return changed


# --- Member contacts -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactSync:
    created: int
    linked: int
    confirmed: int
    readdressed: int


def subscribers_sync_member_contacts() -> ContactSync:
    """Make every member contact flagged ``receives_newsletter`` a subscriber (source
    member contact, confirmed: no double opt-in, the secretariat entered them). An address
    that unsubscribed stays unsubscribed; a contact whose flag is off is left alone (and
    :func:`recipients` leaves it out). A constant number of queries, whatever the size."""
    now = timezone.now()
    with transaction.atomic():
        # One contact per address (a person may be a contact of two members).
        wanted: dict[str, tuple[int, str, str]] = {}
        for contact_id, email, name in (
            Contact.objects.filter(receives_newsletter=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("pk", "email", "name")
        ):
            wanted.setdefault(email.strip().lower(), (contact_id, email.strip(), name))
        if not wanted:
            return ContactSync(0, 0, 0, 0)
        contact_ids = [contact_id for contact_id, _, _ in wanted.values()]
        existing = {
            s.email.lower(): s
            for s in Subscriber.objects.select_for_update()
            .alias(email_ci=Lower("email"))
            .filter(email_ci__in=list(wanted))
        }
        by_contact = {
            s.contact_id: s
            for s in Subscriber.objects.select_for_update().filter(contact_id__in=contact_ids)
        }
        changed: dict[int, Subscriber] = {}
        new: list[Subscriber] = []
        linked = confirmed = readdressed = 0
        for key, (contact_id, email, name) in wanted.items():
            subscriber = existing.get(key)
            if subscriber is not None:
                if subscriber.contact_id is None and contact_id not in by_contact:
                    subscriber.contact_id = contact_id
                    by_contact[contact_id] = subscriber
                    linked += 1
                    changed[subscriber.pk] = subscriber
                if subscriber.confirmed_at is None and subscriber.unsubscribed_at is None:
                    # Pending on the public form, and also a flagged contact: no need to wait.
                    subscriber.confirmed_at = now
                    confirmed += 1
                    changed[subscriber.pk] = subscriber
                continue
            subscriber = by_contact.get(contact_id)
            if (
                subscriber is not None
                and subscriber.source == Subscriber.Source.MEMBER_CONTACT
                and subscriber.email.lower() not in wanted
            ):
                # The secretariat corrected the contact's address: same person, same state.
                subscriber.email = email
                readdressed += 1
                changed[subscriber.pk] = subscriber
                continue
            new.append(
                Subscriber(
                    email=email,
                    name=name[:200],
                    source=Subscriber.Source.MEMBER_CONTACT,
                    contact_id=None if contact_id in by_contact else contact_id,
                    confirmed_at=now,
                )
            )
        if changed:
            Subscriber.objects.bulk_update(
                list(changed.values()), ["contact", "confirmed_at", "email"], batch_size=500
            )
        # A concurrent sign-up of the same address wins; that row is linked next time.
        created = Subscriber.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return ContactSync(len(created), linked, confirmed, readdressed)
