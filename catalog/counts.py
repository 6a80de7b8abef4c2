"""Exact counts read from the tables the database keeps (migration 0013).

Why: counting papers per venue, year and award, and papers per person, over
the whole catalog read every paper (and every authorship for the top
authors): about 300 ms at 100,000 papers, on the first request after every
write, since a write empties the cache. The database keeps those counts in
(venue, year) and (award, venue, year) cells and per person, changed by
triggers in the writing transaction, so they are exact whoever writes.
A count over venues and years only — the front page, a venue page, the list
filtered by venue and year range — sums a few thousand cells.

The functions take the list's ActiveFilters; `cells_answer()` says whether
the cells can answer for them (no search; at most one author or one award).
"""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from catalog.filters import ActiveFilters
from catalog.models import Authorship, Award, Paper
from catalog.paper_relations import array_text, person_by_id, person_subqueries
from core import prepared
from people.models import Person
from venues.models import Venue

NONE = 0  # the key of "no venue" and "no year"
# The tables (migration 0013), never written by Django.
PAPER_CELLS = "catalog_papercount"  # venue_key, year_key, papers
AWARD_CELLS = "catalog_awardcount"  # award_id, venue_key, year_key, papers
PERSON_COUNTS = "catalog_personcount"  # person_id, papers
PERSON_CELLS = "catalog_personcell"  # person_id, venue_key, year_key, papers (0015)
FACETS = ("venues", "awards", "authors")  # what sample_facets() counts
MONTH_CELLS = "catalog_monthcount"  # year_key, month_key (YYYYMM), papers (0016)
# Sums of those cells, kept too (0018): a few rows for a page after a write.
VENUE_TOTALS = "catalog_venuetotal"  # venue_key, papers
PERSON_YEARS = "catalog_personyear"  # person_id, year_key, papers
PERSON_VENUES = "catalog_personvenue"  # person_id, venue_key, papers
ROW_COUNTS = "catalog_rowcount"  # name (people_person, venues_venue), n
# Running totals (0026): a venue's papers up to each year; venue ALL_VENUES
# counts every paper, and its rows are the table's years.
VENUE_RUNS = "catalog_venuerun"  # venue_key, year_key, papers
ALL_VENUES = -1
# Every kept table, with its key columns: what recount_statements() rewrites
# and differences() compares.
KEPT_TABLES = {
    PAPER_CELLS: "venue_key, year_key",
    AWARD_CELLS: "award_id, venue_key, year_key",
    PERSON_COUNTS: "person_id",
    PERSON_CELLS: "person_id, venue_key, year_key",
    MONTH_CELLS: "year_key, month_key",
    VENUE_TOTALS: "venue_key",
    PERSON_YEARS: "person_id, year_key",
    PERSON_VENUES: "person_id, venue_key",
    ROW_COUNTS: "name",
    VENUE_RUNS: "venue_key, year_key",
}
# The month of published_on as YYYYMM (0 without a date), as migration 0016 keeps it.
MONTH_KEY = {
    "postgresql": "COALESCE(CAST(to_char(published_on, 'YYYYMM') AS integer), 0)",
    "sqlite": "COALESCE(CAST(strftime('%Y%m', published_on) AS integer), 0)",
}


def cells_answer(active: ActiveFilters) -> bool:
    """Whether the cells can count the venues and years of the results: they
    are defined by venue and year alone, by one person's papers in venues
    and years (the person's cells), or by one award's (the award cells)."""
    if active.search or len(active.authors) > 1:
        return False
    return not (active.authors and active.award)


def _cells(active: ActiveFilters, *, years_only: bool = False) -> str:
    """The cells counting the results: the one active author's, the award's,
    or all papers'. Counting `years_only` without a venue filter, the
    author's per-year totals or all papers' (year, month) cells: tens or a
    few hundred rows, not thousands (the most prolific author has 1,301
    (venue, year) cells)."""
    if active.authors:
        return PERSON_YEARS if years_only and not active.venues else PERSON_CELLS
    if active.award:
        return AWARD_CELLS
    return MONTH_CELLS if years_only and not active.venues else PAPER_CELLS


def _conditions(
    active: ActiveFilters, *, venue: bool, exact_year: bool, award: bool = True
) -> tuple[str, list]:
    """SQL conditions on a cell (alias c) for the active venue and year filters
    (and the award's, with `award`, in the award cells), and their
    parameters. A paper without a year matches no year filter."""
    sql, params = ["c.papers <> 0"], []
    if active.authors:  # one (cells_answer()): the person's cells
        people = Person._meta.db_table
        sql.append(f"c.person_id = (SELECT id FROM {people} WHERE slug = %s)")
        params.append(active.authors[0])
    elif award and active.award:  # the award cells (_cells())
        sql.append(f"c.award_id = (SELECT id FROM {Award._meta.db_table} WHERE slug = %s)")
        # Cut as the award filter cuts it (catalog.filters).
        params.append(active.award[:100])
    if venue and active.venues:
        slugs = ", ".join(["%s"] * len(active.venues))
        venues = Venue._meta.db_table
        sql.append(f"c.venue_key IN (SELECT id FROM {venues} WHERE slug IN ({slugs}))")
        params += list(active.venues)
    for value, test in (
        (active.year if exact_year else None, "="),
        (active.year_from, ">="),
        (active.year_to, "<="),
    ):
        if value:
            sql.append(f"c.year_key {test} %s AND c.year_key <> {NONE}")
            params.append(value)
    return " AND ".join(sql), params


def _named_counts_sql(
    model, cells, key: str, where: tuple[str, list], active: list[str], cells_params=()
) -> tuple[str, list]:
    """_named_counts() as a SELECT of (slug, name, n, first) rows, unordered
    (`first`: 0 for the active ones, else 1), and its parameters."""
    table = model._meta.db_table
    condition, params = where
    marks = ", ".join(["%s"] * len(active)) or "NULL"
    sql = f"""
        SELECT m.slug, m.name, COALESCE(s.n, 0) AS n,
            CASE WHEN m.slug IN ({marks}) THEN 0 ELSE 1 END AS first FROM {table} m
        LEFT JOIN (
            SELECT c.{key} AS id, SUM(c.papers) AS n FROM {cells} c
            WHERE {condition} GROUP BY c.{key}
        ) s ON s.id = m.id
        WHERE s.n > 0 OR m.slug IN ({marks})
    """
    return sql, [*active, *cells_params, *params, *active]


