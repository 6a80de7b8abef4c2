"""bench.distinct_filters: a round keeps what its dump needs, not the responses."""

import json

import pytest
from django.test import Client

from bench.distinct_filters import SQLTimer, dump, one_round
from tests.factories import make_papers, make_venue


@pytest.mark.django_db
def test_a_round_keeps_each_page_s_status_and_content_and_dumps_them(tmp_path):
    venue = make_venue("ICML")
    make_papers({"title": f"Paper {i}", "venue": venue, "year": 2021} for i in range(3))
    urls = ["/papers/?venue=icml", "/papers/?year=2021&sort=title"]
    results = one_round(Client(), urls, SQLTimer())
    kept = [result[4] for result in results]
    # Not the test client's responses, which hold their pages' whole context.
    assert [type(page).__name__ for page in kept] == ["Page", "Page"]
    assert [page.status_code for page in kept] == [200, 200]
    assert all(b"Paper 0" in page.content for page in kept)
    dump(results, tmp_path / "dump.jsonl")
    records = [json.loads(line) for line in (tmp_path / "dump.jsonl").read_text().splitlines()]
    assert [record["url"] for record in records] == urls
    assert all(len(record["papers"]) == 3 for record in records)
