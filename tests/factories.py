"""Small factories for edge cases: each makes one valid row, overridable.

`make_paper` writes a paper the way the application does (save(), so its slug
comes from the model); `make_papers` writes many at once, in a fixed number of
queries, for tests that need a catalog of some size rather than one paper.
tests/test_factories.py holds the two to the same rows.
"""

import itertools

from catalog.citekeys import FreeKeys, citation_key_base
from catalog.models import RESERVED_PAPER_SLUGS, Authorship, Award, Paper
from core.slugs import next_free_slug, slug_base
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
    people = [author if isinstance(author, Person) else make_person(author) for author in authors]
    Authorship.objects.bulk_create(
        Authorship(paper=paper, person=person, position=position)
        for position, person in enumerate(people, start=1)
    )
    if awards:
        paper.awards.set(awards)
    Paper.objects.filter(pk=paper.pk).refresh_search_index()
    Paper.objects.filter(pk=paper.pk).assign_citation_keys()
    paper.refresh_from_db(fields=["citation_key"])
    return paper


# What each model's save() passes to unique_slug_for() (catalog/slugs.py).
_SLUG_RULES = {
    Paper: ("title", {"max_length": 100, "fallback": "paper", "reserved": RESERVED_PAPER_SLUGS}),
    Person: ("name", {"fallback": "person"}),
}


def _give_slugs(objects):
    """The slug each object's save() would give it, saved one after another."""
    if not objects:
        return
    model = type(objects[0])
    source, rules = _SLUG_RULES[model]
    reserved = rules.get("reserved", frozenset())
    taken = set(model._default_manager.values_list("slug", flat=True))
    for obj in objects:
        if not obj.slug:
            base = slug_base(
                getattr(obj, source),
                max_length=rules.get("max_length", 80),
                fallback=rules["fallback"],
            )
            obj.slug = next_free_slug(base, taken | reserved)
        taken.add(obj.slug)


def _give_citation_keys(papers, first_authors):
    """The key assign_citation_keys() would give each paper, keyed one after
    another as make_paper() does: worked out here, where each paper's first
    author is known, instead of re-reading the papers and their authors and
    updating every row once written."""
    keys = FreeKeys(
        set(Paper.objects.exclude(citation_key="").values_list("citation_key", flat=True))
    )
    for paper, first in zip(papers, first_authors, strict=True):
        if not paper.citation_key:  # one given in the spec is kept, as make_paper() keeps it
            # Paper.citation_key_base(), from the first placed author's name.
            paper.citation_key = keys.next_free(citation_key_base(first, paper.year, paper.title))
        keys.taken.add(paper.citation_key)


def make_papers(specs):
    """Papers as `make_paper(**spec)` makes each, for every spec in order (the same
    slugs, new people for names, citation keys and search index), in a fixed
    number of queries whatever their number."""
    specs = [dict(spec) for spec in specs]
    new_people, papers = [], []
    for spec in specs:
        title = spec.pop("title", None) or f"Paper {next(_counter)}"
        spec["authors"] = [
            author if isinstance(author, Person) else Person(name=author)
            for author in spec.pop("authors", ())
        ]
        new_people += [person for person in spec["authors"] if person.pk is None]
        spec["awards"] = list(spec.pop("awards", ()))
        papers.append(
            Paper(title=title, **{k: v for k, v in spec.items() if k not in ("authors", "awards")})
        )
    _give_slugs(new_people)
    Person.objects.bulk_create(new_people)
    _give_slugs(papers)
    _give_citation_keys(
        papers, [spec["authors"][0].name if spec["authors"] else None for spec in specs]
    )
    Paper.objects.bulk_create(papers)
    Authorship.objects.bulk_create(
        Authorship(paper=paper, person=person, position=position)
        for paper, spec in zip(papers, specs, strict=True)
        for position, person in enumerate(spec["authors"], start=1)
    )
    Paper.awards.through.objects.bulk_create(
        Paper.awards.through(paper=paper, award=award)
        for paper, spec in zip(papers, specs, strict=True)
        for award in spec["awards"]
    )
    Paper.objects.filter(pk__in=[paper.pk for paper in papers]).refresh_search_index()
    return papers
