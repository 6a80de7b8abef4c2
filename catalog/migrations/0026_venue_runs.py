"""Papers per venue up to each year (running totals), kept by triggers as 0013's cells.

The list's venue facet under a year range summed every (venue, year) cell
of the range: ~6,800 of 7,500 cells at 100,000 papers, ~1.4 ms of the
server's time on every page with a year filter. With the papers of each
venue up to each year kept, a range is two slices of one year each (the
range's last year, and the year before its first), ~300 rows a slice.

* catalog_venuerun (venue_key, year_key, papers): the papers of venue
  venue_key (0: no venue; -1: all papers) whose year is at most year_key;
  papers without a year are not counted.

The years with a row of venue -1 are the table's years: a slice is read at
the latest of them not after the year asked. Every venue whose count is not
0 at one of these years has a row there (a missing row reads as 0), so a
new year copies the slice of the year before it, and a paper of a venue
writes its rows from its year on. Rows are never deleted but by a recount:
a year whose papers are all gone keeps a slice equal to the one before it,
which changes no count (catalog.counts.differences() compares what the
rows count, not the rows). Exact in the writing transaction, as 0013.
A copy, unlike a count added, would miss what a writer not yet committed
added to the slice it copies: on PostgreSQL, writers of catalog_paper wait
for each other at the catalog version's row (0006, before each statement),
so a copy never runs beside another writer's uncommitted counts.
"""

from importlib import import_module

from django.db import migrations

# Its trigger helpers: functions papershelf_kept_<NAME>_<kind>, triggers <NAME>_<kind>.
kept = import_module("catalog.migrations.0018_kept_totals")

TABLE = "catalog_venuerun"
NAME = "catalog_paper_venuerun"
MOVED = "OLD.venue_id IS DISTINCT FROM NEW.venue_id OR OLD.year IS DISTINCT FROM NEW.year"
ALL = -1  # the venue_key of every paper


def deltas(rows: str, d: str) -> str:
    """The changes of `rows` (papers with venue_id and year) as (v, y, d) rows,
    one per venue and year, each also counted for all papers (venue ALL):
    an import's statement of thousands of papers joins a few hundred."""
    dated = f"FROM {rows} AS p WHERE p.year IS NOT NULL"
    return (
        f"SELECT v, y, SUM(d) AS d FROM (SELECT COALESCE(p.venue_id, 0) AS v, p.year AS y, "
        f"{d} AS d {dated} UNION ALL SELECT {ALL}, p.year, {d} {dated}) AS c GROUP BY v, y"
    )


def added(rows: str) -> list[str]:
    """Statements counting the papers `rows` in: the rows they need first
    (a new year copies the slice before it; then a row for each of their
    venues from their year on), then the counts."""
    years = f"SELECT DISTINCT p.year AS y FROM {rows} AS p WHERE p.year IS NOT NULL"
    keep = "ON CONFLICT (venue_key, year_key) DO NOTHING"
    return [
        f"INSERT INTO {TABLE} (venue_key, year_key, papers) "
        f"SELECT r.venue_key, n.y, r.papers FROM ({years}) AS n JOIN {TABLE} AS r "
        f"ON r.year_key = (SELECT MAX(g.year_key) FROM {TABLE} AS g "
        f"WHERE g.venue_key = {ALL} AND g.year_key < n.y) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} AS e WHERE e.venue_key = {ALL} "
        f"AND e.year_key = n.y) {keep}",
        f"INSERT INTO {TABLE} (venue_key, year_key, papers) "
        f"SELECT {ALL}, n.y, 0 FROM ({years}) AS n WHERE true {keep}",
        f"INSERT INTO {TABLE} (venue_key, year_key, papers) "
        f"SELECT x.v, g.year_key, 0 FROM (SELECT v, MIN(y) AS y FROM ({deltas(rows, '1')}) AS c "
        f"GROUP BY v) AS x JOIN {TABLE} AS g "
        f"ON g.venue_key = {ALL} AND g.year_key >= x.y WHERE true {keep}",
        counted(rows, "1"),
    ]


