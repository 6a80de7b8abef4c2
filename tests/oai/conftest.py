"""OAI-PMH test helpers: requests, parsing, and validation against the
vendored official schemas (tests/oai/schemas/README.md)."""

import datetime
from pathlib import Path

import pytest
from lxml import etree

from catalog.models import Paper
from tests.factories import make_venue

SCHEMAS = Path(__file__).parent / "schemas"
UTC = datetime.UTC
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


@pytest.fixture(scope="session")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "harvest.xsd")))


def set_changed(paper_or_slug, moment):
    slug = paper_or_slug if isinstance(paper_or_slug, str) else paper_or_slug.slug
    Paper.objects.filter(slug=slug).update(updated_at=moment)


def build_many():
    """250 papers of one venue (in bulk: the harvest needs no authors), changed
    in pairs that share a second, so batches break inside one datestamp."""
    venue = make_venue("ICML")
    Paper.objects.bulk_create(
        Paper(title=f"Paper {i:03}", slug=f"paper-{i:03}", venue=venue, year=2020)
        for i in range(250)
    )
    base = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    for i, paper in enumerate(Paper.objects.order_by("slug")):
        set_changed(paper, base + datetime.timedelta(seconds=i // 2))
    return list(Paper.objects.order_by("slug"))


@pytest.fixture
def oai(client, schema):
    """GET /oai with these arguments; the response's root, checked valid."""

    def get(**params):
        response = client.get("/oai", params)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        root = etree.fromstring(response.content)
        schema.assertValid(root)
        return root

    return get


def error_codes(root) -> list[str]:
    return [e.get("code") for e in root.findall("oai:error", NS)]


def identifiers(root) -> list[str]:
    return [e.text for e in root.iterfind(".//oai:header/oai:identifier", NS)]


def token(root) -> str | None:
    element = root.find(".//oai:resumptionToken", NS)
    return element.text if element is not None else None
