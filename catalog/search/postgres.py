"""Search on PostgreSQL: the stored vectors (catalog.search.index), their GIN
indexes, and relevance ranked over the top of the index, never every match.

Relevance, best first, in four segments:

1. the head window: the newest RANK_WINDOW papers with every word in the
   title or the author names (`head_vector`, small and GIN-indexed), ranked:
   every word in the title first, then by ts_rank_cd over the head vector
   (title A > authors B, and cover density: "language model" as a phrase
   beats the two words far apart), then newest;
2. the other head matches, newest first;
3. the rest (some word only in the abstract), newest first.

A search with at most RANK_WINDOW matches, that is most searches, is ranked
whole: the rest too, by ts_rank_cd over the whole vector.

Each segment is read in index order (newest first) or whole when small,
and stops after what the page needs: a page of "model" (every paper at
100,000) reads a few hundred rows, where ranking every match read every
match's 1.7 KB vector (about a second). `Segments.rank()` is the same order
as a per-row expression. A page is read through `PageSQL`, the same
statement written as SQL around the filters' WHERE clause (compiled once),
unless the filters join another table; `Segments` builds it from querysets.
"""

from __future__ import annotations

import datetime
import json
import math

from django.apps import apps
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, Case, F, Field, FloatField, Func, Q, Value, When
from django.db.models.expressions import ExpressionWrapper, OrderBy, RawSQL
from django.db.models.functions import Cast

from catalog.query_shapes import over_own_table_only
from catalog.search import planner_stats
from catalog.search.index import SEARCH_CONFIG
from catalog.search.text import Unaccent

# How many of the head tier's newest papers are ranked (the rest of it
# follows newest first), and how few matches a search ranked whole has.
RANK_WINDOW = 100
# A search with at most this many matches reads each segment whole and sorts it.
SORTED_ROWS = 2000
# Pages ending within this many results may read the rest tier from the search
# rows (PageSQL._narrow_rest()): the head ids it leaves out are then always a
# small hashed set (a NOT IN over a set too big to hash scans it for every row).
NARROW_REST_UP_TO = 2000
# ts_rank_cd weights {D, C, B, A}: abstract C, author names B, title A.
WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# ts_rank_cd normalization 32: rank / (rank + 1), a score in [0, 1), so that
# tier + score is one sort key.
NORMALIZATION = 32

# The tiers of `rank` (tier + a score in [0, 1)).
HEAD_WINDOW_TITLE, HEAD_WINDOW, HEAD_REST, REST_RANKED, REST = 5, 4, 3, 1, 0


def unaccented(text: str):
    """`text` without accents, as an expression: unaccent(text), or the text
    alone when it is ASCII, which unaccent leaves as it is (its rules map no
    ASCII character; the words of a search are folded already, so almost
    always). The tsquery of a constant is then a constant, computed once
    while planning; unaccent() is only STABLE, so a tsquery over it was
    computed again for every row a filter, CASE or ts_rank_cd tested
    (a common word's rows query: ~10 -> ~5 ms of execution)."""
    return Value(text) if text.isascii() else Unaccent(Value(text))


def unaccented_sql(text: str) -> str:
    """unaccented() as SQL around one parameter (`text`'s)."""
    return "%s" if text.isascii() else "unaccent(%s)"


def search_query(words: list[str]) -> SearchQuery:
    """Every word (plainto_tsquery: words only, never operators; stop words dropped)."""
    return SearchQuery(unaccented(" ".join(words)), config=SEARCH_CONFIG)


def title_query(words: list[str]) -> SearchQuery:
    """Every word, in the title (weight A): `to_tsquery('english', 'w1:A & w2:A')`.
    The words are query_words() (letters, digits, underscores), never operators."""
    text = " & ".join(f"{word}:A" for word in words)
    return SearchQuery(unaccented(text), config=SEARCH_CONFIG, search_type="raw")


def filter_search(queryset, words: list[str]):
    return queryset.filter(search_vector=search_query(words))


