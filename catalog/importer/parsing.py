"""Listing parsers: scraped listing text in, ParsedListing out.

Pure functions: no database, no Django. Three formats (see the seeds in
fixtures/listings/):

* blog - a lab blog's publication page. Each entry ends with a "Read More"
  line and holds: an optional header (venue category and poster name,
  printed twice: "ICLR Stella Biderman ICLR Stella Biderman"), the title, an
  optional citation paragraph, then the abstract's paragraphs.
* abstracts - one "Abstract:<text>" line per paper; nothing else (any other
  non-blank line is a bad entry).
* daily - a Hugging Face "Daily Papers" page: a page header ending in the
  page's own date ("Nov 6"), then per paper a title line, an abstract line,
  and optionally "  • 5 authors", "·", "Aug 13, 2024 6" (date, upvotes).

The parsers go line by line and treat every non-blank line as a unit, so
missing or doubled blank lines do not change the result.

parse_listing() and detect_format() go through PARSERS, the registry of
formats by name, which import_listings' --format offers. Another source
format is a module of its own with a parse() and a detect() function
returning the records of catalog.importer.records (its docstring says what
they must hold), and one ListingParser entry in PARSERS; merging, matching
and writing then treat its entries like any other.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from catalog.importer.bibtex import looks_like_bibtex, parse_bibtex
from catalog.importer.citations import (
    parse_citation,
    read_citation,
    venue_conflict,
)
from catalog.importer.names import parse_author_list
from catalog.importer.records import (
    CitationRecord,
    EntryRecord,
    ListingError,
    ParsedListing,
)
from catalog.importer.text import (
    clean_abstract,
    clean_text,
    decode_listing,
    is_blank,
    join_paragraphs,
    normalise_title,
    prepare_listing_text,
)

__all__ = [
    "FORMATS",
    "PARSERS",
    "ListingParser",
    "clean_abstract",
    "clean_text",
    "decode_listing",
    "detect_format",
    "normalise_title",
    "parse_author_list",
    "parse_citation",
    "parse_listing",
]

# Longer than this, a line is an abstract paragraph, not a heading.
MAX_TITLE_CHARS = 500
# Daily pages: a text line after an abstract that is at most this long and
# does not end a sentence starts the next paper rather than continuing the
# abstract (abstracts are one long line each on these pages).
_DAILY_TITLE_SHAPE_CHARS = 300

REASON_NO_YEAR = "no year in listing"
REASON_NO_TITLE = "no title in listing"
REASON_NO_ABSTRACT = "no abstract in listing"
REASON_DATE_WITHOUT_YEAR = "date without year"
REASON_CITATION_UNPARSEABLE = "citation unparseable"
REASON_TITLE_DIFFERS = "citation title differs from heading"

_ABSTRACT_LINE_RE = re.compile(r"^\s*Abstract\s*:\s*", re.IGNORECASE)
_AUTHORS_LINE_RE = re.compile(r"^\s*\u2022\s*(\d{1,6})\s+authors?\s*$", re.IGNORECASE)
_DOT_LINE_RE = re.compile(r"^\s*\u00b7\s*$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_DATE_LINE_RE = re.compile(
    r"^\s*([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:,\s*(\d{4}))?(?:\s+(\d{1,7}))?\s*$"
)
_DAILY_HEADER_MARKER = "daily papers"
# The page header is short: its date comes within this many non-blank lines.
_DAILY_HEADER_MAX_LINES = 15
_VENUE_WORDS = frozenset(
    {"workshop", "conference", "journal", "track", "findings", "forum", "symposium", "preprint"}
)
_NAME_TOKEN_RE = re.compile(r"^[^\W\d_][\w'\u2019.\-]*$")


# ---------------------------------------------------------------------------
# Format detection


# Lines are split off the text this many characters at a time, so that the
# parsers never hold a list of every line (a second copy of the listing).
_LINE_CHUNK_CHARS = 1 << 20


def _line_chunks(text: str) -> Iterator[tuple[list[str], bool]]:
    """text.split("\n"), lazily: the lines of about a megabyte at a time, each
    time with whether those lines are plain: no tab, no doubled space."""
    start = 0
    while True:
        end = text.find("\n", start + _LINE_CHUNK_CHARS)
        chunk = text[start:] if end < 0 else text[start:end]
        yield chunk.split("\n"), "\t" not in chunk and "  " not in chunk
        if end < 0:
            return
        start = end + 1


def _split_lines(text: str) -> Iterator[str]:
    """text.split("\n"), lazily: a chunk of about a megabyte at a time."""
    for lines, _ in _line_chunks(text):
        yield from lines


def _clean_line(line: str, plain: bool) -> str:
    """clean_text(line) of a stripped line of prepared text (no control
    characters: decode_listing or prepare_listing_text) from plain lines
    (_line_chunks). Such a line, if ASCII, has no whitespace but single
    spaces: it is its own clean text, and the scans of clean_text (a third
    of the blog parse, on abstracts) are spared."""
    return line if plain and line.isascii() else clean_text(line)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing allocates hundreds of thousands of small objects and frees
    none of them: the cyclic garbage collector would walk the growing heap
    again and again for nothing (a fifth of the parse time). The records
    hold no reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Re-enabled as is, the collector's next run would examine every
        # object made meanwhile (~460,000 for 100,000 blog entries: ~0.3 s),
        # and the next-but-one again. freeze() + unfreeze() moves them to the
        # oldest generation unexamined, where survivors end anyway (full
        # collections still see them). Not when the process froze objects
        # itself (a pre-fork server): unfreeze() would thaw those too.
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def _non_blank_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(1-based line number, stripped text) of each non-blank line."""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped:
            yield number, stripped


