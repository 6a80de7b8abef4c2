"""Daily Papers pages (seed 004): entries, dates, upvotes, the listing year."""

from __future__ import annotations

import datetime

import pytest

from catalog.importer.parsing import parse_listing
from catalog.importer.records import ListingError
from tests.importer.seed_listings import DAILY_FILE, entry_titled, parsed_seed, seed_text

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\nNov 6\n\n"
)
ABSTRACT = "An abstract sentence that goes on for a while. " * 8


def paper(title: str, meta: str = "") -> str:
    return f"{title}\n\n{ABSTRACT}\n\n{meta}\n\n" if meta else f"{title}\n\n{ABSTRACT}\n\n"


def test_seed_has_84_entries_in_order():
    listing = parsed_seed(DAILY_FILE)
    assert listing.format == "daily"
    assert len(listing.entries) == 84
    assert listing.skipped == []
    assert [e.entry_index for e in listing.entries] == list(range(1, 85))
    assert listing.entries[0].title.startswith("LongWriter-Zero")
    assert listing.entries[-1].title.startswith("Exploring the Role of Large Language Models")
    # Every title line is followed by its abstract: no title swallowed an abstract.
    assert all(len(e.title) < 200 for e in listing.entries)
    assert all(len(e.abstract) > 400 and "\n" not in e.abstract for e in listing.entries)


def test_listing_year_inferred_from_latest_named_year():
    listing = parsed_seed(DAILY_FILE)
    assert listing.listing_year == 2025
    assert listing.listing_year_reason == "inferred: latest year named by an entry is 2024"


def test_longwriter_entry():
    entry = entry_titled(parsed_seed(DAILY_FILE), "LongWriter: Unleashing")
    assert entry.title == "LongWriter: Unleashing 10,000+ Word Generation from Long Context LLMs"
    assert entry.author_count == 9
    assert entry.published_on == datetime.date(2024, 8, 13)
    assert entry.year == 2024
    assert entry.upvotes == 6
    assert entry.line == 21
    assert entry.abstract.startswith("Current long context large language models (LLMs)")
    assert entry.abstract.endswith("https://github.com/THUDM/LongWriter.")
    assert entry.review_reasons == ()
    assert entry.citation is None and entry.authors == ()


def test_longwriter_zero_year_less_date_in_listing_year():
    entry = entry_titled(parsed_seed(DAILY_FILE), "LongWriter-Zero")
    assert entry.published_on == datetime.date(2025, 6, 23)
    assert entry.year == 2025
    assert entry.upvotes == 4
    assert entry.author_count == 5
    assert entry.line == 13


def test_date_without_upvotes():
    entry = entry_titled(parsed_seed(DAILY_FILE), "Writer adaptation for offline")
    assert (entry.published_on, entry.upvotes, entry.author_count) == (
        datetime.date(2023, 7, 11),
        None,
        3,
    )
    hubble = entry_titled(parsed_seed(DAILY_FILE), "Hubble")
    assert (hubble.published_on, hubble.upvotes) == (datetime.date(2025, 10, 22), None)
    leap = entry_titled(parsed_seed(DAILY_FILE), "DeepEraser")
    assert leap.published_on == datetime.date(2024, 2, 29)


def test_entry_without_authors_and_date_block():
    listing = parsed_seed(DAILY_FILE)
    vocabtrim = entry_titled(listing, "VOCABTRIM")
    assert (vocabtrim.author_count, vocabtrim.published_on, vocabtrim.year) == (None, None, None)
    assert vocabtrim.upvotes is None
    assert vocabtrim.review_reasons == ("no year in listing",)
    assert vocabtrim.abstract.endswith("specifically by 16% for Llama-3.2-3B-Instruct.")
    # The next paper is not swallowed.
    jetmoe = listing.entries[vocabtrim.entry_index]
    assert jetmoe.title == "JetMoE: Reaching Llama2 Performance with 0.1M Dollars"
    assert jetmoe.published_on == datetime.date(2024, 4, 10)


def test_latex_and_odd_text_kept():
    listing = parsed_seed(DAILY_FILE)
    atlas = entry_titled(listing, "ATLAS")
    assert "+80\\% accuracy" in atlas.abstract
    stacking = entry_titled(listing, "Stacking Your Transformers")
    assert "G_{stack}" in stacking.abstract
    assert entry_titled(listing, "BT^2").title.startswith("BT^2: Backward-compatible")


def test_given_listing_year_wins():
    listing = parse_listing(seed_text(DAILY_FILE), source_file=DAILY_FILE, listing_year=2026)
    assert listing.listing_year == 2026
    assert listing.listing_year_reason == "--listing-year"
    assert listing.entries[0].published_on == datetime.date(2026, 6, 23)
    assert listing.entries[1].published_on == datetime.date(2024, 8, 13)


