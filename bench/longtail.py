"""The benchmark's long tail: requests the cache cannot have seen.

The page rows of bench/run.py repeat each URL, so most of them are served
from the per-catalog-version cache. Real traffic is mostly requests asked
once, and every write (a staff edit, an import) changes the catalog version,
which empties the cache. This section measures that traffic with the
production cache on (local memory, as bench.settings), emptied first, so
only what earlier requests of the section put in it can help:

1. distinct searches, 1-3 words taken from the generated catalog's own
   titles, each asked once;
2. distinct filter combinations (venue, author or award, year range, sort
   and page), each asked once, every page within its result;
3. pages right after a write: one ORM write to a paper's title (which
   changes the catalog version), then the list, a common-word search, the
   front page, a person page and a venue page, once each, repeated;
4. a mixed stream of all of these with one write every `--write-every`
   requests;
5. throughput through gunicorn: wrk with a Lua script that cycles through
   thousands of distinct search URLs (and, separately, filter URLs),
   interleaved with wrk on the trivial /bench/ping/ view in the same run.

Targets are the constants below.
"""

from __future__ import annotations

import math
import random
import re
import shutil
import statistics
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from bench.serving import WORKERS, gunicorn, log, wrk_stats
from bench.textgen import FUNCTION_WORDS

SEARCH_TARGET_MS = 100
FILTER_TARGET_MS = 25
AFTER_WRITE_TARGET_MS = 50
SEARCH_THROUGHPUT_TARGET = 0.05  # of the trivial view's requests/s, same run
AFTER_WRITE_REPEATS = 30
PER_PAGE = 25
SORTS = ("newest", "oldest", "title", "upvotes")
SKIP_WORDS = set(FUNCTION_WORDS) | {"on", "for", "with", "the", "of"}


@dataclass
class Row:
    """One kind of long-tail request: each request's time (ms) and queries."""

    name: str
    target_ms: float | None
    times: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    note: str = ""

    @property
    def n(self) -> int:
        return len(self.times)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    @property
    def missed(self) -> float:
        """How many times over its target (0 when met, without target or data)."""
        if not (self.target_ms and self.times):
            return 0.0
        p95 = self.percentile(0.95)
        return p95 / self.target_ms if p95 > self.target_ms else 0.0

    def add(self, ms: float, queries: int, status: int) -> None:
        self.times.append(ms)
        self.queries.append(queries)
        self.statuses[status] = self.statuses.get(status, 0) + 1


@dataclass
class LongTail:
    write_every: int
    rows: list[Row] = field(default_factory=list)
    wrk: dict | None = None
    writes: int = 0


# ---------------------------------------------------------------------------
# URLs drawn from the catalog


def sample_titles(count: int, rng: random.Random) -> list[str]:
    """Titles of `count` papers picked at random (with replacement when the
    catalog is smaller)."""
    from django.db.models import Max, Min

    from catalog.models import Paper

    bounds = Paper.objects.aggregate(low=Min("id"), high=Max("id"))
    ids = range(bounds["low"] or 0, (bounds["high"] or 0) + 1)
    picked = rng.sample(ids, count) if count <= len(ids) else rng.choices(ids, k=count)
    titles = Paper.objects.filter(pk__in=picked).values_list("title", flat=True)
    return sorted(titles)


def search_strings(titles: list[str], count: int, rng: random.Random, taken: set) -> list[str]:
    """`count` distinct searches of 1-3 consecutive words of a title (common
    topic words and invented method names alike, as people copy them),
    none of them in `taken` (which they join)."""
    found = []
    for _ in range(count * 20):
        if len(found) == count:
            break
        words = [
            w.lower()
            for w in re.findall(r"[A-Za-z][A-Za-z-]*", rng.choice(titles))
            if w.lower() not in SKIP_WORDS
        ]
        k = min(len(words), rng.choices((1, 2, 3), weights=(4, 4, 2))[0])
        if not k:
            continue
        start = rng.randrange(len(words) - k + 1)
        query = " ".join(words[start : start + k])
        if query not in taken:
            taken.add(query)
            found.append(query)
    return [f"/papers/?{urlencode({'q': q})}" for q in found]


