"""A catalog made once per test session and put back in every test that asks for it.

Loading fixtures/catalog.json or importing the seed listings takes seconds
(a save() per row, the search index, on PostgreSQL a vector per paper); dozens
of tests start from one of those two catalogs. `TableSnapshot.take()` runs the
real loader once, copies the rows it wrote into side tables of the test
database (`CREATE TABLE … AS SELECT *`) and empties the catalog tables again;
`restore()` puts the rows back with one `INSERT … SELECT` per table, inside the
test's own transaction, so the test sees exactly what the loader wrote and its
rollback still undoes everything. Side tables belong to no model: Django's
flush (transactional tests) never touches them.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections, transaction


def _models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _count(model, using) -> int:
    return model._base_manager.using(using).count()


class TableSnapshot:
    """The rows one loader writes into an empty catalog."""

    def __init__(self, name: str, using: str, models: list):
        self.name, self.using, self.models = name, using, models

    def side_table(self, model) -> str:
        return f"snapshot_{self.name}__{model._meta.db_table}"

    @classmethod
    def take(cls, name: str, load, using: str = "default"):
        """Run `load()` on the database as it is (outside any test), keep what it
        wrote, and leave the tables as they were. Returns the snapshot and what
        `load()` returned."""
        connection = connections[using]
        if connection.in_atomic_block:
            # A test's transaction would roll the side tables back with it.
            raise RuntimeError(
                f"snapshot {name!r}: taken inside a transaction; take it in a "
                "session fixture the test names among its arguments"
            )
        quote = connection.ops.quote_name
        models = _models()
        before = {model: _count(model, using) for model in models}
        with transaction.atomic(using=using):
            result = load()
            written = [model for model in models if _count(model, using) != before[model]]
            snapshot = cls(name, using, written)
            with connection.cursor() as cursor:
                for model in written:
                    if before[model]:
                        # Restoring would duplicate the rows that were there before.
                        raise RuntimeError(
                            f"snapshot {name!r}: {model._meta.label} had rows before it "
                            "loaded; a snapshot can only keep tables the loader fills"
                        )
                    table, side = quote(model._meta.db_table), quote(snapshot.side_table(model))
                    cursor.execute(f"DROP TABLE IF EXISTS {side}")
                    cursor.execute(f"CREATE TABLE {side} AS SELECT * FROM {table}")
                    # Raw SQL: no signals (deleting a paper records a DeletedPaper).
                    cursor.execute(f"DELETE FROM {table}")
        return snapshot, result

    def restore(self) -> None:
        """Put the rows back (in the caller's transaction), and move the id
        sequences past them."""
        connection = connections[self.using]
        quote = connection.ops.quote_name
        # One transaction (a savepoint in a test's): foreign keys are checked at
        # its end, whatever order the tables come back in, as with loaddata.
        with transaction.atomic(using=self.using), connection.cursor() as cursor:
            for model in self.models:
                cursor.execute(
                    f"INSERT INTO {quote(model._meta.db_table)} "
                    f"SELECT * FROM {quote(self.side_table(model))}"
                )
            if connection.vendor == "postgresql":
                for model in self.models:
                    cursor.execute(*_sequence_past_sql(model, quote))
            # (SQLite's AUTOINCREMENT goes past the highest id by itself.)


def _sequence_past_sql(model, quote):
    """PostgreSQL: move the table's id sequence past the rows put back, as
    `loaddata` does, but never back: sequences are not rolled back with a
    test, and one set back to the end of this snapshot's ids would hand out
    another snapshot's ids to rows a later test writes before restoring that
    one."""
    table, column = model._meta.db_table, model._meta.pk.column
    return (
        "SELECT setval(seq, top) FROM (SELECT pg_get_serial_sequence(%s, %s) AS seq, "
        f"(SELECT max({quote(column)}) FROM {quote(table)}) AS top) AS s "
        "WHERE seq IS NOT NULL AND top > COALESCE(pg_sequence_last_value(seq::regclass), 0)",
        [quote(table), column],
    )
