"""The how-to guide: every step on /tracker/guide/ (printable, readable without JavaScript)
and one step on /tracker/guide/<slug>/."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.tracker import GuideStepFactory, RoadmapFactory
from tracker.models import Roadmap

pytestmark = pytest.mark.django_db


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def steps():
    return [
        GuideStepFactory(
            order=1,
            title="Take stock of industry's emissions",
            slug="take-stock",
            body="Start from **the national inventory**.",
            checklist="List the main plants\nCollect emissions by sector\n\nName a lead ministry",
            resources="IEA steel roadmap | https://www.iea.org/steel\nNot a link | ftp://x",
        ),
        GuideStepFactory(
            order=2,
            title="Set targets",
            slug="set-targets",
            body="Agree a net-zero year.",
            checklist="Pick a target year",
            resources="",
        ),
        GuideStepFactory(
            order=3,
            title="Plan the policy mix",
            slug="policy-mix",
            body="Combine pricing and support.",
            checklist="",
            resources="",
        ),
    ]


def test_guide_shows_every_step_in_order(client, steps):
    html = _page(client, "/tracker/guide/")
    text = _text(html)

    headings = re.findall(
        r'<h2 id="[^"]+-heading"><span class="guide-step__number">(Step \d)</span> ([^<]+)</h2>',
        html,
    )
    assert headings == [
        ("Step 1", "Take stock of industry&#x27;s emissions"),
        ("Step 2", "Set targets"),
        ("Step 3", "Plan the policy mix"),
    ]
    assert "Start from <strong>the national inventory</strong>." in html
    assert "Agree a net-zero year." in text and "Combine pricing and support." in text
    assert "<h1>How to prepare an industry transition roadmap</h1>" in html


def test_guide_has_numbered_step_navigation(client, steps):
    html = _page(client, "/tracker/guide/")

    nav = re.findall(
        r'<li data-guide-step="([^"]+)" data-guide-items="(\d+)"><a href="([^"]+)"[^>]*><span class="guide-nav__number">(\d+)\.</span> ([^<]+)</a>',
        html,
    )
    assert nav == [
        ("take-stock", "3", "#take-stock", "1", "Take stock of industry&#x27;s emissions"),
        ("set-targets", "1", "#set-targets", "2", "Set targets"),
        ("policy-mix", "0", "#policy-mix", "3", "Plan the policy mix"),
    ]


def test_guide_checklist_is_real_checkboxes_with_labels(client, steps):
    html = _page(client, "/tracker/guide/")

    boxes = re.findall(
        r'<input type="checkbox" id="([^"]+)" name="([^"]+)" data-guide-item="([^"]+)"> '
        r'<label for="([^"]+)">([^<]+)</label>',
        html,
    )
    assert boxes == [
        (
            "check-take-stock-0",
            "check-take-stock-0",
            "take-stock:0",
            "check-take-stock-0",
            "List the main plants",
        ),
        (
            "check-take-stock-1",
            "check-take-stock-1",
            "take-stock:1",
            "check-take-stock-1",
            "Collect emissions by sector",
        ),
        (
            "check-take-stock-2",
            "check-take-stock-2",
            "take-stock:2",
            "check-take-stock-2",
            "Name a lead ministry",
        ),
        (
            "check-set-targets-0",
            "check-set-targets-0",
            "set-targets:0",
            "check-set-targets-0",
            "Pick a target year",
        ),
    ]
    assert "<legend>Checklist for step 1</legend>" in html


def test_guide_progress_line_reads_without_javascript(client, steps):
    text = _text(_page(client, "/tracker/guide/"))

    assert "The guide's checklists have 4 items in all." in text
    assert "Your ticks are saved in this browser when JavaScript is on" in text
    assert "3 items to check. Ticks are saved in this browser when JavaScript is on." in text


def test_guide_loads_its_script_as_a_file_and_has_no_inline_code(client, steps):
    html = _page(client, "/tracker/guide/")

    assert re.search(r'<script src="/static/js/tracker-guide\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "style=" not in html
    assert "/static/css/tracker-projects.css" in html


def test_guide_lists_resources_as_links(client, steps):
    html = _page(client, "/tracker/guide/")

    assert '<li><a href="https://www.iea.org/steel">IEA steel roadmap</a></li>' in html
    assert "ftp://x" not in html


def test_guide_step_page_shows_one_step_with_previous_and_next(client, steps):
    html = _page(client, "/tracker/guide/set-targets/")
    text = _text(html)

    assert '<h1 id="step-heading">Set targets</h1>' in html
    assert "step 2 of 3" in text
    assert "Agree a net-zero year." in text
    assert "Start from" not in text and "Combine pricing" not in text
    assert '<a href="/tracker/guide/take-stock/" rel="prev">' in html
    assert '<a href="/tracker/guide/policy-mix/" rel="next">' in html
    assert 'href="/tracker/guide/set-targets/" aria-current="page"' in html
    assert '<input type="checkbox" id="check-set-targets-0" name="check-set-targets-0"' in html
    assert '<label for="check-set-targets-0">Pick a target year</label>' in html
    assert "1 item to check." in text


def test_guide_first_and_last_steps_link_only_one_way(client, steps):
    first = _page(client, "/tracker/guide/take-stock/")
    last = _page(client, "/tracker/guide/policy-mix/")

    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last
    assert "The whole guide on one page" in _text(last)


def test_guide_unknown_step_is_404(client, steps):
    assert client.get("/tracker/guide/no-such-step/").status_code == 404


def test_guide_without_steps_says_it_is_being_written(client):
    assert "The guide is being written." in _text(_page(client, "/tracker/guide/"))


def test_guide_print_stylesheet_prints_every_step(client, steps):
    css = (Path(__file__).resolve().parents[2] / "static/css/tracker-projects.css").read_text()

    assert "@media print" in css
    assert ".guide-step + .guide-step { break-before: page; }" in css


@pytest.mark.parametrize("url", ["/tracker/guide/", "/tracker/guide/take-stock/"])
def test_guide_query_count_does_not_grow_with_data(client, steps, url):
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    Roadmap.objects.bulk_create(
        RoadmapFactory.build(slug=f"bulk-{i}", title=f"Bulk {i}") for i in range(500)
    )
    for order in range(4, 16):
        GuideStepFactory(order=order, slug=f"extra-{order}", title=f"Extra {order}")
    # cache invalidated by the steps' saves
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200

    assert len(large.captured_queries) == len(small.captured_queries)
