"""Benchmark: the portal under faults (issue 12), end to end on the production shape.

Everything runs on loopback and is started by this script: its own Redis
(``redis-server --port <free port> --save "" --appendonly no``), its own PostgreSQL database
(``leadit_faults``: migrated, ``seed_demo``), gunicorn with 2 sync workers, a Celery worker
(prefork, concurrency 2) and beat, and an SMTP sink (aiosmtpd, in this process). A worker or
beat process that exits when nobody meant it to is started again, as the restart policies
of ``docker-compose.yml`` and ``docs/deploy/`` do, and the exit is reported.

Scenarios:

1. **Redis stopped** for ``--outage`` seconds (15) while staff (a signed-in session, CSRF
   and all) publish two draft briefs in the admin and people sign in (``POST
   /accounts/login/``), and the public browses ``/members/``, ``/tracker/`` and
   ``/publications/``. Bars: 0 × 500 on staff actions and logins; once Redis is back the
   published briefs are on the public pages, in every web process, at once (Redis comes
   back with what it held: the script saves it just before stopping it, as the
   production Redis keeps its data with ``--appendonly yes``, so the pages cached before
   the outage are back too).
2. **Redis stopped while 3 PDF renders run** in the worker. Bar: 0 finished PDFs
   discarded: every document done, its file on disk, no orphan file under
   ``MEDIA_ROOT/publications/pdf``.
3. **Redis hung** (SIGSTOP). Bar: ``/healthz`` answers within 3 s with a 503 naming the
   cache and the broker; after SIGCONT it answers 200 again.
4. **``pg_terminate_backend``** of every backend of ``leadit_faults``, then 30 requests to
   ``/members/`` (each with a query string of its own, so each one misses the page cache
   and reaches the database), ``/healthz`` and a staff sign-in. Bar: 0 failed requests.
5. **The worker SIGKILLed** 4 s into a 60-page render and started again. Bar: the render
   redone (document done, the PDF served publicly with 200) within 90 s of the kill.
6. **Newsletter to 500 subscribers**, the worker SIGKILLed mid-send and started again.
   Bar: 0 duplicate e-mails at the sink.

For each scenario it prints the HTTP errors seen (5xx, and which URLs; requests that got
no answer), work lost, work duplicated and seconds to recover, then a summary with PASS/FAIL
per bar. The gunicorn, worker and beat logs are kept (their folder is printed) when a bar
fails, with the traceback of every 500 printed from the gunicorn log.

    .venv/bin/python bench/faults.py [--outage 15] [--keep-db] [--keep-tmp] [--timeout 600]

PostgreSQL at ``BENCH_PG_SERVER`` (default ``postgres://postgres@127.0.0.1:5432``). About
5–6 minutes. Everything it started is stopped at the end, also on error or timeout.
"""

import argparse
import contextlib
import datetime
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    create_database,
    database_url,
    drop_database,
    manage,
    production_env,
    setup_django,
)
from bench.publications_render import brief_body  # noqa: E402
from bench.publications_send import Sink, make_issue  # noqa: E402
from bench.publications_send import seed as seed_subscribers  # noqa: E402

DB_NAME = "leadit_faults"
VENV = ROOT / ".venv" / "bin"
STAFF_EMAIL, MEMBER_EMAIL = "officer@faults.example", "editor@faults.example"
PASSWORD = secrets.token_urlsafe(16)
HTTP_TIMEOUT = 35.0  # past gunicorn's own 30 s worker timeout: a hang shows as a hang
HEALTHZ_BAR, REDONE_BAR = 3.0, 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- HTTP: a recorder of every request, browsers with cookies ----------------------------------


class Recorder:
    """Every request made, with its scenario, who made it, status and seconds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[dict] = []
        self.scenario = "setup"

    def add(self, **row) -> None:
        with self.lock:
            self.rows.append({"scenario": self.scenario, "at": time.monotonic(), **row})

    def of(self, scenario: str) -> list[dict]:
        with self.lock:
            return [r for r in self.rows if r["scenario"] == scenario]


class _PlainHttpCookies(http.cookiejar.DefaultCookiePolicy):
    # Production cookies are Secure; on loopback the bench speaks plain HTTP to gunicorn
    # (as a TLS-terminating proxy would), so the browser sends them back anyway.
    def return_ok_secure(self, cookie, request):
        return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor: cookies (or none, ``anonymous``), CSRF tokens from the forms shown."""

    def __init__(self, base: str, recorder: Recorder, who: str, anonymous: bool = False):
        self.base, self.recorder, self.who = base, recorder, who
        handlers = [_NoRedirect]
        if not anonymous:
            self.jar = http.cookiejar.CookieJar(policy=_PlainHttpCookies())
            handlers.append(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, method: str, path: str, data: dict | None = None, timeout=HTTP_TIMEOUT):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Origin": self.base} if method == "POST" else {}
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers=headers)  # fmt: skip
        started = time.monotonic()
        location = ""
        try:
            with self.opener.open(request, timeout=timeout) as response:  # loopback only
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
            location = error.headers.get("Location", "")
        except OSError as error:  # refused, reset, timed out: no answer at all
            status, content = 0, str(error).encode()
        seconds = time.monotonic() - started
        self.recorder.add(who=self.who, method=method, path=path, status=status,
                          seconds=seconds, location=location)  # fmt: skip
        return status, content.decode("utf-8", "replace"), location, seconds

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, form_path: str, data: dict, post_path: str | None = None):
        """GET the form (for its CSRF token), then POST ``data`` to it."""
        status, html, _location, _seconds = self.get(form_path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not match:
            return status, html, "", 0.0
        return self.request("POST", post_path or form_path,
                            {**data, "csrfmiddlewaretoken": match.group(1)})  # fmt: skip


def sign_in(base: str, recorder: Recorder, email: str, who: str) -> tuple[Browser, bool, float]:
    """A new visitor signs in: the login form, then its POST. (browser, ok, seconds)"""
    browser = Browser(base, recorder, who)
    started = time.monotonic()
    status, _html, location, _ = browser.post_form(
        "/accounts/login/", {"login": email, "password": PASSWORD}
    )
    ok = status == 302 and "/accounts/login" not in location
    return browser, ok, time.monotonic() - started


class PublicTraffic:
    """Anonymous visitors browsing ``paths`` in a loop (one thread), while ``with``."""

    def __init__(self, base: str, recorder: Recorder, paths: list[str], pause: float = 0.2):
        self.browser = Browser(base, recorder, "public", anonymous=True)
        self.paths, self.pause = paths, pause
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self.stop.is_set():
            self.browser.get(self.paths[n % len(self.paths)])
            n += 1
            self.stop.wait(self.pause)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=HTTP_TIMEOUT + 5)


