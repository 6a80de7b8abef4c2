"""arXiv ids and DOIs as people write them, reduced to one spelling each.

Pure functions. People paste identifiers in every form their tools show:

* arXiv: "2201.07311", "2201.07311v2", "arXiv:2201.07311", "arxiv.org/abs/2201.07311v1",
  "https://arxiv.org/pdf/2201.07311v2.pdf", and the old scheme "hep-th/9901001" (also
  "math.GT/0309136"). The catalog keeps the id without its version (papers are
  matched by it; a version is one revision of the same paper).
* DOI: "10.18653/v1/2023.acl-long.1", "doi:10.1145/...", "https://doi.org/10.1145/...",
  "http://dx.doi.org/10.1145%2F..." (URL-escaped). A DOI is case-insensitive: it is
  kept as written and compared case-folded (doi_key).

arXiv's own DOIs (10.48550/arXiv.2201.07311) name an arXiv paper: they are
read as its arXiv id, which arXiv's API describes better than the DOI resolver.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

_NEW_ARXIV = r"\d{4}\.\d{4,5}"
# Old scheme: archive (maybe with a subject class) / YYMMNNN.
_OLD_ARXIV = r"[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7}"
_ARXIV_ID_RE = re.compile(rf"^(?P<id>{_NEW_ARXIV}|{_OLD_ARXIV})(?:v(?P<version>\d{{1,3}}))?$")
_ARXIV_URL_RE = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>.+?)(?:\.pdf)?/?$",
    re.IGNORECASE,
)
_ARXIV_PREFIX_RE = re.compile(r"^arxiv\s*:\s*", re.IGNORECASE)
# An arXiv id inside free text ("arXiv preprint arXiv:2201.07311", "abs/2201.07311").
ARXIV_IN_TEXT_RE = re.compile(
    rf"(?:\barXiv\s*:?\s*(?:abs/)?|\babs/|arxiv\.org/(?:abs|pdf)/)"
    rf"({_NEW_ARXIV}|{_OLD_ARXIV})(?:v\d{{1,3}})?",
    re.IGNORECASE,
)

_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_URL_RE = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/", re.IGNORECASE)
_DOI_PREFIX_RE = re.compile(r"^doi\s*:\s*", re.IGNORECASE)
_ARXIV_DOI_RE = re.compile(rf"^10\.48550/arxiv\.({_NEW_ARXIV}|{_OLD_ARXIV})(?:v\d{{1,3}})?$", re.I)


@dataclass(frozen=True)
class Identifier:
    """One identifier: kind "arxiv" or "doi", its value, and what was written."""

    kind: str
    value: str  # arXiv id without version, or the DOI as written (no prefix)
    written: str
    version: int | None = None

    @property
    def label(self) -> str:
        """How messages and sources name it: "arXiv:2201.07311", "doi:10.1145/..."."""
        return f"arXiv:{self.value}" if self.kind == "arxiv" else f"doi:{self.value}"


class IdentifierError(ValueError):
    """Text that is neither an arXiv id nor a DOI; the message says what was expected."""


def arxiv_id(text: str) -> tuple[str, int | None] | None:
    """(id without version, version or None) of an arXiv id in any written
    form, or None when the text is not one."""
    text = text.strip()
    if match := _ARXIV_URL_RE.match(text):
        text = match.group("rest")
    text = _ARXIV_PREFIX_RE.sub("", text)
    match = _ARXIV_ID_RE.match(text)
    if not match:
        return None
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def arxiv_id_in_text(text: str) -> str:
    """The first arXiv id free text names ("arXiv preprint arXiv:2201.07311"), or ""."""
    match = ARXIV_IN_TEXT_RE.search(text)
    return match.group(1) if match else ""


def doi(text: str) -> str | None:
    """A DOI without prefix or resolver URL ("10.1145/3511808.3557079"), or None."""
    text = text.strip()
    if _DOI_URL_RE.match(text):
        text = urllib.parse.unquote(_DOI_URL_RE.sub("", text, count=1))
    text = _DOI_PREFIX_RE.sub("", text).strip()
    # Sentence punctuation is never the end of a DOI people paste.
    text = text.rstrip(".,;")
    return text if _DOI_RE.match(text) else None


def doi_key(value: str) -> str:
    """DOIs are case-insensitive: the form two spellings of one DOI share."""
    return value.casefold()


def parse_identifier(text: str) -> Identifier:
    """An arXiv id or a DOI in any form people write; IdentifierError otherwise."""
    written = text.strip()
    found_doi = doi(written)
    if found_doi:
        if match := _ARXIV_DOI_RE.match(found_doi):
            return Identifier("arxiv", match.group(1), written)
        return Identifier("doi", found_doi, written)
    found_arxiv = arxiv_id(written)
    if found_arxiv:
        return Identifier("arxiv", found_arxiv[0], written, found_arxiv[1])
    raise IdentifierError(
        f"{written!r} is neither an arXiv id (2201.07311, arXiv:2201.07311v2, "
        "https://arxiv.org/abs/2201.07311, hep-th/9901001) nor a DOI "
        "(10.1145/3511808.3557079, doi:..., https://doi.org/...)"
    )
