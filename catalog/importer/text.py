"""Text-level helpers of the listing parsers: decoding bytes, cleaning fields,
and the title key used to spot duplicates.

Control-character rule (applies to every listing, whatever its format):

* a NUL byte anywhere means the file is binary, and it is rejected;
* so is a file in which more than 10% of the characters are other control
  characters (C0 except TAB/LF/CR, DEL, C1);
* below that, stray control characters are dropped: they carry no text and
  come from copy/paste accidents (form feeds, escape codes). TAB is kept by
  decoding and turned into a space when a field is cleaned.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable, Iterator

from catalog.importer.records import ListingError

# C0 controls except TAB and LF (CR is turned into LF before this runs), DEL,
# C1 controls, and stray BOMs (U+FEFF) left where files were concatenated.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
_BINARY_CONTROL_SHARE = 0.10
# The same characters as ASCII bytes, less CR (turned into LF first): in ASCII
# text, a control character is one of these. Each is looked for on its own:
# finding one byte is memchr, a few times faster per byte, 29 times over,
# than deleting them all with bytes.translate (a copy, a table lookup a byte).
_ASCII_CONTROLS = [bytes([b]) for b in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]
# Chunk size of the control test: bounds its temporary copies, and keeps the
# chunk in the CPU's cache for the 29 searches.
_CONTROL_SCAN_CHUNK = 1 << 18


# A paragraph whose last character is one of these ends a sentence; a
# paragraph ending otherwise and followed by one starting in lower case is a
# paragraph broken in two by the scraper (seed 001, "Solve Problems Recursively").
_SENTENCE_END = frozenset(".!?:;)]}\"'\u201d\u2019")

# normalise_title: apostrophes vanish ("don't" == "dont"); every other
# character that is not a letter or digit separates words.
_APOSTROPHES_RE = re.compile("['\u2018\u2019\u201b\u02bc\u00b4`]")
_NON_WORD_RE = re.compile(r"[\W_]+")


def is_blank(text: str) -> bool:
    """`not text.strip()` without copying the text (isspace stops at the
    first other character)."""
    return not text or text.isspace()


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf8_has_controls(data: bytes) -> bool:
    """Whether UTF-8 bytes encode a character _CONTROL_RE removes. C0 controls
    and DEL are single bytes in UTF-8, C1 controls are C2 80-9F and the BOM is
    EF BB BF; looking for those bytes is several times faster than running
    the regular expression over the decoded text."""
    if any(control in data for control in _ASCII_CONTROLS):
        return True
    if data.isascii():
        return False
    # A BOM or C1 control by its lead byte: finding one byte (memchr) is ten
    # times faster than finding the three of a BOM. EF leads only U+F000-FFFF
    # (rare but for fullwidth forms), C2 U+0080-00BF (no-break space, "·").
    if any(data[at + 1 : at + 3] == b"\xbb\xbf" for at in _offsets(data, b"\xef")):
        return True
    return any(b"\x80" <= data[at + 1 : at + 2] <= b"\x9f" for at in _offsets(data, b"\xc2"))


def _offsets(data: bytes, byte: bytes) -> Iterator[int]:
    """The offsets of one byte in data, in order."""
    at = data.find(byte)
    while at >= 0:
        yield at
        at = data.find(byte, at + 1)


def _has_controls(text: str | bytes) -> bool:
    """Whether the text (or its valid UTF-8 bytes) holds a character
    _CONTROL_RE removes (CR aside: newlines are normalised first). Chunked,
    so that the temporary copies stay small."""
    step = _CONTROL_SCAN_CHUNK
    for start in range(0, len(text), step):
        if isinstance(text, str):
            chunk = text[start : start + step].encode("utf-8", "surrogatepass")
        else:  # overlap: a character cut at the chunk's end is seen whole in the next one
            chunk = text[start : start + step + 2]
        if _utf8_has_controls(chunk):
            return True
    return False


def prepare_listing_text(text: str) -> str:
    """Newlines to LF, a leading BOM and stray control characters removed."""
    text = normalise_newlines(text)
    if not _has_controls(text):  # a fast test usually spares the regular expression
        return text
    if text.startswith("\ufeff"):
        text = text[1:]
    return _CONTROL_RE.sub("", text)


def _line_of_offset(data: bytes, offset: int) -> int:
    prefix = data[:offset]
    # Count CRLF, lone CR and LF alike as one line break.
    return prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1


def decode_listing(data: bytes, source_file: str) -> str:
    """The text of a listing file: UTF-8, BOM stripped, newlines as LF.

    Raises ListingError for an empty or whitespace-only file, binary data and
    invalid UTF-8 (naming the line of the first bad byte).
    """
    if not data:
        raise ListingError(source_file, "empty file")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    nul_at = data.find(b"\x00")
    if nul_at >= 0:
        raise ListingError(
            source_file, "binary data (NUL byte), not a text listing", _line_of_offset(data, nul_at)
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise ListingError(
            source_file,
            f"invalid UTF-8 (byte 0x{bad}); listings must be saved as UTF-8",
            _line_of_offset(data, exc.start),
        ) from None
    text = normalise_newlines(text)
    if not _has_controls(data):  # the common case: nothing to remove
        if is_blank(text):
            raise ListingError(source_file, "empty listing (only whitespace)")
        return text
    cleaned, removed = _CONTROL_RE.subn("", text)
    if removed and removed > _BINARY_CONTROL_SHARE * len(text):
        raise ListingError(
            source_file, f"binary data ({removed} control characters), not a text listing"
        )
    if is_blank(cleaned):
        raise ListingError(source_file, "empty listing (only whitespace)")
    return cleaned


def squash_whitespace(text: str) -> str:
    """Every whitespace run made one space, outer whitespace stripped.

    Whitespace is what str.split() splits on: it includes the no-break
    spaces (U+00A0, U+202F) scraped pages leave where they had "&nbsp;".
    (split/join is several times faster than a regular expression here.)
    """
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """One-line field text: control characters dropped, every whitespace run
    (tabs, newlines, no-break spaces) made a single space, outer whitespace
    stripped. Nothing else changes: LaTeX and quotes stay as written."""
    # Cheap C checks first. Printable text has no control character and no
    # whitespace but the plain space: most fields are already clean.
    if text.isprintable():
        if "  " not in text and not text.startswith(" ") and not text.endswith(" "):
            return text
    else:
        text = _CONTROL_RE.sub("", text)
    return squash_whitespace(text)


def clean_abstract(paragraphs: Iterable[str]) -> str:
    """An abstract from its paragraphs, one blank line between paragraphs.

    Each paragraph is cleaned with clean_text. A paragraph broken in two (the
    first part does not end a sentence, the second starts in lower case) is
    joined back with a space. A paragraph repeating an earlier one word for
    word is kept once: scraped pages sometimes render the abstract twice.
    """
    return join_paragraphs([clean_text(raw) for raw in paragraphs])


def join_paragraphs(paragraphs: list[str]) -> str:
    """clean_abstract() of paragraphs clean_text() already cleaned."""
    kept: list[str] = []
    for paragraph in paragraphs:
        if not paragraph:
            continue
        if kept and kept[-1][-1] not in _SENTENCE_END and paragraph[0].islower():
            kept[-1] = f"{kept[-1]} {paragraph}"
        else:
            kept.append(paragraph)
    seen: set[str] = set()
    unique: list[str] = []
    for paragraph in kept:
        if paragraph not in seen:
            seen.add(paragraph)
            unique.append(paragraph)
    return "\n\n".join(unique)


def normalise_title(title: str) -> str:
    """A key for spotting the same title written twice.

    Case-folded, accents dropped, quote/hyphen/dash variants unified (quotes
    and apostrophes vanish, hyphens and dashes separate words), any other
    punctuation dropped, whitespace collapsed. Words are not merged or split:
    "Fine Tuning" and "Finetuning" stay different keys.
    """
    if not title.isascii():
        decomposed = unicodedata.normalize("NFKD", title)
        title = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _APOSTROPHES_RE.sub("", title.casefold())
    return _NON_WORD_RE.sub(" ", folded).strip()
