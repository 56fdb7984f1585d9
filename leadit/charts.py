"""Small server-side SVG charts, the one chart module the whole portal uses (the Tracker,
briefs, the workplan).

Every chart is a pure function of its data that returns an ``<svg>`` as a ``SafeString``:

* accessible: ``role="img"`` with ``aria-labelledby`` pointing at its ``<title>`` and
  ``<desc>`` (a generated summary unless one is given), values printed beside the marks, and
  for every chart a companion ``*_table()`` whose result :func:`data_table` renders as a
  ``<details>`` table — the text alternative to put under the figure;
* never colour alone: Okabe–Ito colours (safe for colour-blind readers) plus a pattern per
  series, direct value labels and a legend;
* Content-Security-Policy safe: presentation attributes and classes only, never ``style=``;
* safe with user data: every label is escaped; long labels are shortened on screen with the
  full text in a ``<title>`` tooltip;
* deterministic (same data, same bytes: cacheable and testable) and responsive: a
  ``viewBox`` and no ``width``/``height`` attributes (the stylesheet sets ``width: 100%;
  height: auto``), drawn ``WIDTH`` units wide so that at a phone's width (about 360 px)
  the text is still about 11 px tall; a bar chart whose labels would squeeze the bars puts
  each label above its bar.

Empty data gives a small "No data" chart rather than an error.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


# --- Text alternatives ----------------------------------------------------------------


@dataclass(frozen=True)
class ChartTable:
    """The data behind a chart as a table: ``rows`` start with their row header."""

    caption: str
    columns: list[str]
    rows: list[list[str]]


def data_table(table: ChartTable, *, summary: str = "Show the data as a table") -> SafeString:
    """A chart's text alternative: a ``<details>`` holding the data as a real table."""
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in table.columns)
    body = []
    for row in table.rows:
        header, *cells = row
        body.append(
            f'<tr><th scope="row">{escape(header)}</th>'
            + "".join(f"<td>{escape(cell)}</td>" for cell in cells)
            + "</tr>"
        )
    if not table.rows:
        body.append(f'<tr><td colspan="{len(table.columns)}">{escape(NO_DATA)}</td></tr>')
    return mark_safe(  # noqa: S308 - every piece of text is escaped above
        f'<details class="chart-data"><summary>{escape(summary)}</summary>'
        f'<div class="table-scroll"><table class="chart-data__table">'
        f"<caption>{escape(table.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div></details>"
    )


def bar_chart_table(
    items: Sequence[tuple[str, Number]],
    *,
    title: str,
    unit: str = "",
    label: str = "Item",
    value_label: str = "Value",
) -> ChartTable:
    column = f"{value_label} ({unit})" if unit else value_label
    return ChartTable(
        title, [label, column], [[str(name), format_number(value)] for name, value in items]
    )


def stacked_bar_chart_table(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    title: str,
    unit: str = "",
    label: str = "Category",
) -> ChartTable:
    total = f"Total ({unit})" if unit else "Total"
    columns = [label, *(str(name) for name, _ in series), total]
    rows = []
    for index, category in enumerate(categories):
        values = [_value(values, index) for _, values in series]
        rows.append([str(category), *map(format_number, values), format_number(sum(values))])
    return ChartTable(title, columns, rows)


def histogram_table(
    years: Iterable[int] | Mapping[int, int],
    *,
    title: str,
    start: int | None = None,
    end: int | None = None,
    count_label: str = "Count",
) -> ChartTable:
    """The years that have at least one entry, with their counts, and a total."""
    counts, start, end, outside = _year_counts(years, start, end)
    rows = [[str(year), str(counts[year])] for year in range(start, end + 1) if counts.get(year)]
    if rows:
        rows.append(["Total", str(sum(counts.get(y, 0) for y in range(start, end + 1)))])
    if outside:
        rows.append([f"Outside {start}–{end} (not drawn)", str(outside)])
    return ChartTable(title, ["Year", count_label], rows)


def line_chart_table(
    points: Sequence[tuple[date | int, Number]],
    *,
    title: str,
    unit: str = "",
    label: str = "Year",
    value_label: str = "Value",
) -> ChartTable:
    column = f"{value_label} ({unit})" if unit else value_label
    ordered = sorted(points, key=lambda point: _x_value(point[0]))
    return ChartTable(title, [label, column], [[_x_label(x), format_number(y)] for x, y in ordered])


