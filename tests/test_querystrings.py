"""core.querystrings.with_page(): what `{% querystring page=N %}` writes,
without copying the request's parameters."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.template.defaulttags import querystring

from core.querystrings import with_page


class _Context:
    def __init__(self, params: QueryDict):
        self.request = type("Request", (), {"GET": params})()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=3",
        "q=graph+nets&page=2&venue=icml&venue=neurips",
        "venue=icml&page=2&page=5&sort=title",
        urlencode({"q": "naïve “quotes” & more <b>", "author": "a", "x": "✓ 1"}),
        "year=&award=oral&unknown=1&unknown=2",
    ],
)
@pytest.mark.parametrize("number", [1, 2, 17])
def test_a_page_link_is_what_the_querystring_tag_writes(query, number):
    params = QueryDict(query)
    assert with_page(params, number) == querystring(_Context(params), page=number)
