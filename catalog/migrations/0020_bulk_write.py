"""Room for the PostgreSQL importer to do some of the triggers' work in bulk
(catalog.importer.deferred).

* The per-person sums' authorship INSERT triggers (0013's papers per person,
  0015's cells, 0018's years and venues) skip a statement run while the
  transaction-local setting papershelf.bulk_write is 'on': the writer that
  sets it adds the sums of the rows it wrote itself, counted once for all
  four tables. Every other trigger (the paper side of the sums, the search
  rows, the catalog version that empties the cache) fires as before, and a
  writer that never sets it is counted by the triggers as before.
* The search rows' GIN index loses its own 64 MB pending-list limit (0019):
  with one, the importer could not lift the limit for its transaction (the
  index's setting beats the session's); it now merges the pending entries
  itself, as it does for the papers' GIN indexes, which never had one.

SQLite: nothing changes (its importer counts with the triggers).
"""

from django.db import migrations

# trigger on catalog_authorship -> its function (0013, 0015, 0018)
TRIGGERS = {
    "catalog_authorship_counts_insert": "papershelf_counts_catalog_authorship_insert",
    "catalog_authorship_person_cells_insert": "papershelf_person_cells_catalog_authorship_insert",
    "catalog_authorship_personyear_insert": "papershelf_kept_catalog_authorship_personyear_insert",
    "catalog_authorship_personvenue_insert": "papershelf_kept_catalog_authorship_personvenue_insert",
}
SKIP_WHEN_BULK = "WHEN (current_setting('papershelf.bulk_write', true) IS DISTINCT FROM 'on') "
SEARCH_INDEX = "catalog_searchrow_vector_gin"


def recreate(execute, when: str) -> None:
    for trigger, function in TRIGGERS.items():
        execute(f"DROP TRIGGER {trigger} ON catalog_authorship")
        execute(
            f"CREATE TRIGGER {trigger} AFTER INSERT ON catalog_authorship "
            f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT {when}"
            f"EXECUTE FUNCTION {function}()"
        )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    recreate(schema_editor.execute, SKIP_WHEN_BULK)
    schema_editor.execute(f"ALTER INDEX {SEARCH_INDEX} RESET (gin_pending_list_limit)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    recreate(schema_editor.execute, "")
    schema_editor.execute(f"ALTER INDEX {SEARCH_INDEX} SET (gin_pending_list_limit = 65536)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0019_search_rows")]

    operations = [migrations.RunPython(forwards, backwards)]