# --- Charts ----------------------------------------------------------------------------


def bar_chart(
    items: Sequence[tuple[str, Number]],
    *,
    title: str,
    description: str = "",
    unit: str = "",
    max_value: Number | None = None,
    chart_id: str | None = None,
) -> SafeString:
    """Horizontal bars, one per ``(label, value)``, in the given order, each with its value
    printed at its end. ``max_value`` fixes the scale (to compare several charts)."""
    items = [(str(label), _float(value)) for label, value in items]
    cid = chart_id or _chart_id("bar", title, items, unit, max_value)
    if not items:
        return _empty(cid, title, description)
    values = [value for _, value in items]
    top = max(_float(max_value) if max_value is not None else 0.0, *values)
    if not description:
        largest = max(items, key=lambda item: item[1])
        description = (
            f"Bar chart of {len(items)} {_plural(len(items), 'item')}. Largest: {largest[0]}, "
            f"{_with_unit(largest[1], unit)}. Total: {_with_unit(sum(values), unit)}."
        )

    label_width = _label_width([label for label, _ in items])
    value_width = max(_text_width(_with_unit(v, unit)) for v in values) + 10
    above = _labels_above(label_width)
    x0 = PAD if above else PAD + label_width + 8
    plot_width = WIDTH - x0 - value_width - PAD
    row, bar = (38, 16) if above else (26, 16)
    label_room = 16 if above else 0  # the label's line above the bar
    height = PAD * 2 + row * len(items)
    parts = [_line(x0, PAD, x0, height - PAD, INK_SOFT, klass="chart__axis")]
    for index, (label, value) in enumerate(items):
        y = PAD + index * row + label_room + (row - label_room - bar) / 2
        width = plot_width * value / top if top > 0 else 0.0
        text_y = y + bar / 2 + 4
        label_text = (
            _text(x0 + 2, y - 5, _shorten(label))
            if above
            else _text(x0 - 8, text_y, _shorten(label), anchor="end")
        )
        parts.append(
            f'<g class="chart__row"><title>{escape(label)}: {escape(_with_unit(value, unit))}'
            f"</title>"
            + label_text
            + f'<rect class="chart__bar" x="{_n(x0)}" y="{_n(y)}" width="{_n(width)}" '
            f'height="{bar}" fill="{PALETTE[0]}"/>'
            + _text(x0 + width + 5, text_y, _with_unit(value, unit), klass="chart__value")
            + "</g>"
        )
    return _svg(cid, "bar", title, description, WIDTH, height, "".join(parts))


