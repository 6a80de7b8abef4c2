"""The PostgreSQL writer: the same rows as PortableWriter, written faster.

* COPY instead of INSERT (copy_rows());
* primary keys taken from the sequences up front, so rows that refer to
  each other go in without reading ids back (allocate_ids());
* new papers' search vectors and imported values computed by the database
  (NewPaperStaging), the abstracts' vectors by a second connection while
  Python plans the import and the first one writes (AbstractVectors);
* large values compressed with lz4 (compress_quickly());
* the GIN indexes' pending entries merged in bulk, on a second connection
  (catalog.importer.deferred).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import closing, nullcontext

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models.expressions import CombinedExpression
from psycopg.adapt import Dumper
from psycopg.pq import Format

from catalog import author_rows
from catalog.importer.bulkload import SetAside, is_bulk
from catalog.importer.deferred import GinMerges
from catalog.importer.planning import (
    COLUMN_FIELDS,
    NON_COLUMN_FIELDS,
    NewPaper,
    new_paper_row,
)
from catalog.importer.writing import CatalogWriter, check_columns
from catalog.models import Paper
from catalog.search import (
    for_ascii_text,
    join_author_names,
    name_variants,
    search_fields_update,
)
from people.models import PersonAlias

logger = logging.getLogger(__name__)


# Lock modes that keep every other transaction from inserting into a table.
_NO_INSERT_LOCKS = ["ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"]


def allocate_ids(model, count: int, using: str) -> list[int]:
    """`count` primary keys taken from the table's own sequence, in one query.

    While this transaction holds a lock on the table that keeps others from
    inserting (a bulk load's, see bulkload), none takes the sequence's values
    meanwhile, so it moves on by `count` in one step (nextval() one value at
    a time took 5.7 s for 1,000,000 papers): the same ids, the sequence left
    as those nextval() calls leave it. Otherwise the values are taken one by
    one, under the lock an INSERT takes (ROW EXCLUSIVE), which waits for such
    a lock: no value is taken between that step's nextval() and setval().
    """
    table = model._meta.db_table
    column = model._meta.pk.column
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT setval(seq, nextval(seq) + %s - 1) "
            "FROM pg_get_serial_sequence(%s, %s) AS seq "
            "JOIN pg_sequence ON seqrelid = seq::regclass "
            "WHERE seqincrement = 1 AND EXISTS (SELECT FROM pg_locks WHERE locktype = 'relation' "
            "AND relation = %s::regclass AND pid = pg_backend_pid() AND granted "
            "AND mode = ANY(%s))",
            [count, table, column, table, _NO_INSERT_LOCKS],
        )
        row = cursor.fetchone()
        if row is not None:
            return list(range(row[0] - count + 1, row[0] + 1))
        if connections[using].in_atomic_block:
            quoted = connections[using].ops.quote_name(table)
            cursor.execute(f"LOCK TABLE {quoted} IN ROW EXCLUSIVE MODE")
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(
    model, columns: list[str], rows: Iterable[tuple], using: str, table: str | None = None
) -> None:
    """COPY rows (values in `columns` order, attnames) into the model's table.

    PostgreSQL's COPY skips building and parsing one huge INSERT per batch
    (on the client, Django's compiler and psycopg's placeholder scan cost
    more than the server's work). It fires the tables' statement triggers
    like INSERT does, so the catalog-version cache is invalidated as before.
    """
    from psycopg import sql

    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    # A column that is no model field is named as it is (author_rows).
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table or model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(fields.get(name, name)) for name in columns),
    )
    connection = connections[using]
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)


# New papers on PostgreSQL (see NewPaperStaging): a temporary table of this
# transaction, dropped as soon as the papers are written.
_STAGING_TABLE = "importer_staging"
# The abstracts' vectors AbstractVectors computed, staged beside it by id.
_VECTORS_TABLE = "importer_staging_vectors"
# Paper columns computed by the database as new papers are written.
_COMPUTED_COLUMNS = ("search_vector", "head_vector")
# New papers are written this many at a time, and their abstracts' vectors
# computed this many at a time; fewer new papers than this are written in
# one go, their vectors computed as they are written.
PAPERS_PER_CHUNK = 5000
# Vectors computed ahead of the writes, at most (chunks): bounds the memory
# they take when planning or writing lags.
_CHUNKS_AHEAD = 40
# work_mem for writing new papers (see _raise_sort_memory()).
_SORT_MEMORY_KB = 64 * 1024


def _paper_expression_sql(expression, using: str) -> tuple[str, list]:
    """SQL of an expression over a paper row; it names the columns as
    "catalog_paper"."column", so a temporary table read in its place takes
    that name."""
    query = Paper.objects.using(using).annotate(_importer_value=expression).query
    return query.get_compiler(using).compile(query.annotations["_importer_value"])


def _search_vector_parts():
    """(head, abstract part): Paper.search_vector is Paper.head_vector (title
    and author names) followed by the abstract's vector, as catalog.search
    defines them. The importer computes each part once, the abstract's ahead
    of the rest (AbstractVectors)."""
    fields = search_fields_update(Paper)
    whole, head = fields["search_vector"], fields.get("head_vector")
    if not (
        isinstance(whole, CombinedExpression)
        and whole.connector == "||"
        and head is not None
        and whole.lhs == head
    ):
        raise ImproperlyConfigured(
            "The importer expects catalog.search's search vector to be the head vector "
            "followed by the abstract's; update NewPaperStaging with it."
        )
    return head, whole.rhs


class _VectorDumper(Dumper):
    """A tsvector in PostgreSQL's binary form (as AbstractVectors reads it),
    written to a binary COPY as it is."""

    format = Format.BINARY

    def dump(self, obj):
        return obj


def binary_vectors(cursor) -> int:
    """tsvector's oid, with _VectorDumper registered for it on the cursor
    (a Django cursor; not on its connection, which outlives the import): a
    binary COPY through it then writes vectors read in binary."""
    cursor.execute("SELECT 'tsvector'::regtype::oid")
    oid = cursor.fetchone()[0]
    dumper = type("TsvectorDumper", (_VectorDumper,), {"oid": oid})
    cursor.cursor.adapters.register_dumper(None, dumper)
    return oid


class AbstractVectors:
    """The abstracts' part of new papers' search vectors (to_tsvector over
    ~1.3 KB of text: most of the database's work for a new paper), computed
    on a second connection, in a helper thread, while the import plans and
    writes; NewPaperStaging.write() takes them chunk by chunk as it writes.

    The import's own connection cannot do it: it is one backend, busy with
    the writes (their indexes) once planning ends; a second backend uses
    the machine's other core meanwhile. The helper only computes: it reads
    and writes no table, so the import stays one transaction. Should it
    fail (no connection to spare, say), the chunks it did not deliver are
    computed by the import's connection as they are written.
    """

    def __init__(self, using: str, chunks: list[list[str]], vector, ascii_vector):
        """`vector` and `ascii_vector`: (SQL, params) of the abstract's vector
        over a paper row, and of the same without unaccent() for ASCII
        abstracts (for_ascii_text(): the same vector, ~5% less of the
        server's work per abstract than with unaccent's pass over it)."""
        self.using = using
        self._chunks = chunks
        self._sql = (
            f"SELECT CASE WHEN is_ascii THEN {ascii_vector[0]} ELSE {vector[0]} END "
            "FROM unnest(%s::text[], %s::boolean[]) WITH ORDINALITY "
            f'AS "{Paper._meta.db_table}"("{Paper._meta.get_field("abstract").column}", '
            "is_ascii, n) ORDER BY n"
        )
        self._params = [*ascii_vector[1], *vector[1]]
        self._results: queue.Queue = queue.Queue(maxsize=_CHUNKS_AHEAD)
        self._stop = threading.Event()
        self._failed = False
        self._thread = threading.Thread(target=self._compute, name="importer-vectors", daemon=True)
        self._thread.start()

    def _compute(self) -> None:
        # connections[using] is this thread's own connection, in autocommit.
        connection = connections[self.using]
        try:
            connection.ensure_connection()
            # Binary: tsvector's wire form, read back as it is (as text it
            # costs printing, quoting and parsing again), which needs a
            # cursor that binds parameters on the server (Django's bind them
            # on the client).
            with psycopg.Cursor(connection.connection) as cursor:
                for abstracts in self._chunks:
                    ascii = [abstract.isascii() for abstract in abstracts]
                    cursor.execute(self._sql, [*self._params, abstracts, ascii], binary=True)
                    if not self._put([row[0] for row in cursor.fetchall()]):
                        return
        except Exception as error:  # the import computes the rest itself
            self._put(error)
        finally:
            connection.close()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._results.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def next_chunk(self) -> list[bytes] | None:
        """The next chunk's vectors (in binary), in order; None when the
        helper failed (the import's connection computes them)."""
        if self._failed:
            return None
        item = self._results.get()
        if isinstance(item, Exception):
            self._failed = True
            logger.warning("Abstract vectors computed in the import's connection: %s", item)
            return None
        return item

    def stage(self, cursor, ids: list[int], oid: int) -> None:
        """COPY the next chunk's vectors, those of the papers `ids`, into
        the vectors' staging table (tsvector's `oid`, see binary_vectors());
        nothing when the helper failed."""
        vectors = self.next_chunk()
        if vectors is None:
            return
        statement = f"COPY {_VECTORS_TABLE} (id, vector) FROM STDIN (FORMAT BINARY)"
        with cursor.cursor.copy(statement) as copy:
            copy.set_types(["int8", oid])
            for pk, vector in zip(ids, vectors, strict=True):
                copy.write_row((pk, vector))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class NewPaperStaging:
    """New papers on PostgreSQL, written with their search vectors and
    imported values computed by the database.

    Chunk by chunk, in id order: a chunk's rows are copied into a temporary
    table, their abstracts' vectors from AbstractVectors (in binary) into
    another, and one INSERT ... SELECT writes them to
    the papers' table, adding the head vector (title and author names,
    computed once), concatenating it with the abstract's and building the
    imported values.
    """

    def __init__(self, using: str, ids: list[int], abstracts: list[str], merges: GinMerges):
        self.using = using
        self.merges = merges
        self.connection = connections[using]
        self.head, abstract_part = _search_vector_parts()
        self.paper_table = self.connection.ops.quote_name(Paper._meta.db_table)
        self.vector_sql, self.vector_params = _paper_expression_sql(abstract_part, using)
        by_id = sorted(zip(ids, abstracts, strict=True))
        self.chunk_ids = [[pk for pk, _ in chunk] for chunk in _chunked(by_id)]
        self.vectors = None
        if len(self.chunk_ids) > 1:
            self.vectors = AbstractVectors(
                using,
                [[abstract for _, abstract in chunk] for chunk in _chunked(by_id)],
                (self.vector_sql, self.vector_params),
                _paper_expression_sql(for_ascii_text(abstract_part), using),
            )

    def stop(self) -> None:
        """No more vectors: the papers are written, or the import failed."""
        if self.vectors is not None:
            self.vectors.stop()

    def _imported_values_sql(self, select: dict[str, str]) -> str:
        """A new paper's imported_values, built by the database from the
        row's own columns and the staged rest (venue name, awards, authors):
        as planning.apply_plan() makes them, without 100,000 JSON texts,
        most of them abstracts, made in Python, sent and parsed again.
        jsonb keeps no key order, so merging is exact; a date becomes its
        ISO text, as planning.json_value() makes it."""
        pairs = [f"'{name}', {select[name]}" for name in [*COLUMN_FIELDS, "review_note"]]
        return f"jsonb_build_object({', '.join(pairs)}) || {select['imported_values']}"

    def write(self, columns: list[str], rows: Iterable[tuple]) -> None:
        """Insert the new papers: `rows` are their other columns (`columns`,
        attnames, the id first), in id order; their
        imported_values hold only the imported fields that are not columns."""
        try:
            self._write(columns, iter(rows))
        finally:
            self.stop()

    def _write(self, columns: list[str], rows) -> None:
        quote = self.connection.ops.quote_name

        def quote_column(attname):
            if attname == author_rows.COLUMN:  # no model field
                return quote(attname)
            return quote(Paper._meta.get_field(attname).column)

        staging, vectors = quote(_STAGING_TABLE), quote(_VECTORS_TABLE)
        names = [quote_column(name) for name in columns]
        head_sql, head_params = _paper_expression_sql(self.head, self.using)
        # The abstract's vector: staged when the helper computed it, else
        # computed here (COALESCE evaluates its second argument only then).
        abstract_vector = f"COALESCE(staged.vector, {self.vector_sql})"
        select = {name: f"{self.paper_table}.{quote_column(name)}" for name in columns}
        select["imported_values"] = self._imported_values_sql(select)
        # The head vector in a LATERAL subquery that is not flattened
        # (OFFSET 0): computed once per row, though used twice. ORDER BY id
        # keeps the table's rows in id order, as a plain COPY would.
        insert = (
            f"INSERT INTO {self.paper_table} ({', '.join(names)}, head_vector, search_vector) "
            f"SELECT {', '.join(select[name] for name in columns)}, "
            f"head.vector, head.vector || {abstract_vector} "
            f"FROM {staging} AS {self.paper_table} "
            f"LEFT JOIN {vectors} AS staged ON staged.id = {self.paper_table}.id "
            f"CROSS JOIN LATERAL (SELECT {head_sql} AS vector OFFSET 0) AS head "
            f"ORDER BY {self.paper_table}.id"
        )
        with self.connection.cursor() as cursor:
            _raise_sort_memory(cursor)
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
                f"SELECT {', '.join(names)} FROM {self.paper_table} WITH NO DATA"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {vectors} (id bigint, vector tsvector) ON COMMIT DROP"
            )
            oid = binary_vectors(cursor) if self.vectors is not None else None
            sizes = [len(ids) for ids in self.chunk_ids]
            with closing(built_ahead(rows, sizes)) as chunks:
                for number, (ids, chunk) in enumerate(zip(self.chunk_ids, chunks, strict=True)):
                    if number:
                        cursor.execute(f"TRUNCATE {staging}, {vectors}")
                    assert [row[0] for row in chunk] == ids, "rows out of id order"
                    copy_rows(Paper, columns, chunk, self.using, table=_STAGING_TABLE)
                    if self.vectors is not None:
                        self.vectors.stage(cursor, ids, oid)
                    cursor.execute(insert, [*self.vector_params, *head_params])
                    self.merges.written(len(ids))
            cursor.execute(f"DROP TABLE {staging}, {vectors}")
        # The last papers' entries merged while the import writes the rest.
        self.merges.request()


def built_ahead(rows: Iterator[tuple], sizes: list[int]) -> Iterator[list[tuple]]:
    """`rows` in chunks of `sizes`, each built by a helper thread while the
    previous one is written: building rows is Python (values, JSON), a write
    is mostly the server's, so the two overlap (the connection's wait for the
    server leaves the interpreter to the helper). At most two chunks wait."""
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def build() -> None:
        try:
            for size in sizes:
                if not put([next(rows) for _ in range(size)]):
                    return
        except Exception as error:  # raised again where the chunk is taken
            put(error)

    helper = threading.Thread(target=build, name="importer-rows", daemon=True)
    helper.start()
    try:
        for _ in sizes:
            item = ready.get()
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        helper.join()


def _raise_sort_memory(cursor) -> None:
    """Memory for sorting a chunk of staged papers into id order, for the
    rest of the transaction: ~25 MB of wide rows, which the default 4 MB
    sorted on disk (an external merge per chunk)."""
    cursor.execute(
        "SELECT set_config('work_mem', %s, true) FROM pg_settings "
        "WHERE name = 'work_mem' AND setting::bigint < %s",
        [f"{_SORT_MEMORY_KB}kB", _SORT_MEMORY_KB],
    )


def _chunked(values: list) -> list[list]:
    return [
        values[start : start + PAPERS_PER_CHUNK]
        for start in range(0, len(values), PAPERS_PER_CHUNK)
    ]


def compress_quickly(using: str) -> None:
    """For this transaction, compress large values (abstracts, search vectors,
    imported values) with lz4 instead of the default pglz where the server has
    it: a 100,000-paper import spends seconds in pglz, and gains little from it
    (most vectors do not compress). The values read back the same."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )


# Plain values go to COPY as they are; the others (JSON, auto_now dates, ...)
# through the field's own preparation, as bulk_create does.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)


class PostgresWriter(CatalogWriter):
    writes_search_fields = True

    def __init__(self, using: str):
        super().__init__(using)
        self.connection = connections[using]
        # id(draft) -> the id its new paper gets, allocated before planning.
        self._new_ids: dict[int, int] = {}
        self._staging: NewPaperStaging | None = None
        self._merges: GinMerges | None = None
        self._set_aside: SetAside | None = None

    def begin(self) -> None:
        compress_quickly(self.using)
        self._merges = GinMerges(self.using)

    def finish(self) -> None:
        # The kept counts and b-trees first: the helper's last merge of the
        # GIN indexes (requested after the last papers) goes on meanwhile,
        # on the other core, where this connection waited for it.
        if self._set_aside is not None:
            self._set_aside.rebuild()
        self._merges.finish()

    def planning(self, new_drafts: list):
        """Set the secondary indexes aside for a bulk load (bulkload), allocate
        the new papers' ids and have a second connection compute their
        abstracts' vectors from now on (AbstractVectors)."""
        if new_drafts and is_bulk(len(new_drafts), self.using):
            self._set_aside = SetAside.drop(self.using)
        if new_drafts:
            ids = allocate_ids(Paper, len(new_drafts), self.using)
            self._new_ids = {id(draft): pk for draft, pk in zip(new_drafts, ids, strict=True)}
            self._staging = NewPaperStaging(
                self.using, ids, [d.abstract for d in new_drafts], self._merges
            )
        return nullcontext()

    def close(self) -> None:
        if self._staging is not None:
            self._staging.stop()
        if self._merges is not None:
            self._merges.stop()

    def insert_objects(self, model, objects: list) -> None:
        """Primary keys from the sequence in one query, set on the objects,
        then COPY of every concrete field (auto_now timestamps and other
        pre_save values set as bulk_create sets them)."""
        if not objects:
            return
        for obj, pk in zip(objects, allocate_ids(model, len(objects), self.using), strict=True):
            obj.pk = pk
        fields = [
            (f, None if isinstance(f, _PLAIN_FIELDS) else f) for f in model._meta.concrete_fields
        ]
        connection = self.connection

        def rows():
            for obj in objects:
                yield [
                    getattr(obj, f.attname)
                    if prepare is None
                    else prepare.get_db_prep_save(prepare.pre_save(obj, True), connection)
                    for f, prepare in fields
                ]

        copy_rows(model, [f.attname for f, _ in fields], rows(), self.using)
        for obj in objects:
            obj._state.adding = False
            obj._state.db = self.using

    def insert_rows(self, model, columns: list[str], rows: list[tuple]) -> None:
        if rows:
            check_columns(model, columns)
            copy_rows(model, columns, rows, self.using)

    def create_papers(self, new_papers: list[NewPaper], now) -> None:
        for paper in new_papers:
            paper.pk = self._new_ids.pop(id(paper.plan.draft))
        assert not self._new_ids, "ids were allocated for drafts that are not new papers"
        self._author_names(new_papers)
        columns = ["id"] + [
            f.attname
            for f in Paper._meta.concrete_fields
            if not f.primary_key and f.attname not in _COMPUTED_COLUMNS
        ]
        # Their list rows' authors, as the triggers would keep them (set
        # aside in a bulk load: catalog.author_rows).
        columns.append(author_rows.COLUMN)
        json_columns = {
            f.attname for f in Paper._meta.concrete_fields if isinstance(f, models.JSONField)
        }

        def rows():
            for paper in sorted(new_papers, key=lambda p: p.pk):
                # imported_values: only the fields that are not columns; the
                # database adds the others (NewPaperStaging.write()).
                row = new_paper_row(paper, now, NON_COLUMN_FIELDS)
                row["id"] = paper.pk
                row[author_rows.COLUMN] = author_rows.as_text(
                    (person.name, person.slug, position)
                    for person, position, _ in author_rows.in_author_order(paper.plan.authors)
                )
                for name in json_columns:
                    row[name] = json.dumps(row[name])
                yield tuple(row[name] for name in columns)

        self._staging.write(columns, rows())

    def _author_names(self, new_papers: list[NewPaper]) -> None:
        """Paper.author_names of new papers, as refresh_search_index() makes
        it (the head vector is computed from it as the papers are written)."""
        person_ids = {person.pk for p in new_papers for person, _, _ in p.plan.authors}
        variants = name_variants(person_ids, alias_model=PersonAlias, using=self.using)
        for paper in new_papers:
            people = [person for person, _, _ in paper.plan.authors]
            paper.author_names = join_author_names(
                [person.name for person in people],
                [name for person in people for name in variants.get(person.pk, ())],
            )
