"""Decide what an import does, in memory: no queries.

Given the drafts (catalog.importer.merge) and what the catalog already holds,
read up front (catalog.importer.existing, catalog.importer.resolve), this
module matches drafts to catalog papers, works out each paper's values,
applies the re-import rules, slugs and keys new papers, and builds their
rows. The writers (catalog.importer.writing) only carry its decisions out.

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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from catalog.citekeys import FreeKeys, citation_key_base
from catalog.importer import bibliographic
from catalog.importer.identifiers import doi_key
from catalog.importer.merge import PaperDraft
from catalog.importer.report import ImportReport, PaperChange, field_text
from catalog.importer.resolve import Awards, People, Venues
from catalog.importer.text import normalise_title
from catalog.importer.venues import venue_name_from_citation
from catalog.models import IMPORTED_FIELDS, Award, DeletedPaper, Paper
from core.slugs import next_free_slug, slug_base
from people.models import Person
from venues.models import Venue

# Imported fields that are Paper columns; the others (venue, awards,
# authors) are relations, kept in imported_values by name.
COLUMN_FIELDS = [f for f in IMPORTED_FIELDS if f not in ("venue", "awards", "authors")]
NON_COLUMN_FIELDS = [f for f in IMPORTED_FIELDS if f not in COLUMN_FIELDS]

AMBIGUOUS_MATCH = "matches several catalog papers; merged into the most likely one"


@dataclass
class PaperPlan:
    """One draft as it will be written: its values and what they refer to."""

    draft: PaperDraft
    values: dict
    venue: Venue | None
    awards: list[Award]
    authors: list[tuple[Person, int | None, bool]]
    reasons: list[str]


# eq=False: compared and hashed by identity, so writers can key by the object.
@dataclass(eq=False)
class NewPaper:
    """A paper the import creates. Writers set `pk` on it (and, where they
    compute it themselves, `author_names`)."""

    plan: PaperPlan
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


@dataclass
class PaperUpdate:
    """A catalog paper the import matched, with the plan already applied to
    it in memory; `changed` names what changed (empty: unchanged) and
    `before` holds those fields' values before the plan (for previews)."""

    paper: Paper
    plan: PaperPlan
    changed: list[str]
    before: dict = field(default_factory=dict)
    # The listings behind the update, when the plan's draft does not say
    # (a doubtful match's update carries no entries).
    files: list[str] | None = None

    @property
    def source_files(self) -> list[str]:
        return self.files if self.files is not None else draft_files(self.plan.draft)

    def new_value(self, name: str):
        if name in self.plan.values:
            return self.plan.values[name]
        return self.paper.review_note if name == "review note" else getattr(self.paper, name)

    def field_changes(self) -> list[tuple[str, str, str]]:
        """(field, old, new) of each changed field, as text."""
        return [
            (name, field_text(self.before.get(name)), field_text(self.new_value(name)))
            for name in self.changed
        ]


# ---------------------------------------------------------------------------
# Matching drafts to catalog papers


def match_drafts(
    drafts: list[PaperDraft],
    source_owner: dict[tuple[str, int], int],
    by_arxiv: dict[str, int],
    by_title: dict[str, int],
    by_doi: dict[str, int] | None = None,
) -> dict[int, int]:
    """{id(draft): catalog paper id} for the drafts already in the catalog.

    Matched by listing entry (a re-import), arXiv id, DOI (case-insensitive)
    and title key; the paper most of these point at wins. A draft that
    points at several papers is flagged, so that its plan, the paper and the
    report all carry the doubt.
    """
    by_doi = by_doi or {}
    wanted: dict[int, int] = {}
    for draft in drafts:
        candidates = [source_owner.get(key) for key in draft.source_keys]
        candidates += [by_arxiv.get(draft.arxiv_id), by_title.get(draft.title_key)]
        if draft.doi:
            candidates.append(by_doi.get(doi_key(draft.doi)))
        found = [c for c in candidates if c]
        if found:
            wanted[id(draft)] = Counter(found).most_common(1)[0][0]
            if len(set(found)) > 1:
                draft.flag(AMBIGUOUS_MATCH)
    return wanted


class Tombstones:
    """Papers staff deleted, by arXiv id, listing entry and title."""

    def __init__(self, tombstones: Iterable[DeletedPaper]):
        self.by_arxiv, self.by_source, self.by_title = {}, {}, {}
        for tombstone in tombstones:
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


# ---------------------------------------------------------------------------
# Plans


