"""The kept per-person venue totals (0018) indexed by venue, most papers first.

A list filtered by one venue shows its top authors: 0018's table holds each
person's papers per venue, but only by person, so they were counted by
grouping the authorships of up to 1,000 of the venue's papers, one index
probe a paper (catalog.facets). With this index the people with most papers
in a venue are its first rows (catalog.counts._top_people_sql()): exact
counts, a few rows read.
"""

from django.db import migrations

INDEX = "catalog_personvenue_by_venue"


def create(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON catalog_personvenue (venue_key, papers DESC, person_id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0019_search_rows")]

    operations = [migrations.RunPython(create, drop)]