def _named_counts(
    model, cells, key: str, where: tuple[str, list], active: list[str], cells_params=()
):
    """(slug, name, count) of the `model` rows (venues, awards) that have papers
    in the `cells` table matching `where` (joined on `key`), and of the
    `active` slugs always (0 when they have none): active first, then most
    papers, then name. One query: the cells are summed once, then joined.
    `cells` may be a subquery, with its parameters `cells_params`."""
    sql, params = _named_counts_sql(model, cells, key, where, active, cells_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) t ORDER BY 4, 3 DESC, 2, 1", params)
        return [tuple(row[:3]) for row in cursor.fetchall()]


def _only_venues(active: ActiveFilters) -> bool:
    """Whether the results are defined by venues alone (or by nothing)."""
    return active == ActiveFilters(venues=active.venues)


def _year_bounds(active: ActiveFilters) -> tuple[int | None, int | None]:
    """The first and last year the year filters let through (None: unbounded)."""
    firsts = [year for year in (active.year, active.year_from) if year]
    lasts = [year for year in (active.year, active.year_to) if year]
    return max(firsts, default=None), min(lasts, default=None)


def _runs_sql(active: ActiveFilters) -> tuple[str, list] | None:
    """Papers per venue in the years of the year filters, as a subquery of
    cells (venue_key, papers) and its parameters, from the running totals:
    the slice of the range's last year less the slice of the year before
    its first (two index ranges of a row a venue, where summing the cells
    of the range read ~6,800 cells). None for results of an author or an
    award, without a year filter, or of years that cannot meet."""
    first, last = _year_bounds(active)
    if active.authors or active.award or (first, last) == (None, None):
        return None
    if first is not None and last is not None and first > last:
        return None
    params = []

    def slice_year(test: str, year: int | None) -> str:
        """The table's latest year passing `test` against `year` (any: None)."""
        bound = ""
        if year is not None:
            bound = f" AND g.year_key {test} %s"
            params.append(year)
        return (
            f"(SELECT MAX(g.year_key) FROM {VENUE_RUNS} g WHERE g.venue_key = {ALL_VENUES}{bound})"
        )

    before, earlier = "0", ""  # no first year: nothing to take away
    if first is not None:
        before = "COALESCE(lo.papers, 0)"
        earlier = f"""LEFT JOIN {VENUE_RUNS} lo
            ON lo.venue_key = hi.venue_key AND lo.year_key = {slice_year("<", first)}"""
    sql = f"""(
        SELECT hi.venue_key, hi.papers - {before} AS papers FROM {VENUE_RUNS} hi {earlier}
        WHERE hi.year_key = {slice_year("<=", last)} AND hi.venue_key <> {ALL_VENUES}
    )"""
    return sql, params


def _venue_counts_sql(active: ActiveFilters) -> tuple[str, list]:
    """venue_counts() as _named_counts_sql() (unordered rows) and parameters."""
    counted = ("c.papers <> 0", [])
    if _only_venues(active):
        return _named_counts_sql(Venue, VENUE_TOTALS, "venue_key", counted, list(active.venues))
    runs = _runs_sql(active)
    if runs is not None:
        return _named_counts_sql(
            Venue, runs[0], "venue_key", counted, list(active.venues), cells_params=runs[1]
        )
    where = _conditions(active, venue=False, exact_year=True)
    return _named_counts_sql(Venue, _cells(active), "venue_key", where, list(active.venues))


def venue_counts(active: ActiveFilters):
    """Papers per venue under the year filters (not the venue filter: venues
    are any-of), as (slug, name, count); the active venues always. With no
    filter but venues, from the kept totals (one row a venue, where the
    cells are 7,500 rows to sum)."""
    sql, params = _venue_counts_sql(active)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) t ORDER BY 4, 3 DESC, 2, 1", params)
        return [tuple(row[:3]) for row in cursor.fetchall()]


def year_counts_sql(active: ActiveFilters) -> tuple[str, list]:
    """year_counts() as SQL and parameters: rows of (year, papers), year
    NONE for papers without a year."""
    condition, params = _conditions(active, venue=True, exact_year=False)
    sql = (
        f"SELECT c.year_key, SUM(c.papers) FROM {_cells(active, years_only=True)} c "
        f"WHERE {condition} GROUP BY c.year_key"
    )
    return sql, params


def year_counts(active: ActiveFilters) -> dict[int | None, int]:
    """Papers per year (None: without a year) under the venue filter and the
    year range (not the year filter: a year replaces the current one)."""
    with connection.cursor() as cursor:
        cursor.execute(*year_counts_sql(active))
        return {(year or None): n for year, n in cursor.fetchall() if n}


def _person_awards_sql(active: ActiveFilters) -> tuple[str, list]:
    """Awarded papers per award (SQL) for the one active author (cells_answer()),
    whose awards are not kept in cells: the catalog's few awarded papers
    are read and each tested against a hashed set of the person's papers
    (one range of the (person, paper) index), then only those kept look up
    their paper's venue and year, for the venue and year filters. As a
    semi-join, the planner, expecting a dozen papers a person, probed the
    awards once per paper of the person (2,482 probes, 21 ms, for the most
    prolific); as a join to the papers, it expected half the awarded papers
    kept and read the filtered venue's papers instead (733,000 index rows,
    280 ms, at 1,000,000 papers). Scalar lookups leave it no such plan."""
    papers, paper_awards = Paper._meta.db_table, Paper.awards.through._meta.db_table
    authorships, people = Authorship._meta.db_table, Person._meta.db_table
    cells = f"""(
        SELECT pa.award_id,
            COALESCE((SELECT p.venue_id FROM {papers} p WHERE p.id = pa.paper_id), {NONE})
                AS venue_key,
            COALESCE((SELECT p.year FROM {papers} p WHERE p.id = pa.paper_id), {NONE})
                AS year_key,
            1 AS papers
        FROM {paper_awards} pa
        WHERE (pa.paper_id IN (
            SELECT paper_id FROM {authorships}
            WHERE person_id = (SELECT id FROM {people} WHERE slug = %s))) IS TRUE
    )"""
    unnamed = replace(active, authors=())  # the person is in `cells`
    where = _conditions(unnamed, venue=True, exact_year=True, award=False)
    active_awards = [active.award] if active.award else []
    return _named_counts_sql(
        Award, cells, "award_id", where, active_awards, cells_params=[active.authors[0]]
    )


def kept_top_people(active: ActiveFilters) -> bool:
    """Whether the kept totals give the results' top people exactly: the
    whole catalog's (per person) or one venue's (per person and venue)."""
    return _only_venues(active) and len(active.venues) <= 1


