"""Write parsed listings into the catalog: one transaction, bulk writes.

The number of queries does not grow with the number of entries: the
service loads what it needs to match against in a few queries, decides
everything in memory, then writes with bulk operations.

Re-import rules:
- a field staff changed in the admin (Paper.staff_edited_fields) is never
  overwritten; if the listing's value changed since the last import too,
  that is reported as a conflict;
- a known value is never replaced by an unknown (empty) one;
- when a paper also has sources outside this run, the run only fills gaps
  (it cannot see what the other listings said);
- a paper staff deleted (a DeletedPaper tombstone) is not re-created; the
  report says so.
"""

from __future__ import annotations

import datetime
import gc
import json
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, transaction
from django.db.models import BooleanField
from django.db.models.expressions import CombinedExpression, RawSQL
from django.utils import timezone

from catalog.citekeys import citation_key_base
from catalog.importer.merge import PaperDraft, merge_entries
from catalog.importer.records import ParsedListing
from catalog.importer.text import normalise_title
from catalog.importer.venues import (
    canonical_venue_name,
    guess_venue_kind,
    known_venue,
    venue_name_from_citation,
)
from catalog.models import (
    RESERVED_PAPER_SLUGS,
    Authorship,
    Award,
    DeletedPaper,
    Paper,
    PaperSource,
)
from catalog.search import search_fields_update
from core.slugs import next_free_slug, slug_base
from people.models import Person, PersonAlias
from venues.models import Venue, VenueAlias

# Paper fields an import sets, in the order reports list them.
IMPORTED_FIELDS = (
    "title",
    "abstract",
    "venue",
    "venue_detail",
    "year",
    "published_on",
    "arxiv_id",
    "doi",
    "other_identifier",
    "citation",
    "authors_complete",
    "author_count",
    "upvotes",
    "awards",
    "authors",
)
_COLUMN_FIELDS = [f for f in IMPORTED_FIELDS if f not in ("venue", "awards", "authors")]
_IMPORTED_NON_COLUMNS = [f for f in IMPORTED_FIELDS if f not in _COLUMN_FIELDS]
# Largest `IN (...)` list per query: well under SQLite's variable limit.
_CHUNK = 2000


