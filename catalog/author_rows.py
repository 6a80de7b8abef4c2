"""Each paper's authors as its list row reads them, kept in the paper's row on
PostgreSQL: the column `author_rows` (not a model field: Django never
writes it), the JSON text [[name, slug, position], ...] in author order
(position unknown last, then by authorship), NULL where it is not known.

Kept by the triggers of migration 0027, whoever writes; the rows' read
(catalog.paper_rows.RELATIONS) falls back on the authorships where it is
NULL. A bulk load sets the triggers aside (catalog.importer.bulkload): its
new papers are written with their lists (as_text(), as the triggers would
write them), and every search-index refresh computes its papers' lists
again (refresh_sql()), as the importer's refresh of the papers whose
authors it rewrote.
"""

from __future__ import annotations

import json

from django.db import connections

COLUMN = "author_rows"
# What the triggers' names (migration 0027) hold.
TRIGGER_MARK = "_author_rows_"

# The list of the paper whose id is {paper} (SQL) as its authorships give it
# now: "[]" for none, NULL where an authorship names no existing person
# (written later in the transaction: foreign keys are checked at commit).
# The text json_agg() writes, which as_text() writes too.
_LIST = """
SELECT CASE WHEN count(pe.id) = count(*) THEN COALESCE(json_agg(
    json_build_array(pe.name, pe.slug, a.position) ORDER BY a.position NULLS LAST, a.id
)::text, '[]') END
FROM catalog_authorship a LEFT JOIN people_person pe ON pe.id = a.person_id
WHERE a.paper_id = {paper}"""

# The lists of the papers whose ids are the array {ids} (SQL), written where
# they changed. An array planned with its value (a parameter, EXECUTE in the
# triggers): unnest() then tells the planner how many papers, and a few are
# found by primary key, where an estimate of a transition table's 200 rows
# read all the papers (70 ms).
_REFRESH = """
UPDATE catalog_paper p SET author_rows = s.authors
FROM (SELECT ids.id, ({list}) AS authors FROM unnest({ids}) AS ids(id)) s
WHERE p.id = s.id AND p.author_rows IS DISTINCT FROM s.authors
"""


def list_sql(paper: str) -> str:
    """The SQL of the list of the paper whose id is `paper` (SQL), computed
    from its authorships."""
    return _LIST.format(paper=paper)


def refresh_sql(ids: str) -> str:
    """The UPDATE computing the lists of the papers `ids` (SQL of an array of
    their ids)."""
    return _REFRESH.format(ids=ids, list=list_sql("ids.id"))


def as_text(authors) -> str:
    """The kept list of `authors`, (name, slug, position) in author order, as
    the database writes it (json_agg()'s text: ", " between items, non-ASCII
    as is), so that the triggers find it unchanged and do not write it again."""
    return json.dumps(
        [[name, slug, position] for name, slug, position in authors], ensure_ascii=False
    )


def in_author_order(authors):
    """`authors` (person, position, ...) tuples in the order they are written
    (authorship ids), in author order: placed ones by position, then the
    others as written."""
    return sorted(authors, key=lambda author: (author[1] is None, author[1] or 0))


def triggers(cursor) -> list[tuple[str, str]]:
    """(table, name) of the enabled triggers that keep the lists."""
    cursor.execute(
        "SELECT t.tgrelid::regclass::text, quote_ident(t.tgname) FROM pg_trigger t "
        "WHERE NOT t.tgisinternal AND t.tgenabled = 'O' AND strpos(t.tgname, %s) > 0 "
        "ORDER BY t.tgrelid, t.tgname",
        [TRIGGER_MARK],
    )
    return cursor.fetchall()


def refresh(queryset) -> None:
    """Compute the lists of `queryset`'s papers again (PostgreSQL; elsewhere
    nothing is kept). The triggers keep them in step already, except while a
    bulk load has set them aside."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return
    ids = list(queryset.order_by().values_list("pk", flat=True).distinct())
    with connection.cursor() as cursor:
        cursor.execute(refresh_sql("%s::bigint[]"), [ids])
