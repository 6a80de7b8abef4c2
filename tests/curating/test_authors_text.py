"""The paper change form's `authors_text`: authors as one line of text."""

import pytest

from catalog.authors_text import format_authors_text, looks_like_bibtex, parse_authors_text
from catalog.models import Authorship, Paper
from people.models import Person, PersonAlias
from tests.admin_forms import change_form_data
from tests.curating.conftest import change_url
from tests.factories import make_paper, make_person

pytestmark = pytest.mark.django_db


def names_of(paper):
    return [
        (a.person.name, a.position, a.equal_contribution)
        for a in paper.authorships.order_by("position")
    ]


def post_authors(client, paper, text, **extra):
    data = change_form_data(client.get(change_url(paper))) | {"authors_text": text} | extra
    return client.post(change_url(paper), data)


def form_errors(response):
    """The change form's errors, for a failing assertion's message."""
    return response.context["errors"] if response.context else ""


def test_a_citation_list_and_a_bibtex_list_read_the_same():
    citation = parse_authors_text("Sid Black*, Stella Biderman*, and Eric Hallahan")
    bibtex = parse_authors_text("Black, Sid and Biderman, Stella and Hallahan, Eric")
    assert [a.name for a in citation.authors] == [a.name for a in bibtex.authors]
    assert [a.equal_contribution for a in citation.authors] == [True, True, False]
    assert citation.complete and bibtex.complete


def test_only_names_joined_by_and_with_one_comma_each_are_read_as_bibtex():
    assert looks_like_bibtex("Black, Sid and Biderman, Stella")
    assert not looks_like_bibtex("Sid Black, Stella Biderman, and Eric Hallahan")
    assert not looks_like_bibtex("Sid Black and Stella Biderman,")
    assert not looks_like_bibtex("Sid Black")


def test_the_prefilled_text_reads_back_to_the_same_authors():
    paper = make_paper(authors=["Sid Black", "Stella Biderman"], authors_complete=False)
    paper.authorships.filter(position=1).update(equal_contribution=True)
    paper = Paper.objects.for_detail().get(pk=paper.pk)
    text = format_authors_text(paper)
    assert text == "Sid Black*, Stella Biderman, et al."
    parsed = parse_authors_text(text)
    assert [a.name for a in parsed.authors] == ["Sid Black", "Stella Biderman"]
    assert not parsed.complete


def test_the_change_form_is_prefilled_with_the_authors(staff_client):
    paper = make_paper(authors=["Sid Black", "Stella Biderman"])
    response = staff_client.get(change_url(paper))
    assert response.context["adminform"].form["authors_text"].value() == (
        "Sid Black, Stella Biderman"
    )


def test_saving_authors_links_existing_people_and_creates_the_rest(staff_client):
    stella = make_person("Stella Biderman")
    paper = make_paper("GPT-NeoX-20B", year=2022)
    response = post_authors(
        staff_client, paper, "Sid Black*, Stella Biderman*, Eric Hallahan, and Samuel Weinbach"
    )
    assert response.status_code == 302, form_errors(response)
    assert names_of(paper) == [
        ("Sid Black", 1, True),
        ("Stella Biderman", 2, True),
        ("Eric Hallahan", 3, False),
        ("Samuel Weinbach", 4, False),
    ]
    assert paper.authorships.get(position=2).person == stella
    paper.refresh_from_db()
    assert "authors" in paper.staff_edited_fields
    assert "Weinbach" in paper.author_names


def test_new_authors_keep_a_citation_key_once_given(staff_client):
    """People paste the key into their papers: it never changes."""
    paper = make_paper("GPT-NeoX-20B", year=2022, authors=["Eric Hallahan"])
    key = paper.citation_key
    assert post_authors(staff_client, paper, "Sid Black, Eric Hallahan").status_code == 302
    paper.refresh_from_db()
    assert paper.citation_key == key


def test_bibtex_names_and_initials_link_like_the_importer(staff_client):
    stella = make_person("Stella Biderman")
    paper = make_paper()
    response = post_authors(staff_client, paper, "Raff, Edward and Biderman, S.")
    assert response.status_code == 302, form_errors(response)
    assert [a.person for a in paper.authorships.order_by("position")][1] == stella
    assert PersonAlias.objects.filter(person=stella, name="S. Biderman").exists()


def test_re_entering_the_same_authors_writes_nothing(staff_client, django_assert_max_num_queries):
    paper = make_paper(authors=["Sid Black", "Stella Biderman"])
    before = list(Authorship.objects.filter(paper=paper).values_list("pk", flat=True))
    # Written differently (BibTeX), the same two people in the same order.
    response = post_authors(staff_client, paper, "Black, Sid and Biderman, Stella")
    assert response.status_code == 302, form_errors(response)
    paper.refresh_from_db()
    assert paper.staff_edited_fields == []
    assert list(Authorship.objects.filter(paper=paper).values_list("pk", flat=True)) == before


