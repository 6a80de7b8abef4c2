"""Splitting a person moves exactly the chosen authorships to a new person."""

import pytest

from catalog.models import Authorship, Paper
from history.models import PaperRevision
from people.models import Person
from people.services import person_split
from tests.factories import make_paper, make_person

pytestmark = pytest.mark.django_db


def authors(paper):
    return [
        (row.person.name, row.position, row.equal_contribution)
        for row in paper.authorships.order_by("position")
    ]


@pytest.fixture
def two_in_one():
    """One record holding two people's papers."""
    li = make_person("J. Li")
    li.aliases.create(name="Li")
    vision = make_paper("Vision", authors=["Ann", li, "Bo"], year=2021)
    Authorship.objects.filter(paper=vision, person=li).update(equal_contribution=True)
    speech = make_paper("Speech", authors=[li], year=2022)
    kept = make_paper("Kept", authors=["Cy", li], year=2023)
    return li, vision, speech, kept


def test_split_moves_exactly_the_chosen_authorships_with_places_and_marks(two_in_one):
    li, vision, speech, kept = two_in_one
    rows = Authorship.objects.filter(person=li, paper__in=[vision, speech])
    before = Paper.objects.get(pk=kept.pk).updated_at

    new = person_split(person=li, authorships=list(rows), name="Jing Li")

    assert new.name == "Jing Li" and new.pk != li.pk
    assert authors(vision) == [("Ann", 1, False), ("Jing Li", 2, True), ("Bo", 3, False)]
    assert authors(speech) == [("Jing Li", 1, False)]
    assert authors(kept) == [("Cy", 1, False), ("J. Li", 2, False)]
    # Nothing else moves: the aliases stay, the new person has none.
    assert list(li.aliases.values_list("name", flat=True)) == ["Li"]
    assert not new.aliases.exists()
    assert Paper.objects.get(pk=kept.pk).updated_at == before


def test_split_refreshes_the_moved_papers_author_names_and_updated_at(two_in_one):
    li, _, speech, _ = two_in_one
    before = Paper.objects.get(pk=speech.pk).updated_at

    person_split(
        person=li, authorships=list(speech.authorships.values_list("pk", flat=True)), name="Jing Li"
    )

    speech = Paper.objects.get(pk=speech.pk)
    assert "Jing Li" in speech.author_names
    assert "J. Li" not in speech.author_names
    assert speech.updated_at > before
    assert list(Paper.objects.search("Jing").values_list("title", flat=True)) == ["Speech"]


def test_split_refuses_another_persons_authorships_and_an_empty_choice(two_in_one):
    li, vision, *_ = two_in_one
    ann_row = Authorship.objects.get(paper=vision, person__name="Ann")
    with pytest.raises(ValueError):
        person_split(person=li, authorships=[ann_row], name="Jing Li")
    with pytest.raises(ValueError):
        person_split(person=li, authorships=[], name="Jing Li")
    with pytest.raises(ValueError):
        person_split(person=li, authorships=list(li.authorships.all()), name="  ")
    assert not Person.objects.filter(name="Jing Li").exists()


def test_the_admin_action_splits_the_chosen_papers_off(staff_client, two_in_one):
    li, vision, speech, _ = two_in_one
    url = "/admin/people/person/"
    page = staff_client.post(url, {"action": "split_person", "_selected_action": [li.pk]})
    assert page.status_code == 200
    assert "Speech" in page.content.decode()
    row = Authorship.objects.get(paper=speech, person=li)
    response = staff_client.post(
        url,
        {
            "action": "split_person",
            "_selected_action": [li.pk],
            "split": "1",
            "name": "Jing Li",
            "authorship": [row.pk],
        },
    )
    assert response.status_code == 302
    assert authors(speech) == [("Jing Li", 1, False)]
    assert authors(vision)[1][0] == "J. Li"


def test_a_split_is_in_the_history_of_the_papers_it_moved(two_in_one, django_user_model):
    li, vision, speech, kept = two_in_one
    staff = django_user_model.objects.create_user("ed", is_staff=True)
    rows = Authorship.objects.filter(person=li, paper__in=[vision, speech])

    person_split(person=li, authorships=list(rows), name="Jing Li", user=staff)

    revisions = PaperRevision.objects.filter(note__contains="person split")
    assert {r.paper_id for r in revisions} == {vision.pk, speech.pk}
    revision = revisions.get(paper=speech)
    assert revision.user == staff
    before, after = revision.changes["authors"]
    assert [a[0] for a in before] == ["J. Li"] and [a[0] for a in after] == ["Jing Li"]
    assert not PaperRevision.objects.filter(paper=kept).exists()
