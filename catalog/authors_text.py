"""A paper's authors as one line of text, for the admin's `authors_text`.

Staff type the list as a citation writes it ("Sid Black*, Stella
Biderman*, and Eric Hallahan") or as BibTeX does ("Black, Sid and Biderman,
Stella"). The text is read by the importer's name rules (names.py, the
BibTeX name splitter) and each name is resolved to a person by the
importer's People resolver, so that a name links to the same person
whether it arrives in a listing or through the admin.

What is new here is only the doubt: the importer flags a doubtful paper for
review after the fact, but an editor is present and can be asked first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from rapidfuzz import fuzz, process

from catalog.importer.bibtex import bibtex_authors
from catalog.importer.names import parse_author_list_detailed
from catalog.importer.records import AuthorRecord
from catalog.importer.resolve import People
from catalog.models import Authorship, Paper
from catalog.review import AUTHOR_LIST_CODES, note_without_codes
from people.models import Person, PersonAlias

# A new person whose name is this close (rapidfuzz ratio, 0-100) to an
# existing person's is probably a misspelling of them: "Stela Biderman".
NEAR_MISS_SCORE = 88

_BIBTEX_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)


class AuthorsTextError(ValueError):
    """The text is not an author list."""


@dataclass(frozen=True)
class ParsedAuthors:
    authors: tuple[AuthorRecord, ...]
    complete: bool
    declared_count: int | None


@dataclass
class AuthorLink:
    """One name of the text and the person it resolves to."""

    name: str
    person: Person
    position: int | None
    equal_contribution: bool
    how: str  # "existing", "initials", "surname", "new"
    doubt: str = ""

    def describe(self) -> str:
        mark = "*" if self.equal_contribution else ""
        if self.how == "new":
            text = f"“{self.name}{mark}”: new person"
        elif self.how == "existing" and self.person.name == self.name:
            text = f"“{self.name}{mark}”: linked to the existing person"
        else:
            text = f"“{self.name}{mark}”: linked to {self.person.name}"
        return f"{text} ({self.doubt})" if self.doubt else text


@dataclass
class AuthorsPlan:
    """What saving the text would do; nothing is written until apply()."""

    parsed: ParsedAuthors
    links: list[AuthorLink]
    people: People
    notes: list[str] = field(default_factory=list)

    @property
    def doubts(self) -> list[AuthorLink]:
        return [link for link in self.links if link.doubt]

    def repeated_person(self) -> str:
        """The name of a person two names of the text resolve to, if any."""
        seen = set()
        for link in self.links:
            if id(link.person) in seen:
                return link.person.name
            seen.add(id(link.person))
        return ""

    def rows(self) -> list[tuple[int | None, int | None, bool]]:
        return [(link.person.pk, link.position, link.equal_contribution) for link in self.links]


def looks_like_bibtex(text: str) -> bool:
    """ "Black, Sid and Biderman, Stella": names joined by "and", each at
    most one "Last, First" comma. A citation list ("Black, Biderman, and
    Hallahan") has commas between the names instead."""
    parts = _BIBTEX_AND_RE.split(text.strip())
    if len(parts) < 2:
        return False
    return all(part.count(",") <= 1 and not part.rstrip().endswith(",") for part in parts)


def parse_authors_text(text: str) -> ParsedAuthors:
    text = " ".join(text.split())
    if not text:
        return ParsedAuthors((), True, None)
    if looks_like_bibtex(text):
        parsed = bibtex_authors(text)
        if parsed.notes:
            raise AuthorsTextError("; ".join(parsed.notes))
        return ParsedAuthors(parsed.authors, parsed.complete or not parsed.authors, None)
    parsed = parse_author_list_detailed(text)
    if not parsed.ok:
        raise AuthorsTextError("; ".join(parsed.notes))
    return ParsedAuthors(parsed.authors, parsed.complete, parsed.declared_count)


def format_authors_text(paper: Paper) -> str:
    """The paper's authors as text that parse_authors_text() reads back to
    the same list (reads the prefetched authorships)."""
    placed = paper.placed_authorships()
    names = [f"{row.person.name}{'*' if row.equal_contribution else ''}" for row in placed]
    text = ", ".join(names)
    unplaced = [row.person.name for row in paper.unplaced_authorships()]
    if unplaced:
        text = f"{text} (incl. {', '.join(unplaced)})".strip()
    if not paper.authors_complete and names:
        others = (paper.author_count or 0) - len(placed)
        text += f", and {others} others" if others > 0 else ", et al."
    return text


def _near_miss(name: str, people: People, exclude: Person) -> str:
    choices = {pk: p.name for pk, p in people.people.items() if p is not exclude}
    best = process.extractOne(
        name, choices, scorer=fuzz.ratio, processor=str.casefold, score_cutoff=NEAR_MISS_SCORE
    )
    return f"close to the existing {best[0]}" if best else ""


def _link(author: AuthorRecord, people: People, where: str) -> AuthorLink:
    link = AuthorLink(author.name, None, author.position, author.equal_contribution, "existing")
    if author.surname_only:
        candidates = [p.name for p in people.candidates(author.name) if p.pk is not None]
        link.person, resolved = people.surname(author.name, where)
        if resolved:
            link.how = "surname"
        elif link.person.pk is None:
            link.how = "new"
            link.doubt = (
                "a surname that matches " + " and ".join(sorted(candidates))
                if candidates
                else "a surname only, matching no one"
            )
        return link
    existing = people.known(author.name)
    link.person = existing or people.full_name(author.name)
    if existing is None and link.person.pk is not None:
        link.how = "initials"
    elif link.person.pk is None:
        link.how = "new"
        link.doubt = _near_miss(author.name, people, link.person)
    return link


def plan_authors(text: str, *, paper: Paper, using: str = "default") -> AuthorsPlan:
    """Resolve the text's names against the catalog (reads people and
    aliases once; writes nothing). Raises AuthorsTextError."""
    parsed = parse_authors_text(text)
    people = People(using)
    where = f"the admin, paper “{paper.title}”"
    # Full names first, as an import does: a surname then resolves against
    # the full names of this very list too.
    links: list[AuthorLink | None] = [None] * len(parsed.authors)
    for surname_pass in (False, True):
        for i, author in enumerate(parsed.authors):
            if author.surname_only == surname_pass:
                links[i] = _link(author, people, where)
    return AuthorsPlan(parsed, links, people)


def current_rows(paper: Paper) -> list[tuple[int | None, int | None, bool]]:
    rows = paper.authorships.all()
    return [(row.person_id, row.position, row.equal_contribution) for row in rows]


def plan_changes_paper(plan: AuthorsPlan, paper: Paper) -> bool:
    """Whether applying the plan would change anything (new people do)."""
    return (
        plan.rows() != current_rows(paper)
        or plan.parsed.complete != paper.authors_complete
        or plan.parsed.declared_count != paper.author_count
    )


@transaction.atomic
def paper_set_authors(*, paper: Paper, plan: AuthorsPlan) -> list[str]:
    """Write the plan: new people, their aliases, the ordered authorships,
    the completeness fields, and the staff-edit marks so that no import
    overwrites them. Returns the names of the fields it marked."""
    people = plan.people
    for person in people.new_people:
        person.save()
    for person in people.flagged:
        person.save(update_fields=["needs_review", "review_note"])
    for person, name in people.new_aliases:
        PersonAlias.objects.get_or_create(person=person, name=name)
    Authorship.objects.filter(paper=paper).delete()
    Authorship.objects.bulk_create(
        Authorship(paper=paper, person=link.person, position=pos, equal_contribution=eq)
        for link, (_, pos, eq) in zip(plan.links, plan.rows(), strict=True)
    )
    marked = ["authors"]
    if paper.authors_complete != plan.parsed.complete:
        marked.append("authors_complete")
    if paper.author_count != plan.parsed.declared_count:
        marked.append("author_count")
    paper.authors_complete = plan.parsed.complete
    paper.author_count = plan.parsed.declared_count
    paper.staff_edited_fields = sorted(set(paper.staff_edited_fields) | set(marked))
    if not any(author.surname_only for author in plan.parsed.authors):
        # Staff named every author in full: the doubts about the old list are settled.
        note = note_without_codes(paper.review_note, AUTHOR_LIST_CODES)
        if note != paper.review_note:
            paper.review_note, paper.needs_review = note, paper.needs_review and bool(note)
    Paper.objects.filter(pk=paper.pk).update(
        authors_complete=paper.authors_complete,
        author_count=paper.author_count,
        staff_edited_fields=paper.staff_edited_fields,
        review_note=paper.review_note,
        needs_review=paper.needs_review,
    )
    return marked
