"""The blog parser's shortcuts give what the general rules give.

Each shortcut stands in for a slower reference (a regular expression, a
whole-text scan, a second parse): these compare the two on generated input.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import re
import sys
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.importer.citations import looks_like_citation, parse_citation_detailed, read_citation
from catalog.importer.names import (
    _ITEM_SEPARATOR_RE,
    _SIMPLE_NAME_RE,
    _general_item,
    _is_initial,
    _known_items,
    _separated,
    _simple_item,
    _split_items,
    parse_author_list,
    parse_clean_author_list,
)
from catalog.importer.parsing import _clean_line, _line_chunks, parse_listing
from catalog.importer.records import AuthorRecord, CitationRecord, EntryRecord, frozen_record
from catalog.importer.text import (
    _CONTROL_RE,
    _has_controls,
    clean_text,
    prepare_listing_text,
    squash_whitespace,
)

# Pieces of author lists, citations and listings, with the separators,
# spacing and quotes the rules turn on.
_PIECES = [
    "Ann Lee", "Biderman", "S.", "Jr.", "van der", "Zoë", "and", "And", "andy", "&", ",",
    ";", ", and ", " and ", "et al.", "(incl. Tow)", "*", '"', "\u201c", "\u201d", ".", " ",
    "  ", "\t", "\xa0", "In Proceedings of ICML, 2014.", "arXiv:2211.05100", "2022", "x",
]  # fmt: skip
_text = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)


@settings(max_examples=400)
@given(_text)
def test_separated_splits_as_the_separator_regex(text):
    clean = squash_whitespace(text)  # the lists it is given have single spaces only
    items = [i.strip() for i in _separated(clean) if i.strip()]
    assert items == [i.strip() for i in _ITEM_SEPARATOR_RE.split(clean) if i.strip()]


# Words of names: particles that are capitalised ("Van", "De", "Le", "St"),
# initials, accents, hyphens, letters that casefold otherwise ("ß").
_NAME_WORDS = [
    "Ann", "Lee", "Van", "De", "Le", "Da", "St", "Von", "Der", "A.", "S.", "Zoë", "Müller",
    "Łukasz", "Ørsted", "Straße", "Chen-Li", "Mc-", "X", "Jr.", "II", "der", "van", "ann",
    "Ann*", "Ann\u2020", "O'Neil", "Ren\u00e9e", "\u00c6sa", "\u00dfen", "42",
]  # fmt: skip


@settings(max_examples=500)
@given(st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=8).map(" ".join))
def test_simple_names_read_as_the_general_rules_read_them(name):
    if _SIMPLE_NAME_RE.match(name):
        assert _simple_item(name) == _general_item(name)


# Words of the simple shape, with letters that casefold otherwise, capitals
# and digits of other kinds inside ("\u0130", "\u01c5", "\u00b2"), and the
# capitalised particles.
_simple_word = st.builds(
    "{}{}{}".format,
    st.sampled_from("A\u00c9\u0141Z"),
    st.text("abz\u00df\u00e9\u0142\u03a3\u03c3\u01c5\u0130\u0131\u00b2", min_size=1, max_size=4),
    st.sampled_from(["", "-Li", "-\u00df", "-der"]),
)
_simple_names = st.lists(
    st.one_of(_simple_word, st.sampled_from(["A.", "Z.", "Van", "De", "Le", "St", "Der", "Da"])),
    min_size=2,
    max_size=7,
).map(" ".join)


@settings(max_examples=500)
@given(_simple_names)
def test_every_simple_name_shape_reads_as_the_general_rules(name):
    if _SIMPLE_NAME_RE.match(name):
        assert _simple_item(name) == _general_item(name)


# Author lists of names, with the separators and shapes the list parser
# turns on (suffixes, initials, inverted first authors, non-names).
_LIST_PIECES = [
    *_NAME_WORDS, "Ann Lee", "Bo Chen", "Biderman", "Van Dyke", "Le Scao", "Aarohi", "Nguyen",
    ", ", ", ", ", and ", " and ", ",", " , ", ";", " & ", "and", "et al.", "(incl. Tow)",
    "and 3 others", ".", " ",
]  # fmt: skip
_author_lists = st.one_of(
    st.lists(st.sampled_from(_LIST_PIECES), min_size=1, max_size=12).map(
        lambda pieces: squash_whitespace("".join(pieces))
    ),
    # Well-formed lists "A, B, and C." of names and non-names.
    st.lists(
        st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=3).map(" ".join),
        min_size=1,
        max_size=6,
    ).map(lambda names: ", ".join(names[:-1]) + f", and {names[-1]}." if names[1:] else names[0]),
)


@settings(max_examples=500)
@given(_author_lists, _author_lists)
def test_known_items_are_the_split_items(first, second):
    """A list read by name lookups gives the items of the general split, the
    first time (names read and kept) and again (names looked up)."""
    for text in (first, second, first, second):
        known = _known_items(text)
        if known is not None:
            assert known == _split_items(text)


@settings(max_examples=500)
@given(_author_lists, _author_lists)
def test_author_lists_read_by_lookups_read_as_the_general_path(first, second):
    for text in (first, second, first):
        fast = parse_clean_author_list(text)
        with mock.patch("catalog.importer.names._known_items", return_value=None):
            assert parse_clean_author_list(text) == fast, text


def test_tricky_names_in_author_lists():
    cases = {
        "Ann Lee, Van Dyke, and Le Scao.": [
            AuthorRecord("Ann Lee", 1),
            AuthorRecord("Van Dyke", 2, surname_only=True),
            AuthorRecord("Le Scao", 3, surname_only=True),
        ],
        "Rogier Van der Sluijs and Zoë Müller-Lefèvre": [
            AuthorRecord("Rogier Van der Sluijs", 1),
            AuthorRecord("Zoë Müller-Lefèvre", 2),
        ],
        "John A. Smith, Jr., Łukasz B. C. Nowak*, and Biderman.": [
            AuthorRecord("John A. Smith Jr.", 1),
            AuthorRecord("Łukasz B. C. Nowak", 2, equal_contribution=True),
            AuthorRecord("Biderman", 3, surname_only=True),
        ],
        "Biderman, S., Raff, E.": [AuthorRecord("S. Biderman", 1), AuthorRecord("E. Raff", 2)],
        "Srivastava, Aarohi, and Ann Lee": [
            AuthorRecord("Aarohi Srivastava", 1),
            AuthorRecord("Ann Lee", 2),
        ],
        "Ann Lee": [AuthorRecord("Ann Lee", 1)],
    }
    for text, authors in cases.items():
        assert list(parse_author_list(text)[0]) == authors, text


@given(st.text(alphabet="AZaz.\n-É ", max_size=4))
def test_is_initial_is_the_initial_regex(token):
    assert _is_initial(token) == bool(re.match(r"^[A-Z]\.?$", token))


@settings(max_examples=300)
@given(_text)
def test_read_citation_is_the_test_then_the_parse(paragraph):
    paragraph = paragraph.strip()
    expected = parse_citation_detailed(paragraph) if looks_like_citation(paragraph) else None
    assert read_citation(paragraph, clean_text(paragraph)) == expected


@settings(max_examples=300)
@given(st.lists(_text, max_size=8).map("\n".join))
def test_clean_line_is_clean_text_on_prepared_lines(text):
    text = prepare_listing_text(text)
    for lines, plain in _line_chunks(text):
        for line in lines:
            assert _clean_line(line.strip(), plain) == clean_text(line)


def test_blog_entries_the_same_whatever_the_chunk_boundaries(monkeypatch):
    """Chunks carry their own plain flag and line numbers: entries and
    errors come out the same when every chunk is a few lines."""
    entry = (
        "ICLR Ann Lee ICLR Ann Lee\n\nA Title\n\n"
        'Ann Lee. "A Title." ICLR, 2020.\n\n{}\n\nRead More\n'
    )
    text = "".join(entry.format(a) for a in ["Plain.", "Two  spaces.", "Tab\there.", "Zoë."])
    text += "Read More\n\nUnfinished\n"
    whole = parse_listing(text, source_file="b.txt", format="blog", skip_bad=True)
    monkeypatch.setattr("catalog.importer.parsing._LINE_CHUNK_CHARS", 16)
    small = parse_listing(text, source_file="b.txt", format="blog", skip_bad=True)
    assert small.entries == whole.entries
    assert [str(e) for e in small.skipped] == [str(e) for e in whole.skipped]
    assert [e.abstract for e in whole.entries] == ["Plain.", "Two spaces.", "Tab here.", "Zoë."]
    assert [e.line for e in whole.entries] == [1, 10, 19, 28]
    assert len(whole.skipped) == 2


# Around the bytes the control test looks for: C1 controls and no-break
# spaces (C2 xx), the BOM and its neighbours (EF BB BF, EF BF BD, EF BB BE).
_CONTROL_PIECES = [
    "a", " ", "\n", "\t", "\x0c", "\x7f", "\x80", "\x85", "\x9f", "\xa0", "\xc2", "\u00e9",
    "\ufeff", "\ufffd", "\ufefe", "\uf000", "\u0141", "\U0001f600",
]  # fmt: skip


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_CONTROL_PIECES), max_size=12).map("".join))
def test_control_test_is_the_control_regex(text):
    expected = bool(_CONTROL_RE.search(text))
    for chunk in (1 << 22, 3):  # small chunks: characters cut at chunk ends
        with mock.patch("catalog.importer.text._CONTROL_SCAN_CHUNK", chunk):
            assert _has_controls(text) is expected
            assert _has_controls(text.encode()) is expected


def test_frozen_record_behaves_as_a_frozen_dataclass():
    """frozen_record's own __init__ builds records equal to those of
    dataclass(frozen=True)'s, with the same defaults and errors."""

    def make(decorator):
        @decorator
        class Record:
            name: str
            position: int | None
            tags: tuple[str, ...] = ()
            note: str = "none"

        return Record

    fast, plain = make(frozen_record), make(dataclasses.dataclass(frozen=True))
    calls = [
        (("Ann", 1), {}),
        (("Ann",), {"position": None, "note": "x"}),
        ((), {"tags": ("a",), "position": 2, "name": "Bo"}),
    ]
    for args, kwargs in calls:
        record, reference = fast(*args, **kwargs), plain(*args, **kwargs)
        assert repr(record) == repr(reference)
        # Its __dict__ keeps the class's shared keys: no bigger than the reference's.
        assert sys.getsizeof(vars(record)) <= sys.getsizeof(vars(reference))
        assert dataclasses.astuple(record) == dataclasses.astuple(reference)
        assert hash(record) == hash(fast(*args, **kwargs))
        assert record == fast(*args, **kwargs) and record != fast("Other", 9)
        assert copy.deepcopy(record) == record
        assert dataclasses.replace(record, note="y").note == "y"
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.name = "Eve"
    with pytest.raises(TypeError, match="position"):
        fast("Ann")
    with pytest.raises(TypeError, match="plain fields"):

        @frozen_record
        class _WithFactory:
            names: list = dataclasses.field(default_factory=list)


def test_listing_records_are_frozen_records():
    record = EntryRecord("a.txt", "blog", 1, 2, title="T", citation=CitationRecord("c"))
    assert record.abstract == "" and record.review_reasons == () and record.citation.text == "c"
    assert AuthorRecord("Ann Lee", 1) == AuthorRecord("Ann Lee", 1, False, False)
    assert pickle.loads(pickle.dumps(record)) == record
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.title = "U"
