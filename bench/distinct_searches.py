"""Distinct searches, each asked once: the long tail a cache cannot help.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.distinct_searches \
        [--n 150] [--repeat 1] [--slowest K] [--pool] [--dump FILE] [--profile N]

Run against a generated catalog (bench/generate.py). Draws `--n` searches of
1-3 consecutive words from the catalog's own titles (deterministic for
`--seed`), asks each once through Django's full request cycle with nothing
cached, and prints p50/p95 of the whole page and of its SQL, split into the
facet queries (GROUP BY) and the rest (rows, ranking and relevance-tier
counts, the catalog version).
`--slowest K` prints the pages whose non-facet SQL took longest, with their
slowest statements.
`--pool` asks the long tail's wrk search URLs instead (bench.longtail's
pools, as bench.run draws them), with the production cache on and emptied
before each round, and prints the CPU a page costs this process and the
PostgreSQL backend serving it (what the throughput through gunicorn pays).
`--dump FILE` (with --pool) writes each URL with its status, a digest of
its page and the papers it lists, to compare two versions of the code.
`--profile N` (with --pool) runs one round under cProfile and prints the N
functions with most time of their own and most time in all.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import statistics
import time


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * len(values)) - 1)]


def _is_facet(sql: str) -> bool:
    return "GROUP BY" in sql and "head_vector" not in sql


def pick_searches(n: int, seed: int) -> list[str]:
    """`n` distinct searches of 1-3 consecutive words of real titles."""
    from catalog.models import Paper

    rng = random.Random(seed)
    top = Paper.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = rng.sample(range(1, top + 1), min(top, n * 3))
    titles = list(Paper.objects.filter(id__in=ids).values_list("title", flat=True))
    rng.shuffle(titles)
    searches: list[str] = []
    for title in titles:
        words = [w for w in re.findall(r"[A-Za-z][\w-]*", title) if len(w) > 2]
        if not words:
            continue
        size = rng.choice((1, 2, 3))
        start = rng.randrange(max(1, len(words) - size + 1))
        search = " ".join(words[start : start + size]).lower()
        if search not in searches:
            searches.append(search)
        if len(searches) == n:
            break
    return searches


def run(n: int, seed: int, slowest: int) -> None:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    no_cache = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = Client()
    searches = pick_searches(n, seed)
    results = []
    with override_settings(CACHES=no_cache):
        client.get("/papers/", {"q": "warm up"})
        for search in searches:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get("/papers/", {"q": search})
                page_ms = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (search, response.status_code)
            statements = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
            # Facet counts are GROUP BY queries; one that groups by a relevance
            # tier (head_vector) is ranking work, counted with the rest.
            facets = sum(ms for ms, sql in statements if _is_facet(sql))
            rest = sum(ms for ms, sql in statements if not _is_facet(sql))
            results.append((page_ms, facets, rest, search, statements))
    pages = [r[0] for r in results]
    facets = [r[1] for r in results]
    rest = [r[2] for r in results]
    one, five, fifteen = os.getloadavg()
    print(f"{len(results)} distinct searches, load average {one:.2f} {five:.2f} {fifteen:.2f}")
    for label, values in (("page", pages), ("facet SQL", facets), ("other SQL", rest)):
        print(
            f"  {label:10} p50 {statistics.median(values):7.1f} ms   p95 {_p95(values):7.1f} ms"
            f"   max {max(values):7.1f} ms"
        )
    # The pages whose non-facet SQL took longest, and their slowest statements.
    for page_ms, facet_ms, rest_ms, search, statements in sorted(
        results, key=lambda r: r[2], reverse=True
    )[:slowest]:
        print(f"\n{page_ms:.0f} ms (facets {facet_ms:.0f}, other {rest_ms:.0f}): q={search!r}")
        others = [(ms, sql) for ms, sql in statements if not _is_facet(sql)]
        for ms, sql in sorted(others, reverse=True)[:2]:
            print(f"    {ms:6.1f} ms  {sql}")


def backend_cpu_ms() -> float:
    """The CPU time (user + system) of the PostgreSQL backend serving this
    process's connection, in ms: from /proc, so the server must run on this
    machine (0 when it cannot be read)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def run_pool(args) -> None:
    """The long tail's wrk search URLs, once per round (module docstring)."""
    from django.db import connection
    from django.test import Client

    from bench.distinct_filters import SQLTimer, _summary, dump, one_round
    from bench.longtail import make_pools

    urls = make_pools(150, 2000, rounds=2).wrk_searches[0][: args.n]
    client, timer = Client(), SQLTimer()
    with connection.execute_wrapper(timer):
        one_round(client, urls[-10:], timer)  # warm up: imports, connections
        if args.profile:
            # In process CPU time: the waits for the database left out.
            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(one_round, client, urls, timer)
            profiler.dump_stats("/tmp/distinct_searches.prof")
            for order in ("tottime", "cumulative"):
                pstats.Stats(profiler).sort_stats(order).print_stats(args.profile)
            return
        for _ in range(args.repeat):
            backend = backend_cpu_ms()
            cpu = time.process_time()
            results = one_round(client, urls, timer)
            cpu = (time.process_time() - cpu) * 1000 / len(urls)
            backend = (backend_cpu_ms() - backend) / len(urls)
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"{len(results)} distinct searches (wrk pool), load {load}")
            print(_summary("page", [r[1] for r in results]))
            print(_summary("SQL", [r[2] for r in results]))
            queries = statistics.mean(r[3] for r in results)
            print(
                f"  CPU a page: Python {cpu:.1f} ms, PostgreSQL {backend:.1f} ms;"
                f" {queries:.2f} queries"
            )
    if args.dump:
        dump(results, args.dump)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--slowest", type=int, default=0)
    parser.add_argument("--pool", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dump", default="")
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    if args.pool:
        run_pool(args)
    else:
        run(args.n, args.seed, args.slowest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
