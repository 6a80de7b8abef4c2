import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import IMPORTED_FIELDS, Authorship, Paper, PaperSource
from people.models import Person
from tests.admin_forms import change_form_data
from tests.factories import make_award, make_paper, make_papers, make_person, make_venue

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def catalog_rows():
    venue = make_venue("ICML")
    award = make_award("Oral Presentation")
    paper = make_paper(
        "Pythia",
        venue=venue,
        year=2023,
        authors=["Stella Biderman", "Hailey Schoelkopf"],
        awards=[award],
    )
    paper.sources.create(listing="000.txt", format="blog", entry_index=1, line=1)
    return {"paper": paper, "venue": venue, "award": award, "person": Person.objects.first()}


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_every_changelist_answers_staff_and_redirects_anonymous(
    client, staff_client, model, catalog_rows
):
    url = changelist_url(model)
    assert staff_client.get(url).status_code == 200
    assert staff_client.get(url, {"q": "Biderman"}).status_code == 200
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("key", ["paper", "venue", "award", "person"])
def test_every_change_form_answers_staff_and_redirects_anonymous(
    client, staff_client, key, catalog_rows
):
    url = change_url(catalog_rows[key])
    assert staff_client.get(url).status_code == 200
    assert client.get(url).status_code == 302


def test_the_paper_change_form_shows_its_source_listing_read_only(staff_client, catalog_rows):
    response = staff_client.get(change_url(catalog_rows["paper"]))
    assert b"000.txt" in response.content
    assert b'name="sources-0-listing"' not in response.content


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(staff_client, model):
    venue, award = make_venue("NeurIPS"), make_award("Spotlight Paper")

    def add_papers(n):
        start = Paper.objects.count()
        papers = make_papers(
            {
                "venue": venue,
                "year": 2022,
                "authors": [f"Author {start + i} A", f"Author {start + i} B"],
                "awards": [award],
            }
            for i in range(n)
        )
        PaperSource.objects.bulk_create(
            PaperSource(
                paper=paper, listing="001.txt", format="blog", entry_index=start + i + 1, line=1
            )
            for i, paper in enumerate(papers)
        )
        if model._meta.model_name == "deletedpaper":
            Paper.objects.filter(pk__in=[paper.pk for paper in papers]).delete()

    add_papers(1)
    url = changelist_url(model)
    staff_client.get(url)  # warm caches such as content types
    one = queries_for(staff_client, url)
    add_papers(49)
    fifty = queries_for(staff_client, url)
    assert one == fifty


def test_paper_changelist_queries_are_exactly_the_same_with_1_and_50_papers(
    staff_client, django_assert_num_queries
):
    make_paper(authors=["A B"])
    url = changelist_url(Paper)
    staff_client.get(url)
    baseline = queries_for(staff_client, url)
    make_papers(
        {"authors": [f"Author {i} A", f"Author {i} B"], "awards": [make_award()]} for i in range(49)
    )
    with django_assert_num_queries(baseline):
        staff_client.get(url)


def test_changelist_shows_first_authors_and_awards(staff_client, catalog_rows):
    response = staff_client.get(changelist_url(Paper))
    assert b"Stella Biderman, Hailey Schoelkopf" in response.content
    assert b"Oral Presentation" in response.content


def authorship_data(client, paper, positions):
    """The paper's change form as POSTed, with its author rows moved to `positions`."""
    data = change_form_data(client.get(change_url(paper)))
    for i, position in enumerate(positions):
        data[f"authorships-{i}-position"] = position
    return data


def test_staff_can_swap_two_authors_in_the_admin(staff_client, catalog_rows):
    paper = catalog_rows["paper"]
    response = staff_client.post(change_url(paper), authorship_data(staff_client, paper, [2, 1]))
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    names = [a.person.name for a in paper.authorships.order_by("position")]
    assert names == ["Hailey Schoelkopf", "Stella Biderman"]
    paper.refresh_from_db()
    assert "authors" in paper.staff_edited_fields


def test_the_admin_refuses_two_authors_at_one_position(staff_client, catalog_rows):
    paper = catalog_rows["paper"]
    response = staff_client.post(change_url(paper), authorship_data(staff_client, paper, [1, 1]))
    assert response.status_code == 200  # the form comes back with an error
    assert [a.position for a in paper.authorships.order_by("position")] == [1, 2]


def test_an_admin_edit_is_remembered_as_a_staff_edit(staff_client, catalog_rows):
    paper = catalog_rows["paper"]
    data = authorship_data(staff_client, paper, [1, 2]) | {"title": "Pythia (edited)"}
    assert staff_client.post(change_url(paper), data).status_code == 302
    paper.refresh_from_db()
    assert paper.title == "Pythia (edited)"
    assert paper.staff_edited_fields == ["title"]


def test_mark_reviewed_action_clears_the_flag(staff_client):
    flagged = [make_paper(needs_review=True, review_note="no year") for _ in range(2)]
    staff_client.post(
        changelist_url(Paper),
        {
            "action": "mark_reviewed",
            "_selected_action": [p.pk for p in flagged],
        },
    )
    assert not Paper.objects.filter(needs_review=True).exists()


def test_review_filter_lists_only_flagged_papers(staff_client):
    make_paper("Flagged paper", needs_review=True)
    make_paper("Fine paper")
    response = staff_client.get(changelist_url(Paper), {"needs_review__exact": "1"})
    assert b"Flagged paper" in response.content
    assert b"Fine paper" not in response.content


def test_person_merge_through_the_admin_asks_which_to_keep_then_merges(staff_client):
    stella, surname = make_person("Stella Biderman"), make_person("Biderman")
    paper = make_paper("Bloom", authors=["Le Scao", surname])
    url = changelist_url(Person)
    action = {"action": "merge_person_merge", "_selected_action": [stella.pk, surname.pk]}
    confirm = staff_client.post(url, action)
    assert confirm.status_code == 200
    assert b"Pick the one to keep" in confirm.content
    assert Person.objects.count() == 3

    done = staff_client.post(url, action | {"keep": stella.pk})
    assert done.status_code == 302
    assert not Person.objects.filter(pk=surname.pk).exists()
    assert Authorship.objects.get(paper=paper, position=2).person == stella
    assert list(stella.aliases.values_list("name", flat=True)) == ["Biderman"]


def test_the_admin_remembers_staff_edits_of_exactly_the_fields_an_import_sets(
    staff_client, catalog_rows
):
    """One promise, one list: whatever an import sets, an admin edit of it is
    remembered (so no import overwrites it), and nothing else is."""
    paper = catalog_rows["paper"]
    data = authorship_data(staff_client, paper, [2, 1]) | {
        "title": "Pythia (edited)",
        "abstract": "Edited.",
        "venue": make_venue("NeurIPS").pk,
        "venue_detail": "Edited venue text",
        "year": 2022,
        "published_on": "2022-05-01",
        "arxiv_id": "2201.00001",
        "doi": "10.1000/edited",
        "other_identifier": "bioRxiv 2022.01.01.000001",
        "url": "https://example.org/edited",
        "citation": "Edited citation.",
        "author_count": 5,
        "upvotes": 7,
        "awards": [make_award("Spotlight").pk],
        "needs_review": "on",
        "review_note": "Edited note.",
    }
    data.pop("authors_complete", None)  # unticked
    response = staff_client.post(change_url(paper), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    paper.refresh_from_db()
    assert sorted(paper.staff_edited_fields) == sorted(IMPORTED_FIELDS)
