"""Counts the browsing pages read instead of counting papers (catalog/counts.py).

Three tables, kept by triggers whoever writes (the admin, the importer's bulk
writes and COPY, merges, raw SQL), so a count is exact in the same
transaction as the write:

* catalog_papercount: papers per (venue, year) cell. 0 stands for "no venue"
  and "no year". Every count over venues and years alone — the number of
  papers, papers per venue, per year, in a year range — sums a few thousand
  cells instead of reading 100,000 papers.
* catalog_awardcount: awarded papers per (award, venue, year) cell.
* catalog_personcount: papers per person (their authorships).

PostgreSQL: statement triggers with transition tables for INSERT and DELETE
(one grouped upsert per statement: COPY and bulk inserts stay bulk), row
triggers for the rare UPDATE that moves a paper to another venue or year, an
authorship to another person (merges) or an award row, and TRUNCATE clears.
SQLite: row triggers. A paper and its awards may be written in either order
(foreign keys are deferred): a paper's own trigger counts the award rows
that already exist, an award row's trigger counts only when its paper
exists, so each pair is counted exactly once either way.
"""

from django.db import migrations

PAPERS, AWARDS, PEOPLE = "catalog_papercount", "catalog_awardcount", "catalog_personcount"
PAPER_KEYS, AWARD_KEYS, PERSON_KEYS = (
    "venue_key, year_key",
    "award_id, venue_key, year_key",
    "person_id",
)
TABLES = {
    PAPERS: PAPER_KEYS,
    AWARDS: AWARD_KEYS,
    PEOPLE: PERSON_KEYS,
}
PREFIX = "papershelf_counts"


def upsert(table: str, select: str) -> str:
    """Add the `d` column of `select` (rows of `table`'s key columns and d) to
    `table`'s counts, one row per key."""
    keys = TABLES[table]
    return (
        f"INSERT INTO {table} ({keys}, papers) SELECT {keys}, SUM(d) FROM ({select}) AS delta "
        f"WHERE true GROUP BY {keys} ON CONFLICT ({keys}) DO UPDATE SET papers = {table}.papers + "
        "excluded.papers"
    )


def cell(paper: str, d: str) -> str:
    """A paper row's (venue, year) cell and a delta, as SELECT columns."""
    return f"COALESCE({paper}.venue_id, 0) AS venue_key, COALESCE({paper}.year, 0) AS year_key, {d} AS d"


def paper_changes(rows: str, d: str) -> list[str]:
    """Statements counting the papers `rows` (a table or transition table) with sign `d`."""
    return [
        upsert(PAPERS, f"SELECT {cell('p', d)} FROM {rows} AS p"),
        upsert(
            AWARDS,
            f"SELECT pa.award_id, {cell('p', d)} FROM {rows} AS p "
            "JOIN catalog_paper_awards AS pa ON pa.paper_id = p.id",
        ),
    ]


def award_changes(rows: str, d: str) -> list[str]:
    return [
        upsert(
            AWARDS,
            f"SELECT pa.award_id, {cell('p', d)} FROM {rows} AS pa "
            "JOIN catalog_paper AS p ON p.id = pa.paper_id",
        )
    ]


def person_changes(rows: str, d: str) -> list[str]:
    return [upsert(PEOPLE, f"SELECT a.person_id, {d} AS d FROM {rows} AS a")]


def one_row(record: str, table: str) -> str:
    """SELECT one trigger record (NEW, OLD) as a row of `table`."""
    columns = {
        "catalog_paper": "id, venue_id, year",
        "catalog_paper_awards": "paper_id, award_id",
        "catalog_authorship": "person_id",
    }[table]
    values = ", ".join(f"{record}.{column} AS {column}" for column in columns.split(", "))
    return f"(SELECT {values})"


# table -> (changes(rows, d), the columns whose UPDATE moves a count, WHEN for that UPDATE)
WATCHED = {
    "catalog_paper": (
        paper_changes,
        "venue_id, year",
        "OLD.venue_id IS DISTINCT FROM NEW.venue_id OR OLD.year IS DISTINCT FROM NEW.year "
        "OR OLD.id <> NEW.id",
    ),
    "catalog_paper_awards": (
        award_changes,
        "paper_id, award_id",
        "OLD.paper_id <> NEW.paper_id OR OLD.award_id <> NEW.award_id",
    ),
    "catalog_authorship": (person_changes, "person_id", "OLD.person_id <> NEW.person_id"),
}
CLEARED_BY_TRUNCATE = {
    "catalog_paper": [PAPERS, AWARDS],
    "catalog_paper_awards": [AWARDS],
    "catalog_authorship": [PEOPLE],
}


