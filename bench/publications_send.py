"""Benchmark: send a newsletter issue to 2,000 subscribers through a real Celery worker (a
separate ``celery -A leadit worker`` process), real Redis and a local SMTP sink (aiosmtpd,
in this process, counting the messages each recipient gets). Three runs, each a new issue:

1. ``clean``       — nothing goes wrong.
2. ``kill pool``   — the worker's pool process (the one sending) is SIGKILLed after
   ``--kill-after`` messages (537: in the middle of a batch of 100, not between two), as the kernel's OOM killer would; the worker's main process
   hands the message back to Redis (acks_late + reject_on_worker_lost) and starts a new
   pool process, which resumes the send.
3. ``kill worker`` — the whole worker (main and pool process) is SIGKILLed after
   ``--kill-after`` messages and started again, as when a machine or container dies. Redis
   only gives the dead worker's message back after its visibility timeout (an hour); the
   restarted worker resumes the send at once (``worker_ready``: the stalled-send sweep).

Each run prints the seconds from ``issue_send`` to every delivery final, the messages the
sink got, duplicates (a recipient with two copies of one issue: must be 0), the deliveries
left ``unconfirmed`` (a worker died mid-message; 0 or 1 per kill) and how many of those
did reach the sink. Bar: ≤ 30 s and 0 duplicates, also with a kill.

    .venv/bin/python bench/publications_send.py [--subscribers 2000] [--kill-after 537]
                                                [--runs clean,kill-pool,kill-worker]
                                                [--keep-db] [--timeout 600]

Uses its own PostgreSQL database (``leadit_bench_send``, dropped at the end) and Redis db 11
(``BENCH_SEND_REDIS_URL``), flushed first. All traffic stays on the loopback interface.
"""

import argparse
import datetime
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    create_database,
    drop_database,
    flush_redis_db,
    manage,
    production_env,
    setup_django,
)

DB_NAME = "leadit_bench_send"
REDIS_URL = os.environ.get("BENCH_SEND_REDIS_URL", "redis://127.0.0.1:6379/11")
BAR_SECONDS = 30.0
CELERY = str(ROOT / ".venv" / "bin" / "celery")
SITE_URL = "https://portal.leadit.example"


# --- The SMTP sink -----------------------------------------------------------------------------