def _score(vector: str, words: list[str]):
    rank = SearchRank(
        F(vector),
        search_query(words),
        weights=WEIGHTS,
        normalization=NORMALIZATION,
        cover_density=True,
    )
    return Cast(rank, FloatField())


def _head_key(words: list[str]):
    """A head-window paper's place: every word in the title, then ts_rank_cd."""
    in_title = Case(
        When(head_vector=title_query(words), then=Value(float(HEAD_WINDOW_TITLE))),
        default=Value(float(HEAD_WINDOW)),
        output_field=FloatField(),
    )
    return ExpressionWrapper(in_title + _score("head_vector", words), output_field=FloatField())


def _rest_key(words: list[str]):
    return ExpressionWrapper(
        Value(float(REST_RANKED)) + _score("search_vector", words), output_field=FloatField()
    )


class Segments:
    """The segments of a search's relevance order (module docstring).
    `searched`: the papers matching the search and the other filters;
    `unsearched`: the same without the search filter (the head tier implies
    the search, and skipping it skips reading every candidate's whole
    vector); `total`: the number of matches, when the caller knows it."""

    def __init__(self, searched, unsearched, words: list[str], order_by, total=None):
        self.words, self.order_by = words, order_by
        # Few matches: each segment is read whole and sorted (a bitmap scan
        # of the GIN indexes), never by walking the sort index, which for a
        # rare word the planner may misjudge into reading the whole table.
        self.read_order = (
            unindexed(order_by) if total is not None and total <= SORTED_ROWS else order_by
        )
        self.is_head = Q(head_vector=search_query(words))
        self.head = unsearched.filter(self.is_head)
        # The head tier of a search with many matches can still be small
        # (a word common in abstracts, rare in titles): then collecting it
        # beats walking the sort index past every paper without it.
        self.head_order = self.read_order
        if self.read_order is order_by and total is not None and self._head_is_sparse(unsearched):
            self.head_order = unindexed(order_by)
        self.rest = searched.exclude(self.is_head)
        self.searched, self.total = searched, total

    def _head_is_sparse(self, unsearched) -> bool:
        """Whether the head tier's newest RANK_WINDOW papers cost less to
        collect (every head match, from the GIN index) than to walk to (the
        sort index, testing each paper's head vector): head_walk_is_cheaper()
        with the planner's estimates (one EXPLAIN, no execution)."""
        catalog = unsearched.model._base_manager.all()
        head, papers, papers_in_catalog = planned_rows([self.head, unsearched, catalog])
        if head is None:
            return False
        return not head_walk_is_cheaper(head, papers, papers_in_catalog, RANK_WINDOW)

    def head_window(self):
        return self.head.order_by(*self.head_order).values("pk")[:RANK_WINDOW]

    def ranked_whole(self):
        """Whether the search has at most RANK_WINDOW matches, and so is ranked
        whole: True or False when the total is known, else a SQL test that
        counts up to one more, never further."""
        if self.total is not None:
            return self.total <= RANK_WINDOW
        sql, params = _sql(self.searched.order_by().values("pk")[: RANK_WINDOW + 1])
        if sql is None:
            return True
        return RawSQL(
            f"(SELECT COUNT(*) FROM ({sql}) AS matches) <= {RANK_WINDOW}",
            params,
            output_field=BooleanField(),
        )

    def rank(self, bottom: int | None = None, top: int | None = None):
        """The per-row sort key, higher first, ties newest first. For the rows
        of page bottom..top only, when given: a page inside the head window,
        or past it, needs no test of which head papers the window holds."""
        if top is not None and top <= RANK_WINDOW:
            head = [When(self.is_head, then=_head_key(self.words))]
        elif bottom is not None and bottom >= RANK_WINDOW:
            head = [When(self.is_head, then=Value(float(HEAD_REST)))]
        else:
            head = [
                When(self.is_head & Q(pk__in=self.head_window()), then=_head_key(self.words)),
                When(self.is_head, then=Value(float(HEAD_REST))),
            ]
        whole, rest, default = self.ranked_whole(), [], Value(float(REST))
        if whole is True:
            default = _rest_key(self.words)
        elif whole is not False:
            rest = [When(whole, then=_rest_key(self.words))]
        return Case(*head, *rest, default=default, output_field=FloatField())

    def page_ids(self, bottom: int, top: int) -> RawSQL:
        """The ids of rows bottom..top in relevance order, as one statement: a
        UNION ALL of the segments, each cut to the page. Its LIMIT stops the
        later segments from running once the earlier ones fill the page, so
        the head tier is counted (to place the rest after it) only when the
        page reaches past it, that is when it is small. Needs the total."""
        branches, params = [], []
        head_window = (
            self.head.model._base_manager.filter(pk__in=self.head_window())
            .annotate(_key=_head_key(self.words))
            .order_by(F("_key").desc(), *self.order_by)
            .values("pk")
        )
        for queryset, low, high in (
            (head_window, bottom, min(top, RANK_WINDOW)),
            (self.head.order_by(*self.head_order).values("pk"), max(bottom, RANK_WINDOW), top),
        ):
            if low < high:
                sql, branch_params = _sql(queryset[low:high])
                if sql:
                    branches.append(f"({sql})")
                    params += list(branch_params)
        # The rest's positions start after the head tier's H papers; a
        # constant LIMIT inside lets the planner walk the sort index.
        if self.ranked_whole():
            rest = self.rest.annotate(_key=_rest_key(self.words))
            rest = rest.order_by(F("_key").desc(), *self.order_by).values("pk")
        else:
            rest = self.rest.order_by(*self.read_order).values("pk")[:top]
        sql, rest_params = _sql(rest)
        if sql:
            start = f"GREATEST(0, {bottom} - (SELECT n FROM head_count))"
            limit = f"GREATEST(0, {top} - (SELECT n FROM head_count) - {start})"
            branches.append(f"(SELECT * FROM ({sql}) AS rest LIMIT {limit} OFFSET {start})")
            params += list(rest_params)
        count_sql, count_params = _sql(self.head.order_by().values("pk"))
        if not branches or count_sql is None:
            return RawSQL("SELECT NULL::bigint WHERE false", [])
        return RawSQL(
            f"WITH head_count AS MATERIALIZED (SELECT COUNT(*) AS n FROM ({count_sql}) AS head) "
            f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS page LIMIT {top - bottom}",
            [*count_params, *params],
        )


