"""The people review queue: doubtful people beside who they may be, merged in one click."""

import pytest
from django.urls import reverse

from people.admin_review import candidates_for
from people.models import Person, PersonAlias
from tests.curating.conftest import changelist_query_count, changelist_url
from tests.factories import make_paper, make_person

pytestmark = pytest.mark.django_db


def merge_url(person):
    return reverse("admin:people_person_merge_into", args=[person.pk])


def test_a_surname_only_person_is_offered_the_full_names_it_may_be():
    surname = make_person("Schoelkopf")
    hailey = make_person("Hailey Schoelkopf")
    initials = make_person("S. Biderman")
    stella, rose = make_person("Stella Biderman"), make_person("Rose Biderman")
    found = candidates_for([surname, initials])
    assert found[surname.pk] == [hailey]
    assert found[initials.pk] == [stella]
    assert rose not in found[initials.pk]


def test_the_queue_lists_surname_only_and_flagged_people_with_merge_buttons(staff_client):
    make_person("Schoelkopf")
    hailey = make_person("Hailey Schoelkopf")
    make_person("Ada Lovelace", needs_review=True, review_note="checked by hand?")
    make_person("Fine Person")
    response = staff_client.get(changelist_url(Person), {"doubtful": "1"})
    content = response.content.decode()
    assert "Ada Lovelace" in content and "checked by hand?" in content
    assert "Fine Person" not in content
    assert f'name="keep" value="{hailey.pk}"' in content
    assert "Merge into Hailey Schoelkopf" in content


def test_one_click_merges_the_surname_into_the_full_name(staff_client):
    surname = make_person("Schoelkopf", needs_review=True, review_note="may be Hailey Schoelkopf")
    hailey = make_person("Hailey Schoelkopf")
    paper = make_paper("Pythia", authors=["Stella Biderman", surname])
    response = staff_client.post(merge_url(surname), {"keep": hailey.pk})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=surname.pk).exists()
    assert [a.person for a in paper.authorships.order_by("position")][1] == hailey
    assert PersonAlias.objects.filter(person=hailey, name="Schoelkopf").exists()


def test_the_merge_url_refuses_a_get(staff_client):
    surname = make_person("Schoelkopf")
    assert staff_client.get(merge_url(surname)).status_code == 405
    assert Person.objects.filter(pk=surname.pk).exists()


def test_the_merge_url_needs_a_staff_login(client):
    surname, hailey = make_person("Schoelkopf"), make_person("Hailey Schoelkopf")
    client.post(merge_url(surname), {"keep": hailey.pk})
    assert Person.objects.filter(pk=surname.pk).exists()


def people_changelist_queries(client, count):
    for i in range(count):
        make_person(f"Surname{i}")
        make_person(f"Given Surname{i}")
    return changelist_query_count(client, Person, {"doubtful": "1"}, count)


def test_the_people_queue_costs_the_same_queries_for_1_and_30_people(staff_client):
    one = people_changelist_queries(staff_client, 1)
    Person.objects.all().delete()
    assert people_changelist_queries(staff_client, 30) == one