def detect_format(text: str, source_file: str) -> str:
    """The listing's format: the first parser in PARSERS whose detect()
    recognises the text; ListingError if none does."""
    return _detect_prepared_format(prepare_listing_text(text), source_file)


# The per-line tests of format detection as whole-text searches, each match
# starting at the newline before its line ([^\S\n]: whitespace but not a
# newline, so that a match stays inside its line). Scanning the text in C is
# several times faster than a Python loop over its lines.
_BLANK_LINE_AFTER_NL_RE = re.compile(r"\n(?=[^\S\n]*(?:\n|\Z))")
_ABSTRACT_LINE_AFTER_NL_RE = re.compile(r"\n[^\S\n]*Abstract[^\S\n]*:", re.IGNORECASE)
_READ_MORE_AFTER_NL_RE = re.compile(r"\n[^\S\n]*read more[^\S\n]*(?:\n|\Z)", re.IGNORECASE)
_AUTHORS_LINE_AFTER_NL_RE = re.compile(
    r"\n[^\S\n]*\u2022[^\S\n]*\d{1,6}[^\S\n]+authors?[^\S\n]*(?:\n|\Z)", re.IGNORECASE
)


def _count(pattern: re.Pattern, text: str) -> int:
    return sum(1 for _ in pattern.finditer(text))


def _first_line(text: str) -> str:
    return text[: text.find("\n")].strip() if "\n" in text else text.strip()


def _looks_like_abstracts(text: str) -> bool:
    """At least half the non-blank lines start with "Abstract:"."""
    first = _first_line(text)
    abstract_lines = _count(_ABSTRACT_LINE_AFTER_NL_RE, text)
    abstract_lines += bool(first) and bool(_ABSTRACT_LINE_RE.match(first))
    if not abstract_lines:
        return False
    non_blank = text.count("\n") + 1 - _count(_BLANK_LINE_AFTER_NL_RE, text) - (not first)
    return abstract_lines * 2 >= non_blank


def _looks_like_blog(text: str) -> bool:
    """A "Read More" line."""
    first = _first_line(text)
    return (len(first) == 9 and first.casefold() == "read more") or bool(
        _READ_MORE_AFTER_NL_RE.search(text)
    )


def _looks_like_daily(text: str) -> bool:
    """A "• N authors" line, or a "Daily Papers" page header."""
    # Per line (stripped, non-blank), as the first line is tested here and
    # the others by the whole-text searches above.
    head = itertools.islice(_split_lines(text), 4 * _DAILY_HEADER_MAX_LINES)
    return bool(
        _AUTHORS_LINE_RE.match(_first_line(text))
        or _AUTHORS_LINE_AFTER_NL_RE.search(text)
        or any(line.strip().casefold() == _DAILY_HEADER_MARKER for line in head)
    )


