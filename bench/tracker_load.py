"""Benchmark: the tracker's public pages under load (issue 4, "Speed").

With 1,000 roadmaps, 4,000 targets and the full GEM steel plant file loaded into a dedicated
PostgreSQL database, gunicorn (2 sync workers, production settings: DEBUG off, Redis cache)
serves the portal on a free loopback port, and ``wrk`` (16 connections, a bounded time per
URL) measures req/s and the 95th-percentile latency of each page and of the bare view in
the same run. The bare view, the baseline, is ``/bench/bare/`` of ``bench/bare_project``: a
minimal Django project of its own (one view, no middleware, no database) under a gunicorn
of its own with the portal's gunicorn settings, started and stopped with the portal's. Every request says ``Accept-Encoding: gzip, deflate, br``, as browsers do.
Cached pages are warmed first. "Uncached list" gives every request a query string of its
own (``?nocache=<n>``), so each one misses the page cache (the list's content fragment,
keyed by the filters that matter, is reused); "cold list" gives every request its own
``page`` value, so nothing is cached at all and the whole list is rendered (for
information: the bar is about the first).

    .venv/bin/python bench/tracker_load.py [--duration 10] [--keep-db] [--skip-gem]

Bars: cached pages ≥ 0.85 × the bare view's req/s; uncached list ≥ 0.20 ×.
Everything it starts it stops; the database is dropped unless ``--keep-db``. Loopback only.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BARE_PATH,
    PYTHON,
    ROOT,
    create_database,
    drop_database,
    flush_redis_db,
    manage,
    production_env,
    start_bare_server,
    start_server,
    stop_bare_server,
    stop_server,
)

DB_NAME = "leadit_bench"
GEM_FILE = ROOT / "tracker/data/gem/gem_iron_steel_map_file_2025-03-25.csv"
GEM_COMMAND = ROOT / "tracker/management/commands/import_gem_steel.py"
CACHED_BAR, UNCACHED_BAR = 0.85, 0.20

# (label, path, kind): kind "bare" (the bare project's one view, on its own server: see
# ``base_for``), "cached" (warmed, same URL every time) or "uncached" (a unique query
# string per request, so every request misses the page cache). The first is the bare view.
URLS = [
    ("bare Django view", BARE_PATH, "bare"),
    ("/tracker/", "/tracker/", "cached"),
    ("filtered list", "/tracker/?sector=steel&scope=national&status=adopted", "cached"),
    ("compare 4 countries", "/tracker/compare/?c=SE&c=IN&c=DE&c=JP", "cached"),
    ("country profile IN", "/tracker/countries/IN/", "cached"),
    ("coverage", "/tracker/coverage/", "cached"),
    ("uncached list", "/tracker/?nocache=", "uncached"),
    ("cold list", "/tracker/?page=", "uncached"),
]

WRK_SCRIPT = r"""
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  base = args[1]
  unique = args[2] == "unique"
  n = 0
  -- What every browser sends.
  headers = {["Accept-Encoding"] = "gzip, deflate, br"}
end
function request()
  if unique then
    n = n + 1
    return wrk.format("GET", base .. tid .. "-" .. n, headers)
  end
  return wrk.format("GET", base, headers)
end
function done(summary, latency, requests)
  io.write(string.format("P95_US %d\n", latency:percentile(95)))
  io.write(string.format("P50_US %d\n", latency:percentile(50)))
  local e = summary.errors
  io.write(string.format("ERRORS %d %d %d %d %d\n", e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def ensure_wrk() -> str | None:
    if path := shutil.which("wrk"):
        return path
    print("  wrk is missing: installing Debian's package wrk", flush=True)
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "wrk"], check=True, capture_output=True, timeout=300
        )
    except (subprocess.SubprocessError, OSError) as error:
        print(f"  could not install wrk ({error}); using the Python load generator")
        return None
    return shutil.which("wrk")


