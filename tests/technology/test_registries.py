"""What technology adds to the home page, the newsletter and the workplan: public, real
records only, in a fixed number of queries."""

import re
from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leadit.cache import invalidate
from leadit.home import HOME_CACHE_NAMESPACE, HOME_NUMBERS
from leadit.newsletter_sections import NEWSLETTER_SECTIONS, Quarter
from technology.models import CoDevelopmentProject, Introduction, TechnologySolution, Visibility
from tests.factories.technology import (
    CallForProposalsFactory,
    CoDevelopmentProjectFactory,
    IntroductionFactory,
    TechnologyNeedFactory,
    TechnologySolutionFactory,
)
from tests.factories.workplan import WorkplanFactory
from tests.publications.newsletter_quarter import assemble, issue_for_q3, titles
from workplan.metrics import METRICS

pytestmark = pytest.mark.django_db

# Assembled early in October 2025, as the publications tests assemble Q3.
Q3_2025 = Quarter(2025, 3, timezone.make_aware(datetime(2025, 10, 6, 9)))
HIDDEN = (Visibility.MEMBERS, Visibility.SECRETARIAT)


def _made_on(obj, day: date):
    moment = timezone.make_aware(datetime.combine(day, time(9)))
    type(obj).objects.filter(pk=obj.pk).update(created_at=moment)
    return obj


def _real_world(size: int) -> None:
    """``size`` public real solutions and active projects made in Q3 2025, and as many
    hidden, demo, planned or older ones that never count."""
    for n in range(size):
        _made_on(TechnologySolutionFactory(name=f"Public solution {n}"), date(2025, 7, 10))
        _made_on(
            CoDevelopmentProjectFactory(title=f"Public project {n}", starts_on=date(2025, 2, 1)),
            date(2025, 8, 1),
        )
        _made_on(
            TechnologySolutionFactory(name=f"Demo solution {n}", is_demo=True), date(2025, 7, 11)
        )
        CoDevelopmentProjectFactory(
            title=f"Planned project {n}", status=CoDevelopmentProject.Status.PLANNED
        )
    for n, visibility in enumerate(HIDDEN * size):
        _made_on(
            TechnologySolutionFactory(name=f"Hidden solution {n}", visibility=visibility),
            date(2025, 7, 12),
        )
        _made_on(
            CoDevelopmentProjectFactory(title=f"Hidden project {n}", visibility=visibility),
            date(2025, 8, 2),
        )


# --- Home page -------------------------------------------------------------------------------


def _numbers() -> dict[str, object]:
    return {number.label: number for number in HOME_NUMBERS["technology"].compute()}


def test_home_numbers_count_public_real_solutions_and_active_projects():
    _real_world(2)
    CoDevelopmentProjectFactory(is_demo=True)

    numbers = _numbers()

    solutions = numbers["technology solutions"]
    assert solutions.value == 2
    assert solutions.url == "/technology/"
    assert solutions.note == "2 demo solutions (invented) not counted."
    projects = numbers["co-development projects under way"]
    assert projects.value == 2
    assert projects.url == "/technology/projects/"
    assert projects.note == "1 demo project (invented) not counted."


def test_home_numbers_take_the_same_queries_at_two_sizes():
    _real_world(1)
    with CaptureQueriesContext(connection) as small:
        HOME_NUMBERS["technology"].compute()
    _real_world(6)
    with CaptureQueriesContext(connection) as large:
        HOME_NUMBERS["technology"].compute()
    assert len(small) == len(large) == 2


def test_the_home_page_shows_the_technology_numbers_and_a_new_solution_at_once(client):
    _real_world(1)
    invalidate(HOME_CACHE_NAMESPACE)

    def shown() -> dict[str, int]:
        page = client.get("/").content.decode()
        found = re.findall(
            r'<span class="numbers__value">(\d+)</span> <span class="numbers__label">([^<]+)</span>',
            page,
        )
        return {label: int(value) for value, label in found}

    first = shown()
    assert first["technology solution"] == 1
    assert first["co-development project under way"] == 1
    TechnologySolutionFactory()
    assert shown()["technology solutions"] == 2


