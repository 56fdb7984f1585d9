"""Benchmark: the milestone reminders (issue 17) for 200 active members × 5 editors (1,000
e-mails) through a real Celery worker (a separate ``celery -A leadit worker`` process, two
pool processes as in docker-compose.yml), real Redis and a local SMTP sink (aiosmtpd, in
this process, counting the messages each recipient gets). Runs:

1. ``first``  — the beat task ``members.send_milestone_reminders`` queued once, as beat
   does, for a milestone 7 days ahead with a 7-day step: seconds until the sink has all
   1,000 messages, duplicates (a person with two copies: must be 0).
2. ``again``  — the same task queued a second time (a rerun, a second beat): 0 new
   messages, 0 new rows.
3. ``twice at once`` — a second milestone, the task queued twice at the same moment so
   that both pool processes claim and send side by side: 1,000 messages, 0 duplicates.

Bar: 1,000 e-mails in < 30 s, 0 duplicates, 0 messages on the rerun.

    .venv/bin/python bench/milestone_reminders.py [--members 200] [--editors 5]
                                                  [--concurrency 2] [--keep-db]
                                                  [--timeout 300]

Uses its own PostgreSQL database (``leadit_bench_reminders``, dropped at the end) and Redis
db 12 (``BENCH_REMINDERS_REDIS_URL``), flushed first. All traffic stays on the loopback
interface.
"""

import argparse
import datetime
import os
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

    from aiosmtpd.controller import Controller
    from celery import Celery, Task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    create_database,
    drop_database,
    flush_redis_db,
    free_port,
    manage,
    production_env,
    setup_django,
)

DB_NAME = "leadit_bench_reminders"
REDIS_URL = os.environ.get("BENCH_REMINDERS_REDIS_URL", "redis://127.0.0.1:6379/12")
BAR_SECONDS = 30.0
CELERY = str(ROOT / ".venv" / "bin" / "celery")
SITE_URL = "https://portal.leadit.example"
QUIET_SECONDS = 5.0  # how long a rerun is watched for new messages


class Sink:
    """Counts messages per (milestone slug, recipient)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.per_milestone: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):
        key = _milestone_key(envelope.content)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.counts[(key, rcpt)] += 1
            self.per_milestone[key] += len(envelope.rcpt_tos)
        return "250 2.0.0 OK"

    def messages(self, key: str) -> int:
        with self.lock:
            return self.per_milestone[key]

    def duplicates(self, key: str) -> int:
        with self.lock:
            return sum(n - 1 for (k, _), n in self.counts.items() if k == key and n > 1)


def _milestone_key(content: bytes) -> str:
    """The milestone's slug, from the draft link every reminder carries."""
    start = content.find(b"?milestone=")
    if start < 0:
        return "?"
    start += len(b"?milestone=")
    end = start
    while end < len(content) and content[end : end + 1] not in b'"\r\n <&':
        end += 1
    return content[start:end].decode()


