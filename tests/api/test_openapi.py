"""The OpenAPI document is valid, and the API keeps to it (schemathesis)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from api.openapi import document


def test_the_document_is_valid_openapi_3_1(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_the_document_lists_every_endpoint_of_the_contract():
    assert set(document()["paths"]) == {
        "/api/v1/papers",
        "/api/v1/papers/{slug}",
        "/api/v1/people",
        "/api/v1/people/{slug}",
        "/api/v1/venues",
        "/api/v1/venues/{slug}",
        "/api/v1/awards",
        "/api/v1/awards/{slug}",
    }


schema = schemathesis.openapi.from_dict(document())


@pytest.fixture
def seeded(catalog):
    """The small catalog, and the WSGI handler kept from closing the test's
    database connection after each request (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
# A bounded number of examples: this is a conformance check, not a fuzzing run.
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_document(case, seeded):
    """Generated parameters (valid and not): never a 500, and every status,
    content type, header and body as the document says.

    Cursors are left out: a valid one only comes from a `next` URL (they are
    signed), so a generated one is rightly refused; test_papers.py walks
    real ones."""
    if case.query:
        case.query.pop("cursor", None)
    case.call_and_validate(app=get_wsgi_application())
