"""Abstracts and titles as safe HTML: LaTeX as MathML, search words marked.

Every piece of listing text is escaped before any markup is added, and the
MathML that latex2mathml produces is re-built from an allowlist of MathML
elements and attributes (latex2mathml copies `\\text{…}` verbatim, so
`\\text{<img onerror=…>}` would otherwise reach the page). What cannot be
converted or parsed is shown escaped, as code.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.utils.safestring import SafeString
from latex2mathml.converter import convert as latex_to_mathml

from catalog.search import fold

MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"
MATHML_ELEMENTS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mstyle",
        "mover",
        "munder",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mpadded",
        "mphantom",
        "menclose",
        "mfenced",
        "merror",
        "semantics",
        "annotation",
    ]
)
MATHML_ATTRIBUTES = frozenset(
    [
        "display",
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "accent",
        "accentunder",
        "linethickness",
        "columnalign",
        "rowalign",
        "width",
        "height",
        "depth",
        "minsize",
        "maxsize",
        "movablelimits",
        "form",
        "symmetric",
        "largeop",
        "open",
        "close",
        "separators",
        "notation",
        "scriptlevel",
        "displaystyle",
        "columnspacing",
        "rowspacing",
        "columnlines",
        "rowlines",
        "frame",
        "framespacing",
        "equalrows",
        "equalcolumns",
        "align",
    ]
)
_BARE_AMPERSAND = re.compile(r"&(?!#x?[0-9a-fA-F]+;|[a-zA-Z]+;)")
# $…$ (not \$) or \( … \)
_MATH = re.compile(r"(?<!\\)\$(?P<dollar>[^$]+?)(?<!\\)\$|\\\((?P<paren>.+?)\\\)", re.S)
_STYLED = re.compile(r"\\(?P<cmd>textit|emph|textbf|texttt|textsc|textrm|text)\{(?P<body>[^{}]*)\}")
_ESCAPED_CHAR = re.compile(r"\\([%&_#$])")
_STYLE_TAGS = {"textit": "i", "emph": "em", "textbf": "b", "texttt": "code"}
SNIPPET_CHARS = 220


@dataclass(frozen=True)
class Piece:
    kind: str  # "text" or "math"
    value: str
    tag: str = ""  # for text: an HTML element to wrap it in, or ""


def has_markup(text: str) -> bool:
    """Whether `text` holds anything parse() treats specially: $, a
    backslash, `` or ''. Written out: a generator over them cost more than
    the four tests. A pair is looked for only where its character occurs:
    one character is found by memchr(), two by a slower search (1.5 µs an
    abstract each, where every test of one character took 0.05-0.2)."""
    return (
        "$" in text
        or "\\" in text
        or ("`" in text and "``" in text)
        or ("'" in text and "''" in text)
    )


def parse(text: str) -> list[Piece]:
    """Split listing text into plain text pieces and math pieces."""
    if text and not has_markup(text):
        # Most titles and abstracts: no math, no command, no TeX quotes or
        # escapes, so one piece as it is (what the loops below give for it).
        # Four substring tests, not a regular expression with alternatives,
        # which took ~50 µs an abstract: a millisecond of a list's 25 rows.
        return [Piece("text", text)]
    pieces: list[Piece] = []
    position = 0
    for match in _MATH.finditer(text or ""):
        pieces.extend(_text_pieces(text[position : match.start()]))
        pieces.append(Piece("math", match.group("dollar") or match.group("paren")))
        position = match.end()
    pieces.extend(_text_pieces((text or "")[position:]))
    return pieces


def _text_pieces(text: str) -> list[Piece]:
    pieces = []
    position = 0
    for match in _STYLED.finditer(text):
        if match.start() > position:
            pieces.append(Piece("text", _unescape(text[position : match.start()])))
        pieces.append(
            Piece("text", _unescape(match.group("body")), _STYLE_TAGS.get(match.group("cmd"), ""))
        )
        position = match.end()
    if position < len(text):
        pieces.append(Piece("text", _unescape(text[position:])))
    return pieces


def _unescape(text: str) -> str:
    # TeX quotes (``Hrrformer'') as typographic ones.
    text = text.replace("``", "\u201c").replace("''", "\u201d")
    return _ESCAPED_CHAR.sub(r"\1", text)


def math_html(latex: str) -> str:
    """MathML for `latex`, rebuilt from the allowlist; escaped code when that fails."""
    try:
        root = ET.fromstring(_BARE_AMPERSAND.sub("&amp;", latex_to_mathml(latex)))
    except Exception:
        return f'<code class="latex">{escape(latex)}</code>'
    return f'<span class="math">{_serialise(root)}</span>'


def _serialise(element) -> str:
    name = element.tag.removeprefix(MATHML_NS)
    text = escape(element.text or "", quote=False)
    children = "".join(_serialise(child) for child in element)
    tail = escape(element.tail or "", quote=False)
    if name not in MATHML_ELEMENTS:
        # Unknown element (e.g. smuggled through \text{}): keep its text only.
        return text + children + tail
    attributes = "".join(
        f' {key}="{escape(value, quote=True)}"'
        for key, value in sorted(element.attrib.items())
        if key in MATHML_ATTRIBUTES
    )
    if name == "math":
        attributes = ' xmlns="http://www.w3.org/1998/Math/MathML"' + attributes
    return f"<{name}{attributes}>{text}{children}</{name}>{tail}"


ELLIPSIS = "\u2026"


def highlight_text(text: str, words) -> str:
    """`text` escaped, with each occurrence of a folded search word in <mark>."""
    if not text:
        return ""
    if not words:
        return escape(text, quote=False)
    if text[0] == ELLIPSIS or text[-1] == ELLIPSIS:
        # A cut snippet: its ellipses (escaped as they are, folded to dots,
        # which no word holds) made ASCII text take the slow way of text
        # with accents (~5 µs a snippet).
        start = len(text) - len(text.lstrip(ELLIPSIS))
        end = max(start, len(text.rstrip(ELLIPSIS)))
        body = text[start:end]
        if body.isascii() and not any("." in word for word in words):
            return text[:start] + _highlighted(body, words) + text[end:]
    return _highlighted(text, words)


def _highlighted(text: str, words) -> str:
    # Without a match, the text is only escaped (no marked() call).
    folded, origin = _folded_with_origin(text)
    spans = []
    for word in words:
        if len(word) < 2:
            continue
        # Each occurrence, left to right, not overlapping (as re.finditer()
        # of the escaped word found them): str.find() needs no pattern built
        # per word and name (most of a search page's highlighting time, for
        # ~160 author names that mostly hold no search word at all).
        start = folded.find(word)
        while start >= 0:
            end = start + len(word)
            if origin is None:
                spans.append((start, end))
            else:
                spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(word, end)
    return marked(text, spans) if spans else escape(text, quote=False)


def marked(text: str, spans) -> str:
    """`text` escaped, with the (start, end) `spans` (overlapping or not, in
    any order) in <mark>."""
    if not spans:
        return escape(text, quote=False)
    spans = sorted(spans)
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out = []
    position = 0
    for start, end in merged:
        out.append(escape(text[position:start], quote=False))
        out.append(f"<mark>{escape(text[start:end], quote=False)}</mark>")
        position = end
    out.append(escape(text[position:], quote=False))
    return "".join(out)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One non-ASCII character folded (itself when it folds to nothing):
    kept, since names repeat the same few accented letters."""
    return fold(char) or char


