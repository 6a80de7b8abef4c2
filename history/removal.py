"""Deleting papers on record, and restoring a deleted one.

A staff delete leaves a "removed" revision holding the whole paper: its
columns, authors, awards and sources, and the ids of its earlier revisions
(the delete unlinks them). Restoring puts the paper back with the same id and
slug, relinks that history, and removes the tombstone that kept re-imports
from bringing the paper back. What no longer exists (a person, venue or award
deleted since, a listing entry another paper took since) is left out and said.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from catalog.models import Authorship, Award, DeletedPaper, Paper, PaperSource
from history.models import PaperRevision
from history.state import curated_state, json_value
from people.models import Person
from venues.models import Venue

# Rebuilt by refresh_search_index(), not kept.
SEARCH_COLUMNS = ("author_names", "search_vector", "head_vector")
DELETED_IN_ADMIN = "deleted in the admin"


class RestoreRefused(ValueError):
    """The paper cannot come back as it was (see the message)."""


def snapshot(paper: Paper) -> dict:
    """All a restore needs, from a paper read with its relations and sources."""
    row = {
        f.attname: json_value(getattr(paper, f.attname))
        for f in Paper._meta.concrete_fields
        if f.attname not in SEARCH_COLUMNS
    }
    return {
        "row": row,
        "state": curated_state(paper),
        "authors": [
            [a.person_id, a.position, a.equal_contribution, a.person.name]
            for a in paper.authorships.all()
        ],
        "awards": [[a.pk, a.name] for a in paper.awards.all()],
        "sources": [
            [s.pk, s.listing, s.format, s.entry_index, s.line] for s in paper.sources.all()
        ],
    }


@transaction.atomic
def papers_delete(*, queryset, user, note: str = DELETED_IN_ADMIN) -> int:
    """Delete these papers, each leaving a "removed" revision with its
    snapshot (and, through Paper's pre_delete signal, a tombstone)."""
    # Read afresh: the caller's queryset may prefetch other ways (the admin's).
    ids = list(queryset.values_list("pk", flat=True))
    papers = list(Paper.objects.filter(pk__in=ids).with_relations().prefetch_related("sources"))
    if not papers:
        return 0
    snapshots = {p.pk: snapshot(p) for p in papers}
    for pk, revision_id in PaperRevision.objects.filter(paper__in=papers).values_list(
        "paper_id", "pk"
    ):
        snapshots[pk].setdefault("revisions", []).append(revision_id)
    last_tombstone = DeletedPaper.objects.order_by("-pk").values_list("pk", flat=True).first()
    Paper.objects.filter(pk__in=snapshots).delete()
    tombstones = dict(
        DeletedPaper.objects.filter(pk__gt=last_tombstone or 0).values_list("slug", "pk")
    )
    now = timezone.now()
    PaperRevision.objects.bulk_create(
        PaperRevision(
            paper_title=p.title[:500],
            created_at=now,
            user=user,
            kind=PaperRevision.Kind.REMOVED,
            note=note,
            undo_data={"tombstone": tombstones.get(p.slug), **snapshots[p.pk]},
        )
        for p in papers
    )
    return len(papers)


@dataclass
class Restored:
    paper: Paper
    left_out: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"Restored “{self.paper.title}”"
        if self.left_out:
            text += f", without: {'; '.join(self.left_out)}"
        return text + "."


def restorable(revision: PaperRevision) -> str:
    """Why this revision cannot be restored, or ""."""
    if revision.kind != PaperRevision.Kind.REMOVED:
        return "it records no deletion"
    if revision.paper_id:
        return "the paper is back already"
    if "row" not in (revision.undo_data or {}):
        # An undo removes what its run created; the run's listings bring it back.
        return "removed by an undo (re-import its listings to bring it back)"
    return ""


def _conflicts(row: dict) -> list[str]:
    """Unique columns another paper holds since."""
    problems = []
    for name, label in (("slug", "slug"), ("arxiv_id", "arXiv id"), ("citation_key", "key")):
        if row.get(name):
            other = Paper.objects.filter(**{name: row[name]}).first()
            if other:
                problems.append(f"its {label} “{row[name]}” belongs to “{other.title}” now")
    return problems


@transaction.atomic
def paper_restore(*, revision: PaperRevision, user) -> Restored:
    """Put a deleted paper back as it was when deleted; refused (nothing
    written) when it cannot be."""
    why = restorable(revision)
    if why:
        raise RestoreRefused(f"“{revision.paper_title}” cannot be restored: {why}.")
    data = revision.undo_data
    row = dict(data["row"])
    problems = _conflicts(row)
    if problems:
        raise RestoreRefused(f"“{revision.paper_title}” cannot be restored: {'; '.join(problems)}.")
    left_out = []
    if row.get("venue_id") and not Venue.objects.filter(pk=row["venue_id"]).exists():
        left_out.append(f"venue {data['state'].get('venue')} (deleted since)")
        row["venue_id"] = None
    if Paper.objects.filter(pk=row["id"]).exists():
        row["id"] = None
    paper = Paper(**{name: Paper._meta.get_field(name).to_python(v) for name, v in row.items()})
    paper.updated_at = timezone.now()
    # Raw, as loaddata saves: the columns as recorded (no new slug, key or
    # created_at); post_save then builds the PostgreSQL search vector.
    paper.save_base(raw=True, force_insert=True)
    left_out += _restore_relations(paper, data)
    Paper.objects.filter(pk=paper.pk).refresh_search_index()
    PaperRevision.objects.filter(pk__in=data.get("revisions", []), paper__isnull=True).update(
        paper=paper
    )
    PaperRevision.objects.filter(pk=revision.pk).update(paper=paper)
    if data.get("tombstone"):
        DeletedPaper.objects.filter(pk=data["tombstone"]).delete()
    PaperRevision.objects.create(
        paper=paper,
        paper_title=paper.title[:500],
        created_at=paper.updated_at,
        user=user,
        kind=PaperRevision.Kind.RESTORED,
        note=("restored, without: " + "; ".join(left_out) if left_out else "restored")[:300],
    )
    return Restored(paper, left_out)


def _restore_relations(paper: Paper, data: dict) -> list[str]:
    left_out = []
    people = set(
        Person.objects.filter(pk__in=[a[0] for a in data["authors"]]).values_list("pk", flat=True)
    )
    Authorship.objects.bulk_create(
        Authorship(paper=paper, person_id=pid, position=pos, equal_contribution=eq)
        for pid, pos, eq, _name in data["authors"]
        if pid in people
    )
    left_out += [
        f"author {name} (deleted since)" for pid, _, _, name in data["authors"] if pid not in people
    ]
    awards = set(
        Award.objects.filter(pk__in=[a[0] for a in data["awards"]]).values_list("pk", flat=True)
    )
    paper.awards.add(*awards)
    left_out += [f"award {name} (deleted since)" for pk, name in data["awards"] if pk not in awards]
    for source_id, listing, fmt, index, line in data["sources"]:
        if PaperSource.objects.filter(listing=listing, entry_index=index).exists():
            left_out.append(f"source {listing}#{index} (another paper has it since)")
            continue
        free = not PaperSource.objects.filter(pk=source_id).exists()
        PaperSource.objects.create(
            id=source_id if free else None,
            paper=paper,
            listing=listing,
            format=fmt,
            entry_index=index,
            line=line,
        )
    return left_out
