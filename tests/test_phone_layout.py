"""Pages that work at a phone's width (390 px): charts scale (a viewBox, no fixed width),
the map's key is page text, compare stacks, list filters fold behind "Filters (n on)"."""

import re

import pytest

from leadit import charts, maps
from tests.factories.members import SectorFactory
from tests.factories.tracker import IndustrialProjectFactory, RoadmapFactory, TargetFactory

SVG_ROOT = re.compile(r'<svg [^>]*class="(chart[^"]*)"[^>]*>')


def _chart_roots(page: str) -> list[str]:
    return [m.group(0) for m in SVG_ROOT.finditer(page)]


def _assert_scales(root: str) -> None:
    assert re.search(r'viewBox="0 0 [\d.]+ [\d.]+"', root), root
    # A width attribute in pixels would force the chart wider than a phone.
    assert not re.search(r'\swidth="', root), root
    assert not re.search(r'\sheight="', root), root


@pytest.fixture
def tracker_data(db):
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement and concrete", slug="cement")
    for code in ["SE", "IN", "DE"]:
        roadmap = RoadmapFactory(country=code, sectors=[steel, cement])
        TargetFactory(roadmap=roadmap)
        IndustrialProjectFactory(country=code, sector=steel)
    return steel


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.bar_chart([("Steel", 3), ("Cement", 1)], title="Bars"),
        lambda: charts.stacked_bar_chart(["A"], [("X", [1]), ("Y", [2])], title="S"),
        lambda: charts.histogram_by_year([2050, 2045], title="H"),
        lambda: charts.line_chart([(2020, 1), (2024, 3)], title="L"),
        lambda: charts.bar_chart([], title="Empty"),
    ],
)
def test_every_chart_has_a_viewbox_and_no_fixed_size(draw):
    svg = str(draw())
    _assert_scales(_chart_roots(svg)[0])
    assert "style=" not in svg


def test_long_bar_labels_go_above_their_bars_leaving_the_bars_room():
    label = "Electric arc furnace, EAF"
    svg = str(charts.bar_chart([(label, 5), ("Short", 2)], title="Bars"))

    # The label starts at the left edge (above its bar), not right-aligned beside it.
    assert re.search(r'<text class="chart__label" x="10" y="[\d.]+">' + label, svg)
    bar = re.search(r'<rect class="chart__bar" x="([\d.]+)"[^>]*width="([\d.]+)"', svg)
    assert float(bar.group(1)) < 20 and float(bar.group(2)) > charts.WIDTH / 2


def test_map_key_can_be_html_text_under_the_map(settings):
    categories = [maps.MapCategory("roadmap", "Has a roadmap", "#0072B2", "diagonal")]
    drawn = str(
        maps.world_map(title="M", countries={"SE": "roadmap"}, categories=categories, legend="html")
    )

    assert 'class="map__legend"' not in drawn
    key = drawn[drawn.index('<div class="map-key"') :]
    assert "<span>Has a roadmap</span>" in key
    assert 'aria-hidden="true"' in key  # the swatches are decoration; the words carry it


@pytest.mark.parametrize("url", ["/tracker/charts/", "/tracker/coverage/"])
def test_tracker_figures_scale_to_the_width_without_a_scrolling_box(client, tracker_data, url):
    page = client.get(url).content.decode()

    roots = _chart_roots(page)
    assert roots
    for root in roots:
        _assert_scales(root)
    assert "chart-scroll" not in page
    assert 'class="map-key"' in page


def test_compare_has_a_stacked_layout_for_narrow_screens(client, tracker_data):
    page = client.get("/tracker/compare/?c=SE&c=IN&c=DE").content.decode()

    stack = page[page.index('<div class="compare-stack"') : page.index('class="table-scroll')]
    rows = re.findall(r'<section class="compare-stack__row [^"]*"', stack)
    assert len(rows) >= 5
    first_row = stack[stack.index("<section") : stack.index("</section>")]
    assert re.findall(r"<dt>([^<]+)</dt>", first_row) == ["Sweden", "India", "Germany"]
    assert '<table class="compare-table' in page  # the wide layout is still there


def test_tracker_filters_fold_behind_a_summary_counting_the_filters_on(client, tracker_data):
    page = client.get("/tracker/?sector=steel&scope=national").content.decode()

    details = re.search(r'<details class="filters">\s*<summary[^>]*>(.*?)</summary>', page, re.S)
    assert details
    assert re.sub(r"<[^>]+>", "", details.group(1)).strip() == "Filters (2 on)"
    # Closed by default (no "open"): on a phone the results come first.
    assert '<details class="filters" open' not in page
    assert page.index("<details") < page.index('id="id_sector"') < page.index("</details>")


@pytest.mark.parametrize(
    "url",
    [
        "/tracker/",
        "/tracker/countries/",
        "/tracker/projects/",
        "/tracker/changes/",
        "/members/",
        "/events/",
        "/publications/",
    ],
)
def test_every_filtered_list_folds_its_filters(client, db, url):
    page = client.get(url).content.decode()

    details = re.search(r'<details class="filters">\s*<summary[^>]*>(.*?)</summary>', page, re.S)
    assert details, url
    assert re.sub(r"<[^>]+>", "", details.group(1)).strip() == "Filters (0 on)"
    form = re.search(
        r"<details class=\"filters\">.*?<form method=\"get\".*?</form>\s*</details>", page, re.S
    )
    assert form, url