def _detect_prepared_format(text: str, source_file: str) -> str:
    for name, parser in PARSERS.items():
        if parser.detect(text):
            return name
    descriptions = [parser.description for parser in PARSERS.values()]
    raise ListingError(
        source_file,
        f"unknown format: expected {', '.join(descriptions[:-1])} or {descriptions[-1]}",
    )


def parse_listing(
    text: str,
    *,
    source_file: str,
    format: str = "auto",
    listing_year: int | None = None,
    skip_bad: bool = False,
    prepared: bool = False,
) -> ParsedListing:
    """Parse a listing's text entry by entry.

    An entry that cannot be parsed raises ListingError (file and line), or
    with skip_bad goes to ParsedListing.skipped while parsing goes on.
    listing_year: the year of a daily page, for its year-less dates; without
    it the year is inferred from the entries (see _parse_daily).
    prepared: the text comes from decode_listing, which did what
    prepare_listing_text does; skipping it spares a scan of the whole text.
    """
    if format != "auto" and format not in PARSERS:
        raise ListingError(
            source_file, f"unknown format {format!r}; expected one of {tuple(PARSERS)}"
        )
    if not prepared:
        text = prepare_listing_text(text)
    if is_blank(text):
        raise ListingError(source_file, "empty listing (only whitespace)")
    with _gc_paused():
        if format == "auto":
            format = _detect_prepared_format(text, source_file)
        return PARSERS[format].parse(
            text, source_file=source_file, listing_year=listing_year, skip_bad=skip_bad
        )


def _fail(skipped: list[ListingError], error: ListingError, skip_bad: bool) -> None:
    if not skip_bad:
        raise error
    skipped.append(error)


# ---------------------------------------------------------------------------
# Blog


@dataclass
class _BlogBlock:
    """The non-blank lines of one blog entry, up to its "Read More"."""

    units: list[tuple[int, str]]
    # Every line is plain (_line_chunks): _clean_line applies.
    plain: bool


# Header lines repeat across a listing ("ICLR Stella Biderman ICLR Stella Biderman").
@functools.lru_cache(maxsize=4096)
def _doubled_half(line: str) -> str | None:
    """The half of a doubled header line ("X Y X Y" -> "X Y"), else None."""
    tokens = line.split()
    half = len(tokens) // 2
    if half and len(tokens) % 2 == 0 and tokens[:half] == tokens[half:]:
        return " ".join(tokens[:half])
    return None


def _header_half(block: _BlogBlock) -> str | None:
    """The header's half when the block opens with a doubled header line
    followed by a heading-sized line ("Bye Bye" over an abstract is a title)."""
    if len(block.units) < 2:
        return None
    half = _doubled_half(block.units[0][1])
    if half is None or len(block.units[1][1]) > MAX_TITLE_CHARS:
        return None
    return half


def _is_name_shaped(tokens: list[str]) -> bool:
    return 0 < len(tokens) <= 4 and all(_NAME_TOKEN_RE.match(t) and t[0].isupper() for t in tokens)


def _common_poster(halves: set[str]) -> list[str]:
    """The poster's name when every header ends with the same name: the
    longest common word suffix of the distinct header halves ("arXiv Stella
    Biderman", "ICML Stella Biderman" -> Stella Biderman)."""
    if len(halves) < 2:
        return []
    token_lists = [h.split() for h in halves]
    suffix: list[str] = []
    for words in zip(*(reversed(t) for t in token_lists), strict=False):
        if len(set(words)) != 1:
            break
        suffix.insert(0, words[0])
    # "NeurIPS Workshop Ann Lee", "ICML Workshop Ann Lee": "Workshop" is shared
    # but is no part of a name.
    while suffix and suffix[0].casefold() in _VENUE_WORDS:
        suffix.pop(0)
    return suffix if _is_name_shaped(suffix) else []


