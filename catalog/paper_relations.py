"""Papers' authors, awards and sources, each page's in one query: model
instances for paper pages (PaperQuerySet.for_detail()), plain rows for
list rows and the API (authors_and_awards()).

prefetch_related() reads them in three queries, and building and running
each of them through the ORM cost ~1 ms of Python apiece, most of a paper
page's 5 ms of database work (a typical paper at 100,000 papers). Here one
UNION ALL reads every relation of every paper, already in each relation's
own order; the rows become the same model instances the prefetch gave (the
people with their name and slug only, the rest deferred), in the same
caches, so `paper.authorships.all()` and the rest read no more queries.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connections
from django.db.models.query import ModelIterable

# (kind, paper id, id, sort text, sort number, ...): authors sort by
# position (unknown last), then id; awards by name (Award's ordering);
# sources by listing, then entry (PaperSource's). NULLs are typed in every
# branch: PostgreSQL resolves a UNION's column types branch by branch.
AUTHOR, AWARD, SOURCE = 0, 1, 2
_SQL = """
SELECT 0, a.paper_id, a.id, CAST(NULL AS varchar), a.position, CAST(NULL AS integer),
    a.equal_contribution, a.person_id, p.name, p.slug
FROM {authorships} a JOIN {people} p ON p.id = a.person_id WHERE a.paper_id {in_ids}
UNION ALL
SELECT 1, pa.paper_id, w.id, w.name, CAST(NULL AS integer), CAST(NULL AS integer),
    CAST(NULL AS boolean), CAST(NULL AS bigint), CAST(NULL AS varchar), w.slug
FROM {paper_awards} pa JOIN {awards} w ON w.id = pa.award_id WHERE pa.paper_id {in_ids}
UNION ALL
SELECT 2, s.paper_id, s.id, s.listing, s.entry_index, s.line,
    CAST(NULL AS boolean), CAST(NULL AS bigint), CAST(NULL AS varchar), s.format
FROM {sources} s WHERE s.paper_id {in_ids}
ORDER BY 1, 4, 5 NULLS LAST, 3
"""


class PaperRelationsIterable(ModelIterable):
    """Papers as ModelIterable gives them, then their relations filled in
    (fill_relations()) before the first is yielded."""

    def __iter__(self):
        papers = list(super().__iter__())
        if papers:
            fill_relations(papers, self.queryset.db)
        yield from papers


def fill_relations(papers, db: str) -> None:
    """Put each paper's authorships (with their people), awards and sources
    where prefetch_related("authorships", "awards", "sources") puts them."""
    meta = papers[0]._meta
    authorship = meta.get_field("authorships").related_model
    person = authorship._meta.get_field("person").related_model
    award = meta.get_field("awards").related_model
    source = meta.get_field("sources").related_model
    by_id = {paper.pk: paper for paper in papers}
    found = {kind: defaultdict(list) for kind in (AUTHOR, AWARD, SOURCE)}
    for kind, paper_id, pk, text, number, line, equal, person_id, name, slug in _rows(
        _SQL, relation_tables(meta), list(by_id), db
    ):
        if kind == AUTHOR:
            row = authorship.from_db(
                db,
                ["id", "paper_id", "person_id", "position", "equal_contribution"],
                # bool(): SQLite gives 0 and 1, as the ORM's converter would fix.
                [pk, paper_id, person_id, number, bool(equal)],
            )
            row._state.fields_cache["person"] = person.from_db(
                db, ["id", "name", "slug"], [person_id, name, slug]
            )
        elif kind == AWARD:
            row = award.from_db(db, ["id", "slug", "name"], [pk, slug, text])
        else:
            row = source.from_db(
                db,
                ["id", "paper_id", "listing", "format", "entry_index", "line"],
                [pk, paper_id, text, slug, number, line],
            )
        found[kind][paper_id].append(row)
    for paper in papers:
        cache = getattr(paper, "_prefetched_objects_cache", None)
        if cache is None:
            cache = paper._prefetched_objects_cache = {}
        for name, kind in (("authorships", AUTHOR), ("awards", AWARD), ("sources", SOURCE)):
            rows = found[kind].get(paper.pk, [])
            if kind != AWARD:
                # As the prefetch does: each row knows its paper.
                for row in rows:
                    row._state.fields_cache["paper"] = paper
            # The manager's own queryset, evaluated: filtering it still works.
            queryset = getattr(paper, name).get_queryset()
            queryset._result_cache = rows
            queryset._prefetch_done = True
            cache[name] = queryset


# (kind, paper id, name, slug, equal contribution, position): each paper's
# authors in order, then its awards by name. Each person is read by primary
# key, authorship by authorship (person_by_id()): for a hundred papers a join
# made PostgreSQL hash all the people.
_NAMED_SQL = """
SELECT 0, a.paper_id, {person_name}, {person_slug}, a.equal_contribution, a.position, a.id
FROM {authorships} a {person_join} WHERE a.paper_id {in_ids}
UNION ALL
SELECT 1, pa.paper_id, w.name, w.slug, CAST(NULL AS boolean), CAST(NULL AS integer),
    CAST(NULL AS bigint)
