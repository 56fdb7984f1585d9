"""A publication as HTML: the one content the public page, the PDF and the e-mail show.

* :func:`brief_body_html` — a brief's Markdown body, cleaned by ``leadit.markdown`` (nh3),
  with numbered anchors on its h2/h3 headings (for a table of contents) and *figures*: a
  line of its own such as ::

      [[chart: roadmaps-by-sector | Current roadmaps by sector]]

  becomes a ``<figure>`` holding one of the portal's own SVG charts (``CHARTS``), drawn by
  ``leadit.charts`` from the Tracker's data, with its caption and source. An unknown chart
  name becomes a visible "figure not available" note. Figures are put in *after* the text
  was cleaned, by this module's own code, from placeholders nobody can type (a random
  token per call); so the text itself can never smuggle markup in.
* :func:`cite_as` — the "cite as" line: the publication's own, or written from its authors,
  year, title and address.
* :func:`publication_print_html` — the full HTML document a PDF is rendered from (briefs and
  newsletter issues): cover, contents, body with real footnotes, "cite as" and licence.
  It is deterministic (no timestamps): its SHA-256 is the rendered document's content hash.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe

from leadit import charts as svg
from leadit.markdown import render_markdown

from .models import Brief, NewsletterIssue, Publication
from .selectors import issue_sections

ORGANISATION = "LeadIT Secretariat"
ORGANISATION_LONG = "Leadership Group for Industry Transition (LeadIT)"
PRINT_STYLESHEET = "css/publication-print.css"
TRACKER_SOURCE = "LeadIT Industry Transition Tracker"

# --- Figures -----------------------------------------------------------------------------

# ``[[chart: name]]`` or ``[[chart: name | caption]]``, alone on its line.
FIGURE_LINE = re.compile(
    r"^[ \t]{0,3}\[\[\s*chart\s*:\s*(?P<name>[^|\]\n]*?)\s*(?:\|\s*(?P<caption>[^\]\n]*?)\s*)?\]\][ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")


@dataclass(frozen=True)
class Chart:
    """One chart a brief may embed: ``draw(data, chart_id)`` returns the SVG and the data
    table behind it, from ``tracker.selectors.coverage.tracker_charts()``."""

    name: str
    title: str
    draw: Callable[[object, str], tuple[SafeString, svg.ChartTable]]
    note: str = ""


def _roadmaps_by_sector(data, chart_id: str):
    title = "Roadmaps by sector"
    items = data.roadmaps_by_sector
    return (
        svg.bar_chart(items, title=title, chart_id=chart_id),
        svg.bar_chart_table(items, title=title, label="Sector", value_label="Roadmaps"),
    )


def _net_zero_years(data, chart_id: str):
    title = "Net-zero target years"
    return (
        svg.histogram_by_year(data.net_zero_years, title=title, noun="target", chart_id=chart_id),
        svg.histogram_table(data.net_zero_years, title=title, count_label="Net-zero targets"),
    )


def _roadmaps_over_time(data, chart_id: str):
    title = "Roadmaps published over time (cumulative)"
    points = data.roadmaps_cumulative
    return (
        svg.line_chart(points, title=title, chart_id=chart_id),
        svg.line_chart_table(
            points, title=title, value_label="Roadmaps published by the end of the year"
        ),
    )


# Small on purpose: each entry is a figure staff can rely on in print. The names are the
# slugs of the same figures on /tracker/charts/.
CHARTS: dict[str, Chart] = {
    chart.name: chart
    for chart in (
        Chart(
            "roadmaps-by-sector",
            "Roadmaps by sector",
            _roadmaps_by_sector,
            "Current roadmaps of every scope; one covering several sectors counts in each.",
        ),
        Chart(
            "net-zero-years",
            "Net-zero target years",
            _net_zero_years,
            "Net-zero targets of countries and roadmaps, by the year they aim for.",
        ),
        Chart(
            "roadmaps-over-time",
            "Roadmaps published over time",
            _roadmaps_over_time,
            "Roadmaps published up to the end of each year.",
        ),
    )
}


class _TrackerData:
    """The Tracker's chart data, read once per rendering and only if a figure needs it."""

    def __init__(self):
        self._data = None

    def get(self):
        if self._data is None:
            from tracker.selectors.coverage import tracker_charts

            self._data = tracker_charts()
        return self._data


