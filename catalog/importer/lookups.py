"""Papers by identifier: arXiv ids from arXiv's API, DOIs from the DOI resolver.

The answers become the same records the listing parsers produce (one
EntryRecord per identifier, its CitationRecord carrying authors, identifiers
and venue text), so they go through the same merge and write path.

* arXiv: GET ARXIV_API_URL?id_list=ID[,ID...] answers an Atom feed. Ids go in
  batches, one request at a time and at least ARXIV_REQUEST_INTERVAL apart,
  as arXiv asks.
* DOIs: GET DOI_RESOLVER_URL + DOI with Accept: application/vnd.citationstyles.csl+json.
  The resolver redirects to Crossref or DataCite, which both answer CSL-JSON.

Every identifier that cannot be looked up (not an identifier, unknown, a
404, a timeout, an answer that is not what was asked for) becomes a
ListingError naming it, in ParsedListing.skipped: the caller decides whether
that stops the import. The converters from feed and CSL-JSON to records are
pure functions; only Lookups talks to the network.
"""

from __future__ import annotations

import datetime
import html
import json
import re
import urllib.parse
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.importer import identifiers
from catalog.importer.bibtex import latex_to_text
from catalog.importer.fetch import FetchError, HttpClient, Response, user_agent
from catalog.importer.identifiers import Identifier, IdentifierError
from catalog.importer.names import bibtex_author
from catalog.importer.records import (
    AuthorRecord,
    CitationRecord,
    EntryRecord,
    ListingError,
    ParsedListing,
)
from catalog.importer.text import clean_abstract, clean_text
from catalog.importer.venues import venue_name_from_bibliography

FORMAT = "lookup"
SOURCE_NAME = "identifiers"
CSL_JSON = "application/vnd.citationstyles.csl+json"
ATOM = "application/atom+xml"
# Ids per arXiv request: arXiv serves up to 2,000 results a page; small
# batches keep a failed request from failing many ids at once.
ARXIV_BATCH = 50

_ATOM_NS = "{http://www.w3.org/2005/Atom}"
_ARXIV_NS = "{http://arxiv.org/schemas/atom}"
_TAG_RE = re.compile(r"<[^>]+>")
_JATS_TITLE_RE = re.compile(r"<jats:title>.*?</jats:title>", re.DOTALL)
_PARAGRAPH_END_RE = re.compile(r"</(?:jats:)?p>", re.IGNORECASE)


@dataclass(frozen=True)
class LookupSettings:
    arxiv_api_url: str
    doi_resolver_url: str
    contact_email: str = ""
    arxiv_interval: float = 3.0
    timeout: float = 20.0
    retries: int = 3


class Lookups:
    """Looks identifiers up, one request at a time."""

    def __init__(self, settings: LookupSettings, *, client: HttpClient | None = None):
        self.settings = settings
        self.client = client or HttpClient(
            user_agent=user_agent(settings.contact_email),
            timeout=settings.timeout,
            retries=settings.retries,
            min_interval=settings.arxiv_interval,
        )

    def look_up(self, written: Iterable[str]) -> ParsedListing:
        """One entry per distinct paper the identifiers name, in the order
        given; every identifier that failed, with why, in skipped."""
        skipped: list[ListingError] = []
        wanted: list[Identifier] = []
        seen: set[str] = set()
        for text in written:
            try:
                identifier = identifiers.parse_identifier(text)
            except IdentifierError as error:
                skipped.append(ListingError(text.strip() or repr(text), str(error)))
                continue
            key = identifier.label.casefold()
            if key not in seen:
                seen.add(key)
                wanted.append(identifier)
        found: dict[str, EntryRecord] = {}
        arxiv = [i for i in wanted if i.kind == "arxiv"]
        for start in range(0, len(arxiv), ARXIV_BATCH):
            batch = arxiv[start : start + ARXIV_BATCH]
            records, errors = self._arxiv_batch(batch)
            found.update(records)
            skipped.extend(errors)
        for identifier in (i for i in wanted if i.kind == "doi"):
            try:
                found[identifier.label] = self._doi(identifier)
            except ListingError as error:
                skipped.append(error)
        entries = [found[i.label] for i in wanted if i.label in found]
        return ParsedListing(SOURCE_NAME, FORMAT, entries, skipped=skipped)

    def _arxiv_batch(self, batch: list[Identifier]):
        ids = [f"{i.value}v{i.version}" if i.version else i.value for i in batch]
        query = urllib.parse.urlencode({"id_list": ",".join(ids), "max_results": len(ids)})
        url = f"{self.settings.arxiv_api_url}?{query}"
        try:
            response = self.client.get(url, accept=ATOM)
            feed = parse_arxiv_feed(response)
        except (FetchError, MalformedResponse) as error:
            return {}, [ListingError(i.label, f"arXiv: {error}") for i in batch]
        records, errors = {}, []
        for identifier in batch:
            item = feed.get(identifier.value)
            if isinstance(item, EntryRecord):
                records[identifier.label] = item
            else:
                errors.append(ListingError(identifier.label, item or "not found on arXiv"))
        return records, errors

    def _doi(self, identifier: Identifier) -> EntryRecord:
        url = self.settings.doi_resolver_url + urllib.parse.quote(identifier.value, safe="/:;()")
        try:
            response = self.client.get(url, accept=CSL_JSON)
            return csl_record(response, identifier)
        except FetchError as error:
            message = "DOI not found" if error.status == 404 else str(error)
            raise ListingError(identifier.label, message) from None
        except MalformedResponse as error:
            raise ListingError(identifier.label, str(error)) from None


