"""Merging people or venues marks the papers it touches as changed (feeds,
the sitemap and OAI-PMH harvesters select by updated_at)."""

import datetime

import pytest

from catalog.models import Paper
from people.services import person_merge
from tests.factories import make_paper, make_person, make_venue
from venues.services import venue_merge

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def updated(*papers):
    return [Paper.objects.get(pk=paper.pk).updated_at > LONG_AGO for paper in papers]


def test_a_person_merge_updates_the_papers_it_touches_only():
    stella, initial = make_person("Stella Biderman"), make_person("S. Biderman")
    moved = make_paper("Moved", authors=[initial])
    kept = make_paper("Kept", authors=[stella])
    other = make_paper("Other", authors=["Someone"])
    Paper.objects.update(updated_at=LONG_AGO)

    person_merge(keep=stella, others=[initial])

    assert updated(moved, kept, other) == [True, False, False]


def test_a_venue_merge_updates_the_papers_it_touches_only():
    icml, icml_2023 = make_venue("ICML"), make_venue("ICML 2023")
    moved = make_paper("Moved", venue=icml_2023)
    kept = make_paper("Kept", venue=icml)
    other = make_paper("Other")
    Paper.objects.update(updated_at=LONG_AGO)

    venue_merge(keep=icml, others=[icml_2023])

    assert updated(moved, kept, other) == [True, False, False]
