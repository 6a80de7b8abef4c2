"""Whether the plans of the distinct filter pages' statements depend on ANALYZE's sample.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.filter_plans [--n 150] [--analyze 4]

Run against a generated catalog (bench/generate.py). Reads the pages of
bench.distinct_filters once (cache emptied), keeps each page's SELECT
statements with their parameters, then EXPLAINs (ANALYZE, TIMING OFF) every
one after the catalog's current statistics and after each of `--analyze`
new ANALYZEs (each reads a new random sample of every table). Prints, per
pass, the statements' planning and execution time in all, and every
statement whose plan (node types, relations, indexes, join types) was not
the same in every pass, with its time in each. The generated catalog is the
same in every run (a fixed seed), so a plan that changes here is one that
changes between full runs of the bench.
"""

from __future__ import annotations

import argparse
import json
import os


def page_statements(urls: list[str]) -> list[tuple[str, str, list]]:
    """(URL, SQL, parameters) of every SELECT the pages of `urls` ran."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    ran: list[tuple[str, list]] = []

    def keep(execute, sql, params, many, context):
        ran.append((sql, params))
        return execute(sql, params, many, context)

    client, statements = Client(), []
    with connection.execute_wrapper(keep):
        for url in urls[:10]:
            client.get(url)  # warm up: imports, connections
        cache.clear()
        for url in urls:
            ran.clear()
            client.get(url)
            statements += [
                (url, sql, params)
                for sql, params in ran
                if sql.lstrip().upper().startswith(("SELECT", "WITH"))
            ]
    return statements


def _shape(node: dict) -> str:
    """A plan's nodes, as what tells one plan from another (not its numbers)."""
    keys = ("Node Type", "Relation Name", "Index Name", "Join Type", "Strategy")
    own = " ".join(str(node[key]) for key in keys if node.get(key))
    children = " ".join(_shape(child) for child in node.get("Plans", ()))
    return f"({own}{' ' + children if children else ''})"


def explained(statements) -> list[tuple[str, float, float]]:
    """(plan shape, planning ms, execution ms) of each statement."""
    from django.db import connection

    result = []
    with connection.cursor() as cursor:
        for _, sql, params in statements:
            cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            result.append((_shape(plan["Plan"]), plan["Planning Time"], plan["Execution Time"]))
    return result


def analyze() -> None:
    """New statistics of the catalog's tables (a new random sample of each)."""
    from django.apps import apps
    from django.db import connection

    tables = sorted({model._meta.db_table for model in apps.get_models()})
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--analyze", type=int, default=4)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from bench.distinct_filters import filter_urls

    statements = page_statements(filter_urls(args.n))
    passes = [explained(statements)]
    for _ in range(args.analyze):
        analyze()
        passes.append(explained(statements))
    for number, explains in enumerate(passes):
        planning = sum(plan for _, plan, _ in explains)
        execution = sum(run for _, _, run in explains)
        label = "current statistics" if number == 0 else f"after ANALYZE {number}"
        print(f"{label:20} planning {planning:7.1f} ms, execution {execution:7.1f} ms")
    changed = [i for i in range(len(statements)) if len({p[i][0] for p in passes}) > 1]
    print(f"{len(statements)} statements, {len(changed)} with a plan that changed")
    for i in changed:
        shapes = sorted({p[i][0] for p in passes})
        times = " ".join(
            f"{shapes.index(p[i][0])}:{p[i][1] + p[i][2]:.2f}" for p in passes
        )  # plan number: planning + execution ms, per pass
        print(f"  {times}  {statements[i][0]}  {statements[i][1][:60]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
