"""The GIN indexes' upkeep the PostgreSQL writer does in bulk, where the
database would do it row by row.

The GIN indexes over the papers' and search rows' vectors take one entry
per word of every new paper. PostgreSQL appends them to an index's pending
list and, whenever the list passes its limit (4 MB by default), the row
that crosses it merges the whole list into the index, sorting in work_mem
(4 MB): a 100,000-paper import spent about a third of its time there. For
the import's transaction the limit is lifted, so the entries only pile up,
and the writer merges them every PAPERS_PER_MERGE papers and at the end
with gin_clean_pending_list(), which sorts in maintenance_work_mem (raised
for the purpose), on a second connection while the import's goes on
writing.

Other transactions keep reading and writing meanwhile (no table lock).
"""

from __future__ import annotations

import logging
import queue
import threading

from django.db import connections

from catalog.models import Paper, SearchRow

logger = logging.getLogger(__name__)

# New papers written between two merges of the pending lists: ~65 MB of
# entries in the largest index, which concurrent searches read on top of the
# index until the merge (as they did with 0019's limit for the search rows).
PAPERS_PER_MERGE = 25_000
# The pending lists' limit for the import's transaction, in kB: the writer's
# merges come first.
_PENDING_LIMIT_KB = 4 * 1024 * 1024
# Memory for sorting a merge (the default 64 MB sorts 65 MB of entries in
# several passes).
_MERGE_MEMORY_KB = 256 * 1024


def owned_gin_indexes(using: str) -> list[int]:
    """The oids of the papers' and search rows' GIN indexes; none unless this
    role owns them all (gin_clean_pending_list() requires it): then the
    limits stay as they are and inserts merge as usual."""
    tables = [Paper._meta.db_table, SearchRow._meta.db_table]
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(c.oid ORDER BY c.oid), bool_and(pg_has_role(c.relowner, 'USAGE')) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam "
            "WHERE am.amname = 'gin' AND i.indrelid = ANY(%s::text[]::regclass[])",
            [tables],
        )
        oids, owned = cursor.fetchone()
    return list(oids) if oids and owned else []


class GinMerges:
    """The GIN indexes of the papers' and search rows' tables, merged by the
    import itself (see the module's description).

    The merges during the writes are a helper's, on a second connection in
    a thread, so the import's connection goes on writing meanwhile (a merge
    only moves entries already written, whichever transaction wrote them:
    it reads no row and commits none). After the last write the import's
    own connection merges whatever is left (quick when the helper kept up;
    everything when it failed).
    """

    def __init__(self, using: str):
        self.using = using
        self.indexes = owned_gin_indexes(using)
        self.pending = 0
        self._requests: queue.Queue = queue.Queue()
        self._helper: threading.Thread | None = None
        self._failed = False
        if not self.indexes:
            return
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT set_config('gin_pending_list_limit', %s, true)", [str(_PENDING_LIMIT_KB)]
            )
            self._raise_memory(cursor, local=True)
        self._helper = threading.Thread(target=self._help, name="importer-gin", daemon=True)
        self._helper.start()

    @staticmethod
    def _raise_memory(cursor, *, local: bool) -> None:
        cursor.execute(
            "SELECT set_config('maintenance_work_mem', %s, %s) FROM pg_settings "
            "WHERE name = 'maintenance_work_mem' AND setting::bigint < %s",
            [f"{_MERGE_MEMORY_KB}kB", local, _MERGE_MEMORY_KB],
        )

    def _merge(self, cursor) -> None:
        cursor.execute(
            "SELECT gin_clean_pending_list(oid) FROM unnest(%s::oid[]) AS oid", [self.indexes]
        )

    def _help(self) -> None:
        # connections[using] is this thread's own connection, in autocommit.
        connection = connections[self.using]
        try:
            with connection.cursor() as cursor:
                self._raise_memory(cursor, local=False)
                while self._requests.get():
                    self._merge(cursor)
        except Exception as error:  # the import's connection merges in the end
            self._failed = True
            logger.warning("GIN pending entries left to the import's connection: %s", error)
        finally:
            connection.close()

    def written(self, papers: int) -> None:
        """`papers` new papers were written: merge when enough are pending."""
        self.pending += papers
        if self.pending >= PAPERS_PER_MERGE:
            self.request()

    def request(self) -> None:
        """Have the helper merge what is pending; the import goes on."""
        if self.pending and self._helper is not None and not self._failed:
            self._requests.put(True)
        self.pending = 0

    def stop(self) -> None:
        """No more merges by the helper (after its current one)."""
        if self._helper is not None:
            self._requests.put(False)
            self._helper.join()
            self._helper = None

    def finish(self) -> None:
        """After the last write: every pending entry into its index."""
        self.stop()
        if self.indexes:
            with connections[self.using].cursor() as cursor:
                self._merge(cursor)
