"""The kept per-person years (0018) carry their counts in their primary key's
index, on PostgreSQL.

A list of years alone proves its top authors by summing the years of up to
a hundred candidate people (catalog.counts.proven_top_sql()): one range of
this key per person, which read the table for every row (bitmap heap scans,
~0.04 ms a person, 4 ms of a page's facets query for `year_to=2017` at
100,000 papers). With the count in the index they are index-only scans
(~0.01 ms a person). The key is rebuilt rather than a second index added:
the counts change with every authorship, and each index is one more write.
SQLite's catalogs are small: nothing changes there.
"""

from django.db import migrations

TABLE = "catalog_personyear"


def _primary_key(schema_editor, include: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_pkey, "
        f"ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (person_id, year_key){include}"
    )


def counts_in_key(apps, schema_editor):
    _primary_key(schema_editor, " INCLUDE (papers)")


def key_only(apps, schema_editor):
    _primary_key(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0023_person_cells_by_venue_and_year")]

    operations = [migrations.RunPython(counts_in_key, key_only)]
