"""A synthetic catalog of any size and a query counter, for query-budget tests.

Pages and exports must make the same number of queries with 1 paper and
with 100; these build the two catalogs the same way.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Authorship, Award, Paper, PaperSource
from people.models import Person, PersonAlias
from tests.factories import make_award, make_papers, make_person, make_venue
from venues.models import Venue

# The sizes tests take from the `budget_catalog` fixture (tests/conftest.py),
# each built once per session.
BUDGET_SIZES = (1, 30, 60, 100)


def build_catalog(n):
    """`n` papers at ICML by Stella Biderman and two others each, with an award."""
    venue = make_venue("ICML", kind="conference")
    award = make_award("Oral")
    stella = make_person("Stella Biderman")
    PersonAlias.objects.create(person=stella, name="S. Biderman")
    papers = make_papers(
        {
            "title": f"Paper {i} scaling",
            "venue": venue,
            "year": 2000 + i % 20,
            "authors": [stella, f"Coauthor {i}", f"Second {i}"],
            "awards": [award],
            "abstract": f"Abstract {i} with $x^{i}$ math.",
            "upvotes": i,
        }
        for i in range(n)
    )
    PaperSource.objects.bulk_create(
        PaperSource(paper=paper, listing="000.txt", format="blog", entry_index=i + 1, line=i + 1)
        for i, paper in enumerate(papers)
    )
    # One unplaced author, as from "(incl. …)", on the first paper.
    first = Paper.objects.get(slug="paper-0-scaling")
    Authorship.objects.create(paper=first, person=make_person("Unplaced"), position=None)


def empty_catalog():
    Paper.objects.all().delete()
    Person.objects.all().delete()
    Venue.objects.all().delete()
    Award.objects.all().delete()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    # A statement is prepared once per connection (core.prepared), by
    # whichever page runs it first: not one of the page's queries.
    return len([q for q in captured if not q["sql"].startswith("PREPARE ")])


def listed_slugs(client, params):
    """Every paper the list page shows for `params`, across all its pages, in order."""
    slugs, page = [], 1
    while True:
        response = client.get("/papers/", {**params, "page": page})
        assert response.status_code == 200
        slugs += [paper.slug for paper in response.context["object_list"]]
        if not response.context["page_obj"].has_next():
            return slugs
        page += 1