def _top_people_sql(limit: int, venue: str | None = None) -> tuple[str, list]:
    """A SELECT of (slug, name, count) of the `limit` people with the most
    papers in the catalog, or in the venue whose slug is `venue`, most papers
    first, then by name, and its parameters: every person with at least the
    limit-th count is read from the kept totals' index by count, then
    sorted. For a venue, this replaces grouping the authorships of up to
    SAMPLE of its papers (catalog.facets), each read by its own index probe,
    by a few rows of the (venue, papers) index (migration 0020)."""
    people = Person._meta.db_table
    if venue is None:
        counts, inner, outer, params = PERSON_COUNTS, "", "", []
    else:
        venue_id = f"(SELECT id FROM {Venue._meta.db_table} WHERE slug = %s)"
        counts, params = PERSON_VENUES, [venue]
        inner, outer = f"venue_key = {venue_id} AND ", f"c.venue_key = {venue_id} AND "
    sql = f"""
        SELECT p.slug, p.name, c.papers FROM {counts} c JOIN {people} p ON p.id = c.person_id
        WHERE {outer}c.papers > 0 AND c.papers >= COALESCE(
            (SELECT papers FROM {counts} WHERE {inner}papers > 0
            ORDER BY papers DESC LIMIT 1 OFFSET %s), 1)
        ORDER BY c.papers DESC, p.name, p.slug LIMIT %s
    """
    return sql, [*params, *params, limit - 1, limit]


def dated_months(using=None) -> list[tuple[int, int]]:
    """The catalog's dated papers per month of publication, (YYYYMM, papers)
    newest first, whatever their year: from the kept month cells (0016),
    one small read."""
    with connections[using or DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            f"SELECT month_key, SUM(papers) FROM {MONTH_CELLS} WHERE month_key > 0 "
            "GROUP BY month_key HAVING SUM(papers) > 0 ORDER BY month_key DESC"
        )
        return [(month, int(papers)) for month, papers in cursor.fetchall()]


def catalog_totals() -> dict[str, int]:
    """The numbers of papers, people and venues, in one query, from the kept
    totals (counting 60,000 people took 8 ms after every write)."""
    people, venues = Person._meta.db_table, Venue._meta.db_table
    sql = (
        f"SELECT (SELECT COALESCE(SUM(papers), 0) FROM {VENUE_TOTALS}), "
        f"(SELECT n FROM {ROW_COUNTS} WHERE name = '{people}'), "
        f"(SELECT n FROM {ROW_COUNTS} WHERE name = '{venues}')"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        papers, people_count, venue_count = cursor.fetchone()
    return {"papers": papers, "people": people_count or 0, "venues": venue_count or 0}


def venue_years(venue) -> tuple[dict[int, int], int]:
    """A venue's papers per known year, and its number of papers (one query)."""
    sql = f"SELECT year_key, papers FROM {PAPER_CELLS} WHERE venue_key = %s AND papers <> 0"
    with connection.cursor() as cursor:
        cursor.execute(sql, [venue.pk])
        years = dict(cursor.fetchall())
    total = sum(years.values())
    years.pop(NONE, None)
    return dict(sorted(years.items())), total


def _named_top_sql(counted: str, alias: str, limit: int, where: str = "") -> str:
    """A SELECT of (slug, name, n, 1) rows of the people in `counted` (a CTE
    of person_id, n, read as `alias`) that pass `where`: the `limit` first in
    the facet's order (most papers, then name, then slug), which the rows
    are cut to here. The people tied at the limit-th count were all sent
    back (a venue's authors of one paper each: 279 rows for 10 shown), and
    each was looked up twice, for its slug and for its name; on PostgreSQL
    once (paper_relations.person_by_id(): still by primary key, never a join
    over all the people)."""
    people = Person._meta.db_table
    name, slug, join = person_by_id(f"{alias}.person_id", people, connection.vendor)
    return f"""
        SELECT {slug}, {name}, {alias}.n, 1 FROM {counted} {alias} {join} {where}
        ORDER BY 3 DESC, 2, 1 LIMIT {limit:d}"""


def _top_counted_sql(counted: str, active: tuple[str, ...], name: str = "") -> tuple[str, str]:
    """CTEs and a SELECT of the top rows of `counted` (a CTE of person_id, n):
    those with at least the limit-th count (parameter) and the `active` slugs
    (their parameters), with their slug and name (a subquery each:
    paper_relations.person_subqueries()),
    active ones first. `name`: a suffix of the CTEs' names, for two of these in one query."""
    people = Person._meta.db_table
    marks = ", ".join(["%s"] * len(active)) or "NULL"
    cut, chosen, kept = f"cut{name}", f"chosen{name}", f"kept{name}"
    ctes = f"""
        {cut} AS (SELECT n FROM {counted} ORDER BY n DESC LIMIT 1 OFFSET %s),
        {chosen} AS (SELECT id FROM {people} WHERE slug IN ({marks})),
        {kept} AS (
            SELECT s.person_id, s.n, CASE WHEN s.person_id IN (SELECT id FROM {chosen})
            THEN 0 ELSE 1 END AS first FROM {counted} s
            WHERE s.n >= COALESCE((SELECT n FROM {cut}), 0)
                OR s.person_id IN (SELECT id FROM {chosen})
            UNION ALL
            SELECT id, 0, 0 FROM {chosen}
        )"""
    person_name, person_slug = person_subqueries(f"{kept}.person_id", people)
    select = f"""
        SELECT {person_slug}, {person_name}, n, first FROM {kept}"""
    return ctes, select


def _first_of_each(rows, limit: int | None = None):
    """(slug, name, n) rows in order, each slug once: an active person comes
    twice (counted, then with 0), counted first."""
    seen, result = set(), []
    for slug, name, n in rows:
        if slug not in seen:
            seen.add(slug)
            result.append((slug, name, n))
    return result[:limit]


# A pool of no papers (SQL, parameters), for cell_facets() not to sample.
NO_PAPERS = ("SELECT CAST(NULL AS BIGINT) WHERE 1 = 0", ())


def _sql(queryset) -> tuple[str, tuple]:
    """The SQL of a queryset, or of NO_PAPERS."""
    if queryset is NO_PAPERS:
        return queryset
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing
        return "SELECT NULL WHERE 1 = 0", ()


def _top_authors_sql(
    paper_ids, limit: int, active=(), exclude: int | None = None, bounded: bool = False
):
    """top_authors() as CTEs, a SELECT of (slug, name, n, first) rows from
    them and the parameters of each."""
    pool_sql, pool_params = _sql(paper_ids)
    ctes, select = _top_counted_sql("s", tuple(active))
    # A bounded pool on PostgreSQL as an array: one index scan looks up
    # every id (= ANY), where IN (…) made it a semi-join rescanning the
    # index once per id (a person's 1,000 newest papers: 11-14 -> 9-12 ms
    # median under load ~4.5, interleaved runs).
    in_pool = f"IN ({pool_sql})"
    if bounded and connection.vendor == "postgresql":
        in_pool = f"= ANY(ARRAY({pool_sql}))"
    ctes = f"""
        s AS (
            SELECT a.person_id, COUNT(*) AS n FROM {Authorship._meta.db_table} a
            WHERE a.paper_id {in_pool} AND a.person_id <> %s GROUP BY a.person_id
        ), {ctes}"""
    params = [*pool_params, -1 if exclude is None else exclude, limit - 1, *active]
    return ctes, params, select


def top_authors(
    paper_ids, limit: int, active=(), exclude: int | None = None, bounded: bool = False
):
    """(slug, name, papers among `paper_ids`) of the `limit` people with the
    most of those papers (then by name), the `active` slugs first and always
    (0 when they have none), never the person whose id is `exclude`.
    `paper_ids`: a queryset of paper ids (`.values("pk")`), sliced or not;
    `bounded` when it is known to hold at most a thousand or so.
    One query: authorships are grouped by person from the (paper, person)
    index, and only the top rows read people."""
    ctes, params, select = _top_authors_sql(paper_ids, limit, active, exclude, bounded)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} {select} ORDER BY 4, 3 DESC, 2, 1", params)
        return _first_of_each([row[:3] for row in cursor.fetchall()], limit)


