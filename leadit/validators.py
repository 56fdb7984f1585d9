"""Single-line text: refused with a form error on the way in, made harmless on the way out.

A title, a name or a web address is one line. A line break in one is never what a person
meant, and in an e-mail subject it is a header injection (Django refuses to send it:
``BadHeaderError``). So:

* :func:`no_control_characters` is the validator of every single-line field of a form
  that people outside the secretariat fill in; :class:`SingleLineFieldsMixin` puts it on
  each one-line text field of a form at once;
* :func:`one_line` is what any text built into an e-mail header goes through
  (:func:`email_subject` for subjects), so that no stored text, whoever wrote it and
  whenever, can make a notification fail.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

# Line and paragraph separators are not category Cc but break lines all the same.
_LINE_SEPARATORS = {"\u2028", "\u2029", "\x85"}
_WHITESPACE_RUN = re.compile(r"\s+")


def _is_control(character: str) -> bool:
    return character in _LINE_SEPARATORS or unicodedata.category(character) == "Cc"


def no_control_characters(value) -> None:
    """Refuse line breaks, tabs and other control characters in a one-line field."""
    if value and any(_is_control(character) for character in str(value)):
        raise ValidationError(
            "Write this on one line: line breaks, tabs and other control characters are "
            "not allowed here.",
            code="control_characters",
        )


def one_line(text) -> str:
    """``text`` as one line: every control character (line breaks included) and every run
    of whitespace becomes one space; leading and trailing space is dropped."""
    cleaned = "".join(" " if _is_control(c) else c for c in str(text or ""))
    return _WHITESPACE_RUN.sub(" ", cleaned).strip()


def email_subject(*parts, max_length: int = 250) -> str:
    """An e-mail subject from ``parts`` (user text included): one line, never a header
    injection, cut with an ellipsis when very long."""
    subject = one_line("".join(str(part) for part in parts))
    if len(subject) > max_length:
        subject = subject[: max_length - 1].rstrip() + "…"
    return subject


def _is_single_line(field: forms.Field) -> bool:
    return isinstance(field, forms.CharField) and not isinstance(
        field.widget, forms.Textarea | forms.PasswordInput | forms.HiddenInput
    )


class SingleLineFieldsMixin:
    """A form mixin: every one-line text field (a CharField not drawn as a textarea) refuses
    control characters with a form error. ``single_line_exempt`` names fields left alone
    (a honeypot, whose content only says "robot")."""

    single_line_exempt: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in self.single_line_exempt:
                continue
            if _is_single_line(field) and no_control_characters not in field.validators:
                field.validators.append(no_control_characters)
