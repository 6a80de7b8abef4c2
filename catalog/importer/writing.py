"""Carry out an import's plan: what is written, through one writer interface.

write_references() and write_papers() decide which rows go in, which are
replaced and which are deleted; the same for every database. They do it
through a CatalogWriter, which decides only how rows reach the database:

* PortableWriter: Django's bulk_create / bulk_update, on any database;
* PostgresWriter (catalog.importer.postgres): COPY, ids allocated up
  front, new papers' search fields computed by the database (the
  abstracts' part on a second connection), lz4 compression.

writer_for() picks the one for a database. A new source of papers never
needs a writer change: it produces records (catalog.importer.records), and
from there every source goes the same way.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from contextlib import nullcontext

from django.db import connections

from catalog.importer.planning import COLUMN_FIELDS, NewPaper, PaperUpdate, new_paper_row
from catalog.importer.resolve import Awards, People, Venues
from catalog.models import Authorship, Award, Paper, PaperSource
from people.models import Person, PersonAlias
from venues.models import Venue, VenueAlias

# Largest `IN (...)` list per query: well under SQLite's variable limit.
_CHUNK = 2000
_AUTHORSHIP_COLUMNS = ["paper_id", "person_id", "position", "equal_contribution"]
_SOURCE_COLUMNS = ["paper_id", "listing", "format", "entry_index", "line"]


def chunks(values: Iterable, size: int = _CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def is_postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def writer_for(using: str) -> CatalogWriter:
    if is_postgres(using):
        from catalog.importer.postgres import PostgresWriter

        return PostgresWriter(using)
    return PortableWriter(using)


class CatalogWriter(abc.ABC):
    """How an import's rows reach the database `using`, inside the import's
    transaction. The import calls begin(), then plans inside planning(),
    then writes, then finish(), and close() in the end, whatever happened."""

    # Whether create_papers() writes new papers' search fields itself
    # (otherwise write_papers() refreshes them).
    writes_search_fields = False

    def __init__(self, using: str):
        self.using = using

    def begin(self) -> None:
        """Called once, first, in the import's transaction."""
        return None

    def finish(self) -> None:
        """Called once after the last write, in the import's transaction."""
        return None

    def close(self) -> None:
        """Called once, last, whether the import succeeded or not."""
        return None

    def planning(self, new_drafts: list):
        """The block in which the import plans, once it knows which drafts
        become new papers. The block must not query: a writer may have the
        connection busy meanwhile."""
        return nullcontext()

    @abc.abstractmethod
    def insert_objects(self, model, objects: list) -> None:
        """Insert model instances; each gets its primary key."""

    @abc.abstractmethod
    def insert_rows(self, model, columns: list[str], rows: list[tuple]) -> None:
        """Insert rows given as value tuples in `columns` order (attnames:
        every concrete field but the primary key, which the database numbers)."""

    @abc.abstractmethod
    def create_papers(self, new_papers: list[NewPaper], now) -> None:
        """Insert the new papers' rows (planning.new_paper_row); set each
        NewPaper's pk."""

    def create(self, model, objects: list) -> None:
        """Insert a few instances of a small table (venues, awards)."""
        if objects:
            model.objects.using(self.using).bulk_create(objects, batch_size=1000)

    def update(self, model, objects: list, fields: list[str]) -> None:
        if objects:
            model.objects.using(self.using).bulk_update(objects, fields, batch_size=500)

    def delete_for_papers(self, model, paper_ids: list[int]) -> None:
        for ids in chunks(paper_ids):
            model.objects.using(self.using).filter(paper_id__in=ids).delete()

    def refresh_search_index(self, paper_ids: list[int]) -> None:
        for ids in chunks(paper_ids):
            Paper.objects.using(self.using).filter(pk__in=ids).refresh_search_index()


