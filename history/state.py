"""A paper's curated state as history records it, and putting it back.

The state is a JSON-friendly dict: the imported fields (catalog.models.
IMPORTED_FIELDS), the URL and the review fields; the venue and awards by
name (both unique); authors in order as [name, position, equal contribution,
person id], the id so that a revert or undo finds the same person even after
a rename.
"""

from __future__ import annotations

import datetime

from catalog.models import IMPORTED_FIELDS, Authorship, Award, Paper
from venues.models import Venue

RELATION_FIELDS = ("venue", "awards", "authors")
COLUMN_FIELDS = (
    *(f for f in IMPORTED_FIELDS if f not in RELATION_FIELDS),
    "url",
    "needs_review",
    "review_note",
)
CURATED_FIELDS = COLUMN_FIELDS + RELATION_FIELDS


def json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def author_rows(authorships) -> list[list]:
    rows = sorted(authorships, key=lambda a: (a.position is None, a.position or 0, a.pk or 0))
    return [[a.person.name, a.position, a.equal_contribution, a.person_id] for a in rows]


def curated_state(paper: Paper, *, awards=None, authorships=None) -> dict:
    """The paper's state, from its prefetched venue, awards and authorships
    (Paper.objects.with_relations()), or the awards and authorships (with
    people) the caller read itself (the importer): no queries then."""
    state = {name: json_value(getattr(paper, name)) for name in COLUMN_FIELDS}
    state["venue"] = paper.venue.name if paper.venue_id else ""
    awards = paper.awards.all() if awards is None else awards
    state["awards"] = sorted(a.name for a in awards)
    state["authors"] = author_rows(paper.authorships.all() if authorships is None else authorships)
    return state


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} of the fields that differ, in CURATED_FIELDS order."""
    return {
        name: [before.get(name), after.get(name)]
        for name in CURATED_FIELDS
        if name in after and before.get(name) != after.get(name)
    }


def state_before(paper_state: dict, later_revisions) -> dict:
    """The state before `later_revisions` (newest first), walked back from
    `paper_state`: each change's "before" value, newest to oldest."""
    state = dict(paper_state)
    for revision in later_revisions:
        for name, (before, _after) in revision.changes.items():
            state[name] = before
    return state


def missing_references(state: dict, fields) -> dict[str, list[str]]:
    """{field: names} of the venue, awards and people `state` names in
    `fields` that no longer exist (deleted since): apply_state() cannot
    write those fields."""
    from people.models import Person

    missing = {}
    venue = state["venue"] if "venue" in fields else ""
    if venue and not Venue.objects.filter(name=venue).exists():
        missing["venue"] = [venue]
    if "awards" in fields and state["awards"]:
        found = set(Award.objects.filter(name__in=state["awards"]).values_list("name", flat=True))
        if gone := [name for name in state["awards"] if name not in found]:
            missing["awards"] = gone
    if "authors" in fields and state["authors"]:
        ids = [row[3] for row in state["authors"]]
        found = set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if gone := [row[0] for row in state["authors"] if row[3] not in found]:
            missing["authors"] = gone
    return missing


def apply_state(paper: Paper, state: dict, fields) -> None:
    """Write `fields` of `state` to the paper (columns saved by the caller's
    paper.save(); relations here)."""
    for name in fields:
        value = state[name]
        if name in COLUMN_FIELDS:
            if name == "published_on" and value:
                value = datetime.date.fromisoformat(value)
            setattr(paper, name, value)
        elif name == "venue":
            paper.venue = Venue.objects.get(name=value) if value else None
    if "awards" in fields:
        paper.awards.set(Award.objects.filter(name__in=state["awards"]))
    if "authors" in fields:
        paper.authorships.all().delete()
        Authorship.objects.bulk_create(
            [
                Authorship(
                    paper=paper, person_id=person_id, position=position, equal_contribution=eq
                )
                for _name, position, eq, person_id in state["authors"]
            ]
        )


def readable(name: str, value) -> str:
    """A field's value as the History page shows it."""
    if name == "authors":
        return (
            ", ".join(
                f"{author[0]}{'*' if author[2] else ''}"
                + ("" if author[1] is not None else " (position unknown)")
                for author in value or []
            )
            or "—"
        )
    if name == "awards":
        return ", ".join(value or []) or "—"
    if value in (None, ""):
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def label(name: str) -> str:
    if name in RELATION_FIELDS:
        return name
    return str(Paper._meta.get_field(name).verbose_name)
