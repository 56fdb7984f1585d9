"""A funnel: how many items reached each step of a sequence (a stage gate, an application
process), with an amount per step, and the steps outside the sequence (on hold, dropped)
drawn apart below it. Kept beside ``leadit.charts`` (which is near its size limit) with the
same habits: a pure function returning an ``<svg>``, accessible (title, description,
printed values, a companion table), never colour alone (the steps apart are hatched and
under their own heading), no ``style=``, escaped labels, deterministic.

``amount=None`` on a step means the amount is not recorded: the chart and its table say
"not recorded", never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString

from .chart_parts import (
    INK_SOFT,
    PAD,
    PALETTE,
    WIDTH,
    Number,
    _chart_id,
    _empty,
    _fill,
    _line,
    _n,
    _pattern,
    _plural,
    _svg,
    _text,
    _titled_text,
    _with_unit,
)
from .charts import ChartTable

NOT_RECORDED = "not recorded"
LABEL_ROOM = 16  # the step's label line above its bar
BAR = 18
ROW = LABEL_ROOM + BAR + 10
MIN_BAR = 2.0  # a step with any item stays visible
APART_STYLE = 1  # palette and pattern of the steps apart: orange, hatched


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int
    amount: Number | None = None  # None: not recorded


def _amount_text(amount: Number | None, unit: str) -> str:
    return NOT_RECORDED if amount is None else _with_unit(amount, unit)


def _step_text(step: FunnelStep, noun: str, unit: str, with_amount: bool) -> str:
    text = f"{step.count:,} {_plural(step.count, noun)}"
    return f"{text} · {_amount_text(step.amount, unit)}" if with_amount else text


def funnel_chart_table(
    steps: Sequence[FunnelStep],
    *,
    title: str,
    aside: Sequence[FunnelStep] = (),
    label: str = "Stage",
    count_label: str = "Count",
    amount_label: str = "",
    amount_unit: str = "",
) -> ChartTable:
    """The funnel's data: one row per step, then the steps apart ("(apart)" after them)."""
    columns = [label, count_label]
    if amount_label:
        columns.append(f"{amount_label} ({amount_unit})" if amount_unit else amount_label)
    rows = []
    for step, apart in [*((s, False) for s in steps), *((s, True) for s in aside)]:
        row = [f"{step.label} (apart)" if apart else step.label, f"{step.count:,}"]
        if amount_label:
            row.append(_amount_text(step.amount, ""))
        rows.append(row)
    return ChartTable(title, columns, rows)


def _rows(
    cid: str,
    steps: Sequence[FunnelStep],
    *,
    top: float,
    widest: int,
    style: int,
    texts: Sequence[str],
) -> str:
    plot = WIDTH - 2 * PAD
    parts = []
    for index, (step, text) in enumerate(zip(steps, texts, strict=True)):
        y = top + index * ROW
        width = plot * step.count / widest if widest else 0.0
        width = max(width, MIN_BAR) if step.count else 0.0
        fill = _fill(cid, style) if style else PALETTE[0]
        parts.append(
            f'<g class="chart__row"><title>{escape(step.label)}: {escape(text)}</title>'
            + _titled_text(PAD, y + 12, step.label)
            + _text(WIDTH - PAD, y + 12, text, anchor="end", klass="chart__value")
            + f'<rect class="chart__bar" x="{_n((WIDTH - width) / 2)}" y="{_n(y + LABEL_ROOM)}" '
            f'width="{_n(width)}" height="{BAR}" fill="{fill}"/></g>'
        )
    return "".join(parts)


def _describe(steps, aside, noun: str, unit: str, with_amount: bool) -> str:
    shown = "; ".join(f"{s.label}: {_step_text(s, noun, unit, with_amount)}" for s in steps)
    text = f"Funnel of {len(steps)} {_plural(len(steps), 'step')}. {shown}."
    if aside:
        apart = "; ".join(f"{s.label}: {_step_text(s, noun, unit, with_amount)}" for s in aside)
        text += f" Apart: {apart}."
    return text


def funnel_chart(
    steps: Sequence[FunnelStep],
    *,
    title: str,
    description: str = "",
    aside: Sequence[FunnelStep] = (),
    aside_title: str = "Outside the sequence",
    noun: str = "item",
    amount_unit: str = "",
    with_amount: bool = True,
    chart_id: str | None = None,
) -> SafeString:
    """One centred bar per step, in the given order, its width proportional to the step's
    count (all bars, the steps apart too, on one scale), the count and amount printed
    above it; ``aside`` steps below a rule under ``aside_title``, hatched."""
    steps, aside = list(steps), list(aside)
    cid = chart_id or _chart_id("funnel", title, steps, aside, noun, amount_unit, with_amount)
    if not any(step.count for step in [*steps, *aside]):
        return _empty(cid, title, description)
    description = description or _describe(steps, aside, noun, amount_unit, with_amount)
    widest = max(step.count for step in [*steps, *aside])
    texts = [_step_text(s, noun, amount_unit, with_amount) for s in [*steps, *aside]]
    body = _rows(cid, steps, top=PAD, widest=widest, style=0, texts=texts[: len(steps)])
    height = PAD + ROW * len(steps)
    defs = ""
    if aside:
        rule = height + 4
        body += (
            _line(PAD, rule, WIDTH - PAD, rule, INK_SOFT, "chart__axis")
            + _text(PAD, rule + 16, aside_title, klass="chart__unit")
            + _rows(
                cid,
                aside,
                top=rule + 22,
                widest=widest,
                style=APART_STYLE,
                texts=texts[len(steps) :],
            )
        )
        height = rule + 22 + ROW * len(aside)
        defs = _pattern(cid, APART_STYLE, PALETTE[APART_STYLE], "diagonal")
    return _svg(cid, "funnel", title, description, WIDTH, height + PAD, body, defs)
