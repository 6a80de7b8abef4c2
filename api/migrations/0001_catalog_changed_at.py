"""When the catalog last changed, next to its version (catalog/cache.py).

The API's Last-Modified header needs a time, and the catalog version is a
number. A trigger on the version row itself stamps the time whenever the
version changes, so every writer the version already covers (the admin, the
importer's bulk writes, raw SQL, a restore) moves the time too, and reading
both is still one primary-key query. The catalog's own triggers are left as
they are. clock_timestamp(), not now(): a transaction that waited for the
version row's lock must not stamp the earlier time it started at.
"""

from django.db import migrations

TABLE = "papershelf_catalog_version"
FUNCTION = "papershelf_stamp_catalog_change"
TRIGGER = "papershelf_catalog_version_changed_at"


def create(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        execute(
            f"ALTER TABLE {TABLE} ADD COLUMN changed_at timestamptz NOT NULL "
            "DEFAULT clock_timestamp()"
        )
        execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "NEW.changed_at := clock_timestamp(); RETURN NEW; END $$"
        )
        execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF version ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )
    elif vendor == "sqlite":
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
        # SQLite only adds a column with a constant default.
        execute(
            f"ALTER TABLE {TABLE} ADD COLUMN changed_at text NOT NULL "
            "DEFAULT '1970-01-01 00:00:00.000'"
        )
        execute(f"UPDATE {TABLE} SET changed_at = {now}")
        # Updating only changed_at does not fire it again (UPDATE OF version).
        execute(
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF version ON {TABLE} "
            f"BEGIN UPDATE {TABLE} SET changed_at = {now} WHERE id = NEW.id; END"
        )


def drop(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}")
        execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
        execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS changed_at")
    elif vendor == "sqlite":
        execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
        execute(f"ALTER TABLE {TABLE} DROP COLUMN changed_at")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_catalog_version")]

    operations = [migrations.RunPython(create, drop)]
