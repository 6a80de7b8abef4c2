"""Citation keys and name parts for the exports.

A citation key is the first author's surname, the year and the first
significant word of the title (`biderman2023pythia`), as Google Scholar makes
them, suffixed `a`, `b`, … on a collision. People paste keys into their
papers, so a key is stored on the paper (Paper.citation_key) when it is first
made and never recomputed, even when the title or the authors change.

Pure functions over names and text, no database: the model, the importer and
the data migration that keyed the existing papers all use them.
"""

from __future__ import annotations

import functools
import re
from itertools import count

from nameparser import HumanName
from nameparser.config import CONSTANTS

from catalog.search import fold

# Words a key never starts from, as Google Scholar skips them. The same set
# the paper page used before keys were stored, so those keys stay as shown.
SMALL_WORDS = frozenset(
    {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "from", "by"}
)
ANONYMOUS = "anon"
MAX_BASE_LENGTH = 60
_PARTICLES = frozenset(str(prefix) for prefix in CONSTANTS.prefixes)
_NON_KEY = re.compile(r"[^a-z0-9]")
# Words nameparser reads as more than a given name or a surname.
_SPECIAL_WORDS = frozenset(
    str(word)
    for words in (
        CONSTANTS.titles,
        CONSTANTS.suffix_acronyms,
        CONSTANTS.suffix_not_acronyms,
        CONSTANTS.conjunctions,
        CONSTANTS.prefixes,
    )
    for word in words
)
# Letters, or letters joined by hyphens ("Ivanov-Black"): no initials,
# nicknames, quotes, digits or commas.
_LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# A middle initial as nameparser reads one ("J."); checked for every letter.
_INITIAL = re.compile(r"[A-Z]\.")


def _plain_word(word: str) -> bool:
    return _LETTERS.fullmatch(word) is not None and word.lower() not in _SPECIAL_WORDS


# Names repeat heavily across a catalog and nameparser is slow: memoised.
@functools.lru_cache(maxsize=1 << 16)
def split_name(name: str) -> tuple[str, str]:
    """`(family, given)` for a name as written; a surname alone has no given name.

    "Teven Le Scao" -> ("Le Scao", "Teven"); "Biderman" -> ("Biderman", "");
    "Van der Sluijs" -> ("Van der Sluijs", "").
    """
    name = " ".join(name.split())
    words = name.split(" ")
    if len(words) == 1 or all(word.lower() in _PARTICLES for word in words[:-1]):
        return name, ""
    if len(words) == 2 and all(_plain_word(word) for word in words):
        # "Given Family", neither word one nameparser treats apart: what it
        # gives, without its parse (most of an import's citation keys' time).
        return words[1], words[0]
    if (
        len(words) == 3
        and _INITIAL.fullmatch(words[1])
        and _plain_word(words[0])
        and _plain_word(words[2])
    ):
        # "Given M. Family": likewise what nameparser gives (its parse took
        # ~0.4 ms a name, seconds of a 100,000-paper import's planning).
        return words[2], f"{words[0]} {words[1]}"
    return split_by_nameparser(name, words)


def split_by_nameparser(name: str, words: list[str]) -> tuple[str, str]:
    """split_name() of a name of several words, by nameparser."""
    family = HumanName(name).last
    if family and name.endswith(family) and len(family) < len(name):
        return family, name[: -len(family)].strip()
    return words[-1], " ".join(words[:-1])


def key_part(text: str) -> str:
    """`text` as ASCII letters and digits only: "Laurençon" -> "laurencon"."""
    return _NON_KEY.sub("", fold(text))


def first_significant_word(title: str) -> str:
    """ "GPT-NeoX-20B: An Open-Source…" -> "gptneox20b": the word as written, less
    its punctuation (the paper page showed such keys before they were stored)."""
    words = (key_part(word) for word in fold(title).split())  # lazily: the first one is enough
    return next((w for w in words if re.search("[a-z]", w) and w not in SMALL_WORDS), "")


def citation_key_base(first_author: str | None, year: int | None, title: str) -> str:
    """The key before any collision suffix: surname + year + first significant title word."""
    surname = key_part(split_name(first_author)[0]) if first_author else ""
    base = f"{surname or ANONYMOUS}{year or ''}{first_significant_word(title)}"
    return base[:MAX_BASE_LENGTH]


def key_suffix(n: int) -> str:
    """The n-th collision suffix (n >= 1): a, b, …, z, aa, ab, …"""
    suffix = ""
    while n:
        n, rest = divmod(n - 1, 26)
        suffix = chr(ord("a") + rest) + suffix
    return suffix


def next_free_key(base: str, taken) -> str:
    """`base`, or `base` + a, b, …, z, aa, ab, … whichever is not in `taken`."""
    if base not in taken:
        return base
    for n in count(1):
        key = base + key_suffix(n)
        if key not in taken:
            return key
    raise AssertionError("unreachable")


class FreeKeys:
    """next_free_key() for one key after another, each key then taken: the
    same keys, without trying again every suffix a base already had (at
    100,000 papers thousands of keys share a base such as "anon2021model",
    and trying a, b, … from the start each time took seconds)."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self._last_suffix: dict[str, int] = {}

    def next_free(self, base: str) -> str:
        if base in self.taken:
            # Every suffix up to the last one this base was given is taken,
            # and stays taken: the search goes on from there.
            n = self._last_suffix.get(base, 0)
            key = base
            while key in self.taken:
                n += 1
                key = base + key_suffix(n)
            self._last_suffix[base] = n
        else:
            key = base
        self.taken.add(key)
        return key
