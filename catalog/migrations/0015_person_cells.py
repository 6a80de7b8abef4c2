"""A person's papers per (venue, year) cell, kept by triggers as 0013's counts.

A person page shows the person's papers per year and per venue: grouping
the most prolific author's 2,482 papers at 100,000 read each of them (tens
of milliseconds after every write). catalog_personcell holds the counts
(0: no venue, no year), changed in the writing transaction: an authorship
written or deleted counts in its paper's cell, a paper moved to another
venue or year moves its authors' counts. As in 0013, a paper and its
authorships may be written in either order (deferred foreign keys): a
paper's trigger counts the authorships that already exist, an authorship's
only when its paper exists.
"""

from django.db import migrations

TABLE = "catalog_personcell"
KEYS = "person_id, venue_key, year_key"
PREFIX = "papershelf_person_cells"


def upsert(select: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({KEYS}, papers) SELECT {KEYS}, SUM(d) FROM ({select}) AS delta "
        f"WHERE true GROUP BY {KEYS} ON CONFLICT ({KEYS}) DO UPDATE SET papers = {TABLE}.papers + "
        "excluded.papers"
    )


def cell(d: str) -> str:
    return (
        "a.person_id AS person_id, COALESCE(p.venue_id, 0) AS venue_key, "
        f"COALESCE(p.year, 0) AS year_key, {d} AS d"
    )


def paper_changes(rows: str, d: str) -> list[str]:
    return [
        upsert(
            f"SELECT {cell(d)} FROM {rows} AS p JOIN catalog_authorship AS a ON a.paper_id = p.id"
        )
    ]


def authorship_changes(rows: str, d: str) -> list[str]:
    return [
        upsert(f"SELECT {cell(d)} FROM {rows} AS a JOIN catalog_paper AS p ON p.id = a.paper_id")
    ]


def one_row(record: str, columns: str) -> str:
    values = ", ".join(f"{record}.{column} AS {column}" for column in columns.split(", "))
    return f"(SELECT {values})"


WATCHED = {
    "catalog_paper": (
        paper_changes,
        "id, venue_id, year",
        "venue_id, year",
        "OLD.venue_id IS DISTINCT FROM NEW.venue_id OR OLD.year IS DISTINCT FROM NEW.year "
        "OR OLD.id <> NEW.id",
    ),
    "catalog_authorship": (
        authorship_changes,
        "paper_id, person_id",
        "paper_id, person_id",
        "OLD.paper_id <> NEW.paper_id OR OLD.person_id <> NEW.person_id",
    ),
}


def create(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    execute(
        f"CREATE TABLE {TABLE} (person_id integer NOT NULL, venue_key integer NOT NULL, "
        "year_key integer NOT NULL, papers integer NOT NULL, "
        "PRIMARY KEY (person_id, venue_key, year_key))"
    )
    for table, (changes, columns, updated, moved) in WATCHED.items():
        old, new = one_row("OLD", columns), one_row("NEW", columns)
        if vendor == "postgresql":
            triggers = {
                "insert": (
                    "INSERT",
                    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
                    "",
                    changes("new_rows", "1"),
                ),
                "delete": (
                    "DELETE",
                    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
                    "",
                    changes("old_rows", "-1"),
                ),
                "update": (
                    f"UPDATE OF {updated}",
                    "FOR EACH ROW",
                    f"WHEN ({moved})",
                    changes(old, "-1") + changes(new, "1"),
                ),
                "truncate": ("TRUNCATE", "FOR EACH STATEMENT", "", [f"DELETE FROM {TABLE}"]),
            }
            for kind, (event, level, when, statements) in triggers.items():
                function = f"{PREFIX}_{table}_{kind}"
                execute(
                    f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"{'; '.join(statements)}; RETURN NULL; END $$"
                )
                execute(
                    f"CREATE TRIGGER {table}_person_cells_{kind} AFTER {event} ON {table} "
                    f"{level} {when} EXECUTE FUNCTION {function}()"
                )
        else:
            triggers = {
                "insert": ("INSERT", "", changes(new, "1")),
                "delete": ("DELETE", "", changes(old, "-1")),
                "update": (
                    f"UPDATE OF {updated}",
                    f"WHEN {moved.replace('IS DISTINCT FROM', 'IS NOT')}",
                    changes(old, "-1") + changes(new, "1"),
                ),
            }
            for kind, (event, when, statements) in triggers.items():
                body = "".join(f"{statement}; " for statement in statements)
                execute(
                    f"CREATE TRIGGER {table}_person_cells_{kind} AFTER {event} ON {table} {when} "
                    f"BEGIN {body}END"
                )
    execute(
        upsert(
            f"SELECT {cell('1')} FROM catalog_authorship AS a "
            "JOIN catalog_paper AS p ON p.id = a.paper_id"
        )
    )


def drop(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    for table in WATCHED:
        for kind in ("insert", "delete", "update", "truncate"):
            if vendor == "postgresql":
                execute(f"DROP TRIGGER IF EXISTS {table}_person_cells_{kind} ON {table}")
                execute(f"DROP FUNCTION IF EXISTS {PREFIX}_{table}_{kind}()")
            elif vendor == "sqlite":
                execute(f"DROP TRIGGER IF EXISTS {table}_person_cells_{kind}")
    if vendor in ("postgresql", "sqlite"):
        execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0014_venue_sort_indexes")]

    operations = [migrations.RunPython(create, drop)]
