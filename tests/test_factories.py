"""make_papers() (many papers in a few queries) writes exactly what one
make_paper() after another writes: the same slugs, people, authorships,
awards, citation keys and search fields. Tests build their catalogs with the
first and test the application's own writes with the second."""

import pytest
from django.db import transaction

from catalog.models import Paper
from tests.factories import make_award, make_paper, make_papers, make_person, make_venue

pytestmark = pytest.mark.django_db


def catalog_rows():
    """Every paper as written, independent of primary keys."""
    return [
        (
            paper.slug,
            paper.citation_key,
            paper.title,
            paper.venue_id,
            paper.year,
            paper.upvotes,
            paper.author_names,
            str(paper.search_vector),
            str(paper.head_vector),
            [(a.position, a.person.name, a.person.slug) for a in paper.authorships.all()],
            sorted(paper.awards.values_list("name", flat=True)),
        )
        for paper in Paper.objects.order_by("pk").prefetch_related("authorships__person")
    ]


def test_make_papers_writes_what_one_make_paper_after_another_writes():
    venue, oral = make_venue("ICML"), make_award("Oral")
    stella = make_person("Stella Biderman")
    make_paper("Pythia", year=2023, authors=[stella])  # already there: keys and slugs go on
    specs = [
        {"title": "Pythia", "year": 2023, "authors": [stella, "Leo Gao"], "awards": [oral]},
        {"title": "Pythia", "year": 2023, "authors": ["Stella Biderman"], "venue": venue},
        {"title": "Export", "year": 2020, "upvotes": 3},  # a reserved slug
        {"title": "word " * 60, "authors": ["Leo Gao", "Małgorzata Połacin"]},
        {"title": "!!!", "abstract": "No letters in the title at all."},
        {"title": "The Pile", "year": 2020, "authors": [stella], "awards": [oral]},
        # Keys from names with particles and accents, keys with no author or
        # year colliding within the batch, and bases cut to their 60 characters.
        {"title": "BLOOM", "year": 2022, "authors": ["Teven Le Scao", "Hugo Laurençon"]},
        {"title": "OBELICS", "year": 2023, "authors": ["Hugo Laurençon"]},
        {"title": "???"},
        {"title": "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2, "year": 2021},
        {"title": "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3, "year": 2021},
    ]
    before = transaction.savepoint()
    made = make_papers(specs)
    bulk = catalog_rows()
    assert [paper.citation_key for paper in made] == [row[1] for row in bulk[1:]]
    assert [paper.citation_key for paper in made][-5:] == [
        "lescao2022bloom",
        "laurencon2023obelics",
        "anona",
        "anon2021pneumonoultramicroscopicsilicovolcanoconiosispneumon",
        "anon2021pneumonoultramicroscopicsilicovolcanoconiosispneumona",
    ]
    transaction.savepoint_rollback(before)

    one_by_one = [make_paper(**spec) for spec in specs]
    assert catalog_rows() == bulk
    assert [p.citation_key for p in one_by_one] == [p.citation_key for p in made]
