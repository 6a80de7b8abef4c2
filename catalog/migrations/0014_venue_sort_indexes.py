"""The paper list filtered by venue, in every sort order, from an index.

Only the newest-first order had a (venue, sort keys) index (0005): a venue
and year range sorted by title or upvotes read and sorted every paper of
the range (4,000 rows, 40 ms for the biggest venue at 100,000 papers), where
a walk of these indexes reads a page (0.4 ms). The oldest-first one also
serves the top-authors sample (catalog/facets.py): the latest papers of a
venue or a year range, read backwards. The title index includes the title
and year so that it is read index-only (see 0007). PostgreSQL only, as
0005's: SQLite cannot index NULLS LAST.
"""

from django.db import migrations

INDEXES = {
    "paper_venue_title_idx": ('"venue_id", lower("title"), "id"', '"title", "year"'),
    "paper_venue_upvotes_idx": (
        '"venue_id", "upvotes" DESC NULLS LAST, "published_on" DESC NULLS LAST, '
        '"year" DESC NULLS LAST, "id" DESC',
        None,
    ),
    "paper_venue_oldest_idx": (
        '"venue_id", "year" ASC NULLS LAST, "published_on" ASC NULLS LAST, "id" ASC',
        None,
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, (columns, include) in INDEXES.items():
            included = f" INCLUDE ({include})" if include else ""
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON catalog_paper ({columns}){included}"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_facet_counts")]

    operations = [migrations.RunPython(create, drop)]
