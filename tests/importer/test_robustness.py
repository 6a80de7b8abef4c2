"""Layout changes that must not change the result, hostile input that must
end in a ParsedListing or a ListingError (never another exception), and
speed on a big listing."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.importer.parsing import FORMATS, decode_listing, parse_listing
from catalog.importer.records import ListingError, ParsedListing
from tests.importer.seed_listings import (
    DAILY_FILE,
    EXPECTED_COUNTS,
    EXPECTED_FORMATS,
    SEED_FILES,
    parsed_seed,
    seed_bytes,
    seed_text,
    without_lines,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_bytes(data: bytes, name: str, **options) -> ParsedListing:
    return parse_listing(decode_listing(data, name), source_file=name, **options)


def test_per_file_counts_add_up_to_151():
    counts = {name: len(parsed_seed(name).entries) for name in SEED_FILES}
    assert counts == EXPECTED_COUNTS
    assert sum(counts.values()) == 151
    for name in SEED_FILES:
        assert parsed_seed(name).format == EXPECTED_FORMATS[name]
        assert parsed_seed(name).skipped == []


@pytest.mark.parametrize("name", SEED_FILES)
@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b.replace(b"\n", b"\r"), id="cr"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="bom"),
        pytest.param(lambda b: b.rstrip(b"\n"), id="no-final-newline"),
        pytest.param(lambda b: b.rstrip(b"\n") + b"\n", id="one-final-newline"),
        pytest.param(lambda b: b + b"\n\n\n", id="trailing-blank-lines"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n") + b"\r\n", id="all"),
    ],
)
def test_line_endings_bom_and_final_newline_change_nothing(name, transform):
    assert parse_bytes(transform(seed_bytes(name)), name) == parsed_seed(name)


@pytest.mark.parametrize("name", SEED_FILES)
def test_deleted_or_doubled_blank_lines_change_nothing_but_line_numbers(name):
    lines = seed_text(name).split("\n")
    no_blanks = "\n".join(line for line in lines if line.strip())
    doubled = "\n".join(line if line.strip() else "\n\n" for line in lines)
    expected = without_lines(parsed_seed(name))
    for text in (no_blanks, doubled):
        listing = parse_listing(text, source_file=name)
        assert without_lines(listing) == expected


def test_trailing_spaces_and_tabs_on_lines_change_nothing():
    for name in SEED_FILES:
        text = "\n".join(f" {line}\t " for line in seed_text(name).split("\n"))
        assert parse_listing(text, source_file=name) == parsed_seed(name)


def assert_listing_or_error(text: str, name: str = "fuzz.txt", **options) -> None:
    try:
        listing = parse_listing(text, source_file=name, **options)
    except ListingError as error:
        assert str(error).startswith(name)
        return
    assert isinstance(listing, ParsedListing)
    assert listing.format in FORMATS
    for entry in listing.entries:
        assert entry.source_file == name and entry.line >= 1
    for error in listing.skipped:
        assert isinstance(error, ListingError) and error.source_file == name


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes(data):
    try:
        text = decode_listing(data, "fuzz.txt")
    except ListingError as error:
        assert str(error).startswith("fuzz.txt")
        return
    for fmt in ("auto", *FORMATS):
        assert_listing_or_error(text, format=fmt)
        assert_listing_or_error(text, format=fmt, skip_bad=True)


# Text built from the pieces the parsers look for, so fuzzing reaches deep.
_PIECES = st.sampled_from(
    [
        "Read More",
        "Abstract:",
        "ICLR Ann Lee ICLR Ann Lee",
        "\u2022 5 authors",
        "  \u2022 99999999 authors",
        "\u00b7",
        "Jun 23 4",
        "Feb 30, 2024",
        "Nov 6",
        "Daily Papers",
        'Le Scao, et al. (incl. Tow). "T." arXiv:2211.05100, 2022.',
        "Ann Lee*, and 37 others (incl. Bo Li). \u201cA \u201cB\u201d.\u201d In ICLR, 2022. Oral",
        '"',
        "\u201c",
        "(incl. ",
        ", et al.",
        "Srivastava, Aarohi",
        "2022",
        "\u00a0",
        "\t",
        "\n",
        "\n\n",
        "\x0c",
        "\r",
        "\ufeff",
        "x" * 600,
    ]
)


@FUZZ
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40))
def test_random_text_from_listing_pieces(pieces):
    text = "".join(pieces)
    for fmt in ("auto", *FORMATS):
        assert_listing_or_error(text, format=fmt)
        assert_listing_or_error(text, format=fmt, skip_bad=True)


@FUZZ
@given(
    st.sampled_from(SEED_FILES),
    st.randoms(use_true_random=False),
)
def test_shuffled_lines(name, rng):
    lines = seed_text(name).split("\n")
    rng.shuffle(lines)
    text = "\n".join(lines)
    assert_listing_or_error(text, name)
    assert_listing_or_error(text, name, skip_bad=True)


@FUZZ
@given(st.sampled_from(SEED_FILES), st.integers(min_value=0, max_value=150_000))
def test_truncated_files(name, cut):
    data = seed_bytes(name)[:cut]
    try:
        text = decode_listing(data, name)
    except ListingError:
        return  # empty, or a cut through a multi-byte character
    assert_listing_or_error(text, name)
    listing = parse_listing(text, source_file=name, format=EXPECTED_FORMATS[name], skip_bad=True)
    assert len(listing.entries) <= EXPECTED_COUNTS[name]


@FUZZ
@given(
    st.sampled_from(SEED_FILES),
    st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from([*range(0, 9), *range(11, 32), 127])),
        max_size=20,
    ),
)
def test_injected_control_characters_are_dropped(name, injections):
    data = bytearray(seed_bytes(name))
    for position, code in injections:
        if code == 13:
            continue  # CR is a line break, not a stray character
        at = position % (len(data) + 1)
        # Keep multi-byte characters whole: insert before an ASCII byte only.
        while at < len(data) and data[at] >= 0x80:
            at += 1
        data[at:at] = bytes([code])
    try:
        listing = parse_bytes(bytes(data), name)
    except ListingError as error:
        assert "binary data (NUL byte)" in str(error)
        assert 0 in [code for _, code in injections]
        return
    assert listing == parsed_seed(name)


@pytest.mark.parametrize("name", SEED_FILES)
def test_one_megabyte_lines(name):
    lines = seed_text(name).split("\n")
    huge = ("word " * 200_000).strip()
    quoted = 'Ann Lee. "' + "t" * 1_000_000 + '." 2020.'
    for line in (huge, quoted, "\u201c" * 1_000_000, "1" * 1_000_000):
        for at in (0, 2, len(lines) // 2, len(lines)):
            text = "\n".join([*lines[:at], line, *lines[at:]])
            started = time.perf_counter()
            assert_listing_or_error(text, name)
            assert_listing_or_error(text, name, skip_bad=True)
            assert time.perf_counter() - started < 5


def test_a_megabyte_paragraph_is_an_abstract_not_a_title():
    huge = "A sentence of an abstract. " * 40_000
    text = f"A Title\n\n{huge}\n\nRead More\n{huge}\n\nRead More\n"
    with pytest.raises(ListingError, match="expected a title") as excinfo:
        parse_listing(text, source_file="big.txt")
    assert excinfo.value.line == 6
    listing = parse_listing(text, source_file="big.txt", skip_bad=True)
    assert len(listing.entries) == 1
    assert len(listing.entries[0].abstract) == len(huge.strip())


def _generated_blog_listing(entries: int) -> str:
    """A blog listing of short, all-different entries, two in three with a
    citation, so nothing can be served from a cache."""
    parts = []
    for i in range(entries):
        if i % 3 == 0:
            citation = (
                f'Ann Lee{i}, Bo Li, and Cy Doe. "Paper {i}: A Study." '
                f"arXiv preprint arXiv:2301.{i:05d}, 2023.\n\n"
            )
        elif i % 3 == 1:
            citation = (
                f'Lee{i}, et al. (incl. Biderman, Gao). "Paper {i}: A Study." '
                "In Proceedings of ICML, 2022.\n\n"
            )
        else:
            citation = ""
        parts.append(
            "ICML Stella Biderman ICML Stella Biderman\n\n"
            f"Paper {i}: A Study\n\n{citation}We study thing number {i}. It works.\n\n"
            "Read More\n"
        )
    return "".join(parts)


def _repeated_daily_listing(copies: int) -> str:
    header, date, body = seed_text(DAILY_FILE).partition("Nov 6\n")
    return header + date + "\n\n".join([body.strip("\n")] * copies) + "\n"


@pytest.mark.parametrize(
    ("make_listing", "entries", "minimum_rate"),
    [
        # Floors well below the measured rates (about 25,000 and 23,000
        # entries/s) so a busy machine does not fail the suite.
        (lambda: _generated_blog_listing(20_000), 20_000, 8_000),
        (lambda: _repeated_daily_listing(120), 84 * 120, 8_000),
    ],
    ids=["blog", "daily"],
)
def test_speed_on_a_big_listing(make_listing, entries, minimum_rate):
    big = make_listing()
    started = time.perf_counter()
    listing = parse_listing(big, source_file="big.txt")
    elapsed = time.perf_counter() - started
    assert len(listing.entries) == entries
    assert listing.skipped == []
    assert len(listing.entries) / elapsed > minimum_rate
