"""Imported (``--include``) by the Celery workers the worker-killed tests start as separate
processes. With ``LEADIT_TEST_RENDER_DELAY`` set, each PDF render first waits that many
seconds, so that the test can kill the worker in the middle of one; nothing else differs
from a production worker."""

import os
import time

import publications.documents

DELAY = float(os.environ.get("LEADIT_TEST_RENDER_DELAY", "0"))

if DELAY:
    _html_pdf = publications.documents.html_pdf

    def _slow_html_pdf(*args, **kwargs):
        time.sleep(DELAY)
        return _html_pdf(*args, **kwargs)

    publications.documents.html_pdf = _slow_html_pdf
