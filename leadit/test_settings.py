"""The tiny test override: real PostgreSQL and Redis (overridable), fast hashing."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadit")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# Under ``pytest -n`` each test process (gw0, gw1, …) has its own database (pytest-django
# names it) and needs its own Redis database too: every test empties the cache, and a
# worker of one process must never take a task another process queued. Process k uses the
# database k below the one REDIS_URL names (15, 14, … by default). Subprocesses the tests
# start inherit the adjusted address.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and not os.environ.get("LEADIT_XDIST_REDIS_SET"):
    _base, _db = os.environ["REDIS_URL"].rsplit("/", 1)
    os.environ["REDIS_URL"] = f"{_base}/{(int(_db) - int(_xdist_worker[2:])) % 16}"
    os.environ["LEADIT_XDIST_REDIS_SET"] = "1"
os.environ.setdefault(
    "SECRET_KEY", "tests-only-9f3kQ2xLr8Vb1mZt7WcJ5hNd0pYs6uEa4gHi-not-for-production"
)
os.environ.setdefault("DEBUG", "false")
# Django cannot drop the test database while a pool (shared by the live server's threads)
# holds connections to it; the pooled production shape is tested in a subprocess instead.
os.environ.setdefault("DATABASE_POOL", "false")
# The test client and live server speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from leadit.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic; tests serve static files from the finders.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files straight from the source folders, as under runserver.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