# How many of the catalog's most prolific people proven_top_sql() counts:
# FIRST_CANDIDATES, and CANDIDATES only when they do not prove the top (each
# candidate is an index range of scattered rows: 100 cost ~3,000 buffers).
FIRST_CANDIDATES = 30
CANDIDATES = 100
# Results of venues and years (summable()) of up to this many papers have
# their top authors summed from the kept cells (a few rows a paper), more
# counted in a sample (or proven, for years alone).
SUMMED_UP_TO = 5000
# More cells than this, or more people than SUMMED_TIES tied at the top (a
# few hundred papers by as many different people): the sum gives way to the
# count above.
SUMMED_CELLS = 25_000
SUMMED_TIES = 500


def _proof_stages() -> list[int]:
    """The candidates of proven_top_sql()'s proofs, tried in turn."""
    return sorted({min(FIRST_CANDIDATES, CANDIDATES), CANDIDATES})


def _proven_any() -> str:
    """SQL true when one of the proofs (CTEs proof_0, …) holds."""
    return " OR ".join(f"(SELECT proven FROM proof_{n})" for n in range(len(_proof_stages())))


def by_years_only(active: ActiveFilters) -> bool:
    """Whether the results are defined by year filters alone."""
    return active == ActiveFilters(
        year=active.year, year_from=active.year_from, year_to=active.year_to
    )


def proven_top_sql(
    active: ActiveFilters, limit: int, candidates: int | None = None, name: str = ""
) -> tuple[str, list, str]:
    """For results defined by years alone (by_years_only()): CTEs, their
    parameters and a SELECT of the top `limit` people's (slug, name, n, 1)
    rows, exact when the CTE `proof` (`proof{name}`) says `proven`.

    Nobody has more papers in some years than in all: the `candidates`
    (default CANDIDATES) people
    with most papers are counted in these years (their kept per-year
    totals), and when the limit-th count among them beats the papers of
    the next person in the catalog, nobody else can reach the top. Else
    (narrow or old years, ties) `proven` is false. About a hundred index
    ranges, where counting a sample of 1,000 results' authorships probes
    the authorships of each."""
    candidates = CANDIDATES if candidates is None else candidates
    years, year_params = _conditions(active, venue=False, exact_year=True)
    ranked = f"{PERSON_COUNTS} WHERE papers > 0"
    order = "ORDER BY papers DESC, person_id"
    counted, top_n = f"counted{name}", f"top_n{name}"
    ctes = f"""
        {counted} AS (
            SELECT k.person_id, (
                SELECT COALESCE(SUM(c.papers), 0) FROM {PERSON_YEARS} c
                WHERE c.person_id = k.person_id AND {years}
            ) AS n FROM (SELECT person_id FROM {ranked} {order} LIMIT %s) k
        ),
        {top_n} AS (SELECT n FROM {counted} ORDER BY n DESC LIMIT 1 OFFSET %s),
        proof{name} AS (
            SELECT b.papers IS NULL OR b.papers < COALESCE((SELECT n FROM {top_n}), 0) AS proven
            FROM (SELECT 1 AS one) o
            LEFT JOIN (SELECT papers FROM {ranked} {order} LIMIT 1 OFFSET %s) b ON TRUE
        )"""
    where = f"WHERE k.n > 0 AND k.n >= COALESCE((SELECT n FROM {top_n}), 0)"
    select = _named_top_sql(counted, "k", limit, where)
    return ctes, [*year_params, candidates, limit - 1, candidates], select


def summable(active: ActiveFilters) -> bool:
    """Whether the kept per-person cells hold the results' top authors: results
    defined by venues and years (not one venue alone: kept_top_people())."""
    return (
        not (active.search or active.authors or active.award)
        and bool(active.venues or active.year or active.year_from or active.year_to)
        and not kept_top_people(active)
    )


def _summed_top_sql(active: ActiveFilters, limit: int) -> tuple[str, list, str, str]:
    """For summable() results: CTEs, their parameters, a SELECT of the top
    `limit` people's (slug, name, n, 1) rows, exact, from the kept cells of
    the results' venues and years (one index-only range of migration 0023's
    indexes per venue, or of the year range: a few thousand rows for a
    thousand results, where counting their authorships probes an index
    once per paper, 8-10 ms), and SQL true when they are all there: at most
    SUMMED_CELLS cells read and SUMMED_TIES people at or above the limit-th
    count. Both bounds also keep the planner's estimates bounded, whatever
    the catalog's size: from an estimate of a third of the summed people,
    each read twice, it compiled the query (JIT, 1.7 s)."""
    years = active.year or active.year_from or active.year_to
    if active.venues and years:
        cells = PERSON_CELLS
    elif years:
        cells = PERSON_YEARS
    else:
        cells = PERSON_VENUES
    where, params = _conditions(active, venue=True, exact_year=True)
    ctes = f"""
        summed_cells AS (SELECT c.person_id, c.papers FROM {cells} c WHERE {where} LIMIT %s),
        summed AS (SELECT person_id, SUM(papers) AS n FROM summed_cells GROUP BY person_id),
        summed_cut AS (SELECT n FROM summed ORDER BY n DESC LIMIT 1 OFFSET %s),
        summed_top AS (
            SELECT person_id, n FROM summed WHERE n >= COALESCE((SELECT n FROM summed_cut), 0)
            ORDER BY n DESC LIMIT %s
        )"""
    select = _named_top_sql("summed_top", "t", limit)
    complete = (
        f"(SELECT COUNT(*) FROM summed_cells) <= {SUMMED_CELLS:d} "
        f"AND (SELECT COUNT(*) FROM summed_top) <= {SUMMED_TIES:d}"
    )
    return ctes, [*params, SUMMED_CELLS + 1, limit - 1, SUMMED_TIES + 1], select, complete


