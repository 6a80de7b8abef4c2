"""A new source format plugs in as one entry of parsing.PARSERS: detection,
parse_listing() and the import command's --format all go through it."""

import io

import pytest
from django.core.management import call_command

from catalog.importer import parsing
from catalog.importer.parsing import ListingParser, detect_format, parse_listing
from catalog.importer.records import EntryRecord, ParsedListing


def parse_shouting(text, *, source_file, listing_year, skip_bad):
    titles = [line.removeprefix("TITLE: ") for line in text.splitlines() if line.strip()]
    entries = [
        EntryRecord(source_file, "shouting", index, index, title=title)
        for index, title in enumerate(titles, start=1)
    ]
    return ParsedListing(source_file, "shouting", entries)


@pytest.fixture
def shouting_format(monkeypatch):
    parser = ListingParser(
        parse_shouting, lambda text: text.startswith("TITLE: "), "a shout ('TITLE:' lines)"
    )
    monkeypatch.setitem(parsing.PARSERS, "shouting", parser)


def test_a_registered_format_is_detected_and_parsed(shouting_format):
    text = "TITLE: One\nTITLE: Two\n"
    assert detect_format(text, "x.txt") == "shouting"
    listing = parse_listing(text, source_file="x.txt")
    assert [e.title for e in listing.entries] == ["One", "Two"]
    assert parse_listing(text, source_file="x.txt", format="shouting") == listing


@pytest.mark.django_db
def test_the_import_command_offers_every_registered_format(shouting_format, tmp_path):
    listing = tmp_path / "shout.txt"
    listing.write_text("TITLE: One\n")
    out = io.StringIO()
    call_command("import_listings", str(listing), format="shouting", dry_run=True, stdout=out)
    assert "shout.txt: 1 entries (shouting)" in out.getvalue()
    assert "Papers: 1 created" in out.getvalue()


def test_every_registered_format_is_named_when_none_fits():
    with pytest.raises(Exception, match="unknown format") as excinfo:
        detect_format("nothing to see\n", "x.txt")
    for parser in parsing.PARSERS.values():
        assert parser.description in str(excinfo.value)


def test_every_source_format_is_a_choice_of_paper_sources():
    """A paper's page names its sources by PaperSource.format's choices."""
    from catalog.importer import lookups
    from catalog.models import PaperSource

    assert {*parsing.PARSERS, lookups.FORMAT} == set(PaperSource.Format.values)
