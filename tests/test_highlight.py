"""catalog.rendering.highlight_text(): every occurrence of a search word in
<mark>, the rest escaped; the same spans as the regular expressions it
used to build per word and text."""

import re
from html import escape

from hypothesis import given
from hypothesis import strategies as st

from catalog.rendering import _folded_with_origin, highlight_text


def reference(text: str, words) -> str:
    """highlight_text() as it was written with re.finditer()."""
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
    if not spans:
        return escape(text, quote=False)
    spans.sort()
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, position = [], 0
    for start, end in merged:
        out.append(escape(text[position:start], quote=False))
        out.append(f"<mark>{escape(text[start:end], quote=False)}</mark>")
        position = end
    out.append(escape(text[position:], quote=False))
    return "".join(out)


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
