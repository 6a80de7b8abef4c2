"""Citation paragraphs of blog entries.

A citation reads: author list, a quoted title, then venue, identifiers,
pages, the year, and trailing distinctions:

    Sid Black*, ..., and Samuel Weinbach. "GPT-NeoX-20B: ..." In Proceedings
    of the ACL Workshop on ..., 2022.
    Schuhmann, et al. (incl. Crowson). "LAION-5B: ..." Thirty-sixth Conference
    on ... Track, 2022. Outstanding Paper Award.

Identifier convention: arXiv ids go to arxiv_id ("2211.05100"); a DOI goes
to doi bare ("10.1145/3511808.3557079"); another identifier goes to doi as
"<server> <id>" ("bioRxiv 2022.11.20.517210"), so a doi not starting with
"10." is not a DOI. The server name stays in venue_text ("bioRxiv").

Venue-contradiction rule (venue_conflict): both the blog header and the
citation's venue text are mapped to known venues through the table in venues.py (KNOWN_VENUES:
names and acronyms (ICLR = "International Conference on Learning
Representations", NeurIPS = "Neural Information Processing Systems", CIKM,
FAccT, JASA, bioRxiv with the "bioXriv" misspelling, ...)). They contradict
only when both map to families, the families are disjoint, and the citation
is not just a preprint (a paper listed under its conference and cited as its
arXiv preprint is normal). Unknown names never contradict anything.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from catalog.importer.names import parse_clean_author_list
from catalog.importer.records import CitationRecord, frozen_record
from catalog.importer.text import clean_text
from catalog.importer.venues import PREPRINT_SERVERS, venues_mentioned

_OPEN_QUOTES = '"\u201c\u201e'
_CLOSE_QUOTE_RE = re.compile('["\u201d]')
_OPEN_QUOTE_RE = re.compile('["\u201c\u201e]')
# Longest plausible author part, and citation paragraph, in characters.
_MAX_AUTHOR_PART = 1500
_MAX_CITATION = 4000
# Words that may start in lower case in an author part.
_AUTHOR_PART_WORDS = frozenset({"and", "et", "al", "al.", "others", "incl.", "incl", "including"})

_ARXIV_RE = re.compile(
    r"(?:\barXiv\s*:?\s*(?:abs/)?|\babs/)"
    r"(\d{4}\.\d{4,5}|[a-z][a-z.\-]{1,20}/\d{7})(?:v\d{1,3})?",
    re.IGNORECASE,
)
_DOI_RE = re.compile(
    r"(?:\bdoi\s*:\s*|https?://(?:dx\.)?doi\.org/)?\b(10\.\d{4,9}/[^\s,;\"\u201d]+)",
    re.IGNORECASE,
)
_PREPRINT_ID_RE = re.compile(
    r"\b(bioRxiv|medRxiv)\s*:?\s*(\d{4}\.\d{2}\.\d{2}\.\d{1,9})(?:v\d{1,3})?", re.IGNORECASE
)
# A year standing alone, maybe in parentheses; not part of "2022.11.20.517210"
# or a page range.
_YEAR_RE = re.compile(r"(?<![\w.:/#-])\(?((?:19|20)\d\d)\)?(?![\w-]|\.\d)")
# Volume/pages at the end of the venue: "10, 50-72", "152, A178", "2933-2943".
_PAGES_RE = re.compile(
    r"(?:,\s*|\s+)(\d{1,6}\s*(?:\(\d{1,4}\))?,\s*[A-Za-z]?\d{1,7}(?:\s*[-\u2013]{1,2}\s*[A-Za-z]?\d{1,7})?"
    r"|[A-Za-z]?\d{1,7}\s*[-\u2013]{1,2}\s*[A-Za-z]?\d{1,7})$"
)
_AWARD_AT_END_RE = re.compile(
    r"[.,;]?\s*((?:Outstanding|Best|Distinguished)\s+Paper(?:\s+Award)?"
    r"|Oral(?:\s+Presentation)?|Spotlight(?:\s+Paper|\s+Presentation)?"
    r"|Honou?rable\s+Mention)\.?$",
    re.IGNORECASE,
)
# "In the Tenth International Conference ..." -> "Tenth International Conference ..."
_LEADING_IN_RE = re.compile(r"^In\s+(?:the\s+)?")

# A letter or digit: what str.isalnum() accepts (\w less the underscore).
_ALNUM_RE = re.compile(r"[^\W_]")
_PARENTHESES_RE = re.compile(r"\([^()]*\)")

# "Preprint, 2022": a preprint, though of no named server.
_GENERIC_PREPRINT_RE = re.compile(r"\bpreprint\b", re.IGNORECASE)


@frozen_record
class CitationParse:
    """parse_citation's record plus the doubts met on the way."""

    citation: CitationRecord
    notes: tuple[str, ...] = ()
    # False when the paragraph had no recognisable author list or title.
    ok: bool = True