class _Origin:
    """For each folded character, the index of the character it comes from,
    by segment: a run of ASCII maps one to one from where it starts, a
    folded non-ASCII character (one or more) maps to that character."""

    __slots__ = ("folded_starts", "runs", "starts")

    def __init__(self, folded_starts: list[int], starts: list[int], runs: list[bool]):
        self.folded_starts, self.starts, self.runs = folded_starts, starts, runs

    def __getitem__(self, index: int) -> int:
        segment = bisect_right(self.folded_starts, index) - 1
        start = self.starts[segment]
        return start + index - self.folded_starts[segment] if self.runs[segment] else start


def _folded_with_origin(text: str) -> tuple[str, _Origin | None]:
    """`text` folded, and for each folded character the index of the
    character it comes from (None: the same index, as in ASCII text, whose
    folding is lowercasing). Other characters are folded one by one, so
    that a match maps back to the original characters ("laurencon" marks
    "Laurençon"); runs of ASCII between them are lowercased whole (a fold()
    call per character was most of a search page's highlighting time), and
    mapped by segment, not by a list of every index (a snippet's one
    ellipsis made that list: 30 -> 9 µs a snippet)."""
    if text.isascii():
        return text.lower(), None
    parts: list[str] = []
    folded_starts: list[int] = []
    starts: list[int] = []
    runs: list[bool] = []
    position = length = 0
    for match in _NON_ASCII.finditer(text):
        start = match.start()
        if start > position:
            parts.append(text[position:start].lower())
            folded_starts.append(length)
            starts.append(position)
            runs.append(True)
            length += start - position
        folded_char = _fold_char(match.group())
        parts.append(folded_char)
        folded_starts.append(length)
        starts.append(start)
        runs.append(False)
        length += len(folded_char)
        position = match.end()
    if position < len(text):
        parts.append(text[position:].lower())
        folded_starts.append(length)
        starts.append(position)
        runs.append(True)
    return "".join(parts), _Origin(folded_starts, starts, runs)