def filter_space(rng: random.Random) -> dict:
    """Papers per (value, year) for every venue and award, a random sample
    of people plus the most prolific, and per year alone: enough to know
    how many pages any combination has."""
    from django.db import connection

    def grouped(sql: str, params=()) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            counts: dict = {}
            for value, year, n in cursor.fetchall():
                counts.setdefault(value, {})[year] = n
            return counts

    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM people_person")
        low, high = cursor.fetchone()
        cursor.execute(
            "SELECT person_id FROM catalog_authorship GROUP BY person_id "
            "ORDER BY COUNT(*) DESC LIMIT 20"
        )
        people = [row[0] for row in cursor.fetchall()]
    people += [rng.randint(low, high) for _ in range(300)] if low else []
    papers = "FROM catalog_paper p WHERE p.year IS NOT NULL"
    return {
        "all": grouped(f"SELECT 'all', p.year, COUNT(*) {papers} GROUP BY p.year"),
        "venue": grouped(
            "SELECT v.slug, p.year, COUNT(*) FROM catalog_paper p "
            "JOIN venues_venue v ON v.id = p.venue_id WHERE p.year IS NOT NULL "
            "GROUP BY v.slug, p.year"
        ),
        "award": grouped(
            "SELECT a.slug, p.year, COUNT(*) FROM catalog_paper p "
            "JOIN catalog_paper_awards pa ON pa.paper_id = p.id "
            "JOIN catalog_award a ON a.id = pa.award_id WHERE p.year IS NOT NULL "
            "GROUP BY a.slug, p.year"
        ),
        "author": grouped(
            "SELECT pe.slug, p.year, COUNT(*) FROM catalog_paper p "
            "JOIN catalog_authorship au ON au.paper_id = p.id "
            "JOIN people_person pe ON pe.id = au.person_id "
            "WHERE p.year IS NOT NULL AND pe.id = ANY(%s) GROUP BY pe.slug, p.year",
            [people],
        ),
    }


def _year_range(years: list[int], rng: random.Random) -> dict:
    shape = rng.random()
    a, b = sorted(rng.sample(years, 2)) if len(years) > 1 else (years[0], years[0])
    if shape < 0.3:
        return {}
    if shape < 0.5:
        return {"year": a}
    if shape < 0.65:
        return {"year_from": a}
    if shape < 0.75:
        return {"year_to": b}
    return {"year_from": a, "year_to": b}


def _in_range(year: int, chosen: dict) -> bool:
    if "year" in chosen:
        return year == chosen["year"]
    return chosen.get("year_from", year) <= year <= chosen.get("year_to", year)


def filter_urls(space: dict, count: int, rng: random.Random, taken: set) -> list[str]:
    """`count` distinct filter combinations, each page within its result."""
    years = sorted(space["all"]["all"])
    kinds = [k for k in ("venue", "author", "award") if space[k]] + ["all"]
    weights = {"venue": 5, "author": 2, "award": 1, "all": 2}
    found = []
    for _ in range(count * 20):
        if len(found) == count:
            break
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        value = rng.choice(sorted(space[kind]))
        params = {} if kind == "all" else {kind: value}
        chosen = _year_range(years, rng)
        params.update(chosen)
        params["sort"] = rng.choice(SORTS)
        matches = sum(n for year, n in space[kind][value].items() if _in_range(year, chosen))
        pages = max(1, math.ceil(matches / PER_PAGE))
        page = 1 if pages == 1 or rng.random() < 0.5 else rng.randint(2, min(pages, 100))
        if page > 1:
            params["page"] = page
        url = f"/papers/?{urlencode(params)}"
        if url not in taken:
            taken.add(url)
            found.append(url)
    return found


