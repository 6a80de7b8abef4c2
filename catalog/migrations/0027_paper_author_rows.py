"""Each paper's list row authors kept in its row on PostgreSQL (author_rows).

A list's rows read each paper's authors as JSON ([name, slug, position] in
author order, catalog.paper_rows.RELATIONS): a subquery per row that reads
its authorships and each author's person, ~1 ms of a search page's 26 rows
(EXPLAIN ANALYZE at 100,000 papers: 1.39 ms with it, 0.33 ms reading this
column instead). The column holds that JSON, or NULL where it is not known,
which the rows' read answers with the subquery (COALESCE): never a stale list.

Kept by triggers, whoever writes (the admin, merges, imports and their
undo, raw SQL), in the writing transaction: a statement that inserts,
deletes or updates authorships computes their papers' lists again, and so
does a change of a person's name or slug. A list that names a person not
(yet) written (deferred foreign keys) is stored NULL, as is a new paper's
until its authorships are written (one written without any stays NULL: its
read finds no authorship); a list computed empty is "[]".
Not a model field: Django never writes it, so a paper saved from a copy read
before its authors changed cannot put an old list back. A bulk load sets the
triggers aside and writes its papers' lists itself (catalog.author_rows).
The first fill rewrites every paper row: ~1-1.5 min at 100,000 papers.

STORAGE MAIN: in the row (~200 bytes), where out of line (TOAST) each row
would read the TOAST table for it. SQLite: nothing (its rows read their
authors in a query of their own, catalog.paper_relations).
"""

from django.db import migrations

# catalog.author_rows._REFRESH as this migration wrote it into the triggers,
# frozen here: a later change of the app's text needs a migration of its own
# (tests/test_author_rows.py checks the triggers run the app's text).
REFRESH = """
UPDATE catalog_paper p SET author_rows = s.authors
FROM (
    SELECT ids.id, (
        SELECT CASE WHEN count(pe.id) = count(*) THEN COALESCE(json_agg(
            json_build_array(pe.name, pe.slug, a.position) ORDER BY a.position NULLS LAST, a.id
        )::text, '[]') END
        FROM catalog_authorship a LEFT JOIN people_person pe ON pe.id = a.person_id
        WHERE a.paper_id = ids.id
    ) AS authors
    FROM unnest({ids}) AS ids(id)
) s
WHERE p.id = s.id AND p.author_rows IS DISTINCT FROM s.authors
"""


def refresh_sql(ids: str) -> str:
    return REFRESH.format(ids=ids)


PREFIX = "papershelf_author_rows"
# (table, kind, event, how it fires, the ids of the papers to compute again)
TRIGGERS = (
    (
        "catalog_authorship",
        "insert",
        "INSERT",
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
        "SELECT DISTINCT paper_id FROM new_rows",
    ),
    (
        "catalog_authorship",
        "delete",
        "DELETE",
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
        "SELECT DISTINCT paper_id FROM old_rows",
    ),
    (
        "catalog_authorship",
        "update",
        "UPDATE",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT",
        "SELECT paper_id FROM old_rows UNION SELECT paper_id FROM new_rows",
    ),
    (
        "people_person",
        "update",
        "UPDATE OF name, slug",
        # A row trigger: a column list takes no transition tables. Renames
        # are rare; other writes of people (the importer's flags) skip it.
        "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug)",
        "SELECT DISTINCT paper_id FROM catalog_authorship WHERE person_id = NEW.id",
    ),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute("ALTER TABLE catalog_paper ADD COLUMN author_rows text")
    execute("ALTER TABLE catalog_paper ALTER COLUMN author_rows SET STORAGE MAIN")
    for table, kind, event, level, ids in TRIGGERS:
        function = f"{PREFIX}_{table}_{kind}"
        execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"EXECUTE $sql${refresh_sql('$1')}$sql$ USING ARRAY({ids}); RETURN NULL; END $$"
        )
        execute(
            f"CREATE TRIGGER {table}_author_rows_{kind} AFTER {event} ON {table} "
            f"{level} EXECUTE FUNCTION {function}()"
        )
    # Authorships emptied at once: no list is known any more.
    execute(
        f"CREATE FUNCTION {PREFIX}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE catalog_paper SET author_rows = NULL WHERE author_rows IS NOT NULL; "
        "RETURN NULL; END $$"
    )
    execute(
        "CREATE TRIGGER catalog_authorship_author_rows_truncate AFTER TRUNCATE ON "
        f"catalog_authorship FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_truncate()"
    )
    execute(refresh_sql("ARRAY(SELECT id FROM catalog_paper)"))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    for table, kind, *_ in TRIGGERS:
        execute(f"DROP TRIGGER {table}_author_rows_{kind} ON {table}")
        execute(f"DROP FUNCTION {PREFIX}_{table}_{kind}()")
    execute("DROP TRIGGER catalog_authorship_author_rows_truncate ON catalog_authorship")
    execute(f"DROP FUNCTION {PREFIX}_truncate()")
    execute("ALTER TABLE catalog_paper DROP COLUMN author_rows")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0026_venue_runs"), ("people", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
