"""BibTeX files as a listing format: a lab's .bib text in, ParsedListing out.

Pure functions: no database, no Django. The file is split into blocks by
bibtexparser (v2), with none of its middlewares: field values are read here,
by BibTeX's own rules, so that every shape real exports use (Google Scholar,
DBLP, the ACL Anthology, arXiv, reference managers) comes out the same way:

* values: {braced}, "quoted", bare numbers, @string macros and the month
  macros (jan -> January), joined with #;
* crossref: an entry takes the fields it lacks from the entry it names (a
  DBLP paper its proceedings' booktitle, publisher, year); a @proceedings
  entry is a volume, not a paper, and is not imported itself;
* LaTeX becomes Unicode through pylatexenc ({\\'e} -> é, {RWKV} -> RWKV, \\emph{x}
  -> x); an abstract's math ($...$, \\(...\\)) is kept as written, so that the
  paper page still renders it as MathML; a title's math becomes text (S$\\mu$Par
  -> SμPar), as a title shows no MathML;
* names in every BibTeX form ("Last, First", "First Last", "von Last, Jr,
  First") become "First von Last Jr"; "and others" marks the list incomplete;
  a name that still holds braces or a backslash after LaTeX decoding is not
  taken (no person is ever named "{\\relax X}");
* identifiers wherever exports put them: doi, eprint + archivePrefix (or
  eprinttype), journal = {arXiv preprint arXiv:2201.07311}, DBLP's volume =
  {abs/2201.07311}, arXiv or doi.org URLs;
* the venue (booktitle, journal, ...) through the venue table: the canonical
  name goes to venue_name, the full text to the citation's venue text.

An entry becomes an EntryRecord whose CitationRecord carries the authors,
identifiers and venue text, as a blog entry's citation paragraph does, so the
merge and the writer treat it like any other listing entry.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import bibtexparser
from bibtexparser import model as bib
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.middlewares.names import parse_single_name_into_parts
from pylatexenc.latex2text import LatexNodes2Text

from catalog.importer import identifiers
from catalog.importer.names import bibtex_author
from catalog.importer.records import (
    AuthorRecord,
    CitationRecord,
    EntryRecord,
    ListingError,
    ParsedListing,
)
from catalog.importer.text import clean_abstract, clean_text, is_blank, prepare_listing_text
from catalog.importer.venues import venue_name_from_bibliography

FORMAT = "bibtex"

# One entry is a few kilobytes even with a long abstract; the largest real
# ones (a book with a table of contents in its note) stay under 50,000
# characters. Anything larger is damage (a file pasted into a field, an
# unclosed brace swallowing the rest of the file), refused with this limit in
# the message rather than imported as a 5 MB abstract.
MAX_ENTRY_CHARS = 100_000
MAX_TITLE_CHARS = 500

REASON_NO_YEAR = "no year in listing"
REASON_NO_ABSTRACT = "no abstract in listing"

# Entry types that describe a volume, not a paper: crossref targets.
_VOLUME_TYPES = frozenset({"proceedings", "mvproceedings", "collection", "mvcollection", "book"})
# Which field holds the venue, by entry type; the first present wins.
_VENUE_FIELDS = ("booktitle", "journal", "journaltitle", "series", "howpublished", "eventtitle")
_FALLBACK_VENUE_FIELDS = ("institution", "school", "organization", "publisher")

# BibTeX's predefined month macros: jan -> January.
_MONTH_MACROS = {
    name[:3]: name.capitalize()
    for name in (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    )
}

_ENTRY_START_RE = re.compile(
    r"^[^\S\n]*@[A-Za-z]+[^\S\n]*[{(][^\S\n]*[^\s,{}()=\"#%]+[^\S\n]*,", re.MULTILINE
)
_FIRST_CODE_LINE_RE = re.compile(r"\A(?:[^\S\n]*(?:%[^\n]*)?\n)*[^\S\n]*@[A-Za-z]+[^\S\n]*[{(]")
# How far into a file an entry header is looked for when the file opens with free text.
_HEADER_CHARS = 4096
_YEAR_RE = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_UNESCAPED_RE = re.compile(r"(?<!\\)([%&#])")
_URL_MACRO_RE = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}(?:\s*\{[^{}]*\})?")
_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)
_TEX_ESCAPE_RE = re.compile(r"\\([_%&#$~])")
_MATH_AS_TEXT = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)
_MATH_VERBATIM = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def looks_like_bibtex(text: str) -> bool:
    """Whether a listing's text is a BibTeX file.

    Its first line that is neither blank nor a % comment opens a block
    ("@article{", "@string(", "@comment{"), or an entry header ("@type{key,")
    comes within the first few kilobytes, after a free-text header such as
    old reference managers write. The other formats never have such lines.
    """
    if _FIRST_CODE_LINE_RE.match(text):
        return True
    return _ENTRY_START_RE.search(text, 0, _HEADER_CHARS) is not None


def parse_bibtex(text: str, *, source_file: str, skip_bad: bool = False) -> ParsedListing:
    """The papers of a BibTeX file, one EntryRecord per entry in file order.

    A block that cannot be read (unbalanced braces, an entry over
    MAX_ENTRY_CHARS, an entry with no title) raises ListingError naming the
    file and the line where the block starts, or with skip_bad goes to
    ParsedListing.skipped while parsing goes on. A file without a single
    entry is an error either way.
    """
    text = prepare_listing_text(text)
    if is_blank(text):
        raise ListingError(source_file, "empty file (no BibTeX entries)")
    library = _split(text)
    skipped: list[ListingError] = []

    def fail(error: ListingError) -> None:
        if not skip_bad:
            raise error
        skipped.append(error)

    values = _Values(source_file)
    blocks: list[bib.Entry] = []
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        try:
            if block.raw and len(block.raw) > MAX_ENTRY_CHARS:
                raise _too_large(source_file, block, line)
            if isinstance(block, bib.String):
                values.define(block.key, block.value, line)
            elif isinstance(block, bib.Entry | bib.ParsingFailedBlock):
                blocks.append(_readable_entry(block, source_file, line))
        except ListingError as error:
            fail(error)
    if not blocks and not skipped:
        raise ListingError(source_file, "no BibTeX entries (@article{...}, @inproceedings{...})")
    fields = [values.entry_fields(entry) for entry in blocks]
    # crossref targets by key; of a key used twice, the first entry (as BibTeX).
    by_key: dict[str, dict[str, str] | ListingError] = {}
    for entry, own in zip(blocks, fields, strict=True):
        by_key.setdefault(entry.key.casefold(), own)
    entries: list[EntryRecord] = []
    for entry, own in zip(blocks, fields, strict=True):
        if entry.entry_type.casefold() in _VOLUME_TYPES:
            continue
        line = (entry.start_line or 0) + 1
        try:
            own = _with_crossref(_evaluated(own), by_key)
            record = _entry_record(entry, own, len(entries) + 1, line, source_file)
        except ListingError as error:
            fail(error)
            continue
        entries.append(record)
    skipped.sort(key=lambda error: error.line or 0)  # blocks first, entries later: file order
    return ParsedListing(source_file, FORMAT, entries, skipped=skipped)


@contextlib.contextmanager
def _quiet_splitter() -> Iterator[None]:
    """bibtexparser logs every block it gives up on; the importer reports
    them itself, with the file's name and the line, so the log says nothing."""
    logger = logging.getLogger("bibtexparser.splitter")
    disabled = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = disabled


