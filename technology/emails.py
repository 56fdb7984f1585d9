"""The introductions' e-mails. Each step goes to the side that must know of it; contact
details travel only in the e-mails sent once an introduction is accepted."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string

from leadit.mail import secretariat_addresses
from leadit.validators import email_subject
from partnerships.emails import focal_point_addresses

from .models import Introduction
from .selectors.introductions import other_side_contact, requester_contact


def _editor_addresses(member_id: int) -> list[str]:
    return sorted(
        get_user_model()
        .objects.filter(member_roles__member_id=member_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def other_side_addresses(introduction: Introduction) -> list[str]:
    """Who answers: the solution's member's editors, the need's focal points, or, for a
    partner institution's solution, the secretariat."""
    if introduction.need_id:
        return focal_point_addresses(introduction.need.partnership_id)
    if introduction.solution.member_id:
        return _editor_addresses(introduction.solution.member_id)
    return list(secretariat_addresses())


def requester_addresses(introduction: Introduction) -> list[str]:
    """The person who asked; if their account is gone, their member's editors or their
    partnership's focal points."""
    asker = introduction.requested_by
    if asker is not None and asker.is_active and asker.email:
        return [asker.email]
    if introduction.requester_member_id:
        return _editor_addresses(introduction.requester_member_id)
    return focal_point_addresses(introduction.requester_partnership_id)


def _link(introduction: Introduction) -> str:
    return settings.SITE_URL.rstrip("/") + introduction.get_absolute_url()


def _send(template: str, subject: str, recipients: list[str], **context) -> int:
    recipients = sorted(set(recipients))
    if not recipients:
        return 0
    return send_mail(
        subject=email_subject("[LeadIT] ", subject),
        message=render_to_string(f"technology/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def _context(introduction: Introduction) -> dict:
    return {"introduction": introduction, "link": _link(introduction)}


def send_introduction_asked(introduction: Introduction) -> int:
    """To the other side's people, and a copy notice to the secretariat (unless it is the
    other side already, for an institution's solution)."""
    context = _context(introduction)
    sent = _send(
        "introduction_asked",
        f"{introduction.requester} asks to be introduced: {introduction.subject}",
        other_side_addresses(introduction),
        **context,
    )
    if introduction.solution_id is None or introduction.solution.member_id is not None:
        sent += _send(
            "introduction_asked_copy",
            f"Introduction asked: {introduction.requester} → {introduction.subject}",
            secretariat_addresses(),
            **context,
        )
    return sent


def send_introduction_accepted(introduction: Introduction) -> int:
    """To both sides, each with the other's contact details."""
    requester, other = requester_contact(introduction), other_side_contact(introduction)
    context = _context(introduction)
    subject = f"Introduction accepted: {introduction.requester} and {introduction.other_side}"
    return _send(
        "introduction_accepted", subject, requester_addresses(introduction),
        contact=other, **context,
    ) + _send(
        "introduction_accepted", subject, other_side_addresses(introduction),
        contact=requester, **context,
    )  # fmt: skip


def send_introduction_declined(introduction: Introduction) -> int:
    return _send(
        "introduction_declined",
        f"Introduction declined: {introduction.subject}",
        requester_addresses(introduction),
        **_context(introduction),
    )


def send_introduction_withdrawn(introduction: Introduction) -> int:
    return _send(
        "introduction_withdrawn",
        f"Introduction withdrawn: {introduction.requester} → {introduction.subject}",
        other_side_addresses(introduction),
        **_context(introduction),
    )
