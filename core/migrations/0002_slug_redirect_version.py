"""The old-slug table is watched by the catalog-version triggers (catalog
0006): a new redirect must make cached pages unreachable, or a list page
cached while `?author=` named no one would be served after the merge that
made it a redirect. The same triggers, on one more table."""

import importlib

from django.db import migrations

VERSIONING = importlib.import_module("catalog.migrations.0006_catalog_version")
WATCHED = ["core_slugredirect"]


def create(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    for table in WATCHED:
        if vendor == "postgresql":
            execute(
                f"CREATE TRIGGER {table}_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {VERSIONING.FUNCTION}()"
            )
        elif vendor == "sqlite":
            for operation in ("INSERT", "UPDATE", "DELETE"):
                execute(
                    f"CREATE TRIGGER {table}_version_{operation.lower()} AFTER {operation} "
                    f"ON {table} BEGIN UPDATE {VERSIONING.TABLE} SET version = random() "
                    "WHERE id = 1; END"
                )


def drop(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    for table in WATCHED:
        if vendor == "postgresql":
            execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
        elif vendor == "sqlite":
            for operation in ("insert", "update", "delete"):
                execute(f"DROP TRIGGER IF EXISTS {table}_version_{operation}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("catalog", "0006_catalog_version"),
    ]

    operations = [migrations.RunPython(create, drop)]
