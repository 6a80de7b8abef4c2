"""Totals kept by triggers as 0013's counts, for pages after a write.

After every write the cache is empty, and the front page, the unfiltered
list and a person page summed cells: 7,500 (venue, year) cells for the
papers per venue, 60,000 people for their number, and for the most
prolific author of 100,000 papers 1,301 (venue, year) cells of her own,
one per venue and year she published in (scattered over ~1,000 table
pages). These tables hold the sums, so each page reads a few rows:

* catalog_venuetotal: papers per venue (venue_key 0: no venue);
* catalog_personyear: a person's papers per year (year_key 0: no year);
* catalog_personvenue: a person's papers per venue (venue_key 0: none),
  indexed by count, so the most frequent venues are read first;
* catalog_rowcount: the number of rows of people_person and venues_venue.

Exact in the writing transaction, as 0013 and 0015: an authorship counts
when its paper exists, a paper counts the authorships that exist (deferred
foreign keys let them be written in either order).
"""

from django.db import migrations

PREFIX = "papershelf_kept"
ROW_COUNTED = ("people_person", "venues_venue")

# table: (its keys, the cell of a row as "expression AS key" columns, by
# the watched table, and the paper columns whose change moves a row).
KEPT = {
    "catalog_venuetotal": ("venue_key", "COALESCE(p.venue_id, 0) AS venue_key", "venue_id"),
    "catalog_personyear": (
        "person_id, year_key",
        "a.person_id AS person_id, COALESCE(p.year, 0) AS year_key",
        "year",
    ),
    "catalog_personvenue": (
        "person_id, venue_key",
        "a.person_id AS person_id, COALESCE(p.venue_id, 0) AS venue_key",
        "venue_id",
    ),
}


def upsert(table: str, keys: str, select: str) -> str:
    return (
        f"INSERT INTO {table} ({keys}, papers) SELECT {keys}, SUM(d) FROM ({select}) AS delta "
        f"WHERE true GROUP BY {keys} ON CONFLICT ({keys}) DO UPDATE SET papers = {table}.papers + "
        "excluded.papers"
    )


def watched(table: str) -> dict:
    """The watched tables of `table`: name -> (changes(rows, d), the row's
    columns, the paper columns an update watches, the update's condition)."""
    keys, cell, moves = KEPT[table]
    if table == "catalog_venuetotal":

        def paper_rows(rows, d):
            return upsert(table, keys, f"SELECT {cell}, {d} AS d FROM {rows} AS p")

        return {
            "catalog_paper": (
                paper_rows,
                "venue_id",
                "venue_id",
                "OLD.venue_id IS DISTINCT FROM NEW.venue_id",
            )
        }

    def paper_changes(rows, d):
        return upsert(
            table,
            keys,
            f"SELECT {cell}, {d} AS d FROM {rows} AS p "
            "JOIN catalog_authorship AS a ON a.paper_id = p.id",
        )

    def authorship_changes(rows, d):
        return upsert(
            table,
            keys,
            f"SELECT {cell}, {d} AS d FROM {rows} AS a JOIN catalog_paper AS p ON p.id = a.paper_id",
        )

    return {
        "catalog_paper": (
            paper_changes,
            f"id, {moves}",
            moves,
            f"OLD.{moves} IS DISTINCT FROM NEW.{moves} OR OLD.id <> NEW.id",
        ),
        "catalog_authorship": (
            authorship_changes,
            "paper_id, person_id",
            "paper_id, person_id",
            "OLD.paper_id <> NEW.paper_id OR OLD.person_id <> NEW.person_id",
        ),
    }


def one_row(record: str, columns: str) -> str:
    values = ", ".join(f"{record}.{column} AS {column}" for column in columns.split(", "))
    return f"(SELECT {values})"


def short(table: str) -> str:
    return table.removeprefix("catalog_")


def postgres_triggers(execute, name: str, on: str, triggers: dict) -> None:
    for kind, (event, level, when, statements) in triggers.items():
        function = f"{PREFIX}_{name}_{kind}"
        execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{'; '.join(statements)}; RETURN NULL; END $$"
        )
        execute(
            f"CREATE TRIGGER {name}_{kind} AFTER {event} ON {on} {level} {when} "
            f"EXECUTE FUNCTION {function}()"
        )


def statement_triggers(inserted: str, deleted: str) -> dict:
    """postgres_triggers() entries for inserts and deletes: once per statement,
    `inserted` reading the transition table new_rows, `deleted` old_rows."""
    each = "FOR EACH STATEMENT"
    return {
        "insert": ("INSERT", f"REFERENCING NEW TABLE AS new_rows {each}", "", [inserted]),
        "delete": ("DELETE", f"REFERENCING OLD TABLE AS old_rows {each}", "", [deleted]),
    }


