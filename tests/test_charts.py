"""leadit/charts.py and leadit/maps.py: server-rendered SVG charts and the world map."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from leadit import charts, maps

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert(1)</script>"
QUOTES = "\"&'"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(str(svg))  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    return root


def _titles(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}title")]


def _texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def _bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "chart__bar"]


ALL_CHARTS = {
    "bar": lambda: charts.bar_chart([("Steel", 3), (NASTY, 1), (QUOTES, 2)], title="Bars"),
    "stacked": lambda: charts.stacked_bar_chart(
        ["H2-DRI", NASTY], [("Announced", [5, 1]), (QUOTES, [2, 0])], title="Stacked"
    ),
    "histogram": lambda: charts.histogram_by_year([2050, 2050, 2045], title="Years"),
    "line": lambda: charts.line_chart([(2020, 1), (2022, 4)], title="Line"),
    "empty": lambda: charts.bar_chart([], title="Nothing"),
}


# --- Every chart ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_CHARTS)
def test_chart_is_well_formed_svg_labelled_by_its_title_and_desc(kind):
    root = _parse(ALL_CHARTS[kind]())

    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert ids[title_id].tag == f"{SVG}title" and ids[title_id].text
    assert ids[desc_id].tag == f"{SVG}desc" and ids[desc_id].text
    assert root.get("viewBox").startswith("0 0 ")


@pytest.mark.parametrize("kind", ALL_CHARTS)
def test_chart_has_no_style_attribute(kind):
    assert "style=" not in ALL_CHARTS[kind]()
    assert "<style" not in ALL_CHARTS[kind]()


@pytest.mark.parametrize("kind", ALL_CHARTS)
def test_chart_output_is_deterministic(kind):
    assert ALL_CHARTS[kind]() == ALL_CHARTS[kind]()


def test_charts_with_different_data_get_different_ids():
    first = _parse(charts.bar_chart([("A", 1)], title="T"))
    second = _parse(charts.bar_chart([("A", 2)], title="T"))
    assert first.get("id") != second.get("id")


def test_chart_id_can_be_given():
    root = _parse(charts.bar_chart([("A", 1)], title="T", chart_id="sectors"))
    assert root.get("id") == "sectors"
    assert root.get("aria-labelledby") == "sectors-title sectors-desc"


@pytest.mark.parametrize(
    "svg",
    [
        charts.bar_chart([], title="Empty"),
        charts.stacked_bar_chart([], [], title="Empty"),
        charts.stacked_bar_chart(["A"], [("S", [0])], title="Empty"),
        charts.histogram_by_year([], title="Empty"),
        charts.line_chart([], title="Empty"),
    ],
)
def test_chart_of_no_data_says_so(svg):
    root = _parse(svg)
    assert _texts(root) == ["No data to show yet."]
    assert "No data to show yet." in root.find(f"{SVG}desc").text


def test_title_and_description_are_escaped():
    svg = charts.bar_chart([("A", 1)], title=NASTY, description=QUOTES)
    assert "<script>" not in svg
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == NASTY
    assert root.find(f"{SVG}desc").text == QUOTES


# --- Bar chart --------------------------------------------------------------------------


def test_bar_chart_escapes_labels():
    svg = charts.bar_chart([(NASTY, 1), (QUOTES, 2)], title="Sectors")

    assert "<script>" not in svg
    root = _parse(svg)
    assert NASTY in _texts(root)
    assert QUOTES in _texts(root)
    assert f"{NASTY}: 1" in _titles(root)


def test_bar_lengths_are_proportional_to_values():
    root = _parse(charts.bar_chart([("A", 10), ("B", 5), ("C", 2.5)], title="Bars"))

    widths = [float(bar.get("width")) for bar in _bars(root)]
    assert widths[0] > 0
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.1)
    assert widths[2] == pytest.approx(widths[0] / 4, abs=0.1)


def test_bar_chart_prints_each_value_with_its_unit():
    root = _parse(charts.bar_chart([("A", 234.5), ("B", 2)], title="Bars", unit="Mt"))
    assert "234.5 Mt" in _texts(root)
    assert "2 Mt" in _texts(root)


def test_bar_chart_zero_value_draws_no_bar_but_prints_zero():
    root = _parse(charts.bar_chart([("A", 4), ("B", 0)], title="Bars"))

    assert float(_bars(root)[1].get("width")) == 0
    assert "0" in _texts(root)


def test_bar_chart_all_zero_values_still_draws_the_labels():
    root = _parse(charts.bar_chart([("A", 0), ("B", 0)], title="Bars"))
    assert {"A", "B"} <= set(_texts(root))


def test_bar_chart_max_value_fixes_the_scale():
    half = _parse(charts.bar_chart([("A", 5)], title="Bars", max_value=10))
    full = _parse(charts.bar_chart([("A", 5)], title="Bars"))
    assert float(_bars(half)[0].get("width")) == pytest.approx(
        float(_bars(full)[0].get("width")) / 2, abs=0.1
    )


def test_bar_chart_shortens_a_long_label_and_keeps_it_whole_in_the_tooltip():
    label = "A very long sector name that goes on and on for much longer than fits"
    root = _parse(charts.bar_chart([(label, 1)], title="Bars"))

    shown = [text for text in _texts(root) if text.startswith("A very")]
    assert len(shown) == 1 and shown[0].endswith("…") and len(shown[0]) <= 30
    assert f"{label}: 1" in _titles(root)


def test_bar_chart_generated_description_names_the_largest():
    root = _parse(charts.bar_chart([("Steel", 3), ("Cement", 7)], title="Bars"))
    assert "Largest: Cement, 7" in root.find(f"{SVG}desc").text


# --- Stacked bar chart ------------------------------------------------------------------


def test_stacked_bar_chart_has_a_legend_with_every_series():
    svg = charts.stacked_bar_chart(
        ["H2-DRI", "CCUS"],
        [("Announced", [5, 1]), ("Operating", [2, 3])],
        title="Capacity",
        unit="ttpa",
    )
    root = _parse(svg)
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart__legend")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Announced", "Operating"]
    assert "7 ttpa" in _texts(root)  # H2-DRI's total
    assert "4 ttpa" in _texts(root)
    assert "H2-DRI, Announced: 5 ttpa" in _titles(root)


def test_stacked_bar_chart_series_differ_by_pattern_as_well_as_colour():
    svg = charts.stacked_bar_chart(["A"], [("One", [1]), ("Two", [1])], title="Capacity")
    root = _parse(svg)
    fills = {
        rect.get("fill")
        for g in root.iter(f"{SVG}g")
        if (g.get("class") or "").startswith("chart__segment ")
        for rect in g.iter(f"{SVG}rect")
    }
    assert len(fills) == 2
    assert any(fill.startswith("url(#") for fill in fills)
    assert root.find(f"{SVG}defs/{SVG}pattern") is not None


def test_stacked_bar_chart_styles_keep_a_series_look_across_charts():
    first = charts.stacked_bar_chart(
        ["A"], [("Announced", [1]), ("Operating", [1])], title="One", styles=[1, 2], chart_id="c"
    )
    second = charts.stacked_bar_chart(
        ["A"], [("Operating", [1])], title="Two", styles=[2], chart_id="c"
    )
    assert 'fill="url(#c-p2)"' in first
    assert 'fill="url(#c-p2)"' in second


def test_stacked_bar_chart_segment_widths_add_up_to_the_total():
    svg = charts.stacked_bar_chart(["A", "B"], [("X", [6, 1]), ("Y", [2, 1])], title="T")
    root = _parse(svg)
    segments = [
        float(rect.get("width"))
        for g in root.iter(f"{SVG}g")
        if (g.get("class") or "").startswith("chart__segment ")
        for rect in g.iter(f"{SVG}rect")
    ]
    a_x, a_y, b_x, b_y = segments
    assert a_y == pytest.approx(a_x / 3, abs=0.1)
    assert b_x + b_y == pytest.approx((a_x + a_y) / 4, abs=0.1)


# --- Histogram --------------------------------------------------------------------------


def _year_titles(root):
    return [title for title in _titles(root) if re.fullmatch(r"\d{4}: \d+", title)]


def test_histogram_counts_entries_per_year_and_draws_empty_years():
    root = _parse(
        charts.histogram_by_year([2050, 2050, 2045, 2060], title="Net zero", noun="target")
    )

    titles = _year_titles(root)
    assert len(titles) == 16  # 2045 … 2060
    assert "2050: 2" in titles and "2045: 1" in titles and "2051: 0" in titles
    assert len(_bars(root)) == 3
    heights = {float(bar.get("height")) for bar in _bars(root)}
    assert max(heights) == pytest.approx(2 * min(heights), abs=0.1)
    assert "4 targets" in root.find(f"{SVG}desc").text


def test_histogram_accepts_counts_and_a_range():
    root = _parse(
        charts.histogram_by_year({2050: 3, 2070: 1, 2030: 2}, title="T", start=2040, end=2060)
    )
    titles = _year_titles(root)
    assert titles[0] == "2040: 0" and titles[-1] == "2060: 0"
    assert "2050: 3" in titles
    assert "3 outside this range not drawn" in root.find(f"{SVG}desc").text


def test_histogram_table_lists_years_with_entries_and_a_total():
    table = charts.histogram_table([2050, 2050, 2045], title="Net zero")
    assert table.rows == [["2045", "1"], ["2050", "2"], ["Total", "3"]]


# --- Line chart -------------------------------------------------------------------------


def test_line_chart_draws_points_in_x_order_with_their_values():
    root = _parse(charts.line_chart([(2022, 5), (2020, 1), (2021, 3)], title="Over time"))

    assert [t for t in _titles(root) if ": " in t] == ["2020: 1", "2021: 3", "2022: 5"]
    points = root.find(f".//{SVG}polyline").get("points").split()
    xs = [float(point.split(",")[0]) for point in points]
    ys = [float(point.split(",")[1]) for point in points]
    assert xs == sorted(xs)
    assert ys == sorted(ys, reverse=True)  # higher values are higher up
    assert {"1", "3", "5"} <= set(_texts(root))


def test_line_chart_accepts_dates():
    root = _parse(charts.line_chart([(date(2021, 7, 1), 2), (date(2020, 1, 1), 1)], title="Dates"))
    assert [t for t in _titles(root) if ": " in t] == ["2020-01-01: 1", "2021-07-01: 2"]


def test_line_chart_of_one_point_is_drawn():
    root = _parse(charts.line_chart([(2020, 4)], title="One"))
    assert len(list(root.iter(f"{SVG}circle"))) == 1


# --- Text alternatives ------------------------------------------------------------------


def test_data_table_is_a_real_table_with_escaped_cells():
    table = charts.bar_chart_table([(NASTY, 1), (QUOTES, 2.5)], title="Sectors", label="Sector")
    html = charts.data_table(table)

    assert "<script>" not in html
    assert html.startswith('<details class="chart-data"><summary>')
    assert '<th scope="col">Sector</th>' in html
    assert '<th scope="row">&lt;script&gt;alert(1)&lt;/script&gt;</th><td>1</td>' in html
    assert "<td>2.5</td>" in html
    assert "<caption>Sectors</caption>" in html


def test_stacked_table_has_a_column_per_series_and_a_total():
    table = charts.stacked_bar_chart_table(
        ["A", "B"], [("X", [1, 2]), ("Y", [3])], title="T", unit="ttpa"
    )
    assert table.columns == ["Category", "X", "Y", "Total (ttpa)"]
    assert table.rows == [["A", "1", "3", "4"], ["B", "2", "0", "2"]]


def test_line_table_is_in_x_order():
    table = charts.line_chart_table([(2021, 3), (2020, 1)], title="T")
    assert table.rows == [["2020", "1"], ["2021", "3"]]


def test_empty_data_table_says_no_data():
    assert "No data to show yet." in charts.data_table(charts.bar_chart_table([], title="T"))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (12345, "12,345"),
        (2.5, "2.5"),
        (0.25, "0.25"),
        (12.34, "12.3"),
        (234.56, "234.6"),
        (1234.5, "1,235"),
    ],
)
def test_format_number(value, text):
    assert charts.format_number(value) == text


# --- The world map ----------------------------------------------------------------------

CATEGORIES = [
    maps.MapCategory("roadmap", "Has a roadmap", "#0072B2", "diagonal"),
    maps.MapCategory("target", "Target only", "#E69F00", "dots"),
]
POINTS = [maps.MapCategory("operating", "Operating", "#009E73", shape="circle")]


@pytest.fixture
def tiny_geometry(tmp_path, settings):
    """A two-country TopoJSON file: Sweden (752) and Norway (578) as squares, and a
    polygon without an id."""
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.01, 0.01], "translate": [0, 50]},
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "id": "752", "properties": {"name": "S"}},
                    {"type": "MultiPolygon", "arcs": [[[1]]], "id": "578"},
                    {"type": "Polygon", "arcs": [[~1]], "properties": {"name": "Nowhere"}},
                ],
            }
        },
        # Delta-encoded, quantised: squares of 10° from (10, 55) and (0, 60).
        "arcs": [
            [[1000, 500], [1000, 0], [0, 1000], [-1000, 0], [0, -1000]],
            [[0, 1000], [500, 0], [0, 500], [-500, 0], [0, -500]],
        ],
    }
    path = tmp_path / "countries.json"
    path.write_text(json.dumps(topology))
    settings.MAP_GEOMETRY_FILE = str(path)
    return path


def _country(root, code):
    return next(p for p in root.iter(f"{SVG}path") if p.get("data-country") == code)


def test_map_gives_a_country_its_category_class_fill_and_name(tiny_geometry):
    root = _parse(
        maps.world_map(title="Coverage", countries={"se": "roadmap"}, categories=CATEGORIES)
    )

    sweden = _country(root, "SE")
    assert "map__country--roadmap" in sweden.get("class").split()
    assert sweden.get("fill") == f"url(#{root.get('id')}-roadmap)"
    assert sweden.find(f"{SVG}title").text == "Sweden: Has a roadmap"
    norway = _country(root, "NO")
    assert norway.get("class") == "map__country"
    assert norway.find(f"{SVG}title").text == "Norway"


def test_map_decodes_topojson_arcs(tiny_geometry):
    root = _parse(maps.world_map(title="M"))
    sweden = _country(root, "SE").get("d")
    x0, y0 = maps._project(10, 55)
    assert sweden.startswith(f"M{maps._tenths(round(x0 * 10))} {maps._tenths(round(y0 * 10))}l")
    assert sweden.count("l") == 4 and sweden.endswith("z")
    assert len(list(root.iter(f"{SVG}path"))) >= 3


def test_map_legend_names_each_category_and_the_others(tiny_geometry):
    root = _parse(
        maps.world_map(
            title="M", categories=CATEGORIES, other_label="Not covered", point_categories=POINTS
        )
    )
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "map__legend")
    # Point categories are in the legend only when there are points.
    assert [t.text for t in legend.iter(f"{SVG}text")] == [
        "Has a roadmap",
        "Target only",
        "Not covered",
    ]
    assert root.find(f"{SVG}defs/{SVG}pattern") is not None


def test_map_draws_points_at_their_coordinates(tiny_geometry):
    svg = maps.world_map(
        title="Projects",
        points=[
            maps.MapPoint(0, 0, "Equator plant", "operating"),
            maps.MapPoint(65.58, 22.15, f"Luleå {NASTY}", "operating"),
        ],
        point_categories=POINTS,
    )
    assert "<script>" not in svg
    root = _parse(svg)
    groups = [g for g in root.iter(f"{SVG}g") if "map__point--operating" in (g.get("class") or "")]
    assert [g.find(f"{SVG}title").text for g in groups] == [f"Luleå {NASTY}", "Equator plant"]
    equator = groups[1].find(f"{SVG}circle")
    assert float(equator.get("cx")) == pytest.approx(maps.MAP_WIDTH / 2, abs=0.1)
    assert float(equator.get("cy")) == pytest.approx(maps._project(0, 0)[1], abs=0.1)
    lulea = groups[0].find(f"{SVG}circle")
    assert float(lulea.get("cx")) > maps.MAP_WIDTH / 2
    assert float(lulea.get("cy")) < float(equator.get("cy"))
    assert "2 points (2 operating)" in root.find(f"{SVG}desc").text


def test_map_names_countries_too_small_to_draw(tiny_geometry):
    root = _parse(maps.world_map(title="M", countries={"SG": "target"}, categories=CATEGORIES))
    assert "Too small to draw at this scale: Singapore." in _texts(root)


def test_map_without_geometry_says_so(tmp_path, settings):
    settings.MAP_GEOMETRY_FILE = str(tmp_path / "missing.json")

    svg = maps.world_map(title="Coverage", countries={"SE": "roadmap"}, categories=CATEGORIES)

    root = _parse(svg)
    assert _texts(root) == [maps.GEOMETRY_NOT_INSTALLED]
    assert root.find(f"{SVG}title").text == "Coverage"


def test_map_with_a_broken_geometry_file_says_so(tmp_path, settings):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    settings.MAP_GEOMETRY_FILE = str(broken)
    assert maps.GEOMETRY_NOT_INSTALLED in maps.world_map(title="M")


def test_map_is_deterministic_and_style_free(tiny_geometry):
    def draw():
        return maps.world_map(
            title="M",
            countries={"SE": "roadmap", "NO": "target"},
            categories=CATEGORIES,
            points=[maps.MapPoint(60, 10, "P", "operating")],
            point_categories=POINTS,
        )

    assert draw() == draw()
    assert "style=" not in draw()


def test_installed_geometry_has_the_world():
    """The npm package world-atlas (installed by ``npm ci``) decodes into the countries."""
    assert maps.geometry_file().is_file(), "run `npm ci` to install the map geometry"
    root = _parse(maps.world_map(title="World", countries={"SE": "roadmap"}, categories=CATEGORIES))
    codes = {p.get("data-country") for p in root.iter(f"{SVG}path") if p.get("data-country")}
    assert {"SE", "IN", "US", "BR", "ZA", "AU", "RU", "FJ"} <= codes
    assert "AQ" not in codes  # Antarctica is left out
    assert len(codes) > 150
    assert "map__country--roadmap" in _country(root, "SE").get("class")
    # Russia crosses the 180° meridian: drawn whole, clipped to the map's outline.
    assert root.find(f".//{SVG}clipPath") is not None
