"""Benchmark: the partnerships' public pages under load (issue 15, "Speed").

With 200 partnerships, 5,000 requests, 2,000 offers, 3,000 commitments and 1,000 pipeline
projects (``bench/partnerships_seed.py``) in a dedicated PostgreSQL database, gunicorn (2
sync workers, production settings) serves the portal on a free loopback port; a second
gunicorn with the same settings serves the baseline, the bare view of ``bench/bare_project``
(a minimal Django project of its own: one view, no middleware); ``wrk`` drives each page,
with the bare view measured just before and after every page (``bench/tracker_load.py``'s
machinery). Cached pages are warmed first; the "uncached" needs board, offers and pipeline
give every request a query string of its own (``?nocache=<n>``), so each one misses the
page cache (and reuses the list's content, cached as a fragment keyed by the filters only).

    .venv/bin/python bench/partnerships_pages.py [--duration 5] [--rounds 3] [--keep-db]

Bars: cached pages ≥ 0.85 × the bare view's req/s; the uncached lists ≥ 0.20 ×.
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

DB_NAME = "leadit_bench_partnerships"

# The partnership with the most requests, one need and one project: the detail pages shown.
EXAMPLES_CODE = """
import json
from django.db.models import Count
from partnerships.models import Partnership, PipelineProject, SupportRequest
biggest = Partnership.objects.annotate(n=Count("support_requests")).order_by("-n").first()
print(json.dumps({
    "iso2": biggest.country.code.lower(),
    "need": SupportRequest.objects.public().order_by("pk").values_list("pk", flat=True).first(),
    "project": PipelineProject.objects.public().order_by("pk").values_list("slug", flat=True).first(),
}))
"""


def urls(x: dict) -> list[tuple[str, str, str]]:
    """(label, path, kind) as ``tracker_load`` measures them."""
    return [
        ("bare Django view", BARE_PATH, "bare"),
        ("overview", "/partnerships/", "cached"),
        ("partnership", f"/partnerships/{x['iso2']}/", "cached"),
        ("needs board", "/partnerships/needs/", "cached"),
        ("needs filtered", "/partnerships/needs/?status=open&kind=grant&sort=amount", "cached"),
        ("need", f"/partnerships/needs/{x['need']}/", "cached"),
        ("offers", "/partnerships/offers/", "cached"),
        ("pipeline", "/partnerships/pipeline/", "cached"),
        ("project", f"/partnerships/pipeline/{x['project']}/", "cached"),
        ("needs.csv", "/partnerships/needs/export.csv?status=open", "cached"),
        ("uncached needs board", "/partnerships/needs/?nocache=", "uncached"),
        ("uncached offers", "/partnerships/offers/?nocache=", "uncached"),
        ("uncached pipeline", "/partnerships/pipeline/?nocache=", "uncached"),
    ]


def load_data(env: dict[str, str]) -> dict:
    started = time.perf_counter()
    subprocess.run([PYTHON, "bench/partnerships_seed.py"], cwd=ROOT, env=env, check=True,
                   timeout=900)  # fmt: skip
    print(f"  seeded in {time.perf_counter() - started:.1f} s (with the process start)")
    return json.loads(manage(env, "shell", "-c", EXAMPLES_CODE).stdout.splitlines()[-1])


def main() -> None:
    args = tracker_load.parse_args()

    def too_long(*_):
        raise SystemExit(f"stopped: the run took over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.timeout)
    static_root = Path(tempfile.mkdtemp(prefix="leadit_bench_partnerships_"))
    env = production_env(DB_NAME, STATIC_ROOT=str(static_root))
    gunicorn = bare = None
    print(f"Partnerships pages benchmark: database {DB_NAME}, Redis {env['REDIS_URL']}")
    try:
        if not args.reuse_db:
            create_database(DB_NAME)
            manage(env, "migrate", "--noinput", "--skip-checks")
        examples = (
            load_data(env)
            if not args.reuse_db
            else json.loads(manage(env, "shell", "-c", EXAMPLES_CODE).stdout.splitlines()[-1])
        )
        # tracker_load's warm-up, measurement and report read its module's URL list.
        tracker_load.URLS = urls(examples)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        flush_redis_db()
        gunicorn, base = tracker_load.start_gunicorn(env)
        bare, bare_base = start_bare_server(env)
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
    data = "200 partnerships, 5,000 requests, 2,000 offers, 3,000 commitments, 1,000 projects"
    tracker_load.report(args, data, wrk, figures)


if __name__ == "__main__":
    main()
