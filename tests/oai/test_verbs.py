"""Identify, ListMetadataFormats, ListSets and GetRecord, each response valid
against the official schemas (the `oai` fixture checks every one)."""

import pytest
from django.test import override_settings
from lxml import etree

from catalog.models import Paper
from tests.factories import make_paper
from tests.oai.conftest import NS, error_codes

PYTHIA = "pythia-a-suite-for-analyzing-large-language-models"


def test_identify_describes_a_repository_with_persistent_deletions(oai, catalog):
    root = oai(verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:repositoryName", namespaces=NS) == "Papershelf"
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    oldest = min(Paper.objects.values_list("updated_at", flat=True))
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == oldest.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert root.find("oai:request", NS).attrib == {"verb": "Identify"}


@override_settings(CONTACT_EMAIL="catalog@lab.example.org")
def test_identify_names_the_contact_address_as_admin(oai, db):
    root = oai(verb="Identify")
    assert root.findtext("oai:Identify/oai:adminEmail", namespaces=NS) == "catalog@lab.example.org"


def test_the_only_metadata_format_is_oai_dc(oai, catalog):
    for params in ({}, {"identifier": f"oai:testserver:{PYTHIA}"}):
        root = oai(verb="ListMetadataFormats", **params)
        prefixes = root.findall(".//oai:metadataPrefix", NS)
        assert [p.text for p in prefixes] == ["oai_dc"]
        assert root.findtext(".//oai:metadataNamespace", namespaces=NS) == (
            "http://www.openarchives.org/OAI/2.0/oai_dc/"
        )


def test_metadata_formats_of_an_unknown_item_is_id_does_not_exist(oai, catalog):
    root = oai(verb="ListMetadataFormats", identifier="oai:testserver:no-such-paper")
    assert error_codes(root) == ["idDoesNotExist"]


def test_sets_are_the_venues_with_papers(oai, catalog):
    root = oai(verb="ListSets")
    sets = [
        (s.findtext("oai:setSpec", namespaces=NS), s.findtext("oai:setName", namespaces=NS))
        for s in root.iterfind(".//oai:set", NS)
    ]
    assert sets == [("arxiv", "arXiv"), ("icml", "ICML"), ("neurips", "NeurIPS")]


def test_a_catalog_without_venues_has_no_set_hierarchy(oai, db):
    make_paper("Venueless")
    assert error_codes(oai(verb="ListSets")) == ["noSetHierarchy"]


def test_list_sets_hands_out_no_resumption_tokens(oai, catalog):
    assert error_codes(oai(verb="ListSets", resumptionToken="abc")) == ["badResumptionToken"]


def test_a_record_is_the_paper_in_dublin_core(oai, catalog):
    paper = catalog["papers"]["pythia"]
    Paper.objects.filter(pk=paper.pk).update(
        doi="10.5555/pythia", arxiv_id="2304.01373", url="https://example.org/pythia"
    )
    root = oai(verb="GetRecord", identifier=f"oai:testserver:{PYTHIA}", metadataPrefix="oai_dc")
    record = root.find("oai:GetRecord/oai:record", NS)
    header = record.find("oai:header", NS)
    assert header.get("status") is None
    assert header.findtext("oai:setSpec", namespaces=NS) == "icml"
    dc = record.find("oai:metadata/oai_dc:dc", NS)

    def values(name):
        return [e.text for e in dc.findall(f"dc:{name}", NS)]

    assert values("title") == ["Pythia: A Suite for Analyzing Large Language Models"]
    assert values("creator") == ["Stella Biderman", "Hailey Schoelkopf", "Leo Gao"]
    assert values("date") == ["2023"]
    assert values("identifier") == [
        f"http://testserver/papers/{PYTHIA}/",
        "https://doi.org/10.5555/pythia",
        "https://arxiv.org/abs/2304.01373",
        "https://example.org/pythia",
    ]
    assert values("description") == ["How do large language models develop during training?"]
    assert values("source") == ["ICML"]
    assert values("publisher") == ["ICML"]
    assert values("type") == ["Text"]


def test_a_record_dates_a_paper_by_its_publication_day_when_known(oai, db):
    import datetime

    make_paper("Dated", year=2021, published_on=datetime.date(2021, 3, 4))
    root = oai(verb="GetRecord", identifier="oai:testserver:dated", metadataPrefix="oai_dc")
    assert root.findtext(".//dc:date", namespaces=NS) == "2021-03-04"


def test_characters_xml_cannot_carry_are_dropped_not_served(oai, db):
    make_paper("Bell\x07 and \x0bvertical tab", abstract="<b>&amp;</b> \x1bok")
    root = oai(
        verb="GetRecord", identifier="oai:testserver:bell-and-vertical-tab", metadataPrefix="oai_dc"
    )
    assert root.findtext(".//dc:title", namespaces=NS) == "Bell and vertical tab"
    assert root.findtext(".//dc:description", namespaces=NS) == "<b>&amp;</b> ok"


def test_a_deleted_paper_is_a_deleted_record_without_metadata(oai, catalog):
    catalog["papers"]["pythia"].delete()
    root = oai(verb="GetRecord", identifier=f"oai:testserver:{PYTHIA}", metadataPrefix="oai_dc")
    record = root.find("oai:GetRecord/oai:record", NS)
    assert record.find("oai:header", NS).get("status") == "deleted"
    assert record.find("oai:metadata", NS) is None


def test_a_slug_taken_again_by_a_new_paper_is_that_paper(oai, catalog):
    catalog["papers"]["lone"].delete()
    make_paper("A Paper Without Venue", year=2024)
    root = oai(
        verb="GetRecord",
        identifier="oai:testserver:a-paper-without-venue",
        metadataPrefix="oai_dc",
    )
    assert root.find(".//oai:header", NS).get("status") is None
    assert root.findtext(".//dc:date", namespaces=NS) == "2024"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"identifier": "oai:testserver:no-such-paper"}, "idDoesNotExist"),
        ({"identifier": f"oai:elsewhere.org:{PYTHIA}"}, "idDoesNotExist"),
        ({"identifier": PYTHIA}, "idDoesNotExist"),
        (
            {"identifier": f"oai:testserver:{PYTHIA}", "metadataPrefix": "marc21"},
            "cannotDisseminateFormat",
        ),
    ],
)
def test_get_record_errors(oai, catalog, params, code):
    root = oai(verb="GetRecord", **{"metadataPrefix": "oai_dc", **params})
    assert error_codes(root) == [code]
    # Not badVerb/badArgument: the request's arguments are echoed.
    assert root.find("oai:request", NS).get("verb") == "GetRecord"


@override_settings(OAI_REPOSITORY_IDENTIFIER="papers.lab.example.org")
def test_identifiers_use_the_configured_repository_name(oai, catalog):
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert f"oai:papers.lab.example.org:{PYTHIA}" in [
        e.text for e in root.iterfind(".//oai:identifier", NS)
    ]


def test_the_schemas_really_check_the_metadata(schema):
    """The validator is not vacuous: an element oai_dc does not have fails."""
    bad = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>'
        b"2024-01-01T00:00:00Z</responseDate><request>http://x/oai</request><GetRecord>"
        b"<record><header><identifier>oai:x:y</identifier><datestamp>2024-01-01</datestamp>"
        b'</header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:author>x</dc:author></oai_dc:dc>'
        b"</metadata></record></GetRecord></OAI-PMH>"
    )
    assert not schema.validate(etree.fromstring(bad))
    assert schema.validate(etree.fromstring(bad.replace(b"dc:author", b"dc:creator")))