class PortableWriter(CatalogWriter):
    """Django's bulk operations: any database."""

    def insert_objects(self, model, objects: list) -> None:
        self.create(model, objects)

    def insert_rows(self, model, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        check_columns(model, columns)
        self.create(model, [model(**dict(zip(columns, row, strict=True))) for row in rows])

    def create_papers(self, new_papers: list[NewPaper], now) -> None:
        # bulk_create numbers the papers; write_papers() then fills their
        # search fields.
        papers = {new: Paper(**new_paper_row(new, now)) for new in new_papers}
        self.create(Paper, list(papers.values()))
        for new, paper in papers.items():
            new.pk = paper.pk


def check_columns(model, columns: list[str]) -> None:
    """Rows written as tuples must name every column but the primary key."""
    required = {f.attname for f in model._meta.concrete_fields if not f.primary_key}
    assert set(columns) == required, f"{model.__name__}: columns {columns} != {required}"


def write_references(writer: CatalogWriter, people: People, venues: Venues, awards: Awards):
    """The venues, awards and people the plan refers to: they must exist
    before papers point at them."""
    writer.create(Venue, venues.new_venues)
    writer.create(VenueAlias, [VenueAlias(venue=v, name=n) for v, n in venues.new_aliases])
    writer.create(Award, awards.new_awards)
    writer.insert_objects(Person, people.new_people)
    writer.update(Person, people.flagged, ["needs_review", "review_note"])
    writer.insert_rows(
        PersonAlias, ["person_id", "name"], [(p.pk, n) for p, n in people.new_aliases]
    )


def write_papers(
    writer: CatalogWriter,
    to_create: list[NewPaper],
    to_update: list[PaperUpdate],
    source_owner: dict[tuple[str, int], int],
    now,
) -> list[PaperUpdate]:
    """Write the new papers, the changed ones and their related rows; return
    the updates that changed something."""
    if to_create:
        writer.create_papers(to_create, now)
    changed = [u for u in to_update if u.changed]
    _update_papers(writer, changed, now)

    # Authorships and awards are replaced wholesale for papers whose lists
    # changed; sources are added. (pk, plan) per paper.
    created = [(p.pk, p.plan) for p in to_create]
    rewrite_authors = [(u.paper.pk, u.plan) for u in changed if "authors" in u.changed]
    rewrite_awards = [(u.paper.pk, u.plan) for u in changed if "awards" in u.changed]
    writer.delete_for_papers(Authorship, [pk for pk, _ in rewrite_authors])
    writer.insert_rows(
        Authorship,
        _AUTHORSHIP_COLUMNS,
        [
            (pk, person.pk, position, equal)
            for pk, plan in created + rewrite_authors
            for person, position, equal in plan.authors
        ],
    )
    through = Paper.awards.through
    writer.delete_for_papers(through, [pk for pk, _ in rewrite_awards])
    writer.insert_rows(
        through,
        ["paper_id", "award_id"],
        [(pk, a.pk) for pk, plan in created + rewrite_awards for a in plan.awards],
    )
    _add_sources(writer, created + [(u.paper.pk, u.plan) for u in to_update], source_owner)

    touched = [] if writer.writes_search_fields else [p.pk for p in to_create]
    writer.refresh_search_index(touched + [u.paper.pk for u in changed])
    return changed


def _update_papers(writer: CatalogWriter, changed: list[PaperUpdate], now) -> None:
    """Save the changed papers (their plans already applied in memory)."""
    columns = sorted(
        {f for u in changed for f in u.changed if f in (*COLUMN_FIELDS, "venue", "url")}
    )
    for update in changed:
        update.paper.updated_at = now
    writer.update(
        Paper,
        [u.paper for u in changed],
        [*columns, "imported_values", "needs_review", "review_note", "title_key", "updated_at"],
    )


def _add_sources(writer: CatalogWriter, papers, source_owner) -> None:
    """Each paper's listing entries not yet recorded as its sources; an
    entry that now belongs to another paper moves over."""
    new_sources = []
    for pk, plan in papers:
        for entry in plan.draft.entries:
            key = (entry.source_file, entry.entry_index)
            if source_owner.get(key) == pk:
                continue
            new_sources.append((pk, entry.source_file, entry.format, entry.entry_index, entry.line))
    moved = [
        (listing, index)
        for _, listing, _, index, _ in new_sources
        if (listing, index) in source_owner
    ]
    for listing in {listing for listing, _ in moved}:
        PaperSource.objects.using(writer.using).filter(
            listing=listing, entry_index__in=[i for name, i in moved if name == listing]
        ).delete()
    writer.insert_rows(PaperSource, _SOURCE_COLUMNS, new_sources)