def _split(text: str):
    with _quiet_splitter():
        # No middlewares: values come back as written ({...}, "...", macro # "x").
        return bibtexparser.parse_string(text, parse_stack=[])


def _too_large(source_file: str, block, line: int) -> ListingError:
    what = f"entry '{block.key}'" if isinstance(block, bib.Entry) else "block"
    return ListingError(
        source_file,
        f"{what} is {len(block.raw):,} characters long; the limit is {MAX_ENTRY_CHARS:,} "
        "(an unclosed brace, or a file pasted into a field?)",
        line,
    )


def _readable_entry(block: bib.Block, source_file: str, line: int) -> bib.Entry:
    """The entry of an entry block, or of a block bibtexparser flagged for a
    reason BibTeX itself shrugs off: a key used twice (files concatenated from
    two exports) or a field given twice (BibTeX keeps the first, and so does
    _Values). ListingError for a block that cannot be read."""
    if isinstance(block, bib.Entry):
        return block
    entry = block.ignore_error_block
    duplicate = isinstance(block, bib.DuplicateBlockKeyBlock | bib.DuplicateFieldKeyBlock)
    if duplicate and isinstance(entry, bib.Entry):
        return entry
    raise ListingError(source_file, _failure_reason(block), line)


def _failure_reason(block: bib.ParsingFailedBlock) -> str:
    error = block.error
    if isinstance(error, BlockAbortedException):
        if error.end_index is None or "end of file" in error.abort_reason:
            return "BibTeX block not closed: the file ends inside it (unbalanced braces or quotes)"
        return (
            "BibTeX block not closed before the next '@' block starts (unbalanced braces or "
            "quotes, or a missing comma)"
        )
    return f"BibTeX block cannot be read: {str(error).splitlines()[0] if str(error) else error!r}"


