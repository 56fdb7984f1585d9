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
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faults_rig import DB_NAME, log, tracebacks  # noqa: E402
from bench.faults_scenarios import Bench  # noqa: E402


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