# What ranking the head window reads of each paper (PageSQL.head_key, the order).
WINDOW_COLUMNS = ("id", "head_vector", "published_on", "year")
# PageSQL._order()'s SQL by model, database and order.
_COMPILED_ORDERS: dict[tuple, str] = {}


class PageSQL:
    """Segments' page_ids() and rank() written as SQL text around the filters'
    WHERE clause, compiled once: building and compiling the segments'
    querysets (the head tier three times, the ranking expressions twice)
    cost about 9 ms of Python a search page, more than running them. The
    same statements, so the same rows in the same order.

    For papers filtered on their own table only (no join): of() answers None
    otherwise (several venues by slug join the venues), and the caller uses
    Segments."""

    def __init__(
        self,
        model,
        where: str,
        params: list,
        words: list[str],
        order_by,
        total: int,
        using: str = DEFAULT_DB_ALIAS,
    ):
        # The database's own connection, not the default one's proxy (each
        # of whose attributes is looked up in a context-local).
        self.connection = connections[using]
        self.model, self.table = model, self.connection.ops.quote_name(model._meta.db_table)
        self.where, self.where_params = where, list(params)
        self.total, self.words = total, words
        t = self.table
        self.plain_params = [SEARCH_CONFIG, " ".join(words)]
        self.plain = plain = (
            f"plainto_tsquery(%s::regconfig, {unaccented_sql(self.plain_params[1])})"
        )
        title_params = [SEARCH_CONFIG, " & ".join(f"{word}:A" for word in words)]
        title = f"to_tsquery(%s::regconfig, {unaccented_sql(title_params[1])})"
        self.head = (f"{t}.head_vector @@ {plain}", self.plain_params)
        self.search = (f"{t}.search_vector @@ {plain}", self.plain_params)
        self.head_key, self.rest_key = self._keys(plain, title, title_params)
        # rank()'s, each tsquery computed once a statement (a scalar subquery):
        # the rows' read is prepared, and its generic plan computed them
        # again for every row, three times each.
        plain, title = f"(SELECT {plain})", f"(SELECT {title})"
        self.rank_head = (f"{t}.head_vector @@ {plain}", self.plain_params)
        self.rank_head_key, self.rank_rest_key = self._keys(plain, title, title_params)
        self.newest_by = order_by
        self.newest = self._order(order_by)
        self.read_order = self.newest
        if total <= SORTED_ROWS:
            self.read_order = self._order(order_by, sorted_whole=True)
        self.head_order = self.read_order
        self.catalog_rows = None  # the planner's, known when _head_is_sparse() asked
        if total > SORTED_ROWS and self._head_is_sparse():
            self.head_order = self._order(order_by, sorted_whole=True)

    def _keys(self, plain: str, title: str, title_params: list) -> tuple[tuple, tuple]:
        """The head window's and the rest's sort keys, (SQL, params) each,
        around the tsqueries `plain` (every word) and `title` (in the title)."""
        weights = "'{" + ",".join(str(w) for w in WEIGHTS) + "}'::float4[]"

        def score(vector):
            return (
                f"(ts_rank_cd({weights}, {self.table}.{vector}, {plain}, {NORMALIZATION}))"
                "::double precision"
            )

        head_key = (
            f"(CASE WHEN {self.table}.head_vector @@ {title} "
            f"THEN {float(HEAD_WINDOW_TITLE)}::float8 "
            f"ELSE {float(HEAD_WINDOW)}::float8 END + {score('head_vector')})",
            [*title_params, *self.plain_params],
        )
        rest_key = (f"({float(REST_RANKED)}::float8 + {score('search_vector')})", self.plain_params)
        return head_key, rest_key

    @classmethod
    def of(cls, unsearched, words, order_by, total: int):
        """The PageSQL of `unsearched` (the filters without the search), or
        None when its query is not over its own table alone."""
        query = unsearched.query
        if not over_own_table_only(query) or query.extra or query.combinator:
            return None
        compiler = query.get_compiler(using=unsearched.db)
        try:
            where, params = compiler.compile(query.where)
        except FullResultSet:
            where, params = "", []
        except EmptyResultSet:
            where, params = "FALSE", []
        return cls(unsearched.model, where, params, words, order_by, total, unsearched.db)

    def _order(self, order_by, sorted_whole: bool = False) -> str:
        """`order_by` as SQL; `sorted_whole`: as unindexed() writes it."""
        # The same few orders on every search page: compiled once each (the
        # ORM's resolving and compiling cost ~0.7 ms of a page's Python).
        key = (self.model._meta.label, self.connection.vendor, sorted_whole)
        key += tuple(e.identity for e in order_by)
        sql = _COMPILED_ORDERS.get(key)
        if sql is None:
            compiled = unindexed(order_by) if sorted_whole else order_by
            sql = _COMPILED_ORDERS[key] = self._compile_order(compiled)
        return sql

    def _compile_order(self, order_by) -> str:
        query = self.model._base_manager.all().query
        compiler = query.get_compiler(connection=self.connection)
        parts = []
        for expression in order_by:
            sql, params = compiler.compile(expression.resolve_expression(query))
            assert not params
            parts.append(sql)
        return ", ".join(parts)

    def _select(
        self, *conditions, order: str = "", low: int = 0, high: int | None = None, columns=("id",)
    ):
        """(SQL, params): the ids (or `columns`) of the papers of the filters
        and `conditions` ((sql, params) each), in `order`, rows low..high."""
        where = [self.where] if self.where else []
        params = list(self.where_params)
        for sql, condition_params in conditions:
            where.append(sql)
            params += condition_params
        text = f"SELECT {', '.join(f'{self.table}.{c}' for c in columns)} FROM {self.table}"
        if where:
            text += " WHERE " + " AND ".join(f"({part})" for part in where)
        if order:
            text += f" ORDER BY {order}"
        if high is not None:
            text += f" LIMIT {high - low}"
        if low:
            text += f" OFFSET {low}"
        return text, params

    def _head_is_sparse(self) -> bool:
        """Segments._head_is_sparse(), from one EXPLAIN of the same SQL, or
        for a search alone from the planner's statistics (planner_stats)."""
        if not self.where:
            rows = self._head_rows_alone()
            if rows is not None:
                self.catalog_rows = rows[2]
                return not head_walk_is_cheaper(*rows, RANK_WINDOW)
        head, _ = self._select(self.head)
        papers, _ = self._select()
        sql = (
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM ({head}) AS b0 UNION ALL "
            f"SELECT 1 FROM ({papers}) AS b1 UNION ALL SELECT 1 FROM {self.table}"
        )
        params = [*self.where_params, *self.plain_params, *self.where_params]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            plan = cursor.fetchone()[0]
        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
        rows = [node.get("Plan Rows") for node in plan.get("Plans", [])]
        if plan.get("Node Type") != "Append" or len(rows) != 3 or rows[0] is None:
            return False
        self.catalog_rows = rows[2]
        return not head_walk_is_cheaper(rows[0], rows[1], rows[2], RANK_WINDOW)

    def _head_rows_alone(self) -> tuple[float, float, float] | None:
        """The planner's head matches, papers and catalog rows of a search
        with no other filter, as its EXPLAIN would say (None: unknown)."""
        table = self.model._meta.db_table
        planned = planner_stats.planned_matches(self.connection, table, "head_vector", self.words)
        return None if planned is None else (*planned, planned[1])

    def _head_window(self, columns=("id",)):
        """The head tier's newest RANK_WINDOW rows (their `columns`): those
        ranked. Collected from a common head tier, they are read from the
        papers published since _window_floor() (a bitmap of the head's GIN
        index and of a range of the newest-first index, ANDed: a word in
        3,600 titles of 100,000 read ~500 papers, not 3,600: 6.8 -> 2.7 ms),
        and whole when those hold fewer than RANK_WINDOW: the same rows."""
        whole, whole_params = self._select(
            self.head, order=self.head_order, high=RANK_WINDOW, columns=columns
        )
        floor = self._window_floor()
        if floor is None:
            return whole, whole_params
        since = (f"{self.table}.published_on >= %s", [floor])
        floored, floored_params = self._select(
            self.head, since, order=self.head_order, high=RANK_WINDOW, columns=columns
        )
        names = ", ".join(columns)
        full = f"(SELECT COUNT(*) FROM floored) = {RANK_WINDOW}"
        return (
            f"WITH floored AS MATERIALIZED ({floored}) "
            f"SELECT {names} FROM floored WHERE {full} "
            f"UNION ALL SELECT {names} FROM ({whole}) AS whole WHERE NOT {full}",
            [*floored_params, *whole_params],
        )

    def _window_floor(self) -> datetime.date | None:
        """The first day of the month since which the catalog's dated papers
        are expected to hold FLOOR_MARGIN times the head window's matches,
        when its head tier is collected (not walked: a walk stops at the
        window anyway), newest first, for a search alone (the month counts
        are the catalog's), and that is under a quarter of the dated
        papers; else None. Dated papers sort before undated ones, so when
        RANK_WINDOW head matches are dated since the floor they are the
        newest RANK_WINDOW; the head's share is the planner's (a wrong one
        only reads more or fewer papers, never other rows)."""
        # estimate.py reads this module's unindexed(): imported here.
        from catalog.search.estimate import FLOOR_MARGIN

        if self.where or self.head_order == self.newest or not _newest_first(self.newest_by):
            return None
        rows = self._head_rows_alone()
        if rows is None:
            return None
        head, papers, _ = rows
        months = planner_stats.dated_months(self.connection)
        need = math.ceil(FLOOR_MARGIN * RANK_WINDOW * max(papers, 1) / max(head, 1))
        if 4 * need > sum(papers for _, papers in months):
            return None
        return newest_date_floor(months, need)

    def page_ids(self, bottom: int, top: int) -> RawSQL:
        """Segments.page_ids() (the same statement's structure)."""
        branches, params = [], []
        if bottom < min(top, RANK_WINDOW):
            # The window's rows carry what ranking them reads, under the
            # table's name (so the key and the order read them as they are
            # written): not read again by id.
            window, window_params = self._head_window(columns=WINDOW_COLUMNS)
            key, key_params = self.head_key
            low, high = bottom, min(top, RANK_WINDOW)
            sql = (
                f"SELECT {self.table}.id FROM ({window}) AS {self.table} "
                f"ORDER BY {key} DESC, {self.newest} LIMIT {high - low}"
            )
            if low:
                sql += f" OFFSET {low}"
            branches.append(f"({sql})")
            params += [*window_params, *key_params]
        if max(bottom, RANK_WINDOW) < top:
            sql, branch_params = self._select(
                self.head, order=self.head_order, low=max(bottom, RANK_WINDOW), high=top
            )
            branches.append(f"({sql})")
            params += branch_params
        head, head_params = self.head
        not_head = (f"NOT ({head} AND {self.table}.head_vector IS NOT NULL)", head_params)
        narrow = self._narrow_rest(top)
        if narrow is not None:
            rest, rest_params = narrow
        elif self.total <= RANK_WINDOW:
            key, key_params = self.rest_key
            rest, rest_params = self._select(
                self.search, not_head, order=f"{key} DESC, {self.newest}"
            )
            rest_params += key_params
        else:
            rest, rest_params = self._select(self.search, not_head, order=self.read_order, high=top)
        start = f"GREATEST(0, {bottom} - (SELECT n FROM head_count))"
        limit = f"GREATEST(0, {top} - (SELECT n FROM head_count) - {start})"
        branches.append(f"(SELECT * FROM ({rest}) AS rest LIMIT {limit} OFFSET {start})")
        params += rest_params
        # The head tier's ids, read (whole) only when the rest is: counted,
        # and left out of a rest read from the search rows (_narrow_rest()),
        # from one scan that the planner estimates once.
        head_sql, head_params = self._select(self.head)
        return RawSQL(
            f"WITH head AS MATERIALIZED ({head_sql}), "
            "head_count AS MATERIALIZED (SELECT COUNT(*) AS n FROM head) "
            f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS page LIMIT {top - bottom}",
            [*head_params, *params],
        )

    def _narrow_rest(self, top: int) -> tuple[str, list] | None:
        """The rest tier's ids in page_ids()'s order, read from the narrow
        search rows (catalog.models.SearchRow) instead of the papers: the
        same vector, date, year and id, a tenth of the heap pages (a rest of
        1,660 matches read 1,480 of the papers' pages, 20 ms). The head
        matches are left out by id (a hashed NOT IN page_ids()'s `head`: the
        rest is read only when the head tier ends before the page does, so
        at most `top` of them, and `top` is at most NARROW_REST_UP_TO). For
        a search without other filters: collected whole and sorted, or, when
        that costs more (catalog.search.estimate.walk_is_cheaper() at a
        search row's cost: a common word, whose first `top` are soon found),
        walked along the search rows' newest-first index (migration 0028),
        each row's vector tested (a rest of 5,350 matches among 100,000:
        3.1 ms collected, 1.6 walked; of 3,700: 2.5 and 0.3). None
        otherwise: the filters are the papers' SQL."""
        order = _search_row_order(self.newest_by, self.connection)
        if self.where or order is None or top > NARROW_REST_UP_TO:
            return None
        if self.total > RANK_WINDOW and self._rest_walk_is_cheaper(top):
            # Their newest-first index (migration 0028), testing each row's
            # vector on the way: the planner's order, not unindexed().
            order = _search_row_order(self.newest_by, self.connection, indexed=True)
        rows = self.connection.ops.quote_name(apps.get_model("catalog", "SearchRow")._meta.db_table)
        plain = self.plain
        sql = (
            f"SELECT {rows}.paper_id FROM {rows} WHERE {rows}.search_vector @@ {plain} "
            # page_ids()'s CTE: all of them when the rest is read (fewer than `top`).
            f"AND {rows}.paper_id NOT IN (SELECT id FROM head)"
        )
        params = list(self.plain_params)
        if self.total <= RANK_WINDOW:
            key = self.rest_key[0].replace(f"{self.table}.search_vector", f"{rows}.search_vector")
            return f"{sql} ORDER BY {key} DESC, {order}", [*params, *self.rest_key[1]]
        return f"{sql} ORDER BY {order} LIMIT {top}", params

    def _rest_walk_is_cheaper(self, top: int) -> bool:
        """Whether walking the search rows' newest-first index to the rest
        tier's `top` newest beats collecting its matches (about all `total`
        of them: it is read when the head tier is short of `top`) and
        sorting them: estimate.walk_is_cheaper() at a search row's cost."""
        # estimate.py reads this module's unindexed(): imported here.
        from catalog.search.estimate import SEARCH_ROW_WALK_COST, walk_is_cheaper

        catalog = self.catalog_rows
        if catalog is None:
            table = apps.get_model("catalog", "SearchRow")._meta.db_table
            stats = planner_stats.vector_stats(self.connection, table, "search_vector")
            if stats is None:
                return False
            catalog = stats.rows
        return walk_is_cheaper(self.total, catalog, catalog, top, SEARCH_ROW_WALK_COST)

    def rank(self, bottom: int, top: int) -> RawSQL:
        """Segments.rank(bottom, top), as SQL over the row's own columns."""
        head, head_params = self.rank_head
        key, key_params = self.rank_head_key
        if self.total <= RANK_WINDOW:
            default, default_params = self.rank_rest_key
        else:
            default, default_params = f"{float(REST)}::float8", []
        if top <= RANK_WINDOW:
            whens = [(f"WHEN {head} THEN {key}", [*head_params, *key_params])]
        elif bottom >= RANK_WINDOW:
            whens = [(f"WHEN {head} THEN {float(HEAD_REST)}::float8", head_params)]
        else:
            window, window_params = self._head_window()
            in_window = f"{head} AND {self.table}.id IN ({window})"
            whens = [
                (f"WHEN {in_window} THEN {key}", [*head_params, *window_params, *key_params]),
                (f"WHEN {head} THEN {float(HEAD_REST)}::float8", head_params),
            ]
        sql = "CASE " + " ".join(w for w, _ in whens) + f" ELSE {default} END"
        params = [p for _, when_params in whens for p in when_params] + default_params
        # A plain Field: every branch is float8, which psycopg gives as a
        # float already, and a value without a converter lets the rows'
        # read run the statement kept for its shape (catalog.paper_rows).
        return RawSQL(sql, params, output_field=Field())