class MalformedResponse(ValueError):
    """An answer that is not the format asked for (an HTML error page, broken JSON)."""


def _refuse_html(response: Response, expected: str) -> None:
    head = response.body[:512].lstrip().lower()
    if response.content_type == "text/html" or head.startswith((b"<!doctype html", b"<html")):
        raise MalformedResponse(
            f"the server answered with an HTML page instead of {expected} (from {response.url})"
        )


# ---------------------------------------------------------------------------
# arXiv


def parse_arxiv_feed(response: Response) -> dict[str, EntryRecord | str]:
    """{arXiv id without version: its record, or the error arXiv gave for it}."""
    _refuse_html(response, "an arXiv Atom feed")
    try:
        # ElementTree resolves no external entities, and the expat it ships
        # with refuses entity-expansion bombs.
        root = ElementTree.fromstring(response.body)
    except ElementTree.ParseError as error:
        raise MalformedResponse(f"the answer is not well-formed XML ({error})") from None
    if root.tag != f"{_ATOM_NS}feed":
        raise MalformedResponse(f"the answer is XML but not an Atom feed ({root.tag})")
    results: dict[str, EntryRecord | str] = {}
    for node in root.iter(f"{_ATOM_NS}entry"):
        entry_id = _text(node, "id")
        if "/api/errors" in entry_id:
            # arXiv's own error entries: "incorrect id format for 1234.5678".
            summary = _text(node, "summary")
            bad = summary.rsplit(" ", 1)[-1] if summary else ""
            parsed = identifiers.arxiv_id(bad)
            results[parsed[0] if parsed else bad] = f"arXiv: {summary or 'error'}"
            continue
        parsed = identifiers.arxiv_id(entry_id)
        if parsed is None or not _text(node, "title"):
            continue  # arXiv's empty entry for an id it does not know
        results[parsed[0]] = arxiv_record(node, parsed[0])
    return results


def _text(node, name: str, namespace: str = _ATOM_NS) -> str:
    child = node.find(f"{namespace}{name}")
    return clean_text(child.text or "") if child is not None else ""


def arxiv_record(node, arxiv_id: str) -> EntryRecord:
    """One Atom entry of arXiv's API as a listing entry."""
    title = clean_text(latex_to_text(_text(node, "title")))
    # arXiv abstracts are written in TeX: \textit{}, \url{} and accents become
    # text, math stays as written (the paper page renders it).
    abstract = clean_text(latex_to_text(_text(node, "summary"), keep_math=True))
    authors = []
    for place, author in enumerate(node.findall(f"{_ATOM_NS}author"), start=1):
        record = _author(_text(author, "name"), place)
        if record is not None:
            authors.append(record)
    names = node.findall(f"{_ATOM_NS}author")
    published = _iso_date(_text(node, "published"))
    journal_ref = _text(node, "journal_ref", _ARXIV_NS)
    publisher_doi = identifiers.doi(_text(node, "doi", _ARXIV_NS)) or ""
    complete = len(authors) == len(names) and bool(authors)
    citation = CitationRecord(
        text="",
        authors=tuple(authors),
        authors_complete=complete,
        author_count=len(authors) if complete else None,
        title=title,
        venue_text=journal_ref,
        year=published.year if published else None,
        arxiv_id=arxiv_id,
        doi=publisher_doi,
    )
    return EntryRecord(
        source_file=f"arXiv:{arxiv_id}",
        format=FORMAT,
        entry_index=1,
        # One record per identifier: its source is the identifier, entry 1, line 1.
        line=1,
        title=title,
        abstract=abstract,
        venue_name=venue_name_from_bibliography(journal_ref) or "arXiv",
        citation=citation,
        author_count=citation.author_count,
        published_on=published,
        year=citation.year,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        review_reasons=() if abstract else ("no abstract in listing",),
    )


