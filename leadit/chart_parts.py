"""The pieces every chart of ``leadit.charts`` and the world map of ``leadit.maps`` are
drawn with: the palette and patterns (never colour alone), the type, numbers as the portal
prints them, and the SVG building blocks (text that is always escaped, lines, grids,
legends, the ``<svg>`` with its title and description)."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common kind of
# colour-vision deficiency. Black comes last; the first is the default single-series colour.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
# Text (and pattern lines) that contrast with each palette colour.
_INK_ON = {
    "#0072B2": "#ffffff",
    "#E69F00": "#000000",
    "#009E73": "#000000",
    "#CC79A7": "#000000",
    "#56B4E9": "#000000",
    "#D55E00": "#000000",
    "#F0E442": "#000000",
    "#000000": "#ffffff",
}
# One pattern per series, so that series differ by more than colour. "" is a plain fill.
PATTERNS = ("", "diagonal", "dots", "horizontal", "cross", "vertical", "antidiagonal", "grid")

INK = "#1d2630"
INK_SOFT = "#4a5663"
GRID = "#d5dbe1"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"
FONT_SIZE = 12
CHAR_WIDTH = 6.8  # an estimate of the average glyph width at FONT_SIZE, for layout
# Narrow enough that a phone (a column of about 360 px) shows the text at ~0.9 of its size;
# wide screens cap the chart's width in the stylesheet (``.chart { max-width }``).
WIDTH = 400
PAD = 8
MAX_LABEL_CHARS = 30
# Labels wider than this share of the width go above their bars instead of beside them.
LABELS_ABOVE_SHARE = 0.34
NO_DATA = "No data to show yet."

Number = int | float | Decimal


# --- Numbers ---------------------------------------------------------------------------


def format_number(value: Number) -> str:
    """12,345 · 234.5 · 2.25: thousands separated; whole numbers from 1,000 up, else one
    decimal from 10 up and two below, rounded half up, without trailing zeros."""
    number = Decimal(str(value or 0))
    places = Decimal(1) if abs(number) >= 1000 else Decimal("0.1" if abs(number) >= 10 else "0.01")
    number = number.quantize(places, rounding=ROUND_HALF_UP)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,f}".rstrip("0").rstrip(".")


def _with_unit(value: Number, unit: str) -> str:
    if not unit:
        return format_number(value)
    if unit in ("%", "‰"):
        return f"{format_number(value)}{unit}"
    return f"{format_number(value)} {unit}"


def _float(value) -> float:
    return float(value or 0)


def _value(values: Sequence[Number], index: int) -> float:
    return _float(values[index]) if index < len(values) else 0.0


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return noun
    if noun.endswith("y") and not noun.endswith(("ay", "ey", "oy")):
        return noun[:-1] + "ies"
    return noun + "s"


def _nice_ticks(maximum: float, *, count: int = 4, integer: bool = False) -> list[float]:
    """0 and a few round steps up to at least ``maximum``."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1, math.ceil(step))
    ticks = [0.0]
    while ticks[-1] < maximum:
        ticks.append(ticks[-1] + step)
    return ticks


def _year_counts(years, start, end) -> tuple[dict[int, int], int, int, int]:
    if isinstance(years, Mapping):
        counts = {int(year): int(n) for year, n in years.items() if n}
    else:
        counts = dict(Counter(int(year) for year in years))
    if not counts:
        return {}, start or 0, end or 0, 0
    start = min(counts) if start is None else start
    end = max(counts) if end is None else end
    if start > end:
        start, end = end, start
    outside = sum(n for year, n in counts.items() if not start <= year <= end)
    return counts, start, end, outside