@functools.lru_cache(maxsize=4096)
def _split_header(half: str, poster: tuple[str, ...]) -> tuple[str, str, bool]:
    """(venue, poster, guessed) from a header half.

    With a listing-wide poster name, the header is "<venue> <poster>" or the
    poster alone. Otherwise the last two words are taken as the poster's
    name (guessed=True) unless the header has at most two words, which are
    then the poster's name alone.
    """
    tokens = half.split()
    if poster and tuple(tokens[-len(poster) :]) == poster:
        return " ".join(tokens[: -len(poster)]), " ".join(poster), False
    if len(tokens) <= 2:
        return "", half, True
    if _is_name_shaped(tokens[-2:]):
        return " ".join(tokens[:-2]), " ".join(tokens[-2:]), True
    return " ".join(tokens[:-1]), tokens[-1], True


def _blog_blocks(
    chunks: Iterable[tuple[list[str], bool]], source_file: str
) -> Iterator[_BlogBlock | ListingError]:
    """The entries' line blocks in file order, with an error in place of a
    block that cannot be an entry (empty, or not ended by "Read More")."""
    units: list[tuple[int, str]] = []
    plain = True
    first = 1
    for lines, chunk_plain in chunks:
        plain = plain and chunk_plain
        # _non_blank_lines inlined: this loop runs once per line of the listing.
        for number, line in enumerate(lines, start=first):
            if not line:  # most blank lines: nothing to strip
                continue
            line = line.strip()
            if not line:
                continue
            # Only ASCII casefolds to "read more" (every code point checked):
            # the length test spares casefolding each abstract.
            if len(line) == 9 and line.casefold() == "read more":
                if units:
                    yield _BlogBlock(units, plain)
                else:
                    yield ListingError(
                        source_file, "empty entry: 'Read More' with nothing before it", number
                    )
                units = []
                plain = chunk_plain
            else:
                units.append((number, line))
        first += len(lines)
    if units:
        yield ListingError(
            source_file,
            "last entry does not end with 'Read More' (file truncated?)",
            units[0][0],
        )


@dataclass
class _BlogParts:
    """A blog entry but for its header's venue and poster, which depend on
    the poster name common to the whole listing (known only at its end)."""

    index: int
    line: int
    half: str | None
    title: str
    abstract: str
    citation: CitationRecord | None
    author_count: int | None
    year: int | None
    # Review reasons before and after the header venue's (see _blog_entry).
    reasons: list[str]
    tail_reasons: list[str]


def _parse_blog(
    chunks: Iterable[tuple[list[str], bool]], source_file: str, skip_bad: bool
) -> ParsedListing:
    """One pass over the lines, an entry parsed as soon as its block ends;
    the header split waits for the listing's common poster name."""
    skipped: list[ListingError] = []
    parsed: list[_BlogParts | ListingError] = []
    halves: set[str] = set()
    for index, block in enumerate(_blog_blocks(chunks, source_file), start=1):
        if isinstance(block, ListingError):
            _fail(skipped, block, skip_bad)
            parsed.append(block)
            continue
        half = _header_half(block)
        if half is not None:
            halves.add(half)
        try:
            parsed.append(_blog_parts(block, half, index, source_file))
        except ListingError as error:
            _fail(skipped, error, skip_bad)
            parsed.append(error)
    poster = tuple(_common_poster(halves))
    entries = [
        _blog_entry(parts, source_file, poster)
        for parts in parsed
        if not isinstance(parts, ListingError)
    ]
    return ParsedListing(source_file, "blog", entries, skipped=skipped)


