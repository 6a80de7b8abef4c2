"""What the importer knows about venues: canonical names, kinds, spellings.

One table serves both uses: filing a listing's venue under its canonical
name ("bioXriv" -> bioRxiv), and telling whether a blog header and a
citation name the same venue (see citations.venue_conflict). Pure
functions over names; the service looks the results up in the database.
"""

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownVenue:
    name: str
    kind: str
    full_name: str = ""
    # How headers and citations spell it (a case-insensitive regex).
    pattern: str = ""
    url: str = ""
    aliases: tuple[str, ...] = ()


def _venue(name, kind, full_name="", extra_pattern="", **fields) -> KnownVenue:
    spellings = [rf"\b{re.escape(name)}\b"]
    if full_name:
        spellings.append(re.escape(full_name))
    if extra_pattern:
        spellings.append(extra_pattern)
    return KnownVenue(name, kind, full_name, "|".join(spellings), **fields)


# Venues listings name often. Listing names not here are created as
# written, their kind guessed from the name.
KNOWN_VENUES = (
    _venue("arXiv", "preprint", "arXiv", url="https://arxiv.org/", aliases=("arxiv preprint",)),
    _venue(
        "bioRxiv",
        "preprint",
        "bioRxiv",
        r"\bbio[rx]{2}iv\b",
        url="https://www.biorxiv.org/",
        aliases=("bioXriv",),
    ),
    _venue("medRxiv", "preprint", "medRxiv", url="https://www.medrxiv.org/"),
    _venue("ICLR", "conference", "International Conference on Learning Representations"),
    _venue("ICML", "conference", "International Conference on Machine Learning"),
    _venue(
        "NeurIPS",
        "conference",
        "Conference on Neural Information Processing Systems",
        r"\bnips\b|neural information processing systems",
    ),
    _venue(
        "NeurIPS Datasets and Benchmarks",
        "conference",
        "Conference on Neural Information Processing Systems Datasets and Benchmarks Track",
    ),
    _venue("ACL", "conference", "Annual Meeting of the Association for Computational Linguistics"),
    _venue("TACL", "journal", "Transactions of the Association for Computational Linguistics"),
    _venue(
        "EMNLP",
        "conference",
        "Conference on Empirical Methods in Natural Language Processing",
        r"empirical methods in natural language processing",
    ),
    _venue(
        "NAACL",
        "conference",
        "North American Chapter of the Association for Computational Linguistics",
    ),
    _venue(
        "EACL", "conference", "European Chapter of the Association for Computational Linguistics"
    ),
    _venue("COLING", "conference", "International Conference on Computational Linguistics"),
    _venue("CVPR", "conference", "Conference on Computer Vision and Pattern Recognition"),
    _venue("ICCV", "conference", "International Conference on Computer Vision"),
    _venue("ECCV", "conference", "European Conference on Computer Vision"),
    _venue("AAAI", "conference", "AAAI Conference on Artificial Intelligence"),
    _venue("IJCAI", "conference", "International Joint Conference on Artificial Intelligence"),
    _venue(
        "CIKM",
        "conference",
        "ACM International Conference on Information and Knowledge Management",
        r"information (?:&|and) knowledge management",
    ),
    _venue(
        "FAccT",
        "conference",
        "ACM Conference on Fairness, Accountability, and Transparency",
        r"fairness,? accountability,? and transparency",
    ),
    _venue(
        "AIES",
        "conference",
        "AAAI/ACM Conference on AI, Ethics, and Society",
        r"\bai,? ethics,? and society\b",
    ),
    _venue("COLM", "conference", "Conference on Language Modeling"),
    _venue("TMLR", "journal", "Transactions on Machine Learning Research"),
    _venue("JMLR", "journal", "Journal of Machine Learning Research"),
    _venue(
        "JASA",
        "journal",
        "The Journal of the Acoustical Society of America",
        r"acoustical society of america",
    ),
    _venue("Interspeech", "conference"),
    _venue("ICASSP", "conference"),
    _venue("Alignment Forum", "forum", "AI Alignment Forum", url="https://www.alignmentforum.org/"),
)

_BY_NAME = {}
for _known in KNOWN_VENUES:
    for _name in (_known.name, *_known.aliases):
        _BY_NAME[_name.casefold()] = _known
# A forum post about a paper does not contradict where the paper appeared,
# so forums are not looked for in citation text.
_PATTERNS = [
    (known, re.compile(known.pattern, re.IGNORECASE))
    for known in KNOWN_VENUES
    if known.kind != "forum"
]
PREPRINT_SERVERS = frozenset(known.name for known in KNOWN_VENUES if known.kind == "preprint")

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


@functools.lru_cache(maxsize=4096)
def venues_mentioned(text: str) -> tuple[KnownVenue, ...]:
    """Known venues a venue name or citation text mentions, most specific first."""
    found = []
    for known, pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            found.append((-(match.end() - match.start()), known))
    return tuple(known for _, known in sorted(found, key=lambda pair: pair[0]))


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


_FINDINGS_RE = re.compile(r"\bfindings\b", re.IGNORECASE)
_WORKSHOP_RE = re.compile(r"\bworkshops?\b", re.IGNORECASE)
# DBLP files arXiv papers under "CoRR" (arXiv's Computing Research Repository).
_CORR_RE = re.compile(r"^\s*corr\s*$|\bcomputing research repository\b", re.IGNORECASE)


def venue_name_from_bibliography(text: str, arxiv_id: str = "") -> str:
    """The catalog venue a bibliography's venue text (a BibTeX booktitle or
    journal, a CSL container title) names, or "" when it names no known one.

    "International Conference on Machine Learning" -> "ICML"; "Findings of the
    Association for Computational Linguistics: EMNLP 2023" -> "EMNLP (Findings)",
    the name the lab's listings file Findings papers under; "NeurIPS 2023
    Workshop on ..." -> "NeurIPS Workshop"; "CoRR" -> "arXiv". As with
    citations, an unknown venue gives "": the full text still goes to the
    paper's venue detail, and no venue is invented from a free-form name.
    """
    if _CORR_RE.search(text):
        return "arXiv"
    mentioned = venues_mentioned(text) if text else ()
    if not mentioned:
        return "arXiv" if arxiv_id and not text.strip() else ""
    known = mentioned[0]
    if known.kind == "conference" and _FINDINGS_RE.search(text):
        return f"{known.name} (Findings)"
    if known.kind == "conference" and _WORKSHOP_RE.search(text):
        return f"{known.name} Workshop"
    return known.name


def venue_name_from_citation(venue_text: str, arxiv_id: str = "", identifier: str = "") -> str:
    """The venue a citation names, when it names a known one.

    "arXiv preprint arXiv:2211.05100" -> "arXiv"; "In Proceedings of the
    European Conference on Computer Vision (ECCV)" -> "ECCV". Returns ""
    when unsure: the importer leaves the venue empty rather than invent one.
    """
    mentioned = venues_mentioned(f"{venue_text} {identifier}")
    if mentioned:
        return mentioned[0].name
    return "arXiv" if arxiv_id else ""
