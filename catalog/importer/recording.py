"""An import's record: its ImportRun and one revision per paper it wrote.

Recorded in bulk, through the import's own writer (COPY on PostgreSQL): a
paper the run creates gets one "created" revision without values, a paper it
changes one revision with each changed field before and after, and what undo
needs besides (the bookkeeping columns before, the sources it added).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field

from catalog.importer.planning import NewPaper, PaperUpdate
from catalog.importer.report import ImportReport
from catalog.importer.resolve import Awards, People, Venues
from catalog.importer.writing import is_postgres
from history.models import ImportRun, PaperRevision
from history.state import curated_state, diff, json_value

# How many items of each of its report's lists a run keeps (the first ones).
# A first load of 1,000,000 papers kept every title, created and flagged: one
# 125 MB value (its UPDATE alone 5.2 s of the server's time, besides building
# it), which the admin's list of runs then read whole for each run it showed.
# The run's revisions name every paper it wrote.
LISTED_UP_TO = 1000
# Paper columns an import sets besides the curated fields; undo puts them back.
BOOKKEEPING = ("imported_values", "title_key", "updated_at")


@dataclass
class RunInfo:
    """Who runs an import, and with what: the ImportRun's fields."""

    user: object = None
    kind: str = ImportRun.Kind.LISTINGS
    files: list[dict] = field(default_factory=list)
    format: str = ""
    options: dict = field(default_factory=dict)


def file_info(name: str, data: bytes) -> dict:
    return {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def start_run(info: RunInfo, report: ImportReport, now, using: str) -> ImportRun:
    files = info.files or [{"name": f.name} for f in report.files]
    fmt = info.format or ",".join(sorted({f.format for f in report.files}))
    return ImportRun.objects.using(using).create(
        kind=info.kind,
        user=info.user,
        started_at=now,
        files=files,
        format=fmt,
        options=info.options,
    )


def states_before(papers) -> dict[int, tuple[dict, dict]]:
    """{paper id: (curated state, bookkeeping)} of the catalog papers an
    import may change (as existing.catalog_papers() reads them), read
    before planning changes them in memory."""
    return {
        paper.pk: (
            curated_state(paper, awards=paper.import_awards, authorships=paper.import_authorships),
            {name: json_value(getattr(paper, name)) for name in BOOKKEEPING},
        )
        for paper in papers
    }


def _state_after(update: PaperUpdate, before: dict) -> dict:
    paper, plan = update.paper, update.plan
    after = dict(before)
    for name in before:
        if name not in ("venue", "awards", "authors"):
            after[name] = json_value(getattr(paper, name))
    if "venue" in update.changed:
        after["venue"] = plan.venue.name if plan.venue else ""
    if "awards" in update.changed:
        after["awards"] = sorted(a.name for a in plan.awards)
    if "authors" in update.changed:
        after["authors"] = [[p.name, pos, eq, p.pk] for p, pos, eq in plan.authors]
    return after


def added_sources(pk: int, plan, source_owner, source_rows) -> list[list]:
    """[listing, entry index, previous owner or None, its row or None] of the
    entries the run records for `pk`; the row ([id, format, line]) of an
    entry the run moved from another paper, for undo to give it back."""
    added = []
    for entry in plan.draft.entries:
        key = (entry.source_file, entry.entry_index)
        owner = source_owner.get(key)
        if owner != pk:
            added.append([*key, owner, source_rows.get(key) if owner else None])
    return added


# PaperRevision's columns, as the importer writes them (rows, not instances:
# building 100,000 model instances cost more than writing the rows).
_REVISION_COLUMNS = [
    "paper_id",
    "paper_title",
    "created_at",
    "user_id",
    "run_id",
    "kind",
    "note",
    "changes",
    "undo_data",
]


def record_papers(
    writer,
    run: ImportRun,
    to_create: list[NewPaper],
    to_update: list[PaperUpdate],
    before: dict[int, tuple[dict, dict]],
    source_owner,
    now,
    source_rows=None,
) -> None:
    """One revision per paper the run created or changed (or gave a source)."""
    # COPY takes JSON columns as text; the portable writer builds instances.
    encode = json.dumps if is_postgres(writer.using) else (lambda value: value)
    user_id = run.user_id
    empty = encode({})
    rows = [
        (new.pk, new.title[:500], now, user_id, run.pk, "created", "", empty, empty)
        for new in to_create
    ]
    for update in to_update:
        pk = update.paper.pk
        sources = added_sources(pk, update.plan, source_owner, source_rows or {})
        if not update.changed and not sources:
            continue
        state, bookkeeping = before[pk]
        changes = diff(state, _state_after(update, state)) if update.changed else {}
        undo_data = {"bookkeeping": bookkeeping, "sources": sources}
        rows.append(
            (
                pk,
                update.paper.title[:500],
                now,
                user_id,
                run.pk,
                "import",
                "",
                encode(changes),
                encode(undo_data),
            )
        )
    writer.insert_rows(PaperRevision, _REVISION_COLUMNS, rows)


def finish_run(
    run: ImportRun, report: ImportReport, people: People, venues: Venues, awards: Awards
) -> None:
    run.report = report_json(report)
    run.created_rows = {
        "people": [p.pk for p in people.new_people],
        "person_aliases": [[p.pk, name] for p, name in people.new_aliases],
        "flagged_people": [[pk, *before] for pk, before in people.flagged_before.items()],
        "venues": [v.pk for v in venues.new_venues],
        "venue_aliases": [[v.pk, name] for v, name in venues.new_aliases],
        "awards": [a.pk for a in awards.new_awards],
    }
    run.save(update_fields=["report", "created_rows"])


def report_json(report: ImportReport) -> dict:
    """The report as the run keeps it: each list's first LISTED_UP_TO items,
    and every list's length in "counts"."""
    lists = {
        f.name: getattr(report, f.name)
        for f in dataclasses.fields(report)
        if isinstance(getattr(report, f.name), list)
    }
    data = dataclasses.asdict(
        dataclasses.replace(report, **{name: items[:LISTED_UP_TO] for name, items in lists.items()})
    )
    data["counts"] = {name: len(items) for name, items in lists.items()}
    data["entries"] = report.entries
    return data
