"""Plain records the parsers return: what every source of papers produces.

Parsing is pure: these records carry what a listing says, cleaned but not
rewritten, and know nothing of the database. The import service
(catalog.importer.service.import_listings) turns them into rows.

The contract for a new source (a file format, or lookups by identifier):
- produce one ParsedListing per input, its `format` the source's name (a
  file format: its key in catalog.importer.parsing.PARSERS, which is also
  what PaperSource.format records), `source_file` a name that stays the same
  for the same input (re-imports are matched by it and `entry_index`);
- one EntryRecord per paper as that input shows it, numbered 1, 2, ... in
  input order (`entry_index`), with the line it starts on; leave a field at
  its empty default when the source does not say (an empty value never
  overwrites a known one);
- authors go in `citation.authors` (CitationRecord), in order, with
  `authors_complete` False when the source truncated the list;
- doubts go in `review_reasons`, short and readable: staff see them;
- an input that cannot be parsed raises ListingError (file and line); with
  skip_bad, its bad entries go to ParsedListing.skipped instead.
A file format then needs only a ListingParser entry in PARSERS: merging,
matching, planning and writing are the same for every source.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field


def frozen_record(cls: type) -> type:
    """@dataclass(frozen=True) whose __init__ stores the fields straight into
    the instance's __dict__.

    A frozen dataclass's own __init__ sets each field through a call of
    object.__setattr__, which costs more than the rest of building a parsed
    entry's records (an EntryRecord: 15 calls); a store into the dict is a
    fraction of that. Same signature, defaults, fields, equality, hash and
    frozenness. Plain fields only: no default_factory, InitVar or
    __post_init__.
    """
    cls = dataclass(frozen=True)(cls)
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or any(
        f.default_factory is not dataclasses.MISSING or not f.init for f in fields
    ):
        raise TypeError(f"{cls.__name__}: frozen_record takes plain fields only")
    namespace: dict = {"__name__": cls.__module__}
    params = []
    for f in fields:
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    # Item by item: dict.update() would give each instance a dict of its own
    # keys instead of the class's shared ones (~300 bytes more a record).
    body = "".join(f"    fields[{f.name!r}] = {f.name}\n" for f in fields)
    source = f"def __init__(self, {', '.join(params)}):\n    fields = self.__dict__\n{body}"
    exec(source, namespace)  # as dataclasses builds its own __init__
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    return cls


@frozen_record
class AuthorRecord:
    """One author as the listing names them."""

    # Full name as written, turned round when the listing inverted it
    # ("Srivastava, Aarohi" -> "Aarohi Srivastava"). A surname-only mention
    # ("Biderman", "Le Scao") keeps just the surname.
    name: str
    # 1-based place in the author list; None when the listing names the
    # author without a place, as in "(incl. Tow, Biderman)".
    position: int | None
    equal_contribution: bool = False
    surname_only: bool = False


@frozen_record
class CitationRecord:
    """What a blog entry's citation paragraph says."""

    text: str
    authors: tuple[AuthorRecord, ...] = ()
    # False when the list was truncated: "et al.", "and 37 others", "(incl. …)".
    authors_complete: bool = True
    # Declared total when the citation gives one ("and 37 others" after 4
    # names -> 41); None otherwise.
    author_count: int | None = None
    title: str = ""
    # The venue text of the citation, e.g. "Thirty-sixth Conference on Neural
    # Information Processing Systems Datasets and Benchmarks Track".
    venue_text: str = ""
    year: int | None = None
    arxiv_id: str = ""
    # DOI or another identifier (e.g. "bioRxiv 2022.11.20.517210").
    doi: str = ""
    # Trailing distinctions: "Outstanding Paper Award", "Oral Presentation",
    # "Spotlight Paper".
    awards: tuple[str, ...] = ()
    # Volume/pages and other bibliographic detail, as written ("152, A178").
    pages: str = ""


@frozen_record
class EntryRecord:
    """One entry of a listing: one paper as that listing shows it."""

    source_file: str  # the listing's file name, e.g. "000_8029fc20b0d1bbc7.txt"
    format: str  # the source format's name, as in ParsedListing.format
    entry_index: int  # 1-based position of the entry in its listing
    line: int  # 1-based line where the entry starts
    title: str = ""  # "" when the listing has none (abstracts format)
    abstract: str = ""
    # Blog header category, as written ("EMNLP (Findings)", "bioXriv"); "" if none.
    venue_name: str = ""
    poster: str = ""  # blog poster: not an author
    citation: CitationRecord | None = None
    # Daily format: the declared author count ("5 authors"); blog: from citation.
    author_count: int | None = None
    published_on: datetime.date | None = None
    year: int | None = None
    upvotes: int | None = None
    # The paper's own page, when the source gives one (BibTeX url, arXiv abs page).
    url: str = ""
    # Doubts the parser found, each a short human-readable reason.
    review_reasons: tuple[str, ...] = ()

    @property
    def authors(self) -> tuple[AuthorRecord, ...]:
        return self.citation.authors if self.citation else ()

    @property
    def authors_complete(self) -> bool:
        # Without a citation the listing gives no names at all; the service
        # treats "no names" as "unknown", not as "complete and empty".
        return self.citation.authors_complete if self.citation else False


@dataclass
class ParsedListing:
    source_file: str
    format: str
    entries: list[EntryRecord] = field(default_factory=list)
    # Daily format: the year used for year-less dates, and how it was found
    # ("--listing-year", "inferred from entries ...").
    listing_year: int | None = None
    listing_year_reason: str = ""
    # With skip_bad: entries that could not be parsed, as ListingError objects.
    skipped: list[ListingError] = field(default_factory=list)


class ListingError(ValueError):
    """A listing (or one entry of it) cannot be parsed.

    Always names the file and, where known, the line, so the message alone
    tells staff where to look.
    """

    def __init__(self, source_file: str, message: str, line: int | None = None):
        self.source_file = source_file
        self.line = line
        self.reason = message
        where = f"{source_file}, line {line}" if line else source_file
        super().__init__(f"{where}: {message}")
