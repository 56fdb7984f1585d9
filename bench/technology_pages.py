"""Benchmark: the technology pages under load (issue 16, "Demo data and speed").

With 5,000 solutions and 500 co-development projects (``bench/technology_seed.py``, on top
of the partnerships' bulk data) in a dedicated PostgreSQL database, gunicorn (2 sync
workers, production settings) serves the portal on a free loopback port; a second gunicorn
with the same settings serves the baseline, the bare view of ``bench/bare_project`` (a
minimal Django project of its own: one view, no middleware); ``wrk`` drives each page, with
the bare view measured just before and after every page (``bench/tracker_load.py``'s
machinery). Cached pages are warmed first; the "uncached" catalogue gives every request a
query string of its own (``?nocache=<n>``), so each one misses the page cache.

    .venv/bin/python bench/technology_pages.py [--duration 5] [--rounds 3] [--keep-db]

Bars: cached pages (catalogue, one technology, projects, …) ≥ 0.85 × the bare view's
req/s; the uncached catalogue ≥ 0.20 ×. A page that still answers 404 (a placeholder view
not written yet) is reported as such and left out of the measurements.
Everything it starts it stops; the database is dropped unless ``--keep-db``. Loopback only.
"""

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import tracker_load  # noqa: E402
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
    stop_bare_server,
)

DB_NAME = "leadit_bench_technology"

# The technology with the most public solutions, one solution and one project to show.
EXAMPLES_CODE = """
import json
from django.db.models import Count, Q
from technology.models import CoDevelopmentProject, TechnologySolution
from tracker.models import Technology
busiest = Technology.objects.annotate(
    n=Count("solutions", filter=Q(solutions__visibility="public"))).order_by("-n").first()
print(json.dumps({
    "technology": busiest.slug,
    "solution": TechnologySolution.objects.public().order_by("pk").values_list("slug", flat=True).first(),
    "project": CoDevelopmentProject.objects.public().order_by("pk").values_list("slug", flat=True).first(),
}))
"""


def urls(x: dict) -> list[tuple[str, str, str]]:
    """(label, path, kind) as ``tracker_load`` measures them."""
    return [
        ("bare Django view", BARE_PATH, "bare"),
        ("catalogue", "/technology/", "cached"),
        ("catalogue filtered", "/technology/?trl_min=6&offer=licence&sort=trl", "cached"),
        ("technology", f"/technology/{x['technology']}/", "cached"),
        ("solution", f"/technology/solutions/{x['solution']}/", "cached"),
        ("projects", "/technology/projects/", "cached"),
        ("project", f"/technology/projects/{x['project']}/", "cached"),
        ("programmes", "/technology/programmes/", "cached"),
        ("guidelines", "/technology/guidelines/", "cached"),
        ("calls.ics", "/technology/calls.ics", "cached"),
        ("export.csv", "/technology/export.csv?trl_min=7", "cached"),
        ("uncached catalogue", "/technology/?nocache=", "uncached"),
    ]


def load_data(env: dict[str, str]) -> dict:
    started = time.perf_counter()
    subprocess.run([PYTHON, "bench/technology_seed.py"], cwd=ROOT, env=env, check=True,
                   timeout=900)  # fmt: skip
    print(f"  seeded in {time.perf_counter() - started:.1f} s (with the process start)")
    return examples(env)


def examples(env: dict[str, str]) -> dict:
    return json.loads(manage(env, "shell", "-c", EXAMPLES_CODE).stdout.splitlines()[-1])


def pages_that_answer(base: str, bare_base: str, pages: list[tuple[str, str, str]]) -> list[tuple]:
    """The pages that answer 200; the others are reported (a 404 is a placeholder view
    whose helper has not finished) and left out, so the rest can still be measured."""
    kept = []
    for label, path, kind in pages:
        target = path + ("probe" if kind == "uncached" else "")
        server = tracker_load.base_for(kind, base, bare_base)
        status, _body = tracker_load.get(server + target)
        if status == 200:
            kept.append((label, path, kind))
        elif status == 404:
            print(f"  NOT MEASURED: {label} ({path}) answers 404: still a placeholder view?")
        else:
            print(f"  NOT MEASURED: {label} ({path}) answers {status}")
    return kept


def main() -> None:
    args = tracker_load.parse_args()

    def too_long(*_):
        raise SystemExit(f"stopped: the run took over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.timeout)
    static_root = Path(tempfile.mkdtemp(prefix="leadit_bench_technology_"))
    env = production_env(DB_NAME, STATIC_ROOT=str(static_root))
    gunicorn = bare = None
    figures = []
    print(f"Technology pages benchmark: database {DB_NAME}, Redis {env['REDIS_URL']}")
    try:
        if not args.reuse_db:
            create_database(DB_NAME)
            manage(env, "migrate", "--noinput", "--skip-checks")
        found = examples(env) if args.reuse_db else load_data(env)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        flush_redis_db()
        gunicorn, base = tracker_load.start_gunicorn(env)
        bare, bare_base = start_bare_server(env)
        # tracker_load's warm-up, measurement and report read its module's URL list.
        tracker_load.URLS = pages_that_answer(base, bare_base, urls(found))
        if len(tracker_load.URLS) < 2:
            raise SystemExit("No technology page answers yet: nothing to measure.")
        tracker_load.warm(base, bare_base)
        wrk = tracker_load.ensure_wrk()
        script = static_root / "bench.lua"
        script.write_text(tracker_load.WRK_SCRIPT)
        figures = tracker_load.measure_urls(args, wrk, script, base, bare_base)
    finally:
        stop_bare_server(bare)
        if gunicorn is not None:
            tracker_load.stop_gunicorn(gunicorn)
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep_db and not args.reuse_db:
            drop_database(DB_NAME)
            print(f"  dropped database {DB_NAME}")
    data = (
        "5,000 solutions, 500 co-development projects, 60 programmes, 300 guidelines; "
        "200 partnerships, 5,000 requests, 2,000 offers"
    )
    tracker_load.report(args, data, wrk, figures)


if __name__ == "__main__":
    main()