def stacked_bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    title: str,
    description: str = "",
    unit: str = "",
    styles: Sequence[int] | None = None,
    chart_id: str | None = None,
) -> SafeString:
    """Horizontal stacked bars: one bar per category, one segment per series (colour *and*
    pattern, with a legend), the total printed at the end of each bar and a segment's value
    inside it where it fits.

    ``styles`` gives each series its palette-and-pattern index (by default its position), so
    that one series (say "Operating") looks the same in several charts."""
    categories = [str(category) for category in categories]
    series = [
        (str(name), [_value(values, i) for i in range(len(categories))]) for name, values in series
    ]
    styles = list(styles) if styles is not None else list(range(len(series)))
    styles += range(len(styles), len(series))
    cid = chart_id or _chart_id("stacked", title, categories, series, unit, styles)
    totals = [sum(values[i] for _, values in series) for i in range(len(categories))]
    if not categories or not series or not any(totals):
        return _empty(cid, title, description)
    if not description:
        largest = max(range(len(categories)), key=lambda i: totals[i])
        description = (
            f"Stacked bar chart of {len(categories)} {_plural(len(categories), 'category')}, "
            f"each split into {', '.join(name for name, _ in series)}. Largest: "
            f"{categories[largest]}, {_with_unit(totals[largest], unit)} in total."
        )

    defs = "".join(
        _pattern(cid, style, PALETTE[style % len(PALETTE)], PATTERNS[style % len(PATTERNS)])
        for style in sorted(set(styles))
    )
    legend, legend_height = _legend(
        cid, [name for name, _ in series], styles, y=PAD, width=WIDTH - 2 * PAD
    )
    label_width = _label_width(categories)
    value_width = max(_text_width(_with_unit(total, unit)) for total in totals) + 10
    above = _labels_above(label_width)
    x0 = PAD if above else PAD + label_width + 8
    plot_width = WIDTH - x0 - value_width - PAD
    top = max(totals)
    row, bar = (44, 20) if above else (30, 20)
    label_room = 16 if above else 0
    y_start = PAD + legend_height + 8
    height = y_start + row * len(categories) + PAD
    parts = [legend, _line(x0, y_start, x0, height - PAD, INK_SOFT, klass="chart__axis")]
    for index, category in enumerate(categories):
        y = y_start + index * row + label_room + (row - label_room - bar) / 2
        text_y = y + bar / 2 + 4
        label_text = (
            _titled_text(x0 + 2, y - 5, category)
            if above
            else _titled_text(x0 - 8, text_y, category, anchor="end")
        )
        parts.append('<g class="chart__row">' + label_text)
        x = x0
        for number, (name, values) in enumerate(series):
            value = values[index]
            if value <= 0:
                continue
            width = plot_width * value / top
            style = styles[number]
            colour = PALETTE[style % len(PALETTE)]
            parts.append(
                f'<g class="chart__segment chart__segment--{number}">'
                f"<title>{escape(category)}, {escape(name)}: {escape(_with_unit(value, unit))}"
                f'</title><rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{bar}" '
                f'fill="{_fill(cid, style)}" stroke="#ffffff" stroke-width="1"/>'
            )
            label = format_number(value)
            if width >= _text_width(label) + 8:
                parts.append(
                    _text(
                        x + width / 2,
                        text_y,
                        label,
                        anchor="middle",
                        klass="chart__segment-value",
                        fill=_INK_ON[colour],
                        halo=colour,
                    )
                )
            parts.append("</g>")
            x += width
        parts.append(
            _text(x + 5, text_y, _with_unit(totals[index], unit), klass="chart__value") + "</g>"
        )
    return _svg(cid, "stacked", title, description, WIDTH, height, "".join(parts), defs=defs)


def histogram_by_year(
    years: Iterable[int] | Mapping[int, int],
    *,
    title: str,
    description: str = "",
    start: int | None = None,
    end: int | None = None,
    noun: str = "entry",
    chart_id: str | None = None,
) -> SafeString:
    """Vertical bars counting entries per year, from ``start`` to ``end`` (the data's first
    and last years by default), every year drawn even when empty. ``years`` is a list of
    years (one per entry) or a ``{year: count}`` mapping. ``noun`` names what is counted
    ("target")."""
    counts, start, end, outside = _year_counts(years, start, end)
    cid = chart_id or _chart_id("histogram", title, sorted(counts.items()), start, end)
    shown = {year: counts.get(year, 0) for year in range(start, end + 1)} if counts else {}
    if not any(shown.values()):
        return _empty(cid, title, description)
    total = sum(shown.values())
    if not description:
        peak = max(shown, key=lambda year: (shown[year], -year))
        description = (
            f"Histogram of {total} {_plural(total, noun)} by year, {start} to {end}. "
            f"Most in {peak}: {shown[peak]}."
        )
        if outside:
            description += f" {outside} outside this range not drawn."

    ticks = _nice_ticks(max(shown.values()), integer=True)
    left, right, top_pad, bottom = 40, PAD + 4, 18, 30
    plot_height = 180
    height = top_pad + plot_height + bottom
    plot_width = WIDTH - left - right
    slot = plot_width / len(shown)
    bar = max(slot * 0.8, 1.0)
    parts = [_y_grid(ticks, left, WIDTH - right, top_pad, plot_height)]
    label_step = _year_label_step(slot)
    for index, (year, count) in enumerate(shown.items()):
        x = left + index * slot + (slot - bar) / 2
        bar_height = plot_height * count / ticks[-1]
        y = top_pad + plot_height - bar_height
        center = x + bar / 2
        parts.append(f'<g class="chart__year"><title>{year}: {count}</title>')
        if count:
            parts.append(
                f'<rect class="chart__bar" x="{_n(x)}" y="{_n(y)}" width="{_n(bar)}" '
                f'height="{_n(bar_height)}" fill="{PALETTE[0]}"/>'
            )
            if _text_width(str(count)) <= slot + 2:
                parts.append(
                    _text(center, y - 4, str(count), anchor="middle", klass="chart__value")
                )
        if year % label_step == 0 or len(shown) == 1:
            base = top_pad + plot_height
            parts.append(_line(center, base, center, base + 4, INK_SOFT))
            parts.append(_text(center, base + 17, str(year), anchor="middle", klass="chart__tick"))
        parts.append("</g>")
    parts.append(_line(left, top_pad + plot_height, WIDTH - right, top_pad + plot_height, INK_SOFT))
    return _svg(cid, "histogram", title, description, WIDTH, height, "".join(parts))


