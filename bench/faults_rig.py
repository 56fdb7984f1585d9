"""The faults bench's rig (``bench/faults.py``): the processes it starts (its own Redis, gunicorn,
the Celery worker and beat, restarted when they exit unasked), the clients it drives
(signed-in browsers with cookies and CSRF, public traffic) and the SMTP sink that kills the
worker mid-send."""

import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.common import ROOT
from bench.publications_send import Sink

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