# --- Newsletter ------------------------------------------------------------------------------


def _section(quarter: Quarter = Q3_2025):
    return NEWSLETTER_SECTIONS["technology"].collect(quarter)


def test_the_newsletter_section_tells_new_public_solutions_projects_and_open_calls():
    _real_world(1)
    _made_on(TechnologySolutionFactory(name="Older solution"), date(2025, 3, 1))
    CallForProposalsFactory(title="Clay call", deadline=date(2025, 11, 30))
    CallForProposalsFactory(title="Closed call", deadline=date(2025, 9, 1))

    items = _section()

    assert [item.title for item in items] == [
        "New solution: Public solution 0",
        "New solution: Demo solution 0",
        "New co-development project: Public project 0",
        "Open call: Clay call",
    ]
    assert all("Hidden" not in item.title + item.text for item in items)
    assert (
        items[0].url == TechnologySolution.objects.get(name="Public solution 0").get_absolute_url()
    )
    assert items[0].date == date(2025, 7, 10)
    assert "Demo record (invented)." not in items[0].text
    assert items[1].text.endswith("Demo record (invented).")
    assert "proposals until 30 November 2025" in items[3].text


def test_the_newsletter_section_takes_the_same_queries_at_two_sizes():
    _real_world(1)
    CallForProposalsFactory(deadline=date(2025, 12, 1))
    with CaptureQueriesContext(connection) as small:
        assert len(_section()) == 4
    _real_world(4)
    CallForProposalsFactory.create_batch(4, deadline=date(2025, 12, 1))
    with CaptureQueriesContext(connection) as large:
        assert len(_section()) == 20
    assert len(small) == len(large) == 3


def test_an_assembled_issue_has_a_technology_section():
    _made_on(TechnologySolutionFactory(name="Clay kiln"), date(2025, 8, 15))
    issue = issue_for_q3()

    assemble(issue)

    assert titles(issue, "technology") == ["New solution: Clay kiln"]
    assert issue.sections.get(kind="technology").title == "Technology"


# --- Workplan metrics ------------------------------------------------------------------------


def _metric(key: str, workplan):
    return METRICS[key].compute(workplan, {})


def _accepted(day: date, **kwargs) -> Introduction:
    moment = timezone.make_aware(datetime.combine(day, time(9)))
    return IntroductionFactory(status=Introduction.Status.ACCEPTED, answered_at=moment, **kwargs)


def test_workplan_metrics_count_public_real_solutions_introductions_and_projects_of_the_period():
    _real_world(3)
    _accepted(date(2025, 5, 1))
    _accepted(date(2025, 6, 1))
    _accepted(date(2024, 6, 1))
    _accepted(date(2025, 6, 2), solution=None, need=TechnologyNeedFactory())  # a demo need
    IntroductionFactory()  # pending
    CoDevelopmentProjectFactory(starts_on=date(2020, 1, 1), ends_on=date(2023, 12, 31))
    workplan = WorkplanFactory(period_start=date(2025, 1, 1), period_end=date(2025, 12, 31))
    earlier = WorkplanFactory(period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))

    assert _metric("technology_solutions_listed", workplan) == 3
    assert _metric("technology_introductions_accepted", workplan) == 2
    assert _metric("technology_codev_active", workplan) == 3
    assert _metric("technology_solutions_listed", earlier) == 0
    assert _metric("technology_introductions_accepted", earlier) == 1
    assert _metric("technology_codev_active", earlier) == 0


def test_the_technology_metrics_are_offered_to_workplan_targets():
    labels = {key: metric.label for key, metric in METRICS.items()}
    assert labels["technology_solutions_listed"] == "Technology solutions listed in the period"
    assert labels["technology_introductions_accepted"] == (
        "Technology introductions accepted in the period"
    )
    assert labels["technology_codev_active"] == "Co-development projects active in the period"
