"""leadit/charts_funnel.py: the funnel of a sequence of steps, the steps apart below it."""

import xml.etree.ElementTree as ET

from leadit.charts import data_table
from leadit.charts_funnel import FunnelStep, funnel_chart, funnel_chart_table

SVG = "{http://www.w3.org/2000/svg}"
STEPS = [
    FunnelStep("Concept", 8, 400),
    FunnelStep("Feasibility", 4, None),
    FunnelStep("FID", 2, 50),
]
APART = [FunnelStep("On hold", 1, 10), FunnelStep("Dropped", 0, None)]


def _root(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output


def _bars(root) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart__bar"]


def _texts(root) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _chart(**kwargs):
    return funnel_chart(
        STEPS, title="Pipeline", aside=APART, noun="project", amount_unit="USD m", **kwargs
    )


def test_funnel_bars_are_centred_and_as_wide_as_their_counts():
    bars = _bars(_root(_chart()))

    widths = [float(bar.get("width")) for bar in bars]
    assert widths[0] == 2 * widths[1] == 4 * widths[2] == 8 * widths[3]
    centres = {round(float(bar.get("x")) + float(bar.get("width")) / 2, 1) for bar in bars}
    assert centres == {200.0}
    assert float(bars[-1].get("width")) == 0  # dropped: none


def test_funnel_prints_each_count_and_amount_and_says_not_recorded():
    texts = _texts(_root(_chart()))

    assert "8 projects · 400 USD m" in texts
    assert "4 projects · not recorded" in texts
    assert "1 project · 10 USD m" in texts
    assert "0 projects · not recorded" in texts


def test_steps_apart_are_under_their_heading_hatched_not_only_coloured():
    root = _root(_chart(chart_id="f"))

    texts = _texts(root)
    assert texts.index("Outside the sequence") < texts.index("On hold")
    bars = _bars(root)
    assert bars[0].get("fill").startswith("#")
    assert bars[3].get("fill") == "url(#f-p1)"
    assert [p.get("id") for p in root.iter(f"{SVG}pattern")] == ["f-p1"]
    assert float(bars[3].get("y")) > float(bars[2].get("y"))


def test_funnel_is_accessible_deterministic_escaped_and_style_free():
    nasty = [FunnelStep("<script>x</script>", 3, 1)]
    svg = funnel_chart(nasty, title="A & B")
    root = _root(svg)

    assert root.get("role") == "img"
    assert "<script>" not in str(svg) and "style=" not in str(svg)
    assert str(svg) == str(funnel_chart(nasty, title="A & B"))
    desc = next(root.iter(f"{SVG}desc")).text
    assert desc == "Funnel of 1 step. <script>x</script>: 3 items · 1."


def test_funnel_of_nothing_says_so():
    root = _root(funnel_chart([FunnelStep("Concept", 0)], title="Empty"))

    assert root.get("class") == "chart chart--empty"
    assert "No data to show yet." in _texts(root)


def test_funnel_table_lists_steps_then_the_ones_apart_with_not_recorded():
    table = funnel_chart_table(
        STEPS, title="Pipeline", aside=APART, count_label="Projects", amount_label="Capex"
    )

    assert table.columns == ["Stage", "Projects", "Capex"]
    assert table.rows[1] == ["Feasibility", "4", "not recorded"]
    assert table.rows[3] == ["On hold (apart)", "1", "10"]
    assert '<th scope="row">Dropped (apart)</th>' in data_table(table)
