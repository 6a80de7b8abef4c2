"""Author lists as citations write them.

Shapes handled (all from the seed listings):

* full names: "Sid Black*, Stella Biderman*, ..., and Samuel Weinbach"
  ("*" marks equal contribution);
* surnames only: "Allal, Li, Kocetkov, et al.", "Le Scao, et al.";
* an inverted first author (MLA): "Srivastava, Aarohi, et al.";
* truncations: "et al.", "and 37 others", "(incl. Tow, Biderman)" - the
  names after "incl." are authors somewhere in the list, without a place.

Surname-only rule: a name is surname-only when it is a single word
("Biderman", "McMillan-Major") or a single word behind name particles only
("Le Scao", "Van der Sluijs"). "Rogier Van der Sluijs", "JR Smith" and
"USVSN Sai Prashanth" are full names.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from nameparser.config import CONSTANTS

from catalog.importer.records import AuthorRecord, frozen_record
from catalog.importer.text import clean_text, squash_whitespace

# Lower-case name particles ("le", "van", "der", "de", "von", ...).
_PARTICLES = frozenset(str(prefix) for prefix in CONSTANTS.prefixes)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})

_INCL_RE = re.compile(r"\(\s*(?:incl\.?|including)\s*([^()]*)\)", re.IGNORECASE)
_OTHERS_RE = re.compile(
    r",?\s*(?:and\s+|&\s*)?(\d{1,5})\s+(?:others|other\s+authors|more(?:\s+authors)?)\b\.?",
    re.IGNORECASE,
)
_ET_AL_RE = re.compile(r",?\s*\bet\.?\s*al\b\.?", re.IGNORECASE)
_ITEM_SEPARATOR_RE = re.compile(r"\s*[,;]\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+")
# "*" marks equal contribution; other footnote marks (dagger, double dagger,
# section) carry no meaning we keep.
_MARK_DELETIONS = str.maketrans("", "", "*\u2217\u2020\u2021\u00a7")
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.\s*-?\s*)+$")
_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['\u2019.\-])*"
_NAME_SHAPE_RE = re.compile(rf"^{_NAME_WORD}(?: {_NAME_WORD}){{0,5}}$")
# The names _simple_item() reads (see there).
_SIMPLE_WORD = r"[A-Z\u00c0-\u00d6\u00d8-\u00de\u0141\u015a\u0160\u017d][^\W\d_]+(?:-[^\W\d_]+)*"
_SIMPLE_NAME_RE = re.compile(
    rf"{_SIMPLE_WORD}(?: (?:{_SIMPLE_WORD}|[A-Z]\.)){{0,4}} {_SIMPLE_WORD}\Z"
)

# Surnames so common, and so rarely given names, that "Jernite, Nguyen,
# et al." is read as two surnames rather than as "Nguyen Jernite" inverted.
_COMMON_SURNAMES_TEXT = """
Nguyen Tran Pham Hoang Phan Vu Dang Bui Ngo Duong Huynh Wang Li Zhang Liu Chen
Yang Huang Zhao Wu Zhou Xu Sun Zhu Hu Guo Lin Luo Gao Zheng Liang Xie Song Tang
Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Du Ye Cheng Wei Su
Lu Ding Ren Shen Yao Qian Fang Zou Xiong Jin Kim Lee Park Choi Jung Kang Cho
Yoon Jang Lim Shin Oh Seo Kwon Hwang Sato Suzuki Takahashi Tanaka Watanabe Ito
Yamamoto Nakamura Kobayashi Kato Singh Kumar Sharma Gupta Patel Shah Khan Ahmed
Reddy Rao Iyer Das Smith Johnson Williams Brown Jones Miller Davis Garcia
Rodriguez Wilson Martinez Anderson Taylor Moore Jackson Thompson White Harris
Clark Lewis Robinson Walker Wright Hill Green Adams Baker Nelson Carter Mitchell
Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Morris
Murphy Cook Rogers Cooper Peterson Bailey Richardson Hughes Muller Schmidt
Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Rossi Russo Ferrari
Esposito Bianchi Silva Santos Oliveira Souza Pereira Costa Ivanov Smirnov
Kuznetsov Popov Kowalski Nowak Jensen Nielsen Hansen Larsen Johansson Karlsson
Nilsson Eriksson Jansen
"""
_COMMON_SURNAMES = frozenset(name.casefold() for name in _COMMON_SURNAMES_TEXT.split())


@frozen_record
class AuthorListParse:
    """parse_author_list's result plus the doubts met on the way."""

    authors: tuple[AuthorRecord, ...]
    complete: bool
    declared_count: int | None
    # Short reasons for review, e.g. an ambiguous "Surname, Given" pair.
    notes: tuple[str, ...] = ()
    ok: bool = True