def counted(rows: str, d: str) -> str:
    """The statement adding `d` for each paper of `rows` to its venue's rows
    (and all papers') from its year on."""
    return (
        f"UPDATE {TABLE} SET papers = {TABLE}.papers + s.d FROM ("
        f"SELECT g.venue_key, g.year_key, SUM(x.d) AS d FROM ({deltas(rows, d)}) AS x "
        f"JOIN {TABLE} AS g ON g.venue_key = x.v AND g.year_key >= x.y "
        "GROUP BY g.venue_key, g.year_key"
        f") AS s WHERE {TABLE}.venue_key = s.venue_key AND {TABLE}.year_key = s.year_key"
    )


def one_row(record: str) -> str:
    return f"(SELECT {record}.venue_id AS venue_id, {record}.year AS year)"


def fill() -> str:
    """Every row from the (venue, year) cells of 0013: each venue's running
    sum over the years that have papers, the rows that count none left out."""
    cells = "catalog_papercount"
    dated = "year_key <> 0 AND papers <> 0"
    return f"""
        INSERT INTO {TABLE} (venue_key, year_key, papers)
        SELECT venue_key, year_key, papers FROM (
            SELECT v.venue_key, y.year_key, SUM(COALESCE(c.papers, 0)) OVER (
                PARTITION BY v.venue_key ORDER BY y.year_key) AS papers
            FROM (SELECT venue_key FROM {cells} WHERE {dated} UNION SELECT {ALL}) AS v
            CROSS JOIN (SELECT DISTINCT year_key FROM {cells} WHERE {dated}) AS y
            LEFT JOIN (
                SELECT venue_key, year_key, papers FROM {cells} WHERE {dated}
                UNION ALL SELECT {ALL}, year_key, SUM(papers) FROM {cells} WHERE {dated}
                GROUP BY year_key
            ) AS c ON c.venue_key = v.venue_key AND c.year_key = y.year_key
        ) AS runs WHERE papers <> 0"""


# The table, and its index by year: a year's slice read without the table
# (the count in the index: INCLUDE on PostgreSQL, a last column on SQLite).
TABLES = {
    vendor: [
        f"CREATE TABLE {TABLE} (venue_key integer NOT NULL, year_key integer NOT NULL, "
        "papers integer NOT NULL, PRIMARY KEY (venue_key, year_key))",
        f"CREATE INDEX catalog_venuerun_by_year ON {TABLE} {covering}",
    ]
    for vendor, covering in (
        ("postgresql", "(year_key, venue_key) INCLUDE (papers)"),
        ("sqlite", "(year_key, venue_key, papers)"),
    )
}


def create(apps, schema_editor):
    vendor, execute = schema_editor.connection.vendor, schema_editor.execute
    if vendor not in TABLES:
        return
    for statement in TABLES[vendor]:
        execute(statement)
    moved = [counted(one_row("OLD"), "-1"), *added(one_row("NEW"))]
    update = "UPDATE OF venue_id, year"
    if vendor == "postgresql":
        triggers = {
            **kept.statement_triggers("; ".join(added("new_rows")), counted("old_rows", "-1")),
            "update": (update, "FOR EACH ROW", f"WHEN ({MOVED})", moved),
            "truncate": ("TRUNCATE", "FOR EACH STATEMENT", "", [f"DELETE FROM {TABLE}"]),
        }
        kept.postgres_triggers(execute, NAME, "catalog_paper", triggers)
    else:
        triggers = {
            "insert": ("INSERT", "", added(one_row("NEW"))),
            "delete": ("DELETE", "", [counted(one_row("OLD"), "-1")]),
            "update": (update, f"WHEN {MOVED.replace('IS DISTINCT FROM', 'IS NOT')}", moved),
        }
        kept.sqlite_triggers(execute, NAME, "catalog_paper", triggers)
    execute(fill())


def drop(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    for kind in ("insert", "delete", "update", "truncate"):
        if vendor == "postgresql":
            execute(f"DROP TRIGGER IF EXISTS {NAME}_{kind} ON catalog_paper")
            execute(f"DROP FUNCTION IF EXISTS {kept.PREFIX}_{NAME}_{kind}()")
        else:
            execute(f"DROP TRIGGER IF EXISTS {NAME}_{kind}")
    execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0025_paper_title_in_row")]

    operations = [migrations.RunPython(create, drop)]
