"""Waiting for the test worker to have run everything sent before."""

import time
import uuid

from django.core.cache import cache

from leadit.tasks import DIAGNOSTIC_CACHE_PREFIX, diagnostic_roundtrip


def drain_worker(timeout: float = 20.0) -> None:
    """Wait until the worker has run everything sent before: its one process handles tasks
    in order, so a diagnostic round trip sent now answers only after them."""
    token = uuid.uuid4().hex
    diagnostic_roundtrip.delay(token=token)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cache.get(DIAGNOSTIC_CACHE_PREFIX + token) is not None:
            return
        time.sleep(0.1)
    raise AssertionError(f"the worker did not answer within {timeout:g} s")