def resolve_full_names(drafts: list[PaperDraft], people: People) -> None:
    """Every fully named author, first: a surname-only mention is then
    resolved against every person the whole run knows, whichever listing
    names them."""
    for draft in drafts:
        for author in draft.authors:
            if not author.surname_only:
                people.full_name(author.name)


def plan_drafts(
    drafts: list[PaperDraft], people: People, venues: Venues, awards: Awards, report: ImportReport
) -> list[PaperPlan]:
    """Each draft's people, venue, awards and values."""
    resolve_full_names(drafts, people)
    return [plan_draft(draft, people, venues, awards, report) for draft in drafts]


def plan_draft(
    draft: PaperDraft, people: People, venues: Venues, awards: Awards, report: ImportReport
) -> PaperPlan:
    reasons = list(draft.review_reasons)
    where = f"{draft.entries[0].source_file} entry {draft.entries[0].entry_index}"
    authors, unresolved = [], []
    for author in draft.authors:
        if author.surname_only:
            person, resolved = people.surname(author.name, where)
            if resolved:
                report.surname_links.append((author.name, person.name))
            else:
                unresolved.append(author.name)
        else:
            person = people.full_name(author.name)
        authors.append((person, author.position, author.equal_contribution))
    if unresolved:
        reasons.append("surname-only authors not resolved: " + ", ".join(unresolved))
    authors = drop_repeated_people(authors, reasons)

    venue_name = draft.venue_name or venue_name_from_citation(
        draft.venue_detail, draft.arxiv_id, draft.other_identifier
    )
    venue = venues.get(venue_name) if venue_name else None
    paper_awards = [awards.get(name) for name in draft.awards]

    values = {name: getattr(draft, name) for name in COLUMN_FIELDS}
    values["venue"] = venue.name if venue else ""
    values["awards"] = tuple(sorted(a.name for a in paper_awards))
    values["authors"] = tuple((p.name, pos, eq) for p, pos, eq in authors)
    return PaperPlan(draft, values, venue, paper_awards, authors, reasons)


def drop_repeated_people(authors, reasons):
    """One row per person per paper: a name listed twice keeps its first place."""
    seen, kept = set(), []
    for person, position, equal in authors:
        if id(person) in seen:
            reasons.append(f"{person.name} is listed twice in the author list")
            continue
        seen.add(id(person))
        kept.append((person, position, equal))
    return kept


def sort_out(
    planned: list[PaperPlan],
    existing: dict[int, Paper],
    deleted: dict[int, DeletedPaper],
    taken_slugs: set[str],
    report: ImportReport,
) -> tuple[list[NewPaper], list[PaperUpdate]]:
    """New papers (slugged) and updates of catalog papers (applied in memory)."""
    run_sources = {key for p in planned for key in p.draft.source_keys}
    to_create: list[NewPaper] = []
    to_update: list[PaperUpdate] = []
    for plan in planned:
        paper = existing.get(id(plan.draft))
        if paper is None:
            tombstone = deleted.get(id(plan.draft))
            if tombstone:
                text = (
                    f"“{plan.draft.title}”: staff deleted “{tombstone.title}” on "
                    f"{tombstone.deleted_at:%Y-%m-%d}; not re-created"
                )
                report.deleted_skipped.append(text)
                report.changes.append(
                    PaperChange("deleted", plan.draft.title, draft_files(plan.draft), note=text)
                )
                continue
            slug = next_free_slug(
                slug_base(plan.draft.title, max_length=100, fallback="paper"), taken_slugs
            )
            taken_slugs.add(slug)
            to_create.append(NewPaper(plan, slug))
            continue
        other_sources = {(s.listing, s.entry_index) for s in paper.import_sources} - run_sources
        before: dict = {}
        changed = plan_update(
            paper, plan, authoritative=not other_sources, report=report, before=before
        )
        to_update.append(PaperUpdate(paper, plan, changed, before))
    return to_create, to_update


def draft_files(draft: PaperDraft) -> list[str]:
    """The listings a draft's entries come from, for a per-file report."""
    return sorted({entry.source_file for entry in draft.entries})


# ---------------------------------------------------------------------------
# Re-import rules


