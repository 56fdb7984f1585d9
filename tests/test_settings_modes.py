"""The one settings module in its two shapes, each read in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/leadit",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "SECRET_KEY": "k7Jd9-pQ2sW8xZ4vB6nM1cR5tY3uH0gF-prod-like-secret-for-tests-only",
    "ALLOWED_HOSTS": "portal.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
}
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from leadit.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": db["ENGINE"],
    "pool": db.get("OPTIONS", {}).get("pool"),
    "conn_max_age": db["CONN_MAX_AGE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "acks_late": app.conf.task_acks_late,
    "reject_on_worker_lost": app.conf.task_reject_on_worker_lost,
    "prefetch": app.conf.worker_prefetch_multiplier,
    "email_backend": settings.EMAIL_BACKEND,
    "session_cookie_secure": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "staff_mfa": settings.LEADIT_STAFF_MFA_REQUIRED,
}))
"""


def _run(args: list[str], extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    # A clean environment: nothing leaks in from the test run's own settings.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    env.update(extra_env, DJANGO_SETTINGS_MODULE="leadit.settings")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _settings(extra_env: dict[str, str]) -> dict:
    result = _run(["-c", SHOW_SETTINGS], extra_env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_embedded_default_needs_no_environment():
    shown = _settings({})

    # No debug pages for a person trying the portal: the site's own 403/404/500.
    assert shown["debug"] is False
    assert shown["engine"] == "django.db.backends.sqlite3"
    # Shared by every local process (the server, management commands, a shell).
    assert shown["cache"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert shown["eager"] is True
    assert shown["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert shown["staff_mfa"] is False


def test_settings_production_shape_uses_postgres_pool_and_redis():
    shown = _settings(PRODUCTION_ENV)

    assert shown["debug"] is False
    assert shown["engine"] == "django.db.backends.postgresql"
    assert shown["pool"] == {"min_size": 2, "max_size": 10, "timeout": 10}
    assert shown["conn_max_age"] == 0
    assert shown["cache"] == "leadit.redis_cache.ResilientRedisCache"
    assert shown["eager"] is False
    assert shown["broker"] == PRODUCTION_ENV["REDIS_URL"]
    assert (shown["acks_late"], shown["reject_on_worker_lost"], shown["prefetch"]) == (
        True,
        True,
        1,
    )
    assert shown["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["session_cookie_secure"] is True
    assert shown["hsts"] >= 31536000
    assert shown["staff_mfa"] is True


@pytest.mark.parametrize("secret_key", [None, "short", "django-insecure-" + "x" * 60])
def test_settings_production_refuses_to_start_without_a_real_secret_key(secret_key):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key

    result = _run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set to a long random value" in result.stderr


def test_settings_production_passes_check_deploy():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_production_database_queries_go_through_the_pool():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"}
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c: c.execute('SELECT 41 + 1'); print(c.fetchone()[0])\n"
        "print(type(connection.pool).__name__)\n"
    )

    result = _run(["-c", script], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["42", "ConnectionPool"]