def sqlite_triggers(execute, name: str, on: str, triggers: dict) -> None:
    for kind, (event, when, statements) in triggers.items():
        body = "".join(f"{statement}; " for statement in statements)
        execute(f"CREATE TRIGGER {name}_{kind} AFTER {event} ON {on} {when} BEGIN {body}END")


def keep_sums(execute, vendor: str, table: str) -> None:
    for on, (changes, columns, updated, moved) in watched(table).items():
        old, new = one_row("OLD", columns), one_row("NEW", columns)
        name = f"{on}_{short(table)}"
        if vendor == "postgresql":
            postgres_triggers(
                execute,
                name,
                on,
                {
                    **statement_triggers(changes("new_rows", "1"), changes("old_rows", "-1")),
                    "update": (
                        f"UPDATE OF {updated}",
                        "FOR EACH ROW",
                        f"WHEN ({moved})",
                        [changes(old, "-1"), changes(new, "1")],
                    ),
                    "truncate": ("TRUNCATE", "FOR EACH STATEMENT", "", [f"DELETE FROM {table}"]),
                },
            )
        else:
            sqlite_triggers(
                execute,
                name,
                on,
                {
                    "insert": ("INSERT", "", [changes(new, "1")]),
                    "delete": ("DELETE", "", [changes(old, "-1")]),
                    "update": (
                        f"UPDATE OF {updated}",
                        f"WHEN {moved.replace('IS DISTINCT FROM', 'IS NOT')}",
                        [changes(old, "-1"), changes(new, "1")],
                    ),
                },
            )


def keep_row_count(execute, vendor: str, on: str) -> None:
    add = "UPDATE catalog_rowcount SET n = n + ({}) WHERE name = '" + on + "'"
    name = f"{on}_rowcount"
    if vendor == "postgresql":
        postgres_triggers(
            execute,
            name,
            on,
            {
                **statement_triggers(
                    add.format("SELECT COUNT(*) FROM new_rows"),
                    add.format("SELECT -COUNT(*) FROM old_rows"),
                ),
                "truncate": (
                    "TRUNCATE",
                    "FOR EACH STATEMENT",
                    "",
                    [f"UPDATE catalog_rowcount SET n = 0 WHERE name = '{on}'"],
                ),
            },
        )
    else:
        sqlite_triggers(
            execute,
            name,
            on,
            {"insert": ("INSERT", "", [add.format("1")]), "delete": ("DELETE", "", [add.format("-1")])},
        )


def create(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    for table, (keys, cell, _) in KEPT.items():
        execute(
            f"CREATE TABLE {table} ({', '.join(f'{k} integer NOT NULL' for k in keys.split(', '))}, "
            f"papers integer NOT NULL, PRIMARY KEY ({keys}))"
        )
        keep_sums(execute, vendor, table)
        source = "catalog_paper AS p"
        if "a." in cell:
            source += " JOIN catalog_authorship AS a ON a.paper_id = p.id"
        execute(upsert(table, keys, f"SELECT {cell}, 1 AS d FROM {source}"))
    # A person's venues, most papers first.
    execute(
        "CREATE INDEX catalog_personvenue_most ON catalog_personvenue (person_id, papers DESC)"
    )
    execute("CREATE TABLE catalog_rowcount (name varchar(64) PRIMARY KEY, n integer NOT NULL)")
    for on in ROW_COUNTED:
        keep_row_count(execute, vendor, on)
        execute(f"INSERT INTO catalog_rowcount (name, n) SELECT '{on}', COUNT(*) FROM {on}")


def drop(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    names = [(f"{on}_{short(table)}", on) for table in KEPT for on in watched(table)]
    names += [(f"{on}_rowcount", on) for on in ROW_COUNTED]
    for name, on in names:
        for kind in ("insert", "delete", "update", "truncate"):
            if vendor == "postgresql":
                execute(f"DROP TRIGGER IF EXISTS {name}_{kind} ON {on}")
                execute(f"DROP FUNCTION IF EXISTS {PREFIX}_{name}_{kind}()")
            elif vendor == "sqlite":
                execute(f"DROP TRIGGER IF EXISTS {name}_{kind}")
    if vendor in ("postgresql", "sqlite"):
        for table in (*KEPT, "catalog_rowcount"):
            execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0017_narrow_paper_rows"),
        ("people", "0001_initial"),
        ("venues", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