def test_a_surname_matching_two_people_asks_before_saving(staff_client):
    make_person("Stella Biderman")
    make_person("Rose Biderman")
    paper = make_paper(authors=["Sid Black"])
    response = post_authors(staff_client, paper, "Sid Black, Biderman")
    assert response.status_code == 200
    content = response.content.decode()
    assert "matches Rose Biderman and Stella Biderman" in content
    assert "“Sid Black”: linked to the existing person" in content
    assert names_of(paper) == [("Sid Black", 1, False)]
    assert not Person.objects.filter(name="Biderman").exists()

    form = response.context["adminform"].form
    data = change_form_data(staff_client.get(change_url(paper))) | {
        "authors_text": "Sid Black, Biderman",
        "authors_reviewed": form["authors_reviewed"].value(),
        "confirm_authors": "on",
    }
    assert staff_client.post(change_url(paper), data).status_code == 302
    assert names_of(paper) == [("Sid Black", 1, False), ("Biderman", 2, False)]
    assert Person.objects.get(name="Biderman").needs_review


def test_a_confirmation_holds_only_for_the_text_it_was_given_for(staff_client):
    make_person("Stella Biderman")
    paper = make_paper(authors=["Sid Black"])
    response = post_authors(
        staff_client,
        paper,
        "Sid Black, Stela Biderman, Eric Hallahan",
        authors_reviewed="Sid Black, Stela Biderman",
        confirm_authors="on",
    )
    assert response.status_code == 200
    assert "close to the existing Stella Biderman" in response.content.decode()
    assert names_of(paper) == [("Sid Black", 1, False)]


def test_a_near_miss_spelling_is_shown_before_a_new_person_is_made(staff_client):
    make_person("Stella Biderman")
    paper = make_paper()
    response = post_authors(staff_client, paper, "Stela Biderman")
    assert response.status_code == 200
    assert "“Stela Biderman”: new person (close to the existing Stella Biderman)" in (
        response.content.decode()
    )
    assert not Person.objects.filter(name="Stela Biderman").exists()


def test_text_that_is_not_an_author_list_is_refused(staff_client):
    paper = make_paper(authors=["Sid Black"])
    response = post_authors(staff_client, paper, "see the preprint, 42")
    assert response.status_code == 200
    assert "Not an author list" in response.content.decode()
    assert names_of(paper) == [("Sid Black", 1, False)]


def test_et_al_and_others_set_the_completeness_fields(staff_client):
    paper = make_paper()
    assert post_authors(staff_client, paper, "Sid Black, and 3 others").status_code == 302
    paper.refresh_from_db()
    assert (paper.authors_complete, paper.author_count) == (False, 4)
    assert {"authors", "authors_complete", "author_count"} <= set(paper.staff_edited_fields)


def test_the_text_wins_over_the_inline_when_both_change(staff_client):
    paper = make_paper(authors=["Sid Black", "Stella Biderman"])
    data = change_form_data(staff_client.get(change_url(paper)))
    rows = sorted(k for k in data if k.startswith("authorships-") and k.endswith("-position"))
    data[rows[0]], data[rows[1]] = 2, 1  # the inline swaps them ...
    data["authors_text"] = "Eric Hallahan, Sid Black"  # ... the text replaces them
    assert staff_client.post(change_url(paper), data).status_code == 302
    assert names_of(paper) == [("Eric Hallahan", 1, False), ("Sid Black", 2, False)]


def test_the_inline_still_saves_when_the_text_is_unchanged(staff_client):
    paper = make_paper(authors=["Sid Black", "Stella Biderman"])
    data = change_form_data(staff_client.get(change_url(paper)))
    rows = sorted(k for k in data if k.startswith("authorships-") and k.endswith("-position"))
    data[rows[0]], data[rows[1]] = 2, 1
    assert staff_client.post(change_url(paper), data).status_code == 302
    assert [n for n, _, _ in names_of(paper)] == ["Stella Biderman", "Sid Black"]


def test_a_person_named_twice_is_refused(staff_client):
    make_person("Hailey Schoelkopf")
    paper = make_paper()
    response = post_authors(staff_client, paper, "Hailey Schoelkopf, Sid Black, Schoelkopf")
    assert response.status_code == 200
    assert "Hailey Schoelkopf is named twice" in response.content.decode()
    assert names_of(paper) == []


def test_full_authors_settle_the_surname_only_reason(staff_client):
    paper = make_paper(
        authors=["Le Scao"],
        needs_review=True,
        review_note="surname-only authors not resolved: Le Scao",
    )
    assert post_authors(staff_client, paper, "Teven Le Scao, Angela Fan").status_code == 302
    paper.refresh_from_db()
    assert (paper.needs_review, paper.review_note) == (False, "")


def test_other_reasons_stay_when_the_authors_are_set(staff_client):
    paper = make_paper(
        needs_review=True,
        review_note="no year in listing; surname-only authors not resolved: Le Scao",
    )
    assert post_authors(staff_client, paper, "Teven Le Scao").status_code == 302
    paper.refresh_from_db()
    assert (paper.needs_review, paper.review_note) == (True, "no year in listing")


def test_a_surname_in_the_text_keeps_the_surname_only_reason(staff_client):
    make_person("Stella Biderman")
    paper = make_paper(needs_review=True, review_note="surname-only authors not resolved: Le Scao")
    assert post_authors(staff_client, paper, "Biderman").status_code == 302
    paper.refresh_from_db()
    assert paper.needs_review
