"""The export links of a list: its export parameters encoded as a copy of its
QueryDict with the others deleted (and the page's fixed filter set) encodes
them, without copying it."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from catalog.exports import FORMATS
from catalog.links import EXPORT_PARAMETERS, export_links
from core.slugs import fixed_url


def copied_suffix(params: QueryDict, **fixed) -> str:
    """The obvious way: a copy of the parameters, the rest deleted, encoded."""
    query = params.copy()
    for key in list(query):
        if key not in EXPORT_PARAMETERS:
            del query[key]
    for key, value in fixed.items():
        query.setlist(key, [value])
    return f"?{query.urlencode()}" if query else ""


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=3",
        "venue=icml&page=2&venue=neurips&sort=title&unknown=1",
        urlencode({"q": "naïve “quotes” & more", "author": "a", "x": "✓ 1"}),
        "year=&award=oral&year_from=2000&page=9&venue=v",
    ],
)
@pytest.mark.parametrize("fixed", [{}, {"venue": "icml"}, {"award": "oral"}])
def test_export_links_encode_what_a_copy_of_the_parameters_encodes(query, fixed):
    params = QueryDict(query)
    suffix = copied_suffix(params, **fixed)
    expected = [
        (fmt.label, fixed_url("catalog:list-export", fmt.extension) + suffix)
        for fmt in FORMATS.values()
    ]
    assert export_links(params, **fixed) == expected
