"""The blog parser's shortcuts give what the general rules give.

Each shortcut stands in for a slower reference (a regular expression, a
whole-text scan, a second parse): these compare the two on generated input.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.importer.citations import looks_like_citation, parse_citation_detailed, read_citation
from catalog.importer.names import _ITEM_SEPARATOR_RE, _is_initial, _separated
from catalog.importer.parsing import _clean_line, _line_chunks, parse_listing
from catalog.importer.text import clean_text, prepare_listing_text, squash_whitespace

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