def _blog_parts(block: _BlogBlock, half: str | None, index: int, source_file: str) -> _BlogParts:
    units = block.units
    start_line = units[0][0]
    if half is not None:
        units = units[1:]
    title_line, title = units[0]
    if len(title) > MAX_TITLE_CHARS:
        raise ListingError(
            source_file,
            f"entry {index}: expected a title, found a {len(title)}-character paragraph",
            title_line,
        )
    plain = block.plain
    title = _clean_line(title, plain)
    body = units[1:]
    reasons: list[str] = []
    citation = None
    parsed = read_citation(body[0][1], _clean_line(body[0][1], plain)) if body else None
    if parsed is not None:
        citation = parsed.citation
        reasons.extend(parsed.notes)
        if not parsed.ok:
            reasons.append(REASON_CITATION_UNPARSEABLE)
        body = body[1:]
    if len(body) == 1:  # most abstracts: one paragraph, nothing to join or repeat
        abstract = _clean_line(body[0][1], plain)
    else:
        abstract = join_paragraphs([_clean_line(text, plain) for _, text in body])

    year = citation.year if citation else None
    author_count = None
    if citation and citation.authors:
        author_count = citation.author_count
        if author_count is None and citation.authors_complete:
            author_count = len(citation.authors)
    if (
        citation
        and citation.title
        and citation.title != title  # equal titles have equal keys: skip the work
        and normalise_title(citation.title) != normalise_title(title)
    ):
        reasons.append(REASON_TITLE_DIFFERS)
    tail_reasons = []
    if not abstract:
        tail_reasons.append(REASON_NO_ABSTRACT)
    if year is None:
        tail_reasons.append(REASON_NO_YEAR)
    return _BlogParts(
        index,
        start_line,
        half,
        title,
        abstract,
        citation,
        author_count,
        year,
        reasons,
        tail_reasons,
    )


def _blog_entry(parts: _BlogParts, source_file: str, poster_words: tuple[str, ...]) -> EntryRecord:
    reasons: list[str] = []
    venue_name = poster = ""
    if parts.half is not None:
        venue_name, poster, guessed = _split_header(parts.half, poster_words)
        if guessed:
            reasons.append(f"poster name guessed from header '{parts.half}'")
    reasons += parts.reasons
    citation = parts.citation
    if citation and venue_name and venue_conflict(venue_name, citation.venue_text):
        reasons.append(
            f"header venue '{venue_name}' disagrees with citation venue '{citation.venue_text}'"
        )
    reasons += parts.tail_reasons
    return EntryRecord(
        source_file=source_file,
        format="blog",
        entry_index=parts.index,
        line=parts.line,
        title=parts.title,
        abstract=parts.abstract,
        venue_name=venue_name,
        poster=poster,
        citation=citation,
        author_count=parts.author_count,
        year=parts.year,
        review_reasons=tuple(reasons),
    )


# ---------------------------------------------------------------------------
# Abstracts


def _parse_abstracts(lines: Iterable[str], source_file: str, skip_bad: bool) -> ParsedListing:
    """One entry per "Abstract:" line; any other non-blank line is a bad
    entry (the format has nothing else, so it is damage, not content)."""
    skipped: list[ListingError] = []
    entries: list[EntryRecord] = []
    index = 0
    for number, line in _non_blank_lines(lines):
        prefix = _ABSTRACT_LINE_RE.match(line)
        if not prefix:
            error = ListingError(source_file, "line does not start with 'Abstract:'", number)
            _fail(skipped, error, skip_bad)
            continue
        index += 1
        abstract = clean_text(line[prefix.end() :])
        if not abstract:
            _fail(skipped, ListingError(source_file, "empty abstract", number), skip_bad)
            continue
        entries.append(
            EntryRecord(
                source_file=source_file,
                format="abstracts",
                entry_index=index,
                line=number,
                abstract=abstract,
                review_reasons=(REASON_NO_TITLE, REASON_NO_YEAR),
            )
        )
    return ParsedListing(source_file, "abstracts", entries, skipped=skipped)


# ---------------------------------------------------------------------------
# Daily


@dataclass
class _DailyDate:
    month: int
    day: int
    year: int | None
    upvotes: int | None


@dataclass
class _DailyDraft:
    line: int
    title: str
    paragraphs: list[str] = field(default_factory=list)
    author_count: int | None = None
    meta_started: bool = False
    date: _DailyDate | None = None
    error: ListingError | None = None


def _daily_date(line: str) -> _DailyDate | None:
    match = _DATE_LINE_RE.match(line)
    if not match:
        return None
    month = _MONTHS.get(match.group(1).casefold())
    if month is None:
        return None
    year = int(match.group(3)) if match.group(3) else None
    upvotes = int(match.group(4)) if match.group(4) else None
    return _DailyDate(month, int(match.group(2)), year, upvotes)