def _year_label_step(slot: float) -> int:
    """Label every n-th year so that year labels (about 36 px wide) never overlap."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if slot * step >= 36:
            return step
    return 100


def _x_value(x: date | int) -> float:
    if isinstance(x, date):
        days = 366 if _leap(x.year) else 365
        return x.year + (x.timetuple().tm_yday - 1) / days
    return float(x)


def _x_label(x: date | int) -> str:
    return x.isoformat() if isinstance(x, date) else str(x)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


# --- SVG building blocks ----------------------------------------------------------------


def _n(number: float) -> str:
    """A coordinate with at most one decimal and no trailing zero: compact and stable."""
    text = f"{number:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _chart_id(kind: str, *data) -> str:
    """An id derived from the chart's content: stable across renders, and different for
    different charts on one page (their ``<title>``/pattern ids must not collide)."""
    digest = hashlib.sha1(repr((kind, *data)).encode(), usedforsecurity=False).hexdigest()
    return f"chart-{digest[:10]}"


def _svg(
    cid: str,
    kind: str,
    title: str,
    description: str,
    width: float,
    height: float,
    body: str,
    defs: str = "",
) -> SafeString:
    return mark_safe(  # noqa: S308 - text is escaped by every building block
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--{kind}" id="{cid}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" preserveAspectRatio="xMinYMin meet" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" font-family="{FONT}" '
        f'font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(description)}</desc>'
        + (f"<defs>{defs}</defs>" if defs else "")
        + body
        + "</svg>"
    )


def _empty(cid: str, title: str, description: str, message: str = NO_DATA) -> SafeString:
    height = 64
    body = (
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{height - 1}" fill="#f4f6f8" '
        f'stroke="{GRID}"/>'
        + _text(WIDTH / 2, height / 2 + 5, message, anchor="middle", klass="chart__empty", size=14)
    )
    description = f"{description} {message}".strip()
    return _svg(cid, "empty", title, description, WIDTH, height, body)


def empty_chart(*, title: str, message: str = NO_DATA, description: str = "") -> SafeString:
    """A chart-sized message, for a figure that cannot be drawn (no data, no geometry)."""
    return _empty(_chart_id("empty", title, message), title, description, message)


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    klass: str = "chart__label",
    size: int | None = None,
    fill: str | None = None,
    halo: str | None = None,
) -> str:
    attributes = f'x="{_n(x)}" y="{_n(y)}"'
    if anchor != "start":
        attributes += f' text-anchor="{anchor}"'
    if size:
        attributes += f' font-size="{size}"'
    if fill:
        attributes += f' fill="{fill}"'
    if halo:
        attributes += f' stroke="{halo}" stroke-width="3" paint-order="stroke"'
    return f'<text class="{klass}" {attributes}>{escape(text)}</text>'


def _titled_text(x: float, y: float, text: str, *, anchor: str = "start") -> str:
    """A label shortened to fit, with the whole text as its tooltip when shortened."""
    short = _shorten(text)
    if short == text:
        return _text(x, y, text, anchor=anchor)
    return f"<g><title>{escape(text)}</title>{_text(x, y, short, anchor=anchor)}</g>"


def _shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text_width(text: str, size: int = FONT_SIZE) -> float:
    return len(text) * CHAR_WIDTH * size / FONT_SIZE


def _labels_above(label_width: float) -> bool:
    """Whether bar labels go above their bars: when beside them they would leave the bars
    too little of the width."""
    return label_width > WIDTH * LABELS_ABOVE_SHARE


def _label_width(labels: Sequence[str]) -> float:
    return max(_text_width(_shorten(label)) for label in labels)


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, klass: str = "") -> str:
    klass = f' class="{klass}"' if klass else ""
    return (
        f'<line{klass} x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{stroke}" stroke-width="1"/>'
    )


def _y_grid(
    ticks: list[float], left: float, right: float, top: float, height: float, unit: str = ""
) -> str:
    parts = ['<g class="chart__grid">']
    for tick in ticks:
        y = top + height - height * tick / ticks[-1]
        parts.append(_line(left, y, right, y, GRID))
        parts.append(
            _text(left - 6, y + 4, format_number(tick), anchor="end", klass="chart__tick", size=11)
        )
    parts.append("</g>")
    if unit:
        parts.append(_text(left - 6, top - 8, unit, anchor="end", klass="chart__unit", size=11))
    return "".join(parts)


def _fill(cid: str, index: int) -> str:
    if PATTERNS[index % len(PATTERNS)]:
        return f"url(#{cid}-p{index})"
    return PALETTE[index % len(PALETTE)]


def _pattern(cid: str, index: int, colour: str, kind: str) -> str:
    if not kind:
        return ""
    ink = _INK_ON[colour]
    marks = {
        "diagonal": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4"/>',
        "antidiagonal": '<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4"/>',
        "horizontal": '<path d="M0,4 h8"/>',
        "vertical": '<path d="M4,0 v8"/>',
        "cross": '<path d="M0,0 l8,8 M8,0 l-8,8"/>',
        "grid": '<path d="M0,4 h8 M4,0 v8"/>',
        "dots": f'<circle cx="4" cy="4" r="1.6" fill="{ink}" stroke="none"/>',
    }[kind]
    return (
        f'<pattern id="{cid}-p{index}" patternUnits="userSpaceOnUse" width="8" height="8">'
        f'<rect width="8" height="8" fill="{colour}"/>'
        f'<g stroke="{ink}" stroke-width="1.2" stroke-opacity="0.55" fill-opacity="0.55">'
        f"{marks}</g></pattern>"
    )


def _legend(
    cid: str, names: Sequence[str], styles: Sequence[int], *, y: float, width: float
) -> tuple[str, float]:
    """Swatches (colour and pattern) with their names, wrapped into rows."""
    parts = ['<g class="chart__legend">']
    x, row, line_height = PAD, 0, 20
    for index, name in zip(styles, names, strict=False):
        short = _shorten(name, 40)
        item_width = 14 + 6 + _text_width(short) + 18
        if x > PAD and x + item_width > PAD + width:
            x, row = PAD, row + 1
        top = y + row * line_height
        parts.append(
            f'<g class="chart__legend-item"><title>{escape(name)}</title>'
            f'<rect x="{_n(x)}" y="{_n(top)}" width="14" height="14" fill="{_fill(cid, index)}" '
            f'stroke="{INK_SOFT}" stroke-width="0.5"/>' + _text(x + 20, top + 11.5, short) + "</g>"
        )
        x += item_width
    parts.append("</g>")
    return "".join(parts), (row + 1) * line_height


def chart_palette(index: int) -> str:
    """The palette colour of series ``index``, for keys drawn outside a chart."""
    return PALETTE[index % len(PALETTE)]
