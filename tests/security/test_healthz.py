"""/healthz (CONTRACT.md): 200 after a database round trip, 503 without one."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_after_a_database_round_trip(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]


def test_healthz_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused: secret-host:5432")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
    assert b"secret-host" not in response.content
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_head_and_refuses_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_with_the_https_redirect_on_healthz_still_answers_plain_http(client, settings):
    """A load balancer's health check speaks plain HTTP; everything else is redirected."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    response = client.get("/papers/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/papers/"
