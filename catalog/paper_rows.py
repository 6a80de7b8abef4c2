"""A paper as a row of a list: the paper list, the front page and the person,
venue and award pages all show papers this way.

Two steps, both cheap per row. Reading: Paper.objects.for_list() yields
PaperRow objects built from plain values (PaperRowIterable: the page's papers,
then their authors and awards, three queries), not model instances with
prefetched relations, which were about half of a list page's Python time at
100,000 papers. Showing: `{% paper_rows papers heading %}`
(catalog/templatetags/papershelf.py) prepares every row once in Python
(shown_rows(): URLs, titles and snippets with the search words marked) and
writes their HTML in Python (rows_html()): through a template, a dozen nodes
and as many lookups and escapes per row cost a tenth of a list page's time.

Every value is escaped: names, URLs and years as a template's autoescaping
does (rows_html()), titles, abstracts and highlighted names by
catalog.rendering, which escapes text before adding markup (and marks the
result safe).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import Field
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In
from django.db.models.query import BaseIterable, ValuesIterable
from django.db.models.sql import Query
from django.utils.safestring import SafeData, SafeString

from catalog import author_rows
from catalog.paper_relations import authors_and_awards, relation_tables
from catalog.query_shapes import ShapeStatements, filters_and_order_only, raw_sql_annotations
from catalog.rendering import highlight_text, render_rich_text, render_snippet
from core import prepared
from core.slugs import slug_url, slug_urls, url_setting
from core.template_values import TemplateValues

# Authors a row names before "et al.".
AUTHORS_SHOWN = 8

# The columns a row reads, as PaperRowIterable reads them.
ROW_VALUES = (
    "id",
    "title",
    "slug",
    "abstract",
    "year",
    "authors_complete",
    "venue__name",
    "venue__slug",
)


def ends_in_et_al(placed: int, shown: int, *, complete: bool, unplaced: bool) -> bool:
    """Whether a list naming the first `shown` of `placed` authors ends in
    "et al.": more are placed than it names, or the listing did not name them
    all (truncated, or some named without a place)."""
    return placed > shown or not complete or unplaced


@dataclass(slots=True)
class PaperRow:
    """What a list row shows of a paper, as plain values. `placed` and
    `unplaced` are (name, slug) pairs of its authors in author order, with
    and without a known place; `awards` (name, slug) pairs by name."""

    pk: int
    title: str
    slug: str
    abstract: str
    year: int | None
    authors_complete: bool
    venue_name: str | None
    venue_slug: str | None
    placed: list[tuple[str, str]] = field(default_factory=list)
    unplaced: list[tuple[str, str]] = field(default_factory=list)
    awards: list[tuple[str, str]] = field(default_factory=list)
    # Annotations of the queryset (a search's `rank`).
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("catalog:paper-detail", self.slug)

    def et_al_after(self, shown: int) -> bool:
        return ends_in_et_al(
            len(self.placed), shown, complete=self.authors_complete, unplaced=bool(self.unplaced)
        )


class PaperRowIterable(BaseIterable):
    """Yields a PaperRow per paper of a queryset (see PaperQuerySet.for_list()):
    its ROW_VALUES (and annotations) as plain values, its authors and awards
    in the same query on PostgreSQL (RELATIONS), elsewhere read in one more
    (catalog.paper_relations.authors_and_awards()), like prefetch_related()
    but without building model instances. The venue is
    joined here, when rows are read, so that the queries derived from the
    list (ids, counts) do not carry the join."""

    def __iter__(self):
        queryset = self.queryset
        inline = _inlines_relations(queryset)
        names = (*ROW_VALUES, *queryset.query.annotation_select)
        if inline:
            # Each paper's authors and awards as JSON columns of its row
            # (RELATIONS): the page in one round trip instead of two.
            names = (*names, *RELATIONS)
        papers = _row_values(queryset, names, inline)
        if not papers:
            return
        if inline:
            authors, awards = _inline_relations(papers)
        else:
            authors, awards = _read_relations(self.queryset, papers)
        for values in papers:
            pk = values.pop("id")
            placed, unplaced = authors.get(pk, ((), ()))
            yield PaperRow(
                pk=pk,
                title=values.pop("title"),
                slug=values.pop("slug"),
                abstract=values.pop("abstract"),
                year=values.pop("year"),
                authors_complete=values.pop("authors_complete"),
                venue_name=values.pop("venue__name"),
                venue_slug=values.pop("venue__slug"),
                placed=list(placed),
                unplaced=list(unplaced),
                awards=awards.get(pk, []),
                extra=values,
            )


# The JSON columns a row reads its relations from on PostgreSQL: its authors
# as [name, slug, position] in author order (position unknown last, then
# by authorship), its awards as [name, slug] by name, the order
# catalog.paper_relations.authors_and_awards() reads them in. People and
# awards are read by primary key, authorship by authorship (for a page of
# papers a join made PostgreSQL hash all the people: paper_relations), each
# person once (name and slug in one lookup: ~100 fewer index probes a page).
# Read as text and decoded here (_inline_relations()): psycopg's json loader
# took twice json.loads()'s time (25 rows' authors: 0.31 -> 0.23 ms).
# The authors' JSON is kept in the paper's row by the database (author_rows,
# migration 0027: its triggers compute it whoever writes, NULL where not
# known); the subquery its triggers run answers only where it is NULL (26 rows' read: 1.39 ->
# 0.33 ms of the server's time, EXPLAIN ANALYZE at 100,000 papers).
RELATIONS = {
    "_row_authors": f"COALESCE({{papers}}.author_rows, ({author_rows.list_sql('{papers}.id')}))",
    "_row_awards": """(
        SELECT json_agg(json_build_array(w.name, w.slug) ORDER BY w.name)
        FROM {paper_awards} pa JOIN {awards} w ON w.id = pa.award_id
        WHERE pa.paper_id = {papers}.id)::text""",
}


# The SQL of rows' reads, and their columns, by the shape of their query
# (_row_values()).
_ROW_SQL = ShapeStatements()
# The same statements with their ids' WHERE and slice left out, by what the
# rest of them depends on (RowTemplate): a shape first seen is written from
# its template instead of compiled (most of a long tail's pages are shapes
# first seen: each venue, year or member filter and page gives its own).
_ROW_TEMPLATES = ShapeStatements()
# The reads (database, model, columns) whose values need converting (SQLite's
# booleans): never kept, so neither keyed nor compiled twice.
_CONVERTED: set[tuple] = set()


@dataclass(frozen=True, slots=True)
class RowTemplate:
    """A rows' read filtered by `pk IN (ids' subquery)`, cut around the
    subquery's WHERE and slice: `key` says what the rest of the SQL depends
    on (the columns, both orders, the subquery's tables and joins), `where`
    and `limit` the SQL of this read's WHERE and slice."""

    key: tuple
    where: str
    limit: str

    def fill(self, parts: tuple[str, str, str]) -> str:
        head, middle, tail = parts
        return f"{head}{self.where}{middle}{self.limit}{tail}"

    def cut(self, sql: str) -> tuple[str, str, str] | None:
        """`sql` (this read's, compiled) as the three parts around the WHERE
        and slice, or None when either is not found exactly once."""
        if sql.count(self.where) != 1:
            return None
        head, _, rest = sql.partition(self.where)
        if rest.count(self.limit) != 1:
            return None
        middle, _, tail = rest.partition(self.limit)
        return head, middle, tail


def _row_values(queryset, names: tuple, inline: bool) -> list[dict]:
    """The `names` values of `queryset`'s rows (with the RELATIONS columns
    when `inline`), as ValuesIterable gives them. Built and compiled
    through the ORM once per shape of the query (its WHERE's text, order,
    columns), and for a read of the ids of a page once per template of
    those shapes (RowTemplate): every page of distinct filters compiled its
    rows' read anew, a tenth of its Python time; a page of a known shape
    or template only compiles its WHERE, whose parameters are then the
    read's (checked when built)."""
    shape = _row_shape(queryset, names, inline)
    cached = _ROW_SQL.get(shape[0]) if shape else None
    if cached is None and shape:
        cached = _templated_row_sql(shape)
    if cached is None:
        read = queryset.annotate(**_relations_columns(queryset)) if inline else queryset
        read = read.values(*names)
        if shape:
            cached = _kept_row_sql(read.query, queryset.db, shape)
        if cached is None:
            return list(ValuesIterable(read))
    sql, columns = cached
    with connections[queryset.db].cursor() as cursor:
        if _by_listed_ids(queryset.query):
            # Its plan is the same whatever the ids (and a search's words):
            # kept by the connection (core.prepared), not planned again.
            prepared.execute(cursor, sql, shape[1])
        else:
            cursor.execute(sql, shape[1])
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _by_listed_ids(query) -> bool:
    """Whether `query` reads its rows by a list of primary keys alone
    (`pk__in=[…]`, as a search of few matches reads its page)."""
    where = query.where
    if len(where.children) != 1 or where.negated:
        return False
    lookup = where.children[0]
    return (
        isinstance(lookup, In)
        and isinstance(lookup.rhs, (list, tuple, set))
        and getattr(lookup.lhs, "target", None) == query.model._meta.pk
    )


def _row_shape(
    queryset, names: tuple, inline: bool
) -> tuple[tuple, list, RowTemplate | None] | None:
    """(the cache key of the read of `names` from `queryset`, its
    parameters, its RowTemplate or None), or None when it is not cached: a
    query with anything but filters, an order and raw SQL annotations
    (other annotations, grouping, slicing, extra SQL)."""
    query = queryset.query
    # A search page's rank is raw SQL: its text is part of the shape (and
    # of its template's), its parameters come first (the SELECT's, before
    # the WHERE's). Any other annotation is read through the ORM.
    annotations = raw_sql_annotations(query)
    if annotations is None or not filters_and_order_only(query, annotated=True):
        return None
    if query.is_sliced or query.values_select:
        return None
    if (queryset.db, query.model._meta.label, names) in _CONVERTED:
        return None
    try:
        where, params, template = _where_shape(query, queryset.db)
    except (EmptyResultSet, FullResultSet, ValueError):
        # Nothing or everything matches, or a subquery refers to an outer
        # query (not compiled alone): read through the ORM.
        return None
    read = (queryset.db, query.model._meta.label, names, inline, *_order_shape(query))
    read += tuple(text for text, _ in annotations)
    if template is not None:
        template = RowTemplate((*read, *template[0]), *template[1:])
    params = [*(p for _, values in annotations for p in values), *params]
    return (*read, where), params, template


def _order_shape(query) -> tuple:
    order = tuple(item if isinstance(item, str) else item.identity for item in query.order_by)
    return order, query.standard_ordering, query.default_ordering


def _tables_shape(query) -> tuple:
    """What tells the FROM clause of `query` from others': its tables and
    joins in use."""
    return tuple(
        (alias, table.identity, getattr(table, "join_type", None))
        for alias, table in query.alias_map.items()
        if query.alias_refcount[alias]
    )


def _where_shape(query, using: str) -> tuple:
    """(what tells `query`'s WHERE from others, its parameters, its template's
    (key, WHERE SQL, slice SQL) or None). A page's rows are filtered by `pk IN
    (its ids' subquery)`: for that WHERE, the subquery's own WHERE, columns,
    order and slice (a third of compiling all of it: no ORDER BY or FROM to
    resolve), and a template without the subquery's WHERE and slice; else
    the compiled WHERE, and no template."""
    where = query.where
    lookup = where.children[0] if len(where.children) == 1 and not where.negated else None
    inner = getattr(lookup, "rhs", None)
    if isinstance(lookup, In) and isinstance(inner, Query) and filters_and_order_only(inner):
        inner_where, params = inner.get_compiler(using=using).compile(inner.where)
        read = (
            lookup.lhs.identity,
            inner.model._meta.label,
            tuple(column.identity for column in inner.select),
            inner.values_select,
            *_order_shape(inner),
        )
        shape = (*read, inner_where, inner.low_mark, inner.high_mark)
        limit = connections[using].ops.limit_offset_sql(inner.low_mark, inner.high_mark)
        template = ((*read, _tables_shape(inner)), inner_where, limit) if limit else None
        return shape, params, template
    return (*query.get_compiler(using=using).compile(where), None)


def _templated_row_sql(shape: tuple) -> tuple[str, tuple] | None:
    """(SQL, its columns) of a read first seen, written from its template
    when one is kept (also kept under the read's own shape)."""
    template = shape[2]
    kept = _ROW_TEMPLATES.get(template.key) if template is not None else None
    if kept is None:
        return None
    parts, columns = kept
    statement = (template.fill(parts), columns)
    _ROW_SQL.keep(shape[0], statement)
    return statement


def _kept_row_sql(query, using: str, shape: tuple) -> tuple[str, tuple] | None:
    """(SQL, its columns) of the values `query`, kept under `shape`'s key (and
    its template) when its parameters are its WHERE's alone and its values
    need no conversion (else None: read through the ORM)."""
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    columns = (*query.extra_select, *query.values_select, *query.annotation_select)
    if compiler.get_converters([column for column, *_ in compiler.select]):
        db, label, names, *_ = shape[0]
        _CONVERTED.add((db, label, names))
        return None
    if list(params) != shape[1]:
        return None
    _ROW_SQL.keep(shape[0], (sql, columns))
    template = shape[2]
    parts = template.cut(sql) if template is not None else None
    if parts is not None:
        _ROW_TEMPLATES.keep(template.key, (parts, columns))
    return sql, columns


def _inlines_relations(queryset) -> bool:
    """Whether the rows of `queryset` read their relations as RELATIONS
    columns: on PostgreSQL (json_agg), for a plain query (no grouping,
    DISTINCT or UNION, which JSON columns cannot take part in)."""
    query = queryset.query
    return (
        connections[queryset.db].vendor == "postgresql"
        and query.group_by is None
        and not query.distinct
        and not query.combinator
    )


def _relations_columns(queryset) -> dict:
    """RELATIONS as annotations of `queryset`'s rows (their tables filled in)."""
    meta = queryset.model._meta
    tables = {
        **relation_tables(meta),
        "papers": connections[queryset.db].ops.quote_name(meta.db_table),
    }
    # A plain Field: psycopg gives json as Python values already (JSONField
    # would decode them again).
    return {
        name: RawSQL(sql.format(**tables), (), output_field=Field())
        for name, sql in RELATIONS.items()
    }


def _inline_relations(papers: list[dict]) -> tuple[dict, dict]:
    """Authors ((placed, unplaced) (name, slug) lists) and awards ((name, slug)
    list) by paper id, from the RELATIONS columns (taken out of `papers`)."""
    authors, awards = {}, {}
    for values, (row_authors, row_awards) in zip(papers, _decoded_relations(papers), strict=True):
        placed, unplaced = [], []
        for name, slug, position in row_authors or ():
            (unplaced if position is None else placed).append((name, slug))
        authors[values["id"]] = (placed, unplaced)
        awards[values["id"]] = [(name, slug) for name, slug in row_awards or ()]
    return authors, awards


def _decoded_relations(papers: list[dict]) -> list:
    """Each row's RELATIONS columns (taken out of it) decoded, None for none:
    one json.loads() for the page, not two a row (61 -> 36 µs a page)."""
    columns = (
        f"[{values.pop('_row_authors') or 'null'},{values.pop('_row_awards') or 'null'}]"
        for values in papers
    )
    return json.loads(f"[{','.join(columns)}]")


def _read_relations(queryset, papers: list[dict]) -> tuple[dict, dict]:
    """_inline_relations()'s answer, read in a query of its own (one query
    of plain rows for both: building two ORM queries cost more than
    running them)."""
    ids = [values["id"] for values in papers]
    authors, awards = defaultdict(lambda: ([], [])), defaultdict(list)
    authorship_rows, award_rows = authors_and_awards(queryset.model, ids, queryset.db)
    for paper_id, name, slug, _, position in authorship_rows:
        authors[paper_id][position is None].append((name, slug))
    for paper_id, name, slug in award_rows:
        awards[paper_id].append((name, slug))
    return authors, awards


# Not frozen: a frozen dataclass sets each field through object.__setattr__
# (three times the time of building a ~110 links' page's Link objects).
@dataclass(slots=True)
class Link(TemplateValues):
    url: str
    text: str


@dataclass(slots=True)
class ShownRow(TemplateValues):
    """A row as the template shows it: every URL built and every text marked
    up once, here. `authors` is empty when the paper has none; `including`
    when only authors without a place are known ("Including …")."""

    url: str
    title: SafeString
    authors: list[Link]
    including: bool
    et_al: bool
    venue: Link | None
    year: int | None
    awards: list[Link]
    snippet: SafeString


class _Urls:
    """The URLs rows link to, by slug (core.slugs.slug_urls(): resolved once
    for all the rows of a list, from one read of the URL setting: reading
    it for each view took 50 µs a list)."""

    def __init__(self):
        setting = url_setting()
        self.paper = slug_urls("catalog:paper-detail", setting)
        self.person = slug_urls("people:detail", setting)
        self.venue = slug_urls("venues:detail", setting)
        self.award = slug_urls("catalog:award-detail", setting)


def _author_links(authors, words, urls: _Urls) -> list[Link]:
    # Safe: highlight_text escapes the name before adding <mark>. SafeString()
    # is what mark_safe() gives for a str, without its lazy-string wrapper
    # (a third of preparing a list's rows: ~160 names a page).
    return [
        Link(urls.person(slug), SafeString(highlight_text(name, words))) for name, slug in authors
    ]


def shown_row(paper: PaperRow, words=(), urls: _Urls | None = None) -> ShownRow:
    """`paper` (from for_list()) prepared for rows_html()."""
    words = words or ()
    urls = urls or _Urls()
    placed = paper.placed
    authors = _author_links(placed[:AUTHORS_SHOWN] if placed else paper.unplaced, words, urls)
    venue = None
    if paper.venue_slug is not None:
        venue = Link(urls.venue(paper.venue_slug), paper.venue_name)
    return ShownRow(
        url=urls.paper(paper.slug),
        title=render_rich_text(paper.title, words),
        authors=authors,
        including=not placed,
        et_al=bool(authors) and paper.et_al_after(AUTHORS_SHOWN),
        venue=venue,
        year=paper.year,
        awards=[Link(urls.award(slug), name) for name, slug in paper.awards],
        snippet=render_snippet(paper.abstract, words) if paper.abstract else "",
    )


def shown_rows(papers, words=()) -> list[ShownRow]:
    urls = _Urls()
    return [shown_row(paper, words, urls) for paper in papers]


def _html(value) -> str:
    """`value` as the templates' autoescaping shows it: safe strings as they
    are, anything else escaped (html.escape, which Django's escape() calls)."""
    return value if isinstance(value, SafeData) else escape(str(value))


def _link(link: Link, css: str = "") -> str:
    return f'<a{css} href="{_html(link.url)}">{_html(link.text)}</a>'


def row_html(row: ShownRow, heading: str) -> str:
    """One <li> of a list (the same HTML the rows' template wrote)."""
    parts = [
        f'<li class="paper-row">\n  <h{heading} class="paper-title">'
        f'<a href="{_html(row.url)}">{_html(row.title)}</a></h{heading}>\n'
    ]
    if row.authors:
        names = ", ".join(_link(author) for author in row.authors)
        including = "Including " if row.including else ""
        et_al = " et al." if row.et_al else ""
        parts.append(f'  <p class="authors">{including}{names}{et_al}</p>\n')
    meta = [_link(row.venue)] if row.venue else []
    if row.year:
        meta.append(f'<span class="year">{int(row.year):d}</span>')
    meta += [_link(award, ' class="badge"') for award in row.awards]
    parts.append(f'  <p class="meta">{" ".join(meta)}</p>\n')
    if row.snippet:
        parts.append(f'  <p class="snippet">{_html(row.snippet)}</p>\n')
    parts.append("</li>\n")
    return "".join(parts)


def rows_html(rows: list[ShownRow], heading: int = 3) -> SafeString:
    """The rows of a list: one <li> each, nothing between them."""
    heading = str(int(heading))
    # Safe: every value is escaped by _html() or is already safe HTML
    # (titles, names and snippets from catalog.rendering, which escapes).
    return SafeString("".join(row_html(row, heading) for row in rows))
