"""Facet counts follow the other active filters and match direct ORM counts."""

import pytest

from catalog import counts as kept_counts
from catalog.models import Authorship, Paper

pytestmark = pytest.mark.django_db

URL = "/papers/"


def facet(response, name):
    return {entry.label: entry.count for entry in response.context["facets"][name]}


def test_without_filters_facets_count_the_whole_catalog(client, catalog):
    response = client.get(URL)
    assert facet(response, "venues") == {
        venue.name: Paper.objects.filter(venue=venue).count()
        for venue in catalog["venues"].values()
    }
    years = Paper.objects.exclude(year=None).values_list("year", flat=True)
    assert facet(response, "years") == {str(y): list(years).count(y) for y in set(years)}
    assert facet(response, "awards") == {
        award.name: award.papers.count() for award in catalog["awards"].values()
    }
    assert facet(response, "authors") == {
        person.name: Authorship.objects.filter(person=person).count()
        for person in catalog["people"].values()
    }


def test_venue_counts_ignore_the_venue_filter_but_follow_the_others(client, catalog):
    response = client.get(URL, {"venue": "icml", "year": "2023"})
    expected = {
        venue.name: Paper.objects.filter(venue=venue, year=2023).count()
        for venue in catalog["venues"].values()
        if Paper.objects.filter(venue=venue, year=2023).exists()
    }
    assert facet(response, "venues") == expected == {"ICML": 1, "NeurIPS": 1}


def test_year_counts_follow_venue_and_author(client, catalog):
    response = client.get(URL, {"venue": "icml", "author": "stella-biderman", "year": "2022"})
    stella_icml = Paper.objects.filter(
        venue__slug="icml", authorships__person__slug="stella-biderman"
    )
    assert facet(response, "years") == {"2023": 1, "2022": 1}
    assert stella_icml.count() == 2


def test_author_counts_are_within_the_current_results(client, catalog):
    response = client.get(URL, {"author": "hailey-schoelkopf"})
    hailey_papers = Paper.objects.filter(authorships__person__slug="hailey-schoelkopf")
    expected = {
        person.name: hailey_papers.filter(authorships__person=person).count()
        for person in catalog["people"].values()
        if hailey_papers.filter(authorships__person=person).exists()
    }
    assert facet(response, "authors") == expected


def test_award_counts_follow_the_search(client, catalog):
    response = client.get(URL, {"q": "open"})
    # "open": OBELICS and GPT-NeoX (which has both awards).
    assert facet(response, "awards") == {"Outstanding Paper Award": 2, "Oral Presentation": 1}


def test_facet_entries_toggle_their_filter(client, catalog):
    response = client.get(URL, {"venue": "icml", "page": "1"})
    entries = {e.label: e for e in response.context["facets"]["venues"]}
    assert entries["ICML"].active
    assert entries["ICML"].url == "?"  # removing the only filter
    assert entries["NeurIPS"].url == "?venue=icml&venue=neurips"
    years = {e.label: e for e in response.context["facets"]["years"]}
    assert years["2022"].url == "?venue=icml&year=2022"


def test_active_filters_show_as_removable_chips_with_clear_all(client, catalog):
    response = client.get(URL, {"venue": "icml", "author": "leo-gao", "q": "model"})
    chips = {chip.label: chip.url for chip in response.context["chips"]}
    assert chips == {
        "Search: “model”": "?venue=icml&author=leo-gao",
        "Venue: ICML": "?author=leo-gao&q=model",
        "Author: Leo Gao": "?venue=icml&q=model",
    }
    html = response.content.decode()
    assert ">Clear all</a>" in html
    assert "(remove this filter)" in html


def test_the_result_count_and_empty_state(client, catalog):
    html = client.get(URL, {"venue": "arxiv"}).content.decode()
    assert "1\N{EN DASH}1 of 1 paper<" in html
    empty = client.get(URL, {"venue": "arxiv", "award": "oral-presentation"}).content.decode()
    assert "No papers match all of these filters" in empty
    assert "Remove Award: Oral Presentation" in empty


def test_top_authors_of_the_whole_catalog_are_exact_however_big(client, catalog, monkeypatch):
    from catalog import facets as facet_module

    monkeypatch.setattr(facet_module, "EXACT_UP_TO", 1)
    response = client.get(URL)
    assert facet(response, "authors") == {
        "Stella Biderman": 4,
        "Leo Gao": 3,
        "Hailey Schoelkopf": 3,
        "Hugo Laurençon": 1,
    }
    assert "authors" not in response.context["facets"]["samples"]
    assert "about" not in response.content.decode()