class KillingSink(Sink):
    """The send bench's sink (messages counted per issue and recipient), which SIGKILLs the
    process group ``victim`` the moment the watched issue reaches its count: in the middle
    of a batch, before the message that reached it is answered."""

    victim: int | None = None
    killed_at_count = 0

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.victim is not None and self.reached.is_set():
            victim, self.victim = self.victim, None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(victim, signal.SIGKILL)
            self.killed_at_count = self.per_subject[self.watch_subject]
        return answer


# --- The processes ---------------------------------------------------------------------------------


class Process:
    """A subprocess in a session of its own (killed as a group), logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict, logfile: Path):
        self.name, self.args, self.env, self.logfile = name, args, env, logfile
        self.process: subprocess.Popen | None = None
        self.supervised = False
        self.unexpected_exits: list[str] = []

    def start(self) -> None:
        with self.logfile.open("a") as out:
            out.write(f"\n=== {time.strftime('%H:%M:%S')} started: {' '.join(self.args)}\n")
            out.flush()
            self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT,
                                            start_new_session=True)  # fmt: skip

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        if self.alive():
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self, timeout: float = 20) -> None:
        self.supervised = False
        if self.alive():
            self.signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Supervisor(threading.Thread):
    """Starts again a supervised worker or beat that exits (``restart: unless-stopped``)."""

    def __init__(self, processes: list[Process], recorder: Recorder):
        super().__init__(daemon=True)
        self.processes, self.recorder = processes, recorder
        self.halt = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        while not self.halt.wait(0.5):
            with self.lock:
                for proc in self.processes:
                    if proc.supervised and proc.process and proc.process.poll() is not None:
                        note = (f"{proc.name} exited with {proc.process.returncode} during "
                                f"scenario {self.recorder.scenario}; started again")  # fmt: skip
                        proc.unexpected_exits.append(note + "\n" + proc.tail(15))
                        log("!! " + note)
                        proc.start()


class RedisServer:
    def __init__(self, port: int, folder: Path):
        self.port, self.folder = port, folder
        self.process: subprocess.Popen | None = None
        self.paused = False

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--logfile",
             str(self.folder / "redis.log")],
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline:
                raise SystemExit(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def client(self, timeout: float = 1.0):
        import redis

        return redis.Redis(port=self.port, socket_timeout=timeout, socket_connect_timeout=timeout)

    def answers(self) -> bool:
        try:
            return bool(self.client(0.5).ping())
        except Exception:
            return False

    def stop(self) -> None:
        """Stop it; it comes back (``start``) with what it held, as a Redis with
        persistence does (``--appendonly yes`` in production): saved just before."""
        self.client().save()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.paused = False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            if self.paused:
                self.resume()
            self.process.kill()
            self.process.wait(timeout=10)


# --- Checks on the database and the media folder ---------------------------------------------------


def wait_for(predicate, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(step)
    return None


def pdf_files(media: Path) -> set[str]:
    folder = media / "publications" / "pdf"
    return {f"publications/pdf/{p.name}" for p in folder.iterdir()} if folder.exists() else set()


def referenced_files() -> set[str]:
    from publications.models import RenderedDocument

    return set(RenderedDocument.objects.exclude(file="").values_list("file", flat=True))


def close_db() -> None:
    from django.db import connections

    connections.close_all()


def tracebacks(gunicorn_log: Path, paths: set[str]) -> list[str]:
    """The log records (with their tracebacks) of Django's 5xx answers to ``paths``, and
    gunicorn's own critical lines (a worker killed by its timeout)."""
    try:
        text = gunicorn_log.read_text(errors="replace")
    except OSError:
        return []
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d |\[\d{4}-)", text)
    found = []
    for record in records:
        match = re.search(r"(Internal Server Error|Service Unavailable|Gateway Timeout): (\S+)",
                          record.split("\n", 1)[0])  # fmt: skip
        if (match and match.group(2).split("?")[0] in paths) or "[CRITICAL]" in record:
            found.append(record if len(record) < 4000 else f"{record[:900]}\n  …\n{record[-2500:]}")
    return found