def test_no_year_anywhere_leaves_year_less_dates_undated():
    text = HEADER + paper("Paper One", "  \u2022 3 authors\n\u00b7\nJun 23 4")
    listing = parse_listing(text, source_file="d.txt")
    assert listing.format == "daily"
    assert listing.listing_year is None
    assert listing.listing_year_reason.startswith("unknown")
    (entry,) = listing.entries
    assert (entry.published_on, entry.year, entry.upvotes) == (None, None, 4)
    assert entry.review_reasons == ("date without year",)


def test_year_less_date_after_the_page_date_is_flagged():
    text = HEADER + paper("Paper One", "\u00b7\nDec 24") + paper("Paper Two", "\u00b7\nMay 1, 2024")
    listing = parse_listing(text, source_file="d.txt")
    first = listing.entries[0]
    assert first.published_on == datetime.date(2025, 12, 24)
    assert any("after the page's own date" in r for r in first.review_reasons)


def test_page_without_header():
    text = paper("Paper One", "  \u2022 3 authors\n\u00b7\nMay 1, 2024 7") + paper("Paper Two")
    listing = parse_listing(text, source_file="d.txt")
    assert listing.format == "daily"
    assert [e.title for e in listing.entries] == ["Paper One", "Paper Two"]
    assert listing.entries[0].upvotes == 7


def test_multi_paragraph_abstract_and_entry_without_abstract():
    text = (
        HEADER
        + f"Paper One\n\n{ABSTRACT}\n\nand a second paragraph that goes on.\n\n"
        + "\u00b7\nMay 1, 2024\n\n"
        + "Paper Two\n\n\u00b7\nMay 2, 2024\n\n"
    )
    one, two = parse_listing(text, source_file="d.txt").entries
    assert one.abstract.endswith("for a while.\n\nand a second paragraph that goes on.")
    assert (two.title, two.abstract) == ("Paper Two", "")
    assert two.review_reasons == ("no abstract in listing",)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("\u00b7\nFeb 30, 2024", "no such date"),
        ("  \u2022 3 authors\n  \u2022 4 authors\n\u00b7\nMay 1, 2024", "two author-count lines"),
    ],
)
def test_bad_entry_raises_or_is_skipped(meta, message):
    text = HEADER + paper("Bad Paper", meta) + paper("Good Paper", "\u00b7\nMay 1, 2024")
    with pytest.raises(ListingError, match=message) as excinfo:
        parse_listing(text, source_file="d.txt")
    assert excinfo.value.line is not None
    listing = parse_listing(text, source_file="d.txt", skip_bad=True)
    assert [e.title for e in listing.entries] == ["Good Paper"]
    assert listing.entries[0].entry_index == 2
    assert len(listing.skipped) == 1


def test_stray_metadata_lines():
    text = HEADER + "\u00b7\nMay 3, 2024\n\n" + paper("Good Paper", "\u00b7\nMay 1, 2024 2")
    with pytest.raises(ListingError, match="outside a paper entry") as excinfo:
        parse_listing(text, source_file="d.txt")
    assert excinfo.value.line == 13
    listing = parse_listing(text, source_file="d.txt", skip_bad=True)
    assert [e.title for e in listing.entries] == ["Good Paper"]
    assert [e.line for e in listing.skipped] == [13, 14]


def test_invalid_year_less_date_is_an_error_even_without_a_year():
    text = HEADER + paper("Bad Paper", "\u00b7\nFeb 30")
    with pytest.raises(ListingError, match="no such date"):
        parse_listing(text, source_file="d.txt")


def test_feb_29_needs_a_leap_listing_year():
    text = HEADER + paper("Paper", "\u00b7\nFeb 29") + paper("Other", "\u00b7\nMay 1, 2023")
    with pytest.raises(ListingError, match="no such date: 2/29/2025"):
        parse_listing(text, source_file="d.txt", listing_year=2025)
    leap = parse_listing(text, source_file="d.txt", listing_year=2024)
    assert leap.entries[0].published_on == datetime.date(2024, 2, 29)


def test_errors_are_reported_in_file_order():
    text = (
        HEADER
        + paper("Bad Paper", "\u00b7\nFeb 30, 2024")
        + paper("Good Paper", "\u00b7\nMay 1, 2024")
        + "\u00b7\n\n"
    )
    with pytest.raises(ListingError, match="no such date") as excinfo:
        parse_listing(text, source_file="d.txt")
    assert excinfo.value.line == 13
    listing = parse_listing(text, source_file="d.txt", skip_bad=True)
    assert [e.line for e in listing.skipped] == [13, 27]
    assert [(e.title, e.entry_index) for e in listing.entries] == [("Good Paper", 2)]
