"""Shared pieces of the export tests: independent parsers for every format,
and a paper whose text tries to break out of each (the seed catalog, `seed`,
is in tests/conftest.py)."""

import json
import re
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser import middlewares
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from tests.factories import make_paper, make_venue

CSL_SCHEMA = json.loads((Path(__file__).parent / "csl-data.json").read_text())
HOSTILE = '</script><script>alert(1)</script> "><img onerror=x>'


@pytest.fixture
def hostile_paper(db):
    return make_paper(
        f"Attack {HOSTILE} {{braces}} 100% R&D",
        venue=make_venue("ICML", kind="conference"),
        year=2023,
        authors=[f"Eve {HOSTILE}", "Mallory O'Brien"],
        abstract=f"We {HOSTILE} and $x^2$ and a lone brace {{ here.",
    )


def parse_bibtex(text: str):
    """bibtexparser 2 with authors split into name parts; fails on any failed block."""
    library = bibtexparser.parse_string(
        text,
        append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()],
    )
    assert not library.failed_blocks, [block.raw for block in library.failed_blocks]
    return library


# pylatexenc does not know \textbraceleft and \textbraceright, and writes
# \textasciicircum and \textasciitilde as spacing modifier letters: teach it
# what LaTeX prints for them.
_CONTEXT = get_default_latex_context_db()
_CONTEXT.add_context_category(
    "text-symbols",
    prepend=True,
    macros=[
        MacroTextSpec("textbraceleft", "{"),
        MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^"),
        MacroTextSpec("textasciitilde", "~"),
    ],
)
_LATEX = LatexNodes2Text(latex_context=_CONTEXT, math_mode="verbatim")


def latex_to_text(value: str) -> str:
    return " ".join(_LATEX.latex_to_text(value).split())


def bibtex_author_names(entry) -> list[str]:
    """Each author as "Given Family" (braces dropped), `others` as is."""
    names = []
    for parts in entry["author"]:
        words = [*parts.first, *parts.von, *parts.last, *parts.jr]
        names.append(latex_to_text(" ".join(words)))
    return names


def parse_ris(text: str) -> list[list[tuple[str, str]]]:
    """Strict RIS: every line `XX  - value` ending CRLF; records from TY to ER."""
    assert text.endswith("\r\n")
    records, current = [], None
    for line in text.split("\r\n")[:-1]:
        if line == "" and current is None:
            continue
        assert "\n" not in line and "\r" not in line
        tag, sep, value = line[:2], line[2:6], line[6:]
        assert re.fullmatch("[A-Z][A-Z0-9]", tag), line
        assert sep in ("  - ", "  -"), line
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = [(tag, value)]
        elif tag == "ER":
            assert current is not None and value == ""
            current.append((tag, value))
            records.append(current)
            current = None
        else:
            assert current is not None, f"{tag} outside a record"
            current.append((tag, value))
    assert current is None, "record without ER"
    return records


def ris_values(record, tag):
    return [value for t, value in record if t == tag]