@dataclass
class FileSummary:
    name: str
    format: str
    entries: int
    listing_year: int | None = None
    listing_year_reason: str = ""
    skipped: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileSummary] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    merged: int = 0
    people_created: int = 0
    venues_created: list[str] = field(default_factory=list)
    awards_created: list[str] = field(default_factory=list)
    flagged: list[tuple[str, list[str]]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    deleted_skipped: list[str] = field(default_factory=list)
    surname_links: list[tuple[str, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def entries(self) -> int:
        return sum(f.entries for f in self.files)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.people_created)


def chunks(values: Iterable, size: int = _CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _is_postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def _allocate_ids(model, count: int, using: str) -> list[int]:
    """`count` primary keys taken from the table's own sequence, in one query."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_rows(
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


def _insert_rows(model, columns: list[str], rows: list[tuple], using: str) -> None:
    """Insert new rows given as value tuples (no primary key: the database
    numbers them). COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    required = {f.attname for f in model._meta.concrete_fields if not f.primary_key}
    assert set(columns) == required, f"{model.__name__}: columns {columns} != {required}"
    if _is_postgres(using):
        _copy_rows(model, columns, rows, using)
    else:
        model.objects.using(using).bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=1000
        )


def _insert_objects(model, objects: list, using: str) -> None:
    """bulk_create, or on PostgreSQL: primary keys from the sequence in one
    query, then COPY of every concrete field (auto_now timestamps and other
    pre_save values set as bulk_create sets them)."""
    if not objects:
        return
    if not _is_postgres(using):
        model.objects.using(using).bulk_create(objects, batch_size=1000)
        return
    connection = connections[using]
    for obj, pk in zip(objects, _allocate_ids(model, len(objects), using), strict=True):
        obj.pk = pk
    # Plain values go as they are; the others (JSON, auto_now dates, ...)
    # through the field's own preparation, as bulk_create does.
    plain = (
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.BooleanField,
        models.ForeignKey,
        models.AutoField,
        models.BigAutoField,
    )
    fields = [(f, None if isinstance(f, plain) else f) for f in model._meta.concrete_fields]

    def rows():
        for obj in objects:
            yield [
                getattr(obj, f.attname)
                if prepare is None
                else prepare.get_db_prep_save(prepare.pre_save(obj, True), connection)
                for f, prepare in fields
            ]

    _copy_rows(model, [f.attname for f, _ in fields], rows(), using)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = using


# New papers on PostgreSQL (see _NewPapers): temporary tables of this
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
    of the rest (_NewPapers)."""
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
            "followed by the abstract's; update _NewPapers with it."
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


class _NewPapers:
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
        _copy_rows(
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
        staged rest (venue name, awards, authors): as _apply() makes them,
        without 100,000 JSON texts, most of them abstracts, made in Python,
        sent and parsed again. jsonb keeps no key order, so merging is exact;
        a date becomes its ISO text, as _json_value() makes it."""
        pairs = []
        for name in [*_COLUMN_FIELDS, "review_note"]:
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
            _copy_rows(Paper, columns, rows, self.using, table=_STAGING_TABLE)
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


def _compress_quickly(using: str) -> None:
    """For this transaction, compress large values (abstracts, search vectors,
    imported values) with lz4 instead of the default pglz where the server has
    it: a 100,000-paper import spends seconds in pglz, and gains little from it
    (most vectors do not compress). The values read back the same."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )


def _json_value(value):
    """A field value as stored in Paper.imported_values (JSON-friendly, comparable)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [list(v) if isinstance(v, tuple) else v for v in value]
    return value


def _is_unknown(value) -> bool:
    return value in (None, "", (), [])


class _People:
    """Name -> person resolution over the catalog's people plus this run's new ones."""

    def __init__(self, using: str):
        self.using = using
        self.by_name: dict[str, Person] = {}
        self.by_alias: dict[str, set[int]] = {}
        self.people: dict[int, Person] = {}
        for person in Person.objects.using(using).only("id", "name", "slug"):
            self.people[person.pk] = person
            self.by_name.setdefault(person.name.casefold(), person)
        for person_id, name in PersonAlias.objects.using(using).values_list("person_id", "name"):
            self.by_alias.setdefault(name.casefold(), set()).add(person_id)
        self.taken_slugs = {p.slug for p in self.people.values()}
        self.new_people: list[Person] = []
        self.new_aliases: list[tuple[Person, str]] = []
        self._aliased: set[tuple[int, str]] = set()
        self._surname_index: dict[str, list[Person]] | None = None

    def full_name(self, name: str) -> Person:
        key = name.casefold()
        person = self.by_name.get(key)
        if person is None and len(self.by_alias.get(key, ())) == 1:
            person = self.people[next(iter(self.by_alias[key]))]
        if person is None:
            person = self._create(name)
        return person

    def _create(self, name: str, review_note: str = "") -> Person:
        slug = next_free_slug(slug_base(name, fallback="person"), self.taken_slugs)
        self.taken_slugs.add(slug)
        person = Person(
            name=name, slug=slug, needs_review=bool(review_note), review_note=review_note
        )
        self.new_people.append(person)
        self.by_name[name.casefold()] = person
        self._surname_index = None
        return person

    def _candidates(self, surname: str) -> list[Person]:
        """People with a full name ending in `surname` ("Biderman" -> "Stella Biderman")."""
        if self._surname_index is None:
            index: dict[str, list[Person]] = {}
            for person in [*self.people.values(), *self.new_people]:
                words = person.name.casefold().split()
                for start in range(1, len(words)):
                    index.setdefault(" ".join(words[start:]), []).append(person)
            self._surname_index = index
        return self._surname_index.get(surname.casefold(), [])

    def surname(self, surname: str, where: str) -> tuple[Person, bool]:
        """Resolve a surname-only mention; returns (person, resolved)."""
        key = surname.casefold()
        # An alias staff (or an earlier import) settled wins over guessing.
        alias_owners = [self.people[i] for i in self.by_alias.get(key, ()) if i in self.people]
        full_owners = [p for p in alias_owners if p.name.casefold() != key]
        if len(full_owners) == 1:
            return full_owners[0], True
        candidates = self._candidates(surname)
        if len(candidates) == 1:
            person = candidates[0]
            already = person.pk is not None and person.pk in self.by_alias.get(key, ())
            if not already and (id(person), key) not in self._aliased:
                self._aliased.add((id(person), key))
                self.new_aliases.append((person, surname))
            return person, True
        existing = self.by_name.get(key)
        if existing is not None:
            return existing, False
        others = ", ".join(sorted(p.name for p in candidates)) or "none"
        note = f"known only by the surname “{surname}” ({where}); people it could be: {others}"
        return self._create(surname, review_note=note), False


class _Venues:
    def __init__(self, using: str):
        self.using = using
        self.by_name: dict[str, Venue] = {}
        venues = {v.pk: v for v in Venue.objects.using(using).only("id", "name", "slug")}
        for venue in venues.values():
            self.by_name[venue.name.casefold()] = venue
        for venue_id, name in VenueAlias.objects.using(using).values_list("venue_id", "name"):
            self.by_name.setdefault(name.casefold(), venues[venue_id])
        self.taken_slugs = {v.slug for v in venues.values()}
        self.new_venues: list[Venue] = []
        self.new_aliases: list[tuple[Venue, str]] = []

    def get(self, listing_name: str) -> Venue:
        venue = self.by_name.get(listing_name.casefold())
        if venue is None:
            name = canonical_venue_name(listing_name)
            venue = self.by_name.get(name.casefold())
        if venue is None:
            known = known_venue(name)
            slug = next_free_slug(slug_base(name, fallback="venue"), self.taken_slugs)
            self.taken_slugs.add(slug)
            venue = Venue(
                name=name,
                slug=slug,
                kind=guess_venue_kind(name),
                full_name=known.full_name if known else "",
                url=known.url if known else "",
            )
            self.new_venues.append(venue)
            self.by_name[name.casefold()] = venue
            for alias in known.aliases if known else ():
                self.new_aliases.append((venue, alias))
                self.by_name.setdefault(alias.casefold(), venue)
        return venue


@dataclass
class _Planned:
    draft: PaperDraft
    values: dict
    venue: Venue | None
    awards: list[Award]
    authors: list[tuple[Person, int | None, bool]]
    reasons: list[str]


def import_listings(
    listings: list[ParsedListing], *, using: str = "default", dry_run: bool = False
) -> ImportReport:
    """Import parsed listings into the database `using`, atomically."""
    report = ImportReport(dry_run=dry_run)
    for listing in listings:
        report.files.append(
            FileSummary(
                name=listing.source_file,
                format=listing.format,
                entries=len(listing.entries),
                listing_year=listing.listing_year,
                listing_year_reason=listing.listing_year_reason,
                skipped=[str(error) for error in listing.skipped],
            )
        )
    entries = [entry for listing in listings for entry in listing.entries]
    with _cyclic_gc_paused():
        drafts = merge_entries(entries)
        report.merged = len(entries) - len(drafts)
        with transaction.atomic(using=using):
            _Import(using, report).run(drafts)
            if dry_run:
                transaction.set_rollback(True, using=using)
    return report


@contextmanager
def _cyclic_gc_paused():
    """No cyclic garbage collection during the import.

    An import builds millions of objects (drafts, plans, rows) that live until
    it ends, and frees few. Each full pass of the cyclic collector walks all of
    them, and the allocations trigger pass after pass: ~6 s at 100,000 entries.
    Reference counting still frees what the import drops; anything
    cyclic waits for the collector, which runs again once the import is over.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _NewPaper:
    plan: _Planned
    slug: str
    citation_key: str = ""
    author_names: str = ""
    pk: int | None = None

    @property
    def title(self) -> str:
        return self.plan.values["title"]

    @property
    def needs_review(self) -> bool:
        return bool(self.plan.reasons)


_AMBIGUOUS_MATCH = "matches several catalog papers; merged into the most likely one"


class _Import:
    def __init__(self, using: str, report: ImportReport):
        self.using = using
        self.report = report
        self.now = timezone.now()

    def run(self, drafts: list[PaperDraft]) -> None:
        postgres = _is_postgres(self.using)
        if postgres:
            _compress_quickly(self.using)
        # Everything the import is checked against is read first, so that the
        # planning below needs no query (see _NewPapers).
        people, venues = _People(self.using), _Venues(self.using)
        awards = {a.name.casefold(): a for a in Award.objects.using(self.using)}
        existing, source_owner, ambiguous = self._match_existing(drafts)
        tombstones = _Tombstones(self.using)
        deleted = {}
        for draft in drafts:
            if id(draft) not in existing and (tombstone := tombstones.match(draft)):
                deleted[id(draft)] = tombstone
        new_drafts = [d for d in drafts if id(d) not in existing and id(d) not in deleted]
        taken_slugs = set(Paper.objects.using(self.using).values_list("slug", flat=True))
        taken_slugs |= RESERVED_PAPER_SLUGS
        taken_keys = self._taken_citation_keys() if new_drafts else set()

        new_papers = None
        if postgres and new_drafts and hasattr(Paper, "search_vector"):
            new_ids = _allocate_ids(Paper, len(new_drafts), self.using)
            new_papers = _NewPapers(self.using, new_ids, (d.abstract for d in new_drafts))
        with new_papers.computing() if new_papers else nullcontext():
            planned, new_awards = self._plan(drafts, people, venues, awards)
            # Flagged after planning, as before: the plans' reasons do not see it.
            for draft in ambiguous:
                draft.flag(_AMBIGUOUS_MATCH)
            to_create, to_update = self._sort_out(planned, existing, deleted, taken_slugs)
            self._assign_citation_keys(to_create, taken_keys)
        if new_papers:
            for paper, pk in zip(to_create, new_ids, strict=True):
                paper.pk = pk

        # Everything the plan refers to must exist before papers point at it.
        self._bulk_create(Venue, venues.new_venues)
        self.report.venues_created = [v.name for v in venues.new_venues]
        self._bulk_create(VenueAlias, [VenueAlias(venue=v, name=n) for v, n in venues.new_aliases])
        self._bulk_create(Award, new_awards)
        self.report.awards_created = [a.name for a in new_awards]
        _insert_objects(Person, people.new_people, self.using)
        self.report.people_created = len(people.new_people)
        _insert_rows(
            PersonAlias,
            ["person_id", "name"],
            [(p.pk, n) for p, n in people.new_aliases],
            self.using,
        )
        self._write_papers(to_create, to_update, source_owner, new_papers)

    def _plan(self, drafts, people: _People, venues: _Venues, awards: dict):
        """Each draft's people, venue, awards and values (pure: no queries)."""
        new_awards: list[Award] = []
        award_slugs = {a.slug for a in awards.values()}

        # Full names first: a surname-only mention is resolved against every
        # person the whole run knows, whichever listing names them.
        for draft in drafts:
            for author in draft.authors:
                if not author.surname_only:
                    people.full_name(author.name)

        planned = []
        for draft in drafts:
            reasons = list(draft.review_reasons)
            where = f"{draft.entries[0].source_file} entry {draft.entries[0].entry_index}"
            authors, unresolved = [], []
            for author in draft.authors:
                if author.surname_only:
                    person, resolved = people.surname(author.name, where)
                    if resolved:
                        self.report.surname_links.append((author.name, person.name))
                    else:
                        unresolved.append(author.name)
                else:
                    person = people.full_name(author.name)
                authors.append((person, author.position, author.equal_contribution))
            if unresolved:
                reasons.append("surname-only authors not resolved: " + ", ".join(unresolved))
            authors = _drop_repeated_people(authors, reasons)

            venue_name = draft.venue_name or venue_name_from_citation(
                draft.venue_detail, draft.arxiv_id, draft.other_identifier
            )
            venue = venues.get(venue_name) if venue_name else None

            paper_awards = []
            for name in draft.awards:
                award = awards.get(name.casefold())
                if award is None:
                    slug = next_free_slug(slug_base(name, fallback="award"), award_slugs)
                    award_slugs.add(slug)
                    award = awards[name.casefold()] = Award(name=name, slug=slug)
                    new_awards.append(award)
                paper_awards.append(award)

            values = {name: getattr(draft, name) for name in _COLUMN_FIELDS}
            values["venue"] = venue.name if venue else ""
            values["awards"] = tuple(sorted(a.name for a in paper_awards))
            values["authors"] = tuple((p.name, pos, eq) for p, pos, eq in authors)
            planned.append(_Planned(draft, values, venue, paper_awards, authors, reasons))
        return planned, new_awards

    def _sort_out(self, planned, existing, deleted, taken_slugs):
        """New papers (slugged) and updates of catalog papers (applied in memory)."""
        run_sources = {key for p in planned for key in p.draft.source_keys}
        to_create: list[_NewPaper] = []
        to_update: list[tuple[Paper, _Planned, list[str]]] = []
        for plan in planned:
            paper = existing.get(id(plan.draft))
            if paper is None:
                tombstone = deleted.get(id(plan.draft))
                if tombstone:
                    self.report.deleted_skipped.append(
                        f"“{plan.draft.title}”: staff deleted “{tombstone.title}” on "
                        f"{tombstone.deleted_at:%Y-%m-%d}; not re-created"
                    )
                    continue
                slug = next_free_slug(
                    slug_base(plan.draft.title, max_length=100, fallback="paper"), taken_slugs
                )
                taken_slugs.add(slug)
                to_create.append(_NewPaper(plan, slug))
                continue
            other_sources = {(s.listing, s.entry_index) for s in paper.sources.all()} - run_sources
            changed = self._update(paper, plan, authoritative=not other_sources)
            to_update.append((paper, plan, changed))
        return to_create, to_update

    def _bulk_create(self, model, objects):
        if objects:
            model.objects.using(self.using).bulk_create(objects, batch_size=1000)

    def _new_paper_row(self, paper: _NewPaper, imported_fields=IMPORTED_FIELDS) -> dict:
        """A new paper's columns (attnames), as _apply() sets every imported
        field; imported_values holds `imported_fields` (and the review note)."""
        plan = paper.plan
        values = plan.values
        row = {name: values[name] for name in _COLUMN_FIELDS}
        imported = {name: _json_value(values[name]) for name in imported_fields}
        note = "; ".join(plan.reasons)
        imported["review_note"] = note
        row.update(
            slug=paper.slug,
            venue_id=plan.venue.pk if plan.venue else None,
            url="",
            needs_review=bool(plan.reasons),
            review_note=note,
            staff_edited_fields=[],
            imported_values=imported,
            created_at=self.now,
            updated_at=self.now,
            title_key=plan.draft.title_key,
            author_names=paper.author_names,
            citation_key=paper.citation_key,
        )
        return row

    def _create_papers(self, to_create: list[_NewPaper], writer: _NewPapers | None) -> None:
        if not to_create:
            return
        if writer is None:
            # bulk_create numbers the papers; refresh_search_index (in
            # _write_papers) fills their search fields.
            papers = [Paper(**self._new_paper_row(p)) for p in to_create]
            Paper.objects.using(self.using).bulk_create(papers, batch_size=1000)
            for new, paper in zip(to_create, papers, strict=True):
                new.pk = paper.pk
            return
        self._author_names(to_create)
        columns = ["id"] + [
            f.attname
            for f in Paper._meta.concrete_fields
            if not f.primary_key and f.attname not in _COMPUTED_COLUMNS
        ]
        json_columns = {
            f.attname for f in Paper._meta.concrete_fields if isinstance(f, models.JSONField)
        }

        def rows():
            for paper in to_create:
                # imported_values: only the fields that are not columns; the
                # database adds the others (_NewPapers.write()).
                row = self._new_paper_row(paper, _IMPORTED_NON_COLUMNS)
                row["id"] = paper.pk
                for name in json_columns:
                    row[name] = json.dumps(row[name])
                yield tuple(row[name] for name in columns)

        writer.write(columns, rows())

    def _write_papers(self, to_create, to_update, source_owner, writer) -> None:
        self._create_papers(to_create, writer)
        self.report.created = [p.title for p in to_create]

        changed_papers = [(paper, plan, fields) for paper, plan, fields in to_update if fields]
        self.report.unchanged = len(to_update) - len(changed_papers)
        self.report.updated = [(paper.title, fields) for paper, _, fields in changed_papers]
        columns = sorted(
            {
                f
                for _, _, fields in changed_papers
                for f in fields
                if f in (*_COLUMN_FIELDS, "venue")
            }
        )
        if changed_papers:
            for paper, _, _ in changed_papers:
                paper.updated_at = self.now
            Paper.objects.using(self.using).bulk_update(
                [p for p, _, _ in changed_papers],
                [
                    *columns,
                    "imported_values",
                    "needs_review",
                    "review_note",
                    "title_key",
                    "updated_at",
                ],
                batch_size=500,
            )

        # Related rows: authorships and awards are replaced wholesale for papers
        # whose lists changed; sources are added. (pk, plan) per paper.
        created = [(p.pk, p.plan) for p in to_create]
        rewrite_authors = created + [
            (p.pk, plan) for p, plan, fields in changed_papers if "authors" in fields
        ]
        rewrite_awards = created + [
            (p.pk, plan) for p, plan, fields in changed_papers if "awards" in fields
        ]
        created_ids = {pk for pk, _ in created}
        for ids in chunks([pk for pk, _ in rewrite_authors if pk not in created_ids]):
            Authorship.objects.using(self.using).filter(paper_id__in=ids).delete()
        _insert_rows(
            Authorship,
            ["paper_id", "person_id", "position", "equal_contribution"],
            [
                (pk, person.pk, pos, eq)
                for pk, plan in rewrite_authors
                for person, pos, eq in plan.authors
            ],
            self.using,
        )
        through = Paper.awards.through
        for ids in chunks([pk for pk, _ in rewrite_awards if pk not in created_ids]):
            through.objects.using(self.using).filter(paper_id__in=ids).delete()
        _insert_rows(
            through,
            ["paper_id", "award_id"],
            [(pk, a.pk) for pk, plan in rewrite_awards for a in plan.awards],
            self.using,
        )

        new_sources = []
        for pk, plan in created + [(p.pk, plan) for p, plan, _ in to_update]:
            for entry in plan.draft.entries:
                key = (entry.source_file, entry.entry_index)
                if source_owner.get(key) == pk:
                    continue
                new_sources.append(
                    (pk, entry.source_file, entry.format, entry.entry_index, entry.line)
                )
        # A listing entry that now belongs to another paper moves over.
        moved = [
            (listing, index)
            for _, listing, _, index, _ in new_sources
            if (listing, index) in source_owner
        ]
        for listing in {listing for listing, _ in moved}:
            PaperSource.objects.using(self.using).filter(
                listing=listing, entry_index__in=[i for name, i in moved if name == listing]
            ).delete()
        _insert_rows(
            PaperSource,
            ["paper_id", "listing", "format", "entry_index", "line"],
            new_sources,
            self.using,
        )

        refresh = getattr(Paper.objects.using(self.using), "refresh_search_index", None)
        touched = [] if writer else [p.pk for p in to_create]
        touched += [p.pk for p, _, _ in changed_papers]
        if refresh and touched:
            for ids in chunks(touched):
                Paper.objects.using(self.using).filter(pk__in=ids).refresh_search_index()

        for title, needs_review, plan in [
            *[(p.title, p.needs_review, p.plan) for p in to_create],
            *[(p.title, p.needs_review, plan) for p, plan, _ in changed_papers],
        ]:
            if needs_review:
                self.report.flagged.append((title, plan.reasons))

    def _author_names(self, to_create: list[_NewPaper]) -> None:
        """Paper.author_names of new papers, as refresh_search_index computes
        it in SQL: the names in author order, then each author's name variants
        ("; "-separated, as the database orders them: one query)."""
        person_ids = {person.pk for p in to_create for person, _, _ in p.plan.authors}
        variants = {}
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                "SELECT person_id, string_agg(name, '; ' ORDER BY name) FROM people_personalias "
                "WHERE person_id = ANY(%s) GROUP BY person_id",
                [list(person_ids)],
            )
            variants = dict(cursor.fetchall())
        for paper in to_create:
            authors = paper.plan.authors
            names = "; ".join(person.name for person, _, _ in authors)
            aliases = "; ".join(
                variants[person.pk] for person, _, _ in authors if person.pk in variants
            )
            paper.author_names = f"{names}; {aliases}" if aliases else names

    def _taken_citation_keys(self) -> set[str]:
        return set(
            Paper.objects.using(self.using)
            .exclude(citation_key="")
            .values_list("citation_key", flat=True)
        )

    def _assign_citation_keys(self, to_create: list[_NewPaper], taken: set[str]) -> None:
        """Key new papers before they are written (see catalog/citekeys.py)."""
        keys = _CitationKeys(taken)
        for paper in to_create:
            plan = paper.plan
            placed = sorted((pos, person.name) for person, pos, _ in plan.authors if pos)
            first = placed[0][1] if placed else None
            paper.citation_key = keys.next_free(
                citation_key_base(first, plan.values["year"], plan.values["title"])
            )

    def _match_existing(self, drafts: list[PaperDraft]):
        """Map each draft to the paper already in the catalog, if any.

        Matched by listing entry (a re-import), then arXiv id, then title key.
        Also returns the drafts that match several papers.
        """
        db = Paper.objects.using(self.using)
        listings = {e.source_file for d in drafts for e in d.entries}
        source_owner = {
            (listing, index): paper_id
            for listing, index, paper_id in PaperSource.objects.using(self.using)
            .filter(listing__in=listings)
            .values_list("listing", "entry_index", "paper_id")
        }
        by_arxiv = self._paper_ids_by("arxiv_id", {d.arxiv_id for d in drafts if d.arxiv_id})
        by_title = self._paper_ids_by("title_key", {d.title_key for d in drafts if d.title_key})

        wanted: dict[int, int] = {}
        ambiguous = []
        for draft in drafts:
            candidates = [source_owner.get(key) for key in draft.source_keys]
            candidates += [by_arxiv.get(draft.arxiv_id), by_title.get(draft.title_key)]
            found = [c for c in candidates if c]
            if found:
                chosen = Counter(found).most_common(1)[0][0]
                wanted[id(draft)] = chosen
                if len(set(found)) > 1:
                    ambiguous.append(draft)
        papers = {}
        for ids in chunks(set(wanted.values())):
            papers.update(
                (p.pk, p)
                for p in db.filter(pk__in=ids)
                .select_related("venue")
                .prefetch_related("sources", "awards", "authorships__person")
            )
        return {key: papers[pk] for key, pk in wanted.items()}, source_owner, ambiguous

    def _paper_ids_by(self, field_name: str, values: set[str]) -> dict[str, int]:
        """{value: paper id} for the papers whose `field_name` is one of
        `values`: on PostgreSQL in one query, the values as one array (a
        2,000-value IN list is slow to build and to parse, and at 100,000
        entries there were 50 of them per field); elsewhere in chunks, under
        SQLite's limit on variables."""
        if not values:
            return {}
        papers = Paper.objects.using(self.using)
        if _is_postgres(self.using):
            column = connections[self.using].ops.quote_name(
                Paper._meta.get_field(field_name).column
            )
            matching = RawSQL(f"{column} = ANY(%s)", [list(values)], output_field=BooleanField())
            return dict(papers.filter(matching).values_list(field_name, "id"))
        found = {}
        for chunk in chunks(values):
            found.update(
                papers.filter(**{f"{field_name}__in": chunk}).values_list(field_name, "id")
            )
        return found

    def _current_values(self, paper: Paper) -> dict:
        current = {name: getattr(paper, name) for name in _COLUMN_FIELDS}
        current["venue"] = paper.venue.name if paper.venue_id else ""
        current["awards"] = tuple(sorted(a.name for a in paper.awards.all()))
        rows = sorted(paper.authorships.all(), key=lambda a: (a.position is None, a.position, a.pk))
        current["authors"] = tuple((a.person.name, a.position, a.equal_contribution) for a in rows)
        return current

    def _update(self, paper: Paper, plan: _Planned, *, authoritative: bool) -> list[str]:
        current = self._current_values(paper)
        previous = paper.imported_values or {}
        changed = []
        for name in IMPORTED_FIELDS:
            new = plan.values[name]
            new_json = _json_value(new)
            if name in paper.staff_edited_fields:
                if name in previous and previous[name] != new_json:
                    self.report.conflicts.append(
                        f"“{paper.title}”: staff edited {name}; the listing changed it too "
                        f"(now {_short(new_json)}); kept the staff edit"
                    )
                continue
            if _is_unknown(new) or new_json == _json_value(current[name]):
                continue
            if not authoritative and not _fills_gap(name, current[name], new):
                continue
            changed.append(name)
        if self._apply(paper, plan, changed, previous=previous):
            changed.append("review note")
        return changed

    def _apply(self, paper: Paper, plan: _Planned, fields: list[str], *, previous=None) -> bool:
        """Set `fields` and the import bookkeeping; True when the review note changed."""
        previous = previous or {}
        for name in fields:
            if name in _COLUMN_FIELDS:
                setattr(paper, name, plan.values[name])
            elif name == "venue":
                paper.venue = plan.venue
        imported = dict(previous)
        for name in IMPORTED_FIELDS:
            if name not in paper.staff_edited_fields and (name in fields or name not in imported):
                imported[name] = _json_value(plan.values[name])
        note = "; ".join(plan.reasons)
        note_changed = note != previous.get("review_note")
        if note_changed:
            # New doubts (or a first import): flag. Unchanged doubts leave
            # the flag as staff set it, so "mark reviewed" sticks.
            paper.needs_review = bool(plan.reasons)
            paper.review_note = note
        imported["review_note"] = note
        if "title" in fields or not paper.title_key:
            paper.title_key = plan.draft.title_key
        paper.imported_values = imported
        return note_changed and bool(previous)


def _fills_gap(name: str, current, new) -> bool:
    """Whether a value from a partial view of a paper may replace the current one."""
    if _is_unknown(current):
        return True
    if name == "abstract":
        return len(new) > len(current)
    if name == "authors":
        return len(new) > len(current)
    if name == "awards":
        return set(new) > set(current)
    if name == "upvotes":
        return new > current
    return False


def _short(value, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _drop_repeated_people(authors, reasons):
    """One row per person per paper: a name listed twice keeps its first place."""
    seen, kept = set(), []
    for person, position, equal in authors:
        if id(person) in seen:
            reasons.append(f"{person.name} is listed twice in the author list")
            continue
        seen.add(id(person))
        kept.append((person, position, equal))
    return kept


class _CitationKeys:
    """next_free_key() for one new paper after another, each key then taken:
    the same keys, without trying again every suffix a base already had (at
    100,000 papers thousands of keys share a base such as "anon2021model",
    and trying a, b, … from the start each time took seconds)."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self._last_suffix: dict[str, int] = {}

    def next_free(self, base: str) -> str:
        if base in self.taken:
            # Every suffix up to the last one this base was given is taken,
            # and stays taken: the search goes on from there.
            n = self._last_suffix.get(base, 0)
            key = base
            while key in self.taken:
                n += 1
                key = base + _key_suffix(n)
            self._last_suffix[base] = n
        else:
            key = base
        self.taken.add(key)
        return key


def _key_suffix(n: int) -> str:
    """a, b, …, z, aa, ab, …: the n-th suffix of catalog.citekeys.next_free_key()."""
    suffix = ""
    while n:
        n, rest = divmod(n - 1, 26)
        suffix = chr(ord("a") + rest) + suffix
    return suffix


class _Tombstones:
    def __init__(self, using: str):
        self.by_arxiv, self.by_source, self.by_title = {}, {}, {}
        for tombstone in DeletedPaper.objects.using(using):
            if tombstone.arxiv_id:
                self.by_arxiv[tombstone.arxiv_id] = tombstone
            for key in tombstone.source_keys:
                self.by_source[key] = tombstone
            self.by_title[normalise_title(tombstone.title)] = tombstone

    def match(self, draft: PaperDraft) -> DeletedPaper | None:
        if draft.arxiv_id and draft.arxiv_id in self.by_arxiv:
            return self.by_arxiv[draft.arxiv_id]
        for listing, index in draft.source_keys:
            if f"{listing}#{index}" in self.by_source:
                return self.by_source[f"{listing}#{index}"]
        return self.by_title.get(draft.title_key)
