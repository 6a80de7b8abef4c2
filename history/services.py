"""Writes of history itself: recording a change, reverting a paper."""

from __future__ import annotations

from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone

from catalog.models import IMPORTED_FIELDS, Paper
from history.models import ImportRun, PaperRevision
from history.state import apply_state, curated_state, diff, missing_references, state_before


class RevertRefused(ValueError):
    """The version names what no longer exists (see the message)."""


def paper_state(paper_id: int) -> dict:
    """The paper's curated state, read fresh (four queries)."""
    return curated_state(Paper.objects.with_relations().get(pk=paper_id))


def papers_states(paper_ids) -> dict[int, dict]:
    """{paper id: curated state}, in a fixed number of queries."""
    return {p.pk: curated_state(p) for p in Paper.objects.with_relations().filter(pk__in=paper_ids)}


def revision_record(
    paper: Paper,
    before: dict,
    after: dict,
    *,
    kind: str,
    user=None,
    run: ImportRun | None = None,
    note: str = "",
) -> PaperRevision | None:
    """An unsaved revision of the change from `before` to `after` (None: no change)."""
    changes = diff(before, after)
    if not changes:
        return None
    return PaperRevision(
        paper=paper,
        paper_title=paper.title[:500],
        created_at=timezone.now(),
        user=user,
        run=run,
        kind=kind,
        note=note[:300],
        changes=changes,
    )


def record_change(paper: Paper, before: dict, after: dict, **kwargs) -> PaperRevision | None:
    revision = revision_record(paper, before, after, **kwargs)
    if revision is not None:
        revision.save()
    return revision


def record_states(papers_before: dict[int, dict], *, kind: str, note: str = "", user=None) -> int:
    """A revision for each of these papers whose state changed since
    `papers_before` was read (merges of people and venues); in bulk."""
    papers = {p.pk: p for p in Paper.objects.with_relations().filter(pk__in=papers_before)}
    revisions = [
        revision_record(
            papers[pk], before, curated_state(papers[pk]), kind=kind, note=note, user=user
        )
        for pk, before in papers_before.items()
        if pk in papers
    ]
    revisions = [r for r in revisions if r is not None]
    PaperRevision.objects.bulk_create(revisions)
    return len(revisions)


@transaction.atomic
def delete_recording_papers(*, objects, papers, user, note: str) -> int:
    """Delete `objects` (people, venues, awards) and give each paper the
    delete changed (`papers`, read before) a revision and a new updated_at
    (feeds and harvesters follow it)."""
    ids = list(papers.values_list("pk", flat=True).distinct())
    before = papers_states(ids)
    objects.delete()
    changed = Paper.objects.filter(pk__in=ids)
    changed.update(updated_at=Now())
    # The authors' names are part of the search index.
    changed.refresh_search_index()
    return record_states(before, kind=PaperRevision.Kind.ADMIN, note=note, user=user)


def version_at(paper: Paper, revision: PaperRevision) -> dict:
    """The paper's state just after `revision`: the current state with every
    later revision's changes walked back."""
    later = paper.revisions.filter(created_at__gte=revision.created_at).exclude(
        created_at=revision.created_at, id__lte=revision.id
    )
    return state_before(paper_state(paper.pk), later.order_by("-created_at", "-id"))


@transaction.atomic
def paper_revert(*, paper: Paper, revision: PaperRevision, user) -> PaperRevision | None:
    """Put the paper back as it was just after `revision`; the fields this
    sets count as staff-edited (no import overwrites them), and the revert
    is a revision of its own."""
    before = paper_state(paper.pk)
    target = version_at(paper, revision)
    fields = [name for name, value in target.items() if before.get(name) != value]
    if not fields:
        return None
    if missing := missing_references(target, fields):
        gone = "; ".join(f"{name}: {', '.join(names)}" for name, names in missing.items())
        raise RevertRefused(f"Not reverted: that version names what was deleted since ({gone}).")
    apply_state(paper, target, fields)
    edited = {name for name in fields if name in IMPORTED_FIELDS}
    paper.staff_edited_fields = sorted(set(paper.staff_edited_fields) | edited)
    paper.save()
    Paper.objects.filter(pk=paper.pk).refresh_search_index()
    return record_change(
        paper,
        before,
        paper_state(paper.pk),
        kind=PaperRevision.Kind.REVERT,
        user=user,
        note=f"reverted to the version of {revision.created_at:%Y-%m-%d %H:%M:%S}",
    )
