"""Benchmark: every public page of the portal under load, from the page cache (issue 13).

The demo data (``seed_demo``: members, events, workplans, briefs, newsletter issues, the
tracker's demo roadmaps and the GEM plants) in a dedicated PostgreSQL database; gunicorn
(2 sync workers, production settings: DEBUG off, Redis cache on db 14) on a free loopback
port, and a second gunicorn with the same settings serving the baseline, the bare view of
``bench/bare_project`` (a minimal Django project of its own: one view, no middleware);
``wrk`` (16 connections, a few seconds per measurement) on every public page, once with
browsers' ``Accept-Encoding: gzip, deflate, br`` and once without (the page is then
decompressed on every hit), each pair followed by the bare view; a page's ratio is to the mean of the bare view measured just before and
just after it (the machine is shared and its load moves).

    .venv/bin/python bench/public_pages.py [--duration 2] [--rounds 1] [--connections 16]

Bar: every page ≥ 0.85 × the bare view's req/s, with and without gzip. Public pages that
cannot be cached (forms with a CSRF token, personal tokens, streamed files, /healthz) are
not measured: ``tests/test_page_cache_everywhere.py`` lists them with their reasons.
Everything it starts it stops; the database is dropped unless ``--keep-db``. Loopback only;
about 6 minutes.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BARE_PATH,
    create_database,
    drop_database,
    flush_redis_db,
    manage,
    production_env,
    start_bare_server,
    stop_bare_server,
)
from bench.tracker_load import ensure_wrk, get, start_gunicorn, stop_gunicorn  # noqa: E402

DB_NAME = "leadit_bench_pages"
REDIS_URL = os.environ.get("BENCH_PAGES_REDIS_URL", "redis://127.0.0.1:6379/14")
BAR = 0.85
BROWSER = "gzip, deflate, br"

# The objects the pages with a slug are shown for (the first of each kind in the demo data).
EXAMPLES_CODE = """
import json
from members.models import Member
from publications.models import Publication
from summits.models import Event, WorkingGroup
from tracker.models import GuideStep, IndustrialProject, Roadmap
from workplan.models import Workplan
first = lambda qs: qs.order_by("pk").values_list("slug", flat=True).first()
print(json.dumps({
    "roadmap": first(Roadmap.objects.all()),
    "project": first(IndustrialProject.objects.all()),
    "guide_step": first(GuideStep.objects.all()),
    "member": first(Member.objects.public()),
    "event": first(Event.objects.filter(visibility="public")),
    "group": first(WorkingGroup.objects.all()),
    "workplan": first(Workplan.objects.exclude(status="draft")),
    "brief": first(Publication.objects.filter(status="published", kind="brief")),
    "issue": first(Publication.objects.filter(status="published", kind="newsletter")),
}))
"""


def public_pages(x: dict) -> list[tuple[str, str]]:
    """(label, path) of every cacheable public page, one example of each with a slug."""
    pages = [
        ("home", "/"),
        ("privacy", "/privacy/"),
        ("accessibility", "/accessibility/"),
        ("contact", "/contact/"),
        ("tracker list", "/tracker/"),
        ("tracker filtered", "/tracker/?sector=steel&scope=national"),
        ("tracker export.csv", "/tracker/export.csv"),
        ("roadmap", f"/tracker/roadmaps/{x['roadmap']}/"),
        ("countries", "/tracker/countries/"),
        ("country IN", "/tracker/countries/IN/"),
        ("compare", "/tracker/compare/?c=SE&c=IN&c=DE&c=JP"),
        ("compare.csv", "/tracker/compare.csv?c=SE&c=IN"),
        ("coverage", "/tracker/coverage/"),
        ("charts", "/tracker/charts/"),
        ("projects", "/tracker/projects/"),
        ("project", f"/tracker/projects/{x['project']}/"),
        ("guide", "/tracker/guide/"),
        ("guide step", f"/tracker/guide/{x['guide_step']}/"),
        ("methodology", "/tracker/methodology/"),
        ("changes", "/tracker/changes/"),
        ("members", "/members/"),
        ("member", f"/members/{x['member']}/"),
        ("members export.csv", "/members/export.csv"),
        ("events", "/events/"),
        ("event", f"/events/{x['event']}/"),
        ("event .ics", f"/events/{x['event']}.ics"),
        ("calendar.ics", "/events/calendar.ics"),
        ("working groups", "/events/working-groups/"),
        ("working group", f"/events/working-groups/{x['group']}/"),
        ("workplans", "/workplan/"),
        ("workplan", f"/workplan/{x['workplan']}/"),
        ("matrix", f"/workplan/{x['workplan']}/matrix/"),
        ("matrix.xlsx", f"/workplan/{x['workplan']}/matrix.xlsx"),
        ("matrix.pdf", f"/workplan/{x['workplan']}/matrix.pdf"),
        ("publications", "/publications/"),
        ("brief", f"/publications/{x['brief']}/"),
        ("newsletter issue", f"/publications/{x['issue']}/"),
        ("sign-up sent", "/publications/newsletter/subscribe/check-your-inbox/"),
    ]
    return [(label, path) for label, path in pages if "/None" not in path]


WRK_SCRIPT = r"""
function init(args)
  headers = {}
  if args[1] ~= "" then headers["Accept-Encoding"] = args[1] end