def _is_initial(token: str) -> bool:
    r"""One capital letter, maybe with a dot: "S", "S." (the test of
    ^[A-Z]\.?$ without the regular expression: run for every word of every
    new name)."""
    if token.endswith("\n"):  # where $ matches too
        token = token[:-1]
    return 0 < len(token) <= 2 and "A" <= token[0] <= "Z" and token[1:] in ("", ".")


def _author(item: str, position: int | None) -> AuthorRecord | None:
    """The AuthorRecord of one list item, None when it is not a name.

    A name is up to six words of letters (with . ' - inside), no digits, each
    word capitalised somewhere or a particle: "d'Ascoli", "McMillan-Major",
    "USVSN", "M." pass; "the", "community", "preprint", "42" do not.
    """
    parts = _item(item).parts
    return None if parts is None else _record(parts, position)


def _record(parts: tuple[str, bool, bool, dict, str], position: int | None) -> AuthorRecord:
    # Records are immutable: one per name and place is shared by every entry.
    record = parts[3].get(position)
    if record is None:
        record = parts[3][position] = AuthorRecord(parts[0], position, parts[1], parts[2])
    return record


def _name_parts(
    tokens: list[str], name: str, equal: bool, surname: bool
) -> tuple[str, bool, bool, dict, str] | None:
    """(name, equal contribution, surname only, records by place, casefolded
    name) of a list item, from its words (footnote marks taken out) and
    their join; None if it is not a name. surname: whether the words are a
    surname only."""
    if not _NAME_SHAPE_RE.match(name):
        return None
    if not all(not t.islower() or t in _PARTICLES for t in tokens):
        return None
    return name, equal, surname, {}, name.casefold()


def bibtex_author(name: str, position: int | None) -> AuthorRecord | None:
    """One name of a bibliography (BibTeX, CSL-JSON, arXiv), already turned
    to "First Last", read by the listing rules: its equal-contribution mark,
    whether it is a surname only; None when it is not a name."""
    return _author(name, position)


def _tokens_are_surname(tokens: list[str]) -> bool:
    if len(tokens) == 1:
        return not _is_initial(tokens[0])
    return all(t.casefold() in _PARTICLES for t in tokens[:-1])


def is_surname_only(name: str) -> bool:
    """True for "Biderman", "Le Scao", "Van der Sluijs"; False for full names."""
    tokens = name.split()
    return bool(tokens) and _tokens_are_surname(tokens)


def _is_given_name_like(tokens: list[str]) -> bool:
    """One capitalised word, maybe with initials: "Aarohi", "Aarohi K."."""
    if not tokens or _is_initial(tokens[0]) or not tokens[0][0].isupper():
        return False
    return all(_is_initial(t) for t in tokens[1:])


class _Item(NamedTuple):
    """What the list parser asks of one list item, computed once per distinct
    item: names repeat heavily across a catalog."""

    text: str  # the item as the list writes it
    kind: int  # 1 for a name suffix ("Jr."), 2 for initials only ("S."), else 0
    plain: str  # without footnote marks
    equal: bool  # an equal-contribution mark
    words: int  # words of plain
    # Can be the surname of an inverted first author: one word, or a surname only.
    surname_like: bool
    given_like: bool  # _is_given_name_like(plain's words)
    # _name_parts(): (name, equal, surname only, records by place, casefolded
    # name), None if not a name.
    parts: tuple[str, bool, bool, dict, str] | None


# Names repeat heavily across a catalog: the per-item work is memoised.
@functools.lru_cache(maxsize=1 << 16)
def _item(item: str) -> _Item:
    return _simple_item(item) if _SIMPLE_NAME_RE.match(item) else _general_item(item)


def _general_item(item: str) -> _Item:
    equal = "*" in item or "\u2217" in item
    tokens = item.translate(_MARK_DELETIONS).split()  # footnote marks out
    surname = bool(tokens) and _tokens_are_surname(tokens)
    plain = " ".join(tokens)
    return _Item(
        item,
        _item_kind(item),
        plain,
        equal,
        len(tokens),
        len(tokens) == 1 or surname,
        _is_given_name_like(tokens),
        _name_parts(tokens, plain, equal, surname),
    )


