"""The workplan metric "briefs_published", registered by the publications app."""

import datetime
from decimal import Decimal

import pytest

from publications.models import Publication
from tests.factories.members import SectorFactory
from tests.factories.publications import BriefFactory, NewsletterIssueFactory
from tests.factories.workplan import ObjectiveFactory, ObjectiveTargetFactory, WorkplanFactory
from workplan.metrics import METRICS, metric_choices, metric_options_errors, target_progress

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def workplan():
    return WorkplanFactory(period_start=D(2021, 1, 1), period_end=D(2021, 12, 31))


@pytest.fixture
def briefs_2021():
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement and concrete", slug="cement")
    # Inside the period (both ends count).
    BriefFactory(published_on=D(2021, 1, 1), sectors=[steel])
    BriefFactory(published_on=D(2021, 6, 15), sectors=[steel, cement])
    BriefFactory(published_on=D(2021, 12, 31), sectors=[cement])
    # Outside the period, not published, or not a brief.
    BriefFactory(published_on=D(2020, 12, 31), sectors=[steel])
    BriefFactory(published_on=D(2022, 1, 1), sectors=[steel])
    BriefFactory(status=Publication.Status.DRAFT, published_on=None, sectors=[steel])
    BriefFactory(status=Publication.Status.IN_REVIEW, published_on=None)
    NewsletterIssueFactory(status=Publication.Status.PUBLISHED, published_on=D(2021, 4, 10))


def _value(workplan, **options):
    return METRICS["briefs_published"].compute(workplan, options)


def test_briefs_published_is_a_registered_metric_with_a_sector_option():
    assert ("briefs_published", "Briefs published in the period") in metric_choices()
    assert METRICS["briefs_published"].options_help() == "sector: text"
    assert metric_options_errors("briefs_published", {"sector": "steel"}) == []
    assert metric_options_errors("briefs_published", {"kind": "brief"}) == [
        "“Briefs published in the period” has no option “kind” (its options: sector)."
    ]


def test_briefs_published_counts_published_briefs_within_the_period(workplan, briefs_2021):
    assert _value(workplan) == 3


def test_briefs_published_counts_one_sector_by_its_slug(workplan, briefs_2021):
    assert _value(workplan, sector="steel") == 2
    assert _value(workplan, sector="cement") == 2
    assert _value(workplan, sector="aviation") == 0


def test_briefs_published_drives_a_targets_progress(workplan, briefs_2021):
    target = ObjectiveTargetFactory(
        objective=ObjectiveFactory(workplan=workplan),
        metric="briefs_published",
        threshold=Decimal("4"),
    )

    progress = target_progress(target, today=D(2021, 7, 1))

    assert progress.source == "metric"
    assert progress.value == Decimal("3")
    assert progress.state == "on_track"  # 3/4 done, half the year gone

    BriefFactory(published_on=D(2021, 9, 1))
    assert target_progress(target, today=D(2021, 7, 1)).state == "met"


def test_an_unpublished_brief_stops_counting(workplan, briefs_2021):
    brief = Publication.objects.filter(published_on=D(2021, 6, 15)).get()
    brief.status = Publication.Status.DRAFT
    brief.published_on = None
    brief.save()

    assert _value(workplan) == 2
