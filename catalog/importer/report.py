"""What an import did, for the command, the admin and the tests."""

from __future__ import annotations

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
    # The history.ImportRun that records the import (None for a dry run,
    # whose record is rolled back with the rest).
    run_id: int | None = None

    @property
    def entries(self) -> int:
        return sum(f.entries for f in self.files)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.people_created or self.people_flagged)
