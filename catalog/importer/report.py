"""What an import did, for the command, the admin and the tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from catalog.importer.records import ParsedListing


@dataclass
class FileSummary:
    name: str
    format: str
    entries: int
    listing_year: int | None = None
    listing_year_reason: str = ""
    skipped: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, listing: ParsedListing) -> FileSummary:
        return cls(
            name=listing.source_file,
            format=listing.format,
            entries=len(listing.entries),
            listing_year=listing.listing_year,
            listing_year_reason=listing.listing_year_reason,
            skipped=[str(error) for error in listing.skipped],
        )


@dataclass
class PaperChange:
    """One paper's part in an import, for a per-file preview.

    kind: "created", "updated", "unchanged" (matched, nothing new), "conflict"
    (a staff edit kept), "deleted" (staff deleted it; not re-created).
    """

    kind: str
    title: str
    files: list[str]
    # (field, old, new), as text.
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    note: str = ""


def field_text(value) -> str:
    """A field's value as a person reads it: authors as names (* = equal
    contribution), lists joined, dates in ISO form, unknown as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        parts = []
        for item in value:
            if isinstance(item, (tuple, list)):  # an author: (name, position, equal)
                parts.append(f"{item[0]}*" if item[2] else str(item[0]))
            else:
                parts.append(str(item))
        return ", ".join(parts)
    return str(value)


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
    # (title, review reasons) of every written paper that needs review.
    flagged: list[tuple[str, list[str]]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    deleted_skipped: list[str] = field(default_factory=list)
    surname_links: list[tuple[str, str]] = field(default_factory=list)
    # People known by a surname only, flagged as maybe a newly named person.
    people_flagged: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Paper by paper, with the files behind each: what the admin's preview
    # shows. Created, updated and unchanged papers only when `detailed`;
    # conflicts and papers not re-created always (they are few).
    changes: list[PaperChange] = field(default_factory=list)
    detailed: bool = False
    # The history.ImportRun that records the import (None for a dry run,
    # whose record is rolled back with the rest).
    run_id: int | None = None

    @property
    def entries(self) -> int:
        return sum(f.entries for f in self.files)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.people_created or self.people_flagged)
