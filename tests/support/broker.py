"""The Celery broker made unreachable for a while, as when Redis is down."""

from contextlib import contextmanager

import kombu.pools

from leadit.celery import app


def _use_broker(url: str) -> None:
    app.conf.broker_url = url
    # The producer pool keeps connections to the old address: start a new one.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_unreachable():
    original = app.conf.broker_url
    _use_broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        yield
    finally:
        _use_broker(original)
