"""The kept per-person cells (0015) and per-year totals (0018) indexed by
venue and year, with the counts in the index.

A list filtered by a venue and years, or by years alone, shows its top
authors: they were counted by grouping the authorships of up to 1,000 of
its papers, one index probe a paper (~875 probes, 8-10 ms at 100,000
papers). The people's papers in those venues and years are the kept
cells of the venue and years: with these indexes, one index-only range
each (catalog.counts._summed_top_sql()), exact.
"""

from django.db import migrations

INDEXES = {
    "catalog_personcell_by_venue_year": ("catalog_personcell", "venue_key, year_key, person_id"),
    "catalog_personyear_by_year": ("catalog_personyear", "year_key, person_id"),
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    for name, (table, columns) in INDEXES.items():
        # The count in the index (INCLUDE on PostgreSQL, a last column on
        # SQLite): the sum never reads the table.
        counted = " INCLUDE (papers)" if vendor == "postgresql" else ""
        if vendor == "sqlite":
            columns += ", papers"
        schema_editor.execute(f"CREATE INDEX {name} ON {table} ({columns}){counted}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0022_search_rows_pending_limit")]

    operations = [migrations.RunPython(create, drop)]
