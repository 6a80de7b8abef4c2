"""OAI-PMH test helpers: requests, parsing, and validation against the
vendored official schemas (tests/oai/schemas/README.md)."""

from pathlib import Path

import pytest
from lxml import etree

SCHEMAS = Path(__file__).parent / "schemas"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


@pytest.fixture(scope="session")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "harvest.xsd")))


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