def test_top_authors_of_big_results_are_estimated_and_say_so(client, catalog, monkeypatch):
    from catalog import facets as facet_module

    monkeypatch.setattr(facet_module, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facet_module, "SAMPLE", 2)
    # Results of years alone are exact when the kept totals prove their top
    # authors (test_top_authors_of_years_proven_exact...): here they cannot.
    monkeypatch.setattr(kept_counts, "CANDIDATES", 0)
    # Nor summed from the kept cells (test_cell_facets.py): they could be.
    monkeypatch.setattr(kept_counts, "SUMMED_UP_TO", 0)
    # ICML: Pythia (2023) and GPT-NeoX (2022), both by Stella, Leo and Hailey;
    # the newest two of the three 2022-2023 papers are sampled: Pythia and OBELICS.
    response = client.get(URL, {"year_from": "2022", "year_to": "2023"})
    assert response.context["total"] == 4
    counts = facet(response, "authors")
    # Stella is on both sampled papers: 2 of 2, scaled to 4 results.
    assert counts["Stella Biderman"] == 4
    assert all(entry.estimated for entry in response.context["facets"]["authors"])
    html = response.content.decode()
    assert "Estimated from the newest 2 of these papers." in html
    assert '<abbr title="estimated">about</abbr> 4' in html
    # Venues, years and awards stay exact.
    assert facet(response, "venues") == {"ICML": 2, "NeurIPS": 1}


def test_top_authors_of_years_proven_exact_from_the_kept_totals_are_not_estimated(
    client, catalog, monkeypatch
):
    from catalog import facets as facet_module

    monkeypatch.setattr(facet_module, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facet_module, "SAMPLE", 2)
    response = client.get(URL, {"year_from": "2022", "year_to": "2023"})
    assert "authors" not in response.context["facets"]["samples"]
    assert facet(response, "authors")["Stella Biderman"] == 3
    assert "about" not in response.content.decode()


def test_top_authors_of_small_results_are_exact(client, catalog):
    response = client.get(URL, {"venue": "icml"})
    assert "authors" not in response.context["facets"]["samples"]
    assert facet(response, "authors") == {
        "Stella Biderman": 2,
        "Leo Gao": 2,
        "Hailey Schoelkopf": 2,
    }


def test_venues_and_awards_of_a_big_search_are_estimated_and_say_so(client, catalog, monkeypatch):
    from catalog import facets as facet_module

    monkeypatch.setattr(facet_module, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facet_module, "SAMPLE", 1)
    # The number of results estimated as well, never counted (COUNTED_UP_TO:
    # test_search_estimates.py), to show how little a small sample says.
    monkeypatch.setattr(facet_module, "COUNTED_UP_TO", 0)
    # "open": OBELICS (NeurIPS, 2023, Outstanding Paper) and GPT-NeoX (ICML,
    # 2022, both awards). The sample is the newest, OBELICS: the last of the
    # two 2023 papers in the sample's order (Pythia has the smaller id), so
    # it covers 1 paper, of which 1 matched; the rest of 2023 (1 paper),
    # 2022 (2) and 2020 (1) at that rate: 1 + 1 + 2 + 1 = 5 (really 2: a
    # sample of one says little, and the page says it is an estimate).
    response = client.get(URL, {"q": "open"})
    assert response.context["total"] == 5
    assert facet(response, "years") == {"2023": 2, "2022": 2, "2020": 1}
    assert all(entry.estimated for entry in response.context["facets"]["years"])
    assert facet(response, "venues") == {"NeurIPS": 5}
    assert facet(response, "awards") == {"Outstanding Paper Award": 5}
    assert response.context["facets"]["samples"] == {
        "venues": 1,
        "awards": 1,
        "authors": 1,
        "years": 1,
    }
    html = response.content.decode()
    assert "Estimated from the newest 1 of these papers." in html
    assert "of about 5 papers" in html
    assert '<meta name="description" content="about 5 papers' in html


def test_the_venue_facet_of_a_search_in_a_venue_is_sampled_and_keeps_the_chosen_one(
    client, catalog, monkeypatch
):
    from catalog import facets as facet_module

    monkeypatch.setattr(facet_module, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facet_module, "SAMPLE", 1)
    # The results (GPT-NeoX) are within the bound: exact. The venue facet
    # counts "open" in every venue (2 papers, over the bound): sampled as
    # above, and ICML, chosen but not in the sample, counts the results.
    response = client.get(URL, {"q": "open", "venue": "icml"})
    assert response.context["total"] == 1
    assert facet(response, "venues") == {"ICML": 1, "NeurIPS": 5}
    assert next(entry.label for entry in response.context["facets"]["venues"]) == "ICML"
    assert response.context["facets"]["samples"]["venues"] == 1
    assert "of 1 paper" in response.content.decode()
