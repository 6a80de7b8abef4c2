"""SQLite's full-text index: an FTS5 table beside catalog_paper (catalog/search/sqlite.py).

Title, author names and abstract are its three columns, so bm25() can weigh
them; the porter stemmer and unicode61 with `remove_diacritics 2` stem and
fold accents as PostgreSQL's `english` configuration with `unaccent` does.
Letters without a Unicode decomposition (ł, ø, ß, æ …) are transliterated
here in SQL, as catalog.search.fold() transliterates the query's, so
"polacin" finds "Połacin" on both databases.

Triggers keep it in step with catalog_paper, whoever writes: the admin,
the importer's bulk writes, merges (through refresh_search_index(), which
updates `author_names`), raw SQL, loaddata, test snapshots. Plain SQL only:
no function a connection must register first. PostgreSQL is unaffected.
"""

from django.db import migrations

TABLE = "catalog_paper_fts"
COLUMNS = ("title", "author_names", "abstract")
TOKENIZE = "porter unicode61 remove_diacritics 2"
# As core.slugs._TRANSLITERATE, frozen here (a migration must not change
# meaning when application code does).
TRANSLITERATIONS = {
    "ł": "l",
    "Ł": "L",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "þ": "th",
    "ð": "d",
    "\u0131": "i",
}


def _transliterated(column: str) -> str:
    expression = column
    for letter, replacement in TRANSLITERATIONS.items():
        expression = f"replace({expression}, '{letter}', '{replacement}')"
    return expression


def _insert(prefix: str) -> str:
    values = ", ".join(_transliterated(f"{prefix}{column}") for column in COLUMNS)
    return f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) VALUES ({prefix}id, {values});"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    execute = schema_editor.execute
    execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5({', '.join(COLUMNS)}, tokenize='{TOKENIZE}')")
    values = ", ".join(_transliterated(column) for column in COLUMNS)
    execute(
        f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) SELECT id, {values} FROM catalog_paper"
    )
    execute(f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON catalog_paper BEGIN {_insert('new.')} END")
    execute(
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF id, {', '.join(COLUMNS)} ON catalog_paper "
        f"BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; {_insert('new.')} END"
    )
    execute(
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON catalog_paper "
        f"BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for operation in ("insert", "update", "delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{operation}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_source_formats_bibtex_and_lookup"),
    ]

    operations = [migrations.RunPython(create, drop)]
