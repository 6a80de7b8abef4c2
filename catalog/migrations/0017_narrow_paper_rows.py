"""Narrow paper rows on PostgreSQL: the wide columns out of line.

Counting a search's matches (the API's `count`, a search's pool read from
the GIN index) reads one heap page per page holding a match: the index has
no visibility information, and PostgreSQL 15.18 reads the heap page even for
`count(*)` over an all-visible table (a plain btree bitmap count does too).
A paper row was ~3.7 KB (abstract, author names, head vector inline; the
search vector already out of line), two to a page, so a word in a quarter of
100,000 papers read ~13,000 heap pages. With `toast_tuple_target = 128` the
wide columns move to the TOAST table and a row keeps ~0.5 KB: 6,500 pages
for the whole table, and that count reads 6,400 (a copy of the table,
EXPLAIN (ANALYZE, BUFFERS)).

`head_vector` stays in the row (STORAGE MAIN): the head tier's walk down the
year index tests it for every paper it passes (catalog/search/postgres.py),
and out of line each test would read the TOAST table.

PostgreSQL only toasts a row over 2 KB (a fixed threshold; the target is
where it stops): a paper with an abstract and its search vector is. Rows
written from now on (every import, edit and search-index refresh) take the
new layout; `VACUUM FULL catalog_paper` rewrites older ones (README,
Performance).
SQLite: nothing to do (its FTS5 search is a separate table).
"""

from django.db import migrations

NARROW = (
    "ALTER TABLE catalog_paper SET (toast_tuple_target = 128)",
    "ALTER TABLE catalog_paper ALTER COLUMN head_vector SET STORAGE MAIN",
)
WIDE = (
    "ALTER TABLE catalog_paper RESET (toast_tuple_target)",
    "ALTER TABLE catalog_paper ALTER COLUMN head_vector SET STORAGE EXTENDED",
)


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("catalog", "0016_month_cells")]

    operations = [migrations.RunPython(run(NARROW), run(WIDE))]
