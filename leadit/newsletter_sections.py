"""What apps put in the quarterly newsletter. leadit imports no app and publications (the
top layer) must not read the others' models: each app registers, in its
``AppConfig.ready()``, the sections it knows the news of with
:func:`register_newsletter_section`:

* a **key** (what the issue's section rows are matched by on re-assembly; at most 20
  characters, never ``"custom"``), a **title** (the section's first title) and an **order**
  (a new issue shows the sections by it: 10 new members, 20 events held, 30 coming events,
  40 roadmaps, 50 projects, 60 briefs, 70 members' progress, 80 the workplan; a new app picks
  a number in between);
* a function ``collect(quarter) -> list[NewsItem]``: what happened in that quarter, as plain
  copies (title, text, link, date, source), in a fixed number of queries whatever the data
  size. :class:`Quarter` carries the quarter's first and last day, the next quarter's last
  day and the moment of assembly (which events count as held); its :meth:`Quarter.shared`
  lets two sections share one query (events held, coming events and the workplan's "events
  held" read the events once);
* how a long section ends: ``more_what`` ("new members") and ``more_url(items)``, the page
  listing all of them, for the "And N more …" item publications writes past its cap;
* ``summary``: the singular and plural phrase of the issue's first summary ("{n} new
  member", "{n} new members"), empty to say nothing there.

publications (``publications/newsletter/``) owns the rest: it calls every registered
section, caps it, writes the issue's sections and items, keeps staff's work on re-assembly
and freezes a sent issue. The text helpers below (:func:`excerpt`, :func:`day`,
:func:`days`, :func:`paragraphs`) are the ones every section writes its items with.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import strip_tags
from django.utils.text import Truncator

from .markdown import render_markdown

# A section's key is stored in NewsletterSection.kind (20 characters); "custom" is staff's.
KEY_MAX_LENGTH = 20
RESERVED_KEYS = frozenset({"custom"})
EXCERPT_WORDS = 30


# --- Quarters --------------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of ``quarter`` (1–4) of ``year``."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError(f"A quarter is 1, 2, 3 or 4, not {quarter}.")
    start = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, following - timedelta(days=1)


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


@dataclass(frozen=True)
class Quarter:
    """The quarter an issue covers, the next one, and the moment of assembly."""

    year: int
    quarter: int
    now: datetime
    _shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def bounds(self) -> tuple[date, date]:
        return quarter_bounds(self.year, self.quarter)

    @property
    def start(self) -> date:
        return self.bounds[0]

    @property
    def end(self) -> date:
        return self.bounds[1]

    @property
    def next_end(self) -> date:
        return quarter_bounds(*next_quarter(self.year, self.quarter))[1]

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}"

    @property
    def as_of(self) -> date:
        """The day progress is judged at: the quarter's end, or today if it is not over."""
        return min(timezone.localdate(self.now), self.end)

    def shared(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per assembly: what several sections read (the quarter's
        events) is read once."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]


# --- What a section is made of ---------------------------------------------------------------


@dataclass
class NewsItem:
    """One thing that happened in the quarter, as the issue will copy it. ``text`` is
    Markdown (write member-written text through :func:`excerpt`); ``source`` names what it
    stands for (``member:12``), so staff's choices survive re-assembly; ``represents`` is how
    many things of the quarter it stands for."""

    title: str
    text: str = ""
    url: str = ""
    date: date | None = None
    source: str = ""
    represents: int = 1


@dataclass(frozen=True)
class NewsletterSectionSource:
    key: str
    title: str
    collect: Callable[[Quarter], list[NewsItem]]
    order: int = 100
    more_what: str = "items"
    more_url: Callable[[list[NewsItem]], str] = lambda items: ""
    summary: tuple[str, str] | tuple[()] = ()

    def summary_phrase(self, count: int) -> str:
        """This section's part of the issue's first summary ("2 new members"), or ""."""
        if not self.summary or not count:
            return ""
        return self.summary[0 if count == 1 else 1].format(n=count)


NEWSLETTER_SECTIONS: dict[str, NewsletterSectionSource] = {}


def register_newsletter_section(
    *,
    key: str,
    title: str,
    collect: Callable[[Quarter], list[NewsItem]],
    order: int = 100,
    more_what: str = "items",
    more_url: Callable[[list[NewsItem]], str] = lambda items: "",
    summary: tuple[str, str] | tuple[()] = (),
) -> None:
    """Add (or replace) the newsletter section ``key``."""
    if not key or len(key) > KEY_MAX_LENGTH or key in RESERVED_KEYS:
        raise ImproperlyConfigured(
            f"A newsletter section key is 1–{KEY_MAX_LENGTH} characters and not "
            f"{', '.join(sorted(RESERVED_KEYS))}: {key!r}."
        )
    NEWSLETTER_SECTIONS[key] = NewsletterSectionSource(
        key, title, collect, order, more_what, more_url, summary
    )


def unregister_newsletter_section(key: str) -> None:
    NEWSLETTER_SECTIONS.pop(key, None)


def newsletter_sections() -> list[NewsletterSectionSource]:
    """The registered sections, in the order a new issue shows them."""
    return sorted(NEWSLETTER_SECTIONS.values(), key=lambda s: (s.order, s.key))


# --- Writing items ---------------------------------------------------------------------------


def day(value: date | None) -> str:
    """ "3 July 2025" (empty for no date)."""
    return format_date(value, "j F Y") if value else ""


def days(start: date, end: date) -> str:
    """ "3 July 2025", "12–13 August 2025", "31 October – 13 November 2021"."""
    if start == end:
        return day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{day(end)}"
    if start.year == end.year:
        return f"{format_date(start, 'j F')} – {day(end)}"
    return f"{day(start)} – {day(end)}"


def paragraphs(*parts: str) -> str:
    """The non-empty ``parts`` as Markdown paragraphs."""
    return "\n\n".join(part for part in parts if part)


# Characters that would make Markdown (or HTML inside it) out of plain text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]!])")


def markdown_literal(text: str) -> str:
    """Plain text as Markdown that renders to exactly that text: ``&``, ``<`` and ``>`` as
    entities, the characters of emphasis, code, links and images backslash-escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def excerpt(markdown_text: str, *, words: int = EXCERPT_WORDS) -> str:
    """The first ``words`` words of a Markdown text as plain text (so a cut never leaves a
    half-open emphasis or link behind), written as Markdown that shows that text literally:
    the item's text is Markdown, and text a member had escaped (``&lt;img …&gt;``) must not
    come back as markup once unescaped."""
    plain = html.unescape(strip_tags(render_markdown(markdown_text or "")))
    return markdown_literal(Truncator(" ".join(plain.split())).words(words, truncate="…"))
