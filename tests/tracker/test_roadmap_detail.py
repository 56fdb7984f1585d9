"""One roadmap: /tracker/roadmaps/<slug>/."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.tracker import (
    CountryGroupFactory,
    PolicyInstrumentFactory,
    RoadmapFactory,
    RoadmapLeverFactory,
    SectorFactory,
    SourceFactory,
    TargetFactory,
)
from tests.factories.users import UserFactory
from tracker.models import CountryGroup, Roadmap, RoadmapLever, Source, Target

pytestmark = pytest.mark.django_db


def _page(client, roadmap: Roadmap) -> str:
    response = client.get(f"/tracker/roadmaps/{roadmap.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:)])", r"\1", text).replace("( ", "(")


def _target_rows(html: str) -> list[str]:
    body = re.search(r'<table class="target-table".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [_text(row).strip() for row in re.findall(r"<tr.*?</tr>", body, re.S)]


@pytest.fixture
def roadmap():
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement", slug="cement")
    reviewer = UserFactory(first_name="Maria", last_name="Reviewer")
    roadmap = RoadmapFactory(
        title="Fossil Free Sweden: steel roadmap",
        slug="fossil-free-sweden-steel",
        country="SE",
        publisher="Fossil Free Sweden",
        published_on=datetime.date(2018, 4, 12),
        status=Roadmap.Status.IN_IMPLEMENTATION,
        sectors=[steel, cement],
        instruments=[
            PolicyInstrumentFactory(name="Carbon pricing", slug="carbon-pricing"),
            PolicyInstrumentFactory(name="Green public procurement", slug="gpp"),
        ],
        summary="Steel without **fossil** fuels by 2045.\n\n<script>alert(1)</script>",
        document_url="https://fossilfrittsverige.se/roadmap-steel.pdf",
        language="Swedish",
        last_reviewed_on=datetime.date(2025, 1, 15),
        last_reviewed_by=reviewer,
    )
    RoadmapLeverFactory(
        roadmap=roadmap,
        lever=RoadmapLever.Lever.TECHNOLOGY,
        description="Hydrogen direct reduction at scale",
        milestone_year=2026,
    )
    RoadmapLeverFactory(
        roadmap=roadmap, lever=RoadmapLever.Lever.FINANCE, description="", milestone_year=None
    )
    SourceFactory(
        roadmap=roadmap,
        title="Roadmap for fossil free competitiveness",
        url="https://example.org/source.pdf",
        accessed_on=datetime.date(2025, 1, 10),
    )
    return roadmap


def test_roadmap_detail_shows_the_roadmap(client, roadmap):
    html = _page(client, roadmap)
    text = _text(html)

    assert "<h1" in html and "Fossil Free Sweden: steel roadmap</h1>" in html
    assert (
        "Scope National Country Sweden Publisher Fossil Free Sweden Published on 12 April 2018 "
        "Status In implementation Sectors Cement, Iron and steel Language Swedish "
        "Document Read the roadmap"
    ) in text
    assert 'href="/tracker/countries/SE/">Sweden</a>' in html
    assert 'href="https://fossilfrittsverige.se/roadmap-steel.pdf"' in html
    assert "Steel without <strong>fossil</strong> fuels by 2045." in html
    assert "<script>alert" not in html
    assert "Technology Hydrogen direct reduction at scale 2026" in text
    assert "Finance not recorded in the Tracker not recorded in the Tracker" in text
    assert "Policy instruments Carbon pricing Green public procurement" in text
    assert "Roadmap for fossil free competitiveness (accessed 10 January 2025)" in text
    assert 'href="https://example.org/source.pdf"' in html
    assert "Last reviewed on 15 January 2025 by Maria Reviewer." in text
    assert f"Last updated {datetime.date.today():%-d %B %Y}." in text
    assert (
        '<nav aria-label="Breadcrumb" class="breadcrumbs"><ol><li><a href="/">Home</a></li>'
        '<li><a href="/tracker/">Tracker</a></li>'
        '<li aria-current="page">Fossil Free Sweden: steel roadmap</li></ol></nav>'
    ) in html
    assert "superseded" not in text.lower()


def test_roadmap_detail_regional_roadmap_shows_region(client):
    europe = CountryGroupFactory(name="European Union", slug="eu", kind=CountryGroup.Kind.REGION)
    roadmap = RoadmapFactory(scope=Roadmap.Scope.REGIONAL, country="", region=europe)

    html = _page(client, roadmap)

    assert "Scope Regional Region European Union" in _text(html)
    assert 'href="/tracker/?region=eu">European Union</a>' in html
    assert "/tracker/countries/" not in html


def test_roadmap_detail_targets_table_with_status_ladder_and_interim_targets(client, roadmap):
    steel = roadmap.sectors.get(slug="steel")
    end = TargetFactory(
        roadmap=roadmap,
        kind=Target.Kind.NET_ZERO,
        sector=None,
        base_year=None,
        target_year=2045,
        status=Target.Status.LAW,
    )
    TargetFactory(
        roadmap=roadmap,
        kind=Target.Kind.ABSOLUTE,
        sector=None,
        base_year=1990,
        target_year=2030,
        value=63,
        unit="%",
        description="Below 1990 levels, outside the EU ETS",
        status=Target.Status.POLICY_DOCUMENT,
        end_target=end,
    )
    TargetFactory(
        roadmap=roadmap,
        kind=Target.Kind.ABSOLUTE,
        sector=None,
        base_year=1990,
        target_year=2040,
        value=75,
        unit="%",
        status=Target.Status.PROPOSED,
        end_target=end,
    )
    TargetFactory(
        roadmap=roadmap,
        kind=Target.Kind.PRODUCTION_SHARE,
        sector=steel,
        base_year=2020,
        target_year=2035,
        value="12.500",
        unit="Mt crude steel",
        status=Target.Status.ACHIEVED,
    )

    html = _page(client, roadmap)

    assert _target_rows(html) == [
        "Economy-wide Net zero not recorded in the Tracker 2045 Net zero In law",
        "↳ Interim target towards the 2045 target: Economy-wide Absolute reduction 1990 2030 "
        "63% Below 1990 levels, outside the EU ETS In policy document",
        "↳ Interim target towards the 2045 target: Economy-wide Absolute reduction 1990 2040 "
        "75% Proposed",
        "Iron and steel Production share 2020 2035 12.5 Mt crude steel Achieved",
    ]
    ladders = re.findall(r'aria-label="(Step \d of 5 on the status ladder)"', html)
    assert ladders == [f"Step {n} of 5 on the status ladder" for n in (4, 3, 1, 5)]
    first_ladder = re.search(r'<span class="ladder__steps".*?</span></span>', html, re.S).group(0)
    assert first_ladder.count("ladder__step--reached") == 4
    assert "proposed → pledge → in policy document → in law → achieved" in html
    assert 'class="target-row target-row--interim target-row--depth-1"' in html


def test_roadmap_detail_without_targets_levers_sources_says_so(client):
    roadmap = RoadmapFactory(document_url="", summary="", last_reviewed_on=None)

    text = _text(_page(client, roadmap))

    assert "No targets recorded for this roadmap." in text
    assert "No levers recorded for this roadmap." in text
    assert "No policy instruments recorded for this roadmap." in text
    assert "No sources recorded beyond the roadmap document itself." in text
    assert "Document No link recorded in the Tracker" in text
    assert "Not yet reviewed by the secretariat." in text


def test_roadmap_detail_superseded_links_to_successor_and_back(client):
    old = RoadmapFactory(
        title="Steel roadmap 2018",
        status=Roadmap.Status.SUPERSEDED,
        published_on=datetime.date(2018, 1, 1),
    )
    new = RoadmapFactory(title="Steel roadmap 2024", published_on=datetime.date(2024, 5, 1))
    old.superseded_by = new
    old.save()

    old_text = _text(_page(client, old))
    assert (
        "This roadmap has been superseded by Steel roadmap 2024 (2024). It is kept here for the record."
        in old_text
    )
    assert f'href="{new.get_absolute_url()}">Steel roadmap 2024</a>' in _page(client, old)

    new_html = _page(client, new)
    assert "Supersedes: Steel roadmap 2018 (2018)." in _text(new_html)
    assert f'href="{old.get_absolute_url()}">Steel roadmap 2018</a>' in new_html
    assert "This roadmap has been superseded" not in new_html


def test_roadmap_detail_superseded_without_successor(client):
    roadmap = RoadmapFactory(status=Roadmap.Status.SUPERSEDED)

    assert "This roadmap has been superseded. It is kept here" in _text(_page(client, roadmap))


def test_roadmap_detail_last_updated_is_latest_change_to_roadmap_targets_levers_sources(
    client, roadmap
):
    target = TargetFactory(roadmap=roadmap)
    when = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.UTC)
    for model in (Roadmap, Target, RoadmapLever, Source):
        model.history.model.objects.update(history_date=when)
    Roadmap.objects.filter(pk=roadmap.pk).update(updated_at=when)
    Target.history.model.objects.filter(id=target.pk).update(
        history_date=datetime.datetime(2024, 6, 5, 12, tzinfo=datetime.UTC)
    )
    cache.clear()

    assert "Last updated 5 June 2024." in _text(_page(client, roadmap))

    Source.history.model.objects.filter(roadmap_id=roadmap.pk).update(
        history_date=datetime.datetime(2024, 9, 7, 12, tzinfo=datetime.UTC)
    )
    cache.clear()
    assert "Last updated 7 September 2024." in _text(_page(client, roadmap))

    RoadmapLever.objects.filter(roadmap=roadmap).first().delete()  # a deletion is a change
    assert f"Last updated {datetime.date.today():%-d %B %Y}." in _text(_page(client, roadmap))


def test_roadmap_detail_unknown_slug_is_404(client):
    assert client.get("/tracker/roadmaps/no-such-roadmap/").status_code == 404


def test_roadmap_detail_edit_shows_at_once_despite_the_cache(client, roadmap):
    assert "Roadmap for fossil free competitiveness" in _page(client, roadmap)

    source = roadmap.sources.get()
    source.title = "A renamed source"
    source.save()

    html = _page(client, roadmap)
    assert "A renamed source" in html
    assert "Roadmap for fossil free competitiveness" not in html


def _fill(roadmap: Roadmap, n: int) -> None:
    end = TargetFactory(roadmap=roadmap, target_year=2050)
    for i in range(n - 1):
        TargetFactory(roadmap=roadmap, target_year=2030 + i % 20, end_target=end)
    for i in range(n):
        SourceFactory(roadmap=roadmap, title=f"Source {i}")
        RoadmapLeverFactory(roadmap=roadmap, milestone_year=2030 + i % 20)


def _query_count(client, roadmap: Roadmap) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        _page(client, roadmap)
    return len(queries)


def test_roadmap_detail_query_count_does_not_grow_with_targets_sources_levers(client):
    successor = RoadmapFactory()
    one = RoadmapFactory(
        status=Roadmap.Status.SUPERSEDED, superseded_by=successor, sectors=[SectorFactory()]
    )
    many = RoadmapFactory(
        status=Roadmap.Status.SUPERSEDED,
        superseded_by=successor,
        sectors=[SectorFactory() for _ in range(5)],
    )
    _fill(one, 1)
    _fill(many, 20)

    assert _query_count(client, one) == _query_count(client, many)
    assert _query_count(client, successor) == _query_count(client, one)


def test_roadmap_detail_query_count_does_not_grow_with_roadmaps(client, roadmap):
    small = _query_count(client, roadmap)
    Roadmap.objects.bulk_create(
        Roadmap(
            title=f"Bulk {n}",
            slug=f"bulk-{n}",
            scope="national",
            country="DE",
            publisher="Bulk",
            status="adopted",
        )
        for n in range(500)
    )

    assert _query_count(client, roadmap) == small