def _authors_facet_sql(
    active: ActiveFilters,
    paper_ids,
    limit: int,
    guard: tuple[str, list],
    summed_guard: tuple[str, list] | None = None,
) -> tuple[str, list, str, list]:
    """cell_facets()'s CTEs (without WITH) and their parameters, and its
    SELECT of (slug, name, n, first) rows of the top authors and the
    SELECT's own parameters. For summable() results, where `summed_guard`
    (SQL, parameters) holds, summed from the kept cells (_summed_top_sql(),
    exact: a row ('proven', …) says so); else as _sampled_authors_sql()."""
    ctes, params, select, select_params = _sampled_authors_sql(active, paper_ids, limit, guard)
    if summed_guard is None or paper_ids is None or not summable(active):
        return ctes, params, select, select_params
    summed_ctes, summed_params, summed, complete = _summed_top_sql(active, limit)
    # The sum only for results small enough, then the rest only if it was
    # not used (a one-time filter evaluates its AND from the left).
    small, small_params = summed_guard
    used = f"{small} AND {complete}"
    summed_select = f"""
        SELECT * FROM ({summed}) summed_rows WHERE {used}
        UNION ALL SELECT 'proven', NULL, 0, 2 WHERE {used}"""
    summed_select_params = [*small_params, *small_params]
    if not select:  # nothing else to count (_sampled_authors_sql())
        return summed_ctes, summed_params, summed_select, summed_select_params
    select = f"""{summed_select}
        UNION ALL SELECT * FROM ({select}) other_rows WHERE NOT ({used})"""
    select_params = [*summed_select_params, *select_params, *small_params]
    return _joined(ctes, summed_ctes), [*params, *summed_params], select, select_params


def _joined(*ctes: str) -> str:
    """CTEs (without WITH) joined with commas, the empty ones left out."""
    return ", ".join(cte for cte in ctes if cte)


def _sampled_authors_sql(
    active: ActiveFilters, paper_ids, limit: int, guard: tuple[str, list]
) -> tuple[str, list, str, list]:
    """_authors_facet_sql() without the kept cells' sum: for results of years
    alone, with the `proven`
    rows (proven_top_sql()), and the sample's only when they are not (a row
    ('proven', …) says which). The sample is counted only where `guard`
    (SQL, parameters) holds."""
    if paper_ids is None:
        people_sql, people_params = _top_people_sql(limit, *active.venues)
        return "", [], f"SELECT t.*, 1 FROM ({people_sql}) t", people_params
    # No sample (NO_PAPERS) and no active author: the sample's CTEs and rows
    # would count nothing, and their text alone cost the planner ~0.5 ms.
    empty = paper_ids is NO_PAPERS and not active.authors
    ctes, params, sampled = "", [], ""
    if not empty:
        # A sliced sample, as an array on PostgreSQL (_top_authors_sql()):
        # the sampled facets queries of a round of distinct lists' authors
        # and awards 180 -> 164 and 165 -> 152 ms (interleaved, 4 rounds).
        bounded = paper_ids is not NO_PAPERS and paper_ids.query.high_mark is not None
        ctes, params, sampled = _top_authors_sql(paper_ids, limit, active.authors, bounded=bounded)
    condition, guard_params = guard
    if not by_years_only(active):
        if empty:
            return "", [], "", []
        return ctes, params, f"SELECT * FROM ({sampled}) s WHERE {condition}", guard_params
    # Proofs in turn, each tried only when those before it failed (a
    # one-time filter evaluates its AND from the left, each CTE on demand).
    stages = _proof_stages()
    failed, selects = [], []
    for stage, candidates in enumerate(stages):
        proof_ctes, proof_params, proven = proven_top_sql(active, limit, candidates, f"_{stage}")
        ctes, params = _joined(ctes, proof_ctes), [*params, *proof_params]
        holds = " AND ".join([*failed, f"(SELECT proven FROM proof_{stage})"])
        selects.append(f"SELECT * FROM ({proven}) p{stage} WHERE {holds}")
        failed.append(f"NOT (SELECT proven FROM proof_{stage})")
    if not empty:
        selects.append(f"SELECT * FROM ({sampled}) s WHERE {' AND '.join(failed)} AND {condition}")
    selects.append(f"SELECT 'proven', NULL, 0, 2 WHERE {_proven_any()}")
    return ctes, params, "\n        UNION ALL ".join(selects), [] if empty else guard_params


def _sample_guard(active: ActiveFilters, sample_up_to: int | None) -> tuple[str, list]:
    """SQL (and parameters) true when the results, summed from the CTE
    `years`, number at most `sample_up_to` (always true for None): the
    condition under which cell_facets() counts a sample's authors."""
    if sample_up_to is None:
        return "TRUE", []
    in_year, params = ("WHERE year_key = %s", [active.year]) if active.year else ("", [])
    return f"(SELECT COALESCE(SUM(n), 0) FROM years {in_year}) <= %s", [*params, sample_up_to]


