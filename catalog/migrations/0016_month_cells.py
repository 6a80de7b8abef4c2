"""Papers per (year, month of publication) cell, kept by triggers as 0013's counts.

Deep pages of the unfiltered list sorted newest or oldest first
(catalog/deep_pages.py): `OFFSET 50000` walks 50,000 index entries; with
these counts a page starts at the month (or year) it falls in and offsets
only within it. year_key 0: no year; month_key YYYYMM of published_on, 0
when there is no date. Exact in the writing transaction, as 0013's cells.
"""

from django.db import migrations

TABLE = "catalog_monthcount"
KEYS = "year_key, month_key"
PREFIX = "papershelf_month_cells"
# The month of published_on as YYYYMM, alike on both databases (0 without a date).
MONTH = {
    "postgresql": "COALESCE(CAST(to_char(p.published_on, 'YYYYMM') AS integer), 0)",
    "sqlite": "COALESCE(CAST(strftime('%Y%m', p.published_on) AS integer), 0)",
}
MOVED = "OLD.year IS DISTINCT FROM NEW.year OR OLD.published_on IS DISTINCT FROM NEW.published_on"


def upsert(select: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({KEYS}, papers) SELECT {KEYS}, SUM(d) FROM ({select}) AS delta "
        f"WHERE true GROUP BY {KEYS} ON CONFLICT ({KEYS}) DO UPDATE SET papers = {TABLE}.papers + "
        "excluded.papers"
    )


def changes(vendor: str, rows: str, d: str) -> str:
    return upsert(
        f"SELECT COALESCE(p.year, 0) AS year_key, {MONTH[vendor]} AS month_key, {d} AS d "
        f"FROM {rows} AS p"
    )


def one_row(record: str) -> str:
    return f"(SELECT {record}.year AS year, {record}.published_on AS published_on)"


def create(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    execute(
        f"CREATE TABLE {TABLE} (year_key integer NOT NULL, month_key integer NOT NULL, "
        "papers integer NOT NULL, PRIMARY KEY (year_key, month_key))"
    )
    moved = [changes(vendor, one_row("OLD"), "-1"), changes(vendor, one_row("NEW"), "1")]
    if vendor == "postgresql":
        triggers = {
            "insert": (
                "INSERT",
                "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
                "",
                [changes(vendor, "new_rows", "1")],
            ),
            "delete": (
                "DELETE",
                "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
                "",
                [changes(vendor, "old_rows", "-1")],
            ),
            "update": ("UPDATE OF year, published_on", "FOR EACH ROW", f"WHEN ({MOVED})", moved),
            "truncate": ("TRUNCATE", "FOR EACH STATEMENT", "", [f"DELETE FROM {TABLE}"]),
        }
        for kind, (event, level, when, statements) in triggers.items():
            function = f"{PREFIX}_{kind}"
            execute(
                f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{'; '.join(statements)}; RETURN NULL; END $$"
            )
            execute(
                f"CREATE TRIGGER catalog_paper_month_cells_{kind} AFTER {event} ON catalog_paper "
                f"{level} {when} EXECUTE FUNCTION {function}()"
            )
    else:
        triggers = {
            "insert": ("INSERT", "", [changes(vendor, one_row("NEW"), "1")]),
            "delete": ("DELETE", "", [changes(vendor, one_row("OLD"), "-1")]),
            "update": (
                "UPDATE OF year, published_on",
                f"WHEN {MOVED.replace('IS DISTINCT FROM', 'IS NOT')}",
                moved,
            ),
        }
        for kind, (event, when, statements) in triggers.items():
            body = "".join(f"{statement}; " for statement in statements)
            execute(
                f"CREATE TRIGGER catalog_paper_month_cells_{kind} AFTER {event} ON catalog_paper "
                f"{when} BEGIN {body}END"
            )
    execute(changes(vendor, "catalog_paper", "1"))


def drop(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    for kind in ("insert", "delete", "update", "truncate"):
        if vendor == "postgresql":
            execute(f"DROP TRIGGER IF EXISTS catalog_paper_month_cells_{kind} ON catalog_paper")
            execute(f"DROP FUNCTION IF EXISTS {PREFIX}_{kind}()")
        elif vendor == "sqlite":
            execute(f"DROP TRIGGER IF EXISTS catalog_paper_month_cells_{kind}")
    if vendor in ("postgresql", "sqlite"):
        execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0015_person_cells")]

    operations = [migrations.RunPython(create, drop)]
