"""One-click e-mail opt-outs, per person and kind of e-mail (a *topic*, such as
"technology-needs-digest").

Each e-mail to a signed-up person about one topic carries a link (and the RFC 2369 / 8058
``List-Unsubscribe`` headers) holding a signed token of the user's id and the topic. The
token is the credential: it never expires (an old digest's link must still work) and a
forged or altered one is refused before anything is written. Opting out is recorded once
(``MailOptOut``: unique user and topic); senders filter their recipients with
``opted_out_users(topic)`` in the same query that finds them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse

from .models import MailOptOut

# A salt of its own: a token signed for anything else (a newsletter confirmation, a
# session) is never a valid opt-out.
OPT_OUT_SALT = "leadit.optouts.mail-opt-out"
TOPIC_MAX_LENGTH = MailOptOut._meta.get_field("topic").max_length
# What each topic's e-mails are, in the words of the opt-out page ("Stop receiving …?").
# An app sending a new kind of e-mail adds its topic here; an unknown topic still works.
TOPIC_LABELS = {
    "technology-needs-digest": "the monthly digest of technology needs that fit your solutions",
    "milestone-reminders": "the reminders to report your members' progress before a milestone",
}


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, "these e-mails")


class OptOutLinkError(ValueError):
    """The opt-out link was forged, altered, cut short, or names a person who is gone."""


def _signer() -> signing.Signer:
    return signing.Signer(salt=OPT_OUT_SALT)


def opt_out_token(user, topic: str) -> str:
    if not topic or len(topic) > TOPIC_MAX_LENGTH:
        raise ValueError(f"An opt-out topic is 1 to {TOPIC_MAX_LENGTH} characters: {topic!r}")
    return _signer().sign_object({"u": user.pk, "t": topic}, compress=True)


def opt_out_url(user, topic: str) -> str:
    """The one-click opt-out link of ``user`` for ``topic`` (absolute: e-mails are read
    outside the portal, and jobs that send them have no request)."""
    path = reverse("mail_opt_out", kwargs={"token": opt_out_token(user, topic)})
    return settings.SITE_URL.rstrip("/") + path


def opt_out_headers(url: str) -> dict[str, str]:
    """The headers that let mail programs show an "Unsubscribe" button that POSTs
    "List-Unsubscribe=One-Click" to ``url`` without a browser (RFC 2369, RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def read_token(token: str) -> tuple[int, str]:
    """The user id and topic a token carries, or ``OptOutLinkError``."""
    try:
        payload = _signer().unsign_object(token)
        user_id, topic = int(payload["u"]), str(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise OptOutLinkError("This link is not valid.") from exc
    if not topic or len(topic) > TOPIC_MAX_LENGTH:
        raise OptOutLinkError("This link is not valid.")
    return user_id, topic


def has_opted_out(user, topic: str) -> bool:
    return MailOptOut.objects.filter(user=user, topic=topic).exists()


def opted_out_users(topic: str) -> QuerySet:
    """The ids of the users who opted out of ``topic``, as a subquery:
    ``recipients.exclude(pk__in=opted_out_users(topic))``."""
    return MailOptOut.objects.filter(topic=topic).values("user")


def opt_out(token: str) -> MailOptOut:
    """Record the opt-out a link carries (once: a second click finds the first row). A
    forged or altered token, or one of a deleted account, raises ``OptOutLinkError`` and
    writes nothing."""
    user_id, topic = read_token(token)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise OptOutLinkError("This link is not valid.")
    try:
        with transaction.atomic():
            return MailOptOut.objects.get_or_create(user=user, topic=topic)[0]
    except IntegrityError:  # the same link clicked twice at once
        return MailOptOut.objects.get(user=user, topic=topic)


def opt_out_pending(token: str):
    """(user, topic, already opted out) for the confirmation page, or ``OptOutLinkError``."""
    user_id, topic = read_token(token)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise OptOutLinkError("This link is not valid.")
    return user, topic, has_opted_out(user, topic)
