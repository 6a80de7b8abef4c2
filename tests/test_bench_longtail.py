"""The benchmark's long-tail URLs: distinct, drawn from the catalog, and
every filter page inside its result (a 404 would be timed as a page)."""

import random
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.longtail import filter_urls, lua_script, search_strings

TITLES = [
    "Quirosaovb: Scaling Language Model Training for Robust Retrieval",
    "Sparse attention with Tetosesa",
    "On the alignment of multimodal reward models (Kapaja)",
]


def test_searches_are_distinct_runs_of_title_words_and_skip_taken_ones():
    taken = {"sparse attention"}
    urls = search_strings(TITLES, 20, random.Random(1), taken)
    queries = [parse_qs(urlsplit(url).query)["q"][0] for url in urls]
    assert len(set(queries)) == len(queries) == 20
    assert "sparse attention" not in queries
    skipped = {"the", "of", "for", "with", "on"}
    titles = [
        [w for w in re.findall(r"[a-z][a-z-]*", title.lower()) if w not in skipped]
        for title in TITLES
    ]
    runs = {
        " ".join(words[i : i + k]) for words in titles for k in (1, 2, 3) for i in range(len(words))
    }
    for query in queries:
        assert 1 <= len(query.split()) <= 3
        assert query in runs  # consecutive words of one title, function words left out
    assert taken >= set(queries)


def test_filter_pages_stay_inside_their_results():
    space = {
        "all": {"all": {2020: 1000, 2021: 2000}},
        "venue": {"big": {2020: 900, 2021: 1800}, "tiny": {2021: 3}},
        "author": {"ann": {2021: 60}},
        "award": {},
    }
    urls = filter_urls(space, 200, random.Random(2), set())
    assert len(set(urls)) == len(urls) == 200
    for url in urls:
        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert params["sort"] in {"newest", "oldest", "title", "upvotes"}
        kind = next((k for k in ("venue", "author") if k in params), "all")
        years = space[kind][params.get(kind, "all")]
        low = int(params.get("year", params.get("year_from", 0)))
        high = int(params.get("year", params.get("year_to", 9999)))
        matches = sum(n for year, n in years.items() if low <= year <= high)
        assert int(params.get("page", 1)) <= max(1, -(-matches // 25))


def test_the_wrk_script_lists_every_path_and_refuses_odd_ones():
    script = lua_script(["/papers/?q=a+b", "/papers/?venue=x&page=2"])
    assert '"/papers/?q=a+b"' in script and '"/papers/?venue=x&page=2"' in script
    assert "function request()" in script
    with pytest.raises(ValueError):
        lua_script(['/papers/?q="]] os.exit()'])


def test_fragment_urls_keep_every_parameter_but_the_page():
    from django.urls import reverse

    from bench.longtail import fragment_url

    assert reverse("catalog:paper-facets-fragment") == "/facets/papers/fragment/"
    assert fragment_url("/papers/?q=model") == "/facets/papers/fragment/?q=model"
    assert (
        fragment_url("/papers/?venue=icml&year_from=2020&sort=oldest&page=7")
        == "/facets/papers/fragment/?venue=icml&year_from=2020&sort=oldest"
    )
    assert fragment_url("/papers/?page=2") == "/facets/papers/fragment/"