end
function request()
  return wrk.format("GET", nil, headers)
end
function done(summary, latency, requests)
  io.write(string.format("P95_US %d\n", latency:percentile(95)))
  io.write(string.format("P50_US %d\n", latency:percentile(50)))
  local e = summary.errors
  io.write(string.format("ERRORS %d %d %d %d %d\n", e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def run_wrk(wrk: str, script: Path, url: str, encoding: str, duration: int, connections: int):
    args = [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
            "-s", str(script), url, "--", encoding]  # fmt: skip
    output = subprocess.run(args, capture_output=True, text=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p95 = int(re.search(r"P95_US (\d+)", output).group(1)) / 1000
    errors = sum(map(int, re.search(r"ERRORS ([\d ]+)", output).group(1).split()))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, p95, errors + (int(non2xx.group(1)) if non2xx else 0)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=2, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=1, help="measurements of each page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", default="", help="labels to measure, comma-separated")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="use the kept database as is")
    parser.add_argument("--timeout", type=int, default=600, help="stop the whole run after")
    return parser.parse_args()


def warm(base: str, pages: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """Each page requested until it is a cache hit; its size plain and gzipped."""
    sizes = {}
    for label, path in pages:
        for _ in range(2):  # the second one is a cache hit
            status, body = get(base + path)
        if status != 200:
            raise SystemExit(f"{label}: {base}{path} answered {status}")
        sizes[label] = (
            len(body),
            len(get(base + path, headers={"Accept-Encoding": "gzip"})[1]),
        )
    print(f"  {len(pages)} pages warmed", flush=True)
    return sizes


def measure_pages(args, wrk: str, script: Path, base: str, bare_base: str,
                  pages: list[tuple[str, str]]):  # fmt: skip
    """Each page (at ``base``, the portal) with and without gzip, between two measurements
    of the bare view (at ``bare_base``, the bare project's own gunicorn); returns
    ``{(label, encoding): [(req/s, p95, errors, × bare)]}`` and the bare view's runs."""

    def measure(url: str, encoding: str):
        return run_wrk(wrk, script, url, encoding, args.duration, args.connections)

    bare_url = bare_base + BARE_PATH

    runs: dict[tuple[str, str], list] = {}
    bare_runs = []
    for round_number in range(1, args.rounds + 1):
        bare_before = measure(bare_url, BROWSER)
        bare_runs.append(bare_before)
        for label, path in pages:
            measured = {enc: measure(base + path, enc) for enc in (BROWSER, "")}
            bare_after = measure(bare_url, BROWSER)
            bare_runs.append(bare_after)
            bare = (bare_before[0] + bare_after[0]) / 2
            for enc, figures in measured.items():
                runs.setdefault((label, enc), []).append((*figures, figures[0] / bare))
            bare_before = bare_after
            print(
                f"  round {round_number}: {label:<20} gzip {measured[BROWSER][0]:>6.0f} req/s "
                f"{measured[BROWSER][0] / bare:.2f} ×, identity {measured[''][0]:>6.0f} "
                f"req/s {measured[''][0] / bare:.2f} × (bare {bare:.0f})",
                flush=True,
            )
    return runs, bare_runs


def report(args, pages, sizes, runs, bare_runs) -> None:
    load = os.getloadavg()
    print()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(
        f"gunicorn 2 sync workers; wrk, {args.connections} connections, {args.duration} s per "
        f"measurement, {args.rounds} round(s); × bare: to the bare view just before and after"
    )
    bare_rps = statistics.median(r[0] for r in bare_runs)
    bare_p95 = statistics.median(r[1] for r in bare_runs)
    print(
        f"bare view {BARE_PATH} (bench/bare_project: one view, no middleware, its own gunicorn "
        f"with the same settings): {bare_rps:.0f} req/s (median), p95 {bare_p95:.1f} ms"
    )
    header = (
        f"{'page':<20}{'KiB':>6}{'gz KiB':>7}{'gzip r/s':>10}{'× bare':>8}"
        f"{'plain r/s':>10}{'× bare':>8}{'p95 ms':>8}{'err':>5}  bar ≥ {BAR}"
    )
    print(header)
    print("-" * len(header))
    verdicts = []
    for label, _path in pages:
        gz, plain = runs[(label, BROWSER)], runs[(label, "")]
        med = lambda rows, i: statistics.median(r[i] for r in rows)  # noqa: E731
        ok = med(gz, 3) >= BAR and med(plain, 3) >= BAR
        verdicts.append(ok)
        errors = sum(r[2] for r in gz + plain)
        print(
            f"{label:<20}{sizes[label][0] / 1024:>6.0f}{sizes[label][1] / 1024:>7.0f}"
            f"{med(gz, 0):>10.0f}{med(gz, 3):>8.2f}{med(plain, 0):>10.0f}{med(plain, 3):>8.2f}"
            f"{max(med(gz, 1), med(plain, 1)):>8.1f}{errors:>5}  {'PASS' if ok else 'FAIL'}"
        )
    print(f"bars: {'all PASS' if all(verdicts) else 'some FAIL'} ({sum(verdicts)}/{len(verdicts)})")
    print("(pages: " + "; ".join(f"{label} = {path}" for label, path in pages) + ")")


def main() -> None:
    args = parse_args()

    def too_long(*_):
        raise SystemExit(f"stopped: the run took over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.timeout)
    started = time.monotonic()

    wrk = ensure_wrk()
    if wrk is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    static_root = Path(tempfile.mkdtemp(prefix="leadit_bench_pages_"))
    media_root = static_root / "media"
    env = production_env(
        DB_NAME,
        STATIC_ROOT=str(static_root / "static"),
        MEDIA_ROOT=str(media_root),
        REDIS_URL=REDIS_URL,
    )
    gunicorn = bare = None
    print(f"Public pages benchmark: database {DB_NAME}, Redis {REDIS_URL}", flush=True)
    try:
        if not args.reuse_db:
            create_database(DB_NAME)
            manage(env, "migrate", "--noinput", "--skip-checks")
            manage(env, "seed_demo", "--allow-production", timeout=400)
        examples = json.loads(manage(env, "shell", "-c", EXAMPLES_CODE).stdout.splitlines()[-1])
        manage(env, "collectstatic", "--noinput", "-v", "0")
        flush_redis_db(REDIS_URL)
        gunicorn, base = start_gunicorn(env)
        bare, bare_base = start_bare_server(env)

        pages = public_pages(examples)
        if args.only:
            wanted = {label.strip() for label in args.only.split(",")}
            pages = [(label, path) for label, path in pages if label in wanted]
        sizes = warm(base, pages)
        script = static_root / "bench.lua"
        script.write_text(WRK_SCRIPT)
        runs, bare_runs = measure_pages(args, wrk, script, base, bare_base, pages)
    finally:
        stop_bare_server(bare)
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep_db and not args.reuse_db:
            drop_database(DB_NAME)
            print(f"  dropped database {DB_NAME}")
        flush_redis_db(REDIS_URL)

    report(args, pages, sizes, runs, bare_runs)
    print(f"run took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
