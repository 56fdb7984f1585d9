"""The methodology page (/tracker/methodology/) and recent changes (/tracker/changes/)."""

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from simple_history.utils import bulk_create_with_history

from tests.factories.tracker import (
    IndustrialProjectFactory,
    RoadmapFactory,
    SectorFactory,
    SourceFactory,
    TargetFactory,
)
from tracker.models import Roadmap, Target

pytestmark = pytest.mark.django_db

CHANGES_URL = "/tracker/changes/"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:)])", r"\1", text)


def _rows(html: str) -> list[str]:
    """Each change as a reader sees its row."""
    return [_text(row).strip() for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]]


# --- methodology --------------------------------------------------------------------------


def test_methodology_explains_scopes_statuses_and_the_target_ladder(client):
    html = _page(client, "/tracker/methodology/")

    assert "<h1>Methodology</h1>" in html
    for heading in (
        "What the Tracker records",
        "Roadmap scopes",
        "Roadmap statuses",
        "Targets and the target ladder",
        "Industrial projects and plants",
        "How the data is reviewed",
        "Sources and licences",
        "How to cite the Tracker",
    ):
        assert f">{heading}</h2>" in html
    ladder = re.search(r'<ol class="ladder">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<strong>([^<]+)</strong>", ladder) == [
        "Proposed",
        "Pledge",
        "In policy document",
        "In law",
        "Achieved",
    ]
    for scope in ("National", "Regional", "Global", "Sectoral", "Company"):
        assert f"<dt>{scope}</dt>" in html
    assert "<dt>Operating, pre-retirement</dt>" in html


def test_methodology_states_licences_attribution_and_citation(client):
    text = _text(_page(client, "/tracker/methodology/"))

    assert "Creative Commons Attribution 4.0 International licence (CC BY 4.0)" in text
    assert "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release." in text
    assert re.search(
        r"LeadIT Secretariat \(\d{4}\)\. Industry Transition Tracker\. Leadership Group for "
        r"Industry Transition\. http://testserver/tracker/ \(accessed \d+ \w+ \d{4}\)",
        text,
    )


def test_methodology_has_no_inline_style(client):
    html = _page(client, "/tracker/methodology/")

    assert "style=" not in html and "<script" not in html


# --- recent changes -----------------------------------------------------------------------


def test_recent_changes_shows_an_edited_roadmap_with_the_fields_changed(client):
    roadmap = RoadmapFactory(title="Swedish industry roadmap", slug="se-industry")
    roadmap.title = "Swedish fossil-free industry roadmap"
    roadmap.status = Roadmap.Status.IN_IMPLEMENTATION
    roadmap.save()

    html = _page(client, CHANGES_URL)

    rows = _rows(html)
    assert rows[0].endswith("Roadmap Swedish fossil-free industry roadmap Changed: title, status")
    assert rows[1].endswith("Roadmap Swedish industry roadmap Added")
    assert html.count('<a href="/tracker/roadmaps/se-industry/">') == 2


def test_recent_changes_shows_list_field_changes_targets_sources_and_deletions(client):
    roadmap = RoadmapFactory(title="India steel roadmap", slug="in-steel", country="IN")
    roadmap.sectors.add(SectorFactory(name="Iron and steel", slug="steel"))
    target = TargetFactory(roadmap=roadmap, target_year=2070)
    target.status = Target.Status.PLEDGE
    target.save()
    source = SourceFactory(roadmap=roadmap, title="Steel ministry page")
    source.delete()

    rows = _rows(_page(client, CHANGES_URL))

    assert rows[0].endswith(
        "Roadmap source Steel ministry page in the roadmap “India steel roadmap” Deleted "
        "No longer in the Tracker."
    )
    assert rows[2].endswith(
        "Target Net zero target for 2070 in the roadmap “India steel roadmap” Changed: status"
    )
    assert any(row.endswith("Roadmap India steel roadmap Changed: sectors") for row in rows)


def test_recent_changes_links_projects_and_filters_by_kind(client):
    IndustrialProjectFactory(name="Stegra Boden steel plant", slug="stegra")
    RoadmapFactory(title="A roadmap")

    html = _page(client, f"{CHANGES_URL}?kind=project")

    rows = _rows(html)
    assert len(rows) == 1
    assert rows[0].endswith("Industrial project Stegra Boden steel plant Added")
    assert '<a href="/tracker/projects/stegra/">Stegra Boden steel plant</a>' in html
    assert "Kind of record: Industrial project" in _text(html)


def test_recent_changes_ignores_an_unknown_kind_with_a_note(client):
    RoadmapFactory(title="A roadmap")

    text = _text(_page(client, f"{CHANGES_URL}?kind=planets"))

    assert "Kind of record: “planets” is not one of the choices" in text
    assert "Roadmap A roadmap Added" in text


def test_recent_changes_shows_the_newest_fifty(client):
    bulk_create_with_history(
        [RoadmapFactory.build(slug=f"bulk-{i}", title=f"Bulk {i}") for i in range(60)], Roadmap
    )

    html = _page(client, CHANGES_URL)

    assert len(_rows(html)) == 50
    assert "The newest 50 changes" in _text(html)


def test_recent_changes_csv_is_the_list_shown(client):
    roadmap = RoadmapFactory(title="=cmd roadmap", slug="cmd")
    roadmap.status = Roadmap.Status.SUPERSEDED
    roadmap.save()

    response = client.get(f"{CHANGES_URL}?format=csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["kind"], r["action"], r["what"], r["fields_changed"]) for r in rows] == [
        ("Roadmap", "Changed", "'=cmd roadmap", "status"),
        ("Roadmap", "Added", "'=cmd roadmap", ""),
    ]
    assert rows[0]["url"] == "http://testserver/tracker/roadmaps/cmd/"


def test_recent_changes_shows_an_edit_at_once(client):
    roadmap = RoadmapFactory(title="Before")
    _page(client, CHANGES_URL)  # cached now
    roadmap.title = "After"
    roadmap.save()

    assert "Roadmap After Changed: title" in _text(_page(client, CHANGES_URL))


def _many_roadmaps(n: int) -> None:
    roadmaps = bulk_create_with_history(
        [RoadmapFactory.build(slug=f"r-{n}-{i}", title=f"Roadmap {i}") for i in range(n)], Roadmap
    )
    for roadmap in roadmaps[:5]:
        roadmap.status = Roadmap.Status.SUPERSEDED
        roadmap.save()
    bulk_create_with_history(
        [
            Target(roadmap=r, country="SE", kind="net_zero", target_year=2045, status="law")
            for r in roadmaps
        ],
        Target,
    )
    IndustrialProjectFactory()


@pytest.mark.parametrize("url", [CHANGES_URL, "/tracker/methodology/"])
def test_pages_query_count_does_not_grow_with_roadmaps(client, url):
    _many_roadmaps(10)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _many_roadmaps(500)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200

    assert len(large.captured_queries) == len(small.captured_queries)