def _simple_item(item: str) -> _Item:
    """_item() of a name _SIMPLE_NAME_RE matches: two to six words of two or
    more letters, each starting with a capital (Latin), hyphens inside,
    initials ("A.") only between the first and the last: "Layla A.
    Hill-Chen", most names. Such a name has no marks, is no suffix, initials
    or given name alone, and passes the name-shape tests: whether it is a
    surname only ("Van Dyke") is the one test left."""
    tokens = item.split(" ")
    surname = all(t.casefold() in _PARTICLES for t in tokens[:-1])
    parts = (item, False, surname, {}, item.casefold())
    return _Item(item, 0, item, False, len(tokens), surname, False, parts)


def _item_kind(item: str) -> int:
    """1 for a name suffix ("Jr."), 2 for initials only ("S."), else 0."""
    if item.casefold() in _SUFFIXES:
        return 1
    return 2 if _INITIALS_RE.match(item) else 0


def _separated(text: str) -> list[str]:
    """_ITEM_SEPARATOR_RE.split(text), up to empty items and the items' outer
    spaces, for text with no whitespace but single spaces (clean text).

    Without ";" and "&" the separators are "," with the spaces around it and
    an "and " right after it, and " and "; str.split finds them several times
    faster than the regular expression (same items: fuzzed against it).
    """
    if ";" in text or "&" in text:
        return _ITEM_SEPARATOR_RE.split(text)
    # Most lists: every comma followed by a space, "and" only as ", and ":
    # the loop below then splits at ", " and drops each "and " after one.
    if text.count(",") == text.count(", "):
        joined = text.replace(", and ", ", ")
        if " and " not in joined:
            return joined.split(", ")
    pieces = text.split(",")
    items = pieces[0].split(" and ")
    for piece in pieces[1:]:
        if piece.startswith(" "):
            piece = piece[1:]
        if piece.startswith("and "):
            piece = piece[4:]
        items.extend(piece.split(" and "))
    return items


# Names read alone (no suffix or initials joined to a neighbour), by their
# text as a list writes them: _known_items() looks a list's names up here.
_KNOWN_NAMES: dict[str, _Item] = {}
_KNOWN_NAMES_MAX = 1 << 16


def _known_items(text: str) -> list[_Item] | None:
    """_split_items(text) of the common list shapes, "A, B, and C" and "A and
    B", whose items are names that read alone; None for any other list.

    Names repeat across a catalog: the items are looked up by their text,
    in C, and only names not seen before are read (memoised by _item())."""
    if ";" in text or "&" in text or text.count(",") != text.count(", "):
        return None
    joined = text.replace(", and ", ", ")
    if " and " not in joined:
        written = joined.split(", ")
    elif "," not in joined:
        written = joined.split(" and ")
    else:
        return None
    items = list(map(_KNOWN_NAMES.get, written))
    if all(items):
        return items
    for at, item in enumerate(items):
        if item is None:
            name = written[at]
            if not name or name[0] == " " or name[-1] == " ":
                return None
            item = _item(name)
            if item.kind or item.parts is None:
                return None
            if len(_KNOWN_NAMES) >= _KNOWN_NAMES_MAX:
                _KNOWN_NAMES.clear()
            items[at] = _KNOWN_NAMES[name] = item
    return items


def _split_items(text: str) -> list[_Item]:
    """The items of a list (names, or an APA list's surnames and initials put
    together); `text` has no whitespace but single spaces."""
    merged: list[_Item] = []
    for written in _separated(text):
        written = written.strip()
        if not written:
            continue
        item = _item(written)
        if not item.kind or not merged:
            merged.append(item)
        elif item.kind == 1:
            # "John Smith, Jr." is one name.
            merged[-1] = _item(f"{merged[-1].text} {written}")
        elif len(merged[-1].text.split()) == 1:  # item.kind == 2
            # APA: "Biderman, S., Raff, E." -> "S. Biderman", "E. Raff".
            merged[-1] = _item(f"{written} {merged[-1].text}")
        else:
            merged.append(item)
    return merged


