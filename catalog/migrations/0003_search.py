"""Full-text search fields.

`author_names` and `search_vector` are ordinary fields. The GIN index and the
`unaccent` extension exist only on PostgreSQL: SQLite has neither, so they
are created by vendor-guarded operations rather than declared in
`Meta.indexes` (which would make every backend try to build a GIN index).
`unaccent` is a trusted extension (PG 13+): the database owner may create it
without being a superuser.
"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

INDEX = "catalog_paper_search_vector_gin"


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_paper USING gin (search_vector)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def fill_search_fields(apps, schema_editor):
    from catalog.search import refresh_search_index

    Paper = apps.get_model("catalog", "Paper")
    refresh_search_index(
        Paper.objects.using(schema_editor.connection.alias).all(),
        authorship_model=apps.get_model("catalog", "Authorship"),
        alias_model=apps.get_model("people", "PersonAlias"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_paper_title_key"),
        ("people", "0001_initial"),
    ]

    operations = [
        # A no-op on every backend but PostgreSQL.
        UnaccentExtension(),
        migrations.AddField(
            model_name="paper",
            name="author_names",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="paper",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
        migrations.RunPython(fill_search_fields, migrations.RunPython.noop),
    ]
