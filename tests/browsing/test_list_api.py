"""The paper list's pieces used without a view (as the JSON API does): the
selector filters and sorts like the page, the facets are counted from a
FilterSet alone, and chips and links are computed from their inputs only."""

import pytest
from django.http import QueryDict

from catalog.facets import Chip, chips, count_facets, facet_entries, unknown_values
from catalog.filters import ActiveFilters
from catalog.links import list_url, sort_links, toggled
from catalog.models import Paper
from catalog.selectors import paper_filter, paper_list
from tests.browsing.conftest import keys

NO_NAMES = {"venue": {}, "author": {}, "award": {}}


@pytest.mark.django_db
def test_the_selector_returns_what_the_list_page_shows_in_the_same_order(client, catalog):
    params = QueryDict("author=stella-biderman&year_from=2022&sort=oldest")
    assert keys(catalog, client.get("/papers/", params)) == ["gptneox", "pythia", "obelics"]
    by_title = {paper.title: key for key, paper in catalog["papers"].items()}
    assert [by_title[paper.title] for paper in paper_list(params)] == [
        "gptneox",
        "pythia",
        "obelics",
    ]


@pytest.mark.django_db
def test_the_selector_takes_a_plain_dict_and_any_queryset(catalog):
    params = {"venue": ["icml"], "sort": "title", "year_from": 2020}
    papers = paper_list(params, queryset=Paper.objects.for_export())
    assert [paper.slug for paper in papers] == [
        catalog["papers"]["gptneox"].slug,
        catalog["papers"]["pythia"].slug,
    ]


@pytest.mark.django_db
def test_facets_are_counted_from_a_filterset_alone(catalog):
    counts = count_facets(paper_filter(QueryDict("venue=icml&venue=no-such")))
    assert counts.total == 2
    assert {slug: n for slug, _, n in counts.venues} == {"icml": 2, "arxiv": 1, "neurips": 1}
    assert counts.names()["venue"]["icml"] == "ICML"
    active = paper_filter(QueryDict("venue=icml&venue=no-such")).active()
    assert unknown_values(active, counts.names()) == ["There is no venue “no-such” in the catalog."]
    entries = facet_entries(counts, active, QueryDict("venue=icml&venue=no-such&page=2"))
    icml = next(entry for entry in entries["venues"] if entry.label == "ICML")
    assert icml.active and icml.url == "?venue=no-such"


def test_chips_need_only_the_active_filters_the_names_and_the_parameters():
    active = ActiveFilters(search="pythia", venues=("icml",), year=2023, award="oral")
    names = {"venue": {"icml": "ICML"}, "author": {}, "award": {}}
    params = QueryDict("q=pythia&venue=icml&year=2023&award=oral&sort=title&page=3")
    assert chips(active, names, params) == [
        Chip("Search: “pythia”", "?venue=icml&year=2023&award=oral"),
        Chip("Venue: ICML", "?q=pythia&year=2023&award=oral&sort=title"),
        Chip("Year: 2023", "?q=pythia&venue=icml&award=oral&sort=title"),
        # A slug whose name is not known is shown as it is.
        Chip("Award: oral", "?q=pythia&venue=icml&year=2023&sort=title"),
    ]
    assert unknown_values(ActiveFilters(authors=("nobody",)), NO_NAMES) == [
        "There is no person “nobody” in the catalog."
    ]


def test_links_keep_the_other_parameters_and_go_back_to_the_first_page():
    params = QueryDict("venue=icml&venue=iclr&utm=x&page=4")
    assert list_url(params, venue=toggled(["icml", "iclr"], "icml")) == "?utm=x&venue=iclr"
    assert list_url(params, venue=toggled([], "acl")) == "?utm=x&venue=acl"
    assert list_url(None) == "?"
    labels = [(label, current) for label, _, current in sort_links(params, "title", False)]
    assert labels == [
        ("Newest first", False),
        ("Oldest first", False),
        ("Title", True),
        ("Most upvoted", False),
    ]
