"""Secondary b-tree indexes set aside while a bulk load writes, on PostgreSQL.

An import that writes more new papers than the catalog holds (a first load,
say) spends much of its database time keeping the indexes of the tables it
fills up to date, row by row: 17 b-trees on the papers alone, more on the
search rows, authorships, sources, revisions and people. Sorting the loaded
table once per index costs a fraction of that (at 100,000 papers: writing
the papers took 38 s of the server's CPU with them, 22 s without, and
building them again 6 s). So such an import drops the tables' secondary
b-trees (neither unique nor behind a constraint: only queries rely on them)
after it has read what it checks against and before it writes, and creates
them again from their own definitions (pg_get_indexdef()) before it commits.
DDL is transactional: an import that fails gets them back with its rollback.
The GIN indexes stay: the writer merges their entries in bulk already, on a
second connection while it writes (catalog.importer.deferred), and building
them after the writes costs more (at 100,000 papers 39 s of CPU for the
three, against 24 to 30 s of merges beside the writes). The foreign keys between these
tables go and come back the same way (foreign_keys()): adding a key checks
every row in one join, where each written row was checked on its own at
commit (an authorship twice).

The price is the lock. Dropping an index locks its table (ACCESS EXCLUSIVE)
until the import commits, so pages reading those tables wait for the import
(a minute or more at 100,000 papers) instead of reading the catalog as it
was. Hence the rule (is_bulk()): at least settings.PAPERSHELF_IMPORT_BULK_FROM
new papers, and no fewer than the papers already there. Any other import
keeps every index and locks no table. The drop waits at most LOCK_WAIT for
the tables (a long query reading them, say); past it the import goes on
with the indexes in place.

The counts the database keeps (catalog.counts) are set aside the same way:
their triggers on these tables, which join each written authorship to its
paper (three times, for the person cells, years and venues) and add it to
the counts, are disabled while the load writes (kept_count_triggers()), and
the kept tables are counted again from the catalog in one pass before the
import commits (counts.recount_statements()): exact, whatever the load
wrote, updated or deleted, and at most twice the new rows' work, where the
triggers cost 26 s of a 100,000-paper import. Their secondary indexes go and
come back like the bulk tables' (the recount writes every row).

So are the triggers that keep each paper's list row authors (catalog.author_rows):
each authorship COPY would compute its papers' lists and rewrite the new
papers' rows, GIN entries and all. The importer writes new papers with their
lists instead, and computes again those of the papers whose authors it
rewrote (refresh_search_index()).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import OperationalError, connections, transaction

from catalog import author_rows, counts
from catalog.models import Authorship, Award, Paper, PaperSource, SearchRow
from history.models import ImportRun, PaperRevision
from people.models import Person, PersonAlias
from venues.models import Venue

logger = logging.getLogger(__name__)

# The tables a bulk load fills, whose secondary indexes it rebuilds.
BULK_MODELS = (Paper, SearchRow, Authorship, Paper.awards.through, PaperSource, PaperRevision)
BULK_MODELS += (Person, PersonAlias)
# Other tables the bulk tables' foreign keys to which go and come back too:
# dropping a key locks the table it refers to until the import commits, and
# these are not read without a bulk table (a venue's or an award's page
# counts its papers; import runs are read beside their revisions, by the
# admin and undo). Kept, each key's rows were checked one by one at commit
# (the papers' venues and the revisions' runs: ~3 s of the server's CPU at
# 200,000 papers, ~20 s at 1,000,000). Not the users: logins must not wait.
KEYS_TO_MODELS = (Venue, Award, ImportRun)
# How long the drop waits for the tables' locks before giving up on it.
LOCK_WAIT = "5s"
# Memory for building each index (the default 64 MB sorts in several passes).
_BUILD_MEMORY_KB = 512 * 1024


def is_bulk(new_papers: int, using: str) -> bool:
    """Whether an import of `new_papers` new papers rebuilds the indexes:
    at least PAPERSHELF_IMPORT_BULK_FROM of them (0: never), and at least
    as many as the papers already there (counted up to that many)."""
    least = settings.PAPERSHELF_IMPORT_BULK_FROM
    if least <= 0 or new_papers < least:
        return False
    table = connections[using].ops.quote_name(Paper._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) AS paper", [new_papers + 1]
        )
        return cursor.fetchone()[0] <= new_papers


def _tables() -> list[str]:
    return [model._meta.db_table for model in BULK_MODELS]


def _indexed_tables() -> list[str]:
    """The tables whose secondary indexes a bulk load rebuilds: the bulk
    tables and the kept counts' (recounted at once, their rows in key order,
    where keeping each secondary b-tree up to date row by row took longer than
    the counting: ~1.5 of ~2.6 s for the person cells at 100,000 papers)."""
    return _tables() + list(counts.KEPT_TABLES)


def _owns_bulk_tables(cursor) -> bool:
    cursor.execute(
        "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class "
        "WHERE oid = ANY(%s::text[]::regclass[])",
        [_indexed_tables()],
    )
    return bool(cursor.fetchone()[0])


def secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, definition) of the secondary indexes a bulk load drops, the bulk
    and kept tables' (_indexed_tables()): not GIN, neither unique nor a
    constraint's, valid, not the table's CLUSTER index."""
    cursor.execute(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
        "pg_get_indexdef(i.indexrelid) "
        "|| COALESCE(' TABLESPACE ' || quote_ident(s.spcname), '') "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam "
        "LEFT JOIN pg_tablespace s ON s.oid = c.reltablespace "
        "WHERE i.indrelid = ANY(%s::text[]::regclass[]) AND am.amname <> 'gin' "
        "AND NOT i.indisunique "
        "AND NOT i.indisprimary AND NOT i.indisexclusion AND NOT i.indisclustered "
        "AND i.indisvalid AND i.indisready AND i.indislive "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid) "
        "ORDER BY i.indrelid, c.relname",
        [_indexed_tables()],
    )
    return cursor.fetchall()


