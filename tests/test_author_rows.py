"""A list's rows name each paper's authors, linked, in author order, right
after any write that changes them: a person renamed or given a new slug,
merged, split or deleted, an authorship added, removed or moved, an import
run and its undo.

On PostgreSQL the rows read the authors from each paper's kept list
(author_rows, migration 0027, kept by triggers); each test also checks that
every kept list is known and what the authorships give now, and that a list
page is the page its rows give when read from the authorships themselves.
On SQLite the rows read the authorships: the same pages must come out."""

import json
import re

import pytest
from django.db import connection

from catalog import author_rows
from catalog.importer.bulkload import SetAside
from catalog.importer.service import import_listings
from catalog.models import Authorship, Paper
from history.models import ImportRun
from history.undo import undo_run
from people.models import Person
from people.services import person_merge, person_split
from tests.factories import make_paper, make_person
from tests.history.helpers import second_run
from tests.importer.seed_listings import SEED_FILES
from tests.importer.test_import_service import parsed

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
FRESH = """(
    SELECT json_agg(json_build_array(pe.name, pe.slug, a.position)
                    ORDER BY a.position NULLS LAST, a.id)
    FROM catalog_authorship a JOIN people_person pe ON pe.id = a.person_id
    WHERE a.paper_id = p.id)::text"""


