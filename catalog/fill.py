"""Filling one paper from an arXiv id, a DOI or a pasted BibTeX entry.

The source is read as an import reads it (the BibTeX parser, the arXiv and
DOI lookups, the merge's draft), so the values are the ones an import
would bring; unlike an import, staff see each field's old and new value
and pick the fields to take. What they take counts as their edit: it is
marked staff-edited, and no import overwrites it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from catalog.authors_text import AuthorsTextError, paper_set_authors, plan_authors
from catalog.importer.bibtex import looks_like_bibtex, parse_bibtex
from catalog.importer.lookups import Lookups
from catalog.importer.merge import build_draft
from catalog.importer.records import ListingError
from catalog.importer.resolve import Venues
from catalog.importer.venues import venue_name_from_citation
from catalog.models import Paper

# The fields a source may fill, in the order the form lists them.
FILLABLE = {
    "title": "Title",
    "authors": "Authors",
    "abstract": "Abstract",
    "venue": "Venue",
    "venue_detail": "Venue detail",
    "year": "Year",
    "published_on": "Published on",
    "arxiv_id": "arXiv id",
    "doi": "DOI",
    "other_identifier": "Other identifier",
    "url": "URL",
}
_DATES = {"published_on"}


class FillError(ValueError):
    """The text names no paper that could be read or looked up."""


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    current: str
    new: str
    # Staff-edited fields are offered unticked: taking them is a choice.
    ticked: bool


def read_source(text: str, lookups: Lookups) -> dict[str, object]:
    """The values the source gives a paper (JSON-ready; authors as text)."""
    text = text.strip()
    if not text:
        raise FillError("Paste an arXiv id, a DOI or a BibTeX entry.")
    if looks_like_bibtex(text):
        try:
            listing = parse_bibtex(text, source_file="pasted entry")
        except ListingError as error:
            raise FillError(f"Not a readable BibTeX entry: {error}") from None
    else:
        listing = lookups.look_up([text])
    if listing.skipped:
        raise FillError("; ".join(str(error) for error in listing.skipped))
    if len(listing.entries) != 1:
        raise FillError(f"Expected one paper, found {len(listing.entries)}.")
    draft = build_draft(listing.entries)
    venue = draft.venue_name or venue_name_from_citation(
        draft.venue_detail, draft.arxiv_id, draft.other_identifier
    )
    values = {name: getattr(draft, name) for name in FILLABLE if hasattr(draft, name)}
    values["venue"] = venue
    values["authors"] = _authors_text(draft) if draft.authors else ""
    values["published_on"] = draft.published_on.isoformat() if draft.published_on else None
    return values


def _authors_text(draft) -> str:
    names = [f"{a.name}{'*' if a.equal_contribution else ''}" for a in draft.authors]
    return ", ".join(names) + ("" if draft.authors_complete else ", et al.")


def current_values(paper: Paper, authors_text: str) -> dict[str, object]:
    values = {name: getattr(paper, name) for name in FILLABLE if name not in ("venue", "authors")}
    values["venue"] = paper.venue.name if paper.venue else ""
    values["authors"] = authors_text
    values["published_on"] = paper.published_on.isoformat() if paper.published_on else None
    return values


def differences(paper: Paper, current: dict, proposed: dict) -> list[Difference]:
    """The fields where the source says something else than the paper; a
    source that says nothing of a field (empty) leaves it alone."""
    found = []
    for name, label in FILLABLE.items():
        new, old = proposed.get(name), current.get(name)
        if new in (None, "") or _shown(new) == _shown(old):
            continue
        ticked = name not in paper.staff_edited_fields
        found.append(Difference(name, label, _shown(old), _shown(new), ticked))
    return found


def _shown(value) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def paper_fill(*, paper: Paper, proposed: dict, fields: list[str]) -> list[str]:
    """Take the chosen fields' values; return the fields changed (marked staff-edited).

    Raises AuthorsTextError when the authors cannot be read, before any write."""
    fields = [name for name in FILLABLE if name in fields and proposed.get(name) not in ("", None)]
    plan = None
    if "authors" in fields:
        plan = plan_authors(str(proposed["authors"]), paper=paper, using=paper._state.db)
        if plan.repeated_person():
            raise AuthorsTextError(f"{plan.repeated_person()} is named twice")
    for name in fields:
        if name in ("venue", "authors"):
            continue
        value = proposed[name]
        if name in _DATES:
            value = datetime.date.fromisoformat(value)
        setattr(paper, name, value)
    if "venue" in fields:
        venues = Venues(paper._state.db)
        paper.venue = venues.get(str(proposed["venue"]))
        for venue in venues.new_venues:
            venue.save()
        for venue, alias in venues.new_aliases:
            venue.aliases.get_or_create(name=alias)
    paper.full_clean(exclude=["slug"])
    paper.staff_edited_fields = sorted(set(paper.staff_edited_fields) | set(fields))
    paper.save()
    if plan is not None:
        marked = paper_set_authors(paper=paper, plan=plan)
        fields = sorted(set(fields) | set(marked))
    Paper.objects.filter(pk=paper.pk).refresh_search_index()
    return fields
