"""Paper.author_names has one definition (catalog.search.join_author_names);
every fast way of computing it must give what the slow, obvious one gives:
author_names_by_paper(), which reads the rows and joins them in Python."""

import pytest
from django.db import connection

from catalog.models import Authorship, Paper
from catalog.search import author_names_by_paper, author_names_sql
from people.models import Person, PersonAlias

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers():
    """Papers with authors out of insertion order, unplaced authors, people
    with several name variants (mixed case and accents, inserted out of
    order), a person shared by two papers, and a paper without authors."""
    stella, aarohi, teven, lone = (
        Person.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        for name in ("Stella Biderman", "Aarohi Srivastava", "Teven Le Scao", "Lone Author")
    )
    for person, names in [
        (stella, ["S. Biderman", "biderman", "Bidérman, Stella"]),
        (teven, ["Le Scao", "T. Le Scao"]),
    ]:
        for name in names:
            PersonAlias.objects.create(person=person, name=name)
    first = Paper.objects.create(title="First", slug="first")
    second = Paper.objects.create(title="Second", slug="second")
    empty = Paper.objects.create(title="No authors", slug="no-authors")
    for paper, person, position in [
        (first, teven, 3),
        (first, stella, 1),
        (first, aarohi, None),
        (first, lone, 2),
        (second, stella, None),
        (second, teven, None),
    ]:
        Authorship.objects.create(paper=paper, person=person, position=position)
    return [first, second, empty]


def slow_author_names(papers):
    return author_names_by_paper(
        [p.pk for p in papers],
        authorship_model=Authorship,
        alias_model=PersonAlias,
        using="default",
    )


def stored_author_names():
    return dict(Paper.objects.values_list("pk", "author_names"))


def variants(name):
    """A person's name variants, "; "-joined in the database's order of names."""
    aliases = PersonAlias.objects.filter(person__name=name).order_by("name")
    return "; ".join(aliases.values_list("name", flat=True))


def test_the_slow_definition_lists_names_in_author_order_then_each_authors_variants(papers):
    first, second, empty = papers
    stella, teven = variants("Stella Biderman"), variants("Teven Le Scao")
    assert slow_author_names(papers) == {
        first.pk: "Stella Biderman; Lone Author; Teven Le Scao; Aarohi Srivastava; "
        f"{stella}; {teven}",
        second.pk: f"Stella Biderman; Teven Le Scao; {stella}; {teven}",
        empty.pk: "",
    }


def test_refresh_search_index_stores_what_the_slow_definition_gives(papers):
    Paper.objects.update(author_names="stale")
    Paper.objects.all().refresh_search_index()
    assert stored_author_names() == slow_author_names(papers)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_sql_for_every_paper_stores_what_the_slow_definition_gives(papers):
    Paper.objects.update(author_names="stale")
    sql = author_names_sql(
        Paper,
        authorship_model=Authorship,
        alias_model=PersonAlias,
        connection=connection,
        ids=False,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
    assert stored_author_names() == slow_author_names(papers)
