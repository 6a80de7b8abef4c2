"""Import parsed listings into the catalog: one transaction, bulk writes.

The number of queries does not grow with the number of entries (but for a
few per chunk of thousands where a statement must be bounded). The import
goes in four steps, each in its own module:

1. merge: entries describing the same paper become one draft
   (catalog.importer.merge, pure);
2. read: what the drafts are checked against, in a few queries
   (catalog.importer.existing for papers and tombstones,
   catalog.importer.resolve for people, venues and awards);
3. plan: match, resolve, apply the re-import rules, slug and key, all in
   memory (catalog.importer.planning, no queries);
4. write: through the database's writer (catalog.importer.writing, and
   catalog.importer.postgres for PostgreSQL's fast path).

The report (catalog.importer.report) says what happened.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from catalog.importer.existing import read_existing, taken_citation_keys
from catalog.importer.merge import PaperDraft, merge_entries
from catalog.importer.planning import (
    assign_citation_keys,
    draft_files,
    flag_doubt,
    is_unknown,
    plan_drafts,
    sort_out,
)
from catalog.importer.recording import (
    RunInfo,
    finish_run,
    record_papers,
    start_run,
    states_before,
)
from catalog.importer.records import ParsedListing
from catalog.importer.report import FileSummary, ImportReport, PaperChange, field_text
from catalog.importer.resolve import Awards, People, Venues
from catalog.importer.writing import (
    CatalogWriter,
    write_papers,
    write_references,
    writer_for,
)

__all__ = ["FileSummary", "ImportReport", "RunInfo", "import_listings"]


def import_listings(
    listings: list[ParsedListing],
    *,
    using: str = "default",
    dry_run: bool = False,
    detailed: bool = False,
    run: RunInfo | None = None,
) -> ImportReport:
    """Import parsed listings into the database `using`, atomically.

    The run is recorded (history.ImportRun, with who and which files from
    `run`) with a revision per paper it writes; a dry run rolls that back too.

    detailed: the report lists every paper with its fields (report.changes),
    as the admin's preview shows them; off by default, as at a million
    entries that is time and memory the command does not need.
    """
    report = ImportReport(dry_run=dry_run, files=[FileSummary.of(x) for x in listings])
    report.detailed = detailed
    entries = [entry for listing in listings for entry in listing.entries]
    with _cyclic_gc_paused():
        drafts = merge_entries(entries)
        report.merged = len(entries) - len(drafts)
        with transaction.atomic(using=using):
            report.run_id = import_drafts(drafts, using=using, report=report, run=run)
            if dry_run:
                transaction.set_rollback(True, using=using)
                report.run_id = None
    return report


def import_drafts(
    drafts: list[PaperDraft], *, using: str, report: ImportReport, run: RunInfo | None = None
) -> int:
    """Write `drafts` into the database `using` (inside a transaction);
    return the ImportRun's id."""
    writer = writer_for(using)
    try:
        return _import_with(writer, drafts, using=using, report=report, run=run)
    finally:
        writer.close()


def _import_with(
    writer: CatalogWriter,
    drafts: list[PaperDraft],
    *,
    using: str,
    report: ImportReport,
    run: RunInfo | None,
) -> int:
    now = timezone.now()
    import_run = start_run(run or RunInfo(), report, now, using)
    writer.begin()
    # Everything the import is checked against is read first, so that the
    # planning below needs no query (the writer may use the connection).
    people, venues, awards = People(using), Venues(using), Awards(using)
    existing = read_existing(drafts, using)
    new_drafts = existing.new_drafts(drafts)
    taken_keys = taken_citation_keys(using) if new_drafts else set()
    # Read before planning applies the plans to these papers in memory.
    before = states_before({p.pk: p for p in existing.papers.values()}.values())
    before.update(states_before(p for p, _ in existing.doubtful.values()))
    with writer.planning(new_drafts):
        sure = [d for d in drafts if id(d) not in existing.doubtful]
        planned = plan_drafts(sure, people, venues, awards, report)
        to_create, to_update = sort_out(
            planned, existing.papers, existing.deleted, existing.taken_slugs, report
        )
        to_update += [
            flag_doubt(d, *existing.doubtful[id(d)]) for d in existing.doubtful_drafts(drafts)
        ]
        assign_citation_keys(to_create, taken_keys)

    write_references(writer, people, venues, awards)
    report.venues_created = [v.name for v in venues.new_venues]
    report.awards_created = [a.name for a in awards.new_awards]
    report.people_created = len(people.new_people)
    report.people_flagged = [f"{p.name}: {p.review_note}" for p in people.flagged]
    changed = write_papers(writer, to_create, to_update, existing.source_owner, now)
    report.created = [p.title for p in to_create]
    report.unchanged = len(to_update) - len(changed)
    report.updated = [(u.paper.title, u.changed) for u in changed]
    report.flagged = [(p.title, p.plan.reasons) for p in to_create if p.needs_review]
    report.flagged += [(u.paper.title, u.plan.reasons) for u in changed if u.paper.needs_review]
    if report.detailed:
        report.changes += paper_changes(to_create, to_update, changed)
    record_papers(
        writer,
        import_run,
        to_create,
        to_update,
        before,
        existing.source_owner,
        now,
        source_rows=existing.source_rows,
    )
    writer.finish()
    finish_run(import_run, report, people, venues, awards)
    return import_run.pk


def paper_changes(to_create, to_update, changed) -> list[PaperChange]:
    """Each created, updated and unchanged paper, with its files and fields."""
    changes = [
        PaperChange(
            "created",
            p.title,
            draft_files(p.plan.draft),
            [(name, "", field_text(v)) for name, v in p.plan.values.items() if not is_unknown(v)],
            list(p.plan.reasons),
        )
        for p in to_create
    ]
    written = {id(u) for u in changed}
    for u in to_update:
        kind = "updated" if id(u) in written else "unchanged"
        reasons = list(u.plan.reasons) if u.paper.needs_review and kind == "updated" else []
        changes.append(PaperChange(kind, u.paper.title, u.source_files, u.field_changes(), reasons))
    return changes


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