@dataclass
class Pools:
    """Every URL the section asks, disjoint: each is asked once in the run."""

    searches: list[str]
    filters: list[str]
    mixed_searches: list[str]
    mixed_filters: list[str]
    wrk_searches: list[list[str]]
    wrk_filters: list[list[str]]
    wrk_warmup: list[str]


def make_pools(requests: int, wrk_urls: int, rounds: int, seed: int = 16) -> Pools:
    rng = random.Random(seed)
    searches_needed = requests * 2 + wrk_urls * rounds + 200
    titles = sample_titles(min(searches_needed * 2, 20_000), rng)
    space = filter_space(rng)
    taken: set = set()

    def searches(n):
        return search_strings(titles, n, rng, taken)

    def filters(n):
        return filter_urls(space, n, rng, taken)

    return Pools(
        searches=searches(requests),
        filters=filters(requests),
        mixed_searches=searches(requests),
        mixed_filters=filters(requests),
        wrk_searches=[searches(wrk_urls) for _ in range(rounds)],
        wrk_filters=[filters(wrk_urls) for _ in range(rounds)],
        wrk_warmup=searches(100) + filters(100),
    )


# ---------------------------------------------------------------------------
# In-process requests (django.test.Client, production cache)


class QueryCounter:
    """Counts the SQL statements sent (a connection execute wrapper: no
    debug cursor, so counting costs next to nothing)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_get(client, counter: QueryCounter, row: Row, url: str) -> tuple[float, int, int]:
    """GET `url` once, recorded in `row`: (ms, queries, status)."""
    before = counter.count
    started = time.perf_counter()
    response = client.get(url)
    measured = ((time.perf_counter() - started) * 1000, counter.count - before)
    row.add(*measured, response.status_code)
    return (*measured, response.status_code)


class Writer:
    """One small write through the ORM: a paper's title gains (or loses) a
    suffix. The catalog version changes with it; titles are restored at
    the end."""

    SUFFIX = " (revised)"

    def __init__(self, rng: random.Random):
        from catalog.models import Paper

        ids = list(Paper.objects.order_by("pk").values_list("pk", flat=True)[:5000])
        self.ids = rng.sample(ids, min(len(ids), 200))
        self.original: dict[int, str] = {}
        self.writes = 0

    def write(self) -> None:
        from catalog.models import Paper

        paper = Paper.objects.get(pk=self.ids[self.writes % len(self.ids)])
        self.original.setdefault(paper.pk, paper.title)
        if paper.title.endswith(self.SUFFIX):
            paper.title = paper.title.removesuffix(self.SUFFIX)
        else:
            paper.title += self.SUFFIX
        paper.save(update_fields=["title"])
        self.writes += 1

    def restore(self) -> None:
        from catalog.models import Paper

        for pk, title in self.original.items():
            Paper.objects.filter(pk=pk).update(title=title)


COMMON_WORD_SEARCH = "/papers/?q=model"


def popular_pages(params: dict) -> dict[str, str]:
    return {
        "list": "/papers/",
        "common-word search": COMMON_WORD_SEARCH,
        "front page": "/",
        "person page": f"/people/{params['prolific']}/",
        "venue page": f"/venues/{params['venue']}/",
    }


def run_distinct(client, counter, name: str, urls: list[str], target, max_seconds) -> Row:
    row = Row(name, target)
    deadline = time.perf_counter() + max_seconds
    for url in urls:
        timed_get(client, counter, row, url)
        if time.perf_counter() > deadline:
            row.note = f"stopped after {max_seconds:.0f}s"
            break
    return row


def run_after_writes(
    client,
    counter,
    writer: Writer,
    pages: dict[str, str],
    max_seconds,
    label: str = "after a write",
    target: float | None = AFTER_WRITE_TARGET_MS,
) -> list[Row]:
    """One write, then each of `pages` (name -> URL) once; repeated."""
    rows = {name: Row(f"{label}: {name}", target) for name in pages}
    deadline = time.perf_counter() + max_seconds
    for _ in range(AFTER_WRITE_REPEATS):
        writer.write()
        for name, url in pages.items():
            timed_get(client, counter, rows[name], url)
        if time.perf_counter() > deadline:
            next(iter(rows.values())).note = f"stopped after {max_seconds:.0f}s"
            break
    return list(rows.values())


def run_mixed(client, counter, writer: Writer, pools: Pools, params: dict, options) -> list[Row]:
    """Distinct searches, distinct filters and the popular pages, shuffled,
    with one write every `write_every` requests."""
    rng = random.Random(17)
    popular = list(popular_pages(params).values())
    stream = [("search", u) for u in pools.mixed_searches]
    stream += [("filters", u) for u in pools.mixed_filters]
    stream += [("popular", rng.choice(popular)) for _ in range(len(stream) // 2)]
    rng.shuffle(stream)
    every = options.write_every
    rows = {
        "search": Row("mixed: distinct searches", SEARCH_TARGET_MS),
        "filters": Row("mixed: distinct filter combinations", FILTER_TARGET_MS),
        "popular": Row("mixed: popular pages (list, search, front, person, venue)", None),
        "first": Row("mixed: first request after each write", AFTER_WRITE_TARGET_MS),
    }
    deadline = time.perf_counter() + options.longtail_seconds
    for i, (kind, url) in enumerate(stream):
        if every and i % every == 0:
            writer.write()
        measured = timed_get(client, counter, rows[kind], url)
        if every and i % every == 0:
            rows["first"].add(*measured)
        if time.perf_counter() > deadline:
            rows["search"].note = f"stopped after {options.longtail_seconds:.0f}s at {i + 1}"
            break
    rows["popular"].note = f"{len(stream)} requests, one write every {every}"
    return list(rows.values())


def fragment_url(url: str) -> str:
    """The facets fragment a list page `url` defers its facets to
    (catalog.views.deferred_facets_urls()): its parameters but the page."""
    query = [(k, v) for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    kept = urlencode([(key, value) for key, value in query if key != "page"])
    return f"/facets/papers/fragment/?{kept}" if kept else "/facets/papers/fragment/"


def run_fragments(client, counter, writer: Writer, pools: Pools, max_seconds) -> list[Row]:
    """The facets fragments of the distinct searches and filter combinations
    above (a page over the list's limit defers its facets to them), each
    asked once with the cache emptied (as the first request of the
    fragment after its page), after the page rows so that those are
    measured as before; and the common-word search's right after a write."""
    from django.core.cache import cache

    cache.clear()
    searches = list(dict.fromkeys(fragment_url(url) for url in pools.searches))
    filters = list(dict.fromkeys(fragment_url(url) for url in pools.filters))
    rows = [
        run_distinct(
            client, counter, "facets fragment: distinct searches", searches, None, max_seconds
        ),
        run_distinct(
            client,
            counter,
            "facets fragment: distinct filter combinations",
            filters,
            None,
            max_seconds,
        ),
    ]
    common_word = {"common-word search": fragment_url(COMMON_WORD_SEARCH)}
    label = "facets fragment after a write"
    return rows + run_after_writes(client, counter, writer, common_word, max_seconds, label, None)


def bench_longtail_pages(params: dict, pools: Pools, options) -> LongTail:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    longtail = LongTail(write_every=options.write_every)
    client, counter = Client(), QueryCounter()
    writer = Writer(random.Random(16))
    seconds = options.longtail_seconds
    cache.clear()  # as after a write: nothing of earlier rows helps
    try:
        with connection.execute_wrapper(counter):
            name = "distinct searches (1-3 title words)"
            rows = [run_distinct(client, counter, name, pools.searches, SEARCH_TARGET_MS, seconds)]
            log_row(rows[-1])
            name = "distinct filter combinations"
            rows += [run_distinct(client, counter, name, pools.filters, FILTER_TARGET_MS, seconds)]
            log_row(rows[-1])
            rows += run_after_writes(client, counter, writer, popular_pages(params), seconds)
            rows += run_mixed(client, counter, writer, pools, params, options)
            rows += run_fragments(client, counter, writer, pools, seconds)
    finally:
        writer.restore()
    for row in rows[2:]:
        log_row(row)
    longtail.rows = rows
    longtail.writes = writer.writes
    return longtail


def log_row(row: Row) -> None:

    if not row.n:
        log(f"{row.name}: no requests")
        return
    log(
        f"{row.name:60s} n={row.n} p50={row.percentile(0.5):7.1f} "
        f"p95={row.percentile(0.95):7.1f} max={max(row.times):7.1f} "
        f"q={statistics.median(row.queries):g}..{max(row.queries)} {row.statuses} {row.note}"
    )


# ---------------------------------------------------------------------------
# Throughput (gunicorn + wrk with a Lua script)


def lua_script(paths: list[str], threads: int = 2) -> str:
    """A wrk script whose threads take turns through `paths`: thread t asks
    paths t, t + threads, t + 2 * threads, … so no path is asked twice
    until the list is used up."""
    for path in paths:
        if not re.fullmatch(r"[A-Za-z0-9/?&=%+._~-]+", path):
            raise ValueError(f"not a plain URL path: {path!r}")
    listed = ",\n".join(f'  "{path}"' for path in paths)
    return f"""-- Written by bench/longtail.py.
local paths = {{
{listed}
}}
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local n = 0
function request()
  local i = (n * {threads} + id) % #paths + 1
  n = n + 1
  return wrk.format("GET", paths[i])
end
"""


def drain(base: str, limit: float = 60) -> None:
    """Wait until the workers are idle: wrk stops with slow requests still in
    the workers' hands, and the next run (the trivial view's) must not wait
    for them. Idle = a few pings in a row each answered quickly."""
    deadline, quick = time.perf_counter() + limit, 0
    while quick < 4 and time.perf_counter() < deadline:
        started = time.perf_counter()
        with urllib.request.urlopen(f"{base}/bench/ping/", timeout=limit) as response:
            response.read()
        quick = quick + 1 if time.perf_counter() - started < 0.05 else 0


def _wrk_paths(base: str, paths: list[str], seconds: int, folder: Path) -> dict:

    script = folder / f"paths-{len(list(folder.iterdir()))}.lua"
    script.write_text(lua_script(paths))
    # A generous timeout: a slow request is counted, not dropped.
    stats = wrk_stats(base + "/", seconds, script=script, timeout=30)
    stats["urls"] = len(paths)
    drain(base)
    return stats


def bench_longtail_throughput(pools: Pools, seconds: int) -> dict:
    """Interleaved: ping, distinct searches, distinct filters; twice."""

    if not shutil.which("wrk"):
        return {"note": "wrk is not installed (apt-get install wrk)"}
    runs: dict[str, list[dict]] = {"ping": [], "searches": [], "filters": []}
    with tempfile.TemporaryDirectory() as tmp, gunicorn(cached=True) as base:
        folder = Path(tmp)
        wrk_stats(f"{base}/bench/ping/", 2)  # warm up every worker
        _wrk_paths(base, pools.wrk_warmup, 2, folder)
        for searches, filters in zip(pools.wrk_searches, pools.wrk_filters, strict=True):
            runs["ping"].append(wrk_stats(f"{base}/bench/ping/", seconds))
            runs["searches"].append(_wrk_paths(base, searches, seconds, folder))
            runs["filters"].append(_wrk_paths(base, filters, seconds, folder))
    result = {"workers": WORKERS, "seconds": seconds, "rounds": len(runs["ping"])}
    for kind, stats in runs.items():
        result[kind] = statistics.mean(s["rps"] for s in stats)
        result[f"{kind}_requests"] = max(s["requests"] for s in stats)
        result[f"{kind}_errors"] = sum(s["errors"] + s["timeouts"] for s in stats)
        result[f"{kind}_urls"] = stats[0].get("urls")
    result["searches_ratio"] = result["searches"] / max(result["ping"], 1e-9)
    result["filters_ratio"] = result["filters"] / max(result["ping"], 1e-9)
    log(f"wrk long tail: {result}")
    return result


# ---------------------------------------------------------------------------
# Report


def failures(longtail: LongTail | None) -> list[str]:
    """Long-tail targets missed by more than 2x."""
    if not longtail:
        return []
    bad = [f"{r.name}: {r.missed:.1f}x over" for r in longtail.rows if r.missed > 2]
    ratio = (longtail.wrk or {}).get("searches_ratio")
    if ratio is not None and ratio * 2 < SEARCH_THROUGHPUT_TARGET:
        bad.append(f"long-tail search throughput ratio {ratio:.2%}")
    return bad


def _verdict(row: Row) -> str:
    if not row.n or not row.target_ms:
        return ""
    return f"**missed {row.missed:.1f}x**" if row.missed else "ok"


def report(longtail: LongTail | None) -> list[str]:
    if not longtail:
        return []
    lines = [
        "## Long tail (server side, production cache)",
        "",
        "Requests the cache has not seen (bench/longtail.py): the production cache is on",
        "(local memory) and emptied first, so only what earlier requests of this section put",
        "in it helps. Distinct URLs are each asked once. After-write pages: one ORM write (a",
        f"title change), then each page once; {AFTER_WRITE_REPEATS} times. The mixed stream "
        f"makes one write every {longtail.write_every}",
        f"requests ({longtail.writes} writes in the section). A list over the facets' limit",
        "shows its rows first and defers its facets to a fragment (catalog.views.PaperFacetsView);",
        "the fragment rows ask those of the same distinct searches and filter combinations once",
        "each, with the cache emptied, and the common-word search's right after a write.",
        "Queries: median / largest per request. Times in ms.",
        "",
        "| Traffic | n | p50 | p95 | max | queries | target p95 | result |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in longtail.rows:
        target = f"≤ {r.target_ms:g} ms" if r.target_ms else "—"
        if not r.n:
            lines.append(f"| {r.name} | 0 | | | | | {target} | {r.note} |")
            continue
        odd = {s: n for s, n in r.statuses.items() if s != 200}
        note = " ".join(filter(None, [r.note, f"HTTP {odd}" if odd else ""]))
        lines.append(
            f"| {r.name} | {r.n} | {r.percentile(0.5):.1f} | {r.percentile(0.95):.1f} | "
            f"{max(r.times):.1f} | {statistics.median(r.queries):g} / {max(r.queries)} | "
            f"{target} | {_verdict(r)}{' ' + note if note else ''} |"
        )
    return [*lines, "", *_report_wrk(longtail.wrk)]


def _report_wrk(w: dict | None) -> list[str]:
    if not w:
        return []
    if "note" in w:
        return [w["note"], ""]
    ok = "ok" if w["searches_ratio"] >= SEARCH_THROUGHPUT_TARGET else "**missed**"
    lines = [
        f"Throughput over distinct URLs: gunicorn {w['workers']} sync workers (production",
        f"cache), `wrk -t2 -c8 -d{w['seconds']}s --timeout=30s` with a Lua script cycling through",
        f"{w['searches_urls']:,} distinct URLs per run (none asked in another run),",
        f"interleaved with the trivial view, {w['rounds']} rounds, mean req/s. When a run makes",
        "more requests than it has URLs, its later requests repeat URLs and may be cached.",
        "",
        "| View | req/s | most requests in a run | errors + timeouts | ratio to trivial | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| trivial `/bench/ping/` | {w['ping']:.0f} | {w['ping_requests']:,} | "
        f"{w['ping_errors']} | | |",
        f"| distinct searches | {w['searches']:.1f} | {w['searches_requests']:,} | "
        f"{w['searches_errors']} | **{w['searches_ratio']:.2%}** | "
        f"≥ {SEARCH_THROUGHPUT_TARGET:.0%}: {ok} |",
        f"| distinct filter combinations | {w['filters']:.1f} | {w['filters_requests']:,} | "
        f"{w['filters_errors']} | {w['filters_ratio']:.2%} | — |",
        "",
    ]
    return lines
