"""The performance benchmark: `make bench`, or

    .venv/bin/python -m bench.run [--size 100000] [--requests 200] [--skip-import] [--skip-wrk]
        [--only REGEX] [--write-every 50]

Without DATABASE_URL it re-runs itself under scripts/with-postgres (a
throwaway PostgreSQL on loopback, always stopped afterwards). In one run it:

1. migrates the empty database;
2. measures the importer: parse rate of a generated listing in each format
   (each in its own process, for a clean peak-memory figure), then the time to
   import the blog listing into PostgreSQL through import_listings();
3. truncates, and generates the synthetic catalog (bench/generate.py);
4. times pages through Django's full request cycle in this process
   (django.test.Client, DEBUG off, bench.settings): p50/p95 over --requests
   requests each, and the number of SQL queries each makes;
5. measures the long tail (bench/longtail.py): distinct searches and filter
   combinations asked once each, pages right after a write, a mixed stream
   with one write every --write-every requests, all with the production
   cache; then wrk over thousands of distinct URLs against the trivial view;
6. measures throughput through gunicorn with wrk: the list page against the
   trivial /bench/ping/ view, and their ratio;
7. writes bench/RESULTS.md and exits 1 when a target is missed by more than 2x.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import longtail
from bench.serving import WORKERS, gunicorn, log, wrk_stats

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
PYTHON = sys.executable
QUERY_BUDGET = 8
THROUGHPUT_RATIO_TARGET = 0.5
PARSE_RATE_TARGET = 20_000
# The import of 100,000 entries in 60 s, and of 1,000,000 in 10 minutes: the same rate.
IMPORT_SECONDS_PER_100K = 60
# List and search pages at 1,000,000 papers: p95 targets of their own (ms).
MILLION = 1_000_000
MILLION_LIST_TARGET, MILLION_SEARCH_TARGET = 50, 250
HISTORY_MARKER = "<!-- history: kept across runs -->"
# The throwaway server's shared_buffers, as a share of the machine's memory:
# PostgreSQL's documented starting point for a database server ("25% of the
# memory in your system"). With its default 128MB, a 100,000-paper catalog
# (2.2 GB on disk) lives in the kernel's page cache, which this machine's
# host reclaims within minutes however much memory is free (190 -> 176 MB of
# one index cached in 60 s, 23 GB free), and the long tail then timed the
# virtual disk (random 8 kB reads p95 36 ms, max 218 ms): p95s of 267-601 ms
# and 0.76% of the trivial view where the same code measured 28-35 ms.
SHARED_BUFFERS_SHARE = 0.25


@dataclass
class Page:
    """One URL, three ways. Cold: nothing cached (DummyCache), every request
    does all of its work, as the first request after a write does. Rendered
    (p50/p95/queries, judged against the targets): the per-catalog-version
    aggregates from the cache (list facet counts and their rendered HTML,
    person and venue summaries, related papers), the page itself rendered
    with all of its other queries on every request. Warm: the production
    configuration, whole pages cached between writes."""

    name: str
    url: str
    target_ms: float | None
    n: int = 0
    p50: float = 0.0
    p95: float = 0.0
    max: float = 0.0
    queries: int | None = None
    warm_p50: float = 0.0
    warm_p95: float = 0.0
    warm_queries: int | None = None
    cold_p50: float = 0.0
    cold_p95: float = 0.0
    cold_max: float = 0.0
    cold_queries: int | None = None
    status: int | None = None
    size: int = 0
    note: str = ""
    # Request headers (a conditional GET), and the status that counts as success.
    headers: dict = field(default_factory=dict)
    expect: int = 200

    @property
    def missed(self) -> float:
        """How many times over its target (0 when met or without target)."""
        worst = 0.0
        if self.target_ms and self.n and self.p95 > self.target_ms:
            worst = self.p95 / self.target_ms
        if self.queries is not None and self.queries > QUERY_BUDGET:
            worst = max(worst, self.queries / QUERY_BUDGET)
        return worst


@dataclass
class Results:
    size: int
    requests: int
    pages: list[Page] = field(default_factory=list)
    parse: list[dict] = field(default_factory=list)
    imported: dict | None = None
    generation: dict | None = None
    wrk: dict | None = None
    wrk_cold: dict | None = None
    load: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    longtail: longtail.LongTail | None = None
    prewarmed: str = ""


def server_environment() -> dict[str, str]:
    """scripts/with-postgres's settings for the benchmark's own server:
    shared_buffers sized as a database server's (SHARED_BUFFERS_SHARE), and
    pg_prewarm. Options already in PG_SERVER_OPTIONS come after, and win."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    buffers = f"-c shared_buffers={int(memory * SHARED_BUFFERS_SHARE) // 2**20}MB"
    return {
        "PG_SERVER_OPTIONS": f"{buffers} {os.environ.get('PG_SERVER_OPTIONS', '')}".strip(),
        "PG_EXTENSIONS": f"pg_prewarm {os.environ.get('PG_EXTENSIONS', '')}".strip(),
    }


def prewarm(connection) -> str:
    """Read the catalog's tables and indexes into shared_buffers (smallest
    first, up to 90% of them), as a server that has been serving them holds
    its working set; a sentence for the report. Nothing when pg_prewarm is
    not installed (a DATABASE_URL of the user's own)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'")
        if not cursor.fetchone():
            log("pg_prewarm is not installed: the catalog is not read into shared_buffers")
            return "not prewarmed (no pg_prewarm)"
        started = time.perf_counter()
        cursor.execute("SELECT pg_size_bytes(current_setting('shared_buffers'))")
        budget = cursor.fetchone()[0] * 0.9
        # The relations the app role owns: its tables, their indexes and TOAST.
        cursor.execute(
            "SELECT oid, pg_relation_size(oid) FROM pg_class"
            " WHERE relowner = current_user::regrole AND relkind IN ('r', 'i', 't', 'm')"
            " ORDER BY 2, 1"
        )
        warmed = skipped = 0
        for oid, size in cursor.fetchall():
            if warmed + size > budget:
                skipped += size
                continue
            cursor.execute("SELECT pg_prewarm(%s::regclass)", [oid])
            warmed += size
    seconds = time.perf_counter() - started
    text = f"{warmed / 2**20:,.0f} MB prewarmed in {seconds:.1f} s"
    if skipped:
        text += f", {skipped / 2**20:,.0f} MB not (over 90% of shared_buffers)"
    log(text)
    return text


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# ---------------------------------------------------------------------------
# Importer


def run_json(args: list[str]) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    out = subprocess.run(
        [PYTHON, "-m", "bench.listings", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_importer(results: Results, entries: int) -> None:
    for fmt in ("blog", "abstracts", "daily"):
        log(f"parsing a generated {entries}-entry {fmt} listing")
        result = run_json(["parse", "--format", fmt, "--entries", str(entries)])
        log(f"  {result}")
        results.parse.append(result)
    log(f"importing a generated {entries}-entry blog listing into PostgreSQL")
    results.imported = run_json(["import", "--format", "blog", "--entries", str(entries)])
    log(f"  {results.imported}")


# ---------------------------------------------------------------------------
# Pages


def pick_parameters() -> dict:
    """Slugs and values that exercise the worst realistic cases of this catalog."""
    from django.db import connection
    from django.db.models import Count

    from catalog.models import Award, Paper
    from people.models import Person
    from venues.models import Venue

    prolific = Person.objects.annotate(n=Count("authorships")).order_by("-n").first()
    big_venue = Venue.objects.annotate(n=Count("papers")).order_by("-n").first()
    award = Award.objects.annotate(n=Count("papers")).order_by("-n").first()
    typical = Paper.objects.order_by("pk")[min(1234, Paper.objects.count() - 1)]
    heavy = (
        Paper.objects.filter(venue=big_venue, authorships__person=prolific).order_by("-pk").first()
    ) or typical
    with connection.cursor() as cursor:
        # A venue and year range holding about 1,000 papers, for the export.
        cursor.execute(
            """
            SELECT v.slug, p.year, COUNT(*) AS n FROM catalog_paper p
            JOIN venues_venue v ON v.id = p.venue_id
            GROUP BY v.slug, p.year ORDER BY ABS(COUNT(*) - 1000), v.slug LIMIT 1
            """
        )
        export_venue, export_year, export_n = cursor.fetchone()
    rare = typical.title.split(":")[0].split()[-1].strip("()").lower()
    return {
        "prolific": prolific.slug,
        "prolific_papers": prolific.n,
        "venue": big_venue.slug,
        "venue_papers": big_venue.n,
        "award": award.slug,
        "typical_paper": typical.slug,
        "heavy_paper": heavy.slug,
        "export": f"venue={export_venue}&year={export_year}",
        "export_n": export_n,
        "rare": rare,
        "pages": (Paper.objects.count() + 24) // 25,
        **open_data_parameters(),
    }


def open_data_parameters() -> dict:
    """The API's current ETag (for a 304), and an OAI-PMH resumption token and
    an API cursor from the middle of the catalog (deep pages cost what the
    first does)."""
    from django.http import QueryDict
    from django.test import Client

    from api import cursors
    from catalog.models import Paper
    from oai.protocol import ListRequest, Position, encode_token

    middle = Paper.objects.order_by("updated_at", "id")[Paper.objects.count() // 2]
    token = encode_token(ListRequest(prefix="oai_dc"), Position(middle.updated_at, 0, middle.pk))
    newest, spec = cursors.keyed(Paper.objects.newest_first())
    deep = newest[Paper.objects.count() // 2]
    cursor = cursors.make_cursor(deep, spec, cursors.binding(QueryDict()))
    return {
        "etag": Client().get("/api/v1/papers")["ETag"],
        "oai_token": token,
        "api_cursor": cursor,
    }


def import_seconds_target(entries: int) -> float:
    return IMPORT_SECONDS_PER_100K * entries / 100_000


def page_list(p: dict, size: int = 0) -> list[Page]:
    deep = min(2000, p["pages"])
    v, a, aw = p["venue"], p["prolific"], p["award"]
    lst, search, detail, person = 25, 50, 15, 30
    if size >= MILLION:
        lst, search = MILLION_LIST_TARGET, MILLION_SEARCH_TARGET
    return [
        Page("list, unfiltered", "/papers/", lst),
        Page("filter: venue (biggest)", f"/papers/?venue={v}", lst),
        Page("filter: year", "/papers/?year=2020", lst),
        Page("filter: year range", "/papers/?year_from=2010&year_to=2015", lst),
        Page("filter: author (most prolific)", f"/papers/?author={a}", lst),
        Page("filter: award", f"/papers/?award={aw}", lst),
        Page("sort: oldest", "/papers/?sort=oldest", lst),
        Page("sort: title", "/papers/?sort=title", lst),
        Page("sort: upvotes", "/papers/?sort=upvotes", lst),
        Page("three filters combined", f"/papers/?venue={v}&year_from=2015&author={a}", lst),
        Page(f"deep page ({deep})", f"/papers/?page={deep}", lst),
        Page(f"deep page ({deep}), sort: title", f"/papers/?page={deep}&sort=title", lst),
        Page("search: common word", "/papers/?q=model", search),
        Page("search: rare word", f"/papers/?q={p['rare']}", search),
        Page("search: multi-word", "/papers/?q=language+model+training", search),
        Page("search + venue filter", f"/papers/?q=model&venue={v}", search),
        Page("paper page (typical)", f"/papers/{p['typical_paper']}/", detail),
        Page("paper page (prolific author, big venue)", f"/papers/{p['heavy_paper']}/", detail),
        Page("person page (most prolific)", f"/people/{a}/", person),
        Page("venue page (biggest)", f"/venues/{v}/", person),
        Page(f"BibTeX export (~{p['export_n']} papers)", f"/papers/export.bib?{p['export']}", None),
        Page("front page", "/", None),
        Page("API: papers", "/api/v1/papers", lst),
        Page("API: papers, 100 a page", "/api/v1/papers?per_page=100", lst),
        Page("API: papers, cursor mid-list", f"/api/v1/papers?cursor={p['api_cursor']}", lst),
        Page("API: papers, author filter", f"/api/v1/papers?author={a}", lst),
        Page("API: papers, search + venue", f"/api/v1/papers?q=model&venue={v}", search),
        Page("API: paper", f"/api/v1/papers/{p['typical_paper']}", detail),
        Page(
            "API: 304 (If-None-Match)",
            "/api/v1/papers",
            2,
            headers={"if-none-match": p["etag"]},
            expect=304,
        ),
        Page("OAI: ListRecords, first 100", "/oai?verb=ListRecords&metadataPrefix=oai_dc", 100),
        Page(
            "OAI: ListRecords, 100 from the middle",
            f"/oai?verb=ListRecords&resumptionToken={p['oai_token']}",
            100,
        ),
    ]


def _timings(client, url: str, requests: int, max_seconds: float, headers=None) -> list[float]:
    times = []
    deadline = time.perf_counter() + max_seconds
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    return sorted(times)


def _p95(times: list[float]) -> float:
    return times[min(len(times) - 1, round(0.95 * len(times)) - 1)]


def _queries(client, url: str, headers=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers=headers)
    # Not queries: the BEGIN and COMMIT around a page built in one snapshot.
    return sum(1 for query in captured if query["sql"] not in ("BEGIN", "COMMIT"))


def time_page(client, page: Page, requests: int, max_seconds: float) -> None:
    from django.test import override_settings

    no_cache = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=no_cache):
        response = client.get(page.url, headers=page.headers)
        page.status = response.status_code
        if response.status_code != page.expect:
            page.note = f"HTTP {response.status_code}"
            if response.status_code == 404 and "export" in page.url:
                page.note = "not available (404): the export is not built yet"
            return
        page.size = len(response.content)
        page.cold_queries = _queries(client, page.url, page.headers)
        cold = _timings(client, page.url, requests, max_seconds, page.headers)
    page.cold_p50, page.cold_p95, page.cold_max = statistics.median(cold), _p95(cold), cold[-1]
    with override_settings(PAPERSHELF_CACHE_PAGES=False):
        for _ in range(3):
            client.get(page.url, headers=page.headers)
        page.queries = _queries(client, page.url, page.headers)
        times = _timings(client, page.url, requests, max_seconds, page.headers)
    page.n = len(times)
    page.p50, page.p95, page.max = statistics.median(times), _p95(times), times[-1]
    if page.n < requests or len(cold) < requests:
        page.note = f"cold: n={len(cold)} (stopped after {max_seconds:.0f}s)"
    client.get(page.url, headers=page.headers)  # fills the cache
    page.warm_queries = _queries(client, page.url, page.headers)
    warm = _timings(client, page.url, requests, max_seconds, page.headers)
    page.warm_p50, page.warm_p95 = statistics.median(warm), _p95(warm)


def bench_pages(results: Results, requests: int, max_seconds: float, only: str | None) -> None:
    from django.test import Client

    results.params = params = pick_parameters()
    results.notes.append(
        f"Most prolific author `{params['prolific']}` has {params['prolific_papers']} papers; "
        f"biggest venue `{params['venue']}` has {params['venue_papers']}; rare word "
        f"`{params['rare']}`; export selection `{params['export']}` = {params['export_n']} papers."
    )
    client = Client()
    for page in page_list(params, results.size):
        if only and not re.search(only, page.name):
            continue
        time_page(client, page, requests, max_seconds)
        log(
            f"{page.name:40s} cold p50={page.cold_p50:7.1f} p95={page.cold_p95:7.1f} "
            f"q={page.cold_queries} | rendered n={page.n} p50={page.p50:6.1f} "
            f"p95={page.p95:6.1f} q={page.queries} | warm p95={page.warm_p95:5.1f} "
            f"q={page.warm_queries} {page.note}"
        )
        results.pages.append(page)


# ---------------------------------------------------------------------------
# Throughput


def wrk(url: str, seconds: int) -> float:
    stats = wrk_stats(url, seconds)
    if stats["errors"]:
        raise RuntimeError(f"wrk {url}: {stats['errors']} error responses")
    return stats["rps"]


def bench_throughput(results: Results, seconds: int) -> None:
    if not shutil.which("wrk"):
        results.wrk = {"note": "wrk is not installed (apt-get install wrk)"}
        return
    results.wrk = throughput(seconds, cached=True)
    results.wrk_cold = throughput(seconds, cached=False)


def throughput(seconds: int, *, cached: bool) -> dict:
    with gunicorn(cached=cached) as base:
        wrk(f"{base}/bench/ping/", 2)  # warm up every worker
        wrk(f"{base}/papers/", 2)
        ping, papers = [], []
        for _ in range(2):  # interleaved, so drifting load hits both alike
            ping.append(wrk(f"{base}/bench/ping/", seconds))
            papers.append(wrk(f"{base}/papers/", seconds))
    result = {
        "workers": WORKERS,
        "seconds": seconds,
        "ping": statistics.mean(ping),
        "papers": statistics.mean(papers),
        "ratio": statistics.mean(papers) / max(statistics.mean(ping), 1e-9),
    }
    log(f"wrk ({'cache on' if cached else 'no cache'}): {result}")
    return result


# ---------------------------------------------------------------------------
# Report


def machine() -> list[str]:
    def sh(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip()
        except OSError:
            return "?"

    model = sh("lscpu | sed -n 's/^Model name:[[:space:]]*//p'")
    memory = sh("free -h | awk '/^Mem:/ {print $2}'")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    return [
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- CPU: {sh('nproc')} cores, {model or platform.processor()}",
        f"- Memory: {memory}",
        f"- Python {platform.python_version()}, Django {__import__('django').get_version()}, "
        f"PostgreSQL {pg} (throwaway cluster, shared_buffers {buffers}, fsync off)",
    ]


def failures(results: Results) -> list[str]:
    """Targets missed by more than 2x."""
    bad = [f"{p.name}: {p.missed:.1f}x over" for p in results.pages if p.missed > 2]
    for r in results.parse:
        if r["rate"] * 2 < PARSE_RATE_TARGET:
            bad.append(f"parse {r['format']}: {r['rate']}/s")
    imported = results.imported
    if imported and imported["seconds"] > 2 * import_seconds_target(imported["entries"]):
        bad.append(f"import: {results.imported['seconds']}s")
    ratio = (results.wrk or {}).get("ratio")
    if ratio is not None and ratio * 2 < THROUGHPUT_RATIO_TARGET:
        bad.append(f"throughput ratio {results.wrk['ratio']:.2f}")
    return bad + longtail.failures(results.longtail)


def verdict(p: Page) -> str:
    if not p.n:
        return "—"
    missed = p.missed
    if not missed:
        return "ok" if p.target_ms or p.queries is not None else ""
    return f"**missed {missed:.1f}x**"


def _report_header(results: Results) -> list[str]:
    """The title, what was measured and on which machine."""
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/run.py) — synthetic catalog of {results.size:,} papers.",
        "Server-side times are through Django's full request cycle in-process",
        f"(django.test.Client, DEBUG off), {results.requests} requests per row after 3 warm-ups;",
        "queries are counted on one request. Targets are in each table's target column; they",
        "are defined in bench/run.py (page_list() and the constants at its top) and",
        "bench/longtail.py (the constants at its top).",
        "",
        "## Machine",
        "",
        *machine(),
        *(
            [f"- Catalog read into shared_buffers before the pages: {results.prewarmed}"]
            if results.prewarmed
            else []
        ),
        f"- Load average (1/5/15 min) during the run: {'; '.join(results.load)}",
        "",
    ]
    return lines


def _report_catalog(results: Results) -> list[str]:
    """The generated catalog's numbers."""
    lines: list[str] = []
    if results.generation:
        g = results.generation
        made = f"generated in {g['seconds']} s" if g.get("seconds") else "generated before this run"
        lines += [
            "## Catalog",
            "",
            f"{g.get('papers')} papers, {g.get('people')} people, {g.get('authorships')} "
            f"authorships, {g.get('venues')} venues, {g.get('awards')} awards "
            f"({g.get('paper_awards')} paper awards), {g.get('aliases')} name variants; {made}.",
            *[f"{n}" for n in results.notes],
            "",
        ]
    return lines


def _report_pages(results: Results) -> list[str]:
    """Each page cold, rendered and warm, against its target."""
    lines: list[str] = []
    lines += [
        "## Pages (server side)",
        "",
        "Each URL three ways, in this order (times in ms):",
        "",
        "- **cold**: nothing cached (DummyCache): every request does all of its work, as the",
        "  first request after a write to the catalog does;",
        "- **rendered** (judged against the targets): what is computed once per catalog",
        "  version comes from the cache (core/cache.py, invalidated by every write): the",
        "  list's facet counts, number of results and rendered facets (per filter set and",
        "  parameters), a person's or venue's chart and sidebar, a paper's related papers.",
        "  Every other query runs and the page and its rows are rendered on every request;",
        "- **warm**: the production configuration, where the whole page is also cached",
        "  until the next write (repeated requests between writes).",
        "",
        "| Page | URL | cold p50 | cold p95 | cold q | n | rendered p50 | rendered p95 | "
        "rendered max | q | warm p95 | warm q | target p95 | result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in results.pages:
        target = f"≤ {p.target_ms:g} ms" if p.target_ms else "—"
        if not p.n:
            lines.append(f"| {p.name} | `{p.url}` | | | | 0 | | | | | | | {target} | {p.note} |")
            continue
        lines.append(
            f"| {p.name} | `{p.url}` | {p.cold_p50:.1f} | {p.cold_p95:.1f} | "
            f"{p.cold_queries} | {p.n} | {p.p50:.1f} | {p.p95:.1f} | {p.max:.1f} | "
            f"{p.queries} | {p.warm_p95:.1f} | {p.warm_queries} | "
            f"{target} | {verdict(p)}{' ' + p.note if p.note else ''} |"
        )
    cold_misses = [
        f"{p.name} {p.cold_p95:.0f} ms ({p.cold_p95 / p.target_ms:.1f}x)"
        for p in results.pages
        if p.n and p.target_ms and p.cold_p95 > p.target_ms
    ]
    if cold_misses:
        lines += ["", "Cold (nothing cached) p95 over target: " + "; ".join(cold_misses) + "."]
    lines += ["", f"Query budget: ≤ {QUERY_BUDGET} per page.", ""]
    return lines


def _report_throughput(results: Results) -> list[str]:
    """Requests per second through gunicorn, with and without the cache."""
    lines: list[str] = []
    if results.wrk:
        w, c = results.wrk, results.wrk_cold or {}
        lines += ["## Throughput (gunicorn + wrk)", ""]
        if "ratio" in w:
            ok = "ok" if w["ratio"] >= THROUGHPUT_RATIO_TARGET else "**missed**"
            lines += [
                f"gunicorn {w['workers']} sync workers, `wrk -t2 -c8 -d{w['seconds']}s`, "
                "interleaved twice, mean req/s (wrk shares the 2 cores with the server).",
                "With the cache (production configuration) and without it (every request",
                "renders the page and runs all of its queries):",
                "",
                "| View | req/s, cache on | req/s, no cache |",
                "|---|---:|---:|",
                f"| trivial `/bench/ping/` | {w['ping']:.0f} | {c.get('ping', 0):.0f} |",
                f"| list `/papers/` | {w['papers']:.0f} | {c.get('papers', 0):.0f} |",
                f"| ratio | **{w['ratio']:.0%}** (target ≥ 50%: {ok}) | {c.get('ratio', 0):.1%} |",
                "",
            ]
        else:
            lines += [w["note"], ""]
    return lines


def _report_importer(results: Results) -> list[str]:
    """Parse rates and the import, against their targets."""
    lines: list[str] = []
    if results.parse or results.imported:
        lines += [
            "## Importer",
            "",
            "Generated listings in the real formats; parsing = decode_listing + parse_listing "
            "from bytes, each in its own process (peak RSS of that process).",
            "",
            "| Measurement | entries | MB of text | seconds | entries/s | target | "
            "peak RSS MB (before) |",
            "|---|---:|---:|---:|---:|---|---:|",
        ]
        for r in results.parse:
            ok = "ok" if r["rate"] >= PARSE_RATE_TARGET else "**missed**"
            lines.append(
                f"| parse {r['format']} | {r['entries']} | {r['bytes'] / 1e6:.0f} | "
                f"{r['seconds']} | {r['rate']:,} | ≥ 20,000/s {ok} | "
                f"{r['peak_rss_mb']} ({r['rss_before_mb']}) |"
            )
        if results.imported:
            r = results.imported
            target = import_seconds_target(r["entries"])
            ok = "ok" if r["seconds"] <= target else "**missed**"
            lines.append(
                f"| import blog into PostgreSQL (import_listings) | {r['entries']} | | "
                f"{r['seconds']} | {r['entries'] / max(r['seconds'], 0.001):,.0f} | "
                f"≤ {target:g} s {ok} | {r['peak_rss_mb']} ({r['rss_before_mb']}) |"
            )
            lines += [
                "",
                f"Import: {r['created']} papers created, {r['flagged']} flagged; merging the "
                f"entries alone took {r['merge_seconds']} s.",
            ]
        lines.append("")
    return lines


def _report_verdict(results: Results) -> list[str]:
    """Which targets were missed by more than 2x."""
    lines: list[str] = []
    bad = failures(results)
    lines += [
        "## Verdict",
        "",
        ("Targets missed by more than 2x: " + "; ".join(bad))
        if bad
        else "No target missed by more than 2x.",
        "",
    ]
    return lines


def report(results: Results) -> str:
    sections = (
        _report_header,
        _report_catalog,
        _report_pages,
        lambda results: longtail.report(results.longtail),
        _report_throughput,
        _report_importer,
        _report_verdict,
    )
    return "\n".join(line for section in sections for line in section(results))


def write_results(text: str, path: Path = RESULTS) -> None:
    history = ""
    if path.exists():
        old = path.read_text()
        if HISTORY_MARKER in old:
            history = old[old.index(HISTORY_MARKER) :]
    path.write_text(text + "\n" + (history or HISTORY_MARKER + "\n"))


# ---------------------------------------------------------------------------


def generated_before(size: int) -> dict | None:
    """The row counts of a catalog of `size` papers bench/generate.py wrote
    into this database earlier (None when it holds another number of papers):
    a 1,000,000-paper catalog takes most of an hour to generate, so it is
    generated once (`python -m bench.generate --size N`) and measured later."""
    from django.db import connection

    tables = {
        "papers": "catalog_paper",
        "people": "people_person",
        "authorships": "catalog_authorship",
        "venues": "venues_venue",
        "awards": "catalog_award",
        "paper_awards": "catalog_paper_awards",
        "aliases": "people_personalias",
    }
    counts = {}
    with connection.cursor() as cursor:
        for name, table in tables.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
    if counts["papers"] != size:
        return None
    return {**counts, "seconds": None}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Papershelf performance benchmark")
    parser.add_argument("--size", type=int, default=100_000, help="papers to generate")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--max-seconds", type=float, default=120, help="per page, at most")
    parser.add_argument("--import-entries", type=int, default=100_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-wrk", action="store_true")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument(
        "--only",
        help="regular expression: time only the pages it matches; "
        "'longtail' matches the long-tail section",
    )
    parser.add_argument(
        "--write-every", type=int, default=50, help="long tail: one write every N requests"
    )
    parser.add_argument(
        "--longtail-requests", type=int, default=150, help="long tail: distinct URLs per kind"
    )
    parser.add_argument(
        "--wrk-urls", type=int, default=2000, help="long tail: distinct URLs per wrk run"
    )
    parser.add_argument(
        "--longtail-seconds", type=float, default=600, help="long tail: per kind, at most"
    )
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    parser.add_argument(
        "--keep-catalog",
        action="store_true",
        help="measure the catalog already in DATABASE_URL when it has --size papers "
        "(no import, no generation)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="where to write the results (bench/RESULTS-1M.md for a 1,000,000-paper run)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)

    if not os.environ.get("DATABASE_URL"):
        script = ROOT / "scripts" / "with-postgres"
        env = dict(os.environ, **server_environment())
        return subprocess.call(
            [str(script), PYTHON, "-m", "bench.run", *sys.argv[1:]], cwd=ROOT, env=env
        )

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import generate

    results = Results(size=args.size, requests=args.requests)
    results.load.append(f"start {load_average()}")
    call_command("migrate", verbosity=0)
    results.generation = generated_before(args.size) if args.keep_catalog else None
    if results.generation:
        log(f"keeping the catalog of {args.size} papers generated before")
    else:
        if not args.skip_import:
            bench_importer(results, args.import_entries)
        # Empty, whatever an import or an earlier run left in DATABASE_URL.
        generate.truncate(connection)
        log(f"generating {args.size} papers")
        results.generation = generate.generate(args.size, log=log)
    results.prewarmed = prewarm(connection)
    connection.close()
    # Pages are served as in a server process, where config.wsgi froze what
    # was loaded (after the import and the generation: they are not pages).
    from core.memory import freeze_loaded_objects

    freeze_loaded_objects()
    results.load.append(f"pages {load_average()}")
    bench_pages(results, args.requests, args.max_seconds, args.only)
    connection.close()
    run_longtail = not args.only or re.search(args.only, "longtail")
    if run_longtail:
        results.load.append(f"long tail {load_average()}")
        pools = longtail.make_pools(args.longtail_requests, args.wrk_urls, rounds=2)
        results.longtail = longtail.bench_longtail_pages(results.params, pools, args)
        connection.close()
    if not args.skip_wrk:
        results.load.append(f"wrk {load_average()}")
        bench_throughput(results, args.wrk_seconds)
        if run_longtail:
            results.longtail.wrk = longtail.bench_longtail_throughput(pools, args.wrk_seconds)
    results.load.append(f"end {load_average()}")
    text = report(results)
    if not args.no_write:
        path = args.results.resolve()
        write_results(text, path)
        log(f"wrote {path}")
    print(text)
    bad = failures(results)
    if bad:
        log("targets missed by more than 2x: " + "; ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