def get(url: str, timeout: float = 30, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def base_for(kind: str, base: str, bare_base: str) -> str:
    """The server a URL of ``kind`` is asked: the bare project's for the bare view, the
    portal's for everything else."""
    return bare_base if kind == "bare" else base


def run_wrk(wrk: str, script: Path, base: str, path: str, unique: bool, duration: int,
            connections: int):  # fmt: skip
    mode = "unique" if unique else "same"
    args = [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
            "-s", str(script), base + path, "--", path, mode]  # fmt: skip
    output = subprocess.run(args, capture_output=True, text=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p95 = int(re.search(r"P95_US (\d+)", output).group(1)) / 1000
    p50 = int(re.search(r"P50_US (\d+)", output).group(1)) / 1000
    errors = sum(map(int, re.search(r"ERRORS ([\d ]+)", output).group(1).split()))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, p95, p50, errors + (int(non2xx.group(1)) if non2xx else 0)


def run_python(base: str, path: str, unique: bool, duration: int, connections: int):
    """A fallback load generator: ``connections`` threads, each a loop of GETs."""
    import threading
    from http.client import HTTPConnection

    host, port = base.removeprefix("http://").split(":")
    latencies, errors, stop = [], [0], time.monotonic() + duration

    def worker(number: int) -> None:
        n = 0
        while time.monotonic() < stop:
            n += 1
            target = f"{path}{number}-{n}" if unique else path
            started = time.perf_counter()
            try:
                conn = HTTPConnection(host, int(port), timeout=10)
                conn.request("GET", target, headers={"Accept-Encoding": "gzip, deflate, br"})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return len(latencies) / duration, pick(0.95), pick(0.5), errors[0]


def load_data(env: dict[str, str], skip_gem: bool) -> None:
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "bench/seed_bench.py", "--roadmaps", "1000", "--targets", "4000"],
        cwd=ROOT, env=env, check=True, timeout=600,
    )  # fmt: skip
    print(f"  seeded roadmaps and targets in {time.perf_counter() - started:.1f} s", flush=True)
    if skip_gem:
        print("  NOTE: --skip-gem given: the GEM plant file is not loaded")
    elif not GEM_COMMAND.exists():
        print(
            "  NOTE: tracker/management/commands/import_gem_steel.py does not exist yet: the GEM "
            "plant file is NOT loaded (rerun this script once the command is there)"
        )
    elif not GEM_FILE.exists():
        print(f"  NOTE: {GEM_FILE} is missing: the GEM plant file is NOT loaded")
    else:
        result = manage(env, "import_gem_steel", str(GEM_FILE), "--skip-checks", timeout=900)
        print("    " + "\n    ".join(result.stdout.strip().splitlines()[:4]))


def counts(env: dict[str, str]) -> str:
    code = (
        "from tracker.models import *; "
        "print(f'{Roadmap.objects.count()} roadmaps, {Target.objects.count()} targets, "
        "{IndustrialProject.objects.count()} industrial projects, "
        "{ProjectCapacity.objects.count()} capacities')"
    )
    return manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each URL")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--keep-db", action="store_true", help="keep the leadit_bench database")
    parser.add_argument("--reuse-db", action="store_true", help="use leadit_bench as it is")
    parser.add_argument("--skip-gem", action="store_true")
    parser.add_argument("--timeout", type=int, default=1500, help="stop the whole run after")
    return parser.parse_args()


def start_gunicorn(env: dict) -> tuple[subprocess.Popen, str]:
    """The portal under gunicorn (``bench.common.gunicorn_command``: 2 sync workers) on a
    free loopback port, answering ``/healthz``; and its base URL."""
    gunicorn, base = start_server("leadit.wsgi:application", env, "/healthz", "gunicorn")
    print(f"  gunicorn (2 sync workers) on {base}, pid {gunicorn.pid}", flush=True)
    return gunicorn, base


def stop_gunicorn(gunicorn: subprocess.Popen) -> None:
    if gunicorn.poll() is None:
        stop_server(gunicorn)
        print("  gunicorn stopped")


def warm(base: str, bare_base: str) -> None:
    """Each URL requested until a cached page is a cache hit; its size printed."""
    for label, path, kind in URLS:
        target = base_for(kind, base, bare_base) + path + ("warm-1" if kind == "uncached" else "")
        for _ in range(2):  # the second one is a cache hit for cached pages
            status, body = get(target)
        if status != 200:
            raise SystemExit(f"{label}: {target} answered {status}")
        sent = get(target, headers={"Accept-Encoding": "gzip"})[1]
        print(
            f"  {label}: {status}, {len(body) / 1024:.0f} KiB ({len(sent) / 1024:.0f} KiB sent to a browser)",
            flush=True,
        )


