"""Small factories for edge cases: each makes one valid row, overridable."""

import itertools

from catalog.models import Authorship, Award, Paper
from people.models import Person
from venues.models import Venue

_counter = itertools.count(1)


def make_venue(name=None, **fields):
    return Venue.objects.create(name=name or f"Venue {next(_counter)}", **fields)


def make_person(name=None, **fields):
    return Person.objects.create(name=name or f"Person {next(_counter)}", **fields)


def make_award(name=None, **fields):
    return Award.objects.create(name=name or f"Award {next(_counter)}", **fields)


def make_paper(title=None, *, authors=(), awards=(), **fields):
    """A paper; `authors` are people (or names) in order. Its search index is
    refreshed, as every writer must (see catalog/search.py)."""
    paper = Paper.objects.create(title=title or f"Paper {next(_counter)}", **fields)
    for position, author in enumerate(authors, start=1):
        person = author if isinstance(author, Person) else make_person(author)
        Authorship.objects.create(paper=paper, person=person, position=position)
    if awards:
        paper.awards.set(awards)
    Paper.objects.filter(pk=paper.pk).refresh_search_index()
    Paper.objects.filter(pk=paper.pk).assign_citation_keys()
    paper.refresh_from_db(fields=["citation_key"])
    return paper
