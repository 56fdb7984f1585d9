"""A newsletter issue as an e-mail: text and HTML, from the same content as its page and
PDF (``selectors.issue_sections`` and the same Markdown cleaning), links made absolute.

The body is rendered ONCE per issue with a placeholder where each subscriber's unsubscribe
link goes; :meth:`IssueEmail.message` only substitutes it, so a send to thousands of
subscribers does not render the templates thousands of times.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid, sanitize_address
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from leadit.markdown import clean_html, render_markdown
from leadit.validators import email_subject

from .models import NewsletterIssue
from .selectors import issue_sections

# Letters and hyphens only: it survives HTML escaping and quoted-printable unchanged and
# cannot appear in anything staff write by accident.
UNSUBSCRIBE_PLACEHOLDER = "LEADIT-UNSUBSCRIBE-URL-7F3A9C"
RECIPIENT_PLACEHOLDER = "leadit-recipient-7f3a9c@placeholder.invalid"
MESSAGE_ID_PLACEHOLDER = "<leadit-message-id-7f3a9c@placeholder.invalid>"
# An address that can stand in a To: header and an SMTP envelope exactly as it is.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
LIST_ID = "LeadIT newsletter <newsletter.leadit>"

RELATIVE_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _absolute_links(html: str) -> str:
    """Portal paths in cleaned Markdown (``/tracker/…``) as absolute links: an e-mail has
    no address of its own to resolve them against."""
    return RELATIVE_LINK.sub(lambda m: m.group(1) + settings.SITE_URL.rstrip("/") + "/", html)


def _portal_image(tag: str, attribute: str, value: str) -> str | None:
    """An e-mail loads nothing from anywhere but the portal's own address: an image whose
    source is elsewhere (a tracking pixel) loses its source; only its alt text remains."""
    if tag == "img" and attribute == "src":
        portal = settings.SITE_URL.rstrip("/") + "/"
        return value if value.startswith(portal) else None
    return value


def _email_safe(html_text: str) -> str:
    """The last pass over text written by people, after every transform: the same
    allow-list as the portal's Markdown, and images only from the portal."""
    return clean_html(html_text, attribute_filter=_portal_image)


def _markdown(text: str) -> str:
    html_text = _email_safe(_absolute_links(str(render_markdown(text))))
    return mark_safe(html_text)  # noqa: S308 - cleaned by nh3 just above


