import pytest

from tests.factories import make_paper, make_person, make_venue


@pytest.fixture
def merged_people():
    """ "S. Biderman" merged into "Stella Biderman", each with a paper before."""
    from people.services import person_merge

    stella = make_person("Stella Biderman")
    initial = make_person("S. Biderman")
    icml = make_venue("ICML")
    make_paper("Pythia", authors=[stella, "Hailey Schoelkopf"], venue=icml, year=2023)
    make_paper("GPT-NeoX", authors=["Sid Black", initial], venue=icml, year=2022)
    old_slug = initial.slug
    person_merge(keep=stella, others=[initial])
    return old_slug, stella


@pytest.fixture
def merged_venues():
    """ "ICML 2023" merged into "ICML", each with a paper before."""
    from venues.services import venue_merge

    icml = make_venue("ICML")
    icml_2023 = make_venue("ICML 2023")
    make_paper("Pythia", authors=["Stella Biderman"], venue=icml, year=2023)
    make_paper("Scaling", authors=["Stella Biderman"], venue=icml_2023, year=2023)
    old_slug = icml_2023.slug
    venue_merge(keep=icml, others=[icml_2023])
    return old_slug, icml
