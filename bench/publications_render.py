"""Benchmark: a 10-page policy brief rendered to PDF through the whole pipeline — the
``RenderedDocument`` row, the job sent to the real Redis broker, a real Celery worker
process (prefork, as in production) rendering it with the restricted fetcher, counting its
pages and storing the file — measured from the request to the row seen "done"; against the
same HTML rendered by bare WeasyPrint (``weasyprint.HTML(string=…).write_pdf()``) in this
process. Several repetitions, alternating, each with new content (so each is a real
render, not the "unchanged content" shortcut). Bar: worker ≤ 1.2 × bare (medians).

    .venv/bin/python bench/publications_render.py [--repetitions 7] [--sections 6] [--keep-db]

Uses its own PostgreSQL database (``leadit_bench_render``, dropped at the end), Redis db 6
(``BENCH_REDIS_URL``) and a temporary media folder. Bounded: the whole run stops after
``--timeout`` seconds, and the worker it started is stopped.
"""

import argparse
import datetime
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PYTHON,
    REDIS_URL,
    ROOT,
    create_database,
    drop_database,
    flush_redis_db,
    manage,
    production_env,
    setup_django,
)

DB_NAME = "leadit_bench_render"
BAR_RATIO = 1.2
STYLESHEET = ROOT / "static" / "css" / "publication-print.css"

TOPICS = [
    "Why green steel needs a bridge",
    "How carbon contracts for difference work",
    "Design choices",
    "Public procurement as a lead market",
    "Financing the gap",
    "What LeadIT members can do",
    "Monitoring and evaluation",
    "Next steps",
]
PARAGRAPH = (
    "A contract for difference pays the producer the gap between an agreed strike price and "
    "a reference price, and claws back the difference when the reference rises above the "
    "strike. This turns a volatile carbon price into a predictable revenue stream that banks "
    "can lend against. *Early tenders* show bids well below the first estimates, and the "
    "**administrative cost** stays modest when the reference price is published by an "
    "independent body.\n\n"
    "- Strike prices set by competitive tender\n- Duration of ten to fifteen years\n"
    "- Payments capped by a budget envelope agreed in advance\n\n"
)
TABLE = (
    "| Country | Instrument | Sectors | Budget (EUR bn) | Start |\n"
    "|---|---|---|--:|---|\n"
    "| Germany | Climate protection contracts | Steel, chemicals, cement | 4.0 | 2024 |\n"
    "| Netherlands | SDE++ | Industry, hydrogen | 8.0 | 2020 |\n"
    "| United Kingdom | Industrial Energy Transformation Fund | All heavy industry | 0.5 | 2020 |\n"
    "| Sweden | Industriklivet | Steel, cement, refineries | 0.3 | 2018 |\n"
    "| India | Green Hydrogen Mission | Steel, fertiliser | 2.2 | 2023 |\n"
)


def brief_body(sections: int) -> str:
    """About 1.6 A4 pages per section: headings, lists, a table, a quote, a footnote, and
    two of the portal's charts as figures."""
    parts = []
    for s in range(sections):
        parts.append(f"## {TOPICS[s % len(TOPICS)]}\n")
        parts.append(
            "Heavy industry accounts for roughly a third of global energy-related emissions, "
            f"and plants built this decade will still run in 2050.[^n{s}]\n"
        )
        for heading in ("Evidence from early movers", "Open questions"):
            parts.append(f"### {heading}\n\n{PARAGRAPH * 2}")
        parts.append(TABLE)
        if s == 1:
            parts.append("\n[[chart: roadmaps-by-sector | Current roadmaps, by sector]]\n")
        if s == 3:
            parts.append("\n[[chart: net-zero-years]]\n")
        parts.append("\n> Lead markets work only if public buyers commit to large volumes.\n")
        parts.append(f"\n[^n{s}]: LeadIT analysis of national programmes, {2020 + s}.\n")
    return "\n".join(parts)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "leadit",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def through_worker(brief, revision: int, timeout: float = 120) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from publications.documents import document_request_render
    from publications.models import RenderedDocument

    brief.body = brief.body.split("\n\nRevision ")[0] + f"\n\nRevision {revision}."
    brief.save(update_fields=["body"])
    requested_at = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        document = document_request_render(publication=brief)
    # Wait for the row to say "done". The time is taken from the row's own finished_at
    # (same machine, same clock), so the polling — slow, to leave the CPUs to the worker —
    # adds nothing to it.
    deadline = started + timeout
    row = None
    while time.perf_counter() < deadline:
        time.sleep(0.1)
        row = RenderedDocument.objects.filter(pk=document.pk).values(
            "status", "render_seconds", "page_count", "last_error", "created_at",
            "started_at", "finished_at",
        )[0]  # fmt: skip
        if row["status"] in ("done", "failed"):
            break
    if row is None or row["status"] != "done":
        raise SystemExit(f"render did not finish: {row}")
    return {
        "seconds": (row["finished_at"] - requested_at).total_seconds(),
        "render": row["render_seconds"],
        "pages": row["page_count"],
        "queue": (row["started_at"] - row["created_at"]).total_seconds(),
    }


