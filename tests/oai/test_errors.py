"""Every protocol error where it applies, each a valid OAI-PMH response
(never an HTTP error or a 500); after badVerb and badArgument the request
element carries no arguments, as the protocol says."""

import pytest

from tests.factories import make_papers
from tests.oai.conftest import NS, error_codes, token

BAD_VERB = [
    {},
    {"verb": "Harvest"},
    {"verb": ["Identify", "Identify"]},
]

BAD_ARGUMENT = [
    {"verb": "Identify", "set": "icml"},
    {"verb": "ListRecords"},
    {"verb": "ListIdentifiers", "set": "icml"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
    {"verb": "GetRecord", "identifier": "oai:testserver:x"},
    {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2024-01-01T00:00:00"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01T00:00:00.5Z"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-01", "until": "2024-01"},
    {
        "verb": "ListRecords",
        "metadataPrefix": "oai_dc",
        "from": "2024-02-01",
        "until": "2024-01-31",
    },
    {
        "verb": "ListRecords",
        "metadataPrefix": "oai_dc",
        "from": "2024-01-01",
        "until": "2024-02-01T00:00:00Z",
    },
    {"verb": "ListRecords", "metadataPrefix": "oai dc"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "two words"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "icml\x00"},
]


@pytest.mark.parametrize("params", BAD_VERB)
def test_bad_verb(oai, catalog, params):
    root = oai(**params)
    assert error_codes(root) == ["badVerb"]
    assert root.find("oai:request", NS).attrib == {}


@pytest.mark.parametrize("params", BAD_ARGUMENT)
def test_bad_argument(oai, catalog, params):
    root = oai(**params)
    assert error_codes(root) == ["badArgument"]
    assert root.find("oai:request", NS).attrib == {}


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
@pytest.mark.parametrize("bad", ["", "garbage", "eyJhIjoxfQ:1:2", "a" * 5000])
def test_bad_resumption_token(oai, catalog, verb, bad):
    assert error_codes(oai(verb=verb, resumptionToken=bad)) == ["badResumptionToken"]


def test_a_tampered_resumption_token_is_refused(oai, catalog):
    make_papers({"title": f"Filler {i}"} for i in range(101))
    good = token(oai(verb="ListIdentifiers", metadataPrefix="oai_dc"))
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    assert error_codes(oai(verb="ListIdentifiers", resumptionToken=tampered)) == [
        "badResumptionToken"
    ]


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_an_unknown_format_cannot_be_disseminated(oai, catalog, verb):
    root = oai(verb=verb, metadataPrefix="marc21")
    assert error_codes(root) == ["cannotDisseminateFormat"]
    assert root.find("oai:request", NS).get("metadataPrefix") == "marc21"


def test_requests_may_be_posted(client, catalog):
    response = client.post("/oai", {"verb": "Identify"})
    assert response.status_code == 200
    assert b"<Identify>" in response.content


def test_other_methods_are_refused(client, catalog):
    assert client.put("/oai", {"verb": "Identify"}).status_code == 405