def _figure_html(number: int, name: str, caption: str, data: _TrackerData) -> str:
    chart = CHARTS.get(name.strip().lower())
    if chart is None:
        return format_html(
            '<p class="figure-missing" role="note"><strong>Figure not available:</strong> '
            "there is no chart called “{}”. Charts that can be used: {}.</p>",
            name,
            ", ".join(sorted(CHARTS)),
        )
    tracker = data.get()
    chart_svg, table = chart.draw(tracker, f"figure-{number}-chart")
    updated = getattr(tracker, "roadmaps_updated", None)
    source = f"Source: {TRACKER_SOURCE}"
    if updated:
        source += f", data as of {updated:%-d %B %Y}"
    return format_html(
        '<figure class="figure" id="figure-{}">'
        '<div class="figure__chart">{}</div>'
        '<figcaption class="figure__caption"><span class="figure__number">Figure {}.</span> '
        '{} <span class="figure__source">{}. {}</span></figcaption>{}</figure>',
        number,
        chart_svg,
        number,
        caption or chart.title,
        source,
        chart.note,
        svg.data_table(table),
    )


def _with_figure_placeholders(text: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """``text`` with every figure line (outside fenced code) replaced by a paragraph of its
    own holding an unguessable placeholder; the placeholders → (name, caption)."""
    nonce = secrets.token_hex(8)
    figures: dict[str, tuple[str, str]] = {}
    lines = []
    fence = None
    for line in text.splitlines():
        opening = FENCE.match(line)
        if opening:
            marker = opening.group(1)
            fence = None if fence == marker else (fence or marker)
        match = None if fence else FIGURE_LINE.match(line)
        if match:
            token = f"leaditfigure{nonce}n{len(figures)}"
            figures[token] = (match.group("name"), match.group("caption") or "")
            lines.extend(["", token, ""])
        else:
            lines.append(line)
    return "\n".join(lines), figures


HEADING = re.compile(r"<h([23])>")


def _number_headings(body: str) -> str:
    """``id="section-N"`` on every h2/h3 (the cleaner strips ids written in the text, so
    these, the code's own, cannot collide with anything the author wrote)."""
    counter = iter(range(1, 10_000))
    return HEADING.sub(lambda m: f'<h{m.group(1)} id="section-{next(counter)}">', body)


def markdown_html(text: str | None) -> SafeString:
    """Markdown (an introduction, a note, an item) as clean HTML, headings numbered."""
    return mark_safe(_number_headings(render_markdown(text)))  # noqa: S308 - cleaned by nh3


def brief_body_html(brief: Brief) -> SafeString:
    """The brief's body as shown on its page and in its PDF (see the module docstring)."""
    text, figures = _with_figure_placeholders(brief.body or "")
    body = str(render_markdown(text))
    data = _TrackerData()
    for number, (token, (name, caption)) in enumerate(figures.items(), start=1):
        # The placeholder is plain letters and digits: nh3 and Markdown leave it as is.
        body = body.replace(f"<p>{token}</p>", _figure_html(number, name, caption, data), 1)
    return mark_safe(_number_headings(body))  # noqa: S308 - cleaned text + trusted figures


# --- Outline and footnotes (print) ---------------------------------------------------------

OUTLINE_HEADING = re.compile(r'<h([23]) id="(section-\d+)">(.*?)</h\1>', re.DOTALL)


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    text: str


def outline(body_html: str) -> list[Heading]:
    """The h2/h3 headings of HTML made by this module, for a table of contents."""
    return [
        Heading(int(level), anchor, html.unescape(strip_tags(inner)).strip())
        for level, anchor, inner in OUTLINE_HEADING.findall(body_html)
    ]


FOOTNOTES_BLOCK = re.compile(r'<div class="footnote">\s*<hr>\s*<ol>(.*?)</ol>\s*</div>', re.DOTALL)
FOOTNOTE_ITEM = re.compile(r'<li id="fn:([^"]+)">(.*?)</li>\s*(?=<li id="fn:|$)', re.DOTALL)
FOOTNOTE_BACKREF = re.compile(r'(?:&nbsp;|\s)*<a href="#fnref\d*:[^"]*"[^>]*>[^<]*</a>')
FOOTNOTE_REF = re.compile(r'<sup id="fnref\d*:([^"]+)"><a href="#fn:[^"]+"[^>]*>([^<]*)</a></sup>')


def print_footnotes(body_html: str) -> str:
    """The Markdown footnotes (a list at the end) as real footnotes at the foot of the page
    where they are called (``float: footnote`` in the print stylesheet). HTML that does not
    have the expected shape is left as it is: the notes then print at the end."""
    block = FOOTNOTES_BLOCK.search(body_html)
    if not block:
        return body_html
    notes = {}
    for key, inner in FOOTNOTE_ITEM.findall(block.group(1).strip()):
        inner = FOOTNOTE_BACKREF.sub("", inner).strip()
        # A footnote is an inline box: its paragraphs become lines.
        paragraphs = re.findall(r"<p>(.*?)</p>", inner, re.DOTALL)
        if not paragraphs or re.sub(r"<p>.*?</p>", "", inner, flags=re.DOTALL).strip():
            return body_html  # lists or other blocks in a note: keep the notes at the end
        notes[key] = "<br>".join(paragraph.strip() for paragraph in paragraphs)
    placed: set[str] = set()

    def replace(match: re.Match) -> str:
        key, number = match.group(1), match.group(2)
        if key in notes and key not in placed:
            placed.add(key)
            return f'<span class="footnote">{notes[key]}</span>'
        # A note called a second time: the same number again, pointing at the first.
        return f'<sup class="footnote-again">{number}</sup>'

    body = FOOTNOTE_REF.sub(replace, body_html[: block.start()])
    if placed != set(notes):
        return body_html
    return body + body_html[block.end() :]


# --- Cite as and licence -------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def cite_as(publication: Publication) -> str:
    """The publication's own "cite as" line, or one written for it:
    "Authors (Year). Title. LeadIT Secretariat. https://…/publications/slug/"."""
    if publication.cite_as.strip():
        return publication.cite_as.strip()
    publication = _specific(publication)
    year = publication.published_on.year if publication.published_on else "n.d."
    url = absolute_url(publication.get_absolute_url())
    if isinstance(publication, NewsletterIssue):
        return (
            f"{ORGANISATION} ({year}). {publication.title}. LeadIT newsletter "
            f"No. {publication.number}, {publication.quarter_label}. {url}"
        )
    authors = (getattr(publication, "authors", "") or "").strip().rstrip(".")
    title = publication.title.strip().rstrip(".")
    if not authors:
        return f"{ORGANISATION} ({year}). {title}. {url}"
    return f"{authors} ({year}). {title}. {ORGANISATION}. {url}"


# Licences the portal knows by name: their full title and the deed to link to.
LICENCES = {
    "cc by 4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
        "You may copy, redistribute and adapt it for any purpose, provided you credit the "
        "source as shown under “Cite as” and indicate any changes.",
    ),
    "cc by-sa 4.0": (
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "You may copy, redistribute and adapt it, provided you credit the source and share "
        "adaptations under the same licence.",
    ),
    "cc by-nc 4.0": (
        "Creative Commons Attribution-NonCommercial 4.0 International",
        "https://creativecommons.org/licenses/by-nc/4.0/",
        "You may copy, redistribute and adapt it for non-commercial purposes, provided you "
        "credit the source.",
    ),
    "cc by-nd 4.0": (
        "Creative Commons Attribution-NoDerivatives 4.0 International",
        "https://creativecommons.org/licenses/by-nd/4.0/",
        "You may copy and redistribute it unchanged, provided you credit the source.",
    ),
    "cc0": (
        "Creative Commons CC0 1.0 Universal (public domain dedication)",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "You may use it for any purpose without asking permission.",
    ),
}


