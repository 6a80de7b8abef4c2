"""Custom 404 and 500 pages: in the site's style, leaking nothing."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

LEAKS = [b"Traceback", b"SECRET-DETAIL", b"settings.py", b"/work/", b"RuntimeError", b"DEBUG"]


def test_the_404_page_is_in_the_site_style_and_leaks_nothing(client, settings):
    assert settings.DEBUG is False
    response = client.get("/papers/no-such-paper/")
    assert response.status_code == 404
    html = response.content
    assert b"<h1>Not found</h1>" in html
    assert b"papershelf" in html and b'class="site-header"' in html
    # Neither the resolver's message nor the URL patterns it tried.
    assert b"No Paper matches" not in html and b"URLconf" not in html
    assert b"no-such-paper" not in html


@pytest.mark.urls("tests.security.urls_failing")
def test_the_500_page_is_in_the_site_style_and_leaks_nothing(settings):
    assert settings.DEBUG is False
    client = Client(raise_request_exception=False)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fail/")
    assert response.status_code == 500
    html = response.content
    assert b"<h1>Something went wrong</h1>" in html
    assert b"papershelf" in html and b'class="site-header"' in html
    for leak in LEAKS:
        assert leak not in html, leak
    # The error page needs no database (it may be what failed).
    assert queries.captured_queries == []
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.urls("tests.security.urls_failing")
def test_the_500_page_renders_when_the_database_is_down(settings):
    from unittest import mock

    from django.db import OperationalError

    client = Client(raise_request_exception=False)
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/papers/")
    assert response.status_code == 500
    assert b"<h1>Something went wrong</h1>" in response.content
    assert b"down" not in response.content.replace(b"download", b"")