class Sink:
    """Counts messages per (subject, recipient); sets ``reached`` once ``watch_subject``
    has ``watch_count`` messages."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.per_subject: Counter = Counter()
        self.watch_subject = None
        self.watch_count = 0
        self.reached = threading.Event()

    def watch(self, subject_key: str, count: int) -> None:
        with self.lock:
            self.watch_subject, self.watch_count = subject_key, count
            self.reached.clear()

    async def handle_DATA(self, server, session, envelope):
        # The issue's number is in a header of our own making: cheap to find.
        key = _issue_key(envelope.content)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.counts[(key, rcpt)] += 1
            self.per_subject[key] += len(envelope.rcpt_tos)
            if key == self.watch_subject and self.per_subject[key] >= self.watch_count:
                self.reached.set()
        return "250 2.0.0 OK"


def _issue_key(content: bytes) -> str:
    start = content.find(b"/publications/bench-issue-")
    if start < 0:
        return "?"
    end = content.find(b"/", start + len(b"/publications/"))
    return content[start + len(b"/publications/") : end].decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The worker process --------------------------------------------------------------------------


class Worker:
    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [
                    CELERY,
                    "-A",
                    "leadit",
                    "worker",
                    "--loglevel",
                    "WARNING",
                    "--concurrency",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    f"bench-send-{os.getpid()}@%h",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as one
            )

    def wait_ready(self, app, timeout: float = 60.0) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"the worker exited ({self.process.returncode}); see {self.log}")
            if app.control.ping(timeout=0.5):
                return time.perf_counter() - started
        raise SystemExit(f"the worker did not answer within {timeout} s; see {self.log}")

    def pool_pids(self) -> list[int]:
        """The worker's pool processes: its main process's children."""
        pid = self.process.pid
        children = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            children.extend(int(p) for p in text)
        return children

    def kill_pool(self) -> list[int]:
        pids = self.pool_pids()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        return pids

    def kill_all(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill_all()


# --- Data ------------------------------------------------------------------------------------------


def seed(subscribers: int) -> None:
    from django.utils import timezone

    from publications.models import Subscriber

    now = timezone.now()
    Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"reader{n:05d}@bench.example", name=f"Reader {n}", confirmed_at=now)
            for n in range(subscribers)
        ],
        batch_size=1000,
    )


def make_issue(number: int):
    """A published issue of realistic size: an introduction, six sections of five items."""
    from publications.models import NewsletterIssue, NewsletterItem, NewsletterSection

    issue = NewsletterIssue.objects.create(
        number=number,
        year=2024 + number // 4,
        quarter=number % 4 + 1,
        title=f"LeadIT newsletter {number}",
        slug=f"bench-issue-{number}",
        status="published",
        published_on=datetime.date(2025, 4, 2),
        introduction=(
            "Welcome to this quarter's newsletter. Three members published **new steel "
            "roadmaps**, the Leadership Summit met at COP, and the Tracker now covers "
            "every G20 country: see the [coverage matrix](/tracker/coverage/).\n\n" * 2
        ),
    )
    kinds = ["new_members", "events_held", "events_coming", "roadmaps", "briefs", "progress"]
    for s, kind in enumerate(kinds):
        section = NewsletterSection.objects.create(
            issue=issue, kind=kind, title=f"Section {s + 1}", position=s, note="A short note."
        )
        NewsletterItem.objects.bulk_create(
            [
                NewsletterItem(
                    section=section,
                    title=f"Item {s + 1}.{i + 1}: a member's progress on green steel",
                    text="One or two sentences about what happened, with *emphasis*.",
                    url=f"/members/member-{i}/",
                    date=datetime.date(2025, 3, 1 + i),
                    position=i,
                )
                for i in range(5)
            ]
        )
    return issue


# --- One run -------------------------------------------------------------------------------------------


def run(label: str, number: int, worker: Worker, sink: Sink, app, kill: str, kill_after: int):
    from publications.models import Delivery, NewsletterIssue
    from publications.sending import issue_send, issue_send_progress

    issue = make_issue(number)
    key = issue.slug
    sink.watch(key, kill_after)
    started = time.perf_counter()
    issue_send(issue=issue)
    killed_at = restart_seconds = None
    if kill != "none":
        if not sink.reached.wait(timeout=120):
            raise SystemExit(f"{label}: the sink never reached {kill_after} messages")
        killed_at = time.perf_counter() - started
        if kill == "pool":
            pids = worker.kill_pool()
            print(f"  {label}: SIGKILL pool process {pids} at {sink.per_subject[key]} messages")
        else:
            worker.kill_all()
            print(f"  {label}: SIGKILL whole worker at {sink.per_subject[key]} messages")
            worker.start()
            restart_seconds = worker.wait_ready(app)
            print(f"  {label}: worker started again, ready in {restart_seconds:.1f} s")
    last_print = 0.0
    while True:
        progress = issue_send_progress(issue)
        if progress["pending"] == progress["sending"] == 0 and progress["total"]:
            break
        elapsed = time.perf_counter() - started
        if elapsed - last_print > 5:
            print(f"  {label}: {elapsed:5.1f} s {progress}", flush=True)
            last_print = elapsed
        if elapsed > 300:
            raise SystemExit(f"{label}: not finished after 300 s: {progress}")
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    time.sleep(0.5)  # let the sink's last answers land
    issue = NewsletterIssue.objects.get(pk=issue.pk)
    with sink.lock:
        per_recipient = {rcpt: n for (k, rcpt), n in sink.counts.items() if k == key}
    unconfirmed = list(
        Delivery.objects.filter(issue=issue, status="unconfirmed").values_list(
            "subscriber__email", flat=True
        )
    )
    sent = set(
        Delivery.objects.filter(issue=issue, status="sent").values_list(
            "subscriber__email", flat=True
        )
    )
    from leadit.models import BackgroundJob

    jobs = Counter(
        BackgroundJob.objects.filter(
            task_name="publications.send_issue", arguments__issue_id=issue.pk
        ).values_list("status", flat=True)
    )
    print(f"  {label}: send jobs by status {dict(jobs)}", flush=True)
    return {
        "label": label,
        "seconds": seconds,
        "killed_at": killed_at,
        "messages": sum(per_recipient.values()),
        "recipients": progress["total"],
        "duplicates": sum(n - 1 for n in per_recipient.values() if n > 1),
        "unconfirmed": len(unconfirmed),
        "unconfirmed_arrived": sum(1 for e in unconfirmed if per_recipient.get(e)),
        "sent_not_received": sum(1 for e in sent if not per_recipient.get(e)),
        "progress": progress,
        "finished": issue.send_finished_at is not None,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--kill-after", type=int, default=537)
    parser.add_argument("--runs", default="clean,kill-pool,kill-worker")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--timeout", type=int, default=600)
    return parser.parse_args()


def report(args, results: list[dict]) -> None:
    print()
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    header = (
        f"{'run':<13}{'seconds':>9}{'msg/s':>8}{'killed at':>11}{'messages':>10}"
        f"{'duplicates':>12}{'unconfirmed':>13}{'(arrived)':>10}{'lost':>6}"
    )
    print(header)
    verdicts = []
    for r in results:
        killed = f"{r['killed_at']:.1f} s" if r["killed_at"] is not None else "—"
        print(
            f"{r['label']:<13}{r['seconds']:>9.2f}{r['messages'] / r['seconds']:>8.0f}"
            f"{killed:>11}{r['messages']:>10,}{r['duplicates']:>12}{r['unconfirmed']:>13}"
            f"{r['unconfirmed_arrived']:>10}{r['sent_not_received']:>6}"
        )
        ok = r["seconds"] <= BAR_SECONDS and r["duplicates"] == 0 and r["finished"]
        ok = ok and r["sent_not_received"] == 0 and r["unconfirmed"] <= 1
        verdicts.append(ok)
    print(
        f"bar: {args.subscribers:,} subscribers in ≤ {BAR_SECONDS:.0f} s with 0 duplicates, "
        "also after a kill (≤ 1 unconfirmed, nothing marked sent that did not arrive) → "
        + ("PASS" if all(verdicts) else "FAIL")
    )


def main() -> None:
    args = parse_args()
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]

    def too_long(*_):
        raise SystemExit(f"stopped: over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.timeout)

    from aiosmtpd.controller import Controller

    port = _free_port()
    env = production_env(
        DB_NAME,
        REDIS_URL=REDIS_URL,
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        SITE_URL=SITE_URL,
        DEFAULT_FROM_EMAIL="LeadIT Secretariat <secretariat@leadit.example>",
    )
    print(
        f"Newsletter send benchmark: {args.subscribers:,} subscribers, database {DB_NAME}, "
        f"{REDIS_URL}, SMTP sink on 127.0.0.1:{port}"
    )
    create_database(DB_NAME)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    log = Path(f"/tmp/{DB_NAME}-worker.log")
    log.write_text("")
    worker = Worker(env, log)
    results = []
    try:
        manage(env, "migrate", "--noinput", "--skip-checks")
        setup_django(env)
        flush_redis_db(REDIS_URL)
        import logging

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
        from leadit.celery import app

        seed(args.subscribers)
        controller.start()
        worker.start()
        print(f"  worker ready in {worker.wait_ready(app):.1f} s (log: {log})", flush=True)
        kills = {"clean": "none", "kill-pool": "pool", "kill-worker": "worker"}
        for number, label in enumerate(runs, start=1):
            result = run(label, number, worker, sink, app, kills[label], args.kill_after)
            results.append(result)
            print(
                f"  {label}: {result['seconds']:.2f} s, {result['messages']:,} messages, "
                f"{result['duplicates']} duplicates, {result['unconfirmed']} unconfirmed",
                flush=True,
            )
    finally:
        worker.stop()
        controller.stop()
        from django.db import connections

        connections.close_all()
        flush_redis_db(REDIS_URL)
        if not args.keep_db:
            drop_database(DB_NAME)
            print(f"  dropped database {DB_NAME}")

    report(args, results)


if __name__ == "__main__":
    main()