# --- The scenarios ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, args, tmp: Path):
        self.args, self.tmp = args, tmp
        self.media = tmp / "media"
        self.recorder = Recorder()
        self.results: list[dict] = []
        self.redis = RedisServer(free_port(), tmp)
        self.web_port, self.smtp_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.env = production_env(
            DB_NAME,
            REDIS_URL=f"redis://127.0.0.1:{self.redis.port}/0",
            SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            STAFF_MFA_REQUIRED="false",
            EMAIL_URL=f"smtp://127.0.0.1:{self.smtp_port}",
            SITE_URL=self.base,
            DEFAULT_FROM_EMAIL="LeadIT Secretariat <secretariat@leadit.example>",
            VAR_DIR=str(tmp / "var"),
            MEDIA_ROOT=str(self.media),
            STATIC_ROOT=str(tmp / "static"),
        )
        worker_env = {**self.env, "LOG_LEVEL": "INFO"}
        self.gunicorn = Process(
            "gunicorn",
            [str(VENV / "gunicorn"), "leadit.wsgi:application", "--workers", "2",
             "--worker-class", "sync", "--bind", f"127.0.0.1:{self.web_port}",
             "--log-level", "warning", "--access-logfile", str(tmp / "access.log"),
             "--access-logformat", '%(t)s pid=%(p)s "%(r)s" %(s)s %(B)s %(L)ss'],
            self.env, tmp / "gunicorn.log",
        )  # fmt: skip
        self.worker = Process(
            "worker",
            [str(VENV / "celery"), "-A", "leadit", "worker", "--pool=prefork",
             "--concurrency=2", "--loglevel=INFO", "-n", f"faults-{os.getpid()}@%h"],
            worker_env, tmp / "worker.log",
        )  # fmt: skip
        self.beat = Process(
            "beat",
            [str(VENV / "celery"), "-A", "leadit", "beat", "--loglevel=INFO", "--schedule",
             str(tmp / "celerybeat-schedule")],
            worker_env, tmp / "beat.log",
        )  # fmt: skip
        self.supervisor = Supervisor([self.worker, self.beat], self.recorder)
        self.sink = KillingSink()
        self.controller = None
        self.undone: list[str] | None = None

    # --- set-up and tear-down -------------------------------------------------------------

    def setup(self) -> None:
        log(f"database {DB_NAME}, Redis on port {self.redis.port}, files under {self.tmp}")
        self.media.mkdir()
        create_database(DB_NAME)
        self.redis.start()
        manage(self.env, "migrate", "--noinput", "--skip-checks")
        manage(self.env, "seed_demo", "--allow-production", timeout=400)
        manage(self.env, "collectstatic", "--noinput", "-v", "0")
        setup_django(self.env)
        import logging

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.seed()
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.smtp_port)
        self.controller.start()
        self.gunicorn.start()
        ok = wait_for(lambda: self.get_status("/healthz") == 200, 60, 0.3)
        if not ok:
            raise SystemExit("gunicorn did not answer /healthz with 200:\n" + self.gunicorn.tail())
        self.worker.start()
        self.beat.start()
        from leadit.celery import app

        if not wait_for(lambda: app.control.ping(timeout=0.5), 60, 0.1):
            raise SystemExit("the worker did not answer:\n" + self.worker.tail())
        self.worker.supervised = self.beat.supervised = True
        self.supervisor.start()
        log(f"gunicorn (2 workers) on {self.base}, worker (prefork, 2) and beat up")

    def get_status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def seed(self) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model

        from publications.models import Brief

        User = get_user_model()
        for email, staff in ((STAFF_EMAIL, True), (MEMBER_EMAIL, False)):
            user = User.objects.create_user(username=email, email=email, password=PASSWORD,
                                            is_staff=staff, is_superuser=staff)  # fmt: skip
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        self.drafts = [
            Brief.objects.create(
                title=f"Faults bench draft {letter}: lead markets for green cement",
                slug=f"faults-draft-{letter.lower()}",
                summary="A draft published during a Redis outage.",
                body=brief_body(1),
                authors="A. Author",
                status="draft",
            )
            for letter in "AB"
        ]
        self.render_briefs = [
            Brief.objects.create(
                title=f"Faults bench render {n}", slug=f"faults-render-{n}",
                summary="Rendered while Redis stops.", body=brief_body(self.args.sections),
                authors="A. Author", status="published", published_on=datetime.date(2025, 3, 1),
            )
            for n in (1, 2, 3)
        ]  # fmt: skip
        self.large_brief = Brief.objects.create(
            title="Faults bench: a 60-page brief", slug="faults-large",
            summary="Its worker is killed.", body=brief_body(self.args.large_sections),
            authors="A. Author", status="published", published_on=datetime.date(2025, 3, 2),
        )  # fmt: skip
        seed_subscribers(self.args.subscribers)
        close_db()

    def teardown(self) -> None:
        self.supervisor.halt.set()
        for proc in (self.beat, self.worker, self.gunicorn):
            try:
                proc.stop()
            except Exception as error:  # keep stopping the others
                log(f"could not stop {proc.name}: {error}")
        self.redis.kill()
        if self.controller is not None:
            self.controller.stop()
        with contextlib.suppress(Exception):
            close_db()
        if not self.args.keep_db:
            drop_database(DB_NAME)
            log(f"dropped database {DB_NAME}")

    # --- helpers -------------------------------------------------------------------------

    def begin(self, number: int, title: str) -> None:
        self.recorder.scenario = str(number)
        print(flush=True)
        log(f"--- scenario {number}: {title}")

    def http_summary(self, number: int) -> dict:
        """The requests of scenario ``number``: 5xx answers (a 503 from ``/healthz`` while a
        service is down is its job, counted apart), requests that got no answer."""
        rows = self.recorder.of(str(number))
        expected = [r for r in rows if r["who"] == "probe" and r["status"] == 503]
        errors = [r for r in rows if r["status"] >= 500 and r not in expected]
        no_answer = [r for r in rows if r["status"] == 0]
        slowest = max(rows, key=lambda r: r["seconds"], default=None)
        return {
            "requests": len(rows),
            "5xx": len(errors),
            "5xx_urls": Counter(f"{r['method']} {r['path']} → {r['status']}" for r in errors),
            "expected_503": len(expected),
            "no_answer": len(no_answer),
            "no_answer_urls": Counter(f"{r['method']} {r['path']}" for r in no_answer),
            "slowest": slowest["seconds"] if slowest else 0.0,
            "slowest_url": f"{slowest['method']} {slowest['path']}" if slowest else "",
        }

    def worker_restarted_by_hand(self) -> None:
        with self.supervisor.lock:
            self.worker.supervised = False
            self.worker.kill()
            self.worker.start()
            self.worker.supervised = True

    def report(self, number: int, name: str, http: dict, lost: str, duplicated: str,
               recover: float | None, bars: list[tuple[str, bool]], notes: list[str]) -> None:  # fmt: skip
        result = {"number": number, "name": name, "http": http, "lost": lost,
                  "duplicated": duplicated, "recover": recover, "bars": bars, "notes": notes}  # fmt: skip
        self.results.append(result)
        urls = "; ".join(f"{k} ×{v}" for k, v in http["5xx_urls"].items()) or "none"
        print(f"  HTTP: {http['requests']} requests, {http['5xx']} × 5xx ({urls}); "
              f"{http['no_answer']} without an answer"
              + (f" ({'; '.join(f'{k} ×{v}' for k, v in http['no_answer_urls'].items())})"
                 if http["no_answer"] else "")
              + (f"; {http['expected_503']} × 503 from /healthz while Redis was away (its job)"
                 if http["expected_503"] else "")
              + f"; slowest {http['slowest']:.2f} s ({http['slowest_url']})")  # fmt: skip
        print(f"  work lost: {lost}")
        print(f"  work duplicated: {duplicated}")
        print(f"  seconds to recover: {'—' if recover is None else f'{recover:.1f}'}")
        for note in notes:
            print(f"  {note}")
        for label, ok in bars:
            print(f"  bar: {label} → {'PASS' if ok else 'FAIL'}")

    # --- 1. Redis stopped during staff work, sign-ins and browsing --------------------------

    def scenario_1(self) -> None:
        from publications.models import Brief

        self.begin(1, f"Redis stopped for {self.args.outage:.0f} s during staff work")
        public_paths = ["/members/", "/tracker/", "/publications/"]
        anonymous = Browser(self.base, self.recorder, "public", anonymous=True)
        for path in [*public_paths, *(f"/publications/{d.slug}/" for d in self.drafts)] * 2:
            anonymous.get(path)  # cached in Redis (the draft pages: 404)
        staff, ok, _seconds = sign_in(self.base, self.recorder, STAFF_EMAIL, "login")
        if not ok:
            raise SystemExit("the staff sign-in failed before any fault:\n" + self.gunicorn.tail())
        staff.who = "staff"
        staff.get("/admin/publications/brief/")
        publish_status = {}

        def publish(brief) -> None:
            status, _html, location, seconds = staff.post_form(
                "/admin/publications/brief/",
                {"action": "publish", "_selected_action": [brief.pk], "index": "0"},
            )
            publish_status[brief.slug] = (status, seconds)
            log(f"  staff publish {brief.slug}: {status} in {seconds:.2f} s")

        def login(email: str) -> None:
            _browser, ok, seconds = sign_in(self.base, self.recorder, email, "login")
            log(f"  sign-in {email}: {'ok' if ok else 'FAILED'} in {seconds:.2f} s")
            logins.append(ok)

        logins: list[bool] = []
        outage = self.args.outage
        plan = [
            (1.0, lambda: publish(self.drafts[0])),
            (3.0, lambda: login(STAFF_EMAIL)),
            (5.0, lambda: login(MEMBER_EMAIL)),
            (7.0, lambda: staff.get("/admin/members/member/")),
            (outage - 6, lambda: publish(self.drafts[1])),
            (outage - 4, lambda: login(STAFF_EMAIL)),
            (outage - 2, lambda: staff.get("/admin/")),
        ]
        with PublicTraffic(self.base, self.recorder, public_paths):
            time.sleep(1)
            self.redis.stop()
            stopped = time.monotonic()
            log("  Redis stopped (SIGTERM; its data saved just before)")
            for offset, action in plan:
                time.sleep(max(0.0, stopped + offset - time.monotonic()))
                action()
            time.sleep(max(0.0, stopped + outage - time.monotonic()))
            self.redis.start()
            back = time.monotonic()
            log(f"  Redis started again after {back - stopped:.1f} s")
            # Straight away, as fast as a visitor can, from both web processes: is any
            # answer a page cached before the outage (stale)? And when is /healthz 200?
            watcher = Browser(self.base, self.recorder, "public", anonymous=True)
            probe = Browser(self.base, self.recorder, "probe", anonymous=True)
            stale, fresh_since, checks, health_at = 0, None, 0, None
            stale_seen: list[str] = []
            while time.monotonic() - back < 8 or (
                health_at is None and time.monotonic() - back < 30
            ):
                for brief in self.drafts:
                    status, html, _l, _s = watcher.get("/publications/")
                    detail, _h, _l, _s = watcher.get(f"/publications/{brief.slug}/")
                    checks += 1
                    if status != 200 or brief.title not in html or detail != 200:
                        stale += 1
                        fresh_since = None
                        stale_seen.append(
                            f"+{time.monotonic() - back:.2f} s: /publications/ {status}"
                            f"{'' if brief.title in html else ' without ' + brief.slug}, "
                            f"/publications/{brief.slug}/ {detail}"
                        )
                    elif fresh_since is None:
                        fresh_since = time.monotonic() - back
                if health_at is None and probe.get("/healthz", timeout=5)[0] == 200:
                    health_at = time.monotonic() - back
                time.sleep(0.05)
            recovered = (max(fresh_since, health_at)
                         if fresh_since is not None and health_at is not None else None)  # fmt: skip
        published = Brief.objects.filter(
            pk__in=[d.pk for d in self.drafts], status="published"
        ).count()
        close_db()
        http = self.http_summary(1)
        staff_500s = [r for r in self.recorder.of("1")
                      if r["who"] in ("staff", "login") and r["status"] >= 500]  # fmt: skip
        lost = f"{len(self.drafts) - published} of {len(self.drafts)} briefs published in the admin are not published"
        self.report(
            1, "Redis stopped: staff, sign-ins, browsing", http, lost, "—",
            recovered,
            [
                ("0 × 500 on staff actions and logins", not staff_500s
                 and all(s == 302 for s, _ in publish_status.values()) and all(logins)),
                ("the published briefs shown once Redis is back (0 stale answers)",
                 stale == 0 and published == len(self.drafts)),
            ],
            [
                f"staff publishes: {publish_status}; sign-ins ok {sum(logins)}/{len(logins)}",
                f"after Redis came back: {stale} stale of {checks} checks of /publications/ "
                f"and the briefs' pages in 8 s; /healthz 200 after "
                f"{'—' if health_at is None else f'{health_at:.1f}'} s",
                *(f"stale answer {line}" for line in stale_seen[:12]),
            ],
        )  # fmt: skip

    # --- 2. Redis stopped while 3 renders run --------------------------------------------

    def scenario_2(self) -> None:
        from django.db import transaction

        from leadit.models import BackgroundJob
        from publications.documents import document_request_render
        from publications.models import RenderedDocument

        self.begin(2, "Redis stopped while 3 PDF renders run")
        docs = []
        with transaction.atomic():
            for brief in self.render_briefs:
                docs.append(document_request_render(publication=brief))
        ids = [d.pk for d in docs]

        def running() -> int:
            return RenderedDocument.objects.filter(pk__in=ids, status="running").count()

        with PublicTraffic(self.base, self.recorder, ["/publications/", "/members/"], 0.5):
            if not wait_for(lambda: running() >= 2, 60, 0.05):
                log("  !! 2 renders never ran at once; stopping Redis anyway")
            self.redis.stop()
            stopped = time.monotonic()
            log(f"  Redis stopped with {running()} renders running")
            # Down until the running renders have finished (+2 s), at least 10 s.
            wait_for(lambda: running() == 0, 60, 0.2)
            finished_during = RenderedDocument.objects.filter(
                pk__in=ids, finished_at__isnull=False
            ).count()
            time.sleep(max(2.0, stopped + 10 - time.monotonic()))
            self.redis.start()
            back = time.monotonic()
            log(f"  Redis started again after {back - stopped:.1f} s; "
                f"{finished_during} render(s) finished while it was down")  # fmt: skip

            def all_final() -> bool:
                rows = list(RenderedDocument.objects.filter(pk__in=ids))
                jobs = BackgroundJob.objects.filter(pk__in=[r.job_id for r in rows])
                return all(r.status in ("done", "failed") for r in rows) and all(
                    j.status in ("done", "failed") for j in jobs
                )

            settled = wait_for(all_final, 120, 0.3)
            recovered = time.monotonic() - back if settled else None
        rows = list(RenderedDocument.objects.filter(pk__in=ids).order_by("pk"))
        done = [
            r for r in rows if r.status == "done" and r.file and (self.media / r.file.name).exists()
        ]
        on_disk = pdf_files(self.media)
        referenced = referenced_files()
        orphans = on_disk - referenced
        missing = {r.file.name for r in rows if r.file} - on_disk
        jobs = Counter(
            BackgroundJob.objects.filter(pk__in=[r.job_id for r in rows]).values_list(
                "status", flat=True
            )
        )
        attempts = [r.attempts for r in rows]
        close_db()
        failed = [f"#{r.pk} {r.status}: {r.last_error[:200]}" for r in rows if r not in done]
        self.report(
            2, "Redis stopped during 3 renders", self.http_summary(2),
            f"{len(rows) - len(done)} of {len(rows)} renders not done; {len(orphans)} orphan "
            f"file(s) ({len(on_disk)} files on disk, {len(referenced & on_disk)} referenced); "
            f"{len(missing)} referenced file(s) missing",
            f"render attempts per document {attempts}",
            recovered,
            [("0 finished PDFs discarded (all done, files referenced, 0 orphans)",
              len(done) == len(rows) and not orphans and not missing)],
            [f"{finished_during} render(s) finished during the outage; jobs {dict(jobs)}",
             *failed],
        )  # fmt: skip

    # --- 3. Redis hung ----------------------------------------------------------------------

    def scenario_3(self) -> None:
        self.begin(3, "Redis hung (SIGSTOP)")
        probe = Browser(self.base, self.recorder, "probe", anonymous=True)
        before = probe.get("/healthz")[0]
        with PublicTraffic(self.base, self.recorder, ["/members/", "/tracker/"], 0.3):
            self.redis.pause()
            paused = time.monotonic()
            log("  Redis SIGSTOPped")
            time.sleep(1)
            status, body, _l, seconds = probe.get("/healthz")
            try:
                checks = json.loads(body).get("checks", {})
            except ValueError:
                checks = {"body": body[:200]}
            log(f"  /healthz: {status} in {seconds:.2f} s: {checks}")
            _b, login_ok, login_seconds = sign_in(self.base, self.recorder, MEMBER_EMAIL, "login")
            log(f"  sign-in while hung: {'ok' if login_ok else 'FAILED'} ({login_seconds:.2f} s)")
            second = probe.get("/healthz")
            time.sleep(max(0.0, paused + 8 - time.monotonic()))
            self.redis.resume()
            resumed = time.monotonic()
            log("  Redis SIGCONTed")
            healthy = wait_for(lambda: probe.get("/healthz", timeout=10)[0] == 200, 30, 0.2)
            recovered = time.monotonic() - resumed if healthy else None
        named = all(checks.get(k) in ("error", "timeout") for k in ("cache", "broker"))
        self.report(
            3, "Redis hung: /healthz", self.http_summary(3), "—", "—", recovered,
            [
                (f"/healthz 503 naming cache and broker within {HEALTHZ_BAR:.0f} s",
                 status == 503 and named and seconds <= HEALTHZ_BAR
                 and second[0] == 503 and second[3] <= HEALTHZ_BAR),
                ("/healthz 200 after SIGCONT", before == 200 and healthy is not None),
                ("sign-in while hung: not a 500", login_ok),
            ],
            [f"/healthz before: {before}; hung: {status} in {seconds:.2f} s {checks}, again "
             f"{second[0]} in {second[3]:.2f} s; sign-in {login_seconds:.2f} s"],
        )  # fmt: skip

    # --- 4. PostgreSQL backends terminated ----------------------------------------------------

    def scenario_4(self) -> None:
        import psycopg

        self.begin(4, "pg_terminate_backend of every backend of the portal")
        warm = Browser(self.base, self.recorder, "warm-up", anonymous=True)
        for n in range(8):  # both web processes hold pooled connections
            warm.get(f"/members/?warm={n}")
        self.recorder.rows = [r for r in self.recorder.rows if r["who"] != "warm-up"]
        close_db()
        with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
            terminated = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [DB_NAME],
            ).fetchone()[0]
        killed_at = time.monotonic()
        log(f"  terminated {terminated} backends")
        visitor = Browser(self.base, self.recorder, "public", anonymous=True)
        statuses, first_ok = [], None
        for n in range(30):
            statuses.append(visitor.get(f"/members/?probe={n}")[0])
            if statuses[-1] == 200 and first_ok is None:
                first_ok = time.monotonic() - killed_at
        health = visitor.get("/healthz")[0]
        _b, login_ok, _seconds = sign_in(self.base, self.recorder, STAFF_EMAIL, "login")
        seconds = time.monotonic() - killed_at
        failed = sum(1 for s in statuses if s != 200)
        took = sorted(r["seconds"] for r in self.recorder.of("4") if "probe=" in r["path"])
        first_three = [r["seconds"] for r in self.recorder.of("4") if "probe=" in r["path"]][:3]
        self.report(
            4, "PostgreSQL backends terminated", self.http_summary(4),
            f"{failed} of 30 /members/ requests failed", "—",
            first_ok,
            [("0 failed requests after the terminate (30 × /members/, /healthz, staff sign-in)",
              failed == 0 and health == 200 and login_ok)],
            [f"{terminated} backends terminated; /members/ statuses {dict(Counter(statuses))}; "
             f"/healthz {health}; staff sign-in {'ok' if login_ok else 'FAILED'}; "
             f"all in {seconds:.1f} s; the first three took "
             f"{', '.join(f'{t:.2f}' for t in first_three)} s, median {took[len(took) // 2]:.2f} s"],
        )  # fmt: skip

    # --- 5. The worker killed mid-render --------------------------------------------------------

    def scenario_5(self) -> None:
        from django.db import transaction

        from leadit.jobs import job_story
        from leadit.models import BackgroundJob
        from publications.documents import document_request_render
        from publications.models import RenderedDocument

        self.begin(5, "worker SIGKILLed 4 s into a 60-page render, started again")
        with transaction.atomic():
            document = document_request_render(publication=self.large_brief)

        def started():
            row = RenderedDocument.objects.filter(pk=document.pk).values("status", "started_at")[0]
            return row if row["status"] == "running" and row["started_at"] else None

        with PublicTraffic(self.base, self.recorder, ["/publications/"], 1.0):
            row = wait_for(started, 120, 0.05)
            if row is None:
                raise SystemExit("the large render never started:\n" + self.worker.tail())
            time.sleep(max(0.0, row["started_at"].timestamp() + 4 - time.time()))
            status_at_kill = RenderedDocument.objects.get(pk=document.pk).status
            self.worker_restarted_by_hand()
            killed_at = time.monotonic()
            log(f"  worker SIGKILLed 4 s into the render (document {status_at_kill}); "
                "started again")  # fmt: skip

            def final():
                d = RenderedDocument.objects.get(pk=document.pk)
                return d if d.status in ("done", "failed") else None

            final_row = wait_for(final, REDONE_BAR + 30, 0.3)
            redone = time.monotonic() - killed_at if final_row else None
            pdf = Browser(self.base, self.recorder, "public", anonymous=True)
            pdf_status, pdf_body, _l, _s = pdf.get(f"/publications/{self.large_brief.slug}.pdf")
        document.refresh_from_db()
        job = BackgroundJob.objects.get(pk=document.job_id)
        story = job_story(job)
        close_db()
        ok = (status_at_kill == "running" and document.status == "done" and redone is not None
              and redone <= REDONE_BAR and pdf_status == 200 and pdf_body.startswith("%PDF"))  # fmt: skip
        self.report(
            5, "worker killed mid-render", self.http_summary(5),
            "0" if document.status == "done" else f"the render ({document.status}: {document.last_error[:200]})",
            f"job attempts {job.attempts}",
            redone,
            [(f"killed render redone within {REDONE_BAR:.0f} s, PDF 200", ok)],
            [f"{document.page_count} pages, render {document.render_seconds} s; document "
             f"{document.status}; job {job.status}: {story}; public PDF {pdf_status}",
             f"job history: {' | '.join(job.history.strip().splitlines()[-4:]) if job.history else ''}"],
        )  # fmt: skip

    # --- 6. Newsletter send with the worker killed --------------------------------------------

    def scenario_6(self) -> None:
        from leadit.models import BackgroundJob
        from publications.models import Delivery, NewsletterIssue
        from publications.sending import issue_send, issue_send_progress

        self.begin(
            6, f"newsletter to {self.args.subscribers} subscribers, worker SIGKILLed mid-send"
        )
        issue = make_issue(97)
        key = issue.slug
        kill_after = self.args.subscribers * 3 // 10 + 7
        self.sink.watch(key, kill_after)
        started = time.monotonic()
        traffic = PublicTraffic(self.base, self.recorder, ["/publications/", "/members/"], 0.5)
        with traffic:
            with self.supervisor.lock:
                self.worker.supervised = False
            self.sink.victim = self.worker.process.pid  # its own session: pgid == pid
            issue_send(issue=issue)
            reached = self.sink.reached.wait(timeout=120)
            self.sink.victim = None
            self.worker.kill()  # already dead if the mark was reached
            killed_at = time.monotonic()
            with self.supervisor.lock:
                self.worker.start()
                self.worker.supervised = True
            log(f"  worker SIGKILLed at {self.sink.killed_at_count} messages "
                f"({killed_at - started:.1f} s in){'' if reached else ' (never reached the mark)'}"
                "; started again")  # fmt: skip
            progress = wait_for(self._send_finished(issue), 150, 0.2)
            recovered = time.monotonic() - killed_at if progress else None
        time.sleep(0.5)
        progress = issue_send_progress(issue)
        with self.sink.lock:
            per_recipient = {r: n for (k, r), n in self.sink.counts.items() if k == key}
        duplicates = sum(n - 1 for n in per_recipient.values() if n > 1)
        sent = set(Delivery.objects.filter(issue=issue, status="sent")
                   .values_list("subscriber__email", flat=True))  # fmt: skip
        unconfirmed = list(Delivery.objects.filter(issue=issue, status="unconfirmed")
                           .values_list("subscriber__email", flat=True))  # fmt: skip
        not_received = len([e for e in sent if not per_recipient.get(e)])
        jobs = Counter(BackgroundJob.objects.filter(
            task_name="publications.send_issue", arguments__issue_id=issue.pk
        ).values_list("status", flat=True))  # fmt: skip
        issue = NewsletterIssue.objects.get(pk=issue.pk)
        close_db()
        lost = progress["pending"] + progress["sending"] + not_received
        self.report(
            6, "newsletter, worker killed", self.http_summary(6),
            f"{lost} (not sent: {progress['pending'] + progress['sending']}, marked sent but "
            f"not received: {not_received}); {len(unconfirmed)} unconfirmed "
            f"({sum(1 for e in unconfirmed if per_recipient.get(e))} of them arrived; the one in "
            "flight at the kill is never sent twice, so not again unless staff resend it)",
            f"{duplicates} duplicate e-mails",
            recovered,
            [("0 duplicate e-mails", duplicates == 0 and progress["total"] > 0),
             ("every delivery final, nothing lost", lost == 0 and recovered is not None)],
            [f"{sum(per_recipient.values())} messages to {len(per_recipient)} recipients; "
             f"progress {progress}; send jobs {dict(jobs)}; "
             f"send finished: {issue.send_finished_at is not None}"],
        )  # fmt: skip

    @staticmethod
    def _send_finished(issue):
        from publications.sending import issue_send_progress

        def finished():
            progress = issue_send_progress(issue)
            return progress if progress["pending"] == progress["sending"] == 0 else None

        return finished

    # --- at the end: what the jobs say, what the logs say ------------------------------------

    def afterwards(self) -> None:
        from leadit.jobs import job_story
        from leadit.models import BackgroundJob
        from publications.models import RenderedDocument

        lines = []
        jobs = Counter(BackgroundJob.objects.values_list("task_name", "status"))
        lines.append("jobs by task and status: " + "; ".join(
            f"{task} {status} ×{n}" for (task, status), n in sorted(jobs.items())))  # fmt: skip
        for job in BackgroundJob.objects.exclude(status="done").order_by("pk"):
            lines.append(f"  job #{job.pk} {job.task_name} {job.arguments} {job.status} "
                         f"(attempts {job.attempts}, last sent "
                         f"{job.sent_at.strftime('%H:%M:%S') if job.sent_at else 'never'} UTC): "
                         f"{job_story(job)}")  # fmt: skip
            lines.extend(f"    {line[:200]}" for line in job.history.strip().splitlines()[-4:])
        for job in BackgroundJob.objects.filter(attempts__gt=1).order_by("pk"):
            lines.append(f"  job #{job.pk} {job.task_name}: {job_story(job)}")
        drafts = RenderedDocument.objects.filter(
            publication__slug__in=[d.slug for d in self.drafts]
        )
        lines.append("PDFs of the briefs published during scenario 1's outage: " + ", ".join(
            f"{d.publication.slug} {d.status}" for d in drafts.select_related("publication")
        ))  # fmt: skip
        undone = RenderedDocument.objects.exclude(status="done").select_related("publication")
        self.undone = [f"document of {d.publication.slug} {d.status} (job #{d.job_id})"
                       for d in undone] + [
            f"job #{j.pk} {j.task_name} {j.status}"
            for j in BackgroundJob.objects.exclude(status="done").order_by("pk")
        ]  # fmt: skip
        orphans = pdf_files(self.media) - referenced_files()
        lines.append(f"PDF files under MEDIA_ROOT/publications/pdf no document references: "
                     f"{len(orphans)}")  # fmt: skip
        close_db()
        worker_log = self.worker.logfile.read_text(errors="replace")
        lines.append(
            f"worker log: 'Connection to broker lost' ×{worker_log.count('Connection to broker lost')}, "
            f"'restore_unacked' ×{worker_log.count('restore_unacked')}, "
            f"Traceback ×{worker_log.count('Traceback')}; worker/beat exits nobody asked for: "
            f"{len(self.worker.unexpected_exits) + len(self.beat.unexpected_exits)}"
        )
        self.after = lines
        print()
        log("--- afterwards")
        for line in lines:
            print("  " + line)


