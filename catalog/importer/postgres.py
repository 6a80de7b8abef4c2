"""The PostgreSQL writer: the same rows as PortableWriter, written faster.

* COPY instead of INSERT (copy_rows());
* primary keys taken from the sequences up front, so rows that refer to
  each other go in without reading ids back (allocate_ids());
* new papers' search vectors and imported values computed by the database
  (NewPaperStaging), the abstracts' vectors in the background while Python
  plans the import;
* large values compressed with lz4 (compress_quickly()).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from contextlib import contextmanager, nullcontext

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models.expressions import CombinedExpression

from catalog.importer.planning import (
    COLUMN_FIELDS,
    NON_COLUMN_FIELDS,
    NewPaper,
    new_paper_row,
)
from catalog.importer.writing import CatalogWriter, _check_columns
from catalog.models import Paper
from catalog.search import join_author_names, name_variants, search_fields_update
from people.models import PersonAlias


def allocate_ids(model, count: int, using: str) -> list[int]:
    """`count` primary keys taken from the table's own sequence, in one query."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connections[using].cursor() as cursor:
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
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table or model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(fields[name]) for name in columns),
    )
    connection = connections[using]
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)


# New papers on PostgreSQL (see NewPaperStaging): temporary tables of this
# transaction, dropped as soon as the papers are written.
_ABSTRACTS_TABLE = "importer_abstracts"
_VECTORS_TABLE = "importer_abstract_vectors"
_STAGING_TABLE = "importer_staging"
# Paper columns computed by the database as new papers are written.
_COMPUTED_COLUMNS = ("abstract", "search_vector", "head_vector")


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
    of the rest (NewPaperStaging)."""
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


@contextmanager
def _in_background(connection, statements: list[tuple[str, list | None]]):
    """Run `statements` on `connection`, in this transaction, in a helper
    thread while the body runs; leaving the block waits for them.

    The body must not use the connection (its queries would only wait). The
    helper's error is raised when the body itself did not raise one.
    """
    errors = []

    def run():
        try:
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
        except BaseException as error:  # handed to the caller's thread
            errors.append(error)

    connection.inc_thread_sharing()
    helper = threading.Thread(target=run, name="importer-background-sql")
    helper.start()
    try:
        yield
    finally:
        helper.join()
        connection.dec_thread_sharing()
    if errors:
        raise errors[0]


class NewPaperStaging:
    """New papers on PostgreSQL, written with their search vectors and
    imported values computed by the database.

    The abstract's part of each vector is most of the database's work for a
    new paper (to_tsvector over ~1.3 KB of text: ~10 s at 100,000 papers) and
    needs only the abstract, known before planning starts. So the abstracts
    are copied into a temporary table first and the database computes their
    vectors in the background (the machine's other core) while Python plans
    the import; write() then inserts every paper in one INSERT ... SELECT that
    joins the rest of each row, adds the head vector (title and author names,
    computed once), concatenates the two and builds the imported values.
    """

    def __init__(self, using: str, ids: list[int], abstracts: Iterable[str]):
        self.using = using
        self.connection = connections[using]
        quote = self.connection.ops.quote_name
        self.head, abstract_part = _search_vector_parts()
        self.paper_table = quote(Paper._meta.db_table)
        self.abstracts, self.vectors = quote(_ABSTRACTS_TABLE), quote(_VECTORS_TABLE)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.abstracts} ON COMMIT DROP AS "
                f"SELECT id, abstract FROM {self.paper_table} WITH NO DATA"
            )
        copy_rows(
            Paper,
            ["id", "abstract"],
            zip(ids, abstracts, strict=True),
            using,
            table=_ABSTRACTS_TABLE,
        )
        vector_sql, vector_params = _paper_expression_sql(abstract_part, using)
        self.statements = [
            (
                f"CREATE TEMPORARY TABLE {self.vectors} ON COMMIT DROP AS "
                f"SELECT id, abstract, {vector_sql} AS abstract_vector "
                f"FROM {self.abstracts} AS {self.paper_table}",
                vector_params,
            ),
            (f"DROP TABLE {self.abstracts}", None),
            # Indexed and analysed: the final INSERT merge-joins in id order.
            (f"CREATE INDEX ON {self.vectors} (id)", None),
            (f"ANALYZE {self.vectors}", None),
        ]

    def _imported_values_sql(self, select: dict[str, str]) -> str:
        """A new paper's imported_values, built by the database from the
        row's own columns (the abstract from the vectors table) and the
        staged rest (venue name, awards, authors): as planning.apply_plan() makes them,
        without 100,000 JSON texts, most of them abstracts, made in Python,
        sent and parsed again. jsonb keeps no key order, so merging is exact;
        a date becomes its ISO text, as planning.json_value() makes it."""
        pairs = []
        for name in [*COLUMN_FIELDS, "review_note"]:
            value = "v.abstract" if name == "abstract" else select[name]
            pairs.append(f"'{name}', {value}")
        return f"jsonb_build_object({', '.join(pairs)}) || {select['imported_values']}"

    def computing(self):
        """A block during which the vectors are computed; it must not query."""
        return _in_background(self.connection, self.statements)

    def write(self, columns: list[str], rows: Iterable[tuple]) -> None:
        """Insert the new papers: `rows` are their other columns (`columns`,
        attnames, the id first), in id order; their imported_values hold
        only the imported fields that are not columns."""
        quote = self.connection.ops.quote_name

        def quote_column(attname):
            return quote(Paper._meta.get_field(attname).column)

        staging = quote(_STAGING_TABLE)
        names = [quote_column(name) for name in columns]
        head_sql, head_params = _paper_expression_sql(self.head, self.using)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
                f"SELECT {', '.join(names)} FROM {self.paper_table} WITH NO DATA"
            )
            copy_rows(Paper, columns, rows, self.using, table=_STAGING_TABLE)
            cursor.execute(f"CREATE INDEX ON {staging} (id)")
            cursor.execute(f"ANALYZE {staging}")
            # The head vector in a LATERAL subquery that is not flattened
            # (OFFSET 0): computed once per row, though used twice. ORDER BY
            # id keeps the table's rows in id order, as a plain COPY would.
            select = {name: f"{self.paper_table}.{quote_column(name)}" for name in columns}
            select["imported_values"] = self._imported_values_sql(select)
            cursor.execute(
                f"INSERT INTO {self.paper_table} ({', '.join(map(quote_column, columns))}, "
                f"abstract, head_vector, search_vector) "
                f"SELECT {', '.join(select[name] for name in columns)}, v.abstract, "
                f"head.vector, head.vector || v.abstract_vector "
                f"FROM {staging} AS {self.paper_table} "
                f"JOIN {self.vectors} AS v ON v.id = {self.paper_table}.id "
                f"CROSS JOIN LATERAL (SELECT {head_sql} AS vector OFFSET 0) AS head "
                f"ORDER BY {self.paper_table}.id",
                head_params,
            )
            cursor.execute(f"DROP TABLE {staging}, {self.vectors}")


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

    def begin(self) -> None:
        compress_quickly(self.using)

    def planning(self, new_drafts: list):
        """Allocate the new papers' ids and have the database compute their
        abstracts' vectors while the import plans (NewPaperStaging)."""
        if not new_drafts:
            return nullcontext()
        ids = allocate_ids(Paper, len(new_drafts), self.using)
        self._new_ids = {id(draft): pk for draft, pk in zip(new_drafts, ids, strict=True)}
        self._staging = NewPaperStaging(self.using, ids, (d.abstract for d in new_drafts))
        return self._staging.computing()

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
            _check_columns(model, columns)
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
        json_columns = {
            f.attname for f in Paper._meta.concrete_fields if isinstance(f, models.JSONField)
        }

        def rows():
            for paper in sorted(new_papers, key=lambda p: p.pk):
                # imported_values: only the fields that are not columns; the
                # database adds the others (NewPaperStaging.write()).
                row = new_paper_row(paper, now, NON_COLUMN_FIELDS)
                row["id"] = paper.pk
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
