"""The search rows get a newest-first index (PostgreSQL).

A search page whose title and author matches end before the page does
reads the rest of its matches newest first (catalog.search.postgres.
PageSQL._narrow_rest()). Without an index in that order, every match was
collected and sorted: a word in 5% of 100,000 papers read ~900 heap pages
and sorted 5,000 rows (3 ms) for the 6 rows its first page still needed.
With this index the rest walks the search rows newest first, testing each
row's vector, and stops at the page's end (0.3-1.5 ms for such a word),
when estimate.walk_is_cheaper() says so; rarer words are still collected.
The same order as the papers' own paper_newest_idx (catalog.models.
NEWEST_ORDER).

SQLite: nothing (its search rows are an empty table; FTS5 plays that role).
"""

from django.db import migrations

INDEX = "catalog_searchrow_newest_idx"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON catalog_searchrow "
            "(published_on DESC NULLS LAST, year DESC NULLS LAST, paper_id DESC)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0027_paper_author_rows")]

    operations = [migrations.RunPython(forwards, backwards)]