def cell_facets(
    active: ActiveFilters, paper_ids, limit: int, sample_up_to: int | None = None
) -> dict:
    """Every facet of results the cells answer (cells_answer()), in one query:
    "years" as year_counts(), "venues" as venue_counts(), "awards": awarded
    papers per award under the venue and year filters (the award cells; the
    one active author's from their awarded papers), and
    "authors": the top `limit` people among `paper_ids` as top_authors(), or,
    when `paper_ids` is None, of the results from the kept totals
    (kept_top_people(): the whole catalog or one venue, _top_people_sql()),
    or for results of years alone, of all of them when that can be proven
    from the kept totals (proven_top_sql(); then "proven" is True), and
    for results of venues and years (summable()) of up to SUMMED_UP_TO
    papers (and `sample_up_to`), summed from the kept cells (exact: "proven"
    too). With `sample_up_to`, `paper_ids`' authors are counted only for results
    of at most that many papers (the list defers bigger ones' facets; the
    grouping is most of this query's time), else "authors" is empty.
    "people": the active authors' (slug, name, 0), always (their names).
    One round trip, not four: on a busy machine each one waits for the
    database's turn."""
    if active.authors:
        awards = _person_awards_sql(active)
    else:
        where = _conditions(active, venue=True, exact_year=True, award=False)
        awards = _named_counts_sql(
            Award, AWARD_CELLS, "award_id", where, [active.award] if active.award else []
        )
    venues = _venue_counts_sql(active)
    condition, year_params = _conditions(active, venue=True, exact_year=False)
    guard = _sample_guard(active, sample_up_to)
    summed_up_to = SUMMED_UP_TO if sample_up_to is None else min(SUMMED_UP_TO, sample_up_to)
    summed_guard = _sample_guard(active, summed_up_to)
    ctes, params, authors, people_params = _authors_facet_sql(
        active, paper_ids, limit, guard, summed_guard
    )
    # The active authors' names, also when the sample that counts them is
    # skipped (the list's chips name them without a query of their own).
    named = ""
    if active.authors:
        marks = ", ".join(["%s"] * len(active.authors))
        named = f"""
        UNION ALL SELECT 'people', slug, name, 0, 0, NULL FROM {Person._meta.db_table}
        WHERE slug IN ({marks})"""
    scope, scope_params = _scope_sql(active)
    shown, shown_params = _shown_sql(active, paper_ids, guard)
    # The years once, as a CTE: the rows and the guard's number of results.
    sql = f"""WITH years AS (
            SELECT c.year_key, SUM(c.papers) AS n FROM {_cells(active, years_only=True)} c
            WHERE {condition} GROUP BY c.year_key
        ){", " + ctes if ctes else ""}
        SELECT 'venues', v.*, CAST(NULL AS INTEGER) FROM ({venues[0]}) v WHERE {shown}
        UNION ALL SELECT 'awards', w.*, NULL FROM ({awards[0]}) w WHERE {shown}
        UNION ALL SELECT 'authors', t.*, NULL FROM ({authors}) t
        UNION ALL SELECT 'years', NULL, NULL, n, 0, year_key FROM years{named}{scope}
        ORDER BY 1, 5, 4 DESC, 3, 2
    """
    params = [*year_params, *params, *venues[1], *shown_params, *awards[1], *shown_params]
    params += [*people_params, *active.authors]
    params += scope_params
    with connection.cursor() as cursor:
        # Of the kept tables alone, the same text for every list of these
        # filters' shape: prepared, its plan is kept (planning was ~1 ms of
        # ~4). Not with a sample of papers, whose generic plan may walk a
        # year index for an award's few papers (4.8 -> 8.2 ms).
        if paper_ids is None or paper_ids is NO_PAPERS:
            prepared.execute(cursor, sql, params)
        else:
            cursor.execute(sql, params)
        return _cell_facets_result(cursor.fetchall(), limit)


def _cell_facets_result(rows, limit: int) -> dict:
    """cell_facets()'s dict from its query's rows."""
    result = {
        "venues": [],
        "awards": [],
        "authors": [],
        "years": {},
        "proven": False,
        "people": [],
        "scope": {},
    }
    for facet, slug, name, n, _, year in rows:
        if facet == "years":
            if n:
                result["years"][year or None] = n
        elif facet == "scope":
            result["scope"][slug] = n
        elif facet == "authors" and slug == "proven" and name is None:
            result["proven"] = True
        else:
            result[facet].append((slug, name, n))
    result["authors"] = _first_of_each(result["authors"], limit)
    return result


def _shown_sql(active: ActiveFilters, paper_ids, guard: tuple[str, list]) -> tuple[str, list]:
    """SQL (and parameters) true unless the list defers these facets
    (catalog.facets._from_cells()): results of years alone, not sampled,
    more than `guard` allows and no proof of their top authors. Their
    venues and awards are then not counted (a deferred year's venue cells
    were half of its query's time), and they name no active one."""
    if paper_ids is not NO_PAPERS or not by_years_only(active) or guard[0] == "TRUE":
        return "TRUE", []
    return f"({guard[0]} OR {_proven_any()})", guard[1]


def _scope_sql(active: ActiveFilters) -> tuple[str, list]:
    """For results of an author or an award (and at most one venue): UNION ALL
    branches of cell_facets() giving ('scope', 'years', …) the number of papers
    of the venue (or catalog) in the year filters, and ('scope', 'all', …) of
    the venue (or catalog) in all years: what a page of the results walks
    along a sort index of the venue (or catalog) to find its papers; and
    ('scope', 'members', …) the author's or award's papers, which the page
    reads otherwise (catalog.selectors.walk_scope()). Nothing for other
    results."""
    if not (active.authors or active.award) or len(active.venues) > 1:
        return "", []
    unnamed = ActiveFilters(
        venues=active.venues, year=active.year, year_from=active.year_from, year_to=active.year_to
    )
    in_years, years_params = _conditions(unnamed, venue=True, exact_year=True)
    in_venue, venue_params = _conditions(
        ActiveFilters(venues=active.venues), venue=True, exact_year=True
    )
    cells = PAPER_CELLS if active.venues else MONTH_CELLS
    if active.authors:
        people = Person._meta.db_table
        members = f"""SELECT papers FROM {PERSON_COUNTS}
            WHERE person_id = (SELECT id FROM {people} WHERE slug = %s)"""
        member = active.authors[0]
    else:
        awards = Award._meta.db_table
        members = f"""SELECT SUM(papers) FROM {AWARD_CELLS}
            WHERE award_id = (SELECT id FROM {awards} WHERE slug = %s)"""
        member = active.award[:100]
    sql = f"""
        UNION ALL SELECT 'scope', 'years', NULL,
            (SELECT COALESCE(SUM(c.papers), 0) FROM {cells} c WHERE {in_years}), 0, NULL
        UNION ALL SELECT 'scope', 'all', NULL,
            (SELECT COALESCE(SUM(c.papers), 0) FROM {VENUE_TOTALS} c WHERE {in_venue}), 0, NULL
        UNION ALL SELECT 'scope', 'members', NULL, COALESCE(({members}), 0), 0, NULL"""
    return sql, [*years_params, *venue_params, member]


def _pairs_sql(pairs: list[tuple]) -> tuple[str, list]:
    """(paper id, venue id) pairs as a SELECT: arrays on PostgreSQL (as `id IN
    (…)` on the paper table, it scanned a whole index for them), VALUES on
    SQLite."""
    if connection.vendor == "postgresql":
        sql = "SELECT * FROM unnest(%s::bigint[], %s::bigint[])"
        return sql, [array_text(pk for pk, _ in pairs), array_text(v for _, v in pairs)]
    if pairs:
        return "VALUES " + ", ".join(["(%s, %s)"] * len(pairs)), [v for pair in pairs for v in pair]
    return "SELECT NULL, NULL WHERE 1 = 0", []


