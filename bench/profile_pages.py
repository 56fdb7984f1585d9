"""Where the time of a tracker page goes, without the network or a load generator: the
milliseconds per request of each benchmark URL in one process (Django's handler with every
middleware), the cost of the page cache's Redis lookups, and a cProfile of one page. The bare
view is not among them: it is a project of its own (``bench/bare_project``), not a portal URL.

Run after ``bench/tracker_load.py --keep-db`` (it reads that database):

    .venv/bin/python bench/profile_pages.py [--profile "/tracker/?nocache="] [--n 200]
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import production_env, setup_django  # noqa: E402
from bench.tracker_load import DB_NAME, URLS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="requests per cached URL")
    parser.add_argument("--profile", default="", help="a path to profile, e.g. /tracker/")
    args = parser.parse_args()

    static_root = tempfile.mkdtemp(prefix="leadit_bench_static_")
    setup_django(production_env(DB_NAME, STATIC_ROOT=static_root))
    import pickle

    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", "--noinput", "-v", "0")
    client = Client(HTTP_HOST="127.0.0.1")
    run = uuid.uuid4().hex[:8]  # query strings never seen before: real cache misses
    print(
        f"{'URL':<22}{'ms/request':>12}  (one process, Django test client, load {os.getloadavg()[0]:.1f})"
    )
    for label, path, kind in URLS:
        if kind == "bare":  # the bare project's, not the portal's: see the docstring
            continue
        n = args.n if kind != "uncached" else max(5, args.n // 20)
        warm = path + (f"{run}-warm" if kind == "uncached" else "")
        client.get(warm)
        client.get(warm)  # a cached page is in the cache from here on
        started = time.perf_counter()
        for i in range(n):
            client.get(path + (f"{run}-{i}" if kind == "uncached" else ""))
        print(f"{label:<22}{(time.perf_counter() - started) / n * 1000:>12.2f}")

    # The page cache asks Redis twice per hit (the namespace's generation, then the page).
    cache.set("bench:page", b"x" * 30_000)
    cache.set("bench:generation", "g")
    n = 1000
    started = time.perf_counter()
    for _ in range(n):
        cache.get("bench:generation")
        cache.get("bench:page")
    two_gets = (time.perf_counter() - started) / n * 1000
    started = time.perf_counter()
    for _ in range(n):
        cache.get_many(["bench:generation", "bench:page"])
    get_many = (time.perf_counter() - started) / n * 1000
    redis_client = cache._cache.get_client("bench:page")
    keys = [cache.make_and_validate_key(k) for k in ("bench:generation", "bench:page")]
    started = time.perf_counter()
    for _ in range(n):
        [pickle.loads(value) for value in redis_client.mget(keys)]
    mget = (time.perf_counter() - started) / n * 1000
    print(
        f"page-cache lookup: 2 × cache.get {two_gets:.2f} ms; 1 × cache.get_many "
        f"{get_many:.2f} ms; 1 × MGET on a reused client {mget:.2f} ms"
    )

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(20):
            client.get(args.profile + (f"{run}-p{i}" if args.profile.endswith("=") else ""))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
