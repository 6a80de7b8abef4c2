"""core.template_backend and CachedPageMixin.head: a page's view, context
and rows are freed by reference counting once it is served, not left to the
cyclic collector (whose collections then walked them)."""

import gc

import pytest
from django.template import engines
from django.template.context import RequestContext
from django.test import RequestFactory
from django.test.client import ClientHandler

from catalog.paper_rows import PaperRow
from catalog.views import PaperListView


def _left_for_the_collector() -> list:
    return [o for o in gc.get_objects() if isinstance(o, (PaperListView, PaperRow, RequestContext))]


@pytest.mark.django_db
@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize("query", [{"q": "language model"}, {"venue": "icml"}])
def test_a_served_list_page_leaves_nothing_to_the_collector(query):
    environ = RequestFactory().get("/papers/", query).environ
    handler = ClientHandler()
    gc.collect()
    gc.disable()
    try:
        response = handler(environ)
        content = response.content
        del response
        left = _left_for_the_collector()
    finally:
        gc.enable()
    assert content.count(b'class="paper-row"') > 0
    assert left == []


def test_templates_render_as_with_djangos_backend():
    template = engines["django"].from_string("{{ a }} {% for x in xs %}{{ x }}{% endfor %}")
    request = RequestFactory().get("/")
    assert template.render({"a": "<b>", "xs": [1, 2]}, request) == "&lt;b&gt; 12"
    assert template.render({"a": "plain"}) == "plain "


@pytest.mark.django_db
def test_head_is_still_get_without_a_body(client):
    got, head = client.get("/papers/"), client.head("/papers/")
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]