def rebuild_sql() -> list[str]:
    """Recount every table from scratch (the migration's first fill)."""
    statements = [f"DELETE FROM {table}" for table in TABLES]
    statements += paper_changes("catalog_paper", "1")
    statements += person_changes("catalog_authorship", "1")
    return statements


def create_tables(execute):
    """The count tables, alike on both databases."""
    execute(
        f"CREATE TABLE {PAPERS} (venue_key integer NOT NULL, year_key integer NOT NULL, "
        "papers integer NOT NULL, PRIMARY KEY (venue_key, year_key))"
    )
    execute(
        f"CREATE TABLE {AWARDS} (award_id integer NOT NULL, venue_key integer NOT NULL, "
        "year_key integer NOT NULL, papers integer NOT NULL, "
        "PRIMARY KEY (award_id, venue_key, year_key))"
    )
    execute(f"CREATE TABLE {PEOPLE} (person_id integer PRIMARY KEY, papers integer NOT NULL)")
    # The most prolific people first, straight from the index (the top-authors facet).
    execute(f"CREATE INDEX {PEOPLE}_papers_idx ON {PEOPLE} (papers DESC, person_id)")


def create_postgresql(execute):
    create_tables(execute)
    for table, (changes, columns, moved) in WATCHED.items():
        kinds = {
            "insert": ("INSERT", "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT", ""),
            "delete": ("DELETE", "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT", ""),
            "update": (f"UPDATE OF {columns}", "FOR EACH ROW", f"WHEN ({moved})"),
            "truncate": ("TRUNCATE", "FOR EACH STATEMENT", ""),
        }
        bodies = {
            "insert": changes("new_rows", "1"),
            "delete": changes("old_rows", "-1"),
            "update": changes(one_row("OLD", table), "-1") + changes(one_row("NEW", table), "1"),
            "truncate": [f"DELETE FROM {cleared}" for cleared in CLEARED_BY_TRUNCATE[table]],
        }
        for kind, (event, level, when) in kinds.items():
            function = f"{PREFIX}_{table}_{kind}"
            body = "; ".join(bodies[kind])
            execute(
                f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{body}; RETURN NULL; END $$"
            )
            execute(
                f"CREATE TRIGGER {table}_counts_{kind} AFTER {event} ON {table} {level} {when} "
                f"EXECUTE FUNCTION {function}()"
            )


def create_sqlite(execute):
    create_tables(execute)
    for table, (changes, columns, moved) in WATCHED.items():
        bodies = {
            "insert": ("INSERT", "", changes(one_row("NEW", table), "1")),
            "delete": ("DELETE", "", changes(one_row("OLD", table), "-1")),
            "update": (
                f"UPDATE OF {columns}",
                f"WHEN {moved.replace('IS DISTINCT FROM', 'IS NOT')}",
                changes(one_row("OLD", table), "-1") + changes(one_row("NEW", table), "1"),
            ),
        }
        for kind, (event, when, statements) in bodies.items():
            body = "".join(f"{statement}; " for statement in statements)
            execute(
                f"CREATE TRIGGER {table}_counts_{kind} AFTER {event} ON {table} {when} "
                f"BEGIN {body}END"
            )


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        create_postgresql(schema_editor.execute)
    elif vendor == "sqlite":
        create_sqlite(schema_editor.execute)
    else:
        return
    for statement in rebuild_sql():
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    for table in WATCHED:
        for kind in ("insert", "delete", "update", "truncate"):
            if vendor == "postgresql":
                execute(f"DROP TRIGGER IF EXISTS {table}_counts_{kind} ON {table}")
                execute(f"DROP FUNCTION IF EXISTS {PREFIX}_{table}_{kind}()")
            elif vendor == "sqlite":
                execute(f"DROP TRIGGER IF EXISTS {table}_counts_{kind}")
    if vendor in ("postgresql", "sqlite"):
        for table in TABLES:
            execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_sqlite_full_text_index"),
        ("people", "0001_initial"),
        ("venues", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
