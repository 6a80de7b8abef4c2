"""Distinct filter combinations, each asked once: the long tail of the list.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.distinct_filters \
        [--n 150] [--repeat 3] [--dump FILE] [--profile N] [--url URL --times 100]

Run against a generated catalog (bench/generate.py). Asks the same distinct
filter combinations as the long tail of bench.run (bench.longtail's pools,
same seed and sizes), each once per round, with the production cache on and
emptied before each round, as the long tail does, and with what was loaded
frozen as bench.run freezes it (core.memory). Prints p50/p95 of the
page and of its SQL (time spent waiting for the database) per round, the
CPU a page took in this process and in the PostgreSQL backend serving it
(what the load of other processes changes least), and the median of the
rounds' figures, with the load average.

`--dump FILE` writes each URL with its status and a digest of its page,
and the slugs of the papers it lists in order, to compare two versions of
the code: the same results in the same order, the same HTML.
`--profile N` runs one round under cProfile, in process CPU time (the
waits for the database left out), and prints the N functions with most
time of their own and most time in all.
`--url URL --times N` asks one URL N times with the facet counts and other
per-version parts cached but not the page (bench.run's "rendered" rows).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import re
import statistics
import time
from typing import NamedTuple

SLUG = re.compile(r'<h3 class="paper-title"><a href="/papers/([^/"]+)/"')


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * len(values)) - 1)]


def filter_urls(n: int) -> list[str]:
    """The long tail's distinct filter combinations (bench.run's pools)."""
    from bench.longtail import make_pools

    return make_pools(n, 2000, rounds=2).filters


class SQLTimer:
    """Time spent in the database's execute() calls, and their number."""

    def __init__(self):
        self.ms, self.count = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000
            self.count += 1


def one_round(client, urls: list[str], timer: SQLTimer) -> list[tuple]:
    from django.core.cache import cache

    cache.clear()
    results = []
    for url in urls:
        sql_before, count_before = timer.ms, timer.count
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        page_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        queries = timer.count - count_before
        # What dump() reads, not the response: a test client's response holds
        # its page's whole context (view, rows, facets: ~750 objects the
        # collector tracks), and 150 of them kept to the round's end made its
        # collections walk them, which bench.run and a server do not.
        kept = Page(response.status_code, response.content)
        results.append((url, page_ms, timer.ms - sql_before, queries, kept, cpu_ms))
    return results


class Page(NamedTuple):
    status_code: int
    content: bytes


def _summary(label: str, values: list[float]) -> str:
    return (
        f"  {label:10} p50 {statistics.median(values):7.1f}   p95 {_p95(values):7.1f}"
        f"   max {max(values):7.1f} ms"
    )


def dump(results: list[tuple], path: str) -> None:
    with open(path, "w") as out:
        for url, _, _, queries, response, _ in results:
            content = response.content
            record = {
                "url": url,
                "status": response.status_code,
                "queries": queries,
                "digest": hashlib.blake2b(content, digest_size=12).hexdigest(),
                "papers": SLUG.findall(content.decode()),
            }
            out.write(json.dumps(record) + "\n")


def rendered(client, url: str, times: int) -> None:
    """bench.run's "rendered" measurement of one URL."""
    from django.test import override_settings

    timer = SQLTimer()
    from django.db import connection

    with override_settings(PAPERSHELF_CACHE_PAGES=False), connection.execute_wrapper(timer):
        for _ in range(3):
            client.get(url)
        pages, sql = [], []
        for _ in range(times):
            before = timer.ms
            started = time.perf_counter()
            client.get(url)
            pages.append((time.perf_counter() - started) * 1000)
            sql.append(timer.ms - before)
    print(f"{url}: {times} requests, load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(_summary("page", pages))
    print(_summary("SQL", sql))


def run(args) -> None:
    from django.db import connection
    from django.test import Client

    client = Client()
    if args.url:
        rendered(client, args.url, args.times)
        return
    from bench.distinct_searches import backend_cpu_ms
    from core.memory import freeze_loaded_objects

    urls = filter_urls(args.n)
    timer = SQLTimer()
    with connection.execute_wrapper(timer):
        one_round(client, urls[:10], timer)  # warm up: imports, connections
        # As bench.run serves its pages: what was loaded frozen, so that full
        # collections do not walk it (config.wsgi does the same).
        freeze_loaded_objects()
        if args.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(one_round, client, urls, timer)
            profiler.dump_stats("/tmp/distinct_filters.prof")
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(args.profile)
            stats.sort_stats("cumulative").print_stats(args.profile)
            return
        rounds = []
        for _ in range(args.repeat):
            backend = backend_cpu_ms()
            results = one_round(client, urls, timer)
            backend = (backend_cpu_ms() - backend) / len(results)
            rounds.append(results)
            pages = [r[1] for r in results]
            sql = [r[2] for r in results]
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"{len(results)} distinct filter combinations, load {load}")
            print(_summary("page", pages))
            print(_summary("SQL", sql))
            print(_summary("Python", [p - s for p, s in zip(pages, sql, strict=True)]))
            # The process's own CPU time: what the load of other processes
            # changes least (waiting for the CPU is not counted).
            print(_summary("CPU", [r[5] for r in results]))
            cpu = statistics.mean(r[5] for r in results)
            print(f"  CPU a page (mean): Python {cpu:.1f} ms, PostgreSQL {backend:.1f} ms")
            # By this process's CPU: what the load of other processes changes least.
            for url, page_ms, sql_ms, queries, _, cpu_ms in sorted(results, key=lambda r: -r[5])[
                : args.slowest
            ]:
                print(
                    f"    CPU {cpu_ms:5.1f} ms, page {page_ms:6.1f} ms"
                    f" (SQL {sql_ms:5.1f}, {queries} queries) {url}"
                )
    if args.repeat > 1:
        p50 = statistics.median(statistics.median(r[1] for r in res) for res in rounds)
        p95 = statistics.median(_p95([r[1] for r in res]) for res in rounds)
        print(f"median of {args.repeat} rounds: page p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    if args.dump:
        dump(rounds[-1], args.dump)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dump", default="")
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--slowest", type=int, default=0)
    parser.add_argument("--url", default="")
    parser.add_argument("--times", type=int, default=100)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    run(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
