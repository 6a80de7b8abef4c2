"""The pagination and export links under a list, written in Python
(core/templatetags/page_parts.py), are the HTML their templates wrote: the
same values through Django's template engine, with its autoescaping."""

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.template.loader import get_template
from django.test import RequestFactory

from core.pagination import DeferredJoinPaginator

ENGINE = engines["django"]
# includes/pagination.html and includes/exports_and_feed.html, as they were,
# with numbers grouped by thousands and an estimated total said so.
PAGINATION_TEMPLATE = ENGINE.from_string(
    """{% if page_obj.has_other_pages %}
<nav class="pagination" aria-label="Pagination">
  <ul>
    {% if page_obj.has_previous %}
    <li><a href="{% querystring page=page_obj.previous_page_number %}" rel="prev">← Previous<span class="visually-hidden"> page</span></a></li>
    {% endif %}
    <li aria-current="page">Page {{ page_obj.number }} of {% if page_obj.paginator.estimated %}about {% endif %}{{ page_obj.paginator.num_pages|floatformat:"g" }}</li>
    {% if page_obj.has_next %}
    <li><a href="{% querystring page=page_obj.next_page_number %}" rel="next">Next<span class="visually-hidden"> page</span> →</a></li>
    {% endif %}
  </ul>
</nav>
{% endif %}
"""  # noqa: E501
)
EXPORTS_TEMPLATE = ENGINE.from_string(
    """<p class="feed-links">Export {% if subject %}{{ subject }}'s papers{% elif total and total_estimated %}all matching papers (about {{ total|floatformat:"g" }}){% elif total %}all {{ total|floatformat:"g" }} matching paper{{ total|pluralize }}{% else %}these papers{% endif %}:
  {% for label, url in exports %}<a href="{{ url }}" download>{{ label }}</a>{% if not forloop.last %} · {% endif %}{% endfor %}{% if feed_url %}
  · <a href="{{ feed_url }}" type="application/atom+xml">Atom feed</a>{% endif %}</p>
"""  # noqa: E501
)
HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def page(number, count=100, estimated=False):
    rows = list(range(count))
    if estimated:
        paginator = DeferredJoinPaginator(
            rows, 25, count=count, estimated=True, page_rows=lambda _, bottom, top: rows[bottom:top]
        )
        return paginator.page(number)
    return Paginator(rows, 25).page(number)


@pytest.mark.parametrize(
    ("query", "page_obj"),
    [
        ("", page(1)),
        ("", page(2)),
        ("", page(4)),
        ("", page(1, count=10)),
        ("", page(1, count=40_000)),
        ("", page(2, count=40_000, estimated=True)),
        ("", None),
        ("q=" + HOSTILE + "&year=2020&page=3", page(3)),
        ("venue=a&venue=b&page=2", page(2, estimated=True)),
    ],
)
def test_the_pagination_is_the_html_the_template_wrote(query, page_obj):
    request = RequestFactory().get("/papers/?" + query)
    context = {"request": request, "page_obj": page_obj}
    expected = PAGINATION_TEMPLATE.render(context, request)
    assert get_template("includes/pagination.html").render(context, request) == expected
    assert "<script>" not in expected


@pytest.mark.parametrize(
    "values",
    [
        {"exports": [("BibTeX", "/papers/export.bib?q=a&b"), ("RIS", "/x.ris")], "total": 1},
        {"exports": [("BibTeX", "/x.bib")], "total": 2482, "feed_url": "/feeds/people/ada/"},
        {"exports": [("BibTeX", "/x.bib")], "total": 98000, "total_estimated": True},
        {"exports": [(HOSTILE, HOSTILE)], "subject": HOSTILE, "feed_url": HOSTILE},
        {"exports": [], "total": 0},
        {},
    ],
)
def test_the_export_links_are_the_html_the_template_wrote(values):
    expected = EXPORTS_TEMPLATE.render(values)
    assert get_template("includes/exports_and_feed.html").render(values) == expected
    assert "<script>" not in expected
