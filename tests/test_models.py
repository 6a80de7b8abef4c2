import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from catalog.models import Authorship, DeletedPaper, Paper
from catalog.paper_relations import authors_and_awards
from catalog.query_shapes import ShapeStatements
from people.models import Person
from tests.factories import make_award, make_paper, make_person, make_venue
from venues.models import Venue

pytestmark = pytest.mark.django_db


def test_slugs_are_slugified_names():
    assert make_venue("ICML").slug == "icml"
    assert make_person("Stella Biderman").slug == "stella-biderman"
    assert make_award("Oral Presentation").slug == "oral-presentation"
    assert make_person("Hugo Laurençon").slug == "hugo-laurencon"
    assert make_person("Małgorzata Połacin").slug == "malgorzata-polacin"


def test_slugs_get_a_suffix_only_on_collision():
    first = make_person("Leo Gao")
    second = make_person("Leo Gao")
    assert (first.slug, second.slug) == ("leo-gao", "leo-gao-2")


def test_a_slug_does_not_change_when_the_name_does():
    paper = make_paper("Pythia: A Suite")
    paper.title = "Pythia: A Suite for Analyzing Large Language Models"
    paper.save()
    paper.refresh_from_db()
    assert paper.slug == "pythia-a-suite"


def test_long_titles_give_readable_slugs_cut_at_a_word():
    paper = make_paper("word " * 60)
    assert len(paper.slug) <= 100
    assert not paper.slug.endswith("-")


def test_the_database_refuses_a_duplicate_slug():
    make_venue("ICML")
    with pytest.raises(IntegrityError), transaction.atomic():
        Venue.objects.create(name="ICML 2", slug="icml")


