"""Shared by the benchmark scripts: a dedicated PostgreSQL database, production-like
environment variables, running ``manage.py`` against them, and the gunicorn servers: the
portal's and the bare project's (``bench/bare_project``, the baseline), started with the
same command line."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

# The baseline: a minimal Django project of its own (one view, no middleware, no database),
# served by a gunicorn of its own with the portal's gunicorn settings.
BARE_APP = "bench.bare_project.wsgi:application"
BARE_SETTINGS = "bench.bare_project.settings"
BARE_PATH = "/bench/bare/"


def database_url(name: str) -> str:
    return f"{SERVER}/{name}"


def create_database(name: str) -> None:
    """A fresh, empty database (dropped first if it is left over from an earlier run)."""
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(db_name: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like process: PostgreSQL, Redis, DEBUG off."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "leadit.settings",
            "DATABASE_URL": database_url(db_name),
            "REDIS_URL": REDIS_URL,
            "DEBUG": "false",
            "SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(64),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    started = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode})")
    print(f"  manage.py {' '.join(args)}: {seconds:.1f} s", flush=True)
    return result


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with ``env`` (before any model import)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def flush_redis_db(url: str = REDIS_URL) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(app: str, port: int) -> list[str]:
    """The benchmarks' one gunicorn command line, the portal's and the bare project's alike:
    2 sync workers, a 60 s worker timeout, on a loopback port."""
    return [GUNICORN, app, "--workers", "2", "--worker-class", "sync",
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"]  # fmt: skip


def wait_until_up(url: str, process: subprocess.Popen, name: str, seconds: int = 60) -> None:
    """Until ``url`` answers 200 (loopback only); stops if ``process`` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # loopback only
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"{name} did not answer {url} with 200 in time")


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (master and workers), SIGKILL after 20 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_server(app: str, env: dict[str, str], ready_path: str, name: str):
    """``app`` under gunicorn (``gunicorn_command``) on a free loopback port, answering
    ``ready_path``; returns the process and its base URL. Stopped again if it never answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        gunicorn_command(app, port), cwd=ROOT, env=env, start_new_session=True
    )
    try:
        wait_until_up(base + ready_path, process, name)
    except BaseException:
        stop_server(process)
        raise
    return process, base


def start_bare_server(env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """The bare project (``bench/bare_project``) under its own gunicorn, with the portal's
    gunicorn settings and environment (``env``, the portal's) but its own
    ``DJANGO_SETTINGS_MODULE``; returns the process and its base URL (the baseline is
    ``base + BARE_PATH``). Stop it with ``stop_bare_server``."""
    bare_env = dict(os.environ if env is None else env)
    bare_env.pop("ROOT_URLCONF", None)
    bare_env.update({"DJANGO_SETTINGS_MODULE": BARE_SETTINGS, "PYTHONPATH": str(ROOT)})
    process, base = start_server(BARE_APP, bare_env, BARE_PATH, "the bare project's gunicorn")
    print(f"  bare project's gunicorn (2 sync workers) on {base}, pid {process.pid}", flush=True)
    return process, base


def stop_bare_server(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        stop_server(process)
        print("  bare project's gunicorn stopped", flush=True)
