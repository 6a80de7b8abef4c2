"""What the importer knows about venue names: canonical spellings and kinds.

Pure functions over names; the service looks the results up in the database.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownVenue:
    name: str
    kind: str
    full_name: str = ""
    url: str = ""
    aliases: tuple[str, ...] = ()


# Venues listings name often, with the spellings scrapers produce. Listing
# names not here are created as written, their kind guessed from the name.
KNOWN_VENUES = (
    KnownVenue("arXiv", "preprint", "arXiv", "https://arxiv.org/", ("arxiv preprint",)),
    KnownVenue("bioRxiv", "preprint", "bioRxiv", "https://www.biorxiv.org/", ("bioXriv",)),
    KnownVenue("ICLR", "conference", "International Conference on Learning Representations"),
    KnownVenue("ICML", "conference", "International Conference on Machine Learning"),
    KnownVenue("NeurIPS", "conference", "Conference on Neural Information Processing Systems"),
    KnownVenue(
        "NeurIPS Datasets and Benchmarks",
        "conference",
        "Conference on Neural Information Processing Systems Datasets and Benchmarks Track",
    ),
    KnownVenue(
        "EMNLP", "conference", "Conference on Empirical Methods in Natural Language Processing"
    ),
    KnownVenue(
        "ACL", "conference", "Annual Meeting of the Association for Computational Linguistics"
    ),
    KnownVenue("ECCV", "conference", "European Conference on Computer Vision"),
    KnownVenue(
        "CIKM", "conference", "ACM International Conference on Information and Knowledge Management"
    ),
    KnownVenue(
        "FAccT", "conference", "ACM Conference on Fairness, Accountability, and Transparency"
    ),
    KnownVenue("AIES", "conference", "AAAI/ACM Conference on AI, Ethics, and Society"),
    KnownVenue("TACL", "journal", "Transactions of the Association for Computational Linguistics"),
    KnownVenue("JASA", "journal", "The Journal of the Acoustical Society of America"),
    KnownVenue("Alignment Forum", "forum", "AI Alignment Forum", "https://www.alignmentforum.org/"),
)

_BY_NAME = {}
for _venue in KNOWN_VENUES:
    for _name in (_venue.name, *_venue.aliases):
        _BY_NAME[_name.casefold()] = _venue

_KIND_PATTERNS = (
    ("workshop", re.compile(r"\bworkshop\b", re.I)),
    ("preprint", re.compile(r"rxiv\b|\bpreprint\b", re.I)),
    ("forum", re.compile(r"\b(forum|blog|lesswrong)\b", re.I)),
    ("journal", re.compile(r"\b(journal|transactions|letters)\b", re.I)),
    ("conference", re.compile(r"\b(conference|proceedings|symposium|findings)\b", re.I)),
)
# All-caps acronyms ("ICML", "EMNLP (Findings)") are conferences in this field.
_ACRONYM_RE = re.compile(r"^[A-Z][A-Za-z]*[A-Z][A-Za-z]*(\s*\(.*\))?$")


def known_venue(name: str) -> KnownVenue | None:
    return _BY_NAME.get(name.strip().casefold())


def canonical_venue_name(name: str) -> str:
    """The name a venue is filed under: "bioXriv" -> "bioRxiv"; others as written."""
    known = known_venue(name)
    return known.name if known else " ".join(name.split())


def guess_venue_kind(name: str) -> str:
    known = known_venue(name)
    if known:
        return known.kind
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(name):
            return kind
    if _ACRONYM_RE.match(name.strip()):
        return "conference"
    return "other"


_PAREN_ACRONYM_RE = re.compile(r"\(([A-Z][A-Za-z]{1,11})\)")


def venue_name_from_citation(venue_text: str, arxiv_id: str = "", doi: str = "") -> str:
    """The venue a citation names, when it names one we can file it under.

    "arXiv preprint arXiv:2211.05100" -> "arXiv"; "In Proceedings of the
    European Conference on Computer Vision (ECCV)" -> "ECCV"; a known full
    name -> its short name. Returns "" when unsure: the importer leaves the
    venue empty and flags the paper rather than invent a venue.
    """
    text = venue_text.strip()
    if not text and arxiv_id:
        return "arXiv"
    lowered = text.casefold()
    if "arxiv" in lowered or (arxiv_id and not text):
        return "arXiv"
    if "biorxiv" in lowered or doi.casefold().startswith("biorxiv"):
        return "bioRxiv"
    for acronym in _PAREN_ACRONYM_RE.findall(text):
        if known_venue(acronym):
            return known_venue(acronym).name
    # Longest first: "… Systems Datasets and Benchmarks Track" before "… Systems".
    for venue in sorted(KNOWN_VENUES, key=lambda v: -len(v.full_name)):
        if venue.full_name and venue.full_name.casefold() in lowered:
            return venue.name
    return ""
