"""Search rows on PostgreSQL: a narrow copy of the papers' search vectors.

catalog_searchrow holds, for every paper, its id, venue, year, date and
search vector, with its own GIN index (catalog.models.SearchRow). A search's
matches are counted, grouped by year and sorted newest first from it
(catalog/search/estimate.py): reading them visits every heap page holding a
match, and a search row is ~70 bytes (the vector out of line, like the
papers' with migration 0017), about 930 pages for 100,000 papers where the
papers' table has 6,600: a word in 60% of the catalog read 6,600 pages
there, and reads at most 930 here.

Kept in step by triggers, whoever writes (the admin, the importer's bulk
INSERT ... SELECT, COPY, merges, raw SQL): a statement trigger with a
transition table for INSERT and DELETE (bulk writes stay bulk), a row
trigger for the UPDATE that changes a paper's vector, venue, year or date,
and TRUNCATE clears. `toast_tuple_target = 128`: a vector arriving out of
line (a paper row is over 2 KB, so its vector is) is moved out of line here
too, rather than copied into the row.
SQLite: an empty table, never read or written (its FTS5 table, migration
0012, plays that role), so that whatever lists every model's rows (dumpdata,
a backup) finds it there too.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models

TABLE = "catalog_searchrow"
COLUMNS = "paper_id, venue_id, year, published_on, search_vector"
FROM_PAPER = "id, venue_id, year, published_on, search_vector"
PREFIX = "papershelf_search_rows"
WATCHED = ("id", "venue_id", "year", "published_on", "search_vector")

CREATE = (
    f"CREATE TABLE {TABLE} (paper_id bigint PRIMARY KEY, venue_id bigint, year smallint, "
    "published_on date, search_vector tsvector) WITH (toast_tuple_target = 128)",
    # A 64 MB pending list: new rows' entries are appended to it and merged
    # into the index in bulk (by (auto)vacuum, or when it fills), where the
    # default 4 MB merged every few thousand rows of an import: with it, the
    # copy of each new paper's vector made an import of 30,000 papers 35-60%
    # slower; with 64 MB, within noise of no copy.
    f"CREATE INDEX {TABLE}_vector_gin ON {TABLE} USING gin (search_vector) "
    "WITH (gin_pending_list_limit = 65536)",
    # Read backwards: the newest years first, with or without a venue
    # (estimate.LATEST_YEARS_ORDER), as catalog_paper's 0005 and 0014 indexes.
    f"CREATE INDEX {TABLE}_oldest_idx ON {TABLE} (year, published_on, paper_id)",
    f"CREATE INDEX {TABLE}_venue_oldest_idx ON {TABLE} (venue_id, year, published_on, paper_id)",
    f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {FROM_PAPER} FROM catalog_paper",
    f"ANALYZE {TABLE}",
)

BODIES = {
    "insert": (
        "INSERT",
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
        "",
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {FROM_PAPER} FROM new_rows "
        "ON CONFLICT (paper_id) DO UPDATE SET venue_id = excluded.venue_id, "
        "year = excluded.year, published_on = excluded.published_on, "
        "search_vector = excluded.search_vector",
    ),
    "delete": (
        "DELETE",
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
        "",
        f"DELETE FROM {TABLE} WHERE paper_id IN (SELECT id FROM old_rows)",
    ),
    "update": (
        f"UPDATE OF {', '.join(WATCHED)}",
        "FOR EACH ROW",
        "WHEN ("
        + " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in WATCHED)
        + ")",
        f"DELETE FROM {TABLE} WHERE paper_id = OLD.id; "
        f"INSERT INTO {TABLE} ({COLUMNS}) VALUES "
        "(NEW.id, NEW.venue_id, NEW.year, NEW.published_on, NEW.search_vector)",
    ),
    "truncate": ("TRUNCATE", "FOR EACH STATEMENT", "", f"TRUNCATE {TABLE}"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TABLE {TABLE} (paper_id integer PRIMARY KEY, venue_id bigint, "
            "year smallint, published_on date, search_vector text)"
        )
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE:
        schema_editor.execute(statement)
    for kind, (event, level, when, body) in BODIES.items():
        function = f"{PREFIX}_{kind}"
        schema_editor.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{body}; RETURN NULL; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER catalog_paper_search_rows_{kind} AFTER {event} ON catalog_paper "
            f"{level} {when} EXECUTE FUNCTION {function}()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    if schema_editor.connection.vendor != "postgresql":
        return
    for kind in BODIES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS catalog_paper_search_rows_{kind} ON catalog_paper")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PREFIX}_{kind}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0018_kept_totals"),
        ("venues", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchRow",
            fields=[
                (
                    "paper",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="catalog.paper",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(null=True)),
                ("published_on", models.DateField(null=True)),
                ("search_vector", SearchVectorField(null=True)),
                (
                    "venue",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="venues.venue",
                    ),
                ),
            ],
            options={"db_table": "catalog_searchrow", "managed": False},
        ),
        migrations.RunPython(create, drop),
    ]