def line_chart(
    points: Sequence[tuple[date | int, Number]],
    *,
    title: str,
    description: str = "",
    unit: str = "",
    chart_id: str | None = None,
) -> SafeString:
    """A line through ``(x, y)`` points, x a year (int) or a date, in x order, with a marker
    and (up to 15 points, else the last only) the value printed at each point."""
    ordered = sorted(((x, _float(y)) for x, y in points), key=lambda point: _x_value(point[0]))
    cid = chart_id or _chart_id("line", title, [(_x_label(x), y) for x, y in ordered], unit)
    if not ordered:
        return _empty(cid, title, description)
    if not description:
        first, last = ordered[0], ordered[-1]
        description = (
            f"Line chart of {len(ordered)} {_plural(len(ordered), 'point')}, from "
            f"{_x_label(first[0])} ({_with_unit(first[1], unit)}) to {_x_label(last[0])} "
            f"({_with_unit(last[1], unit)}). Highest: "
            f"{_with_unit(max(y for _, y in ordered), unit)}."
        )

    xs = [_x_value(x) for x, _ in ordered]
    x_min, x_max = min(xs), max(xs)
    if x_max == x_min:
        x_min, x_max = x_min - 1, x_max + 1
    ticks = _nice_ticks(max(max(y for _, y in ordered), 0.0))
    left, right, top_pad, bottom = 48, 36, 22, 30
    plot_height = 180
    height = top_pad + plot_height + bottom
    plot_width = WIDTH - left - right

    def px(x: float) -> float:
        return left + plot_width * (x - x_min) / (x_max - x_min)

    def py(y: float) -> float:
        return top_pad + plot_height - plot_height * y / ticks[-1]

    parts = [_y_grid(ticks, left, WIDTH - right, top_pad, plot_height, unit)]
    base = top_pad + plot_height
    step = _year_label_step(plot_width / max(x_max - x_min, 1) * 1.0)
    first_year, last_year = math.ceil(x_min), math.floor(x_max)
    for year in range(first_year, last_year + 1):
        if year % step == 0 or first_year == last_year:
            x = px(year)
            parts.append(_line(x, base, x, base + 4, INK_SOFT))
            parts.append(_text(x, base + 17, str(year), anchor="middle", klass="chart__tick"))
    parts.append(_line(left, base, WIDTH - right, base, INK_SOFT))
    coordinates = " ".join(
        f"{_n(px(x))},{_n(py(y))}" for x, (_, y) in zip(xs, ordered, strict=True)
    )
    parts.append(
        f'<polyline class="chart__line" points="{coordinates}" fill="none" '
        f'stroke="{PALETTE[0]}" stroke-width="2.5" stroke-linejoin="round"/>'
    )
    label_all = len(ordered) <= 15
    for index, ((x_raw, y), x) in enumerate(zip(ordered, xs, strict=True)):
        cx, cy = px(x), py(y)
        parts.append(
            f'<g class="chart__point"><title>{escape(_x_label(x_raw))}: '
            f"{escape(_with_unit(y, unit))}</title>"
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="4" fill="#ffffff" stroke="{PALETTE[0]}" '
            'stroke-width="2"/>'
        )
        if label_all or index == len(ordered) - 1:
            parts.append(_text(cx, cy - 9, format_number(y), anchor="middle", klass="chart__value"))
        parts.append("</g>")
    return _svg(cid, "line", title, description, WIDTH, height, "".join(parts))


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
