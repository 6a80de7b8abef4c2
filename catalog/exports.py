"""Citation exports: BibTeX, RIS and CSL-JSON for one paper or many.

Every function reads a paper's venue and its prefetched authorships (see
PaperQuerySet.for_export()) and makes no queries of its own, so exporting the
whole catalog costs the same few queries as exporting one paper.

Each paper carries its stored citation key (Paper.citation_key; see
catalog/citekeys.py), given when the paper was written. Exporting never
writes: a paper that somehow has none yet is exported under the key it
would get (BibTeX) or its slug (CSL-JSON).

Author lists: authors with a known place, in order. A list the listing cut
short ("et al.", "(incl. Tow, Biderman)") ends in BibTeX's `and others`;
RIS and CSL-JSON have no such word and carry a note instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from catalog.citekeys import split_name

# -- shared ---------------------------------------------------------------

KIND_CONFERENCE = ("conference", "workshop")
KIND_JOURNAL = ("journal",)
TRUNCATION_NOTE = "The author list is incomplete."
ARXIV_ABS = "https://arxiv.org/abs/"
DOI_URL = "https://doi.org/"


def venue_kind(paper) -> str:
    return paper.venue.kind if paper.venue else ""


def _type_by_kind(kind: str, *, journal: str, conference: str) -> str:
    """Each format's own name for a journal article or a conference paper, or ""
    for any other venue kind (each format has its own fallbacks for those)."""
    if kind in KIND_JOURNAL:
        return journal
    if kind in KIND_CONFERENCE:
        return conference
    return ""


def venue_title(paper) -> str:
    """The venue as a citation names it: the listing's fuller text, else the venue's names."""
    if paper.venue_detail:
        return paper.venue_detail
    if paper.venue:
        return paper.venue.full_name or paper.venue.name
    return ""


def is_arxiv(paper) -> bool:
    return bool(paper.arxiv_id)


def author_names(paper) -> list[str]:
    return [row.person.name for row in paper.placed_authorships()]


def external_url(paper) -> str:
    """Where the paper itself is: its own link, else its arXiv page."""
    if paper.url:
        return paper.url
    if paper.arxiv_id:
        return ARXIV_ABS + paper.arxiv_id
    return ""


def one_line(text: str) -> str:
    return " ".join(text.split())


# -- BibTeX ---------------------------------------------------------------

# Characters with a meaning in (La)TeX. Braces are handled apart (see
# _escape_plain): BibTeX counts `\{` as a brace, so only a balanced pair may be
# written that way.
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "$": r"\$",
}
_MATH = re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$")
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


_BRACES = re.compile(r"[{}]")


def _balanced(text: str) -> bool:
    depth = 0
    # Only the braces matter: visiting them alone keeps long abstracts cheap.
    for match in _BRACES.finditer(text):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


# One str.translate table per brace spelling (a NUL is dropped): C speed over
# whole abstracts, where a per-character loop was most of an export's time.
_ESCAPE_BALANCED = str.maketrans({**_SPECIAL, "{": r"\{", "}": r"\}", "\x00": None})
_ESCAPE_UNBALANCED = str.maketrans(
    {**_SPECIAL, "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "\x00": None}
)


def _escape_plain(text: str) -> str:
    return text.translate(_ESCAPE_BALANCED if _balanced(text) else _ESCAPE_UNBALANCED)


def _math_is_safe(math: str) -> bool:
    # Kept as written only if it cannot unbalance the entry (BibTeX counts
    # escaped braces too) or look like the start of a block to a parser.
    return _balanced(math) and "@" not in math


def escape_value(text: str) -> str:
    """Text as a BibTeX field value: TeX specials escaped, $…$ math kept as written
    (it is LaTeX already), whitespace collapsed."""
    out = []
    position = 0
    for match in _MATH.finditer(text):
        out.append(_escape_plain(text[position : match.start()]))
        math = match.group(0)
        out.append(math if _math_is_safe(math) else _escape_plain(math))
        position = match.end()
    out.append(_escape_plain(text[position:]))
    return one_line("".join(out))


def _verbatim(text: str) -> str:
    """An identifier or URL: nothing to escape but what could break the entry."""
    return "".join(
        {"{": "%7B", "}": "%7D", "\\": "%5C"}.get(ch, ch) for ch in one_line(text) if ch != "\x00"
    )


def bibtex_name(name: str) -> str:
    """ "Family, Given": the one form BibTeX never misreads ("Teven Le Scao" would
    otherwise lose "Le" to the given names)."""
    family, given = split_name(name)
    parts = [escape_value(part) for part in (family, given) if part]
    # A comma or the word "and" inside a part would split the name or the list;
    # a surname alone ("Van der Sluijs") would lose its first word to the
    # given names. Braces keep each whole.
    return ", ".join(
        f"{{{part}}}"
        if "," in part or re.search(r"\band\b", part, re.I) or (not given and " " in part)
        else part
        for part in parts
    )


def bibtex_entry_type(paper) -> str:
    return _type_by_kind(venue_kind(paper), journal="article", conference="inproceedings") or "misc"


def bibtex_fields(paper) -> list[tuple[str, str]]:
    """(name, value) pairs, values ready to sit between braces (or a bare month macro)."""
    kind = bibtex_entry_type(paper)
    fields: list[tuple[str, str]] = []
    authors = [bibtex_name(name) for name in author_names(paper)]
    if authors and paper.author_list_truncated:
        authors.append("others")  # BibTeX's own spelling of "et al."
    if authors:
        fields.append(("author", " and ".join(authors)))
    # Double braces keep the title's capitals ("GPT-NeoX") in every style.
    fields.append(("title", "{" + escape_value(paper.title) + "}"))
    venue = venue_title(paper)
    if venue and kind == "article":
        fields.append(("journal", escape_value(venue)))
    elif venue and kind == "inproceedings":
        fields.append(("booktitle", escape_value(venue)))
    elif venue and not is_arxiv(paper):
        fields.append(("howpublished", escape_value(venue)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.published_on:
        fields.append(("month", _MONTHS[paper.published_on.month - 1]))
    if paper.arxiv_id:
        fields += [("eprint", _verbatim(paper.arxiv_id)), ("archiveprefix", "arXiv")]
    if paper.doi:
        fields.append(("doi", _verbatim(paper.doi)))
    url = external_url(paper)
    if url:
        fields.append(("url", _verbatim(url)))
    if paper.abstract:
        fields.append(("abstract", escape_value(paper.abstract)))
    return fields


def bibtex_entry(paper) -> str:
    """The paper as one BibTeX entry."""
    lines = []
    for name, value in bibtex_fields(paper):
        # Month macros (jan, feb, …) are bare words; everything else is braced.
        lines.append(f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}")
    key = paper.citation_key or paper.citation_key_base()
    return f"@{bibtex_entry_type(paper)}{{{key},\n" + ",\n".join(lines) + "\n}\n"


def to_bibtex(papers) -> str:
    return "\n".join(bibtex_entry(paper) for paper in papers)


# -- RIS ------------------------------------------------------------------

RIS_EOL = "\r\n"  # the RIS specification's line end


def ris_type(paper) -> str:
    return _type_by_kind(venue_kind(paper), journal="JOUR", conference="CONF") or "GEN"


def ris_fields(paper, page_url: str = "") -> list[tuple[str, str]]:
    fields = [("TY", ris_type(paper))]
    if paper.citation_key:
        fields.append(("ID", paper.citation_key))
    for name in author_names(paper):
        family, given = split_name(name)
        fields.append(("AU", f"{family}, {given}" if given else family))
    fields.append(("TI", paper.title))
    venue = venue_title(paper)
    if venue:
        fields.append(("T2", venue))
        if ris_type(paper) == "JOUR":
            fields.append(("JO", venue))
    if paper.year:
        fields.append(("PY", str(paper.year)))
    if paper.published_on:
        fields.append(("DA", paper.published_on.strftime("%Y/%m/%d/")))
    if paper.doi:
        fields.append(("DO", paper.doi))
    for url in dict.fromkeys(u for u in (external_url(paper), page_url) if u):
        fields.append(("UR", url))
    if paper.arxiv_id:
        fields.append(("M1", f"arXiv:{paper.arxiv_id}"))
    if paper.abstract:
        fields.append(("AB", paper.abstract))
    if paper.author_list_truncated:
        fields.append(("N1", TRUNCATION_NOTE))
    fields.append(("ER", ""))
    return fields


def ris_record(paper, page_url: str = "") -> str:
    lines = []
    for tag, value in ris_fields(paper, page_url):
        value = one_line(value.replace("\x00", ""))
        lines.append(f"{tag}  - {value}".rstrip() if tag == "ER" else f"{tag}  - {value}")
    return RIS_EOL.join(lines) + RIS_EOL


def to_ris(papers, page_url=lambda paper: "") -> str:
    return RIS_EOL.join(ris_record(paper, page_url(paper)) for paper in papers)


# -- CSL-JSON ---------------------------------------------------------------


def csl_type(paper) -> str:
    kind = venue_kind(paper)
    by_kind = _type_by_kind(kind, journal="article-journal", conference="paper-conference")
    if by_kind:
        return by_kind
    if kind == "preprint" or paper.arxiv_id:
        return "article"  # CSL 1.0.2's type for preprints
    if kind == "forum":
        return "post-weblog"
    return "document"


def csl_name(name: str) -> dict:
    family, given = split_name(name)
    return {"family": family, "given": given} if given else {"family": family}


def csl_item(paper, page_url: str = "") -> dict:
    item = {
        "id": paper.citation_key or paper.slug,
        "type": csl_type(paper),
        "title": paper.title,
    }
    if paper.citation_key:
        item["citation-key"] = paper.citation_key
    authors = [csl_name(name) for name in author_names(paper)]
    if authors:
        item["author"] = authors
    if paper.published_on:
        date = paper.published_on
        item["issued"] = {"date-parts": [[date.year, date.month, date.day]]}
    elif paper.year:
        item["issued"] = {"date-parts": [[paper.year]]}
    venue = venue_title(paper)
    if paper.arxiv_id:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{paper.arxiv_id}"
    elif venue:
        item["container-title"] = venue
    if paper.abstract:
        item["abstract"] = paper.abstract
    if paper.doi:
        item["DOI"] = paper.doi
    url = external_url(paper) or page_url
    if url:
        item["URL"] = url
    if paper.author_list_truncated:
        item["note"] = TRUNCATION_NOTE
    return item


def to_csl_json(papers, page_url=lambda paper: "") -> str:
    items = [csl_item(paper, page_url(paper)) for paper in papers]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


# -- formats ------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFormat:
    extension: str
    content_type: str
    label: str

    def render(self, papers, page_url=lambda paper: "") -> str:
        if self.extension == "bib":
            return to_bibtex(papers)
        if self.extension == "ris":
            return to_ris(papers, page_url)
        return to_csl_json(papers, page_url)


FORMATS = {
    "bib": ExportFormat("bib", "application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": ExportFormat("ris", "application/x-research-info-systems; charset=utf-8", "RIS"),
    "json": ExportFormat(
        "json", "application/vnd.citationstyles.csl+json; charset=utf-8", "CSL-JSON"
    ),
}
