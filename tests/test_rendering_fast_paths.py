"""The shortcuts a list row's text takes, against the slow, obvious definitions:
parse()'s test for markup (substrings, not a regular expression) and fold()
of ASCII text (lowercasing only)."""

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from catalog import rendering
from catalog.search import fold
from core.slugs import _TRANSLITERATE

MARKUP = re.compile(r"[$\\]|``|''")
# Texts made mostly of what markup is made of, so that hypothesis meets it.
MARKUP_ALPHABET = st.sampled_from(["$", "\\", "`", "'", "a", " ", "(", ")", "é"])


@given(st.text(MARKUP_ALPHABET) | st.text())
def test_the_markup_test_agrees_with_the_regular_expression(text):
    assert rendering.has_markup(text) == bool(MARKUP.search(text))


def test_text_with_markup_is_still_parsed():
    for text in ("a $x$ b", "\\emph{a} b", "``quoted''", "it''s"):
        assert rendering.parse(text) != [rendering.Piece("text", text)], text
    assert rendering.parse("plain text") == [rendering.Piece("text", "plain text")]


def obvious_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def test_fold_of_every_ascii_character_is_the_obvious_fold():
    ascii_text = "".join(chr(c) for c in range(128))
    assert ascii_text.isascii()
    assert fold(ascii_text) == obvious_fold(ascii_text) == ascii_text.lower()


@given(st.text(st.characters(max_codepoint=127)))
def test_fold_of_ascii_text_is_the_obvious_fold(text):
    assert fold(text) == obvious_fold(text)


SNIPPET_ALPHABET = st.sampled_from(["a", "b", "A", " ", "<", "&", ".", "\u2026", "é"])
SNIPPET_WORDS = st.lists(st.sampled_from(["a", "ab", "ba", "b.", "e", "\u2026"]), max_size=3)


@given(st.text(SNIPPET_ALPHABET), SNIPPET_WORDS)
def test_a_cut_snippet_is_highlighted_as_the_whole_text_is(text, words):
    """Its ellipses left out of the folding (the shortcut) or not: the same HTML."""
    assert rendering.highlight_text(text, words) == rendering._highlighted(text, words)


def test_a_cut_snippet_marks_words_next_to_its_ellipses():
    html = rendering.highlight_text("\u2026models & data\u2026", ["models", "data"])
    assert html == "\u2026<mark>models</mark> &amp; <mark>data</mark>\u2026"


PLAIN_ALPHABET = st.sampled_from(["a", "b", "A", " ", ",", ".", ";", "<", "&", "\u2026", "é"])


@given(st.text(PLAIN_ALPHABET), SNIPPET_WORDS, st.integers(min_value=1, max_value=30))
def test_text_without_markup_is_cut_and_marked_as_its_one_piece_is(text, words, limit):
    """A title or snippet without markup, written as a string, is the HTML
    that its one text piece gives through the pieces' way."""
    assert not rendering.has_markup(text)
    pieces = rendering.parse(text)
    assert rendering.render_rich_text(text, words) == rendering.render_pieces(pieces, words)
    assert rendering.render_snippet(text, words, limit) == rendering._pieces_snippet(
        pieces, words, limit
    )


def test_a_long_abstract_is_cut_around_its_first_match():
    text = "word " * 60 + "target, and then more words " * 10
    html = rendering.render_snippet(text, ["target"])
    assert html.startswith("\u2026word ") and html.endswith("\u2026")
    assert "<mark>target</mark>" in html
