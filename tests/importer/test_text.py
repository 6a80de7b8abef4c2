"""decode_listing, format detection and the text helpers."""

from __future__ import annotations

import pytest

from catalog.importer.parsing import (
    clean_abstract,
    clean_text,
    decode_listing,
    detect_format,
    normalise_title,
    parse_listing,
)
from catalog.importer.records import ListingError
from tests.importer.seed_listings import EXPECTED_FORMATS, SEED_FILES, seed_bytes, seed_text


def test_decode_strips_bom_and_normalises_newlines():
    assert decode_listing(b"\xef\xbb\xbfa\r\nb\rc\n", "f.txt") == "a\nb\nc\n"
    assert decode_listing("Ma\u0142gorzata".encode(), "f.txt") == "Ma\u0142gorzata"


def test_decode_seeds_unchanged():
    for name in SEED_FILES:
        assert decode_listing(seed_bytes(name), name) == seed_bytes(name).decode("utf-8")


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "empty file", None),
        (b"\xef\xbb\xbf", "empty listing", None),
        (b" \n\t\r\n  ", "empty listing", None),
        (b"ok\r\nok\r\nbad \xff here\n", "invalid UTF-8 (byte 0xff)", 3),
        (b"ok\rok\rbad \xc3\n", "invalid UTF-8", 3),
        (b"line one\nline\x00two", "binary data (NUL byte)", 2),
        (bytes(range(1, 32)) * 10, "binary data (", None),
    ],
)
def test_decode_rejects(data, message, line):
    with pytest.raises(ListingError) as excinfo:
        decode_listing(data, "bad.txt")
    error = excinfo.value
    assert message in str(error)
    assert str(error).startswith("bad.txt")
    assert (error.source_file, error.line) == ("bad.txt", line)


def test_decode_drops_stray_control_characters():
    body = b"Plenty of ordinary text around the odd control character. " * 2
    text = decode_listing(body + b"Read\x0c More\x1b[0m\n\ttab kept\x7f\n", "f.txt")
    assert text == body.decode() + "Read More[0m\n\ttab kept\n"


def test_detect_format_on_seeds():
    for name in SEED_FILES:
        assert detect_format(seed_text(name), name) == EXPECTED_FORMATS[name]


def test_detect_format_unknown():
    with pytest.raises(ListingError, match="unknown format") as excinfo:
        detect_format("Just some text.\nNothing to see.\n", "x.txt")
    assert str(excinfo.value).startswith("x.txt: unknown format")
    with pytest.raises(ListingError, match="unknown format"):
        parse_listing("Just some text.\n", source_file="x.txt")


def test_parse_listing_rejects_unknown_format_names_and_empty_text():
    with pytest.raises(ListingError, match="unknown format 'csv'"):
        parse_listing("Read More\n", source_file="x.txt", format="csv")
    with pytest.raises(ListingError, match="empty listing"):
        parse_listing("\ufeff \n\r\n", source_file="x.txt")


def test_clean_text():
    assert clean_text("  a\u00a0 b\tc\x07\n d  ") == "a b c d"
    assert clean_text("$\\mathcal{O}(T^2)$ ``quoted''") == "$\\mathcal{O}(T^2)$ ``quoted''"


def test_clean_abstract():
    assert clean_abstract(["One.", "Two.", "One.", "Two."]) == "One.\n\nTwo."
    assert (
        clean_abstract(["Broken in", "half here.", " ", "Next."]) == "Broken in half here.\n\nNext."
    )
    assert clean_abstract(["Ends a sentence.", "lower case start"]) == (
        "Ends a sentence.\n\nlower case start"
    )
    assert clean_abstract([]) == ""


def test_normalise_title():
    heading = 'EleutherAI: Going Beyond "Open Science\u201d to \u201cScience in the Open\u201d'
    quoted = "EleutherAI: Going Beyond \u201cOpen Science\u201d to \u201cScience in the Open\u201d"
    straight = 'EleutherAI: Going Beyond "Open Science" to "Science in the Open."'
    assert normalise_title(heading) == normalise_title(quoted) == normalise_title(straight)
    assert normalise_title(heading) == "eleutherai going beyond open science to science in the open"
    assert normalise_title("SantaCoder: don't reach for the stars!") == normalise_title(
        "SANTACODER: DON\u2019T REACH FOR THE STARS!."
    )
    assert normalise_title("Fine-Tuning \u2013 LLMs") == normalise_title("Fine Tuning  LLMs")
    assert normalise_title("Na\u00efve   Bayes") == "naive bayes"
    assert normalise_title(
        "Crosslingual Generalization through Multitask Fine Tuning"
    ) != normalise_title("Crosslingual Generalization through Multitask Finetuning")
