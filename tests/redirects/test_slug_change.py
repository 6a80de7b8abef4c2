"""A slug staff change in the admin keeps its old URLs working."""

import pytest

from catalog.models import Award
from core.models import SlugRedirect
from people.models import Person
from tests.factories import make_award, make_paper, make_person, make_venue
from venues.models import Venue

pytestmark = pytest.mark.django_db


def change_slug(staff_client, instance, slug):
    """Post the admin change form with only the slug changed."""
    opts = instance._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/{instance.pk}/change/"
    form = staff_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data["slug"] = slug
    for prefix, total in (("aliases", 0), ("authorships", 0)):
        data.update({f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": 0})
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    instance.refresh_from_db()
    assert instance.slug == slug


def test_a_person_slug_changed_in_the_admin_redirects_pages_feeds_api_and_filters(
    client, staff_client
):
    stella = make_person("Stella Biderman")
    make_paper("Pythia", authors=[stella], year=2023)
    change_slug(staff_client, stella, "stella-rose-biderman")
    for old, new in (
        ("/people/stella-biderman/", "/people/stella-rose-biderman/"),
        ("/feeds/people/stella-biderman/", "/feeds/people/stella-rose-biderman/"),
        ("/api/v1/people/stella-biderman", "/api/v1/people/stella-rose-biderman"),
        (
            "/papers/?year=2023&author=stella-biderman",
            "/papers/?year=2023&author=stella-rose-biderman",
        ),
        (
            "/papers/export.ris?author=stella-biderman",
            "/papers/export.ris?author=stella-rose-biderman",
        ),
    ):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new


def test_a_venue_and_an_award_slug_changed_in_the_admin_redirect(client, staff_client):
    icml = make_venue("ICML", kind="conference")
    oral = make_award("Oral")
    make_paper("Pythia", venue=icml, awards=[oral])
    change_slug(staff_client, icml, "icml-conf")
    change_slug(staff_client, oral, "oral-presentation")
    for old, new in (
        ("/venues/icml/", "/venues/icml-conf/"),
        ("/papers/?venue=icml", "/papers/?venue=icml-conf"),
        ("/awards/oral/", "/awards/oral-presentation/"),
        ("/feeds/awards/oral/", "/feeds/awards/oral-presentation/"),
        ("/papers/?award=oral", "/papers/?award=oral-presentation"),
    ):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new


def test_a_chain_of_slug_changes_resolves_the_first_straight_to_the_last(client):
    person = make_person("Ann Lee")
    for slug in ("ann-b-lee", "ann-c-lee"):
        person.slug = slug
        person.save()
    for old in ("ann-lee", "ann-b-lee"):
        response = client.get(f"/people/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/people/ann-c-lee/"


def test_taking_an_old_slug_back_leaves_no_redirect_loop(client):
    venue = make_venue("NeurIPS")
    venue.slug = "nips"
    venue.save()
    venue = Venue.objects.get(pk=venue.pk)
    venue.slug = "neurips"
    venue.save()
    assert client.get("/venues/neurips/").status_code == 200
    response = client.get("/venues/nips/")
    assert response.status_code == 301
    assert response["Location"] == "/venues/neurips/"
    assert not SlugRedirect.objects.filter(old_slug="neurips").exists()


def test_a_redirect_to_a_deleted_row_is_a_404(client):
    person = make_person("Gone Soon")
    person.slug = "gone"
    person.save()
    Person.objects.filter(pk=person.pk).delete()
    assert client.get("/people/gone-soon/").status_code == 404


def test_saving_without_changing_the_slug_records_nothing():
    person = make_person("Ann Lee")
    Person.objects.get(pk=person.pk).save()
    Award.objects.create(name="Best Paper")
    assert not SlugRedirect.objects.exists()