@dataclass(frozen=True)
class Licence:
    short: str
    title: str
    url: str
    terms: str


def licence(publication: Publication) -> Licence:
    short = (publication.licence or "").strip() or "All rights reserved"
    known = LICENCES.get(short.lower())
    if known:
        return Licence(short, *known)
    return Licence(short, short, "", "")


# --- The print document ----------------------------------------------------------------------


def _specific(publication: Publication) -> Brief | NewsletterIssue:
    if isinstance(publication, Brief | NewsletterIssue):
        return publication
    return publication.specific


def _stylesheet_href() -> str:
    # A path on the document's own origin, which the restricted fetcher maps to the file,
    # even when STATIC_URL points at another host (a CDN the renderer never reaches).
    prefix = urlsplit(settings.STATIC_URL or "/static/").path or "/"
    return (prefix if prefix.endswith("/") else prefix + "/") + PRINT_STYLESHEET


def _safe_link(url: str) -> str:
    """An item's link as an absolute http(s) URL, or "" (anything else is not linked)."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//"):
        return absolute_url(url)
    if urlsplit(url).scheme.lower() in ("http", "https") and urlsplit(url).netloc:
        return url
    return ""


@dataclass
class PrintItem:
    title: str
    text: SafeString
    url: str
    date: object


@dataclass
class PrintSection:
    title: str
    anchor: str
    note: SafeString
    items: list[PrintItem]


def publication_print_html(publication: Publication, *, base_url: str | None = None) -> str:
    """The full HTML document a PDF of ``publication`` is rendered from. ``base_url`` is
    where relative links (the stylesheet, the cover image) resolve; the renderer is given
    the same one. Same publication, same data → same string."""
    publication = _specific(publication)
    context = {
        "publication": publication,
        "base_url": base_url or settings.SITE_URL.rstrip("/") + "/",
        "stylesheet": _stylesheet_href(),
        "organisation": ORGANISATION,
        "organisation_long": ORGANISATION_LONG,
        "cite_as": cite_as(publication),
        "licence": licence(publication),
        "url": absolute_url(publication.get_absolute_url()),
        "year": publication.published_on.year if publication.published_on else None,
    }
    if isinstance(publication, NewsletterIssue):
        introduction = str(markdown_html(publication.introduction))
        sections = []
        for number, section in enumerate(issue_sections(publication), start=1):
            items = [
                PrintItem(item.title, render_markdown(item.text), _safe_link(item.url), item.date)
                for item in section.kept_items
            ]
            # Headings inside a note get anchors of their own section's.
            note = re.sub(
                r'id="section-(\d+)"', rf'id="part-{number}-\1"', str(markdown_html(section.note))
            )
            sections.append(
                PrintSection(section.title, f"part-{number}", mark_safe(note), items)  # noqa: S308
            )
        context |= {
            "kind_label": f"Newsletter No. {publication.number} · {publication.quarter_label}",
            "introduction": mark_safe(introduction),  # noqa: S308 - cleaned by nh3
            "sections": sections,
            "contents": [Heading(2, s.anchor, s.title) for s in sections],
        }
        template = "publications/print/newsletter.html"
    else:
        body = print_footnotes(str(brief_body_html(publication)))
        context |= {
            "kind_label": "Policy brief",
            "body": mark_safe(body),  # noqa: S308 - built from cleaned HTML above
            "contents": outline(body),
            "sectors": list(publication.sectors.order_by("name").values_list("name", flat=True)),
            "countries": [country.name for country in publication.countries],
            "keywords": ["LeadIT", "industry transition"],
        }
        template = "publications/print/brief.html"
    return render_to_string(template, context)


__all__ = [
    "CHARTS",
    "brief_body_html",
    "cite_as",
    "licence",
    "markdown_html",
    "outline",
    "publication_print_html",
]