def _daily_header_end(non_blank: list[tuple[int, str]]) -> tuple[int, _DailyDate | None]:
    """(number of header lines, the page's own date) - (0, None) without a
    page header. The header is the lines up to the first date line, when it
    comes early and no paper metadata comes before it."""
    for position, (_, line) in enumerate(non_blank[:_DAILY_HEADER_MAX_LINES]):
        if _AUTHORS_LINE_RE.match(line) or _DOT_LINE_RE.match(line):
            return 0, None
        date = _daily_date(line)
        if date is not None:
            if date.upvotes is not None:
                return 0, None
            return position + 1, date
    return 0, None


def _ends_sentence(line: str) -> bool:
    return line.endswith((".", "!", "?")) and not line.endswith("...")


def _daily_drafts(
    lines: Iterable[str], source_file: str
) -> tuple[list[_DailyDraft | ListingError], _DailyDate | None]:
    """The papers' drafts in file order, with an error in place of a stray
    metadata line; and the page's own date."""
    non_blank = _non_blank_lines(lines)
    head = list(itertools.islice(non_blank, _DAILY_HEADER_MAX_LINES))
    header_lines, page_date = _daily_header_end(head)
    drafts: list[_DailyDraft | ListingError] = []
    current: _DailyDraft | None = None

    def stray(number: int, what: str) -> None:
        drafts.append(ListingError(source_file, f"{what} outside a paper entry", number))

    for number, line in itertools.chain(head[header_lines:], non_blank):
        if match := _AUTHORS_LINE_RE.match(line):
            if current is None or current.date is not None:
                stray(number, "author-count line")
            elif current.author_count is not None:
                current.error = current.error or ListingError(
                    source_file, "two author-count lines", number
                )
            else:
                current.author_count = int(match.group(1))
                current.meta_started = True
            continue
        if _DOT_LINE_RE.match(line):
            if current is None or current.date is not None:
                stray(number, "'\u00b7' line")
            else:
                current.meta_started = True
            continue
        date = _daily_date(line)
        if date is not None:
            if current is None or current.date is not None:
                stray(number, f"date line {line!r}")
            else:
                current.date = date
            continue
        starts_entry = (
            current is None
            or current.date is not None
            or current.meta_started
            or (
                current.paragraphs
                and len(line) <= _DAILY_TITLE_SHAPE_CHARS
                and not _ends_sentence(line)
            )
        )
        if starts_entry:
            current = _DailyDraft(number, line)
            drafts.append(current)
        else:
            current.paragraphs.append(line)
    return drafts, page_date


def _infer_listing_year(
    drafts: list[_DailyDraft], listing_year: int | None
) -> tuple[int | None, str]:
    if listing_year is not None:
        return listing_year, "--listing-year"
    named = [d.date.year for d in drafts if d.date and d.date.year is not None]
    if not named:
        return None, "unknown: no entry names a year"
    # The page leaves out the year only for dates in its own year, so that
    # year is later than any year it prints.
    latest = max(named)
    return latest + 1, f"inferred: latest year named by an entry is {latest}"


def _parse_daily(
    lines: Iterable[str], source_file: str, listing_year: int | None, skip_bad: bool
) -> ParsedListing:
    skipped: list[ListingError] = []
    items, page_date = _daily_drafts(lines, source_file)
    drafts = [item for item in items if isinstance(item, _DailyDraft)]
    year_of_listing, year_reason = _infer_listing_year(drafts, listing_year)
    entries: list[EntryRecord] = []
    index = 0
    for draft in items:
        if isinstance(draft, ListingError):
            _fail(skipped, draft, skip_bad)
            continue
        index += 1
        try:
            entries.append(_daily_entry(draft, index, source_file, year_of_listing, page_date))
        except ListingError as error:
            _fail(skipped, error, skip_bad)
    return ParsedListing(
        source_file,
        "daily",
        entries,
        listing_year=year_of_listing,
        listing_year_reason=year_reason,
        skipped=skipped,
    )


