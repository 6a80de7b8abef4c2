"""catalog.rendering.highlight_text(): every occurrence of a search word in
<mark>, the rest escaped; the same spans as the regular expressions it
used to build per word and text."""

import re

from hypothesis import given
from hypothesis import strategies as st

from catalog.rendering import _fold_char, _folded_with_origin, highlight_text, marked
from catalog.search import fold


def reference(text: str, words) -> str:
    """highlight_text() as it was written with re.finditer(): the spans it
    found, marked as highlight_text() marks its own (marked(), unchanged)."""
    if not text:
        return ""
    folded, origin = _folded_with_origin(text)
    spans = []
    for word in words:
        if len(word) < 2:
            continue
        for match in re.finditer(re.escape(word), folded):
            if origin is None:
                spans.append(match.span())
            else:
                spans.append((origin[match.start()], origin[match.end() - 1] + 1))
    return marked(text, spans)


def test_marked_escapes_and_merges_overlapping_spans():
    assert (
        marked("a<b>c & d", [(6, 9), (0, 2), (1, 3)])
        == "<mark>a&lt;b</mark>&gt;c <mark>&amp; d</mark>"
    )
    assert marked("x < y", []) == "x &lt; y"


def test_repeated_and_overlapping_words_are_marked_once_each():
    assert highlight_text("aaaa <b>", ["aa"]) == "<mark>aaaa</mark> &lt;b&gt;"
    assert highlight_text("Data, data & more DATA", ["data"]) == (
        "<mark>Data</mark>, <mark>data</mark> &amp; more <mark>DATA</mark>"
    )
    assert highlight_text("Hugo Laurençon", ["laurencon"]) == "Hugo <mark>Laurençon</mark>"
    assert highlight_text("Ana Núñez", ["x"]) == "Ana Núñez"


@given(
    st.text(alphabet="aAbç.<& ßﬁ", max_size=30),
    st.lists(st.text(alphabet="abcs.&", min_size=1, max_size=4), max_size=3),
)
def test_the_same_marks_as_the_regular_expressions(text, words):
    assert highlight_text(text, words) == reference(text, words)


def reference_origin(text: str) -> list[int]:
    """Each folded character's original index, folding one character at a
    time (what _folded_with_origin() kept as a list of every index)."""
    origin = []
    for index, char in enumerate(text):
        origin.extend([index] * len(fold(char) or char))
    return origin


@given(st.text(alphabet="aZ.<ßﬁçÉ…ǅ\u0301Ω ", max_size=40))
def test_the_folded_text_maps_back_to_each_original_character(text):
    folded, origin = _folded_with_origin(text)
    assert folded == "".join(fold(char) or char for char in text)
    expected = reference_origin(text)
    if origin is None:
        assert expected == list(range(len(text)))
    else:
        assert [origin[index] for index in range(len(folded))] == expected


def test_a_snippet_between_ellipses_marks_the_words_after_them():
    assert highlight_text("…graph nets…", ["nets"]) == "…graph <mark>nets</mark>…"


def test_accented_letters_are_folded_once_then_remembered():
    _fold_char.cache_clear()
    assert highlight_text("Núñez Núñez", ["nunez"]) == "<mark>Núñez</mark> <mark>Núñez</mark>"
    info = _fold_char.cache_info()
    assert (info.misses, info.hits) == (2, 2)  # ú and ñ, each folded once
    assert _fold_char("\u0301") == "\u0301"  # a mark alone folds to nothing: kept
