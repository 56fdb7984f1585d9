"""Celery wiring, proved with a real worker consuming from the real Redis broker."""

import time
import uuid

import pytest
from django.core.cache import cache

from leadit.celery import app
from leadit.tasks import DIAGNOSTIC_CACHE_PREFIX, diagnostic_roundtrip


def _wait_for(key: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value is not None:
            return value
        time.sleep(0.1)
    return None


@pytest.mark.django_db(transaction=True)
def test_diagnostic_task_runs_on_a_real_worker_through_redis(celery_worker):
    token = uuid.uuid4().hex

    diagnostic_roundtrip.delay(token=token)

    answer = _wait_for(DIAGNOSTIC_CACHE_PREFIX + token)
    assert answer is not None, "no worker answered within 20 s"
    assert answer.startswith("pong from ")
    assert answer.endswith("(database ok)")


def test_celery_configuration_does_not_lose_jobs():
    conf = app.conf

    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert isinstance(conf.beat_schedule, dict)