# Head-tier papers per heap page of the papers' table (migration 0017), the
# cost of sorting one collected match, and of passing one paper on the walk,
# in pages: head_walk_is_cheaper().
PAPERS_PER_PAGE = 15
MATCH_COST = 0.4
WALK_PAPER_COST = 2


def head_walk_is_cheaper(head: float, papers: float, catalog: float, limit: int) -> bool:
    """Whether walking the newest-first index to the newest `limit` of `head`
    matches among `papers` (of a catalog of `catalog`) costs less than
    collecting them all. Pure. The walk reads a page per paper it passes
    (limit / rate of them), in index order, and tests its head vector:
    WALK_PAPER_COST pages' worth each. Collecting reads each page holding a
    match (PAPERS_PER_PAGE to a page, spread over the table) in table order
    and sorts every match (MATCH_COST each). At 100,000 papers a word in 2%
    of titles passed 5,500 papers on the walk (56 ms), where collecting its
    1,800 matches reads ~1,600 pages. At 1,000,000, "language model
    training" (7,880 head matches) passed 14,000 papers on the walk in
    183 ms, where collecting them took 57 ms: a passed paper costs about
    two collected pages, not one."""
    walk = WALK_PAPER_COST * limit * max(papers, 1) / max(head, 1)
    pages = max(min(papers, catalog / PAPERS_PER_PAGE), 1)
    collect = pages * -math.expm1(-head / pages) + MATCH_COST * head
    return walk < collect


