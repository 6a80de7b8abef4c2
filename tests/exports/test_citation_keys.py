"""Citation keys: surname + year + first significant title word,
suffixed on a collision, stored once and never changed."""

import json
import string
from pathlib import Path

import pytest
from nameparser.config import CONSTANTS

from bench.textgen import TextGen
from catalog.citekeys import citation_key_base, next_free_key, split_by_nameparser, split_name
from catalog.models import Paper
from tests.factories import make_paper
from tests.importer.test_import_service import blog_entry, listing_from_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("author", "year", "title", "key"),
    [
        ("Stella Biderman", 2023, "Pythia: A Suite for Analyzing", "biderman2023pythia"),
        ("Hugo Laurençon", 2022, "The BigScience ROOTS Corpus", "laurencon2022bigscience"),
        ("Teven Le Scao", 2022, "What Language Model to Train", "lescao2022what"),
        ("Biderman", None, "A Survey", "bidermansurvey"),
        (None, 2024, "VocabTrim: Vocabulary Pruning", "anon2024vocabtrim"),
        ("Ana Núñez", 2021, "50% of R&D_costs", "nunez2021rdcosts"),
        ("Sid Black", 2022, "GPT-NeoX-20B: An Open-Source", "black2022gptneox20b"),
    ],
)
def test_the_key_is_surname_year_and_first_significant_title_word(author, year, title, key):
    assert citation_key_base(author, year, title) == key


def test_collisions_are_suffixed_a_b_and_on():
    taken = {"x2020y"}
    assert next_free_key("x2020y", set()) == "x2020y"
    assert next_free_key("x2020y", taken) == "x2020ya"
    taken |= {f"x2020y{chr(c)}" for c in range(ord("a"), ord("z") + 1)}
    assert next_free_key("x2020y", taken) == "x2020yaa"


def test_names_split_into_family_and_given():
    assert split_name("Teven Le Scao") == ("Le Scao", "Teven")
    assert split_name("Van der Sluijs") == ("Van der Sluijs", "")
    assert split_name("USVSN Sai Prashanth") == ("Prashanth", "USVSN Sai")
    assert split_name("Biderman") == ("Biderman", "")


TWO_WORD_NAMES = [
    "Ava Ivanov-Black",
    "Jean-Luc Picard",
    "Dr Smith",
    "John Jr",
    "Mary Iii",
    "Van Helsing",
    "Anna de",
    "Sir Lancelot",
    "Kim Phd",
    "Ann Et",
    "J. Smith",
    "J Smith",
    "O'Brien Kelly",
    "Ana Núñez",
    "Li Wei",
    "Ms Marvel",
    "Mr Bean",
    "Bob Esq",
    "Stella Biderman",
    "Lee-Ann Mc-Cann",
]


def test_two_plain_words_split_as_nameparser_splits_them():
    """split_name() skips nameparser for "Given Family" of plain words: the
    same split, for the seed catalog's people, generated names and names
    with titles, suffixes, particles, initials and hyphens."""
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "catalog.json"
    seeded = [
        r["fields"]["name"]
        for r in json.loads(fixture.read_text())
        if r["model"] == "people.person"
    ]
    text = TextGen(seed=11, sentences=10)
    names = TWO_WORD_NAMES + seeded + [text.person_name(i) for i in range(3000)]
    particles = {str(prefix) for prefix in CONSTANTS.prefixes}
    for name in names:
        words = " ".join(name.split()).split(" ")
        if len(words) == 2 and words[0].lower() not in particles:
            assert split_name(name) == split_by_nameparser(" ".join(words), words), name


def test_two_papers_with_the_same_base_get_distinct_keys_that_never_change(db):
    first = make_paper("Pythia: one", year=2023, authors=["Stella Biderman"])
    second = make_paper("Pythia: two", year=2023, authors=["Stella Biderman"])
    assert (first.citation_key, second.citation_key) == (
        "biderman2023pythia",
        "biderman2023pythiaa",
    )
    first.title = "Renamed completely"
    first.save()
    first.authorships.all().delete()
    Paper.objects.filter(pk=first.pk).assign_citation_keys()
    first.refresh_from_db()
    assert first.citation_key == "biderman2023pythia"
    # A third paper never takes a key already given, even one whose paper changed.
    third = make_paper("Pythia", year=2023, authors=["Stella Biderman"])
    assert third.citation_key == "biderman2023pythiab"


def test_a_paper_without_a_key_is_keyed_by_its_next_save_and_keeps_it(db):
    paper = make_paper("Pythia", year=2023, authors=["Stella Biderman"])
    Paper.objects.filter(pk=paper.pk).update(citation_key="")
    paper = Paper.objects.get(pk=paper.pk)
    paper.save()
    assert paper.citation_key == "biderman2023pythia"
    paper.title, paper.year = "Renamed", 2024
    paper.save()
    assert Paper.objects.get(pk=paper.pk).citation_key == "biderman2023pythia"


def test_the_importer_keys_the_papers_it_creates_and_never_rekeys_them(db):
    from catalog.importer.service import import_listings

    text = blog_entry(
        "Pythia: A Suite for Analyzing Large Language Models",
        'Stella Biderman, Hailey Schoelkopf. "Pythia: A Suite for Analyzing Large Language '
        'Models." ICML, 2023.',
    ) + blog_entry(
        "Export",
        'Ana Núñez. "Export." ICML, 2023.',
    )
    make_paper("Pythia: taken first", year=2023, authors=["Stella Biderman"])
    import_listings([listing_from_text(text, "keys.txt")])
    imported = Paper.objects.get(title__startswith="Pythia: A Suite")
    assert imported.citation_key == "biderman2023pythiaa"
    # "export" is the filtered-list export's name: never a paper's slug.
    assert Paper.objects.get(title="Export").slug == "export-2"
    import_listings([listing_from_text(text, "keys.txt")])
    assert Paper.objects.get(pk=imported.pk).citation_key == "biderman2023pythiaa"


def test_the_migration_keys_existing_papers_oldest_first(db):
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    migration = import_module("catalog.migrations.0004_paper_citation_key")
    older = make_paper("Pythia", year=2023, authors=["Stella Biderman"])
    newer = make_paper("Pythia", year=2023, authors=["Stella Biderman"])
    Paper.objects.update(citation_key="")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.key_existing_papers(apps, editor)
    keys = dict(Paper.objects.values_list("pk", "citation_key"))
    assert (keys[older.pk], keys[newer.pk]) == ("biderman2023pythia", "biderman2023pythiaa")


def test_given_initial_family_split_as_nameparser_splits_them():
    """split_name() skips nameparser for "Given M. Family" of plain words too:
    the same split for every initial, each of the two-word test's words
    (titles, suffixes, roman numerals, particles, hyphens) and generated
    names' words given and family with each letter."""
    words = {w for name in TWO_WORD_NAMES for w in name.split()}
    words |= {"Li", "Xi", "Vi", "Ii", "Iv", "Mix", "Jr", "Dr", "Van", "O", "Laurençon"}
    text = TextGen(seed=11, sentences=10)
    words |= {w for i in range(100) for w in text.person_name(i).split() if "." not in w}
    words = sorted(words)
    for shift, letter in enumerate(string.ascii_uppercase, start=1):
        for i, given in enumerate(words):
            name = f"{given} {letter}. {words[(i + shift) % len(words)]}"
            assert split_name(name) == split_by_nameparser(name, name.split(" ")), name
    assert split_name("Jacob J. Zhou") == ("Zhou", "Jacob J.")