def bare(brief) -> dict:
    """The same print HTML, bare WeasyPrint: its stylesheet link pointed at the file."""
    import io

    import weasyprint
    from pypdf import PdfReader

    from publications.content import publication_print_html

    html = publication_print_html(brief).replace(
        'href="/static/css/publication-print.css"', f'href="{STYLESHEET.as_uri()}"'
    )
    started = time.perf_counter()
    pdf = weasyprint.HTML(string=html).write_pdf()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "pages": len(PdfReader(io.BytesIO(pdf)).pages)}


def report(workers: list[dict], bares: list[dict]) -> None:
    worker_median = statistics.median(w["seconds"] for w in workers)
    bare_median = statistics.median(b["seconds"] for b in bares)
    render_median = statistics.median(w["render"] for w in workers)
    ratio = worker_median / bare_median
    load = os.getloadavg()
    print()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"pages: {workers[-1]['pages']} (worker), {bares[-1]['pages']} (bare)")
    print(f"{'':<34}{'median s':>10}{'min s':>10}{'max s':>10}")
    for label, values in (
        ("request → done, through the worker", [w["seconds"] for w in workers]),
        ("  of it: the render in the task", [w["render"] for w in workers]),
        ("bare WeasyPrint, same HTML", [b["seconds"] for b in bares]),
    ):
        print(
            f"{label:<34}{statistics.median(values):>10.3f}{min(values):>10.3f}{max(values):>10.3f}"
        )
    verdict = "PASS" if ratio <= BAR_RATIO else "FAIL"
    print(
        f"bar: worker ≤ {BAR_RATIO} × bare → {verdict} (ratio {ratio:.2f}: {worker_median:.3f} s "
        f"vs {bare_median:.3f} s; the task's own render {render_median:.3f} s; Redis {REDIS_URL})"
    )


def create_brief(sections: int):
    from publications.models import Brief

    return Brief.objects.create(
        title="Carbon contracts for difference: closing the cost gap of green steel",
        slug="bench-contracts-for-difference",
        summary="How carbon contracts for difference can close the cost gap of green steel.",
        body=brief_body(sections),
        authors="A. Author, B. Author",
        status="published",
        published_on=datetime.date(2025, 3, 14),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--sections", type=int, default=5, help="about 1.6 pages each")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()

    def too_long(*_):
        raise SystemExit(f"stopped: over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.timeout)

    print(f"PDF render benchmark: {args.repetitions} repetitions, database {DB_NAME}")
    create_database(DB_NAME)
    media = tempfile.TemporaryDirectory(prefix="leadit-bench-media-")
    worker = None
    workers, bares = [], []
    try:
        env = production_env(DB_NAME, MEDIA_ROOT=media.name, STATIC_ROOT=media.name + "/static")
        manage(env, "migrate", "--noinput", "--skip-checks")
        manage(env, "seed_demo", "--allow-production", timeout=300)  # the charts' data
        setup_django(env)
        flush_redis_db()
        worker = start_worker(env, Path(media.name) / "worker.log")

        brief = create_brief(args.sections)
        # Warm-up, not counted: the worker's child imports WeasyPrint and loads fonts on
        # its first render; this process does the same for the bare runs.
        first = through_worker(brief, 0)
        bare(brief)
        print(f"  warm-up: {first['pages']} pages, {first['seconds']:.2f} s through the worker")
        for n in range(1, args.repetitions + 1):
            workers.append(through_worker(brief, n))
            bares.append(bare(brief))
            print(
                f"  #{n}: worker {workers[-1]['seconds']:.3f} s "
                f"(render {workers[-1]['render']:.3f} s, queue {workers[-1]['queue']:.3f} s, "
                f"{workers[-1]['pages']} pages) · bare {bares[-1]['seconds']:.3f} s "
                f"({bares[-1]['pages']} pages)",
                flush=True,
            )
    finally:
        if worker is not None:
            stop_worker(worker)
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(DB_NAME)
            print(f"  dropped database {DB_NAME}")
        media.cleanup()

    report(workers, bares)


if __name__ == "__main__":
    main()
