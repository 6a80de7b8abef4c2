"""Abstracts listings (seed 003): one "Abstract:" line per paper."""

from __future__ import annotations

import pytest

from catalog.importer.parsing import parse_listing
from catalog.importer.records import ListingError
from tests.importer.seed_listings import ABSTRACTS_FILE, parsed_seed, seed_bytes, seed_text


def test_seed_has_ten_entries_without_title_or_year():
    listing = parsed_seed(ABSTRACTS_FILE)
    assert listing.format == "abstracts"
    assert len(listing.entries) == 10
    # Nine newlines: the last line has none, and still counts.
    assert seed_bytes(ABSTRACTS_FILE).count(b"\n") == 9
    for number, entry in enumerate(listing.entries, start=1):
        assert (entry.entry_index, entry.line) == (number, number)
        assert entry.title == ""
        assert entry.review_reasons == ("no title in listing", "no year in listing")
        assert not entry.abstract.startswith("Abstract")
        assert entry.abstract == entry.abstract.strip()
        assert (entry.year, entry.published_on, entry.author_count, entry.citation) == (
            None,
            None,
            None,
            None,
        )


def test_abstract_text_is_kept_as_written():
    listing = parsed_seed(ABSTRACTS_FILE)
    assert listing.entries[0].abstract.startswith(
        "Large Language Models (LLMs) specializing in code generation"
    )
    assert '"BTLM-3B-8K"' in listing.entries[6].abstract
    assert listing.entries[-1].abstract.startswith("This work introduces the RevSilo")


def test_blank_lines_do_not_matter():
    text = "Abstract: First one.\n\n\n\nAbstract:Second one.\n"
    first, second = parse_listing(text, source_file="a.txt").entries
    assert (first.abstract, first.line) == ("First one.", 1)
    assert (second.abstract, second.line) == ("Second one.", 5)


def test_lines_without_the_prefix_and_empty_abstracts_are_bad_entries():
    text = "Stray heading\nAbstract: Real one.\nAbstract:   \nAbstract: Another.\nstray\n"
    with pytest.raises(ListingError, match="does not start with 'Abstract:'") as excinfo:
        parse_listing(text, source_file="a.txt")
    assert excinfo.value.line == 1
    listing = parse_listing(text, source_file="a.txt", skip_bad=True)
    assert listing.format == "abstracts"
    assert [e.abstract for e in listing.entries] == ["Real one.", "Another."]
    assert [e.entry_index for e in listing.entries] == [1, 3]
    assert [(e.line, e.reason) for e in listing.skipped] == [
        (1, "line does not start with 'Abstract:'"),
        (3, "empty abstract"),
        (5, "line does not start with 'Abstract:'"),
    ]


def test_trailing_newline_does_not_matter():
    text = seed_text(ABSTRACTS_FILE)
    with_newline = parse_listing(text + "\n", source_file=ABSTRACTS_FILE)
    assert with_newline.entries == parsed_seed(ABSTRACTS_FILE).entries