def kept_lists() -> dict[int, list]:
    """{paper id: its kept author list} (PostgreSQL), checked against the
    authorships as they are now."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id, p.author_rows, {FRESH} FROM catalog_paper p")
        rows = cursor.fetchall()
    for pk, kept, fresh in rows:
        # Unknown only for a paper written without authors (the rows' read
        # then finds none in the authorships' index).
        assert kept is not None or fresh is None, f"paper {pk}: its author list is not kept"
        assert json.loads(kept or "[]") == json.loads(fresh or "[]"), f"paper {pk}: stale"
    return {pk: json.loads(kept or "[]") for pk, kept, _ in rows}


def list_page(client, params) -> str:
    response = client.get("/papers/", {"sort": "title", **params})
    assert response.status_code == 200
    return response.content.decode()


def authors_of(page: str, title: str) -> list[tuple[str, str]]:
    """(link, name) of the authors the row of `title` names, in order."""
    row = re.search(
        rf'<li class="paper-row">\n  <h\d class="paper-title"><a [^>]*>{re.escape(title)}</a>'
        r".*?</li>",
        page,
        re.S,
    )
    assert row, f"{title!r} is not listed"
    authors = re.search(r'<p class="authors">(.*?)</p>', row.group())
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>', authors.group(1)) if authors else []


def check_lists(client, **params) -> str:
    """The list page (`params` its filters), after checking it against the
    authorships themselves."""
    page = list_page(client, params)
    if POSTGRES:
        kept_lists()
        with connection.cursor() as cursor:
            # Unknown everywhere: each row reads its authorships instead.
            cursor.execute("UPDATE catalog_paper SET author_rows = NULL")
        assert list_page(client, params) == page
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE catalog_paper p SET author_rows = COALESCE({FRESH}, '[]')")
    return page


@pytest.fixture
def papers(db):
    ada, bo, cy = (make_person(name, slug=name.lower()) for name in ("Ada", "Bo", "Cy"))
    first = make_paper("First", authors=[ada, bo, cy])
    second = make_paper("Second", authors=[bo])
    return ada, bo, cy, first, second


def test_kept_lists_follow_the_authorships_as_written(client, papers):
    page = check_lists(client)
    assert authors_of(page, "First") == [
        ("/people/ada/", "Ada"),
        ("/people/bo/", "Bo"),
        ("/people/cy/", "Cy"),
    ]
    assert authors_of(page, "Second") == [("/people/bo/", "Bo")]


def test_a_renamed_person_is_named_on_the_lists_at_once(client, papers):
    ada, bo, *_ = papers
    bo.name = "Bo Renamed"
    bo.save()
    Person.objects.filter(pk=ada.pk).update(name="Ada Lovelace")  # raw writes too
    page = check_lists(client)
    assert authors_of(page, "First")[:2] == [
        ("/people/ada/", "Ada Lovelace"),
        ("/people/bo/", "Bo Renamed"),
    ]
    assert authors_of(page, "Second") == [("/people/bo/", "Bo Renamed")]


def test_a_new_slug_is_linked_from_the_lists_at_once(client, papers):
    _, bo, *_ = papers
    bo.slug = "bo-b"
    bo.save()
    page = check_lists(client)
    assert authors_of(page, "Second") == [("/people/bo-b/", "Bo")]
    assert ("/people/bo-b/", "Bo") in authors_of(page, "First")


def test_authorships_added_removed_and_reordered_show_at_once(client, papers):
    ada, bo, cy, first, second = papers
    Authorship.objects.filter(paper=first, person=bo).delete()
    Authorship.objects.filter(paper=first, person=cy).update(position=2)
    Authorship.objects.filter(paper=first, person=ada).update(position=3)
    Authorship.objects.create(paper=second, person=cy, position=None)
    page = check_lists(client)
    assert authors_of(page, "First") == [("/people/cy/", "Cy"), ("/people/ada/", "Ada")]
    # Cy has no place: Bo is listed and the unplaced author is not shown.
    assert authors_of(page, "Second") == [("/people/bo/", "Bo")]
    Authorship.objects.filter(paper=second, person=bo).delete()
    page = check_lists(client)
    assert authors_of(page, "Second") == [("/people/cy/", "Cy")]


def test_merged_and_split_people_show_at_once(client, papers):
    ada, bo, *_ = papers
    dee = make_person("Dee", slug="dee")
    third = make_paper("Third", authors=[dee, bo])
    person_merge(keep=ada, others=[dee])
    page = check_lists(client)
    assert authors_of(page, "Third") == [("/people/ada/", "Ada"), ("/people/bo/", "Bo")]
    moved = Authorship.objects.get(paper=third, person=ada)
    new = person_split(person=ada, authorships=[moved], name="Dee Again")
    page = check_lists(client)
    assert authors_of(page, "Third")[0] == (f"/people/{new.slug}/", "Dee Again")
    assert authors_of(page, "First")[0] == ("/people/ada/", "Ada")


def test_a_deleted_person_leaves_the_lists_at_once(client, papers):
    _, bo, *_ = papers
    bo.delete()
    page = check_lists(client)
    assert [name for _, name in authors_of(page, "First")] == ["Ada", "Cy"]
    assert authors_of(page, "Second") == []


def test_an_import_run_and_its_undo_show_at_once(client, seeded):
    stella = Person.objects.get(name="Stella Biderman")
    report = second_run()
    page = check_lists(client, author=stella.slug)
    names = [name for _, name in authors_of(page, "Zebra Transformers for Striped Sequences")]
    assert names == ["Zed Quixote", "Stella Biderman"]
    undo_run(ImportRun.objects.get(pk=report.run_id))
    page = check_lists(client, author=stella.slug)
    assert "Zebra Transformers" not in page
    assert not Person.objects.filter(name="Zed Quixote").exists()
    stella.name = "Stella Rose Biderman"
    stella.save()
    page = check_lists(client, author=stella.slug)
    assert "Stella Biderman<" not in page and "Stella Rose Biderman</a>" in page


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only")
def test_a_list_naming_a_person_not_yet_written_is_not_kept(papers):
    """Foreign keys are checked at commit: an authorship may name a person
    written later in the transaction. Its paper's list is unknown until then
    (the rows read its authorships), never a list with a hole."""
    *_, second = papers
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('people_person', 'id'))")
        person_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO catalog_authorship (paper_id, person_id, position, equal_contribution) "
            "VALUES (%s, %s, 2, false)",
            [second.pk, person_id],
        )
        cursor.execute("SELECT author_rows FROM catalog_paper WHERE id = %s", [second.pk])
        assert cursor.fetchone()[0] is None
        Person.objects.create(pk=person_id, name="Late", slug="late")
        Authorship.objects.filter(paper=second, person_id=person_id).update(position=3)
    assert kept_lists()[second.pk] == [["Bo", "bo", 1], ["Late", "late", 3]]


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only")
def test_a_paper_without_authors_keeps_an_empty_list(papers):
    paper = Paper.objects.create(title="Nobody", slug="nobody")
    Authorship.objects.create(paper=paper, person=papers[0], position=1)
    Authorship.objects.filter(paper=paper).delete()
    assert kept_lists()[paper.pk] == []


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only")
def test_a_bulk_load_writes_the_lists_its_triggers_would_have(settings, monkeypatch):
    """A bulk load sets the lists' triggers aside: it writes its new papers
    with their lists, and turns the triggers on again."""
    set_aside = []
    drop = SetAside.drop.__func__

    def recorded(cls, using):
        result = drop(cls, using)
        set_aside.append(result and result.triggers)
        return result

    monkeypatch.setattr(SetAside, "drop", classmethod(recorded))
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    import_listings(parsed(*SEED_FILES))
    [triggers] = set_aside
    assert ("catalog_authorship", "catalog_authorship_author_rows_insert") in triggers
    kept = kept_lists()
    assert sum(1 for authors in kept.values() if authors) > 20
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_paper WHERE author_rows IS NULL")
        assert cursor.fetchone()[0] == 0
        assert ("people_person", "people_person_author_rows_update") in author_rows.triggers(cursor)
    # The triggers are on again: a rename shows.
    person = Person.objects.filter(authorships__isnull=False).first()
    person.name = "Renamed After The Load"
    person.save()
    assert any(
        ["Renamed After The Load", person.slug] == a[:2]
        for a in kept_lists()[Authorship.objects.filter(person=person).first().paper_id]
    )


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only")
def test_the_triggers_run_the_apps_refresh(db):
    """The migration froze the UPDATE its triggers run; the app's refresh
    (bulk loads, search-index refreshes) must still be that UPDATE (its layout
    aside), or the two would keep different lists."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'papershelf_author_rows_%%' "
            "AND proname <> 'papershelf_author_rows_truncate'"
        )
        bodies = dict(cursor.fetchall())
    assert len(bodies) == 4
    refresh = re.sub(r"\s+", "", f"$sql${author_rows.refresh_sql('$1')}$sql$")
    for name, body in bodies.items():
        assert refresh in re.sub(r"\s+", "", body), name
