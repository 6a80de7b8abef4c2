"""catalog.search.fold (accents and case away; SQLite calls it for every row a
search reads) against the slow, obvious definition, on every character."""

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from catalog.search import fold
from core.slugs import _TRANSLITERATE


def obvious_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def test_fold_agrees_with_the_obvious_definition_on_every_character():
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert fold(every) == obvious_fold(every)
    assert (
        fold("Hugo Laurençon, Małgorzata Połacin, ÆSIR")
        == "hugo laurencon, malgorzata polacin, aesir"
    )


@given(st.text())
def test_fold_agrees_with_the_obvious_definition_on_any_text(text):
    assert fold(text) == obvious_fold(text)
