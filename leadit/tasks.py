import logging
import socket

from celery import shared_task
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

DIAGNOSTIC_CACHE_PREFIX = "diagnostic:"


@shared_task(name="leadit.diagnostic_roundtrip")
def diagnostic_roundtrip(*, token: str) -> str:
    """Prove the wiring: a worker received this from the broker and reached the database
    and the cache. The caller reads the answer back from the cache under ``token``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (database_ok,) = cursor.fetchone()
    answer = f"pong from {socket.gethostname()} (database {'ok' if database_ok == 1 else '?'})"
    cache.set(DIAGNOSTIC_CACHE_PREFIX + token, answer, timeout=300)
    logger.info("Diagnostic task %s answered", token)
    return answer
