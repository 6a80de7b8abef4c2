"""Search on PostgreSQL: the stored vectors (catalog.search.index), their GIN
indexes, and relevance ranked over the top of the index, never every match.

Relevance, best first, in four segments:

1. the head window: the newest RANK_WINDOW papers with every word in the
   title or the author names (`head_vector`, small and GIN-indexed), ranked:
   every word in the title first, then by ts_rank_cd over the head vector
   (title A > authors B, and cover density: "language model" as a phrase
   beats the two words far apart), then newest;
2. the other head matches, newest first;
3. the rest window: the newest RANK_WINDOW of the remaining matches (some
   word only in the abstract), ranked by ts_rank_cd over the whole vector;
4. the other remaining matches, newest first.

Each segment is read in index order (newest first) and stops after what the
page needs, so a page of "model" (every paper at 100,000) reads a few
hundred rows, not 100,000: ranking every match read every match's 1.7 KB
vector (about a second). A tier of up to RANK_WINDOW papers, that is
most searches, is ranked whole. `relevance()` gives the same order as a
per-row expression (`rank`), for the page's own rows.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.expressions import ExpressionWrapper, RawSQL
from django.db.models.functions import Cast

from catalog.search.index import SEARCH_CONFIG
from catalog.search.text import Unaccent

# How many papers of each tier are ranked (newest first); the rest of the
# tier follows newest first. A page of a search of common words reads about
# this many rows per tier it touches.
RANK_WINDOW = 100
# ts_rank_cd weights {D, C, B, A}: abstract C, author names B, title A.
WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# ts_rank_cd normalization 32: rank / (rank + 1), a score in [0, 1), so that
# tier + score is one sort key.
NORMALIZATION = 32

# The tiers of `rank` (tier + a score in [0, 1)).
HEAD_WINDOW, HEAD_WINDOW_TITLE, HEAD_REST, REST_WINDOW, REST = 4, 5, 3, 1, 0


def search_query(words: list[str]) -> SearchQuery:
    """Every word (plainto_tsquery: words only, never operators; stop words dropped)."""
    return SearchQuery(Unaccent(Value(" ".join(words))), config=SEARCH_CONFIG)


def title_query(words: list[str]) -> SearchQuery:
    """Every word, in the title (weight A): `to_tsquery('english', 'w1:A & w2:A')`.
    The words are query_words() (letters, digits, underscores), never operators."""
    text = " & ".join(f"{word}:A" for word in words)
    return SearchQuery(Unaccent(Value(text)), config=SEARCH_CONFIG, search_type="raw")


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
        Value(float(REST_WINDOW)) + _score("search_vector", words), output_field=FloatField()
    )


class Segments:
    """The four segments of a search's relevance order (module docstring).
    `searched`: the papers matching the search and the other filters;
    `unsearched`: the same without the search filter (the head tier implies
    the search, and skipping it skips reading every candidate's whole
    vector)."""

    def __init__(self, searched, unsearched, words: list[str], order_by):
        self.words, self.order_by = words, order_by
        query = search_query(words)
        self.head = unsearched.filter(head_vector=query)
        self.rest = searched.exclude(head_vector=query)

    def window(self, tier):
        return tier.order_by(*self.order_by).values("pk")[:RANK_WINDOW]

    def rank(self):
        """The per-row sort key (higher first; ties newest first)."""
        is_head = Q(head_vector=search_query(self.words))
        return Case(
            When(is_head & Q(pk__in=self.window(self.head)), then=_head_key(self.words)),
            When(is_head, then=Value(float(HEAD_REST))),
            When(pk__in=self.window(self.rest), then=_rest_key(self.words)),
            default=Value(float(REST)),
            output_field=FloatField(),
        )

    def ranked_window(self, tier, key):
        model = tier.model
        return (
            model._base_manager.filter(pk__in=self.window(tier))
            .annotate(_key=key)
            .order_by(F("_key").desc(), *self.order_by)
            .values("pk")
        )

    def page_ids(self, bottom: int, top: int) -> RawSQL:
        """The ids of rows bottom..top in relevance order, as one statement: a
        UNION ALL of the segments, each cut to the page. Its LIMIT stops the
        later segments from running once the earlier ones fill the page, so
        the head tier is counted (to place the rest after it) only when the
        page reaches past it, that is when it is small."""
        branches, params = [], []
        head_window = self.ranked_window(self.head, _head_key(self.words))
        for queryset, low, high in (
            (head_window, bottom, min(top, RANK_WINDOW)),
            (self.head.order_by(*self.order_by).values("pk"), max(bottom, RANK_WINDOW), top),
        ):
            if low < high:
                sql, branch_params = _sql(queryset[low:high])
                if sql:
                    branches.append(f"({sql})")
                    params += list(branch_params)
        # The rest's positions start after the head tier's H papers.
        start = f"GREATEST(0, {bottom} - (SELECT n FROM head_count))"
        end = f"({top} - (SELECT n FROM head_count))"
        after = f"GREATEST({RANK_WINDOW}, {start})"
        rest_window = self.ranked_window(self.rest, _rest_key(self.words))
        for queryset, offset, limit in (
            (rest_window, start, f"GREATEST(0, LEAST({end}, {RANK_WINDOW}) - {start})"),
            (
                self.rest.order_by(*self.order_by).values("pk"),
                after,
                f"GREATEST(0, {end} - {after})",
            ),
        ):
            sql, branch_params = _sql(queryset)
            if sql:
                branches.append(f"({sql} LIMIT {limit} OFFSET {offset})")
                params += list(branch_params)
        count_sql, count_params = _sql(self.head.order_by().values("pk"))
        if not branches or count_sql is None:
            return RawSQL("SELECT NULL::bigint WHERE false", [])
        return RawSQL(
            f"WITH head_count AS MATERIALIZED (SELECT COUNT(*) AS n FROM ({count_sql}) AS head) "
            f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS page LIMIT {top - bottom}",
            [*count_params, *params],
        )


def _sql(queryset):
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing
        return None, []
