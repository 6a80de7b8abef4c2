"""How many papers a search matches, per year, without reading every match.

A common word matches most of the catalog ("model": 99,999 of 100,000
papers), and counting its matches, or grouping them by year, reads every
one of them (half a second). So the papers of a search (with the other
filters) are read only up to a bound, in one query: the newest ones, in
LATEST_YEARS_ORDER (an index range read backwards, which stops early),
at most `limit` rows (read_newest()). When there are at most EXACT_UP_TO
of them (catalog.facets), those rows are all of them and every count is
exact. Otherwise the counts are estimated (estimate_years()), and the
pages say "about".

The estimate, from the newest SAMPLE matches and the counts the database
keeps (catalog.counts: exact papers per venue and year, whoever writes):

1. Ordered by year (papers without a year first), then date, then id, the
   sample holds every match of each year newer than the oldest year y0 it
   reaches: those years' counts are exact.
2. The part of the catalog the sample covers — the papers, under the same
   filters without the search, of those newer years, and of y0 down to the
   sample's last paper — holds C papers, of which the SAMPLE matched: the
   match rate there is r = SAMPLE / C. C comes from the kept counts per
   year (or one grouped query of the filtered papers when the filters are
   not venue and year alone) and one count of y0's papers down to the
   sample's last one (an index range of one year).
3. The rest of y0 and each older year are estimated as r times their
   papers; y0 adds its matches in the sample.

It assumes a word is about as frequent in older papers as in the newest
ones: for a word whose use grows over time, the older years are
overestimated. Estimates are rounded to two significant digits (rounded()).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Count, F, Q, Subquery, Value
from django.db.models.functions import Coalesce

from catalog import counts
from catalog.query_shapes import ShapeStatements, filters_and_order_only, over_own_table_only
from catalog.search import planner_stats
from catalog.search.index import SEARCH_CONFIG
from catalog.search.postgres import unindexed

# The order samples are taken in: the latest years first, as the oldest-first
# indexes (catalog migrations 0005, 0014) read backwards, so a year range, a
# venue or both are sampled from an index range without sorting them.
LATEST_YEARS_ORDER = (
    F("year").desc(nulls_first=True),
    F("published_on").desc(nulls_first=True),
    F("pk").desc(),  # the paper's id (a search row's is its paper's)
)
# Pages a walk reads per paper it passes (its TOASTed vector); search rows
# per heap page, which collecting matches reads (catalog.models.SearchRow:
# about 110); and the cost of scanning and of sorting one collected match,
# in pages (a top-N sort of 60,000 matches costs more than reading their
# 900 pages): walk_is_cheaper().
WALK_COST = 5
# A walk of the search rows' own year index (walks()) costs about one
# collected page a row passed, not WALK_COST: measured at 100,000 papers
# (median of 5, warm), the newest 250 of a word in 20-38% of them walked in
# 2.7-5.1 ms and collected in 9-14 ms; in 11% walked in 11.1 and collected
# in 11.8 (in 9%: 25.8 and 13.1); the newest 1,001 of a word in 61% walked
# in 7.6 and collected in 43, in 42% 13.5 and 17.7, in 25% 19.2 and 15.0.
SEARCH_ROW_WALK_COST = 1
ROWS_PER_PAGE = 110
SCAN_COST = 0.05
MATCH_COST = 0.4
# Collected matches are sorted only from the years expected to hold this
# many times those needed: year_floor_offset().
FLOOR_MARGIN = 3
# Marks the covered papers of the sample's oldest year in the counts query.
_PARTIAL = -1


def rounded(n: float) -> int:
    """An estimate rounded to two significant digits (98,437 -> 98,000)."""
    n = round(n)
    if n < 100:
        return n
    return round(n, 2 - len(str(n)))


@dataclass(frozen=True)
class Newest:
    """The newest papers of a pool, in LATEST_YEARS_ORDER: (id, venue id,
    year, published_on) each."""

    rows: list[tuple]
    # The limit the rows were read up to when smaller than the pools' usual
    # one (read_newest()'s `quick`): then as many rows may not be all of them.
    cut_at: int | None = None

    @property
    def ids(self) -> list[int]:
        return [row[0] for row in self.rows]

    def years(self, size: int | None = None) -> Counter:
        return Counter(row[2] for row in self.rows[:size])


def read_newest(
    pools: dict, limit: int, *, quick: tuple[float, int] | None = None, planned=None
) -> dict:
    """At most `limit` papers of each of `pools` (name -> (queryset, the same
    without the search)), newest years first, as Newest by name: one query
    for all of them (and on PostgreSQL one EXPLAIN: walks()), and a second
    for a pool whose year floor (year_floor_offset()) left it short.

    `quick` (matches, smaller limit): a pool the planner expects at least
    `matches` matches of is read only up to the smaller limit (its Newest
    then says so: `cut_at`). The querysets may be given as ShapedPool;
    `planned`: planned_rows() of them when already read."""
    pools = {name: (shaped(pool), shaped(unsearched)) for name, (pool, unsearched) in pools.items()}
    if quick is not None and planned is None:
        planned = planned_rows(list(pools.values()))
    limits = [limit] * len(pools)
    if planned is not None:
        rows, _ = planned
        limits = [quick[1] if matches >= quick[0] else limit for matches, _ in rows]
    plans = walks(list(pools.values()), limits, planned)
    found = _read(list(pools.values()), limits, plans)
    short = [
        index
        for index, (_, floor) in enumerate(plans)
        if floor is not None and len(found[index]) < limits[index]
    ]
    if short:
        again = _read(
            [list(pools.values())[i] for i in short],
            [limits[i] for i in short],
            [(False, None)] * len(short),
        )
        for position, index in enumerate(short):
            found[index] = again[position]
    return {
        name: Newest(found[index], cut_at=limits[index] if limits[index] < limit else None)
        for index, name in enumerate(pools)
    }


def _read(pools: list[tuple], limits: list[int], plans: list[tuple]) -> dict[int, list[tuple]]:
    """Rows (id, venue id, year, date) of each pool (ShapedPool pairs) by its
    index, at most its limit, read as its plan says (walk or collect, and
    the year floor): one query."""
    branches = []
    for index, ((pool, unsearched), (walk, floor), limit) in enumerate(
        zip(pools, plans, limits, strict=True)
    ):
        order = LATEST_YEARS_ORDER if walk else unindexed(LATEST_YEARS_ORDER)

        def newest(queryset, order=order, limit=limit):
            columns = ("pk", "venue_id", "year", "published_on")
            return queryset.order_by(*order).values_list(*columns)[:limit]

        try:
            if floor is None:
                sql, pool_params = _same_shape_sql(pool, ("newest", walk, limit), newest)
            else:
                # The year of the pool's floor-th newest paper, searched or not.
                kth = unsearched.queryset.order_by(F("year").desc(nulls_first=True))
                floor_year = Coalesce(Subquery(kth.values("year")[floor : floor + 1]), Value(0))
                floored = pool.queryset.filter(Q(year__isnull=True) | Q(year__gte=floor_year))
                sql, pool_params = newest(floored).query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing
            continue
        branches.append((index, sql, pool_params))
    found = {index: [] for index in range(len(pools))}
    if len(branches) == 1:
        # One pool (a search alone): its rows in its statement's own order,
        # as they come (no union sorted again, no index column to strip
        # from each of up to 1,001 rows).
        index, sql, params = branches[0]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT newest.* FROM ({sql}) AS newest", params)
            found[index] = cursor.fetchall()
    elif branches:
        union = " UNION ALL ".join(
            f"SELECT {index}, newest.* FROM ({sql}) AS newest" for index, sql, _ in branches
        )
        with connection.cursor() as cursor:
            cursor.execute(union + _LATEST_FIRST, [p for *_, params in branches for p in params])
            # Each row is (index, id, venue id, year, date): the slice is the
            # row's tuple (a star-unpacked list sliced and made a tuple again
            # cost 0.4 ms of a search page's Python for its 1,001 rows).
            for row in cursor.fetchall():
                found[row[0]].append(row[1:])
    return found


# A UNION's rows keep no order: sorted by the database, each pool's rows in
# LATEST_YEARS_ORDER (sorting 1,001 rows in Python with a key function cost
# ~0.5 ms of a search page's Python). Columns: index, id, venue id, year, date.
_LATEST_FIRST = " ORDER BY 1, 4 DESC NULLS FIRST, 5 DESC NULLS FIRST, 2 DESC"


def planned_rows(pools: list[tuple]) -> tuple[list[tuple[float, float]], float] | None:
    """The planner's estimates of each (searched, unsearched) pool's matches
    and papers (querysets or ShapedPool), and of the catalog's papers: one
    EXPLAIN, not executed. None on SQLite or when unknown."""
    if connection.vendor != "postgresql" or not pools:
        return None
    alone = _planned_alone(pools)
    if alone is not None:
        return alone
    branches, params = [], []
    for searched, unsearched in pools:
        for pool in (searched, unsearched):
            try:
                sql, branch_params = _same_shape_sql(pool, ("pks",), _ids)
            except EmptyResultSet:
                return None
            branches.append(f"SELECT 1 FROM ({sql}) AS b{len(branches)}")
            params += list(branch_params)
    catalog = pools[0][1].model._meta.db_table
    branches.append(f'SELECT 1 FROM "{catalog}"')
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + " UNION ALL ".join(branches), params)
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    rows = [node.get("Plan Rows", 0) for node in plan.get("Plans", [])]
    if plan.get("Node Type") != "Append" or len(rows) != len(branches):
        return None
    *rows, catalog_rows = rows
    return list(zip(rows[::2], rows[1::2], strict=True)), catalog_rows


def count_matches(pool) -> int:
    """The number of papers of `pool` (a queryset or ShapedPool): one count,
    which reads every match but sorts none (a word in 9% of 100,000 papers:
    7.5 ms, where its newest 1,001 took 15.5)."""
    try:
        sql, params = _same_shape_sql(pool, ("pks",), _ids)
    except EmptyResultSet:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS matches", params)
        return cursor.fetchone()[0]


def _planned_alone(pools: list[tuple]) -> tuple[list[tuple[float, float]], float] | None:
    """planned_rows() of pools that are each a search with no other filter
    (search_alone()'s), from the planner's statistics without asking it
    (catalog.search.planner_stats: the same numbers); None otherwise."""
    estimates = []
    for searched, unsearched in pools:
        # Its words are set when the unsearched pool is the whole table.
        words = getattr(searched, "words", None)
        if words is None:
            return None
        table = searched.model._meta.db_table
        planned = planner_stats.planned_matches(connection, table, "search_vector", words)
        if planned is None or table != unsearched.model._meta.db_table:
            return None
        estimates.append(planned)
    return estimates, estimates[0][1]


def _ids(queryset):
    return queryset.order_by().values("pk")


# The SQL of the pools' reads by the shape of their filters (_same_shape_sql()).
_SHAPES = ShapeStatements()


class ShapedPool:
    """A pool's papers as its WHERE (SQL, parameters), compiled once a request
    (each of its reads compiled it again), and its queryset, built only for
    a read not kept by shape (_same_shape_sql()). `where` when already known:
    then the queryset is not even built for a kept read (SearchFacets'
    pools of a search alone)."""

    def __init__(
        self, model, build, where: tuple[str, list] | None = None, words: list[str] | None = None
    ):
        self.model, self._build, self._where = model, build, where
        # The words of a search with no other filter (search_alone()).
        self.words = words

    @classmethod
    def of(cls, queryset) -> ShapedPool:
        return cls(queryset.model, lambda: queryset)

    @cached_property
    def queryset(self):
        return self._build()

    @cached_property
    def _shape(self) -> tuple[str, list] | None:
        """(WHERE SQL, parameters), None when its reads are not kept by shape
        (a join, or more than filters), or EmptyResultSet (it matches
        nothing)."""
        if self._where is not None:
            return self._where
        query = self.queryset.query
        if not over_own_table_only(query) or not filters_and_order_only(query) or query.is_sliced:
            return None
        try:
            where, params = query.get_compiler(connection=connection).compile(query.where)
        except FullResultSet:
            where, params = "", []
        except EmptyResultSet as empty:
            return empty
        return where, list(params)

    def shape(self) -> tuple[str, list] | None:
        """_shape, raising EmptyResultSet when the pool matches nothing."""
        shape = self._shape
        if isinstance(shape, EmptyResultSet):
            raise EmptyResultSet
        return shape


def shaped(pool) -> ShapedPool:
    """`pool` (a queryset or a ShapedPool) as a ShapedPool."""
    return pool if isinstance(pool, ShapedPool) else ShapedPool.of(pool)


# The WHERE of a search alone, by the pools' model and whether its text is
# ASCII (else unaccent() around it): search_alone().
_SEARCH_ALONE: dict[tuple, str] = {}


def search_alone(model, words: list[str], searched, unsearched) -> tuple[ShapedPool, ShapedPool]:
    """The pools (ShapedPool) of a search of `words` and no other filter, over
    `model`: its WHERE is the same text for every search but its words, and
    no WHERE without it, so neither of its querysets (`searched()`,
    `unsearched()`) is built nor compiled for a read kept by shape. The
    text is kept from the first search compiled (PostgreSQL: the words are
    its one parameter after the configuration's)."""
    text = " ".join(words)
    key = (connection.vendor, model._meta.label, text.isascii())
    params = [SEARCH_CONFIG, text]
    where = _SEARCH_ALONE.get(key)
    if where is not None:
        return (
            ShapedPool(model, searched, (where, params), words),
            ShapedPool(model, unsearched, ("", [])),
        )
    pools = ShapedPool(model, searched), ShapedPool(model, unsearched)
    try:
        shapes = [pool.shape() for pool in pools]
    except EmptyResultSet:
        return pools
    if shapes[0] is not None and shapes[0][1] == params and shapes[1] == ("", []):
        _SEARCH_ALONE[key] = shapes[0][0]
        pools[0].words = words
    return pools


def _same_shape_sql(pool, kind: tuple, build, more_params=()) -> tuple[str, list]:
    """(SQL, params) of `build(queryset)`, a read of `pool` (a ShapedPool or a
    queryset; `kind` names the read), compiled once per shape of its
    filters: two searches with the same filters but their words (different
    parameters, the same WHERE text) read with the same statement. Building
    and compiling each pool's reads through the ORM was ~2 ms of a search
    page's Python, its WHERE alone a tenth of that. Only for a query over
    its own table alone whose read takes its WHERE's parameters and then
    `more_params` (its own, which `kind` tells the shape of), and no others
    (checked when the statement is first built); anything else is compiled
    every time."""
    pool = shaped(pool)
    shape = pool.shape()
    if shape is None:
        return build(pool.queryset).query.sql_with_params()
    where, params = shape
    params = [*params, *more_params]
    key = (connection.vendor, pool.model._meta.label, kind, where)
    sql = _SHAPES.get(key)
    if sql is None:
        sql, built_params = build(pool.queryset).query.sql_with_params()
        if list(built_params) != params:
            return sql, built_params
        _SHAPES.keep(key, sql)
    return sql, params


def walks(pools: list[tuple], limits: list[int], planned=None) -> list[tuple[bool, int | None]]:
    """For each (searched, unsearched) pool, whether to read its newest
    `limits[i]` matches by walking the year index (True) rather than
    collecting every match from the GIN index and sorting them:
    walk_is_cheaper() with the planner's estimates (planned_rows(), or
    `planned` when already read), a search rows' walk at
    SEARCH_ROW_WALK_COST; and, collecting, from which of its newest
    papers on (year_floor_offset()). SQLite: always the walk (its FTS5 test
    does not read a vector)."""
    if planned is None:
        planned = planned_rows(pools)
    if planned is None:
        return [(True, None)] * len(pools)
    rows, catalog_rows = planned
    costs = [
        SEARCH_ROW_WALK_COST if shaped(pool).model._meta.label == "catalog.SearchRow" else WALK_COST
        for pool, _ in pools
    ]
    return [
        (True, None)
        if walk_is_cheaper(matches, papers, catalog_rows, limit, walk_cost=cost)
        else (False, year_floor_offset(matches, papers, limit))
        for (matches, papers), limit, cost in zip(rows, limits, costs, strict=True)
    ]


def year_floor_offset(matches: float, papers: float, limit: int) -> int | None:
    """Collecting a pool's matches, how many of its newest papers (searched
    or not) are expected to hold FLOOR_MARGIN times the `limit` matches
    needed: only the matches of their years (and without a year) are then
    sorted, a fraction of a common word's. None when that is more than a
    quarter of the pool: finding the floor reads that many index entries
    (20 ms for 50,000), and a word that rare has few matches to sort. Pure.
    A floor that leaves fewer than `limit` (the word is rarer in newer
    papers) is read again without it (read_newest())."""
    newest = math.ceil(FLOOR_MARGIN * limit * max(papers, 1) / max(matches, 1))
    return newest if newest < papers / 4 else None


def walk_is_cheaper(
    matches: float, papers: float, catalog_rows: float, limit: int, walk_cost: float = WALK_COST
) -> bool:
    """Whether walking the year index to the newest `limit` of `matches`
    among `papers` (a pool of a catalog of `catalog_rows` papers) costs less
    than collecting every match and sorting them. Pure.

    A walk tests the search vector of every paper it passes, and the vector
    is TOASTed: `walk_cost` pages for each of limit / rate papers (WALK_COST
    by default; 600 ms for a word in 9% of 100,000 papers; the search rows'
    SEARCH_ROW_WALK_COST). Collecting reads no vector, but every
    heap page holding a match: with ROWS_PER_PAGE search rows to a page,
    the expected number of distinct pages among the pool's, taken as spread
    over the whole table (a filter's papers are scattered: at most one a
    page); it scans every match (SCAN_COST each) and sorts those of the
    years above the floor (year_floor_offset(); MATCH_COST each). A pool
    filtered to a small part of the catalog sorts every match: the planner
    then reads it through the filter's index, testing each vector, where
    the floor does not help. Measured at 100,000 papers: the walk wins for
    a word in 60% of the catalog or more, and for a big venue's common
    word."""
    walk = walk_cost * limit * max(papers, 1) / max(matches, 1)
    pages = max(min(papers, catalog_rows / ROWS_PER_PAGE), 1)
    floored = papers >= catalog_rows / 2 and year_floor_offset(matches, papers, limit)
    sorted_matches = min(matches, FLOOR_MARGIN * limit) if floored else matches
    collect = (
        pages * -math.expm1(-matches / pages) + SCAN_COST * matches + MATCH_COST * sorted_matches
    )
    return walk < collect


@dataclass(frozen=True)
class YearEstimate:
    """Papers per year (None: without a year), the years whose count is an
    estimate, and the total (an estimate when any year is)."""

    years: dict[int | None, int]
    estimated: frozenset
    total: int


def exact_years(newest: Newest) -> YearEstimate:
    """The counts of a pool read whole."""
    years = dict(newest.years())
    return YearEstimate(years, frozenset(), sum(years.values()))


def estimate_years(
    sample_years: Counter, oldest, catalog_years: dict, covered_in_oldest: int
) -> YearEstimate:
    """The module docstring's estimate: `sample_years`, matches per year in
    the sample; `oldest`, the oldest year it reaches (y0); `catalog_years`,
    the papers per year under the same filters without the search;
    `covered_in_oldest`, those of y0 down to the sample's last paper. Pure."""
    newer = [year for year in catalog_years if _newer(year, oldest)]
    covered = sum(catalog_years[year] for year in newer) + covered_in_oldest
    size = sum(sample_years.values())
    rate = size / max(covered, size, 1)
    years, estimated = {}, set()
    for year, papers in catalog_years.items():
        if _newer(year, oldest):
            n = sample_years.get(year, 0)
        else:
            rest = papers - covered_in_oldest if year == oldest else papers
            n = sample_years.get(year, 0) + rounded(rate * max(rest, 0))
            estimated.add(year)
        if n:
            years[year] = n
    for year, n in sample_years.items():  # kept counts a step behind: never below the sample
        years[year] = max(years.get(year, 0), n)
    total = sum(years.values())
    return YearEstimate(years, frozenset(estimated), rounded(total) if estimated else total)


def _newer(year, oldest) -> bool:
    """Whether `year` comes before `oldest` in LATEST_YEARS_ORDER."""
    if year is None:
        return oldest is not None
    return oldest is not None and year > oldest


def catalog_years(filterset, without: tuple[str, ...], newest: Newest, size: int, pool):
    """(papers per year, papers of the sample's oldest year down to its last
    paper) of `filterset`'s papers without the search and `without` (`pool`,
    a queryset or ShapedPool of them): one query. From the kept counts when
    they answer for the other filters."""
    active = filterset.active()
    unsearched = replace(
        active,
        search="",
        venues=() if "venue" in without else active.venues,
        award="" if "award" in without else active.award,
    )
    pool = shaped(pool)
    if counts.cells_answer(unsearched):
        per_year_sql, per_year_params = counts.year_counts_sql(unsearched)
    else:
        grouped = pool.queryset.order_by().values("year").annotate(n=Count("pk"))
        per_year_sql, per_year_params = grouped.values_list("year", "n").query.sql_with_params()
    *_, oldest, last_date = newest.rows[size - 1]
    down_to = _down_to(pool.model, oldest, last_date, newest.rows[size - 1][0])
    try:
        partial_sql, partial_params = _same_shape_sql(
            pool,
            ("partial", oldest is None, last_date is None),
            lambda queryset: queryset.order_by().filter(down_to[0]).values("pk"),
            down_to[1],
        )
    except EmptyResultSet:
        partial_sql, partial_params = "SELECT 1 WHERE 1 = 0", ()
    sql = (
        f"SELECT * FROM ({per_year_sql}) AS per_year UNION ALL "
        f"SELECT {_PARTIAL}, COUNT(*) FROM ({partial_sql}) AS partial"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*per_year_params, *partial_params])
        rows = cursor.fetchall()
    per_year, covered = {}, 0
    for year, n in rows:
        n = int(n)  # SUM() of the kept counts is a decimal on PostgreSQL
        if year == _PARTIAL:
            covered = n
        elif n:
            key = year or None  # the kept counts' "no year" is 0
            per_year[key] = per_year.get(key, 0) + n
    if "year" not in without and active.year:
        per_year = {active.year: per_year.get(active.year, 0)}
    return per_year, covered


def _down_to(model, year, published_on, pk) -> tuple[Q, list]:
    """Papers of `year` at or before the paper (`published_on`, `pk`) in
    LATEST_YEARS_ORDER (dates descending, papers without one first), and
    the parameters the filter adds to `model`'s query, as it compiles them."""

    def prepared(name, value):
        return model._meta.get_field(name).get_db_prep_value(value, connection)

    in_year = Q(year__isnull=True) if year is None else Q(year=year)
    params = [] if year is None else [prepared("year", year)]
    pk_param = model._meta.pk.get_db_prep_value(pk, connection)
    if published_on is None:
        return in_year & Q(published_on__isnull=True, pk__gte=pk), [*params, pk_param]
    later = Q(published_on__isnull=True) | Q(published_on__gt=published_on)
    down_to = in_year & (later | Q(published_on=published_on, pk__gte=pk))
    date = prepared("published_on", published_on)
    return down_to, [*params, date, pk_param, date]


def pool_years(filterset, without: tuple[str, ...], newest: Newest, unsearched, bounds):
    """The YearEstimate of the pool `newest` was read from (filterset's
    papers without `without`; `unsearched`: the same without the search):
    exact when it has at most `exact_up_to` papers. `bounds`: (exact_up_to,
    sample)."""
    exact_up_to, sample = bounds
    if len(newest.rows) <= exact_up_to:
        return exact_years(newest)
    size = min(sample, len(newest.rows))
    per_year, covered = catalog_years(filterset, without, newest, size, unsearched)
    oldest = newest.rows[size - 1][2]
    return estimate_years(newest.years(size), oldest, per_year, covered)