def start_worker(env: dict[str, str], log: Path, concurrency: int):
    import subprocess

    with log.open("a") as out:
        return subprocess.Popen(
            [CELERY, "-A", "leadit", "worker", "--loglevel", "WARNING",
             "--concurrency", str(concurrency), "--without-gossip", "--without-mingle",
             "-n", f"bench-reminders-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def wait_ready(process, app, log: Path, timeout: float = 60.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"the worker exited ({process.returncode}); see {log}")
        if app.control.ping(timeout=0.5):
            return time.perf_counter() - started
    raise SystemExit(f"the worker did not answer within {timeout} s; see {log}")


def stop_worker(process) -> None:
    import subprocess

    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


# --- Data ----------------------------------------------------------------------------------------


def seed(members: int, editors: int) -> None:
    """``members`` active members with ``editors`` editors each (distinct people), a few
    with an update for an earlier milestone (the e-mail's "last time")."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from members.models import Member, MembershipRole, Milestone, ProgressUpdate

    User = get_user_model()
    created = Member.objects.bulk_create(
        [
            Member(
                name=f"Bench member {n:03d}",
                slug=f"bench-member-{n:03d}",
                kind="company",
                country="SE",
                status="active",
            )
            for n in range(members)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(
                username=f"editor{n:03d}-{e}@bench.example",
                email=f"editor{n:03d}-{e}@bench.example",
                first_name=f"Editor {e}",
                password="!",  # unusable: nobody signs in here
            )
            for n in range(members)
            for e in range(editors)
        ],
        batch_size=1000,
    )
    MembershipRole.objects.bulk_create(
        [MembershipRole(user=user, member=created[i // editors]) for i, user in enumerate(users)],
        batch_size=1000,
    )
    earlier = Milestone.objects.create(
        name="Bench COP earlier", slug="bench-cop-earlier", date=datetime.date(2025, 11, 10)
    )
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                member=member,
                milestone=earlier,
                title=f"{member.name} at the earlier COP",
                body="We **did** things.",
                status="published",
                published_at=timezone.now() - datetime.timedelta(days=300),
            )
            for member in created[::3]
        ]
    )


def milestone(number: int):
    from django.utils import timezone

    from members.models import Milestone, MilestoneReminderStep

    cop = Milestone.objects.create(
        name=f"Bench milestone {number}",
        slug=f"bench-milestone-{number}",
        date=timezone.localdate() + datetime.timedelta(days=7),
        description="Report on **green steel** procurement and your pillar work.",
    )
    MilestoneReminderStep.objects.create(milestone=cop, days_before=7)
    return cop


def rows(cop) -> tuple[int, int]:
    from members.models import MilestoneReminder

    qs = MilestoneReminder.objects.filter(milestone=cop)
    return qs.count(), qs.filter(sent_at__isnull=False).count()


def wait_for(sink: Sink, key: str, expected: int, label: str, limit: float = 120.0) -> float:
    started = time.perf_counter()
    last_print = 0.0
    while sink.messages(key) < expected:
        elapsed = time.perf_counter() - started
        if elapsed > limit:
            raise SystemExit(f"{label}: {sink.messages(key)} of {expected} after {limit:.0f} s")
        if elapsed - last_print > 5:
            print(f"  {label}: {elapsed:5.1f} s, {sink.messages(key)} messages", flush=True)
            last_print = elapsed
        time.sleep(0.02)
    return time.perf_counter() - started


# --- Main -------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--editors", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--timeout", type=int, default=300)
    return parser.parse_args()


def stop_after(seconds: int) -> None:
    """End the run with SystemExit after ``seconds``, so that a stuck worker or sink cannot
    hang the benchmark (the cleanup in ``main`` still runs)."""

    def too_long(*_):
        raise SystemExit(f"stopped: over {seconds} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(seconds)


def bench_env(port: int) -> dict[str, str]:
    """The environment of the worker and of this process: the bench database and Redis db,
    and mail to the sink on ``port`` (never a real mail server)."""
    return production_env(
        DB_NAME,
        REDIS_URL=REDIS_URL,
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        SITE_URL=SITE_URL,
        DEFAULT_FROM_EMAIL="LeadIT Secretariat <secretariat@leadit.example>",
    )


def prepare(env: dict[str, str], members: int, editors: int) -> tuple["Celery", "Task"]:
    """Migrate and seed the bench database and empty the Redis db, so that every run starts
    from the same state; returns the Celery app and the reminders task (importable only
    once Django is set up)."""
    manage(env, "migrate", "--noinput", "--skip-checks")
    setup_django(env)
    flush_redis_db(REDIS_URL)
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
    from leadit.celery import app
    from members.tasks_reminders import send_milestone_reminders

    started = time.perf_counter()
    seed(members, editors)
    print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
    return app, send_milestone_reminders


def run_first(sink: Sink, task: "Task", cop, expected: int) -> dict:
    """1. The beat task, once, for ``cop``: how long until every reminder has arrived, and
    whether anyone got one twice."""
    task.delay()
    seconds = wait_for(sink, cop.slug, expected, "first")
    time.sleep(0.5)  # let the sink's last answers land
    return {
        "label": "first",
        "seconds": seconds,
        "messages": sink.messages(cop.slug),
        "duplicates": sink.duplicates(cop.slug),
        "rows": rows(cop),
    }


def run_again(sink: Sink, task: "Task", cop) -> dict:
    """2. The same task again for the already reminded ``cop`` (a rerun, a second beat): it
    must send and record nothing new."""
    before = sink.messages(cop.slug)
    rows_before = rows(cop)
    task.delay()
    time.sleep(QUIET_SECONDS)
    return {
        "label": "again",
        "seconds": None,
        "messages": sink.messages(cop.slug) - before,
        "duplicates": sink.duplicates(cop.slug),
        "rows": (rows(cop)[0] - rows_before[0], rows(cop)[1] - rows_before[1]),
    }


def run_twice_at_once(sink: Sink, task: "Task", cop, expected: int) -> dict:
    """3. A new milestone ``cop``, the task queued twice at the same moment so that both
    pool processes claim and send side by side: the claim must still send each reminder
    once."""
    task.delay()
    task.delay()
    seconds = wait_for(sink, cop.slug, expected, "twice at once")
    time.sleep(QUIET_SECONDS)  # any duplicate would arrive now
    return {
        "label": "twice at once",
        "seconds": seconds,
        "messages": sink.messages(cop.slug),
        "duplicates": sink.duplicates(cop.slug),
        "rows": rows(cop),
    }


def tear_down(worker: "subprocess.Popen | None", controller: "Controller", keep_db: bool) -> None:
    """Stop the worker and the sink, and leave Redis (and, unless ``keep_db``, PostgreSQL)
    as before the run, whether it passed, failed or was stopped."""
    stop_worker(worker)
    if controller._thread is not None:  # started
        controller.stop()
    from django.db import connections

    connections.close_all()
    flush_redis_db(REDIS_URL)
    if not keep_db:
        drop_database(DB_NAME)
        print(f"  dropped database {DB_NAME}")


def main() -> None:
    args = parse_args()
    expected = args.members * args.editors
    stop_after(args.timeout)

    from aiosmtpd.controller import Controller

    port = free_port()
    env = bench_env(port)
    print(
        f"Milestone reminders benchmark: {args.members} members × {args.editors} editors, "
        f"database {DB_NAME}, {REDIS_URL}, SMTP sink on 127.0.0.1:{port}, "
        f"worker concurrency {args.concurrency}"
    )
    create_database(DB_NAME)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    log = Path(f"/tmp/{DB_NAME}-worker.log")
    log.write_text("")
    worker = None
    results = []
    try:
        app, task = prepare(env, args.members, args.editors)
        controller.start()
        worker = start_worker(env, log, args.concurrency)
        print(f"  worker ready in {wait_ready(worker, app, log):.1f} s (log: {log})", flush=True)
        first = milestone(1)
        results.append(run_first(sink, task, first, expected))
        results.append(run_again(sink, task, first))
        second = milestone(2)
        results.append(run_twice_at_once(sink, task, second, expected))
    finally:
        tear_down(worker, controller, args.keep_db)

    report(expected, results)


def report(expected: int, results: list[dict]) -> None:
    print()
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"{'run':<15}{'seconds':>9}{'msg/s':>8}{'messages':>10}{'duplicates':>12}{'rows':>20}")
    verdicts = []
    for r in results:
        seconds = f"{r['seconds']:.2f}" if r["seconds"] is not None else "—"
        rate = f"{r['messages'] / r['seconds']:.0f}" if r["seconds"] else "—"
        rows_text = f"{r['rows'][0]} ({r['rows'][1]} sent)"
        print(
            f"{r['label']:<15}{seconds:>9}{rate:>8}{r['messages']:>10,}"
            f"{r['duplicates']:>12}{rows_text:>20}"
        )
        if r["label"] == "again":
            verdicts.append(r["messages"] == 0 and r["rows"] == (0, 0))
        else:
            verdicts.append(
                r["seconds"] < BAR_SECONDS
                and r["duplicates"] == 0
                and r["messages"] == expected
                and r["rows"] == (expected, expected)
            )
    print(
        f"bar: {expected:,} reminders in < {BAR_SECONDS:.0f} s with 0 duplicates, "
        "0 new on a rerun, also with two runs at once → " + ("PASS" if all(verdicts) else "FAIL")
    )


if __name__ == "__main__":
    main()
