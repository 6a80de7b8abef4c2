"""Search: every word must match, titles rank above abstracts, accents and case
do not matter, and matches are highlighted safely."""

import pytest

from catalog.models import Paper
from people.models import PersonAlias
from tests.browsing.conftest import keys
from tests.factories import make_paper, make_papers, make_person

pytestmark = pytest.mark.django_db

URL = "/papers/"


def test_a_title_match_ranks_above_an_abstract_match(client, catalog):
    # "pythia" is in Pythia's title and only in The Pile's abstract.
    assert keys(catalog, client.get(URL, {"q": "pythia"})) == ["pythia", "pile"]


def test_title_beats_abstract_even_when_the_abstract_is_newer(client, db):
    make_paper("Scaling Laws for Sparrows", year=2020)
    make_paper("Birds", year=2024, abstract="Sparrows, sparrows and more sparrows.")
    result = [p.title for p in client.get(URL, {"q": "sparrows"}).context["object_list"]]
    assert result == ["Scaling Laws for Sparrows", "Birds"]


def test_every_word_must_match_somewhere(client, catalog):
    assert keys(catalog, client.get(URL, {"q": "language biderman"})) in (
        ["pythia", "gptneox"],
        ["gptneox", "pythia"],
    )
    assert keys(catalog, client.get(URL, {"q": "language obelics"})) == []


def test_search_is_accent_and_case_insensitive(client, catalog):
    assert keys(catalog, client.get(URL, {"q": "laurencon"})) == ["obelics"]
    assert keys(catalog, client.get(URL, {"q": "LAURENÇON"})) == ["obelics"]
    assert keys(catalog, client.get(URL, {"q": "Laurençon"})) == ["obelics"]


def test_search_finds_papers_by_an_authors_name_variant(client, catalog):
    PersonAlias.objects.create(person=catalog["people"]["hugo"], name="Hugo Lrncn-Variant")
    Paper.objects.all().refresh_search_index()
    assert keys(catalog, client.get(URL, {"q": "lrncn"})) == ["obelics"]


def test_a_renamed_person_is_found_after_the_index_is_refreshed(client, db):
    person = make_person("Ada Lovelace")
    make_paper("Notes on the Engine", authors=[person])
    person.name = "Augusta Ada King"
    person.save()
    Paper.objects.filter(authorships__person=person).refresh_search_index()
    assert len(client.get(URL, {"q": "augusta"}).context["object_list"]) == 1
    assert len(client.get(URL, {"q": "lovelace"}).context["object_list"]) == 0


def test_matches_are_highlighted_with_accents_kept(client, catalog):
    html = client.get(URL, {"q": "laurencon"}).content.decode()
    assert "<mark>Laurençon</mark>" in html


def test_highlighting_escapes_listing_text_first(client, db):
    make_paper("<script>alert(1)</script> Attack", abstract="<img src=x onerror=alert(2)> attack")
    html = client.get(URL, {"q": "attack"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Attack</mark>" in html


def test_the_search_term_itself_is_escaped(client, catalog):
    html = client.get(URL, {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html


def test_empty_or_punctuation_only_search_shows_everything(client, catalog):
    assert len(client.get(URL, {"q": "  "}).context["object_list"]) == 5
    assert len(client.get(URL, {"q": "!!!"}).context["object_list"]) == 5


def test_the_full_text_index_follows_every_kind_of_write(client, db):
    # Bulk writes, queryset updates and deletes, as the importer and the
    # admin's actions make them (on SQLite the FTS5 triggers follow them).
    make_papers([{"title": "Albatross flight"}, {"title": "Penguin swimming"}])
    assert len(client.get(URL, {"q": "albatross"}).context["object_list"]) == 1
    Paper.objects.filter(title="Albatross flight").update(title="Petrel flight")
    Paper.objects.filter(title="Petrel flight").refresh_search_index()  # as writers do
    assert len(client.get(URL, {"q": "albatross"}).context["object_list"]) == 0
    assert len(client.get(URL, {"q": "petrel"}).context["object_list"]) == 1
    Paper.objects.filter(title="Penguin swimming").delete()
    assert len(client.get(URL, {"q": "penguin"}).context["object_list"]) == 0