FROM {paper_awards} pa JOIN {awards} w ON w.id = pa.award_id WHERE pa.paper_id {in_ids}
ORDER BY 1, 2, 6 NULLS LAST, 7, 3
"""


def person_by_id(person_id: str, people: str, vendor: str) -> tuple[str, str, str]:
    """The name and slug of the person whose id is the SQL `person_id`, read
    by primary key from the table `people`, and the join that reads them (to
    follow the FROM item that `person_id` refers to; the rows are kept as
    they are). On PostgreSQL one lateral subquery for both, which OFFSET 0
    keeps a probe per row rather than a join the planner may hash all the
    people for (a subquery per column probed twice: 2,900 -> 1,600 buffers
    for an API page of 100 papers); elsewhere (SQLite: no LATERAL) a
    correlated subquery per column, and no join."""
    if vendor == "postgresql":
        join = (
            f"LEFT JOIN LATERAL (SELECT name, slug FROM {people} WHERE id = {person_id}"
            " OFFSET 0) who ON TRUE"
        )
        return "who.name", "who.slug", join
    return (*person_subqueries(person_id, people), "")


def person_subqueries(person_id: str, people: str) -> tuple[str, str]:
    """The name and slug of the person whose id is the SQL `person_id`, as a
    correlated subquery each on the table `people`: read by primary key for
    the rows kept only (as a join, the planner hashed all the people)."""
    return (
        f"(SELECT name FROM {people} WHERE id = {person_id})",
        f"(SELECT slug FROM {people} WHERE id = {person_id})",
    )


def authors_and_awards(model, paper_ids, db: str) -> tuple[list, list]:
    """The authors (paper id, name, slug, equal contribution, position) of
    papers of `model` in author order, and their awards (paper id, name,
    slug) by name: plain rows from one query, for pages and answers that
    build no model instances (list rows, the API)."""
    ids = list(paper_ids)
    if not ids:
        return [], []
    tables = relation_tables(model._meta)
    person = person_by_id("a.person_id", tables["people"], connections[db].vendor)
    tables.update(zip(("person_name", "person_slug", "person_join"), person, strict=True))
    rows = _rows(_NAMED_SQL, tables, ids, db)
    authors, awards = [], []
    for kind, paper_id, name, slug, equal, position, _ in rows:
        if kind == AUTHOR:
            authors.append((paper_id, name, slug, bool(equal), position))
        else:
            awards.append((paper_id, name, slug))
    return authors, awards


def relation_tables(meta) -> dict[str, str]:
    """The relations' tables of the paper model `meta` describes, by the
    names the queries above and catalog.paper_rows.RELATIONS give them
    (each query uses those it needs)."""
    authorship = meta.get_field("authorships").related_model
    return {
        "authorships": authorship._meta.db_table,
        "people": authorship._meta.get_field("person").related_model._meta.db_table,
        "paper_awards": meta.get_field("awards").remote_field.through._meta.db_table,
        "awards": meta.get_field("awards").related_model._meta.db_table,
        "sources": meta.get_field("sources").related_model._meta.db_table,
    }


# Ids per query: each is sent once per branch, and SQLite takes at most
# 32,766 parameters a statement.
CHUNK = 1000


def _in_ids(vendor: str, count: int) -> str:
    """The test of a branch's paper id against `count` ids: one array
    parameter on PostgreSQL (the same index scan as `IN (…)`, which it turns
    into `= ANY(ARRAY[…])` itself, but a short statement of constant text,
    not 100 placeholders to find in it for a page of the API), a
    placeholder per id elsewhere."""
    if vendor == "postgresql":
        return "= ANY(%s::bigint[])"
    return f"IN ({', '.join(['%s'] * count)})"


def array_text(ids) -> str:
    """Integers (or None) as PostgreSQL array text ("{1,NULL,3}"): psycopg
    dumps a list element by element, testing each for quotes (3 ms of a
    search page's Python time for its three samples of 1,000 papers)."""
    return "{" + ",".join("NULL" if pk is None else str(int(pk)) for pk in ids) + "}"


def _rows(sql: str, tables: dict, ids: list, db: str) -> list:
    """`sql` (with {in_ids} in each of its branches) run for `ids`, CHUNK at
    a time; a paper's rows all come from one run, in order."""
    connection = connections[db]
    rows, branches = [], sql.count("{in_ids}")
    array = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            test = _in_ids(connection.vendor, len(chunk))
            # On PostgreSQL the array's text, written once for every branch
            # (psycopg dumps a list item by item, for each branch again).
            params = [array_text(chunk)] * branches if array else chunk * branches
            cursor.execute(sql.format(**tables, in_ids=test), params)
            rows += cursor.fetchall()
    return rows
