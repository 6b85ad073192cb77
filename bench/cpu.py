"""CPU per request of a few pages, in process: no server, no load generator, no noise from
other clients. Each page (an entry of bench/pages.py) is located as the load generator would
(its user signed in, its session filled), warmed up, then requested N times through Django's
test client; prints the median process CPU time (`time.process_time`) and the SQL queries of
one request. `--profile PAGE` prints the cProfile of the N requests to that page instead
(sorted by cumulative time; SORT=tottime sorts by own time).

    DATABASE_URL=postgres://…/gru_city REDIS_URL=redis://…/7 python -m bench.cpu
    python -m bench.cpu --pages tracking,account --count 100
    python -m bench.cpu --profile account
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time

from bench.run import BENCH_ENVIRONMENT, STATIC_MODES

DEFAULT_PAGES = ("tracking", "account", "profile")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=",".join(DEFAULT_PAGES))
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--profile", metavar="PAGE", help="cProfile this page's requests")
    args = parser.parse_args(argv)

    # Production settings, static files found in the source tree (no collectstatic).
    for name, value in {**BENCH_ENVIRONMENT, **STATIC_MODES["finders"]}.items():
        os.environ.setdefault(name, value)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.test import Client

    from bench.pages import by_name, count_queries, locate

    names = [args.profile] if args.profile else args.pages.split(",")
    print(f"{'page':<12} {'CPU ms (median)':>16} {'queries':>8}")
    for name in names:
        client = Client()
        rng = random.Random(args.seed)  # noqa: S311 (which rows to request, not a secret)
        target = locate(by_name(name), rng, client)
        if target.absent:
            print(f"{name:<12} absent: {target.absent}")
            continue
        paths = target.paths
        for path in paths[:3]:  # warm-up: imports, template loading, caches
            assert client.get(path).status_code == 200, path
        queries = count_queries(target.page, client, paths[0])
        times = []
        profiler = cProfile.Profile() if args.profile else None
        for index in range(args.count):
            path = paths[index % len(paths)]
            start = time.process_time()
            if profiler:
                profiler.enable()
            response = client.get(path)
            if profiler:
                profiler.disable()
            times.append((time.process_time() - start) * 1000)
            assert response.status_code == 200, path
        print(f"{name:<12} {statistics.median(times):>16.1f} {queries:>8}")
        if profiler:
            order = os.environ.get("SORT", "cumulative")
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