def measure_urls(args, wrk: str | None, script: Path, base: str, bare_base: str) -> list[tuple]:
    """Every URL's medians over the rounds: ``(label, path, kind, req/s, p95, p50, errors,
    × bare)``; the portal's pages at ``base``, the bare view (``URLS[0]``) at ``bare_base``
    (the bare project's own gunicorn)."""

    # The machine is shared and its load changes from second to second: the bare view
    # is measured right before and after every page, round after round, and each
    # page's ratio is to the mean of its two neighbours (the median over the rounds).
    def measure(path: str, kind: str):
        server, unique = base_for(kind, base, bare_base), kind == "uncached"
        if wrk:
            return run_wrk(wrk, script, server, path, unique, args.duration, args.connections)
        return run_python(server, path, unique, args.duration, args.connections)

    bare_label, bare_path, bare_kind = URLS[0]
    assert bare_kind == "bare", "URLS[0] must be the bare view"
    runs: dict[str, list] = {label: [] for label, _path, _kind in URLS}
    for round_number in range(1, args.rounds + 1):
        bare_before = measure(bare_path, bare_kind)
        runs[bare_label].append((*bare_before, 1.0))
        for label, path, kind in URLS[1:]:
            measured = measure(path, kind)
            bare_after = measure(bare_path, bare_kind)
            ratio = measured[0] / ((bare_before[0] + bare_after[0]) / 2)
            runs[label].append((*measured, ratio))
            runs[bare_label].append((*bare_after, 1.0))
            bare_before = bare_after
            print(
                f"  round {round_number}: {label}: {measured[0]:.0f} req/s, {ratio:.2f} × bare",
                flush=True,
            )
    figures = []
    for label, path, kind in URLS:
        rps, p95, p50, _errors, ratio = (statistics.median(m[i] for m in runs[label])
                                         for i in range(5))  # fmt: skip
        errors = sum(m[3] for m in runs[label])
        figures.append((label, path, kind, rps, p95, p50, errors, ratio))
    return figures


def report(args, data: dict, wrk: str | None, figures: list[tuple]) -> None:
    load = os.getloadavg()
    print()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"data: {data}")
    print(
        f"gunicorn 2 sync workers; {'wrk' if wrk else 'python threads'}, "
        f"{args.connections} connections, {args.duration} s per measurement, "
        f"{args.rounds} rounds (medians; × bare: to the bare view measured just before and after)"
    )
    print(
        "bare view: bench/bare_project (one view, no middleware, no database) under its own "
        "gunicorn, same settings"
    )
    header = f"{'URL':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'× bare':>8}{'errors':>8}  bar"
    print(header)
    print("-" * len(header))
    verdicts = []
    for label, _path, kind, rps, p95, p50, errors, ratio in figures:
        bar = {"cached": CACHED_BAR, "uncached": UNCACHED_BAR}.get(kind)
        verdict = "" if bar is None or label == "cold list" else (
            f"≥ {bar:.2f} {'PASS' if ratio >= bar else 'FAIL'}"
        )  # fmt: skip
        if verdict:
            verdicts.append(verdict.endswith("PASS"))
        print(f"{label:<22}{rps:>9.0f}{p50:>9.1f}{p95:>9.1f}{ratio:>8.2f}{errors:>8}  {verdict}")
    print(f"bars: {'all PASS' if all(verdicts) else 'some FAIL'} ({sum(verdicts)}/{len(verdicts)})")
    print("(URLs: " + "; ".join(f"{label} = {path}" for label, path, _ in URLS) + ")")


def main() -> None:
    args = parse_args()

    def too_long(*_):
        raise SystemExit(f"stopped: the run took over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.timeout)

    static_root = Path(tempfile.mkdtemp(prefix="leadit_bench_static_"))
    env = production_env(DB_NAME, STATIC_ROOT=str(static_root))
    gunicorn = bare = None
    print(f"Tracker load benchmark: database {DB_NAME}, Redis {env['REDIS_URL']}", flush=True)
    try:
        if not args.reuse_db:
            create_database(DB_NAME)
            manage(env, "migrate", "--noinput", "--skip-checks")
            load_data(env, args.skip_gem)
        data = counts(env)
        print(f"  data: {data}")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        flush_redis_db()
        gunicorn, base = start_gunicorn(env)
        bare, bare_base = start_bare_server(env)
        warm(base, bare_base)
        wrk = ensure_wrk()
        script = static_root / "bench.lua"
        script.write_text(WRK_SCRIPT)
        figures = measure_urls(args, wrk, script, base, bare_base)
    finally:
        stop_bare_server(bare)
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep_db and not args.reuse_db:
            drop_database(DB_NAME)
            print(f"  dropped database {DB_NAME}")

    report(args, data, wrk, figures)


if __name__ == "__main__":
    main()