def _samples_sql(samples: dict) -> dict[str, tuple[str, list]]:
    """_pairs_sql() of each facet's sample, written once for equal samples
    (a search without other filters samples the same papers for all three
    facets: two of its three pairs of 1,000-id arrays were written again)."""
    parts: dict[str, tuple[str, list]] = {}
    written: list[tuple[list, tuple[str, list]]] = []
    for facet in FACETS:
        pairs = list(samples.get(facet, ()))
        part = next((part for seen, part in written if seen == pairs), None)
        if part is None:
            part = _pairs_sql(pairs)
            written.append((pairs, part))
        parts[facet] = part
    return parts


def sample_facets(samples: dict, limit: int, active=None) -> dict[str, list]:
    """Venues, awards and the top `limit` authors of papers already read, as
    (slug, name, count) rows by facet ("venues", "awards", "authors"), most
    papers first, in one query. `samples`: facet -> its papers, as (paper id,
    venue id) pairs (each facet may count other papers). `active`: the
    ActiveFilters, whose authors come first and always (0 when they have
    none); the active venues and award come back as "active_venues" and
    "active_awards" (slug, name, 0) rows, for their names."""
    active = active or ActiveFilters()
    parts = _samples_sql(samples)
    venues, awards = Venue._meta.db_table, Award._meta.db_table
    paper_awards = Paper.awards.through._meta.db_table
    ctes, select = _top_counted_sql("authors", tuple(active.authors))
    venue_marks = ", ".join(["%s"] * len(active.venues)) or "NULL"
    if parts["venues"] is parts["awards"] is parts["authors"]:
        # One sample for every facet (a search alone): its pairs sent and
        # read once, not three times (up to three 1,000-id arrays more to
        # parse: 4.4 -> 4.1 ms for a sample of 700-900 papers).
        samples_sql = f"""in_venues (id, venue_id) AS ({parts["venues"][0]}),
        in_awards AS (SELECT * FROM in_venues),
        in_authors AS (SELECT * FROM in_venues)"""
        params = list(parts["venues"][1])
    else:
        samples_sql = f"""in_venues (id, venue_id) AS ({parts["venues"][0]}),
        in_awards (id, venue_id) AS ({parts["awards"][0]}),
        in_authors (id, venue_id) AS ({parts["authors"][0]})"""
        params = [*(value for facet in FACETS for value in parts[facet][1])]
    sql = f"""
        WITH {samples_sql},
        authors AS (
            SELECT a.person_id, COUNT(*) AS n FROM {Authorship._meta.db_table} a
            WHERE a.paper_id IN (SELECT id FROM in_authors) GROUP BY a.person_id
        ), {ctes}
        SELECT 'venues', v.slug, v.name, s.n, 1 FROM (
            SELECT venue_id, COUNT(*) AS n FROM in_venues WHERE venue_id IS NOT NULL
            GROUP BY venue_id
        ) s JOIN {venues} v ON v.id = s.venue_id
        UNION ALL
        SELECT 'awards', w.slug, w.name, s.n, 1 FROM (
            SELECT award_id, COUNT(*) AS n FROM {paper_awards}
            WHERE paper_id IN (SELECT id FROM in_awards) GROUP BY award_id
        ) s JOIN {awards} w ON w.id = s.award_id
        UNION ALL
        SELECT 'active_venues', slug, name, 0, 0 FROM {venues} WHERE slug IN ({venue_marks})
        UNION ALL
        SELECT 'active_awards', slug, name, 0, 0 FROM {awards} WHERE slug = %s
        UNION ALL
        SELECT 'authors', t.* FROM ({select}) t
        ORDER BY 1, 5, 4 DESC, 3, 2
    """
    params += [limit - 1, *active.authors, *active.venues, active.award]
    with connection.cursor() as cursor:
        # The same text for every search of these active filters' shape:
        # prepared, its plan is kept (core.prepared).
        prepared.execute(cursor, sql, params)
        rows = cursor.fetchall()
    result = {facet: [] for facet in (*FACETS, "active_venues", "active_awards")}
    for facet, slug, name, n, _ in rows:
        result[facet].append((slug, name, n))
    result["authors"] = _first_of_each(result["authors"], limit)
    return result


def person_totals(person, limit: int):
    """A person's papers per year ({year: papers}, None: without a year), the
    `limit` venues with most of them as (slug, name, papers), most papers
    first, then by name, and the number of venues she has papers in. One
    query over the kept totals (migration 0018): a row a year, the shown
    venues read by the (person, papers) index, most frequent first, and
    the venues counted on that index (the most prolific author has
    hundreds of venues, and 1,301 (venue, year) cells)."""
    years, mine, venues = PERSON_YEARS, PERSON_VENUES, Venue._meta.db_table
    sql = f"""
        SELECT 'year', NULL, NULL, year_key, papers FROM {years}
        WHERE person_id = %(person)s AND papers <> 0
        UNION ALL
        SELECT 'count', NULL, NULL, 0, (
            SELECT COUNT(*) FROM {mine} WHERE person_id = %(person)s AND papers > 0
        ) - (
            SELECT COUNT(*) FROM {mine}
            WHERE person_id = %(person)s AND venue_key = {NONE} AND papers > 0
        )
        UNION ALL
        SELECT * FROM (
            SELECT 'venue', v.slug, v.name, 0, c.papers
            FROM {mine} c JOIN {venues} v ON v.id = c.venue_key
            WHERE c.person_id = %(person)s AND c.papers > 0 AND c.papers >= COALESCE((
                SELECT papers FROM {mine} WHERE person_id = %(person)s AND venue_key <> {NONE}
                ORDER BY papers DESC LIMIT 1 OFFSET %(cut)s), 1)
            ORDER BY c.papers DESC, v.name, v.slug LIMIT %(limit)s
        ) AS shown
    """
    per_year, shown, venue_count = {}, [], 0
    with connection.cursor() as cursor:
        cursor.execute(sql, {"person": person.pk, "cut": limit - 1, "limit": limit})
        for kind, slug, name, year, n in cursor.fetchall():
            if kind == "year":
                per_year[year or None] = n
            elif kind == "count":
                venue_count = n
            else:
                shown.append((slug, name, n))
    return per_year, sorted(shown, key=lambda row: (-row[2], row[1], row[0])), venue_count


