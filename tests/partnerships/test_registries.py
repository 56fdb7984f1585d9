"""What partnerships adds to the home page, the newsletter and the workplan: public, real
records only, in a fixed number of queries."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leadit.home import HOME_NUMBERS
from leadit.newsletter_sections import NEWSLETTER_SECTIONS, Quarter
from partnerships.models import PipelineProject, SupportCommitment, SupportRequest, Visibility
from tests.factories.partnerships import (
    PartnershipFactory,
    PipelineProjectFactory,
    PipelineStageChangeFactory,
    SupportCommitmentFactory,
    SupportRequestFactory,
)
from tests.factories.workplan import WorkplanFactory
from workplan.metrics import METRICS

pytestmark = pytest.mark.django_db

Q3_2025 = Quarter(2025, 3, timezone.make_aware(datetime(2025, 10, 15, 9)))
HIDDEN = (Visibility.MEMBERS, Visibility.SECRETARIAT)


def _numbers() -> dict[str, object]:
    return {number.label: number for number in HOME_NUMBERS["partnerships"].compute()}


def _asked_on(request: SupportRequest, day: date) -> SupportRequest:
    moment = timezone.make_aware(datetime.combine(day, time(9)))
    SupportRequest.objects.filter(pk=request.pk).update(created_at=moment)
    return request


def _real_world(size: int):
    """``size`` public real records of each kind in Q3 2025, and as many hidden or demo."""
    real = PartnershipFactory(is_demo=False, name="Real partnership")
    PartnershipFactory(is_demo=True)
    for n in range(size):
        request = _asked_on(
            SupportRequestFactory(partnership=real, is_demo=False, title=f"Public need {n}"),
            date(2025, 7, 10),
        )
        SupportCommitmentFactory(
            request=request, is_demo=False, amount_usd=Decimal("1500000"),
            agreed_on=date(2025, 8, 1),
        )  # fmt: skip
        project = PipelineProjectFactory(
            partnership=real, is_demo=False, name=f"Public plant {n}",
            stage=PipelineProject.Stage.FINANCIAL_CLOSE,
        )  # fmt: skip
        PipelineStageChangeFactory(project=project, changed_on=date(2025, 9, 1))
    for n, visibility in enumerate(HIDDEN * size):
        hidden = _asked_on(
            SupportRequestFactory(
                partnership=real, is_demo=False, visibility=visibility, title=f"Hidden need {n}"
            ),
            date(2025, 7, 11),
        )
        SupportCommitmentFactory(request=hidden, is_demo=False, agreed_on=date(2025, 8, 2))
        project = PipelineProjectFactory(
            partnership=real, is_demo=False, visibility=visibility, name=f"Hidden plant {n}",
            stage=PipelineProject.Stage.OPERATING,
        )  # fmt: skip
        PipelineStageChangeFactory(project=project, changed_on=date(2025, 9, 2))
    return real


# --- Home page -------------------------------------------------------------------------------


def test_home_numbers_count_public_real_records_and_say_how_many_demo_partnerships_are_left_out():
    _real_world(2)
    SupportRequestFactory(is_demo=True)  # a demo request of a demo partnership
    SupportRequestFactory(
        partnership=PartnershipFactory(is_demo=False), is_demo=False,
        status=SupportRequest.Status.SUPPORTED,
    )  # fmt: skip

    numbers = _numbers()

    partnerships = numbers["industry transition partnerships"]
    assert partnerships.value == 2
    assert partnerships.note == "2 demo partnerships (invented) not counted."
    assert numbers["open requests for support"].value == 2
    assert numbers["million US dollars committed (agreed or delivered)"].value == 3
    assert numbers["pipeline projects past financial close"].value == 2


def test_home_numbers_take_the_same_queries_at_two_sizes():
    _real_world(1)
    with CaptureQueriesContext(connection) as small:
        HOME_NUMBERS["partnerships"].compute()
    _real_world(6)
    with CaptureQueriesContext(connection) as large:
        HOME_NUMBERS["partnerships"].compute()
    assert len(small) == len(large) == 4


# --- Newsletter ------------------------------------------------------------------------------


def _section(quarter: Quarter = Q3_2025):
    return NEWSLETTER_SECTIONS["partnerships"].collect(quarter)


def test_the_newsletter_section_tells_new_requests_commitments_and_stage_gates_of_public_records():
    real = _real_world(1)
    # Outside the quarter: not news of Q3.
    _asked_on(SupportRequestFactory(partnership=real, title="Older need"), date(2025, 3, 1))

    items = _section()

    titles = [item.title for item in items]
    assert titles == [
        "New request: Public need 0",
        f"{SupportCommitment.objects.filter(request__title='Public need 0').get().member}"
        " supports: Public need 0",
        "Public plant 0: Financial close (FID)",
    ]
    assert all("Hidden" not in item.title + item.text for item in items)
    assert [item.date for item in items] == [date(2025, 7, 10), date(2025, 8, 1), date(2025, 9, 1)]
    assert items[0].url == SupportRequest.objects.get(title="Public need 0").get_absolute_url()
    assert "Demo record (invented)." not in items[0].text


def test_the_newsletter_labels_demo_records_and_leaves_out_pauses_and_drops():
    request = _asked_on(SupportRequestFactory(title="Kiln study (demo)"), date(2025, 8, 5))
    paused = PipelineProjectFactory(name="Paused plant (demo)", stage=PipelineProject.Stage.ON_HOLD)
    PipelineStageChangeFactory(project=paused, changed_on=date(2025, 8, 6))

    items = _section()

    assert [item.title for item in items] == [f"New request: {request.title}"]
    assert items[0].text.endswith("Demo record (invented).")


def test_the_newsletter_section_takes_the_same_queries_at_two_sizes():
    _real_world(1)
    with CaptureQueriesContext(connection) as small:
        assert len(_section()) == 3
    _real_world(5)
    with CaptureQueriesContext(connection) as large:
        assert len(_section()) == 18
    assert len(small) == len(large) == 3


# --- Workplan metrics ------------------------------------------------------------------------


def _metric(key: str, workplan):
    return METRICS[key].compute(workplan, {})


def test_workplan_metrics_count_public_real_support_and_projects_of_the_period():
    _real_world(3)
    workplan = WorkplanFactory(period_start=date(2025, 1, 1), period_end=date(2025, 12, 31))
    earlier = WorkplanFactory(period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    SupportCommitmentFactory(agreed_on=date(2025, 5, 1))  # demo: never counted

    assert _metric("partnership_requests_supported", workplan) == 3
    assert _metric("partnership_usd_committed", workplan) == Decimal("4500000")
    assert _metric("partnership_projects_past_fid", workplan) == 3
    assert _metric("partnership_requests_supported", earlier) == 0
    assert _metric("partnership_projects_past_fid", earlier) == 0


def test_a_committed_amount_without_a_us_dollar_value_makes_the_total_not_recorded():
    _real_world(1)
    workplan = WorkplanFactory(period_start=date(2025, 1, 1), period_end=date(2025, 12, 31))
    SupportCommitmentFactory(
        request=SupportRequestFactory(is_demo=False, partnership=PartnershipFactory(is_demo=False)),
        is_demo=False, amount=Decimal("900"), currency="XOF", amount_usd=None,
        agreed_on=date(2025, 6, 1),
    )  # fmt: skip

    assert _metric("partnership_usd_committed", workplan) is None


def test_a_project_that_reached_fid_before_the_period_is_not_counted_again_for_construction():
    project = PipelineProjectFactory(is_demo=False, stage=PipelineProject.Stage.CONSTRUCTION)
    PipelineStageChangeFactory(project=project, stage="fid", changed_on=date(2024, 11, 1))
    PipelineStageChangeFactory(project=project, stage="construction", changed_on=date(2025, 3, 1))
    workplan = WorkplanFactory(period_start=date(2025, 1, 1), period_end=date(2025, 12, 31))

    assert _metric("partnership_projects_past_fid", workplan) == 0