def summary(bench: Bench, seconds: float) -> bool:
    print()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}; run {seconds:.0f} s")  # fmt: skip
    header = (f"{'#':<3}{'scenario':<40}{'requests':>9}{'5xx':>5}{'no answer':>10}"
              f"{'recover s':>11}  bars")  # fmt: skip
    print(header)
    print("-" * 100)
    all_ok = True
    for r in sorted(bench.results, key=lambda r: r["number"]):
        verdicts = ", ".join(f"{'PASS' if ok else 'FAIL'}" for _label, ok in r["bars"])
        recover = "—" if r["recover"] is None else f"{r['recover']:.1f}"
        http = r["http"]
        print(f"{r['number']:<3}{r['name']:<40}{http['requests']:>9}{http['5xx']:>5}"
              f"{http['no_answer']:>10}{recover:>11}  {verdicts}")  # fmt: skip
        if http["5xx"]:
            print(f"{'':<3}5xx: " + "; ".join(f"{k} ×{v}" for k, v in http["5xx_urls"].items()))
        if http["expected_503"]:
            print(
                f"{'':<3}(and {http['expected_503']} × 503 from /healthz while Redis was away: its job)"
            )
        print(f"{'':<3}lost: {r['lost']}")
        print(f"{'':<3}duplicated: {r['duplicated']}")
        for label, ok in r["bars"]:
            print(f"{'':<3}{'PASS' if ok else 'FAIL'}  {label}")
            all_ok = all_ok and ok
    if bench.undone is not None and len(bench.results) == 6:  # the whole run: time to settle
        print(f"extra check (not a bar of the issue): every render and job of the run done at "
              f"the end → {'PASS' if not bench.undone else 'FAIL: ' + '; '.join(bench.undone)}")  # fmt: skip
    for proc in (bench.worker, bench.beat):
        for note in proc.unexpected_exits:
            print(f"unexpected exit: {note}")
    print(f"bars: {'all PASS' if all_ok else 'some FAIL'} "
          f"({sum(ok for r in bench.results for _l, ok in r['bars'])}/"
          f"{sum(len(r['bars']) for r in bench.results)})")  # fmt: skip
    return all_ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outage", type=float, default=15.0, help="scenario 1's Redis outage")
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--sections", type=int, default=12, help="scenario 2's briefs")
    parser.add_argument("--large-sections", type=int, default=38, help="scenario 5's brief")
    parser.add_argument("--only", default="1,2,3,4,6,5", help="scenarios to run, in order")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the logs and media")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()

    def too_long(*_):
        raise SystemExit(f"stopped: the run took over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.timeout)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="leadit-faults-"))
    bench = Bench(args, tmp)
    print(f"Faults benchmark (issue 12): database {DB_NAME}, files and logs in {tmp}", flush=True)
    error = None
    try:
        bench.setup()
        # 6 before 5: the send job killed in 6 is then settled (lease, sweep) by the end.
        for number in [int(n) for n in args.only.split(",") if n.strip()]:
            try:
                getattr(bench, f"scenario_{number}")()
            except SystemExit:
                raise
            except Exception:
                error = traceback.format_exc()
                log(f"!! scenario {number} raised:\n{error}")
                bench.results.append({"number": number, "name": "raised an exception",
                                      "http": bench.http_summary(number), "lost": "?",
                                      "duplicated": "?", "recover": None,
                                      "bars": [("ran to the end", False)], "notes": []})  # fmt: skip
                if not bench.redis.answers():
                    if bench.redis.paused:
                        bench.redis.resume()
                    elif bench.redis.process.poll() is not None:
                        bench.redis.start()
        with contextlib.suppress(Exception):
            bench.afterwards()
    finally:
        signal.alarm(0)
        bench.teardown()
    all_ok = summary(bench, time.monotonic() - started)
    errors = {
        r["path"].split("?")[0]
        for r in bench.recorder.rows
        if r["status"] >= 500 and not (r["who"] == "probe" and r["status"] == 503)
    }
    if errors:
        print("\nTracebacks of the 5xx answers (gunicorn log):")
        for block in tracebacks(bench.gunicorn.logfile, errors) or ["(none found in the log)"]:
            print(block)
            print("-" * 60)
    if not args.keep_tmp:  # the logs are kept: the evidence of what happened
        for folder in ("media", "static", "var"):
            shutil.rmtree(tmp / folder, ignore_errors=True)
    print(f"\nlogs in {tmp} (gunicorn.log, worker.log, beat.log, redis.log)"
          + ("" if all_ok and not error else ": some bar FAILED"))  # fmt: skip


if __name__ == "__main__":
    main()