def _grouped(columns: int) -> str:
    """GROUP BY the first `columns` columns, the rows in that order: the kept
    tables' primary keys, which take rows in key order faster (a bulk load
    writes them all at once)."""
    numbers = ", ".join(str(n) for n in range(1, columns + 1))
    return f"GROUP BY {numbers} ORDER BY {numbers}"


def recount_statements(vendor: str | None = None) -> list[str]:
    """SQL that recounts the kept tables from the catalog, from scratch (on
    `vendor`'s SQL, the default connection's unless given). The per-person
    years and venues are summed from the person cells just counted, which
    hold the same authorships: one join of authorships and papers, not three
    (a bulk import recounts a whole catalog this way, catalog.importer.bulkload)."""
    papers, authorships = Paper._meta.db_table, Authorship._meta.db_table
    paper_awards = Paper.awards.through._meta.db_table
    return [
        *(f"DELETE FROM {table}" for table in KEPT_TABLES),
        f"INSERT INTO {MONTH_CELLS} (year_key, month_key, papers) "
        f"SELECT COALESCE(year, {NONE}), {MONTH_KEY[vendor or connection.vendor]}, COUNT(*) "
        f"FROM {papers} {_grouped(2)}",
        f"INSERT INTO {PAPER_CELLS} (venue_key, year_key, papers) "
        f"SELECT COALESCE(venue_id, {NONE}), COALESCE(year, {NONE}), COUNT(*) FROM {papers} "
        f"{_grouped(2)}",
        f"INSERT INTO {AWARD_CELLS} (award_id, venue_key, year_key, papers) "
        f"SELECT pa.award_id, COALESCE(p.venue_id, {NONE}), COALESCE(p.year, {NONE}), COUNT(*) "
        f"FROM {paper_awards} pa JOIN {papers} p ON p.id = pa.paper_id {_grouped(3)}",
        f"INSERT INTO {PERSON_COUNTS} (person_id, papers) "
        f"SELECT person_id, COUNT(*) FROM {authorships} {_grouped(1)}",
        f"INSERT INTO {PERSON_CELLS} (person_id, venue_key, year_key, papers) "
        f"SELECT a.person_id, COALESCE(p.venue_id, {NONE}), COALESCE(p.year, {NONE}), COUNT(*) "
        f"FROM {authorships} a JOIN {papers} p ON p.id = a.paper_id {_grouped(3)}",
        f"INSERT INTO {VENUE_TOTALS} (venue_key, papers) "
        f"SELECT COALESCE(venue_id, {NONE}), COUNT(*) FROM {papers} {_grouped(1)}",
        f"INSERT INTO {PERSON_YEARS} (person_id, year_key, papers) "
        f"SELECT person_id, year_key, SUM(papers) FROM {PERSON_CELLS} {_grouped(2)}",
        f"INSERT INTO {PERSON_VENUES} (person_id, venue_key, papers) "
        f"SELECT person_id, venue_key, SUM(papers) FROM {PERSON_CELLS} {_grouped(2)}",
        *(
            f"INSERT INTO {ROW_COUNTS} (name, n) SELECT '{table}', COUNT(*) FROM {table}"
            for table in (Person._meta.db_table, Venue._meta.db_table)
        ),
        _venue_runs_sql(),
    ]


def _venue_runs_sql() -> str:
    """The running totals from the (venue, year) cells just counted: each
    venue's (and all papers') running sum over the years that have papers,
    the rows that count none left out (a missing row reads as 0)."""
    dated = f"year_key <> {NONE} AND papers <> 0"
    return f"""
        INSERT INTO {VENUE_RUNS} (venue_key, year_key, papers)
        SELECT venue_key, year_key, papers FROM (
            SELECT v.venue_key, y.year_key, SUM(COALESCE(c.papers, 0)) OVER (
                PARTITION BY v.venue_key ORDER BY y.year_key) AS papers
            FROM (SELECT venue_key FROM {PAPER_CELLS} WHERE {dated}
                UNION SELECT {ALL_VENUES}) v
            CROSS JOIN (SELECT DISTINCT year_key FROM {PAPER_CELLS} WHERE {dated}) y
            LEFT JOIN (
                SELECT venue_key, year_key, papers FROM {PAPER_CELLS} WHERE {dated}
                UNION ALL SELECT {ALL_VENUES}, year_key, SUM(papers) FROM {PAPER_CELLS}
                WHERE {dated} GROUP BY year_key
            ) c ON c.venue_key = v.venue_key AND c.year_key = y.year_key
        ) runs WHERE papers <> 0 ORDER BY 1, 2"""


def differences() -> list[str]:
    """How the kept counts differ from counting the catalog (empty when exact),
    one line per differing row."""
    kept = {table: _rows(table, keys) for table, keys in KEPT_TABLES.items()}
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in recount_statements():
            cursor.execute(statement)
        counted = {table: _rows(table, keys) for table, keys in KEPT_TABLES.items()}
        transaction.set_rollback(True)
    lines = []
    for table in KEPT_TABLES:
        for key in sorted(set(kept[table]) | set(counted[table])):
            if kept[table].get(key) != counted[table].get(key):
                lines.append(
                    f"{table} {key}: kept {kept[table].get(key, 0)}, "
                    f"counted {counted[table].get(key, 0)}"
                )
    return lines


def _rows(table: str, keys: str) -> dict:
    counted = "n" if table == ROW_COUNTS else "papers"
    sql = f"SELECT {keys}, {counted} FROM {table} WHERE {counted} <> 0"
    if table == VENUE_RUNS:
        sql = _run_steps_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}


def _run_steps_sql() -> str:
    """The papers of each (venue, year) as the running totals count them
    (the step from the table's year before; a missing row reads as 0),
    where not 0: what two tables of running totals must agree on, whatever
    years without papers either keeps (migration 0026)."""
    return f"""
        SELECT * FROM (
            SELECT v.venue_key, y.year_key,
                COALESCE(cur.papers, 0) - COALESCE(prev.papers, 0) AS papers
            FROM (SELECT DISTINCT venue_key FROM {VENUE_RUNS}) v
            CROSS JOIN (
                SELECT year_key, LAG(year_key) OVER (ORDER BY year_key) AS previous
                FROM {VENUE_RUNS} WHERE venue_key = {ALL_VENUES}
            ) y
            LEFT JOIN {VENUE_RUNS} cur
                ON cur.venue_key = v.venue_key AND cur.year_key = y.year_key
            LEFT JOIN {VENUE_RUNS} prev
                ON prev.venue_key = v.venue_key AND prev.year_key = y.previous
        ) steps WHERE papers <> 0"""


def recount() -> None:
    """Recount the kept tables (after a restore that skipped triggers)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in recount_statements():
            cursor.execute(statement)