def json_value(value):
    """A field value as stored in Paper.imported_values (JSON-friendly, comparable)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [list(v) if isinstance(v, tuple) else v for v in value]
    return value


def is_unknown(value) -> bool:
    return value in (None, "", (), [])


def current_values(paper: Paper) -> dict:
    """A catalog paper's imported fields, as plans hold them (the paper as
    existing.catalog_papers() reads it)."""
    current = {name: getattr(paper, name) for name in COLUMN_FIELDS}
    current["venue"] = paper.venue.name if paper.venue_id else ""
    current["awards"] = tuple(sorted(a.name for a in paper.import_awards))
    rows = sorted(paper.import_authorships, key=lambda a: (a.position is None, a.position, a.pk))
    current["authors"] = tuple((a.person.name, a.position, a.equal_contribution) for a in rows)
    return current


def flag_doubt(draft: PaperDraft, paper: Paper, doubt: str) -> PaperUpdate:
    """An update that only flags `paper` with a doubt about `draft` (once).

    A doubtful draft is neither merged into the paper it may be nor created
    beside it, and its entry is not recorded as the paper's source, so that
    a later run decides afresh; staff settle it from the review note.
    """
    entry = draft.entries[0]
    reason = f"{entry.source_file} entry {entry.entry_index} (“{draft.title}”) {doubt}"
    plan = PaperPlan(PaperDraft(entries=[]), {}, None, [], [], [reason])
    if reason in paper.review_note:
        return PaperUpdate(paper, plan, [])
    before = {"review note": paper.review_note}
    paper.needs_review = True
    paper.review_note = "; ".join(filter(None, [paper.review_note, reason]))
    return PaperUpdate(paper, plan, ["review note"], before, draft_files(draft))


def plan_update(
    paper: Paper,
    plan: PaperPlan,
    *,
    authoritative: bool,
    report: ImportReport,
    before: dict | None = None,
) -> list[str]:
    """Apply `plan` to a catalog paper in memory; return the changed fields.

    `before`, when given, receives each changed field's value before the plan.
    """
    before = {} if before is None else before
    current = current_values(paper)
    previous = paper.imported_values or {}
    allowed = None
    if bibliographic.is_bibliographic(plan.draft.formats):
        allowed = bibliographic_fields(paper, plan, current, authoritative=authoritative)
    changed = []
    for name in IMPORTED_FIELDS:
        new = plan.values[name]
        new_json = json_value(new)
        if name in paper.staff_edited_fields:
            if name in previous and previous[name] != new_json:
                text = (
                    f"“{paper.title}”: staff edited {name}; the listing changed it too "
                    f"(now {_short(new_json)}); kept the staff edit"
                )
                report.conflicts.append(text)
                report.changes.append(
                    PaperChange(
                        "conflict",
                        paper.title,
                        draft_files(plan.draft),
                        [(name, field_text(current[name]), field_text(new))],
                        note=text,
                    )
                )
            continue
        if is_unknown(new) or new_json == json_value(current[name]):
            continue
        if allowed is not None:
            if name not in allowed:
                continue
        elif not authoritative and not fills_gap(name, current[name], new):
            continue
        changed.append(name)
        before[name] = current[name]
    if allowed is not None and not authoritative:
        plan.reasons = carried_reasons(previous.get("review_note") or "", plan, paper, changed)
    if plan.draft.url and not paper.url:
        # Not an imported field: filled when empty, so a staff URL stays.
        before["url"] = paper.url
        paper.url = plan.draft.url
        changed.append("url")
    before["review note"] = paper.review_note
    if apply_plan(paper, plan, changed, previous=previous):
        changed.append("review note")
    return changed


def bibliographic_fields(
    paper: Paper, plan: PaperPlan, current: dict, *, authoritative: bool
) -> set[str]:
    """The fields a bibliography (a .bib, a lookup) may change on a catalog paper.

    It fills gaps: empty fields; a provisional title; the authors, when its
    list is complete and the paper's is not (the catalog's equal-contribution
    marks kept unless it gives its own); the venue, when the paper has none
    or only a preprint server. A preprint server never replaces a real
    venue, not even on a paper this bibliography alone describes.
    """
    values = plan.values
    venue_ok = bibliographic.venue_may_replace(current["venue"], values["venue"])
    if authoritative:
        preprint_over_venue = current["venue"] and not venue_ok
        return set(IMPORTED_FIELDS) - ({"venue"} if preprint_over_venue else set())
    allowed = {name for name in IMPORTED_FIELDS if is_unknown(current[name])}
    allowed |= {n for n in ("abstract", "awards", "upvotes") if fills_gap(n, current[n], values[n])}
    if bibliographic.title_is_provisional(
        paper.title, paper.imported_values, paper.staff_edited_fields
    ):
        allowed.add("title")
    if venue_ok:
        allowed.add("venue")
    elif current["venue"] and values["venue"] != current["venue"]:
        # The detail of a venue the paper does not take ("arXiv preprint
        # arXiv:...") would misdescribe the venue it keeps.
        allowed.discard("venue_detail")
    if bibliographic.complete_list_replaces(
        current["authors"], paper.authors_complete, values["authors"], values["authors_complete"]
    ):
        allowed |= {"authors", "authors_complete", "author_count"}
        keep_equal_marks(plan, current["authors"])
    else:
        allowed -= {"authors_complete"}
    return allowed


def keep_equal_marks(plan: PaperPlan, current_authors) -> None:
    """The catalog's equal-contribution marks, on a replacing author list
    that marks nobody itself."""
    source_marks = any(equal for _, _, equal in plan.authors)
    merged = bibliographic.merged_authors(
        current_authors, plan.values["authors"], source_marks_equal=source_marks
    )
    plan.values["authors"] = merged
    plan.authors = [
        (person, position, equal)
        for (person, position, _), (_, _, equal) in zip(plan.authors, merged, strict=True)
    ]


# Review reasons that a filled gap answers, and the field that answers each.
_GAP_REASONS = (
    ("no year in listing", "year"),
    ("date without year", "published_on"),
    ("no abstract in listing", "abstract"),
    (bibliographic.PROVISIONAL_TITLE_REASON, "title"),
    ("surname-only authors not resolved", "authors"),
)


def carried_reasons(previous_note: str, plan: PaperPlan, paper: Paper, changed) -> list[str]:
    """A bibliography's reasons for a paper other sources describe too: the
    paper's earlier doubts and the bibliography's own stay, but for the gaps
    the paper no longer has (filled by this run, or by staff)."""
    filled = {field for reason, field in _GAP_REASONS if field in changed}
    have = {f for f in ("year", "published_on", "abstract") if not is_unknown(getattr(paper, f))}

    def answered(reason: str, fields: set[str]) -> bool:
        return any(reason.startswith(text) and field in fields for text, field in _GAP_REASONS)

    kept = [r for r in previous_note.split("; ") if r and not answered(r, have | filled)]
    kept += [r for r in plan.reasons if r not in kept and not answered(r, have | filled)]
    return kept


def apply_plan(paper: Paper, plan: PaperPlan, fields: list[str], *, previous=None) -> bool:
    """Set `fields` and the import bookkeeping; True when the review note changed."""
    previous = previous or {}
    for name in fields:
        if name in COLUMN_FIELDS:
            setattr(paper, name, plan.values[name])
        elif name == "venue":
            paper.venue = plan.venue
    imported = dict(previous)
    for name in IMPORTED_FIELDS:
        if name not in paper.staff_edited_fields and (name in fields or name not in imported):
            imported[name] = json_value(plan.values[name])
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


def fills_gap(name: str, current, new) -> bool:
    """Whether a value from a partial view of a paper may replace the current one."""
    if is_unknown(current):
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


# ---------------------------------------------------------------------------
# New papers


def assign_citation_keys(to_create: list[NewPaper], taken: set[str]) -> None:
    """Key new papers before they are written (see catalog/citekeys.py)."""
    keys = FreeKeys(taken)
    for paper in to_create:
        plan = paper.plan
        placed = sorted((pos, person.name) for person, pos, _ in plan.authors if pos)
        first = placed[0][1] if placed else None
        paper.citation_key = keys.next_free(
            citation_key_base(first, plan.values["year"], plan.values["title"])
        )


def new_paper_row(
    paper: NewPaper, now: datetime.datetime, imported_fields: Iterable[str] = IMPORTED_FIELDS
) -> dict:
    """A new paper's columns (attnames), as apply_plan() sets every imported
    field; imported_values holds `imported_fields` (and the review note)."""
    plan = paper.plan
    values = plan.values
    row = {name: values[name] for name in COLUMN_FIELDS}
    imported = {name: json_value(values[name]) for name in imported_fields}
    note = "; ".join(plan.reasons)
    imported["review_note"] = note
    row.update(
        slug=paper.slug,
        venue_id=plan.venue.pk if plan.venue else None,
        url=plan.draft.url,
        needs_review=bool(plan.reasons),
        review_note=note,
        staff_edited_fields=[],
        imported_values=imported,
        created_at=now,
        updated_at=now,
        title_key=plan.draft.title_key,
        author_names=paper.author_names,
        citation_key=paper.citation_key,
    )
    return row
