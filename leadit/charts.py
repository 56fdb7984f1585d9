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

Empty data gives a small "No data" chart rather than an error. The palette, numbers and SVG
building blocks are in ``leadit.chart_parts``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .chart_parts import (
    _INK_ON,
    INK_SOFT,
    NO_DATA,
    PAD,
    PALETTE,
    PATTERNS,
    WIDTH,
    Number,
    _chart_id,
    _empty,
    _fill,
    _float,
    _label_width,
    _labels_above,
    _legend,
    _line,
    _n,
    _nice_ticks,
    _pattern,
    _plural,
    _shorten,
    _svg,
    _text,
    _text_width,
    _titled_text,
    _value,
    _with_unit,
    _x_label,
    _x_value,
    _y_grid,
    _year_counts,
    _year_label_step,
    format_number,
)

# Part of this module's interface too: the palette for keys drawn outside a chart, the
# chart-sized message.
from .chart_parts import chart_palette as chart_palette
from .chart_parts import empty_chart as empty_chart

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


@dataclass(frozen=True)
class _BarRows:
    """Where horizontal bars go: one row per bar, its label beside it or — when long labels
    would squeeze the bars — above it, and room for the printed value at its end."""

    x0: float  # where the bars start
    plot_width: float
    above: bool
    row: float
    bar: float
    top: float  # where the first row starts

    @classmethod
    def fit(
        cls, labels: Sequence[str], value_texts: Sequence[str], *, rows: tuple, bar: float, top
    ):
        """``rows``: a row's height with the label beside, and above, its bar."""
        above = _labels_above(_label_width(labels))
        x0 = PAD if above else PAD + _label_width(labels) + 8
        value_width = max(_text_width(text) for text in value_texts) + 10
        row = rows[1] if above else rows[0]
        return cls(x0, WIDTH - x0 - value_width - PAD, above, row, bar, top)

    def height(self, count: int) -> float:
        return self.top + self.row * count + PAD

    def bar_y(self, index: int) -> float:
        label_room = 16 if self.above else 0  # the label's line above the bar
        return self.top + index * self.row + label_room + (self.row - label_room - self.bar) / 2

    def text_y(self, index: int) -> float:
        return self.bar_y(index) + self.bar / 2 + 4

    def label_at(self, index: int) -> tuple[float, float, str]:
        """Where a bar's label goes: x, y and its text anchor."""
        if self.above:
            return self.x0 + 2, self.bar_y(index) - 5, "start"
        return self.x0 - 8, self.text_y(index), "end"

    def axis(self, count: int) -> str:
        return _line(self.x0, self.top, self.x0, self.height(count) - PAD, INK_SOFT, "chart__axis")


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
    layout = _BarRows.fit(
        [label for label, _ in items],
        [_with_unit(v, unit) for v in values],
        rows=(26, 38),
        bar=16,
        top=PAD,
    )
    parts = [layout.axis(len(items))]
    for index, (label, value) in enumerate(items):
        x, y, anchor = layout.label_at(index)
        width = layout.plot_width * value / top if top > 0 else 0.0
        parts.append(
            f'<g class="chart__row"><title>{escape(label)}: {escape(_with_unit(value, unit))}'
            f"</title>"
            + _text(x, y, _shorten(label), anchor=anchor)
            + f'<rect class="chart__bar" x="{_n(layout.x0)}" y="{_n(layout.bar_y(index))}" '
            f'width="{_n(width)}" height="{layout.bar}" fill="{PALETTE[0]}"/>'
            + _text(
                layout.x0 + width + 5,
                layout.text_y(index),
                _with_unit(value, unit),
                klass="chart__value",
            )
            + "</g>"
        )
    height = layout.height(len(items))
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
    description = description or _stacked_description(categories, series, totals, unit)
    defs = "".join(
        _pattern(cid, style, PALETTE[style % len(PALETTE)], PATTERNS[style % len(PATTERNS)])
        for style in sorted(set(styles))
    )
    legend, legend_height = _legend(
        cid, [name for name, _ in series], styles, y=PAD, width=WIDTH - 2 * PAD
    )
    layout = _BarRows.fit(
        categories,
        [_with_unit(total, unit) for total in totals],
        rows=(30, 44),
        bar=20,
        top=PAD + legend_height + 8,
    )
    parts, top = [legend, layout.axis(len(categories))], max(totals)
    for index, category in enumerate(categories):
        x, y, anchor = layout.label_at(index)
        parts.append('<g class="chart__row">' + _titled_text(x, y, category, anchor=anchor))
        end = _stacked_segments(
            parts,
            layout,
            index,
            category,
            series=series,
            styles=styles,
            cid=cid,
            top=top,
            unit=unit,
        )
        total = _with_unit(totals[index], unit)
        parts.append(_text(end + 5, layout.text_y(index), total, klass="chart__value") + "</g>")
    height = layout.height(len(categories))
    return _svg(cid, "stacked", title, description, WIDTH, height, "".join(parts), defs=defs)


def _stacked_description(categories, series, totals, unit: str) -> str:
    largest = max(range(len(categories)), key=lambda i: totals[i])
    return (
        f"Stacked bar chart of {len(categories)} {_plural(len(categories), 'category')}, "
        f"each split into {', '.join(name for name, _ in series)}. Largest: "
        f"{categories[largest]}, {_with_unit(totals[largest], unit)} in total."
    )


def _stacked_segments(
    parts: list[str],
    layout: _BarRows,
    index: int,
    category: str,
    *,
    series: list,
    styles: list[int],
    cid: str,
    top: float,
    unit: str,
) -> float:
    """Append the segments of bar ``index`` to ``parts``; return where the bar ends."""
    x, y, text_y = layout.x0, layout.bar_y(index), layout.text_y(index)
    for number, (name, values) in enumerate(series):
        value = values[index]
        if value <= 0:
            continue
        width = layout.plot_width * value / top
        style = styles[number]
        colour = PALETTE[style % len(PALETTE)]
        parts.append(
            f'<g class="chart__segment chart__segment--{number}">'
            f"<title>{escape(category)}, {escape(name)}: {escape(_with_unit(value, unit))}"
            f'</title><rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{layout.bar}" '
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
    return x


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
