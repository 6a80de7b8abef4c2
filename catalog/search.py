"""Searching papers: one meaning, two engines.

Design:

* Each paper stores `author_names`, its authors' names and name variants as
  one text (denormalised: searching through the authorship and alias joins
  would multiply rows and cannot be GIN-indexed), and, on PostgreSQL, a
  stored `search_vector`: title (weight A) > author names (B) > abstract (C).
  A stored column rather than an expression index because the vector spans
  a joined table (authors) and because a stored column keeps the query
  planner's job trivial; the price is that writers must refresh it, which
  they do through `Paper.objects.filter(...).refresh_search_index()` (the
  importer, the admin and the merge services call it).
* Accents and case: PostgreSQL folds with the `unaccent` extension (a
  trusted extension since PG 13, so the database owner may create it) on
  both the document and the query, so "laurencon" finds "Laurençon". On
  SQLite, `papershelf_fold()` — registered on each SQLite connection — does
  the same in Python.
* The SQLite fallback means the same on the seed catalog: every word must
  occur (as a substring, case- and accent-insensitively) in the title, the
  author names or the abstract.
* Relevance is three tiers, newest first within each: papers with
  every word in the title, then with every word in the title or the author
  names, then the rest (some word only in the abstract). Both engines rank
  alike. On PostgreSQL the tiers come from `head_vector` (title A + author
  names B, a few hundred bytes, GIN-indexed): ts_rank over the whole vector
  had to read every match's ~1.7 KB vector (about 90,000 for "model" at
  100,000 papers: 0.7-1 s a page), while each tier, newest first, is read in
  index order and stops after a page (tiered_page_ids()).
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import EmptyResultSet
from django.db import connection as default_connection
from django.db import connections
from django.db.models import Case, F, Func, IntegerField, Q, TextField, Value, When
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.functions import Lower

from core.slugs import _TRANSLITERATE

# Words beyond these are dropped: a search is a few words, not an essay, and
# an unbounded query would let one request make the database do unbounded work.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12
SEARCH_CONFIG = "english"

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """`text` without accents and case: "Laurençon" -> "laurencon"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def query_words(q: str) -> list[str]:
    """The folded words of a search, as the SQLite fallback and highlighting use them."""
    words = []
    for word in _WORD.findall(fold(q or "")):
        if word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