class _Values:
    """Field values by BibTeX's rules: {braced}, "quoted", numbers, macros, #."""

    def __init__(self, source_file: str):
        self.source_file = source_file
        self.macros = dict(_MONTH_MACROS)

    def define(self, key: str, raw: str, line: int) -> None:
        # A later @string of the same name wins, as in BibTeX.
        self.macros[key.casefold()] = self.evaluate(raw, line, f"@string{{{key}}}")

    def entry_fields(self, entry: bib.Entry) -> dict[str, str] | ListingError:
        """The entry's fields by lower-case name, each evaluated (the first of
        a repeated field wins); or the error that makes the entry unreadable,
        raised when the entry itself is read (see _evaluated)."""
        found: dict[str, str] = {}
        line = (entry.start_line or 0) + 1
        try:
            for field in entry.fields:
                name = field.key.casefold()
                if name not in found:
                    found[name] = self.evaluate(str(field.value), line, f"entry '{entry.key}'")
        except ListingError as error:
            return error
        return found

    def evaluate(self, raw: str, line: int, where: str) -> str:
        parts = []
        for kind, token in _value_tokens(raw.strip()):
            if kind == "macro":
                if token.casefold() not in self.macros:
                    raise ListingError(
                        self.source_file,
                        f"{where}: undefined @string macro '{token}' (define it with "
                        f"@string{{{token} = {{...}}}} or put the value in braces)",
                        line,
                    )
                parts.append(self.macros[token.casefold()])
            else:
                parts.append(token)
        return "".join(parts)


def _value_tokens(raw: str) -> Iterator[tuple[str, str]]:
    """("text" | "macro", value) for each part of a value joined with #."""
    for part in _top_level_split(raw):
        part = part.strip()
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            yield "text", part[1:-1]
        elif part.isdigit() or not part:
            yield "text", part
        else:
            yield "macro", part


