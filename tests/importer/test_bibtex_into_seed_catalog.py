"""Acceptance: a lab's .bib for a handful of seed papers, imported into the seed catalog.

tests/importer/data/bibtex/seed_papers.bib describes five seed papers in the
shapes real exports take: Pythia (no authors, no year in the catalog; a staff
edit on its year), Crosslingual Generalization (surnames and "(incl. ...)"
people only), You reap what you sow (LaTeX-accented names), RWKV (an arXiv
export of an EMNLP Findings paper) and SμPar (a provisional title made up
from its abstract).
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import Lower

from catalog.models import Paper
from people.models import Person

pytestmark = pytest.mark.django_db

BIB = Path(__file__).resolve().parent / "data" / "bibtex" / "seed_papers.bib"
SEED_PAPERS = 135

PYTHIA_AUTHORS = [
    "Stella Biderman",
    "Hailey Schoelkopf",
    "Quentin Anthony",
    "Herbie Bradley",
    "Kyle O'Brien",
    "Eric Hallahan",
    "Mohammad Aflah Khan",
    "Shivanshu Purohit",
    "USVSN Sai Prashanth",
    "Edward Raff",
    "Aviya Skowron",
    "Lintang Sutawika",
    "Oskar van der Wal",
]


@pytest.fixture
def seed_catalog(seed):
    # A staff edit the .bib disagrees with: Pythia's year, set by hand.
    pythia = Paper.objects.get(title__startswith="Pythia: A Suite")
    pythia.year = 2024
    pythia.staff_edited_fields = ["year"]
    pythia.save()
    return {p.name: p.pk for p in Person.objects.all()}


def run(*args, **options) -> str:
    out = StringIO()
    call_command("import_listings", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def authors(paper: Paper) -> list[tuple[str, int | None]]:
    return [(a.person.name, a.position) for a in paper.authorships.order_by("position")]


def test_a_lab_bib_fills_the_seed_catalogs_gaps(seed_catalog):
    people_before = seed_catalog
    output = run(str(BIB), verbosity=2)

    assert "seed_papers.bib: 5 entries (bibtex)" in output
    # No duplicate paper: every entry is a seed paper.
    assert "Papers: 0 created, 5 updated" in output
    assert Paper.objects.count() == SEED_PAPERS

    # Authors filled in order; existing people linked, not duplicated.
    pythia = Paper.objects.get(title__startswith="Pythia: A Suite")
    assert authors(pythia) == [(name, i) for i, name in enumerate(PYTHIA_AUTHORS, start=1)]
    for name in ("Stella Biderman", "Quentin Anthony", "Edward Raff", "USVSN Sai Prashanth"):
        assert pythia.authorships.get(person__name=name).person_id == people_before[name]
    duplicates = (
        Person.objects.annotate(key=Lower("name"))
        .values("key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(duplicates) == []

    # The staff edit is kept, and the disagreement reported.
    assert pythia.year == 2024
    assert "Conflicts with staff edits: 1." in output
    assert "staff edited year" in output
    assert pythia.venue.name == "ICML"
    assert pythia.arxiv_id == "2304.01373"

    # People named only in "(incl. ...)" get their places.
    crosslingual = Paper.objects.get(
        title="Crosslingual Generalization through Multitask Fine Tuning"
    )
    placed = dict(authors(crosslingual))
    assert placed["Lintang Sutawika"] == 3
    assert placed["Stella Biderman"] == 5
    assert crosslingual.authors_complete is True
    assert crosslingual.author_count == 19
    assert crosslingual.doi == "10.18653/V1/2023.ACL-LONG.891"

    # A LaTeX-accented name is the person the catalog spells in Unicode.
    reap = Paper.objects.get(title__startswith="You reap what you sow")
    assert reap.authorships.get(position=2).person_id == people_before["Aurélie Névéol"]

    # A preprint export never moves a Findings paper to arXiv.
    rwkv = Paper.objects.get(title="RWKV: Reinventing RNNs for the Transformer Era")
    assert rwkv.venue.name == "EMNLP (Findings)"
    assert rwkv.arxiv_id == "2305.13048"
    assert rwkv.authorships.get(position=2).person_id == people_before["Eric Alcaide"]

    # The provisional title is replaced by the entry with the same abstract.
    smupar = Paper.objects.get(arxiv_id="2405.15743")
    assert smupar.title == (
        "Sparse maximal update parameterization: A holistic approach to sparse training dynamics"
    )
    assert "provisional" not in smupar.review_note
    assert smupar.year == 2024

    # Surname-only people from earlier listings are offered for merging, not merged.
    schoelkopf = Person.objects.get(name="Schoelkopf")
    assert schoelkopf.needs_review
    assert "may be Hailey Schoelkopf" in schoelkopf.review_note
    assert Person.objects.filter(name="Hailey Schoelkopf").exists()


def test_importing_the_same_bib_again_changes_nothing(seed_catalog):
    run(str(BIB))
    output = run(str(BIB))
    assert "Papers: 0 created, 0 updated, 5 unchanged" in output
    assert "People created: 0." in output
    assert "No changes: the catalog already matches." in output


def test_a_dry_run_of_the_bib_writes_nothing(seed_catalog):
    output = run(str(BIB), dry_run=True)
    assert "Dry run: nothing was written." in output
    assert not Paper.objects.get(title__startswith="Pythia: A Suite").authorships.exists()
