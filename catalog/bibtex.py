"""A BibTeX entry for one paper.

Self-contained on purpose: the exports module (a later issue) will replace
it. Reads the prefetched authorships, awards and venue; no queries of its own.
"""

from __future__ import annotations

import re

from catalog.search import fold

# Characters with a meaning in (La)TeX, escaped so the entry compiles as written.
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "$": r"\$",
}
_SMALL_WORDS = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "from", "by"}
_MATH = re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$")


def escape_value(text: str) -> str:
    """Escape TeX specials, but keep $…$ math as written (it is already LaTeX)."""
    out = []
    position = 0
    for match in _MATH.finditer(text):
        out.append(_escape_plain(text[position : match.start()]))
        math = match.group(0)
        balanced = math.count("{") == math.count("}") and "\\}" not in math
        out.append(math if balanced else _escape_plain(math))
        position = match.end()
    out.append(_escape_plain(text[position:]))
    return " ".join("".join(out).split())


def _escape_plain(text: str) -> str:
    return "".join(_SPECIAL.get(ch, ch) for ch in text if ch != "\x00")


def citation_key(paper) -> str:
    placed = [row for row in paper.authorships.all() if row.position is not None]
    first = placed[0].person.name if placed else ""
    surname = fold(first.split()[-1]) if first.split() else "anon"
    # The first word of the title that is not a small word, as Google Scholar does.
    words = [re.sub(r"[^a-z0-9]", "", word) for word in fold(paper.title).split()]
    word = next((w for w in words if re.search("[a-z]", w) and w not in _SMALL_WORDS), "")
    key = f"{surname}{paper.year or ''}{word}"
    return re.sub(r"[^a-z0-9]", "", key) or f"paper{paper.pk}"


def entry_type(paper) -> str:
    kind = paper.venue.kind if paper.venue else ""
    if kind == "journal":
        return "article"
    if kind in ("conference", "workshop"):
        return "inproceedings"
    return "misc"


def paper_bibtex(paper) -> str:
    """The paper as one BibTeX entry."""
    authors = [
        escape_value(row.person.name) for row in paper.authorships.all() if row.position is not None
    ]
    if authors and (not paper.authors_complete or paper.unplaced_authorships()):
        authors.append("others")  # BibTeX's own spelling of "et al."
    kind = entry_type(paper)
    fields: list[tuple[str, str]] = [("title", "{" + escape_value(paper.title) + "}")]
    if authors:
        fields.append(("author", " and ".join(authors)))
    if paper.venue:
        venue = escape_value(paper.venue_detail or paper.venue.full_name or paper.venue.name)
        field = {"article": "journal", "inproceedings": "booktitle"}.get(kind, "howpublished")
        fields.append((field, venue))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.arxiv_id:
        fields += [
            ("eprint", escape_value(paper.arxiv_id)),
            ("archiveprefix", "arXiv"),
        ]
    if paper.doi:
        fields.append(("doi", escape_value(paper.doi)))
    if paper.url:
        fields.append(("url", paper.url.replace("}", "%7D").replace("{", "%7B")))
    elif paper.arxiv_id:
        fields.append(("url", f"https://arxiv.org/abs/{paper.arxiv_id}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{citation_key(paper)},\n{body}\n}}\n"
