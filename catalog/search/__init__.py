"""Searching papers: one meaning, two engines, one API.

What a search means, on both databases: every word of the query (letters
and digits; English stop words left out) must occur in the title, the
author names or the abstract, stemmed ("models" finds "model") and without
accents or case ("laurencon" finds "Laurençon").

Relevance, best first: every word in the title; then every word in the
title or the author names; then the rest (some word only in the abstract).
Within each, a score that weighs title > authors > abstract, then newest
first. On PostgreSQL the score is ts_rank_cd, which also weighs how close
the words are, computed over the top of the index only (postgres.py); on
SQLite it is FTS5's bm25() over the whole result (sqlite.py).

* Each paper stores `author_names`, its authors' names and name variants as
  one text (denormalised: searching through the authorship and alias joins
  would multiply rows and cannot be indexed). Writers refresh it through
  `Paper.objects.filter(...).refresh_search_index()` (the importer, the
  admin and the merge services call it), which on PostgreSQL also
  recomputes the stored vectors (index.py): `search_vector` (title A,
  author names B, abstract C) and `head_vector` (title and author names
  only, a few hundred bytes), each GIN-indexed. Triggers copy each paper's
  search vector, venue, year and date into a narrow table
  (catalog.models.SearchRow, migration 0019), which a search's facet
  pools read (estimate.py). On SQLite, triggers copy the three texts into
  an FTS5 table (migration 0012).
* Modules: text.py (query words, accent folding), index.py (the stored
  fields and their refresh), postgres.py and sqlite.py (matching and
  ranking). Views, selectors and the API use only what this module exports;
  estimate.py (how many papers a search matches, read up to a bound and
  estimated beyond it) serves catalog.facets.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from django.db.models import Expression, FloatField, Value

from catalog.search import postgres, sqlite
from catalog.search.index import (
    SEARCH_CONFIG,
    author_names_by_paper,
    author_names_sql,
    for_ascii_text,
    head_vector_expression,
    join_author_names,
    name_variants,
    refresh_search_index,
    search_fields_update,
    search_vector_expression,
)
from catalog.search.text import (
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
    Fold,
    Unaccent,
    filter_folded_contains,
    fold,
    folded,
    query_words,
    register_sqlite_functions,
    uses_postgres,
)

__all__ = [
    "MAX_QUERY_LENGTH",
    "MAX_QUERY_WORDS",
    "SEARCH_CONFIG",
    "Fold",
    "Unaccent",
    "annotate_rank",
    "author_names_by_paper",
    "author_names_sql",
    "filter_folded_contains",
    "filter_search",
    "fold",
    "folded",
    "for_ascii_text",
    "head_vector_expression",
    "join_author_names",
    "name_variants",
    "query_words",
    "refresh_search_index",
    "register_sqlite_functions",
    "relevance_page_rows",
    "search_fields_update",
    "search_vector_expression",
    "uses_postgres",
]

# `rank` values (tier + a score in [0, 1)): every word in the title, every
# word in the title or the author names, the rest.
TITLE_TIER = postgres.HEAD_WINDOW_TITLE
HEAD_TIER = postgres.HEAD_WINDOW
REST_TIER = postgres.REST_RANKED


def filter_search(queryset, q: str):
    """Papers matching every word of `q` (none when `q` has only stop words)."""
    words = query_words(q)
    if not words:
        return queryset
    if uses_postgres():
        return postgres.filter_search(queryset, words)
    return sqlite.filter_search(queryset, words)


def annotate_rank(queryset, q: str, *, order_by, unsearched=None):
    """`queryset` (filtered by the search `q`) with `rank`: order by it, higher
    first, then by `order_by` (newest first, the tie-break). `unsearched`: the
    same filters without the search (PostgreSQL reads the head tier from it;
    default: `queryset`)."""
    words = query_words(q)
    if not words:
        return queryset.annotate(rank=Value(float(REST_TIER), output_field=FloatField()))
    if uses_postgres():

        def rank():
            segments = postgres.Segments(
                queryset, queryset if unsearched is None else unsearched, words, order_by
            )
            return segments.rank()

        # Built only when a query selects or orders by it: the list reads its
        # pages segment by segment (relevance_page_rows()), and the ranking
        # expression (subqueries compiled to SQL) cost a few milliseconds of
        # Python on every search page that never ran it.
        return queryset.annotate(rank=BuiltWhenCompiled(rank, FloatField()))
    return queryset.annotate(rank=sqlite.rank(words, (TITLE_TIER, HEAD_TIER, REST_TIER)))


class BuiltWhenCompiled(Expression):
    """The expression `build()` returns, built (once) and resolved against the
    query only when that query is compiled to SQL. It may not join: it is
    resolved while the query is being compiled."""

    def __init__(self, build, output_field):
        super().__init__(output_field=output_field)
        self.build = build
        self.built = None

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        return self.copy()

    def as_sql(self, compiler, connection):
        if self.built is None:
            self.built = self.build()
        resolved = self.built.resolve_expression(compiler.query, allow_joins=False)
        return compiler.compile(resolved)


def relevance_page_rows(
    searched,
    unsearched,
    q: str,
    bottom: int,
    top: int,
    *,
    total: int,
    rows_from,
    order_by,
    ids=None,
):
    """Rows bottom..top of `searched` (`total` papers) in relevance order, read
    from `rows_from` (what a list row shows), without ranking every match
    (PostgreSQL only: see postgres.py). `order_by`: the tie-break (newest
    first). `ids`: every match's id, when the caller knows them."""
    words = query_words(q)
    segments = postgres.PageSQL.of(unsearched, words, order_by, total)
    if segments is None:  # filters that join: built from the querysets
        segments = postgres.Segments(searched, unsearched, words, order_by, total)
    if ids is not None and bottom == 0 and len(ids) <= min(top, postgres.RANK_WINDOW):
        # Every match is on this page, ranked whole by rank(): read by id,
        # without the segments' statement (its planning alone cost more
        # than reading a few rows).
        rows = rows_from.filter(pk__in=ids)
    elif bottom < postgres.RANK_WINDOW < top:
        # Its rank tests the head window, a subquery whose plan depends on
        # the words: read with the segments in one statement.
        rows = rows_from.filter(pk__in=segments.page_ids(bottom, top))
    else:
        # The page's ids first, then its rows by them: the rows' read is
        # then the one kept prepared for reads by ids (catalog.paper_rows),
        # where its joins and subqueries were planned again with the
        # segments' on every page. The ids come in relevance order (the
        # statement's LIMIT keeps its segments' rows in their order too):
        # put in it here, not ranked again by the database, the rows' read
        # is every list's by ids, without the ranking's expression and the
        # querysets that carried it (~0.4 ms of a search page's Python).
        listed = postgres.listed(segments.page_ids(bottom, top), rows_from.db)
        return InListedOrder(rows_from.filter(pk__in=listed), listed)
    return rows.annotate(rank=segments.rank(bottom, top)).order_by("-rank", *order_by)


class InListedOrder(Sequence):
    """The rows of `queryset` (read by the ids `ids`, each with its `pk`) in
    the order of `ids`, read when first used: a page's rows."""

    def __init__(self, queryset, ids: list):
        self.queryset, self.ids = queryset, ids

    @cached_property
    def rows(self) -> list:
        place = {pk: index for index, pk in enumerate(self.ids)}
        return sorted(self.queryset, key=lambda row: place[row.pk])

    def __getitem__(self, index):
        return self.rows[index]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)
