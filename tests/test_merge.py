import pytest

from catalog.models import Authorship
from people.models import Person, PersonAlias
from people.services import MergeConflict, person_merge
from tests.factories import make_paper, make_person, make_venue
from venues.models import Venue
from venues.services import venue_merge

pytestmark = pytest.mark.django_db


def author_names(paper):
    return [(a.person.name, a.position) for a in paper.authorships.order_by("position", "id")]


def test_person_merge_keeps_every_papers_author_order_and_the_aliases():
    stella = make_person("Stella Biderman")
    surname = make_person("Biderman")
    initial = make_person("S. Biderman")
    PersonAlias.objects.create(person=initial, name="S Biderman")
    first = make_paper("One", authors=["Sid Black", stella, "Leo Gao"])
    second = make_paper("Two", authors=["Le Scao", surname, "Tow"])
    third = make_paper("Three", authors=[initial])

    person_merge(keep=stella, others=[surname, initial])

    assert author_names(first) == [("Sid Black", 1), ("Stella Biderman", 2), ("Leo Gao", 3)]
    assert author_names(second) == [("Le Scao", 1), ("Stella Biderman", 2), ("Tow", 3)]
    assert author_names(third) == [("Stella Biderman", 1)]
    assert set(stella.aliases.values_list("name", flat=True)) == {
        "Biderman",
        "S. Biderman",
        "S Biderman",
    }
    assert not Person.objects.filter(name__in=["Biderman", "S. Biderman"]).exists()


def test_person_merge_on_a_shared_paper_keeps_one_row_with_the_known_position():
    stella = make_person("Stella Biderman")
    surname = make_person("Biderman")
    paper = make_paper("Bloom", authors=["Le Scao"])
    Authorship.objects.create(paper=paper, person=stella, position=None)
    Authorship.objects.create(paper=paper, person=surname, position=2, equal_contribution=True)

    person_merge(keep=stella, others=[surname])

    rows = list(paper.authorships.order_by("position"))
    assert [(r.person.name, r.position, r.equal_contribution) for r in rows] == [
        ("Le Scao", 1, False),
        ("Stella Biderman", 2, True),
    ]


def test_person_merge_refuses_to_drop_an_author_listed_twice_at_two_places():
    one, two = make_person("A Person"), make_person("A. Person")
    paper = make_paper("Both", authors=[one, two])
    with pytest.raises(MergeConflict):
        person_merge(keep=one, others=[two])
    assert author_names(paper) == [("A Person", 1), ("A. Person", 2)]
    assert Person.objects.count() == 2


def test_venue_merge_moves_papers_and_keeps_the_name_as_alias():
    biorxiv = make_venue("bioRxiv")
    typo = make_venue("bioXriv")
    paper = make_paper("OpenFold", venue=typo)
    venue_merge(keep=biorxiv, others=[typo])
    paper.refresh_from_db()
    assert paper.venue == biorxiv
    assert list(biorxiv.aliases.values_list("name", flat=True)) == ["bioXriv"]
    assert Venue.objects.matching_name("BIOXRIV").get() == biorxiv
