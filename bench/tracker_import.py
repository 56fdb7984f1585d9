"""Benchmark: import 10,000 roadmap rows through ``tracker.resources.RoadmapResource``
with full validation (model ``full_clean`` plus the tracker's rules), as the admin does:
a dry run, then the real import. Prints the seconds of each. Bar: ≤ 10 s.

    .venv/bin/python bench/tracker_import.py [--rows 10000] [--keep-db]

Uses its own PostgreSQL database (``leadit_bench_import``, dropped at the end) and Redis
db 6. Bounded: the whole run stops after ``--timeout`` seconds.
"""

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    create_database,
    drop_database,
    flush_redis_db,
    manage,
    production_env,
    setup_django,
)
from bench.seed_bench import COUNTRY_WEIGHTS, ROADMAP_STATUSES, pick  # noqa: E402

DB_NAME = "leadit_bench_import"
BAR_SECONDS = 10.0
HEADER = [
    "slug",
    "title",
    "scope",
    "country",
    "region",
    "publisher",
    "published_on",
    "status",
    "superseded_by",
    "sectors",
    "instruments",
    "summary",
    "document_url",
    "language",
    "last_reviewed_on",
]


def build_csv(rows: int, sectors: list[str], instruments: list[str], regions: list[str]) -> str:
    rng = random.Random(10_000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(rows):
        scope = rng.choices(
            ["national", "company", "regional", "global", "sectoral"], [6, 1, 1, 1, 1]
        )[0]
        country = pick(rng, COUNTRY_WEIGHTS) if scope in ("national", "company") else ""
        writer.writerow(
            [
                f"import-roadmap-{n + 1}",
                f"Imported roadmap {n + 1}",
                scope,
                country.lower() if n % 7 == 0 else country,
                rng.choice(regions) if scope == "regional" else "",
                f"Publisher {rng.randint(1, 300)}",
                f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                pick(rng, ROADMAP_STATUSES),
                # Successors named by slug, always earlier rows of the same file.
                f"import-roadmap-{rng.randint(1, n)}" if n > 0 and rng.random() < 0.03 else "",
                ",".join(rng.sample(sectors, k=rng.randint(1, 3))),
                ",".join(rng.sample(instruments, k=rng.randint(0, 3))),
                f"Summary of roadmap {n + 1}. " * 5,
                f"https://example.org/imported/{n + 1}.pdf",
                rng.choice(["English", "German", "Swedish"]),
                "2025-05-01" if rng.random() < 0.5 else "",
            ]
        )
    return out.getvalue()


def run(rows: int, profile: bool) -> dict[str, float]:
    import tablib
    from django.db import connection

    from bench.seed_bench import reference_data
    from tracker.models import CountryGroup, PolicyInstrument, Roadmap, Sector
    from tracker.resources import RoadmapResource

    reference_data()
    text = build_csv(
        rows,
        list(Sector.objects.values_list("slug", flat=True)),
        list(PolicyInstrument.objects.values_list("slug", flat=True)),
        list(CountryGroup.objects.values_list("slug", flat=True)),
    )
    Path("/tmp/leadit_bench_roadmaps.csv").write_text(text)
    print(f"  built a {rows:,}-row CSV ({len(text) / 1e6:.1f} MB, /tmp/leadit_bench_roadmaps.csv)")

    figures = {}
    for label, dry_run in (("dry run", True), ("import", False)):
        dataset = tablib.Dataset().load(text, format="csv")
        profiler = cProfile.Profile() if profile else None
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = RoadmapResource().import_data(dataset, dry_run=dry_run)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        figures[label] = seconds
        figures[f"{label} cpu"] = time.process_time() - cpu_started
        if result.has_errors() or result.has_validation_errors():
            bad = [(row.number, row.error_dict) for row in result.invalid_rows[:5]]
            errors = [(n, [str(e.error) for e in errs]) for n, errs in result.row_errors()[:3]]
            base = [str(e.error) for e in result.base_errors[:3]]
            raise SystemExit(f"import failed: {bad} {errors} {base}")
        print(
            f"  {label}: {rows:,} rows in {seconds:.2f} s "
            f"({rows / seconds:,.0f} rows/s, of it {figures[label + ' cpu']:.2f} s CPU in this "
            f"process; {dict(result.totals)})",
            flush=True,
        )
        if profiler:
            stats = pstats.Stats(profiler).sort_stats(
                os.environ.get("BENCH_PROFILE_SORT", "cumulative")
            )
            stats.print_stats(35)
    assert Roadmap.objects.filter(slug__startswith="import-roadmap-").count() == rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tracker_historicalroadmap")
        figures["history rows"] = cursor.fetchone()[0]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each pass")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()

    def too_long(*_):
        raise SystemExit(f"stopped: over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.timeout)

    print(f"Roadmap import benchmark: {args.rows:,} rows, database {DB_NAME}")
    create_database(DB_NAME)
    try:
        env = production_env(DB_NAME)
        manage(env, "migrate", "--noinput", "--skip-checks")
        setup_django(env)
        flush_redis_db()
        figures = run(args.rows, args.profile)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(DB_NAME)
            print(f"  dropped database {DB_NAME}")
    total = figures["dry run"] + figures["import"]
    verdict = "PASS" if figures["import"] <= BAR_SECONDS else "FAIL"
    print()
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"{'pass':<12}{'seconds':>10}{'rows/s':>10}{'CPU s (python)':>16}")
    for label in ("dry run", "import"):
        print(
            f"{label:<12}{figures[label]:>10.2f}{args.rows / figures[label]:>10,.0f}"
            f"{figures[label + ' cpu']:>16.2f}"
        )
    print(f"{'both':<12}{total:>10.2f}")
    print(
        f"bar: the import of {args.rows:,} rows with full validation ≤ {BAR_SECONDS:.0f} s "
        f"→ {verdict} ({figures['import']:.2f} s; dry run + import {total:.2f} s, "
        f"{'within' if total <= BAR_SECONDS else 'over'} the bar as well)"
    )


if __name__ == "__main__":
    main()