def planned_rows(querysets) -> list[float | None]:
    """The planner's estimate of each queryset's rows (None: unknown), from
    one EXPLAIN of them all, not executed."""
    branches, params = [], []
    for queryset in querysets:
        sql, branch_params = _sql(queryset.order_by().values("pk"))
        if sql is None:
            return [None] * len(querysets)
        branches.append(f"SELECT 1 FROM ({sql}) AS b{len(branches)}")
        params += list(branch_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + " UNION ALL ".join(branches), params)
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    rows = [node.get("Plan Rows") for node in plan.get("Plans", [])]
    if plan.get("Node Type") != "Append" or len(rows) != len(querysets):
        return [None] * len(querysets)
    return rows


def newest_date_floor(months: list[tuple[int, int]], papers: int) -> datetime.date | None:
    """The first day of the newest month by which `months` ((YYYYMM,
    papers) newest first) count at least `papers`; None when they never
    do. Pure."""
    seen = 0
    for month, count in months:
        seen += count
        if seen >= papers:
            return datetime.date(month // 100, month % 100, 1)
    return None


def _newest_first(order_by) -> bool:
    """Whether `order_by` is the papers' newest-first order (NEWEST_ORDER)."""
    from catalog.models import NEWEST_ORDER

    return [e.identity for e in order_by] == [e.identity for e in NEWEST_ORDER]


# The search rows' columns of the papers' fields a newest-first order uses.
_SEARCH_ROW_COLUMNS = {"published_on": "published_on", "year": "year", "id": "paper_id"}


def _search_row_order(order_by, connection, indexed: bool = False) -> str | None:
    """`order_by` (fields of the papers) over the search rows' columns, as
    unindexed() writes it (read whole and sorted), or as the columns
    themselves (`indexed`: an index may serve it), quoted for `connection`;
    None when it sorts by another field."""
    table = connection.ops.quote_name(apps.get_model("catalog", "SearchRow")._meta.db_table)
    parts = []
    for expression in order_by:
        column = _SEARCH_ROW_COLUMNS.get(getattr(expression.expression, "name", None))
        if column is None:
            return None
        nulls = " NULLS LAST" if expression.nulls_last else ""
        nulls = " NULLS FIRST" if expression.nulls_first else nulls
        direction = "DESC" if expression.descending else "ASC"
        value = f"{table}.{column}" if indexed else f"({table}.{column} + 0)"
        parts.append(f"{value} {direction}{nulls}")
    return ", ".join(parts)


def unindexed(order_by):
    """The same order, as expressions no index serves (`(year + 0)`): the
    planner then reads the (few) matches through the GIN indexes and sorts."""
    return [
        OrderBy(
            Func(e.expression, template="(%(expressions)s + 0)"),
            descending=e.descending,
            nulls_first=e.nulls_first,
            nulls_last=e.nulls_last,
        )
        for e in order_by
    ]


def listed(ids: RawSQL, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """The ids that `ids` (a page_ids() statement) selects, in its order, read
    from the database `using` (the rows' queryset's)."""
    with connections[using].cursor() as cursor:
        cursor.execute(ids.sql, ids.params)
        return [row[0] for row in cursor.fetchall()]


def _sql(queryset):
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing
        return None, []