def _check_date(
    source_file: str, index: int, draft: _DailyDraft, date: _DailyDate, year: int
) -> datetime.date:
    try:
        return datetime.date(year, date.month, date.day)
    except ValueError:
        raise ListingError(
            source_file,
            f"entry {index}: no such date: {date.month}/{date.day}/{year}",
            draft.line,
        ) from None


def _daily_entry(
    draft: _DailyDraft,
    index: int,
    source_file: str,
    listing_year: int | None,
    page_date: _DailyDate | None,
) -> EntryRecord:
    if draft.error is not None:
        raise draft.error
    if len(draft.title) > MAX_TITLE_CHARS:
        raise ListingError(
            source_file,
            f"entry {index}: expected a title, found a {len(draft.title)}-character paragraph",
            draft.line,
        )
    reasons: list[str] = []
    published_on = None
    upvotes = None
    if draft.date is not None:
        upvotes = draft.date.upvotes
        year = draft.date.year
        if year is None:
            year = listing_year
            if page_date and (draft.date.month, draft.date.day) > (page_date.month, page_date.day):
                reasons.append(
                    f"year-less date {draft.date.month}/{draft.date.day} is after the page's "
                    f"own date {page_date.month}/{page_date.day}"
                )
        if year is None:
            reasons.append(REASON_DATE_WITHOUT_YEAR)
            # Still reject "Feb 30"; 2000 is a leap year, so "Feb 29" passes.
            _check_date(source_file, index, draft, draft.date, 2000)
        else:
            published_on = _check_date(source_file, index, draft, draft.date, year)
    else:
        reasons.append(REASON_NO_YEAR)
    abstract = clean_abstract(draft.paragraphs)
    if not abstract:
        reasons.append(REASON_NO_ABSTRACT)
    return EntryRecord(
        source_file=source_file,
        format="daily",
        entry_index=index,
        line=draft.line,
        title=clean_text(draft.title),
        abstract=abstract,
        author_count=draft.author_count,
        published_on=published_on,
        year=published_on.year if published_on else None,
        upvotes=upvotes,
        review_reasons=tuple(reasons),
    )


# ---------------------------------------------------------------------------
# The parsers, by format name


@dataclass(frozen=True)
class ListingParser:
    """One source format. See catalog.importer.records for what parse() must return."""

    # parse(text, *, source_file, listing_year, skip_bad) -> ParsedListing.
    # `text` comes from decode_listing() / prepare_listing_text().
    parse: Callable[..., ParsedListing]
    # detect(text) -> whether the text is in this format (same text).
    detect: Callable[[str], bool]
    # For "unknown format" messages: what the format looks like.
    description: str


def _blog(text: str, *, source_file: str, listing_year: int | None, skip_bad: bool):
    return _parse_blog(_line_chunks(text), source_file, skip_bad)


def _abstracts(text: str, *, source_file: str, listing_year: int | None, skip_bad: bool):
    return _parse_abstracts(_split_lines(text), source_file, skip_bad)


def _daily(text: str, *, source_file: str, listing_year: int | None, skip_bad: bool):
    return _parse_daily(_split_lines(text), source_file, listing_year, skip_bad)


def _bibtex(text: str, *, source_file: str, listing_year: int | None, skip_bad: bool):
    return parse_bibtex(text, source_file=source_file, skip_bad=skip_bad)


# Format name -> parser. Auto-detection tries them in this order: the first
# whose detect() says yes parses the listing (an abstracts list is checked
# before a blog page, as it is the stricter test). import_listings --format
# offers these names.
PARSERS: dict[str, ListingParser] = {
    # First: its test is the strictest (an "@type{key," block opens the file),
    # and a BibTeX abstract may hold a line that reads "Abstract:".
    "bibtex": ListingParser(_bibtex, looks_like_bibtex, "a BibTeX file ('@article{key,' entries)"),
    "abstracts": ListingParser(
        _abstracts, _looks_like_abstracts, "an abstracts list ('Abstract:' lines)"
    ),
    "blog": ListingParser(_blog, _looks_like_blog, "a blog page ('Read More' lines)"),
    "daily": ListingParser(
        _daily, _looks_like_daily, "a Daily Papers page ('\u2022 N authors' lines)"
    ),
}
FORMATS = tuple(PARSERS)