def looks_like_citation(paragraph: str) -> bool:
    """Whether the paragraph after a blog title is a citation, not abstract.

    A citation has a quoted title with something after it (venue, year), and
    before the quote an author list: capitalised names, "and", "et al.".
    """
    return _citation_shape(paragraph) is not None


def _citation_shape(paragraph: str) -> tuple[int, tuple[int, int]] | None:
    """(opening quote's index, title span) when looks_like_citation(), else None."""
    if len(paragraph) > _MAX_CITATION:
        return None
    if paragraph.isascii():  # '"' is its only opening quote: str.find outruns the regex
        open_at = paragraph.find('"', 0, _MAX_AUTHOR_PART)
    else:
        opening = _OPEN_QUOTE_RE.search(paragraph, 0, _MAX_AUTHOR_PART)
        open_at = opening.start() if opening else -1
    if open_at <= 0:
        return None
    author_part = paragraph[:open_at].rstrip()
    if not author_part or author_part[-1] not in ".),:":
        return None
    span = _title_span(paragraph, open_at)
    if span is None or not _ALNUM_RE.search(paragraph, span[1] + 1):
        return None
    if "(" in author_part:
        author_part = _PARENTHESES_RE.sub(" ", author_part)
    words = author_part.split()
    lower = [w for w in words if w[0].islower() and w.rstrip(",.;") not in _AUTHOR_PART_WORDS]
    lower = [w for w in lower if w.rstrip(",.;") not in {"van", "der", "de", "von", "la", "le"}]
    if len(lower) > max(1, len(words) // 10):
        return None
    return open_at, span


def _title_span(text: str, open_at: int) -> tuple[int, int] | None:
    """(start, end) of the quoted title: the text between the opening quote
    and its closing quote, end being the closing quote's index.

    The closing quote is the first one right after ".", "!", "?" or ","
    (titles end so: "... Language Model."). That passes over nested quotes,
    "Going Beyond “Open Science” to “Science in the Open.”". Failing that,
    the first closing quote followed by a space, punctuation or the end.
    """
    start = open_at + 1
    fallback = None
    for end in _closing_quotes(text, start):
        after = text[end + 1 : end + 2]
        ends_word = after == "" or after.isspace() or after in ".,;:"
        if end > start and text[end - 1] in ".!?," and ends_word:
            return start, end
        if fallback is None and end > start and ends_word:
            fallback = end
    return (start, fallback) if fallback is not None else None


def _closing_quotes(text: str, start: int) -> Iterator[int]:
    """Indexes of the closing quotes from start on."""
    if text.isascii():  # '"' is its only closing quote: str.find outruns the regex
        end = text.find('"', start)
        while end >= 0:
            yield end
            end = text.find('"', end + 1)
    else:
        for match in _CLOSE_QUOTE_RE.finditer(text, start):
            yield match.start()


def _clean_title(raw: str) -> str:
    """The title from its quoted text, a slice of clean_text() output: cleaning
    it only strips its ends (clean text has single spaces only)."""
    title = raw.strip()
    if title.endswith((".", ",")):
        title = title[:-1].rstrip()
    # The outer closing quote can swallow a nested one: “... “Science in the
    # Open.” - give the nested quote back its closing mark.
    if title.count("\u201c") > title.count("\u201d"):
        title += "\u201d"
    return title


def _tidy_venue(text: str) -> str:
    text = clean_text(re.sub(r"\s+([,.;:])", r"\1", text))
    text = _LEADING_IN_RE.sub("", text)
    return text.strip(" ,.;:-")


# The part after the title ("In Proceedings of ICML, 2014.") repeats across a
# listing far more than whole citations do: its reading is memoised.
@functools.lru_cache(maxsize=1 << 14)
def _citation_tail(rest: str) -> tuple[str, str, int | None, tuple[str, ...], str, str]:
    """(arxiv_id, doi, year, awards, pages, venue text) of what follows the title."""
    # Substring tests first: each regular expression runs only when it can match.
    lowered = rest.lower()
    arxiv_id = ""
    if ("arxiv" in lowered or "abs/" in lowered) and (match := _ARXIV_RE.search(rest)):
        arxiv_id = match.group(1)
        rest = rest[: match.start()] + rest[match.end() :]
    return (arxiv_id, *_tail_without_arxiv_id(rest, "rxiv" in lowered))


# Without its arXiv id, which differs from paper to paper, a preprint's tail
# ("arXiv preprint (2022).") repeats too.
@functools.lru_cache(maxsize=1 << 14)
def _tail_without_arxiv_id(
    rest: str, rxiv: bool
) -> tuple[str, int | None, tuple[str, ...], str, str]:
    """(doi, year, awards, pages, venue text) of _citation_tail()."""
    doi = ""
    if "10." in rest and (match := _DOI_RE.search(rest)):
        doi = match.group(1).rstrip(".")
        rest = rest[: match.start()] + rest[match.end() :]
    if rxiv and (match := _PREPRINT_ID_RE.search(rest)):
        server = match.group(1)
        doi = doi or f"{server} {match.group(2)}"
        rest = rest[: match.start()] + server + rest[match.end() :]

    year = None
    awards: tuple[str, ...] = ()
    venue_part = rest
    years = list(_YEAR_RE.finditer(rest))
    if years:
        last = years[-1]
        year = int(last.group(1))
        venue_part = rest[: last.start()]
        tail = rest[last.end() :].strip(" .,;:")
        awards = tuple(a.strip(" .") for a in tail.split(";") if a.strip(" ."))
    venue_part = venue_part.strip(" .,;:")
    if not awards and (match := _AWARD_AT_END_RE.search(venue_part)):
        awards = (match.group(1),)
        venue_part = venue_part[: match.start()].strip(" .,;:")
    pages = ""
    if match := _PAGES_RE.search(venue_part):
        pages = clean_text(match.group(1))
        venue_part = venue_part[: match.start()]

    return doi, year, awards, pages, _tidy_venue(venue_part)


def parse_citation_detailed(text: str) -> CitationParse:
    """parse_citation, with review notes and a success flag."""
    return _parse_clean_citation(clean_text(text))


def read_citation(paragraph: str, cleaned: str) -> CitationParse | None:
    """parse_citation_detailed(paragraph) if looks_like_citation(paragraph),
    else None; `cleaned` is clean_text(paragraph). The quote and title found
    by the test serve the parse when cleaning changed nothing."""
    shape = _citation_shape(paragraph)
    if shape is None:
        return None
    return _parse_clean_citation(cleaned, shape if cleaned == paragraph else None)


def _parse_clean_citation(
    text: str, shape: tuple[int, tuple[int, int]] | None = None
) -> CitationParse:
    if shape is None:
        opening = _OPEN_QUOTE_RE.search(text)
        span = (
            _title_span(text, opening.start()) if opening and len(text) <= _MAX_CITATION else None
        )
        if span is None:
            return CitationParse(CitationRecord(text=text, authors_complete=False), ok=False)
        shape = opening.start(), span
    open_at, span = shape
    title = _clean_title(text[span[0] : span[1]])
    # A slice of clean text: clean_text() would only strip its end.
    authors = parse_clean_author_list(text[:open_at].rstrip())
    arxiv_id, doi, year, awards, pages, venue_text = _citation_tail(text[span[1] + 1 :])

    notes = authors.notes
    if not authors.ok:
        notes = (*notes, "citation authors unparseable")
    citation = CitationRecord(
        text=text,
        authors=authors.authors,
        authors_complete=authors.complete if authors.ok else False,
        author_count=authors.declared_count,
        title=title,
        venue_text=venue_text,
        year=year,
        arxiv_id=arxiv_id,
        doi=doi,
        awards=awards,
        pages=pages,
    )
    return CitationParse(citation, notes, ok=bool(title))


def parse_citation(text: str) -> CitationRecord:
    """The parts of one citation paragraph. A paragraph that cannot be read
    comes back as CitationRecord(text=..., authors_complete=False) with no
    other field set."""
    return parse_citation_detailed(text).citation


# Venue texts repeat across a listing ("ICLR", "In Proceedings of ICML").
@functools.lru_cache(maxsize=1 << 14)
def venue_families(text: str) -> frozenset[str]:
    """Venues (by canonical name) a venue name or citation venue text mentions."""
    families = {known.name for known in venues_mentioned(text)}
    if _GENERIC_PREPRINT_RE.search(text):
        families.add("preprint")
    return frozenset(families)


# Header and citation venues pair up the same ways again and again.
@functools.lru_cache(maxsize=1 << 14)
def venue_conflict(header_venue: str, citation_venue: str) -> bool:
    """Whether a blog header's venue contradicts the citation's venue (see
    the module docstring for the rule)."""
    header = venue_families(header_venue)
    cited = venue_families(citation_venue)
    if not header or not cited or cited <= PREPRINT_SERVERS | {"preprint"}:
        return False
    return not header & cited
