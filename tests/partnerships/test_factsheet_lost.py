"""A factsheet whose render job lost its worker for good says so, instead of "queued"
forever, so staff know to ask again."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from leadit.jobs import fail_lost_jobs
from leadit.models import BackgroundJob
from partnerships.models import Factsheet
from tests.factories.partnerships import PartnershipFactory

pytestmark = pytest.mark.django_db


def test_a_factsheet_whose_worker_was_lost_is_marked_failed():
    factsheet = Factsheet.objects.create(partnership=PartnershipFactory())
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT, hours=1)
    BackgroundJob.objects.create(
        task_name="partnerships.render_factsheet",
        arguments={"factsheet_id": factsheet.pk},
        status=BackgroundJob.Status.RUNNING,
        started_at=long_ago,
    )

    assert fail_lost_jobs() == 1

    factsheet.refresh_from_db()
    assert factsheet.status == Factsheet.Status.FAILED
    assert "No worker finished this job" in factsheet.error