def register_sqlite_functions(sender, connection, **kwargs):
    """`connection_created` hook: give SQLite the fold function PostgreSQL gets from unaccent."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("papershelf_fold", 1, fold, deterministic=True)


class Fold(Func):
    function = "papershelf_fold"
    output_field = TextField()


class Unaccent(Func):
    function = "unaccent"
    output_field = TextField()


def uses_postgres(connection=None) -> bool:
    return (connection or default_connection).vendor == "postgresql"


def search_vector_expression():
    return (
        SearchVector(Unaccent(F("title")), weight="A", config=SEARCH_CONFIG)
        + SearchVector(Unaccent(F("author_names")), weight="B", config=SEARCH_CONFIG)
        + SearchVector(Unaccent(F("abstract")), weight="C", config=SEARCH_CONFIG)
    )


def head_vector_expression():
    """The title (A) and author names (B) only: see Paper.head_vector."""
    return SearchVector(Unaccent(F("title")), weight="A", config=SEARCH_CONFIG) + SearchVector(
        Unaccent(F("author_names")), weight="B", config=SEARCH_CONFIG
    )


def search_fields_update(model) -> dict:
    """update() keyword arguments that recompute the stored vectors from the row
    (`head_vector` only where the model has it: migration 0003's does not)."""
    values = {"search_vector": search_vector_expression()}
    if any(field.name == "head_vector" for field in model._meta.get_fields()):
        values["head_vector"] = head_vector_expression()
    return values


def _pg_query(q: str):
    return SearchQuery(Unaccent(Value(q)), config=SEARCH_CONFIG, search_type="websearch")


def _pg_title_query(words: list[str]):
    """Every word, in the title (weight A) only: `to_tsquery('english', 'w1:A & w2:A')`.
    The words are query_words() (letters, digits, underscores), never operators."""
    text = " & ".join(f"{word}:A" for word in words)
    return SearchQuery(Unaccent(Value(text)), config=SEARCH_CONFIG, search_type="raw")


# The tiers of relevance, best first (see the module docstring).
TITLE, HEAD, ELSEWHERE = 2, 1, 0


def filter_search(queryset, q: str):
    """Papers matching every word of `q`."""
    words = query_words(q)
    if not words:
        return queryset
    if uses_postgres():
        return queryset.filter(search_vector=_pg_query(" ".join(words)))
    condition = Q()
    for word in words:
        condition &= (
            Q(_fold_title__contains=word)
            | Q(_fold_authors__contains=word)
            | Q(_fold_abstract__contains=word)
        )
    return _with_folded(queryset).filter(condition)


def annotate_rank(queryset, q: str):
    """Add `rank` (higher is better): TITLE when every word is in the title, HEAD
    when every word is in the title or the author names, ELSEWHERE otherwise.
    Order by it, then newest first. On PostgreSQL, computing it for every match
    reads every match: page through tiered_page_ids(), which reads a page."""
    words = query_words(q)
    if not words:
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    if uses_postgres():
        rank = Case(
            When(head_vector=_pg_title_query(words), then=Value(TITLE)),
            When(head_vector=_pg_query(" ".join(words)), then=Value(HEAD)),
            default=Value(ELSEWHERE),
            output_field=IntegerField(),
        )
        return queryset.annotate(rank=rank)
    in_title, in_head = Q(), Q()
    for word in words:
        in_title &= Q(_fold_title__contains=word)
        in_head &= Q(_fold_title__contains=word) | Q(_fold_authors__contains=word)
    rank = Case(
        When(in_title, then=Value(TITLE)),
        When(in_head, then=Value(HEAD)),
        default=Value(ELSEWHERE),
        output_field=IntegerField(),
    )
    return _with_folded(queryset).annotate(rank=rank)


# A tier with at most this many papers is read whole and sorted (a bitmap scan
# of the GIN indexes); a bigger one is read in sort-index order, which stops
# after a page. Walking the index for a sparse tier would read most of the
# catalog to find its few rows (a rare word: 100,000 rows for 1).
SORTED_TIER_ROWS = 2000


def tiered_page_ids(queryset, q: str, order_by, bottom: int, top: int, tier_sizes, unsearched):
    """The ids of rows bottom..top of `queryset` (filtered by the search `q`) in
    relevance order — by tier, then `order_by` (newest first) — as a RawSQL
    subquery for `pk__in`. PostgreSQL only.

    `tier_sizes`: the number of results in each tier, best first (from the
    cached facet query, catalog.facets.count_facets()). Knowing them, each tier
    the page overlaps is read with its own ORDER BY … LIMIT … OFFSET, as a
    UNION ALL branch of one query, and the others not at all: the database
    never ranks every match.

    `unsearched`: `queryset` without the search filter. The first two tiers
    imply the search (the search vector holds the title and author names
    too, and query words carry no operators), so they are read from it: the
    search filter would read each candidate's ~1.7 KB search vector from
    the table (11 of 12 ms for a three-word search)."""
    words = query_words(q)
    title_query, head_query = _pg_title_query(words), _pg_query(" ".join(words))
    tiers = (
        unsearched.filter(head_vector=title_query),
        unsearched.filter(head_vector=head_query).exclude(head_vector=title_query),
        queryset.exclude(head_vector=head_query),
    )
    order_by = [_order_expression(item) for item in order_by]
    parts, params, start = [], [], 0
    for tier_queryset, size in zip(tiers, tier_sizes, strict=True):
        low, high = max(bottom, start), min(top, start + size)
        if low < high:
            order = order_by if size > SORTED_TIER_ROWS else _unindexed(order_by)
            offset = low - start
            branch = tier_queryset.order_by(*order).values_list("pk")
            try:
                sql, branch_params = branch[offset : offset + high - low].query.sql_with_params()
            except EmptyResultSet:  # a filter that can match nothing
                sql, branch_params = None, []
            if sql:
                parts.append(f"({sql})")
                params.extend(branch_params)
        start += size
    if not parts:
        return RawSQL("SELECT NULL::bigint WHERE false", [])
    return RawSQL(f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS page", params)


def _unindexed(order_by):
    """The same order, as expressions no index serves (`(year + 0)`): the planner
    then reads the (small) tier through the GIN indexes and sorts it."""
    return [
        OrderBy(
            Func(e.expression, template="(%(expressions)s + 0)", output_field=IntegerField()),
            descending=e.descending,
            nulls_first=e.nulls_first,
            nulls_last=e.nulls_last,
        )
        for e in order_by
    ]


def _order_expression(item):
    """`"-id"` or `F("year").desc()` as an OrderBy of a plain column."""
    if isinstance(item, str):
        return F(item[1:]).desc() if item.startswith("-") else F(item).asc()
    return item


def _with_folded(queryset):
    if "_fold_title" in queryset.query.annotations:
        return queryset
    return queryset.annotate(
        _fold_title=Fold(F("title")),
        _fold_authors=Fold(F("author_names")),
        _fold_abstract=Fold(F("abstract")),
    )


def author_names_by_paper(paper_ids, *, authorship_model, alias_model, using) -> dict[int, str]:
    """Each paper's authors' names and aliases, in author order, as one text."""
    names: dict[int, list[str]] = {pk: [] for pk in paper_ids}
    rows = (
        authorship_model.objects.using(using)
        .filter(paper_id__in=paper_ids)
        .order_by(F("position").asc(nulls_last=True), "id")
        .values_list("paper_id", "person_id", "person__name")
    )
    people_by_paper: dict[int, list[int]] = {}
    for paper_id, person_id, name in rows:
        names[paper_id].append(name)
        people_by_paper.setdefault(paper_id, []).append(person_id)
    person_ids = {pid for pids in people_by_paper.values() for pid in pids}
    aliases: dict[int, list[str]] = {}
    alias_rows = alias_model.objects.using(using).filter(person_id__in=person_ids)
    for person_id, alias in alias_rows.values_list("person_id", "name"):
        aliases.setdefault(person_id, []).append(alias)
    for paper_id, pids in people_by_paper.items():
        for pid in pids:
            names[paper_id].extend(aliases.get(pid, ()))
    return {pk: "; ".join(parts) for pk, parts in names.items()}


_PG_BATCH = 5000
# author_names_by_paper() in one statement: names in author order, then each
# author's name variants (by name), "; "-separated; "" for a paper without authors.
_PG_AUTHOR_NAMES_SQL = """
UPDATE catalog_paper p
SET author_names = COALESCE(s.names || COALESCE('; ' || s.aliases, ''), '')
FROM unnest(%(ids)s::bigint[]) AS ids(id)
LEFT JOIN (
    SELECT a.paper_id,
           string_agg(pe.name, '; ' ORDER BY a.position NULLS LAST, a.id) AS names,
           string_agg(al.names, '; ' ORDER BY a.position NULLS LAST, a.id) AS aliases
    FROM catalog_authorship a
    JOIN people_person pe ON pe.id = a.person_id
    LEFT JOIN (
        SELECT person_id, string_agg(name, '; ' ORDER BY name) AS names
        FROM people_personalias
        WHERE person_id IN (
            SELECT person_id FROM catalog_authorship WHERE paper_id = ANY(%(ids)s::bigint[])
        )
        GROUP BY person_id
    ) al ON al.person_id = a.person_id
    WHERE a.paper_id = ANY(%(ids)s::bigint[])
    GROUP BY a.paper_id
) s ON s.paper_id = ids.id
WHERE p.id = ids.id
"""


def refresh_search_index(queryset, *, authorship_model, alias_model, batch_size=500) -> int:
    """Recompute `author_names` (and on PostgreSQL `search_vector`) for `queryset`.

    A fixed number of queries per batch of papers, never one per paper. Works
    with migration-time historical models too (it uses only fields), and on
    the queryset's own database.
    """
    model, using = queryset.model, queryset.db
    papers_table = model._base_manager.using(using)
    ids = list(queryset.order_by().values_list("pk", flat=True).distinct())
    if uses_postgres(connections[using]):
        # Two statements per 5,000 papers, computed by the database: the
        # importer refreshes 100,000 papers in seconds, not minutes.
        for start in range(0, len(ids), _PG_BATCH):
            chunk = ids[start : start + _PG_BATCH]
            with connections[using].cursor() as cursor:
                cursor.execute(_PG_AUTHOR_NAMES_SQL, {"ids": chunk})
            papers_table.filter(pk__in=chunk).update(**search_fields_update(model))
        return len(ids)
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        names = author_names_by_paper(
            chunk, authorship_model=authorship_model, alias_model=alias_model, using=using
        )
        papers = [model(pk=pk, author_names=text) for pk, text in names.items()]
        papers_table.bulk_update(papers, ["author_names"])
    return len(ids)


def folded(field: str):
    """`field` without accents and case, as an expression for either backend."""
    if uses_postgres():
        return Lower(Unaccent(F(field)))
    return Fold(F(field))


def filter_folded_contains(queryset, field: str, text: str):
    """Rows whose `field` contains `text`, ignoring accents and case."""
    return queryset.alias(_folded_match=folded(field)).filter(_folded_match__contains=fold(text))
