"""The seed listings the parser tests read (fixtures/listings/, a copy of the
scraped seeds), and small helpers over them."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

from catalog.importer.parsing import decode_listing, parse_listing
from catalog.importer.records import EntryRecord, ParsedListing

FIXTURES_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "listings"

BLOG_FILES = (
    "000_8029fc20b0d1bbc7.txt",
    "001_7caa4154835b8725.txt",
    "002_8db3a55937988b83.txt",
)
ABSTRACTS_FILE = "003_d9a61ac269c6d2fe.txt"
DAILY_FILE = "004_d510a04301176c2a.txt"
SEED_FILES = (*BLOG_FILES, ABSTRACTS_FILE, DAILY_FILE)
EXPECTED_FORMATS = {
    **dict.fromkeys(BLOG_FILES, "blog"),
    ABSTRACTS_FILE: "abstracts",
    DAILY_FILE: "daily",
}
EXPECTED_COUNTS = {
    BLOG_FILES[0]: 17,
    BLOG_FILES[1]: 20,
    BLOG_FILES[2]: 20,
    ABSTRACTS_FILE: 10,
    DAILY_FILE: 84,
}


def seed_bytes(name: str) -> bytes:
    return (FIXTURES_DIR / name).read_bytes()


@cache
def seed_text(name: str) -> str:
    return decode_listing(seed_bytes(name), name)


@cache
def parsed_seed(name: str) -> ParsedListing:
    return parse_listing(seed_text(name), source_file=name)


def entry_titled(listing: ParsedListing, title_start: str) -> EntryRecord:
    matches = [e for e in listing.entries if e.title.startswith(title_start)]
    assert len(matches) == 1, f"{len(matches)} entries titled {title_start!r}..."
    return matches[0]


def without_lines(listing: ParsedListing) -> list[EntryRecord]:
    """Entries with their line numbers blanked, to compare layouts that move lines."""
    return [dataclasses.replace(e, line=0) for e in listing.entries]
