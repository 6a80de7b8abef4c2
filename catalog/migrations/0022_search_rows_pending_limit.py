"""The search rows' GIN index loses its own 64 MB pending-list limit (0019).

With one, the PostgreSQL importer could not lift the limit for its
transaction (an index's setting beats the session's); the importer now
merges the new papers' pending entries itself, on a second connection, as
it does for the papers' GIN indexes, which never had one
(catalog.importer.deferred). Other writers get the server's limit.

SQLite: nothing changes.
"""

from django.db import migrations

SEARCH_INDEX = "catalog_searchrow_vector_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {SEARCH_INDEX} RESET (gin_pending_list_limit)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {SEARCH_INDEX} SET (gin_pending_list_limit = 65536)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0021_title_index_with_year")]

    operations = [migrations.RunPython(forwards, backwards)]
