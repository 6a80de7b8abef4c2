"""List pages at scale — query budgets of deep and sorted pages, the
number of results from the facet query, and the catalog-version cache that
must never serve a page from before a write (whoever writes, however)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.functions import Lower
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from catalog.models import NEWEST_ORDER, Authorship, Paper
from core import pagination
from core.cache import catalog_version
from people import views as people_views
from people.models import Person
from tests.factories import make_paper, make_papers, make_person, make_venue
from venues.models import Venue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

LIST_BUDGET = 8
URLS = [
    "/papers/?page=2",
    "/papers/?sort=title&page=3",
    "/papers/?sort=oldest&page=4",
    "/papers/?q=scaling&sort=relevance&page=2",
    "/papers/?venue=icml&year_from=2005&year_to=2015&page=2",
]


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response


@pytest.mark.cache
@pytest.mark.parametrize("url", URLS)
def test_deep_and_sorted_pages_keep_the_budget(client, url, budget_catalog):
    budget_catalog(100)
    cold, _ = queries(client, url)
    assert cold <= LIST_BUDGET, f"{url}: {cold} queries"
    # The same page again comes from the cache: one query (the catalog version).
    warm, _ = queries(client, url)
    assert warm == 1, f"{url}: {warm} queries when cached"


def test_the_number_of_results_needs_no_count_query(client, budget_catalog):
    budget_catalog(30)
    _, response = queries(client, "/papers/?year=2005")
    assert response.context["total"] == Paper.objects.filter(year=2005).count() == 2
    _, response = queries(client, "/papers/?year_from=2010")
    assert response.context["total"] == Paper.objects.filter(year__gte=2010).count()
    assert response.context["paginator"].num_pages == 1
    # The total includes papers without a year.
    make_paper("No year at all", year=None)
    _, response = queries(client, "/papers/")
    assert response.context["total"] == Paper.objects.count() == 31


def test_deep_pages_list_the_same_papers_as_offsets_do(client, budget_catalog):
    budget_catalog(60)
    expected = list(Paper.objects.newest_first().values_list("title", flat=True))
    seen = []
    for page in (1, 2, 3):
        response = client.get(f"/papers/?page={page}")
        seen += [p.title for p in response.context["object_list"]]
    assert seen == expected
    assert client.get("/papers/?page=4").status_code == 404


def test_every_kind_of_write_changes_the_catalog_version():
    version = catalog_version()
    assert version is not None
    paper = make_paper("Versioned")  # save()
    after_save = catalog_version()
    assert after_save != version
    Paper.objects.filter(pk=paper.pk).update(title="Renamed")  # no signals
    after_update = catalog_version()
    assert after_update != after_save
    Person.objects.bulk_create([Person(name="Bulk Person", slug="bulk-person")])
    after_bulk = catalog_version()
    assert after_bulk != after_update
    Authorship.objects.filter(paper=paper).delete()
    Paper.objects.filter(pk=paper.pk).delete()
    assert catalog_version() != after_bulk


@pytest.mark.cache
def test_a_cached_list_never_outlives_a_write(client):
    stella = make_person("Stella Biderman")
    paper = make_paper("Pythia", venue=make_venue("ICML"), year=2023, authors=[stella])
    assert b"Pythia" in client.get("/papers/").content
    assert b"Pythia" in client.get("/papers/").content  # now cached
    # A write that sends no signals at all still shows at once.
    Paper.objects.filter(pk=paper.pk).update(title="Pythia Renamed")
    content = client.get("/papers/").content
    assert b"Pythia Renamed" in content
    # Facet counts follow too: a second ICML paper by Stella.
    make_paper("Second", venue=paper.venue, year=2023, authors=[stella])
    response = client.get("/papers/")
    venues = {entry.label: entry.count for entry in response.context["facets"]["venues"]}
    authors = {entry.label: entry.count for entry in response.context["facets"]["authors"]}
    assert venues == {"ICML": 2}
    assert authors == {"Stella Biderman": 2}
    Person.objects.filter(pk=stella.pk).update(name="Stella R. Biderman")
    assert b"Stella R. Biderman" in client.get("/papers/").content


@pytest.mark.cache
@override_settings(PAPERSHELF_CACHE_PAGES=False)
def test_cached_facet_html_follows_writes_and_parameters(client):
    """The rendered facets are cached per catalog version and parameters
    (the whole page is not, here): links keep each request's own parameters,
    and a write that sends no signals still shows at once."""
    icml = make_venue("ICML")
    make_paper("Pythia", venue=icml, year=2023)
    html = client.get("/papers/").content.decode()
    assert '<span class="label">ICML</span> <span class="count">1</span>' in html
    # Another sort: the same counts, but links that keep this sort.
    html = client.get("/papers/?sort=title").content.decode()
    assert 'href="?sort=title&amp;venue=icml"' in html
    assert 'href="?venue=icml"' not in html
    # Only the page differs: the same links, back on page 1.
    html = client.get("/papers/?sort=title&page=1").content.decode()
    assert 'href="?sort=title&amp;venue=icml"' in html
    Venue.objects.filter(pk=icml.pk).update(name="ICML 2023")
    html = client.get("/papers/").content.decode()
    assert '<span class="label">ICML 2023</span>' in html
    assert '<span class="label">ICML</span>' not in html


@pytest.mark.cache
def test_the_cached_front_page_follows_writes(client):
    make_paper("First Paper", year=2020)
    assert b"First Paper" in client.get("/").content
    warm, _ = queries(client, "/")
    assert warm == 1
    Paper.objects.filter(title="First Paper").update(title="Retitled Paper")
    assert b"Retitled Paper" in client.get("/").content


@pytest.mark.cache
def test_a_cached_paper_page_follows_writes_and_hosts(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
    icml, stella = make_venue("ICML"), make_person("Stella Biderman")
    make_paper("Pythia", venue=icml, year=2023, authors=[stella])
    assert "Related papers" not in client.get("/papers/pythia/").content.decode()
    assert queries(client, "/papers/pythia/")[0] == 1  # the whole page, cached
    # Another host gets its own page: canonical and metadata URLs are absolute.
    html = client.get("/papers/pythia/", HTTP_HOST="mirror.example.org").content.decode()
    assert '<link rel="canonical" href="http://mirror.example.org/papers/pythia/">' in html
    html = client.get("/papers/pythia/").content.decode()
    assert '<link rel="canonical" href="http://testserver/papers/pythia/">' in html
    # A new paper by the same author is related at once (cached per version).
    make_paper("Pythia Two", venue=icml, year=2024, authors=[stella])
    html = client.get("/papers/pythia/").content.decode()
    assert "Related papers" in html and "Pythia Two" in html


def test_an_active_filter_with_no_results_still_has_its_name(client):
    make_person("Hailey Schoelkopf")
    make_paper("Alone", year=2020, authors=[make_person("Leo Gao")], venue=make_venue("ICML"))
    response = client.get("/papers/?author=hailey-schoelkopf&venue=icml")
    assert response.context["total"] == 0
    content = response.content.decode()
    assert "Author: Hailey Schoelkopf" in content
    assert "Venue: ICML" in content
    assert "There is no" not in content


# -- person and venue pages: cached whole and by aggregates, never stale


@pytest.mark.cache
@pytest.mark.parametrize("kind", ["person", "venue"])
def test_person_and_venue_pages_are_cached_until_any_write(client, kind, budget_catalog):
    budget_catalog(30)
    url = "/people/stella-biderman/" if kind == "person" else "/venues/icml/"
    first, response = queries(client, url)
    assert first <= LIST_BUDGET
    assert queries(client, url)[0] == 1  # the whole page, from the cache
    count = response.context["page_obj"].paginator.count
    # A new paper by her in ICML: the count, the chart and the list change at once.
    stella, venue = Person.objects.get(slug="stella-biderman"), Venue.objects.get(slug="icml")
    paper = make_paper("A brand new paper", venue=venue, year=2024, authors=[stella])
    n, response = queries(client, url)
    assert n > 1
    assert response.context["page_obj"].paginator.count == count + 1
    assert "A brand new paper" in response.content.decode()
    # A raw update (no signal, no save()) invalidates too: a renamed co-author.
    Person.objects.filter(slug="coauthor-3").update(name="Renamed Coauthor")
    Paper.objects.filter(pk=paper.pk).update(title="Retitled paper")
    html = client.get(url).content.decode()
    assert "Retitled paper" in html and "A brand new paper" not in html
    if kind == "person":
        assert "Renamed Coauthor" in html
    # Another page of the same person or venue reuses the cached aggregates.
    second_page, _ = queries(client, url + "?page=1")
    assert second_page < first


def test_person_page_aggregates_match_a_direct_count(client, budget_catalog):
    budget_catalog(30)
    response = client.get("/people/stella-biderman/")
    stella = Person.objects.get(slug="stella-biderman")
    papers = Paper.objects.filter(authorships__person=stella)
    assert response.context["page_obj"].paginator.count == papers.count() == 30
    venues = {v.name: v.shared for v in response.context["venues"]}
    assert venues == {"ICML": 30}
    coauthors = {c.name: c.shared for c in response.context["coauthors"]}
    assert coauthors["Coauthor 3"] == 1 and "Stella Biderman" not in coauthors
    assert len(coauthors) == min(50, Authorship.objects.exclude(person=stella).count())


def test_a_prolific_persons_coauthors_are_counted_in_their_newest_papers(
    client, monkeypatch, budget_catalog
):
    """Past COAUTHOR_PAPERS papers, co-authors are counted in the most recently
    added ones only (a bounded read), and the page says in how many."""
    monkeypatch.setattr(people_views, "COAUTHOR_PAPERS", 10)
    budget_catalog(30)
    stella = Person.objects.get(slug="stella-biderman")
    Authorship.objects.create(
        paper=Paper.objects.get(slug="paper-29-scaling"), person=make_person("Late Coauthor")
    )
    newest = Authorship.objects.filter(person=stella).order_by("-paper_id")[:10]
    expected = {}
    for row in Authorship.objects.filter(paper_id__in=[a.paper_id for a in newest]):
        if row.person_id != stella.pk:
            expected[row.person.name] = expected.get(row.person.name, 0) + 1
    response = client.get("/people/stella-biderman/")
    coauthors = {c.name: c.shared for c in response.context["coauthors"]}
    assert coauthors == expected and len(coauthors) == 21  # two a paper, and the late one
    assert "Coauthor 0" not in coauthors  # the first paper added is not counted
    html = response.content.decode()
    assert "Counted in the 10 papers most recently added to the catalog, of 30." in html

    monkeypatch.setattr(people_views, "COAUTHOR_PAPERS", 30)
    Paper.objects.filter(pk=newest[0].paper_id).update(upvotes=1)  # a write: nothing cached
    response = client.get("/people/stella-biderman/")
    assert "Coauthor 0" in {c.name for c in response.context["coauthors"]}
    assert "Counted in the" not in response.content.decode()


# -- membership filters read from the sort index (core/pagination.py)


@pytest.mark.parametrize(
    "url",
    [
        "/papers/?author=stella-biderman",
        "/papers/?author=stella-biderman&sort=title",
        "/papers/?author=stella-biderman&sort=oldest&page=2",
        "/papers/?award=oral&sort=upvotes",
        "/people/stella-biderman/",
    ],
)
def test_walking_the_sort_index_lists_the_same_papers(client, monkeypatch, url, budget_catalog):
    """Every page read by walking the sort index (thresholds lowered so that
    a small catalog takes that path) lists what the join would, in order."""
    budget_catalog(60)
    # Papers by others, interleaved in every sort order, that must not show.
    make_papers(
        {"title": f"Someone else {i}", "year": 2000 + i % 20, "upvotes": i} for i in range(30)
    )

    def titles():
        response = client.get(url)
        assert response.status_code == 200
        return [paper.title for paper in response.context["page_obj"].object_list]

    with override_settings(PAPERSHELF_CACHE_PAGES=False):
        joined = titles()
        cache.clear()
        monkeypatch.setattr(pagination, "WALK_MIN_MATCHES", 1)
        monkeypatch.setattr(pagination, "WALK_SPREAD", 1)
        with CaptureQueriesContext(connection) as captured:
            walked = titles()
    assert walked == joined and len(walked) >= 20
    assert any(") IS TRUE" in query["sql"] for query in captured), "the walk was not taken"


SMALL_MEMBER_RESULTS = [
    # (URL, results, papers of the venue or catalog the walk ranges over)
    ("/papers/?author=stella-biderman&venue=icml&year_from=2005", 45, 45),
    ("/papers/?author=stella-biderman&year_to=2010&sort=title", 33, 90),
    ("/papers/?award=oral&venue=icml&sort=upvotes&page=2", 60, 60),
    ("/papers/?award=oral&year=2003&sort=oldest", 3, 5),
]


@pytest.mark.parametrize(("url", "results", "scope"), SMALL_MEMBER_RESULTS)
def test_a_small_result_walks_the_sort_index_of_a_small_scope(
    client, monkeypatch, url, results, scope, budget_catalog
):
    """Results of an author or award too small for the walk by their own
    count (under WALK_MIN_MATCHES) walk the sort index when the facet counts
    say the walk ranges over few papers (their venue's, in their years):
    the same papers, in order, as the join."""
    budget_catalog(60)
    make_papers(
        {"title": f"Someone else {i}", "year": 2000 + i % 20, "upvotes": i} for i in range(30)
    )

    def read():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        rows = [q["sql"] for q in captured if '"catalog_paper"."title" AS "title"' in q["sql"]]
        titles = [paper.title for paper in response.context["page_obj"].object_list]
        return titles, response.context["paginator"], rows

    with override_settings(PAPERSHELF_CACHE_PAGES=False):
        walked, paginator, rows = read()
        assert paginator.count == results < pagination.WALK_MIN_MATCHES
        assert paginator.walk_scope[0] == scope
        assert any(") IS TRUE" in sql for sql in rows), "the walk was not taken"
        cache.clear()
        monkeypatch.setattr(pagination, "WALK_ENTRIES", 0)
        monkeypatch.setattr(pagination, "WALK_PER_MEMBER", 0)
        joined, _, rows = read()
        assert not any(") IS TRUE" in sql for sql in rows)
    assert walked == joined and walked


@pytest.mark.parametrize(
    ("count", "scope", "members", "top", "walks"),
    [
        (213, 7000, 2482, 25, True),  # 822 entries walked
        (213, 7000, 2482, 125, True),  # 4,108 <= 4 per member
        (213, 7000, 100, 125, False),  # 4,108 > 2,000 and 400
        (166, 100_000, 2482, 25, False),  # 15,060 entries
        (10, 0, 10, 10, True),  # nothing to walk past
    ],
)
def test_the_walk_is_taken_when_it_passes_few_index_entries(count, scope, members, top, walks):
    paginator = pagination.DeferredJoinPaginator(
        [], 25, count=count, walk_sort_index=True, walk_scope=(scope, members)
    )
    assert paginator._walks_sort_index(top) is walks
    assert not pagination.DeferredJoinPaginator(
        [], 25, count=count, walk_sort_index=False, walk_scope=(scope, members)
    )._walks_sort_index(top)


def test_a_person_page_names_the_most_frequent_venues(client):
    stella = make_person("Stella Biderman")
    specs = []
    for i in range(30):
        venue = make_venue(f"Venue {i:02d}")
        for _ in range(1 + (i == 7)):
            specs.append(
                {"title": f"Paper {i} {_}", "venue": venue, "year": 2020, "authors": [stella]}
            )
    make_papers(specs)
    html = client.get("/people/stella-biderman/").content.decode()
    venues = re.search(r'id="venues-heading".*?</ul>', html, re.S).group(0)
    assert "The 25 most frequent of 30." in venues
    assert venues.count("<li>") == 25
    # The venue with two papers comes first, then by name.
    assert re.findall(r'class="label">([^<]+)<', venues)[:3] == ["Venue 07", "Venue 00", "Venue 01"]


@pytest.mark.parametrize(
    ("sort", "ordered"),
    [
        ("title", lambda papers: papers.order_by(Lower("title"), "id")),
        ("oldest", lambda papers: papers.oldest_first()),
        ("newest", lambda papers: papers.newest_first()),
        (
            "upvotes",
            lambda papers: papers.order_by(F("upvotes").desc(nulls_last=True), *NEWEST_ORDER),
        ),
    ],
)
def test_pages_past_the_middle_list_the_same_papers_read_from_the_end(
    client, budget_catalog, sort, ordered
):
    budget_catalog(60)
    expected = list(ordered(Paper.objects.filter(year__gte=2000)).values_list("title", flat=True))
    pages = -(-len(expected) // 25)
    assert pages >= 3
    seen, counts = [], []
    for page in range(1, pages + 1):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/papers/?year_from=2000&sort={sort}&page={page}")
        seen += [p.title for p in response.context["object_list"]]
        counts.append(len(captured))
    assert seen == expected
    # Read from the end, the last page costs no more queries than the first.
    assert counts[-1] <= counts[0]


def test_a_page_past_the_middle_reads_from_the_end_of_its_order(budget_catalog):
    budget_catalog(60)
    papers = Paper.objects.filter(year__gte=2000).order_by(Lower("title"), "id")
    count = papers.count()
    paginator = pagination.DeferredJoinPaginator(papers, 5, count=count, rows_from=Paper.objects)
    last = paginator.num_pages
    titles = list(papers.values_list("title", flat=True))
    for number in (1, 2, last - 1, last):
        with CaptureQueriesContext(connection) as captured:
            page = list(paginator.page(number))
        assert [p.title for p in page] == titles[(number - 1) * 5 : number * 5]
        assert len(captured) == 1
        from_the_end = "DESC" in captured[0]["sql"]
        assert from_the_end == ((number - 1) * 5 > count - number * 5)
    # An order with ties (no id at its end) is always read from the start.
    by_year = Paper.objects.filter(year__gte=2000).order_by("year")
    tied = pagination.DeferredJoinPaginator(by_year, 5, count=count, rows_from=Paper.objects)
    with CaptureQueriesContext(connection) as captured:
        list(tied.page(tied.num_pages))
    assert "DESC" not in captured[0]["sql"]