def _top_level_split(raw: str) -> list[str]:
    """raw split at the # signs outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return parts


def _evaluated(fields: dict[str, str] | ListingError) -> dict[str, str]:
    if isinstance(fields, ListingError):
        raise fields
    return fields


def _with_crossref(
    own: dict[str, str], fields: dict[str, dict[str, str] | ListingError]
) -> dict[str, str]:
    """own, with the fields it lacks taken from the entry its crossref names.

    The volume's title is the paper's booktitle (BibTeX's rule); the rest is
    inherited as it is. An unknown target is noted, not fatal: the entry
    keeps what it has.
    """
    target = own.get("crossref", "").strip()
    if not target:
        return own
    parent = fields.get(target.casefold())
    if parent is None or isinstance(parent, ListingError):
        return {**own, "_note": f"crossref '{target}' is not in the file"}
    merged = dict(own)
    for name, value in parent.items():
        if name in ("title", "crossref", "_note"):
            continue
        merged.setdefault(name, value)
    if "booktitle" not in merged and parent.get("title"):
        merged["booktitle"] = parent["title"]
    return merged


# ---------------------------------------------------------------------------
# LaTeX


def latex_to_text(value: str, *, keep_math: bool = False) -> str:
    """LaTeX to Unicode text on one line (paragraphs kept apart by a blank line).

    BibTeX is not LaTeX: a bare % or & in a field is a character, not a
    comment or an alignment tab, so they are escaped before decoding (else
    pylatexenc would drop the rest of the line after "40% of").
    """
    if not value:
        return ""
    value = _URL_MACRO_RE.sub(lambda m: m.group(1).replace("%", r"\%"), value)
    value = _UNESCAPED_RE.sub(r"\\\1", value)
    converter = _MATH_VERBATIM if keep_math else _MATH_AS_TEXT
    try:
        text = converter.latex_to_text(value)
    except Exception:  # pylatexenc's parser on input it cannot read: keep the text
        text = value
    return unicodedata.normalize("NFC", text)


def _plain(value: str) -> str:
    """A field that is not prose (doi, url, eprint): braces and TeX escapes removed."""
    value = _URL_MACRO_RE.sub(r"\1", value)
    value = _TEX_ESCAPE_RE.sub(r"\1", value)
    return clean_text(value.replace("{", "").replace("}", ""))


# ---------------------------------------------------------------------------
# Names


@dataclass(frozen=True)
class _Authors:
    authors: tuple[AuthorRecord, ...]
    complete: bool
    notes: tuple[str, ...]


def bibtex_authors(value: str) -> _Authors:
    """The author field's people in order; "and others" (or a name that is
    not a readable name) makes the list incomplete, with a note saying why."""
    complete = True
    notes: list[str] = []
    authors: list[AuthorRecord] = []
    seen: set[str] = set()
    for position, raw in enumerate(_split_names(value), start=1):
        if raw.strip().casefold() in ("others", "{others}", "et al.", "et al"):
            complete = False
            continue
        name = _compose_name(raw)
        author = bibtex_author(name, position) if name else None
        if author is None:
            complete = False
            notes.append(f"author {clean_text(raw)!r} is not a readable name; not imported")
            continue
        if author.name.casefold() in seen:
            continue
        seen.add(author.name.casefold())
        authors.append(author)
    return _Authors(tuple(authors), complete and bool(authors), tuple(notes))


def _split_names(value: str) -> list[str]:
    """The names of an author field: split at " and " outside braces."""
    names, depth, start = [], 0, 0
    i = 0
    while i < len(value):
        char = value[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and char.isspace() and (separator := _AND_RE.match(value, i)):
            names.append(value[start:i])
            i = start = separator.end()
            continue
        i += 1
    names.append(value[start:])
    return [name for name in names if name.strip()]


def _compose_name(raw: str) -> str:
    """ "First von Last Jr" of one BibTeX name, LaTeX decoded; "" when it
    cannot be one (braces or backslashes left, no last name)."""
    try:
        parts = parse_single_name_into_parts(clean_text(raw), strict=False)
    except Exception:  # bibtexparser rejects some malformed names outright
        return ""
    words = [*parts.first, *parts.von, *parts.last, *parts.jr]
    if not parts.last:
        return ""
    name = clean_text(latex_to_text(" ".join(words)))
    if any(char in name for char in "{}\\$"):
        return ""
    return name


# ---------------------------------------------------------------------------
# Entries


def _entry_record(
    entry: bib.Entry, fields: dict[str, str], index: int, line: int, source_file: str
) -> EntryRecord:
    where = f"entry '{entry.key}'"
    title = clean_text(latex_to_text(fields.get("title", "")))
    if not title:
        raise ListingError(source_file, f"{where} has no title", line)
    if len(title) > MAX_TITLE_CHARS:
        raise ListingError(
            source_file,
            f"{where}: the title is {len(title)} characters long (at most {MAX_TITLE_CHARS})",
            line,
        )
    reasons = [fields["_note"]] if "_note" in fields else []
    abstract = _abstract(fields.get("abstract", ""))
    authors = bibtex_authors(fields.get("author", ""))
    reasons.extend(authors.notes)
    arxiv_id = _arxiv_id(fields)
    venue_text = _venue_text(entry.entry_type.casefold(), fields)
    year, published_on = _year_and_date(fields)
    doi = _doi(fields)
    if not abstract:
        reasons.append(REASON_NO_ABSTRACT)
    if year is None:
        reasons.append(REASON_NO_YEAR)
    author_count = len(authors.authors) if authors.complete else None
    citation = CitationRecord(
        text="",
        authors=authors.authors,
        authors_complete=authors.complete,
        author_count=author_count,
        title=title,
        venue_text=venue_text,
        year=year,
        arxiv_id=arxiv_id,
        doi=doi,
        pages=_plain(fields.get("pages", "")).replace("--", "\u2013"),
    )
    return EntryRecord(
        source_file=source_file,
        format=FORMAT,
        entry_index=index,
        line=line,
        title=title,
        abstract=abstract,
        venue_name=venue_name_from_bibliography(venue_text, arxiv_id),
        citation=citation,
        author_count=author_count,
        published_on=published_on,
        year=year,
        url=_url(fields),
        review_reasons=tuple(reasons),
    )


def _abstract(value: str) -> str:
    paragraphs = re.split(r"\n\s*\n|\\par\b", value)
    return clean_abstract(latex_to_text(p, keep_math=True) for p in paragraphs)


def _arxiv_id(fields: dict[str, str]) -> str:
    """The arXiv id wherever the export put it; "" when there is none."""
    prefix = _plain(fields.get("archiveprefix", "") or fields.get("eprinttype", ""))
    eprint = _plain(fields.get("eprint", ""))
    if eprint and (prefix.casefold() == "arxiv" or not prefix):
        found = identifiers.arxiv_id(eprint)
        if found:
            return found[0]
    for name in ("journal", "volume", "note", "howpublished", "url", "booktitle"):
        found = identifiers.arxiv_id_in_text(_plain(fields.get(name, "")))
        if found:
            return found
    return ""


def _doi(fields: dict[str, str]) -> str:
    """The publication's DOI. arXiv's own DOIs (DBLP gives them for CoRR
    papers) are left out: they say no more than the arXiv id, and a paper's
    DOI field is for the DOI of where it was published, which a later
    source may still fill."""
    found = identifiers.doi(_plain(fields.get("doi", "")))
    if not found or identifiers.parse_identifier(found).kind == "arxiv":
        return ""
    return found


def _venue_text(entry_type: str, fields: dict[str, str]) -> str:
    names = _VENUE_FIELDS
    if entry_type in ("techreport", "phdthesis", "mastersthesis", "thesis", "report"):
        names = (*_VENUE_FIELDS, *_FALLBACK_VENUE_FIELDS)
    for name in names:
        text = clean_text(latex_to_text(fields.get(name, "")))
        if text:
            return text
    return ""


def _year_and_date(fields: dict[str, str]) -> tuple[int | None, datetime.date | None]:
    """(year, published_on): published_on only from a full date (biblatex's
    date = {2023-05-14}); a month without a day is no date."""
    import datetime

    date_text = _plain(fields.get("date", ""))
    if match := _ISO_DATE_RE.match(date_text):
        try:
            published = datetime.date(*map(int, match.groups()))
        except ValueError:
            published = None
        if published:
            return published.year, published
    for name in ("year", "date"):
        if match := _YEAR_RE.search(_plain(fields.get(name, ""))):
            return int(match.group(1)), None
    return None, None


def _url(fields: dict[str, str]) -> str:
    url = _plain(fields.get("url", ""))
    if url.startswith(("https://", "http://")) and len(url) <= 500 and " " not in url:
        return url
    return ""
