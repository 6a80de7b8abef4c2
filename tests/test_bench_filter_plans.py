"""bench.filter_plans: what tells two plans apart, and the statements it EXPLAINs."""

import pytest

from bench.filter_plans import _shape, page_statements
from tests.factories import make_papers, make_venue


def _plan(index: str, rows: int, cost: float) -> dict:
    return {
        "Node Type": "Limit",
        "Plan Rows": rows,
        "Total Cost": cost,
        "Plans": [{"Node Type": "Index Scan", "Relation Name": "paper", "Index Name": index}],
    }


def test_plans_differ_by_their_nodes_not_their_numbers():
    assert _shape(_plan("by_year", 25, 8.0)) == _shape(_plan("by_year", 900, 80.0))
    assert _shape(_plan("by_year", 25, 8.0)) != _shape(_plan("by_title", 25, 8.0))
    assert _shape(_plan("by_year", 25, 8.0)) == "(Limit (Index Scan paper by_year))"


@pytest.mark.django_db
def test_the_statements_are_each_page_s_reads_with_their_parameters():
    venue = make_venue("ICML")
    make_papers({"title": f"Paper {i}", "venue": venue, "year": 2020 + i % 3} for i in range(5))
    urls = ["/papers/?venue=icml&year=2021", "/papers/?year_from=2021&sort=title"]
    statements = page_statements(urls)
    assert {url for url, _, _ in statements} == set(urls)
    assert all(sql.lstrip().upper().startswith(("SELECT", "WITH")) for _, sql, _ in statements)
    assert any(params and "icml" in params for url, _, params in statements if "venue" in url)
