"""The paper's title stays in its row on PostgreSQL (STORAGE MAIN).

With `toast_tuple_target = 128` (migration 0017) PostgreSQL moved every
column it may move out of line until the row was near 128 bytes, the
~70-byte title too: reading a paper's title read the TOAST table (its index
and a heap page, ~4 buffers). A list sorted by title whose filters the
sort index cannot serve reads the title of every match to sort them: a
year's ~3,500 papers at 100,000 (`/papers/?year=2015&sort=title&page=91`)
read 16,800 buffers and took 90-150 ms under load, and an author's or an
award's papers the same per paper. In the row: 2,850 buffers, ~14 ms at
load 5 (EXPLAIN (ANALYZE, BUFFERS) of its page's ids, three runs), the
heap 52 -> 57 MB. MAIN may still compress a long title, and moves it out
only when the row would not fit a page.

Rows written from now on take the new layout; `VACUUM FULL catalog_paper`
rewrites older ones (README, Performance). SQLite: nothing to do.
"""

from django.db import migrations

IN_ROW = ("ALTER TABLE catalog_paper ALTER COLUMN title SET STORAGE MAIN",)
OUT_OF_ROW = ("ALTER TABLE catalog_paper ALTER COLUMN title SET STORAGE EXTENDED",)


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("catalog", "0024_person_years_counts_in_key")]

    operations = [migrations.RunPython(run(IN_ROW), run(OUT_OF_ROW))]