def _inverted_first_author(items: list[_Item], plain: str, truncated: bool) -> tuple[bool, str]:
    """Whether items[0:2] is one MLA-inverted name ("Srivastava, Aarohi").

    Returns (inverted, note). A pair of single words is ambiguous: surname
    lists ("Jernite, Nguyen, et al.") look the same. Such a pair is read as
    inverted unless the second word is a common surname, and a note says so.
    """
    if len(items) < 2:
        return False, ""
    first, second = items[0], items[1]
    if not first.surname_like or not second.given_like:
        return False, ""
    rest = items[2:]
    if rest:
        # "Biderman, Stella, and Edward Raff": the rest are full names.
        if all(i.words >= 2 for i in rest):
            return True, ""
        return False, ""
    if second.words > 1:
        return True, ""  # "Srivastava, Aarohi K." has initials: a given name
    # Joined by "and" ("Radev and Avigad") it is two people.
    if re.search(r"\s(?:and|&)\s", plain) or not (truncated or "," in plain):
        return False, ""
    first, second = first.plain, second.plain
    if second.casefold() in _COMMON_SURNAMES:
        return False, f"ambiguous author list '{first}, {second}': read as two surnames"
    return True, f"ambiguous author list '{first}, {second}': read as '{second} {first}'"


def parse_author_list_detailed(text: str) -> AuthorListParse:
    """parse_author_list, with review notes and a success flag."""
    return parse_clean_author_list(clean_text(text))


def parse_clean_author_list(main: str) -> AuthorListParse:
    """parse_author_list_detailed of text clean_text() already cleaned."""
    # Cheap substring tests guard each regular expression: most lists have
    # no "incl.", no "others", no "et al.".
    incl_names: list[_Item] = []
    cut = False
    if "(" in main:
        for match in _INCL_RE.finditer(main):
            incl_names.extend(_split_items(match.group(1).strip().rstrip(".,;")))
        main = _INCL_RE.sub(" ", main)
        cut = True
    others = None
    lowered = main.lower()
    has_others = "other" in lowered or "more" in lowered
    if has_others and (others_match := _OTHERS_RE.search(main)) is not None:
        others = int(others_match.group(1))
        main = _OTHERS_RE.sub(" ", main)
        cut = True
    et_al = False
    if "al" in lowered and "et" in lowered and _ET_AL_RE.search(main):
        et_al = True
        main = _ET_AL_RE.sub(" ", main)
        cut = True
    if cut:  # clean text has no whitespace to squash but where a part was cut out
        main = squash_whitespace(main)
    main = main.strip(" ,;:")
    if main.endswith(".") and not _is_initial(main.rsplit(None, 1)[-1]):
        main = main[:-1].rstrip(" ,;")
    truncated = et_al or others is not None or bool(incl_names)

    items = None if incl_names else _known_items(main)
    if items is None:
        items = _split_items(main)
    notes: tuple[str, ...] = ()
    inverted, note = _inverted_first_author(items, main, truncated)
    if note:
        notes = (note,)
    if inverted:
        surname, given = items[0], items[1]
        marks = "*" if given.equal or surname.equal else ""
        items = [_item(f"{given.plain} {surname.plain}{marks}"), *items[2:]]
    return _author_list(items, incl_names, truncated, others, notes)


def _author_list(
    items: list[_Item],
    incl_names: list[_Item],
    truncated: bool,
    others: int | None,
    notes: tuple[str, ...],
) -> AuthorListParse:
    authors: list[AuthorRecord] = []
    seen: set[str] = set()
    places = enumerate(items, start=1)
    if incl_names:
        places = [*places, *((None, item) for item in incl_names)]
    for position, item in places:
        parts = item.parts
        if parts is None:
            note = f"not a name: {item.text!r}"
            return AuthorListParse((), False, None, (*notes, note), ok=False)
        if parts[4] not in seen:  # an "incl." name already in the list is not repeated
            seen.add(parts[4])
            # _record() inlined: this runs once per author of every list.
            record = parts[3].get(position)
            authors.append(_record(parts, position) if record is None else record)
    if not authors:
        return AuthorListParse((), False, None, (*notes, "no author names"), ok=False)
    declared = None
    if others is not None:
        declared = sum(1 for a in authors if a.position is not None) + others
    return AuthorListParse(tuple(authors), not truncated, declared, notes)


def parse_author_list(text: str) -> tuple[tuple[AuthorRecord, ...], bool, int | None]:
    """Authors of a citation's author part, whether the list is complete, and
    the declared total ("and 37 others" after 4 names -> 41; else None).

    An unreadable list gives ((), False, None).
    """
    parsed = parse_author_list_detailed(text)
    return parsed.authors, parsed.complete, parsed.declared_count