def test_the_database_refuses_two_authors_at_one_position():
    paper = make_paper(authors=["A One"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorship.objects.create(paper=paper, person=make_person(), position=1)


def test_the_database_refuses_the_same_person_twice_on_a_paper():
    person = make_person()
    paper = make_paper(authors=[person])
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorship.objects.create(paper=paper, person=person, position=2)


def test_several_authors_may_have_no_known_position():
    paper = make_paper(authors=["First Author"])
    Authorship.objects.create(paper=paper, person=make_person("Tow"), position=None)
    Authorship.objects.create(paper=paper, person=make_person("Biderman"), position=None)
    names = [a.person.name for a in paper.authorships.order_by("position")]
    assert names[0] == "First Author"


@pytest.mark.parametrize("field", ["author_count", "upvotes"])
def test_the_database_refuses_a_negative_count(field):
    paper = make_paper()
    with pytest.raises(IntegrityError), transaction.atomic():
        Paper.objects.filter(pk=paper.pk).update(**{field: -1})


@pytest.mark.parametrize("year", [1899, 2101])
def test_the_database_refuses_an_impossible_year(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_paper(year=year)


def test_validation_refuses_a_year_after_next_year():
    import datetime

    paper = Paper(title="From the future", year=datetime.date.today().year + 2)
    with pytest.raises(ValidationError) as error:
        paper.full_clean()
    assert "year" in error.value.message_dict


def test_the_database_refuses_a_duplicate_arxiv_id_but_allows_many_blank_ones():
    make_paper(arxiv_id="2304.01373")
    make_paper(arxiv_id="")
    make_paper(arxiv_id="")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_paper(arxiv_id="2304.01373")


def test_authors_in_order_put_unknown_positions_last():
    paper = make_paper()
    late = make_person("Known Later")
    unknown = make_person("Unknown Place")
    first = make_person("First")
    Authorship.objects.create(paper=paper, person=unknown, position=None)
    Authorship.objects.create(paper=paper, person=late, position=2)
    Authorship.objects.create(paper=paper, person=first, position=1)
    in_order = Paper.objects.with_relations().get(pk=paper.pk).authorships.all()
    assert [a.person.name for a in in_order] == ["First", "Known Later", "Unknown Place"]
    # List rows read the same order, placed authors apart from the others.
    row = Paper.objects.for_list().get(pk=paper.pk)
    assert [name for name, _ in row.placed] == ["First", "Known Later"]
    assert [name for name, _ in row.unplaced] == ["Unknown Place"]


def test_list_rows_read_the_authors_and_awards_the_orm_prefetches():
    """PaperRowIterable reads every row's authors and awards in one raw query
    (catalog.paper_relations.authors_and_awards()): the same, in the same order, as
    the obvious way, the ORM's prefetch of each paper's relations."""
    oral, best, zeta = make_award("Oral"), make_award("Best Paper"), make_award("Zeta Prize")
    people = [make_person(name) for name in ("Ada", "Zed", "Bo", "Cy")]
    papers = [
        make_paper(authors=people[i % 3 :], awards=[[oral, best, zeta], [], [zeta]][i % 3])
        for i in range(6)
    ]
    Authorship.objects.create(paper=papers[1], person=people[0], position=None)
    Authorship.objects.create(paper=papers[2], person=make_person("Dee"), position=None)
    make_paper()  # no authors, no awards
    rows = {row.pk: row for row in Paper.objects.for_list()}
    assert len(rows) == 7
    for paper in Paper.objects.with_relations():
        authors = [(a.person.name, a.person.slug) for a in paper.authorships.all()]
        awards = [(w.name, w.slug) for w in paper.awards.order_by("name", "id")]
        row = rows[paper.pk]
        assert row.placed + row.unplaced == authors
        assert all(a.position is None for a in paper.authorships.all()[len(row.placed) :])
        assert row.awards == awards


def test_list_rows_inline_their_relations_on_postgresql_as_the_second_query_reads_them(
    monkeypatch, django_assert_num_queries
):
    """On PostgreSQL a page's rows carry their authors and awards as JSON
    columns (paper_rows.RELATIONS): one query, the same rows as reading the
    relations in a query of their own (SQLite's way); a query that groups
    (annotations that aggregate) keeps that way there too."""
    from catalog import paper_rows

    oral, best = make_award("Oral"), make_award("Best Paper")
    people = [make_person(name) for name in ("Ada", "Zed", "Bo")]
    for i in range(5):
        make_paper(authors=people[i % 3 :], awards=[[oral, best], [], [best]][i % 3])
    first = Paper.objects.order_by("pk").first()
    Authorship.objects.create(paper=first, person=make_person("Dee"), position=None)
    make_paper()
    inline = connection.vendor == "postgresql"
    with django_assert_num_queries(1 if inline else 2):
        rows = list(Paper.objects.for_list().order_by("pk"))
    monkeypatch.setattr(paper_rows, "_inlines_relations", lambda queryset: False)
    with django_assert_num_queries(2):
        read = list(Paper.objects.for_list().order_by("pk"))
    assert rows == read and len(rows) == 6 and rows[0].unplaced == [("Dee", "dee")]
    grouped = Paper.objects.for_list().annotate(n=Count("authorships")).order_by("pk")
    monkeypatch.undo()
    assert [(row.pk, row.placed, row.extra) for row in grouped] == [
        (row.pk, row.placed, {"n": len(row.placed) + len(row.unplaced)}) for row in read
    ]


def test_list_rows_read_their_inline_relations_as_json_text():
    """psycopg's json loader cost twice json.loads(): the RELATIONS columns
    come as text, decoded by the rows' iterable (the same rows as above)."""
    from catalog import paper_rows

    if connection.vendor != "postgresql":
        pytest.skip("relations are inline on PostgreSQL only")
    make_paper(authors=[make_person("Ada"), make_person("Bo")], awards=[make_award("Oral")])
    queryset = Paper.objects.for_list()
    [values] = paper_rows._row_values(queryset, _names()[0], True)
    assert values["_row_authors"] == '[["Ada", "ada", 1], ["Bo", "bo", 2]]'
    assert values["_row_awards"] == '[["Oral", "oral"]]'
    [row] = queryset
    assert (row.placed, row.awards) == ([("Ada", "ada"), ("Bo", "bo")], [("Oral", "oral")])


def test_list_rows_of_one_shape_are_read_with_the_sql_compiled_for_the_first(
    monkeypatch, django_assert_num_queries
):
    """Rows' reads are compiled once per shape of their query (WHERE text,
    order, columns): a read of the same shape with other values runs the
    kept statement with its own parameters, and gives what the ORM gives;
    another shape (order, filter) gets its own statement. On SQLite the
    values need converting (booleans), so nothing is kept there."""
    from catalog import paper_rows

    monkeypatch.setattr(paper_rows, "_ROW_SQL", ShapeStatements())
    monkeypatch.setattr(paper_rows, "_CONVERTED", set())
    venues = [make_venue("ICML"), make_venue("NeurIPS")]
    for i in range(8):
        make_paper(f"Paper {i}", venue=venues[i % 2], year=2015 + i, authors=[make_person(f"A{i}")])

    def page(venue, year_from, order="-year", bottom=0):
        ids = (
            Paper.objects.filter(venue=venue, year__gte=year_from)
            .order_by(order, "pk")
            .values("pk")[bottom : bottom + 2]
        )
        return Paper.objects.for_list().filter(pk__in=ids).order_by(order, "pk")

    def read(queryset):
        return [(row.pk, row.title, row.venue_slug, row.placed) for row in queryset]

    def through_orm(queryset):
        monkeypatch.setattr(paper_rows, "_row_shape", lambda *args: None)
        try:
            return read(queryset)
        finally:
            monkeypatch.undo()
            monkeypatch.setattr(paper_rows, "_ROW_SQL", kept)
            monkeypatch.setattr(paper_rows, "_CONVERTED", converted)

    kept, converted = paper_rows._ROW_SQL, paper_rows._CONVERTED
    first = read(page(venues[0], 2015))
    assert first == through_orm(page(venues[0], 2015)) and len(first) == 2
    postgresql = connection.vendor == "postgresql"
    assert len(kept) == (1 if postgresql else 0)
    with django_assert_num_queries(1 if postgresql else 2):
        same_shape = read(page(venues[1], 2018))
    assert same_shape == through_orm(page(venues[1], 2018))
    assert [pk for pk, *_ in same_shape] == list(
        Paper.objects.filter(venue=venues[1], year__gte=2018)
        .order_by("-year", "pk")
        .values_list("pk", flat=True)[:2]
    )
    assert len(kept) == (1 if postgresql else 0)
    assert read(page(venues[1], 2015, "year")) == through_orm(page(venues[1], 2015, "year"))
    assert read(page(venues[0], 2015, bottom=2)) == through_orm(page(venues[0], 2015, bottom=2))
    assert len(kept) == (3 if postgresql else 0)
    # SQLite's rows are converted (booleans): known after the first read.
    assert len(converted) == (0 if postgresql else 1)


def test_list_rows_of_a_shape_first_seen_are_written_from_its_template(
    monkeypatch, django_assert_num_queries
):
    """A rows' read of a page's ids whose shape is new (other filters, another
    page) but whose template is known (the same columns, orders and tables)
    is written from the template, not compiled: the same SQL and rows as the
    ORM gives. Other tables (a join the filters add) get their own
    template. Nothing is kept on SQLite (its values need converting)."""
    from catalog import paper_rows

    monkeypatch.setattr(paper_rows, "_ROW_SQL", ShapeStatements())
    monkeypatch.setattr(paper_rows, "_ROW_TEMPLATES", ShapeStatements())
    monkeypatch.setattr(paper_rows, "_CONVERTED", set())
    venues = [make_venue("ICML"), make_venue("NeurIPS")]
    for i in range(8):
        make_paper(f"Paper {i}", venue=venues[i % 2], year=2015 + i, authors=[make_person(f"A{i}")])

    def page(bottom=0, **filters):
        ids = Paper.objects.filter(**filters).order_by("-year", "pk").values("pk")
        rows = Paper.objects.for_list().filter(pk__in=ids[bottom : bottom + 2])
        return rows.order_by("-year", "pk")

    def orm_sql(queryset):
        read = queryset.annotate(**paper_rows._relations_columns(queryset))
        sql, _ = read.values(*paper_rows.ROW_VALUES, *paper_rows.RELATIONS).query.sql_with_params()
        return sql

    def read(queryset):
        return [(row.pk, row.title, row.venue_slug, row.placed) for row in queryset]

    postgresql = connection.vendor == "postgresql"
    first = read(page(venue=venues[0], year__gte=2015))
    assert len(paper_rows._ROW_TEMPLATES) == (1 if postgresql else 0)
    compiled = []
    kept_row_sql = paper_rows._kept_row_sql
    monkeypatch.setattr(
        paper_rows, "_kept_row_sql", lambda *args: compiled.append(args) or kept_row_sql(*args)
    )
    others = [
        page(year__lte=2020),
        page(2, venue=venues[1]),
        page(year=2016, venue=venues[1]),
    ]
    with django_assert_num_queries(len(others) if postgresql else 2 * len(others)):
        rows = [read(queryset) for queryset in others]
    with monkeypatch.context() as orm_only:
        orm_only.setattr(paper_rows, "_row_shape", lambda *args: None)
        assert rows == [read(queryset) for queryset in others]
    assert [len(r) for r in rows] == [2, 2, 1] and len(first) == 2
    if postgresql:
        assert compiled == []
        kept = [paper_rows._ROW_SQL.get(paper_rows._row_shape(q, *_names())[0]) for q in others]
        assert [sql for sql, _ in kept] == [orm_sql(q) for q in others]
    # A join in the ids' query (venues by slug): another template, compiled once.
    joined = read(page(venue__slug__in=["icml", "neurips"]))
    assert len(joined) == 2 and len(compiled) == (1 if postgresql else 0)
    assert len(paper_rows._ROW_TEMPLATES) == (2 if postgresql else 0)


def _names() -> tuple:
    from catalog import paper_rows

    return (*paper_rows.ROW_VALUES, *paper_rows.RELATIONS), True


def test_every_public_model_has_a_url():
    paper = make_paper("Pythia", venue=make_venue("ICML"), authors=["Stella Biderman"])
    award = make_award("Oral Presentation")
    assert paper.get_absolute_url() == "/papers/pythia/"
    assert paper.venue.get_absolute_url() == "/venues/icml/"
    assert Person.objects.get().get_absolute_url() == "/people/stella-biderman/"
    assert award.get_absolute_url() == "/awards/oral-presentation/"


def test_deleting_a_paper_leaves_a_tombstone():
    paper = make_paper("Gone", arxiv_id="2101.00001")
    paper.sources.create(listing="000.txt", format="blog", entry_index=3, line=20)
    paper.delete()
    tombstone = DeletedPaper.objects.get()
    assert (tombstone.title, tombstone.arxiv_id, tombstone.source_keys) == (
        "Gone",
        "2101.00001",
        ["000.txt#3"],
    )


def test_for_detail_reads_what_the_prefetches_read_in_one_query(django_assert_num_queries):
    """for_detail() (catalog/paper_relations.py) gives every paper the
    authorships, people, awards and sources the prefetches give, in the same
    order, from one query after the papers' own."""
    papers = [make_paper("Pythia"), make_paper("Alone")]
    first, late, unplaced, equal = (make_person(name) for name in ("Ann", "Bo", "Cy", "Di"))
    # Two without a place: in the order they were added, not by name.
    Authorship.objects.create(paper=papers[0], person=make_person("Zed"), position=None)
    Authorship.objects.create(paper=papers[0], person=unplaced, position=None)
    Authorship.objects.create(paper=papers[0], person=late, position=3)
    Authorship.objects.create(paper=papers[0], person=equal, position=2, equal_contribution=True)
    Authorship.objects.create(paper=papers[0], person=first, position=1)
    papers[0].awards.add(make_award("Oral"), make_award("Best Paper"))
    papers[0].sources.create(listing="b.txt", format="daily", entry_index=2, line=9)
    papers[0].sources.create(listing="a.txt", format="blog", entry_index=7, line=40)
    papers[0].sources.create(listing="a.txt", format="blog", entry_index=3, line=20)
    ids = [paper.pk for paper in papers]

    def described(paper):
        return (
            [
                (a.id, a.paper_id, a.position, a.equal_contribution, a.person.name, a.person.slug)
                for a in paper.authorships.all()
            ],
            [(award.id, award.name, award.slug) for award in paper.awards.all()],
            [
                (s.id, s.listing, s.format, s.entry_index, s.line, s.get_format_display())
                for s in paper.sources.all()
            ],
        )

    expected = {
        p.pk: described(p)
        for p in Paper.objects.with_relations().prefetch_related("sources").filter(pk__in=ids)
    }
    with django_assert_num_queries(2):
        found = list(Paper.objects.for_detail().filter(pk__in=ids).order_by("pk"))
        assert {p.pk: described(p) for p in found} == expected
        # Each row knows its paper, as after a prefetch.
        assert all(a.paper is found[0] for a in found[0].authorships.all())
    assert [a.person.name for a in found[0].authorships.all()] == ["Ann", "Di", "Bo", "Zed", "Cy"]
    assert [award.name for award in found[0].awards.all()] == ["Best Paper", "Oral"]
    assert described(found[1]) == ([], [], [])
    # The people's other columns are deferred, not wrong: read when asked.
    assert found[0].authorships.all()[0].person.orcid == first.orcid
    # The relations filter as querysets still.
    assert [a.position for a in found[0].authorships.filter(position__isnull=False)] == [1, 2, 3]
    # The API's plain rows: the same order, from one query.
    with django_assert_num_queries(1):
        authors, awards = authors_and_awards(Paper, ids, "default")
    assert [(name, equal, position) for _, name, _, equal, position in authors] == [
        ("Ann", False, 1),
        ("Di", True, 2),
        ("Bo", False, 3),
        ("Zed", False, None),
        ("Cy", False, None),
    ]
    assert [(paper_id, name) for paper_id, name, _ in awards] == [
        (papers[0].pk, "Best Paper"),
        (papers[0].pk, "Oral"),
    ]


def test_relations_are_read_in_chunks_of_papers_in_the_same_order(monkeypatch):
    """Many papers' relations are read CHUNK papers a query (SQLite takes at
    most 32,766 parameters a statement): each paper's rows stay whole."""
    papers = [make_paper(f"Paper {n}", authors=["Ann", f"Bo {n}"]) for n in range(3)]
    papers[1].awards.add(make_award("Oral"))
    ids = [paper.pk for paper in papers]
    whole = authors_and_awards(Paper, ids, "default")
    detail = {
        p.pk: [a.person.name for a in p.authorships.all()] for p in Paper.objects.for_detail()
    }
    monkeypatch.setattr("catalog.paper_relations.CHUNK", 2)
    assert authors_and_awards(Paper, ids, "default") == whole
    assert {
        p.pk: [a.person.name for a in p.authorships.all()] for p in Paper.objects.for_detail()
    } == detail
    assert detail[ids[2]] == ["Ann", "Bo 2"] and len(whole[1]) == 1
