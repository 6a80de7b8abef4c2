"""How many rows PostgreSQL's planner expects a search alone to match,
computed here from the same statistics instead of asking it (PostgreSQL only).

A search page decides how to read a search's newest matches (walking the
year index, or collecting every match) and how far, from the planner's
estimate of its matches. Asking meant an EXPLAIN a page: planning it, the
round trip and reading its JSON cost about 0.5 ms of the ~15 ms of CPU a
search page costs. For a search with no other filter, the estimate is the
planner's own arithmetic over numbers it keeps, read here once a minute:

* the column's most common lexemes and the share of rows holding each
  (pg_stats.most_common_elems, ANALYZE's sample); a lexeme not among them
  is taken as half the rarest one's share, at most DEFAULT_TS_MATCH_SEL;
  every word of plainto_tsquery() must match, so the shares multiply
  (PostgreSQL's tsmatchsel());
* the table's rows: reltuples per page times the pages it has now
  (estimate_rel_size()).

A search's lexemes are plainto_tsquery('english')'s: PostgreSQL's parser
splits words at underscores, stems letters-only words with Snowball's
English stemmer (the same algorithm as the `snowballstemmer` package) after
dropping its English stop words, and keeps words with digits as they are.
Anything else (a word with letters outside ASCII, a table never analyzed)
answers None, and the caller asks the planner. A wrong guess only changes
how the matches are read, never which.

One number is shown: a search of one listed lexeme, far too common to
count (catalog.facets.QUICK_MATCHES), is "about" its listed share of the
catalog (listed_matches()), closer than a sample of its newest matches
and without reading them. Statistics are as fresh as the last ANALYZE
(autovacuum's, after a tenth of a table changes); the rows are the
table's now.
"""

from __future__ import annotations

import math
import re
import struct
import time
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

# PostgreSQL's default share of rows matching a lexeme it has no statistics
# for (tsearch's DEFAULT_TS_MATCH_SEL).
DEFAULT_TS_MATCH_SEL = 0.005
# How long a process keeps a column's statistics: they change only when
# (auto)ANALYZE runs, and the table's size is read with them.
REFRESH_SECONDS = 60

# PostgreSQL's english.stop (Snowball's English stop words): dropped from a
# search by the english_stem dictionary.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he
    him his himself she her hers herself it its itself they them their theirs
    themselves what which who whom this that these those am is are was were be
    been being have has had having do does did doing a an the and but if or
    because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under
    again further then once here there when where why how all any both each few
    more most other some such no nor not only own same so than too very s t can
    will just don should now
