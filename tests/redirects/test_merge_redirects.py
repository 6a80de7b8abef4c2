"""A merged-away person's or venue's URLs answer 301 to the one kept."""

import pytest

pytestmark = pytest.mark.django_db


def assert_moved(client, url, expected):
    response = client.get(url)
    assert response.status_code == 301, (url, response.status_code)
    assert response["Location"] == expected
    assert client.get(expected).status_code == 200, expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/people/{old}/", "/people/{new}/"),
        ("/people/{old}/?page=1", "/people/{new}/?page=1"),
        ("/feeds/people/{old}/", "/feeds/people/{new}/"),
        ("/api/v1/people/{old}", "/api/v1/people/{new}"),
        ("/papers/?author={old}", "/papers/?author={new}"),
        (
            "/papers/?q=pythia&author=hailey-schoelkopf&author={old}&sort=title&page=1",
            "/papers/?q=pythia&author=hailey-schoelkopf&author={new}&sort=title&page=1",
        ),
        ("/papers/export.bib?author={old}&year=2023", "/papers/export.bib?author={new}&year=2023"),
        ("/papers/export.ris?author={old}", "/papers/export.ris?author={new}"),
        ("/papers/export.json?author={old}", "/papers/export.json?author={new}"),
        (
            "/api/v1/papers?year=2023&author={old}&per_page=5",
            "/api/v1/papers?year=2023&author={new}&per_page=5",
        ),
    ],
)
def test_every_url_of_a_merged_away_person_answers_301_to_the_one_kept(
    client, merged_people, url, expected
):
    old, stella = merged_people
    assert old == "s-biderman"
    assert_moved(client, url.format(old=old), expected.format(new=stella.slug))


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/venues/{old}/", "/venues/{new}/"),
        ("/feeds/venues/{old}/", "/feeds/venues/{new}/"),
        ("/api/v1/venues/{old}", "/api/v1/venues/{new}"),
        ("/papers/?venue={old}&sort=oldest", "/papers/?venue={new}&sort=oldest"),
        # Venues are any-of: an old one next to a live one still moves.
        ("/papers/?venue=neurips&venue={old}", "/papers/?venue=neurips&venue={new}"),
        ("/papers/export.bib?venue={old}", "/papers/export.bib?venue={new}"),
        ("/papers/export.ris?venue={old}", "/papers/export.ris?venue={new}"),
        ("/papers/export.json?year=2023&venue={old}", "/papers/export.json?year=2023&venue={new}"),
        ("/api/v1/papers?venue={old}", "/api/v1/papers?venue={new}"),
    ],
)
def test_every_url_of_a_merged_away_venue_answers_301_to_the_one_kept(
    client, merged_venues, url, expected
):
    old, icml = merged_venues
    assert old == "icml-2023"
    assert_moved(client, url.format(old=old), expected.format(new=icml.slug))


def test_a_live_venue_beside_an_old_one_in_exports_and_the_api_still_moves(client, merged_venues):
    from tests.factories import make_paper, make_venue

    make_paper("Elsewhere", venue=make_venue("NeurIPS"), year=2023)
    old, icml = merged_venues
    for url in (
        f"/papers/export.bib?venue=neurips&venue={old}",
        f"/api/v1/papers?venue=neurips&venue={old}",
    ):
        response = client.get(url)
        assert response.status_code == 301, url
        assert response["Location"].endswith(f"venue=neurips&venue={icml.slug}")


def test_a_chain_of_merges_resolves_the_first_slug_straight_to_the_last_kept(client):
    from people.services import person_merge
    from tests.factories import make_paper, make_person

    first, second, third = make_person("A. Person"), make_person("A Person"), make_person("Ann")
    make_paper("One", authors=[first])
    person_merge(keep=second, others=[first])
    person_merge(keep=third, others=[second])
    for old in (first.slug, second.slug):
        response = client.get(f"/people/{old}/")
        assert response.status_code == 301
        assert response["Location"] == f"/people/{third.slug}/"


def test_unknown_slugs_still_answer_404_and_the_list_says_unknown(client, merged_people):
    assert client.get("/people/no-such-person/").status_code == 404
    assert client.get("/feeds/people/no-such-person/").status_code == 404
    assert client.get("/api/v1/people/no-such-person").status_code == 404
    assert client.get("/papers/export.bib?author=no-such-person").status_code == 200
    response = client.get("/papers/?author=no-such-person")
    assert response.status_code == 200
    assert "There is no person “no-such-person”" in response.content.decode()


def test_live_pages_of_the_one_kept_are_not_redirected(client, merged_people):
    _, stella = merged_people
    for url in (
        f"/people/{stella.slug}/",
        f"/papers/?author={stella.slug}",
        f"/papers/export.bib?author={stella.slug}",
        f"/api/v1/papers?author={stella.slug}",
    ):
        assert client.get(url).status_code == 200, url


def test_a_new_person_taking_a_merged_away_slug_wins_over_the_redirect(client, merged_people):
    from tests.factories import make_paper, make_person

    old, _ = merged_people
    newcomer = make_person("S. Biderman")
    assert newcomer.slug == old  # suffixed only on a collision with a live row
    make_paper("New work", authors=[newcomer])
    assert client.get(f"/people/{old}/").status_code == 200
    assert client.get(f"/papers/?author={old}").status_code == 200


def test_the_api_redirect_keeps_its_cors_header(client, merged_people):
    old, _ = merged_people
    response = client.get(f"/api/v1/people/{old}")
    assert response.status_code == 301
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_redirect_costs_a_few_queries_and_only_on_the_404_path(
    client, merged_people, django_assert_max_num_queries
):
    old, _ = merged_people
    with django_assert_max_num_queries(4):
        assert client.get(f"/feeds/people/{old}/").status_code == 301