def foreign_keys(cursor) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the validated foreign keys from one bulk
    table to another or to a table of KEYS_TO_MODELS (a paper's authorships
    to the paper and the person, a paper to its venue, ...), those a bulk
    load drops: each of their rows would otherwise be checked one by one at
    commit, where adding the key back checks them all in one join. Keys to
    other tables stay (dropping one would lock the other table too, e.g. the
    users), and so do those this role could not add again (REFERENCES)."""
    referred = _tables() + [model._meta.db_table for model in KEYS_TO_MODELS]
    cursor.execute(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype = 'f' AND convalidated "
        "AND conrelid = ANY(%s::text[]::regclass[]) AND confrelid = ANY(%s::text[]::regclass[]) "
        "AND has_table_privilege(confrelid, 'REFERENCES') "
        "ORDER BY conrelid, conname",
        [_tables(), referred],
    )
    return cursor.fetchall()


def kept_count_triggers(cursor) -> list[tuple[str, str]]:
    """(table, name) of the enabled triggers on the bulk tables that write a
    kept table (catalog.counts.KEPT_TABLES): a bulk load disables them and
    recounts those tables instead. Found by what their functions write, so a
    count added later is set aside too; the catalog version's and the search
    rows' triggers write none and stay."""
    cursor.execute(
        "SELECT t.tgrelid::regclass::text, quote_ident(t.tgname) "
        "FROM pg_trigger t JOIN pg_proc f ON f.oid = t.tgfoid "
        "WHERE NOT t.tgisinternal AND t.tgenabled = 'O' "
        "AND t.tgrelid = ANY(%s::text[]::regclass[]) "
        "AND f.prosrc ~ ('\\m(' || array_to_string(%s::text[], '|') || ')\\M') "
        "ORDER BY t.tgrelid, t.tgname",
        [_tables(), list(counts.KEPT_TABLES)],
    )
    return cursor.fetchall()


class SetAside:
    """The bulk tables' secondary indexes and foreign keys between them,
    dropped by drop() and added again by rebuild(), and their kept counts'
    triggers, disabled by drop() and enabled again by rebuild() once the
    counts are recounted, all in the import's transaction."""

    def __init__(
        self,
        using: str,
        indexes: list[tuple[str, str]],
        keys: list[tuple[str, ...]],
        triggers: list[tuple[str, str]] = (),
    ):
        self.using = using
        self.indexes = indexes
        self.foreign_keys = keys
        self.triggers = list(triggers)

    @classmethod
    def drop(cls, using: str) -> SetAside | None:
        """Drop them; None when this role does not own the bulk tables or
        they stayed locked by others past LOCK_WAIT (then nothing changed)."""
        connection = connections[using]
        # Checks the import's transaction left pending would forbid the drop.
        connection.check_constraints()
        with connection.cursor() as cursor:
            if not _owns_bulk_tables(cursor):
                return None
            indexes, keys = secondary_indexes(cursor), foreign_keys(cursor)
            triggers = kept_count_triggers(cursor)
            # The papers' author lists' too (module docstring).
            triggers += author_rows.triggers(cursor)
        try:
            # A savepoint: a drop that times out leaves the import as it was.
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
                    [LOCK_WAIT],
                )
                lock_timeout = cursor.fetchone()[0]
                for table, name, _ in keys:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
                if indexes:
                    cursor.execute("DROP INDEX " + ", ".join(name for name, _ in indexes))
                for table, name in triggers:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
        except OperationalError as error:
            logger.warning("Indexes kept during the import (tables busy): %s", error)
            return None
        return cls(using, indexes, keys, triggers)

    def rebuild(self) -> None:
        """Recount the kept counts and enable their triggers, create the
        indexes and add the foreign keys again, as they were."""
        connection = connections[self.using]
        # A table with deferred foreign-key checks pending cannot be indexed
        # (nor its triggers enabled): they run now (as Django's
        # check_constraints() runs them), not at commit, and later writes
        # are deferred again.
        connection.check_constraints()
        with connection.cursor() as cursor:
            if self.triggers:
                for statement in counts.recount_statements(connection.vendor):
                    cursor.execute(statement)
                for table, name in self.triggers:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
            cursor.execute(
                "SELECT set_config('maintenance_work_mem', %s, true) FROM pg_settings "
                "WHERE name = 'maintenance_work_mem' AND setting::bigint < %s",
                [f"{_BUILD_MEMORY_KB}kB", _BUILD_MEMORY_KB],
            )
            for _, definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
