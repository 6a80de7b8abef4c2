"""Every browsing page makes the same number of queries with 1 paper and with
100 (no per-row queries), within a small budget (issue 4)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Authorship, Award, Paper
from people.models import Person, PersonAlias
from tests.factories import make_award, make_paper, make_person, make_venue
from venues.models import Venue

pytestmark = pytest.mark.django_db

# The budget each page is held to; a change here should be a deliberate one.
BUDGET = {
    # +1: the papers-per-year chart's grouped query (issue 5); +1: the catalog
    # version its page cache is keyed on (issue 7; 1 query in all when cached).
    "/": 7,
    "/papers/": 8,
    "/papers/?q=scaling&venue=icml&author=stella-biderman&year_from=2000&award=oral": 8,
    "/papers/?sort=upvotes&page=1": 8,
    "/papers/paper-0-scaling/": 5,
    "/people/": 2,
    "/people/?q=biderman&sort=papers": 2,
    # One grouped query gives the chart, the venues and the number of papers;
    # +1: the catalog version its page cache is keyed on (issue 7).
    "/people/stella-biderman/": 8,
    "/venues/": 2,
    # The chart's query also counts the papers; +1: the catalog version its
    # page cache is keyed on (issue 7; 1 query in all when cached).
    "/venues/icml/": 7,
    "/awards/": 2,
    "/awards/oral/": 5,
}


def build_catalog(n):
    venue = make_venue("ICML")
    award = make_award("Oral")
    stella = make_person("Stella Biderman")
    PersonAlias.objects.create(person=stella, name="S. Biderman")
    for i in range(n):
        paper = make_paper(
            f"Paper {i} scaling",
            venue=venue,
            year=2000 + i % 20,
            authors=[stella, f"Coauthor {i}", f"Second {i}"],
            awards=[award],
            abstract=f"Abstract {i} with $x^{i}$ math.",
            upvotes=i,
        )
        paper.sources.create(listing="000.txt", format="blog", entry_index=i + 1, line=i + 1)
    # One unplaced author, as from "(incl. …)", on the first paper.
    first = Paper.objects.get(slug="paper-0-scaling")
    Authorship.objects.create(paper=first, person=make_person("Unplaced"), position=None)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("url", list(BUDGET))
def test_query_count_does_not_grow_with_the_catalog(client, url):
    build_catalog(1)
    with_one = count_queries(client, url)
    Paper.objects.all().delete()
    Person.objects.all().delete()
    Venue.objects.all().delete()
    Award.objects.all().delete()
    build_catalog(100)
    with_hundred = count_queries(client, url)
    assert with_one == with_hundred, (
        f"{url}: {with_one} queries with 1 paper, {with_hundred} with 100"
    )
    assert with_hundred <= BUDGET[url], f"{url}: {with_hundred} queries, budget {BUDGET[url]}"
