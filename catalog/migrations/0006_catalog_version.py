"""The catalog version that cache keys include (core/cache.py).

One row, changed by triggers on every write to a table the browsing pages
read. PostgreSQL: one statement-level BEFORE trigger per table (it takes the
version row's lock before the statement locks any catalog row, so concurrent
writers queue instead of deadlocking), new values from a sequence. SQLite: row
triggers (it has no statement triggers), new values from random(). Either way
a rolled-back write never leaves a version that later names other data.
"""

from django.db import migrations

TABLE = "papershelf_catalog_version"
SEQUENCE = "papershelf_catalog_version_seq"
FUNCTION = "papershelf_bump_catalog_version"
WATCHED = [
    "catalog_paper",
    "catalog_authorship",
    "catalog_paper_awards",
    "catalog_award",
    "catalog_papersource",
    "people_person",
    "people_personalias",
    "venues_venue",
    "venues_venuealias",
]


def create(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(f"CREATE SEQUENCE {SEQUENCE}")
        execute(
            f"CREATE TABLE {TABLE} (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)"
        )
        execute(f"INSERT INTO {TABLE} (id, version) VALUES (1, nextval('{SEQUENCE}'))")
        execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE {TABLE} SET version = nextval('{SEQUENCE}') WHERE id = 1; RETURN NULL; "
            "END $$"
        )
        for table in WATCHED:
            execute(
                f"CREATE TRIGGER {table}_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        execute(
            f"CREATE TABLE {TABLE} (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)"
        )
        execute(f"INSERT INTO {TABLE} (id, version) VALUES (1, random())")
        for table in WATCHED:
            for operation in ("INSERT", "UPDATE", "DELETE"):
                execute(
                    f"CREATE TRIGGER {table}_version_{operation.lower()} AFTER {operation} "
                    f"ON {table} BEGIN UPDATE {TABLE} SET version = random() WHERE id = 1; END"
                )


def drop(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in WATCHED:
            execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
        execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
        execute(f"DROP TABLE IF EXISTS {TABLE}")
        execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
    elif schema_editor.connection.vendor == "sqlite":
        for table in WATCHED:
            for operation in ("insert", "update", "delete"):
                execute(f"DROP TRIGGER IF EXISTS {table}_version_{operation}")
        execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_list_indexes"),
        ("people", "0001_initial"),
        ("venues", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