def render_pieces(pieces, words=()) -> SafeString:
    out = []
    for piece in pieces:
        if piece.kind == "math":
            out.append(math_html(piece.value))
        else:
            html = highlight_text(piece.value, words)
            out.append(f"<{piece.tag}>{html}</{piece.tag}>" if piece.tag else html)
    # Safe: every text piece went through escape(), math through the allowlist.
    # (SafeString(): mark_safe() of a str, without its lazy-string wrapper.)
    return SafeString("".join(out))


def render_rich_text(text: str, words=()) -> SafeString:
    """Listing text (a title or an abstract) as safe HTML."""
    if text and not has_markup(text):
        # Most titles: one text piece (what render_pieces() writes for it).
        return SafeString(highlight_text(text, words))
    return render_pieces(parse(text), words)


def render_snippet(text: str, words=(), limit: int = SNIPPET_CHARS) -> SafeString:
    """About `limit` characters of `text`, around the first search match when there is one."""
    if text and not has_markup(text):
        # Most abstracts: one text piece, cut as a string (the pieces below
        # cost a third of a snippet's time).
        return SafeString(highlight_text(_plain_snippet(text, words, limit), words))
    return _pieces_snippet(parse(text), words, limit)


def _pieces_snippet(pieces: list[Piece], words, limit: int) -> SafeString:
    """render_snippet() of the text that parsed into `pieces`."""
    plain = "".join(p.value if p.kind == "text" else f"${p.value}$" for p in pieces)
    if len(plain) <= limit:
        return render_pieces(pieces, words)
    start = _snippet_start(plain, words, limit)
    end = start + limit
    kept: list[Piece] = []
    offset = 0
    for piece in pieces:
        length = len(piece.value) if piece.kind == "text" else len(piece.value) + 2
        piece_start, piece_end = offset, offset + length
        offset = piece_end
        if piece_end <= start or piece_start >= end:
            continue
        if piece.kind == "math":
            kept.append(piece)
            continue
        value = piece.value[max(0, start - piece_start) : end - piece_start]
        kept.append(Piece("text", value, piece.tag))
    if start > 0 and kept and kept[0].kind == "text":
        kept[0] = Piece("text", ELLIPSIS + kept[0].value.lstrip(), kept[0].tag)
    elif start > 0:
        kept.insert(0, Piece("text", ELLIPSIS))
    if offset > end:
        last = kept[-1] if kept else None
        if last is not None and last.kind == "text":
            kept[-1] = Piece("text", _cut_at_word(last.value), last.tag)
        else:
            kept.append(Piece("text", ELLIPSIS))
    return render_pieces(kept, words)


def _snippet_start(plain: str, words, limit: int) -> int:
    """Where a snippet of `plain` starts: a word or so before the first
    search match when that is past the middle of the first `limit`
    characters, else at the start."""
    # Folding a whole abstract costs more than the rest of the snippet: only
    # when there are words to look for.
    folded = fold(plain) if words else ""
    hits = [hit for hit in (folded.find(w) for w in words if len(w) >= 2) if hit >= 0]
    if hits and min(hits) > limit // 2:
        return plain.rfind(" ", 0, min(hits) - limit // 4) + 1
    return 0


def _plain_snippet(text: str, words, limit: int) -> str:
    """render_snippet()'s cut of text without markup (one text piece)."""
    if len(text) <= limit:
        return text
    start = _snippet_start(text, words, limit)
    end = start + limit
    snippet = text[start:end]
    if start > 0:
        snippet = ELLIPSIS + snippet.lstrip()
    return _cut_at_word(snippet) if len(text) > end else snippet


def _cut_at_word(text: str) -> str:
    """The end of a cut snippet: its last (partial) word and trailing
    punctuation left out, an ellipsis instead."""
    cut = text.rsplit(" ", 1)[0] if " " in text else text
    return cut.rstrip(" ,.;:") + ELLIPSIS


def plain_text(text: str) -> str:
    """Listing text without LaTeX markup, for <title> and meta tags."""
    out = []
    for piece in parse(text):
        out.append(piece.value if piece.kind == "text" else piece.value.replace("\\", ""))
    return unicodedata.normalize("NFC", "".join(out))
