"""Search text: the words of a search, and folding accents and case the same
way on both databases."""

from __future__ import annotations

import re
import unicodedata

from django.db import connection as default_connection
from django.db.models import F, Func, TextField
from django.db.models.functions import Lower

from core.slugs import _TRANSLITERATE

# Words beyond these are dropped: a search is a few words, not an essay, and
# an unbounded query would let one request make the database do unbounded work.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12

_WORD = re.compile(r"\w+", re.UNICODE)


class _CombiningMarks(dict):
    """For str.translate: a combining mark's code point -> None (deleted), any
    other -> itself; learnt as characters are met."""

    def __missing__(self, code_point: int) -> int | None:
        kept = None if unicodedata.combining(chr(code_point)) else code_point
        self[code_point] = kept
        return kept


_COMBINING_MARKS = _CombiningMarks()


def fold(text: str) -> str:
    """`text` without accents and case: "Laurençon" -> "laurencon".

    On SQLite the database calls this for every row a search or a facet count
    reads, so it deletes the marks with str.translate rather than a character
    loop in Python (seven times faster on the seed catalog's abstracts)."""
    if not text:
        return ""
    if text.isascii():  # no transliteration, decomposition or marks: only case
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    if not decomposed.isascii():  # ASCII has no combining marks
        decomposed = decomposed.translate(_COMBINING_MARKS)
    return decomposed.casefold()


def query_words(q: str) -> list[str]:
    """The folded words of a search, as the SQLite fallback and highlighting use them."""
    words = []
    for word in _WORD.findall(fold(q or "")):
        if word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


def register_sqlite_functions(sender, connection, **kwargs):
    """`connection_created` hook: give SQLite the fold function PostgreSQL gets from unaccent."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("papershelf_fold", 1, fold, deterministic=True)


class Fold(Func):
    function = "papershelf_fold"
    output_field = TextField()


class Unaccent(Func):
    function = "unaccent"
    output_field = TextField()


def uses_postgres(connection=None) -> bool:
    return (connection or default_connection).vendor == "postgresql"


def folded(field: str):
    """`field` without accents and case, as an expression for either backend."""
    if uses_postgres():
        return Lower(Unaccent(F(field)))
    return Fold(F(field))


def filter_folded_contains(queryset, field: str, text: str):
    """Rows whose `field` contains `text`, ignoring accents and case."""
    return queryset.alias(_folded_match=folded(field)).filter(_folded_match__contains=fold(text))
