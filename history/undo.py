"""Undo an import run: what it created goes, what it changed goes back.

The rule for what may be undone, so that an undo never mixes two runs'
effects: a run is undone only when no later run (not itself undone) touched
any of its papers; undo those first, newest first. Within the run, what staff
changed since (a later revision by a user, a merge, a revert, a deletion, or a field
in Paper.staff_edited_fields) stays as staff left it, and the result says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import Authorship, Award, Paper, PaperSource
from history.models import ImportRun, PaperRevision
from history.services import papers_states
from history.state import COLUMN_FIELDS, apply_state, curated_state, missing_references
from people.models import Person, PersonAlias
from venues.models import Venue, VenueAlias


class UndoRefused(ValueError):
    """The run cannot be undone (already undone, or later runs touched its papers)."""


@dataclass
class UndoResult:
    run: ImportRun
    undo_run: ImportRun | None = None
    removed: list[str] = field(default_factory=list)
    restored: list[tuple[str, list[str]]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{len(self.removed)} papers removed, {len(self.restored)} papers restored"
        if self.kept:
            text += f"; kept (changed since the run): {'; '.join(self.kept)}"
        return text


def later_runs_touching(run: ImportRun) -> list[ImportRun]:
    """Later runs, not undone, that wrote any paper this run wrote."""
    papers = PaperRevision.objects.filter(run=run).values("paper_id")
    return list(
        ImportRun.objects.filter(pk__gt=run.pk, undone_by__isnull=True)
        .exclude(kind=ImportRun.Kind.UNDO)
        .filter(revisions__paper_id__in=papers)
        .distinct()
        .order_by("-pk")
    )


def undo_run(run: ImportRun, *, user=None, dry_run: bool = False) -> UndoResult:
    if run.kind == ImportRun.Kind.UNDO:
        raise UndoRefused("an undo is not undone; re-import instead")
    if hasattr(run, "undone_by"):
        raise UndoRefused(f"already undone by {run.undone_by}")
    later = later_runs_touching(run)
    if later:
        names = ", ".join(f"run {r.pk}" for r in later)
        raise UndoRefused(f"later runs changed the same papers; undo them first: {names}")
    with transaction.atomic():
        result = _undo(run, user)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _undo(run: ImportRun, user) -> UndoResult:
    now = timezone.now()
    result = UndoResult(run)
    undo = ImportRun.objects.create(
        kind=ImportRun.Kind.UNDO, user=user, started_at=now, files=run.files, undoes=run
    )
    result.undo_run = undo
    revisions = list(PaperRevision.objects.filter(run=run).order_by("pk"))
    paper_ids = {r.paper_id for r in revisions if r.paper_id}
    staff_fields = _changed_since(run, paper_ids)
    states = papers_states(paper_ids)
    papers = Paper.objects.in_bulk(paper_ids)
    # A paper deleted since keeps its revisions, unlinked: the deletion
    # (on record, restorable) stands.
    for revision in revisions:
        if revision.paper_id is None:
            result.kept.append(
                f"“{revision.paper_title}” "
                f"({'created' if revision.kind == PaperRevision.Kind.CREATED else 'changed'} "
                "by the run, deleted by staff since: left deleted)"
            )
    created = [r for r in revisions if r.kind == PaperRevision.Kind.CREATED and r.paper_id]
    _remove_created(created, papers, staff_fields, undo, result)
    for revision in revisions:
        if revision.kind == PaperRevision.Kind.IMPORT and revision.paper_id in papers:
            _restore(revision, papers[revision.paper_id], states, staff_fields, result)
    Paper.objects.filter(pk__in=[p for p in paper_ids if p in states]).refresh_search_index()
    _remove_references(run, result)
    _record(undo, states, papers, result)
    return result


def _changed_since(run: ImportRun, paper_ids) -> dict[int, set[str]]:
    """{paper id: fields} changed after the run by anyone but an import run,
    or marked staff-edited."""
    fields: dict[int, set[str]] = {}
    later = PaperRevision.objects.filter(paper_id__in=paper_ids, run__isnull=True).filter(
        Q(pk__gt=PaperRevision.objects.filter(run=run).order_by("-pk").values("pk")[:1])
    )
    for paper_id, changes in later.values_list("paper_id", "changes"):
        fields.setdefault(paper_id, set()).update(changes or {"(any)": None})
    for pk, edited in Paper.objects.filter(pk__in=paper_ids).values_list(
        "pk", "staff_edited_fields"
    ):
        if edited:
            fields.setdefault(pk, set()).update(edited)
    return fields


def _remove_created(created, papers, staff_fields, undo, result) -> None:
    """Papers the run created go without a tombstone: the import never
    happened, so a re-import may bring them back."""
    gone = []
    for revision in created:
        paper = papers.get(revision.paper_id)
        if paper is None:
            continue
        if revision.paper_id in staff_fields:
            result.kept.append(f"“{paper.title}” (created by the run, edited since)")
            continue
        gone.append(paper)
        result.removed.append(paper.title)
    ids = [p.pk for p in gone]
    Authorship.objects.filter(paper_id__in=ids).delete()
    PaperSource.objects.filter(paper_id__in=ids).delete()
    Paper.awards.through.objects.filter(paper_id__in=ids).delete()
    PaperRevision.objects.filter(paper_id__in=ids).update(paper=None)
    PaperRevision.objects.bulk_create(
        PaperRevision(
            paper_title=p.title[:500],
            created_at=undo.started_at,
            user=undo.user,
            run=undo,
            kind=PaperRevision.Kind.REMOVED,
            note=f"created by import run {undo.undoes_id}, removed by its undo",
        )
        for p in gone
    )
    # A raw delete: Paper's pre_delete signal would leave a tombstone
    # (DeletedPaper), and its related rows are gone already.
    Paper.objects.filter(pk__in=ids)._raw_delete(Paper.objects.db)
    for p in gone:
        papers.pop(p.pk)


def _restore(revision, paper, states, staff_fields, result) -> None:
    current = states[paper.pk]
    kept = staff_fields.get(paper.pk, set())
    fields, skipped = [], []
    for name, (_before, after) in revision.changes.items():
        if name in kept or "(any)" in kept or current.get(name) != after:
            skipped.append(name)
        else:
            fields.append(name)
    target = {name: before for name, (before, _) in revision.changes.items()}
    for name, names in missing_references(target, fields).items():
        fields.remove(name)
        skipped.append(f"{name} ({', '.join(names)} deleted since)")
    apply_state(paper, target, fields)
    columns = {name: getattr(paper, name) for name in fields if name in COLUMN_FIELDS}
    if "venue" in fields:
        columns["venue_id"] = paper.venue_id
    bookkeeping = revision.undo_data.get("bookkeeping", {})
    columns["imported_values"] = bookkeeping.get("imported_values", paper.imported_values)
    columns["title_key"] = bookkeeping.get("title_key", paper.title_key)
    if not skipped and paper.pk not in staff_fields and bookkeeping.get("updated_at"):
        columns["updated_at"] = datetime.datetime.fromisoformat(bookkeeping["updated_at"])
    # update(), not save(): save() would stamp updated_at (auto_now).
    Paper.objects.filter(pk=paper.pk).update(**columns)
    for listing, index, previous_owner, *row in revision.undo_data.get("sources", []):
        PaperSource.objects.filter(paper=paper, listing=listing, entry_index=index).delete()
        if previous_owner:
            problem = _give_back(listing, index, previous_owner, row[0] if row else None)
            if problem:
                skipped.append(f"source {listing}#{index} ({problem})")
    result.restored.append((paper.title, fields))
    if skipped:
        result.kept.append(f"“{paper.title}”: {', '.join(skipped)} (changed since the run)")


def _give_back(listing: str, index: int, owner_id: int, row) -> str:
    """Return a listing entry the run moved to another paper to the paper it
    belonged to, as the same row; what stopped it, or ""."""
    if row is None:
        # Recorded before runs kept the row: its format and line are unknown.
        return f"it belonged to paper {owner_id}; not given back"
    if not Paper.objects.filter(pk=owner_id).exists():
        return f"it belonged to paper {owner_id}, deleted since"
    if PaperSource.objects.filter(listing=listing, entry_index=index).exists():
        return "another paper has it since"
    source_id, fmt, line = row
    PaperSource.objects.create(
        # The same id unless something took it (ids are not reused, but a
        # catalog loaded from a fixture may hold any).
        id=None if PaperSource.objects.filter(pk=source_id).exists() else source_id,
        paper_id=owner_id,
        listing=listing,
        format=fmt,
        entry_index=index,
        line=line,
    )
    return ""


def _remove_references(run: ImportRun, result: UndoResult) -> None:
    """People, venues and awards only this run created, and its aliases."""
    rows = run.created_rows or {}
    used_people = Authorship.objects.filter(person_id__in=rows.get("people", [])).values(
        "person_id"
    )
    Person.objects.filter(pk__in=rows.get("people", [])).exclude(pk__in=used_people).delete()
    for person_id, name in rows.get("person_aliases", []):
        PersonAlias.objects.filter(person_id=person_id, name=name).delete()
    for person_id, needs_review, review_note in rows.get("flagged_people", []):
        Person.objects.filter(pk=person_id).update(
            needs_review=needs_review, review_note=review_note
        )
    for venue_id, name in rows.get("venue_aliases", []):
        VenueAlias.objects.filter(venue_id=venue_id, name=name).delete()
    Venue.objects.filter(pk__in=rows.get("venues", []), papers__isnull=True).delete()
    Award.objects.filter(pk__in=rows.get("awards", []), papers__isnull=True).delete()
    for model, key in ((Person, "people"), (Venue, "venues"), (Award, "awards")):
        still = model.objects.filter(pk__in=rows.get(key, [])).count()
        if still:
            result.kept.append(f"{still} {key} the run created (used since)")


def _record(undo: ImportRun, states, papers, result: UndoResult) -> None:
    after = {p.pk: curated_state(p) for p in Paper.objects.with_relations().filter(pk__in=papers)}
    PaperRevision.objects.bulk_create(
        PaperRevision(
            paper_id=pk,
            paper_title=papers[pk].title[:500],
            created_at=undo.started_at,
            user=undo.user,
            run=undo,
            kind=PaperRevision.Kind.UNDO,
            note=f"undo of import run {undo.undoes_id}",
            changes={
                name: [states[pk].get(name), value]
                for name, value in state.items()
                if states[pk].get(name) != value
            },
        )
        for pk, state in after.items()
        if state != states[pk]
    )
    undo.report = {
        "removed": result.removed,
        "restored": result.restored,
        "kept": result.kept,
    }
    undo.save(update_fields=["report"])