MARKDOWN_LINK = re.compile(r"(?<![!\\])\[([^\]\n]+)\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
# A backslash escape of Markdown (``\*``, ``\[``): the text part shows the character.
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")


def _plain(text: str, indent: str = "") -> str:
    """Markdown for the text part: as written (it reads as plain text), except that links
    become "text (absolute address)" — a portal path alone means nothing in a mail program."""

    def link(match: re.Match) -> str:
        url = _link(match.group(2))
        return f"{match.group(1)} ({url})" if url else match.group(1)

    text = MARKDOWN_LINK.sub(link, (text or "").strip())
    # Plain text, not HTML: escapes and entities read as the characters they stand for.
    text = html.unescape(MARKDOWN_ESCAPE.sub(r"\1", text))
    return textwrap.indent(text, indent) if indent else text


def _link(url: str) -> str:
    """An item's link as an absolute http(s) URL, or "" (anything else is not linked)."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//"):
        return _absolute(url)
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url
    return ""


@dataclass(frozen=True)
class EmailItem:
    title: str
    url: str
    date: object
    text: str  # Markdown, for the text part
    html: str  # cleaned HTML, for the HTML part


@dataclass(frozen=True)
class EmailSection:
    title: str
    note: str
    note_html: str
    items: list[EmailItem]


@dataclass(frozen=True)
class IssueEmail:
    """The rendered e-mail of one issue, personalised per subscriber only by the
    unsubscribe link."""

    subject: str
    text: str
    html: str

    def message(
        self, *, to: str, unsubscribe_url: str, connection=None, subject_prefix: str = ""
    ) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            subject=email_subject(subject_prefix, self.subject),
            body=self.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            connection=connection,
            headers={
                # RFC 2369 and RFC 8058: mail programs show an "Unsubscribe" button that
                # POSTs "List-Unsubscribe=One-Click" to the link, without a browser.
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": LIST_ID,
                "Precedence": "bulk",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(
            self.html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url), "text/html"
        )
        return message

    def raw(self) -> RawMessage | None:
        """The whole message as bytes with placeholders for the recipient, the Message-ID
        and the unsubscribe link, so that each copy is three byte replacements instead of
        building and encoding a MIME message (most of a send's CPU time). None if the
        encoded message does not hold each placeholder intact (e.g. a quoted-printable
        part split one across lines): the caller then builds each message in full."""
        message = self.message(to=RECIPIENT_PLACEHOLDER, unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER)
        message.extra_headers["Message-ID"] = MESSAGE_ID_PLACEHOLDER
        data = message.message().as_bytes(linesep="\r\n")
        expected = (
            1 + self.text.count(UNSUBSCRIBE_PLACEHOLDER) + self.html.count(UNSUBSCRIBE_PLACEHOLDER)
        )
        if (
            data.count(UNSUBSCRIBE_PLACEHOLDER.encode()) != expected
            or data.count(RECIPIENT_PLACEHOLDER.encode()) != 1
            or data.count(MESSAGE_ID_PLACEHOLDER.encode()) != 1
        ):
            return None
        return RawMessage(
            sender=sanitize_address(message.from_email, message.encoding or "utf-8"), data=data
        )


@dataclass(frozen=True)
class RawMessage:
    sender: str  # the envelope sender
    data: bytes

    def for_recipient(self, *, to: str, unsubscribe_url: str) -> bytes | None:
        """This copy's bytes, or None for an address that needs encoding (build it in
        full then)."""
        if not (PLAIN_ADDRESS.fullmatch(to) and unsubscribe_url.isascii()):
            return None
        if any(c in unsubscribe_url for c in "<>\r\n "):
            return None
        return (
            self.data.replace(RECIPIENT_PLACEHOLDER.encode(), to.encode())
            .replace(UNSUBSCRIBE_PLACEHOLDER.encode(), unsubscribe_url.encode())
            .replace(MESSAGE_ID_PLACEHOLDER.encode(), make_msgid(domain=str(DNS_NAME)).encode())
        )


def issue_email(issue: NewsletterIssue) -> IssueEmail:
    """Render ``issue`` as an e-mail (once; see the module docstring)."""
    sections = [
        EmailSection(
            title=section.title,
            note=_plain(section.note),
            note_html=_markdown(section.note),
            items=[
                EmailItem(
                    title=item.title,
                    url=_link(item.url),
                    date=item.date,
                    text=_plain(item.text, indent="  "),
                    html=_markdown(item.text),
                )
                for item in section.kept_items
            ],
        )
        for section in issue_sections(issue)
    ]
    context = {
        "issue": issue,
        "kind_label": f"LeadIT newsletter No. {issue.number} · {issue.quarter_label}",
        "introduction": _plain(issue.introduction),
        "introduction_html": _markdown(issue.introduction),
        "sections": sections,
        "read_online_url": _absolute(issue.get_absolute_url()),
        "pdf_url": _absolute(issue.get_pdf_url()),
        "subscribe_url": _absolute(reverse("publications:subscribe")),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "site_url": settings.SITE_URL.rstrip("/"),
        "contact_email": settings.CONTACT_EMAIL,
    }
    subject = issue.title
    if "newsletter" not in subject.lower():  # the inbox should say what it is
        subject += f" — LeadIT newsletter {issue.quarter_label}"
    return IssueEmail(
        subject=email_subject(subject),
        text=render_to_string("publications/email/issue.txt", context),
        html=render_to_string("publications/email/issue.html", context),
    )
