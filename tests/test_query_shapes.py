from django.db.models import Count, Field
from django.db.models.expressions import RawSQL

from catalog.models import Paper
from catalog.query_shapes import (
    ShapeStatements,
    filters_and_order_only,
    over_own_table_only,
    raw_sql_annotations,
)


def test_statements_start_afresh_when_full_and_keep_the_newest():
    statements = ShapeStatements(kept=2)
    statements.keep(("a",), "SELECT 1")
    statements.keep(("b",), "SELECT 2")
    assert (statements.get(("a",)), len(statements)) == ("SELECT 1", 2)
    statements.keep(("c",), "SELECT 3")
    assert statements.get(("a",)) is None and statements.get(("b",)) is None
    assert (statements.get(("c",)), len(statements)) == ("SELECT 3", 1)


def test_only_queries_of_filters_and_an_order_have_a_shape():
    plain = Paper.objects.filter(year__gte=2020).order_by("-year")
    assert filters_and_order_only(plain.query)
    assert filters_and_order_only(plain[:25].query)
    assert not filters_and_order_only(plain.annotate(n=Count("authorships")).query)
    assert not filters_and_order_only(plain.distinct().query)
    assert not filters_and_order_only(plain.extra(select={"one": "1"}).query)
    assert not filters_and_order_only(plain.union(plain).query)
    assert not filters_and_order_only(plain.select_for_update().query)


def test_raw_sql_annotations_are_a_shape_by_their_text():
    plain = Paper.objects.filter(year__gte=2020).order_by("-year")
    ranked = plain.annotate(rank=RawSQL("%s + 1", [2]))
    assert not filters_and_order_only(ranked.query)
    assert filters_and_order_only(ranked.query, annotated=True)
    assert raw_sql_annotations(ranked.query) == ((("rank", "%s + 1", Field), [2]),)
    assert raw_sql_annotations(plain.query) == ()
    counted = ranked.annotate(n=Count("authorships"))
    assert raw_sql_annotations(counted.query) is None
    assert not filters_and_order_only(ranked.distinct().query, annotated=True)


def test_a_query_over_its_own_table_alone_joins_nothing_in_use():
    assert over_own_table_only(Paper.objects.filter(year=2020, venue_id=3).query)
    assert not over_own_table_only(Paper.objects.filter(venue__slug="acl").query)