"""
ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP.split())

_LETTERS = re.compile(r"[a-z]+")
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def _word_lexemes(word: str) -> tuple[str, ...] | None:
    """The lexemes plainto_tsquery('english') makes of one folded word
    (query_words()'s), or None when it cannot be told here."""
    lexemes = []
    for part in word.lower().split("_"):
        if not part:
            continue
        if not part.isascii() or not part.isalnum():
            return None
        if _LETTERS.fullmatch(part):
            if part not in ENGLISH_STOP_WORDS:
                lexemes.append(_STEMMER.stemWord(part))
        else:  # digits, or letters and digits: the `simple` dictionary
            lexemes.append(part)
    return tuple(lexemes)


def search_lexemes(words: list[str]) -> list[str] | None:
    """The lexemes of plainto_tsquery('english', ' '.join(words)), in order,
    repeats kept (as the planner multiplies them); None when unknown."""
    lexemes: list[str] = []
    for word in words:
        found = _word_lexemes(word)
        if found is None:
            return None
        lexemes += found
    return lexemes


@dataclass(frozen=True)
class VectorStats:
    """A tsvector column's statistics, as the planner reads them."""

    shares: dict[str, float]  # lexeme -> share of the non-null rows holding it
    rarest: float  # the smallest of those shares
    not_null: float  # the share of rows whose vector is not null
    rows: float  # the table's rows, as the planner estimates them

    def matches(self, lexemes: list[str]) -> float | None:
        """The planner's row estimate for `column @@ plainto_tsquery(…)` of
        these lexemes (None: no lexeme, which the planner does not estimate
        this way)."""
        if not lexemes:
            return None
        unlisted = min(DEFAULT_TS_MATCH_SEL, self.rarest / 2)
        share = math.prod(self.shares.get(lexeme, unlisted) for lexeme in lexemes)
        return clamp_rows(min(max(share, 0.0), 1.0) * self.not_null * self.rows)


def clamp_rows(rows: float) -> float:
    """PostgreSQL's clamp_row_est(): at least one row, a whole number."""
    return 1.0 if rows <= 1.0 else float(round(rows))


def planned_matches(connection, table: str, column: str, words: list[str]):
    """(the planner's rows for `column @@ plainto_tsquery(words)` over
    `table`, and for the whole table), or None when they cannot be told
    here (then ask the planner)."""
    lexemes = search_lexemes(words)
    stats = vector_stats(connection, table, column) if lexemes is not None else None
    matches = stats.matches(lexemes) if stats is not None else None
    return None if matches is None else (matches, stats.rows)


def listed_matches(connection, table: str, column: str, words: list[str]) -> float | None:
    """How many rows of `table` hold the one lexeme `words` make in
    `column`, when ANALYZE listed that lexeme among the column's most
    common: its share of ANALYZE's sample (30,000 rows) times the table's
    rows now. As close as that sample: within 0.5% of the true count for
    every lexeme in 10% or more of 100,000 papers, where the newest 250
    matches' estimate (catalog/search/estimate.py) was off by up to 6.5%.
    None for several lexemes (their shares multiplied, as the planner
    multiplies them, know nothing of how often the words go together), for
    one ANALYZE did not list, or without statistics."""
    lexemes = search_lexemes(words)
    if not lexemes or len(set(lexemes)) != 1:
        return None
    stats = vector_stats(connection, table, column)
    share = stats.shares.get(lexemes[0]) if stats is not None else None
    return None if share is None else share * stats.not_null * stats.rows


# (database alias, what was read, ...) -> (read at, its answer).
_KEPT: dict[tuple, tuple[float, object]] = {}


def _kept(key: tuple, read):
    """read()'s answer for `key`, read again at most once every
    REFRESH_SECONDS."""
    kept, now = _KEPT.get(key), time.monotonic()
    if kept is None or now - kept[0] >= REFRESH_SECONDS:
        kept = _KEPT[key] = (now, read())
    return kept[1]


_STATS_SQL = """
    SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, s.null_frac,
           c.reltuples, c.relpages,
           pg_relation_size(c.oid) / current_setting('block_size')::int
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_stats s
        ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = %s
    WHERE c.oid = to_regclass(%s)
"""


def vector_stats(connection, table: str, column: str) -> VectorStats | None:
    """The statistics of `table`.`column` (a tsvector) on `connection`, read
    at most once every REFRESH_SECONDS; None when it has none (a table never
    analyzed, or empty)."""

    def read() -> VectorStats | None:
        with connection.cursor() as cursor:
            cursor.execute(_STATS_SQL, [column, table])
            row = cursor.fetchone()
        return _stats_of(row) if row else None

    return _kept((connection.alias, "vector", table, column), read)


def dated_months(connection) -> list[tuple[int, int]]:
    """catalog.counts.dated_months() on `connection`, read at most once every
    REFRESH_SECONDS: they only place the head window's floor (catalog.
    search.postgres.PageSQL._window_floor()), and a stale floor reads more
    or fewer papers, never other rows."""
    from catalog.counts import dated_months as read

    return _kept((connection.alias, "dated_months"), lambda: read(connection.alias))


def _stats_of(row) -> VectorStats | None:
    lexemes, numbers, null_frac, reltuples, relpages, pages = row
    # The frequencies of the lexemes, then the smallest and the largest
    # (else the planner does without them too).
    if not lexemes or not numbers or len(numbers) != len(lexemes) + 2:
        return None
    if reltuples is None or reltuples < 0 or not relpages:
        return None
    numbers = [_real(number) for number in numbers]
    shares = dict(zip(lexemes, numbers, strict=False))
    rows = round(_real(reltuples) / relpages * pages)
    return VectorStats(shares, numbers[-2], 1.0 - _real(null_frac or 0.0), rows)


def _real(number: float) -> float:
    """`number` as the float4 PostgreSQL keeps (its text, "0.1", read as a
    double is not the same number, and estimates are rounded to whole rows)."""
    return struct.unpack("f", struct.pack("f", number))[0]


def forget() -> None:
    """Read every column's statistics and the month counts again when next
    asked (tests)."""
    _KEPT.clear()