def _author(name: str, position: int) -> AuthorRecord | None:
    if "\\" in name or "{" in name:
        name = clean_text(latex_to_text(name))
    if not name or set(name) & set("{}\\$"):
        return None
    return bibtex_author(name, position)


def _iso_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# CSL-JSON (Crossref, DataCite)


def csl_record(response: Response, identifier: Identifier) -> EntryRecord:
    """A CSL-JSON answer as a listing entry."""
    _refuse_html(response, "CSL-JSON")
    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedResponse(f"the answer is not JSON ({error})") from None
    if not isinstance(data, dict) or not _csl_text(data.get("title")):
        raise MalformedResponse("the answer is JSON but not a CSL-JSON record with a title")
    title = clean_text(latex_to_text(_markup_to_text(_csl_text(data.get("title")))))
    authors, complete = _csl_authors(data.get("author"))
    year, published = _csl_date(data)
    venue_text = clean_text(
        _csl_text(data.get("container-title"))
        or _csl_text(data.get("event-title"))
        or _csl_event(data.get("event"))
    )
    if not venue_text and data.get("type") in ("posted-content", "article", "report"):
        venue_text = clean_text(
            _csl_text(data.get("institution")) or _csl_text(data.get("publisher"))
        )
    doi = identifiers.doi(_csl_text(data.get("DOI"))) or identifier.value
    arxiv_id = identifiers.arxiv_id_in_text(_csl_text(data.get("URL")))
    abstract = _csl_abstract(_csl_text(data.get("abstract")))
    citation = CitationRecord(
        text="",
        authors=authors,
        authors_complete=complete,
        author_count=len(authors) if complete else None,
        title=title,
        venue_text=venue_text,
        year=year,
        arxiv_id=arxiv_id,
        doi=doi,
        pages=clean_text(_csl_text(data.get("page"))).replace("-", "\u2013"),
    )
    url = _csl_text(data.get("URL"))
    return EntryRecord(
        source_file=identifier.label,
        format=FORMAT,
        entry_index=1,
        line=1,
        title=title,
        abstract=abstract,
        venue_name=venue_name_from_bibliography(venue_text, arxiv_id),
        citation=citation,
        author_count=citation.author_count,
        published_on=published,
        year=year,
        url=url if url.startswith(("https://", "http://")) and len(url) <= 500 else "",
        review_reasons=() if abstract else ("no abstract in listing",),
    )


def _csl_text(value) -> str:
    """CSL strings come as strings, or (Crossref) as lists of strings or of
    {"name": ...} objects (institution)."""
    if isinstance(value, list):
        value = next((_csl_text(v) for v in value if _csl_text(v).strip()), "")
    if isinstance(value, dict):
        value = value.get("name", "")
    return value if isinstance(value, str) else ""


def _csl_event(value) -> str:
    return _csl_text(value.get("name")) if isinstance(value, dict) else _csl_text(value)


def _markup_to_text(value: str) -> str:
    """Crossref titles carry HTML/MathML tags (<i>, <sub>) and entities."""
    return html.unescape(_TAG_RE.sub("", value)) if "<" in value or "&" in value else value


def _csl_authors(people) -> tuple[tuple[AuthorRecord, ...], bool]:
    if not isinstance(people, list) or not people:
        return (), False
    authors: list[AuthorRecord] = []
    for position, person in enumerate(people, start=1):
        if not isinstance(person, dict):
            continue
        if person.get("literal"):
            name = _csl_text(person.get("literal"))
        else:
            parts = ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")
            name = " ".join(_csl_text(person.get(part)) for part in parts)
        record = _author(clean_text(name), position)
        if record is not None:
            authors.append(record)
    return tuple(authors), len(authors) == len(people)


def _csl_date(data: dict) -> tuple[int | None, datetime.date | None]:
    for name in ("issued", "published-print", "published-online", "created"):
        parts = (
            (data.get(name) or {}).get("date-parts") if isinstance(data.get(name), dict) else None
        )
        if not parts or not isinstance(parts[0], list) or not parts[0]:
            continue
        values = parts[0]
        try:
            year = int(values[0])
        except (TypeError, ValueError):
            continue
        published = None
        if len(values) >= 3:
            try:
                published = datetime.date(year, int(values[1]), int(values[2]))
            except (TypeError, ValueError):
                published = None
        return year, published
    return None, None


def _csl_abstract(value: str) -> str:
    """A JATS abstract ("<jats:title>Abstract</jats:title><jats:p>...</jats:p>")
    as paragraphs of text; math in TeX stays as written."""
    if not value:
        return ""
    value = _JATS_TITLE_RE.sub("", value)
    paragraphs = _PARAGRAPH_END_RE.split(value)
    return clean_abstract(html.unescape(_TAG_RE.sub(" ", p)) for p in paragraphs)
