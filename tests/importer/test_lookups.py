"""Papers by arXiv id and DOI: recorded arXiv Atom and CSL-JSON answers,
served on loopback (tests/importer/lookup_server.py), never the network."""

import datetime
import json

import pytest

from catalog.importer import lookups
from catalog.importer.fetch import HttpClient, Response, retry_after_seconds, user_agent
from catalog.importer.identifiers import IdentifierError, parse_identifier
from catalog.importer.lookups import Lookups, LookupSettings, csl_record
from tests.importer.lookup_server import DATA, Reply, lookup_server  # noqa: F401

ARXIV_PATH = "/api/query"
DOI_PATH = "/doi/"


class Recorder:
    """Stands in for time.sleep: records the waits instead of waiting."""

    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(round(seconds, 3))


@pytest.fixture
def sleeps():
    return Recorder()


@pytest.fixture
def lookup(lookup_server, sleeps):  # noqa: F811
    def run(*written, timeout=2.0, retries=2):
        settings = LookupSettings(
            arxiv_api_url=lookup_server.url + ARXIV_PATH,
            doi_resolver_url=lookup_server.url + DOI_PATH,
            contact_email="lab@example.org",
            arxiv_interval=0,
            timeout=timeout,
            retries=retries,
        )
        client = HttpClient(
            user_agent=user_agent(settings.contact_email),
            timeout=timeout,
            retries=retries,
            backoff=0.5,
            sleep=sleeps,
        )
        return Lookups(settings, client=client).look_up(written)

    return run


def messages(listing):
    return {error.source_file: error.reason for error in listing.skipped}


# ---------------------------------------------------------------------------
# Identifiers as people write them


@pytest.mark.parametrize(
    "written, kind, value",
    [
        ("2201.07311", "arxiv", "2201.07311"),
        ("2201.07311v3", "arxiv", "2201.07311"),
        ("arXiv:2201.07311", "arxiv", "2201.07311"),
        ("ARXIV: 2201.07311v1", "arxiv", "2201.07311"),
        ("https://arxiv.org/abs/2201.07311v2", "arxiv", "2201.07311"),
        ("http://arxiv.org/pdf/2201.07311v2.pdf", "arxiv", "2201.07311"),
        ("arxiv.org/abs/2201.07311", "arxiv", "2201.07311"),
        ("hep-th/9901001", "arxiv", "hep-th/9901001"),
        ("arXiv:math.GT/0309136v2", "arxiv", "math.GT/0309136"),
        ("10.48550/arXiv.2201.07311", "arxiv", "2201.07311"),
        ("10.1145/3511808.3557079", "doi", "10.1145/3511808.3557079"),
        ("doi:10.1145/3511808.3557079", "doi", "10.1145/3511808.3557079"),
        ("DOI: 10.1002/jcc.26768.", "doi", "10.1002/jcc.26768"),
        ("https://doi.org/10.18653/v1/2023.findings-emnlp.936", "doi", None),
        ("http://dx.doi.org/10.1002%2Fjcc.26768", "doi", "10.1002/jcc.26768"),
    ],
)
def test_identifiers_in_every_written_form(written, kind, value):
    identifier = parse_identifier(written)
    assert identifier.kind == kind
    assert identifier.value == (value or "10.18653/v1/2023.findings-emnlp.936")


def test_the_version_is_kept_for_the_request_only():
    assert parse_identifier("arXiv:2201.07311v3").version == 3
    assert parse_identifier("arXiv:2201.07311v3").label == "arXiv:2201.07311"


@pytest.mark.parametrize("written", ["", "pythia", "2201.073", "11.1234/x", "arXiv:"])
def test_what_is_no_identifier_says_what_was_expected(written):
    with pytest.raises(IdentifierError, match=r"neither an arXiv id .* nor a DOI"):
        parse_identifier(written)


# ---------------------------------------------------------------------------
# arXiv


def test_an_arxiv_id_becomes_a_listing_entry(lookup_server, lookup):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply.file("arxiv_2305.13048.xml"))
    listing = lookup("https://arxiv.org/abs/2305.13048")
    assert listing.skipped == []
    (rwkv,) = listing.entries
    assert rwkv.source_file == "arXiv:2305.13048"
    assert rwkv.title == "RWKV: Reinventing RNNs for the Transformer Era"
    assert rwkv.abstract.startswith("Transformers have revolutionized almost all natural")
    assert "\n" not in rwkv.abstract and "  " not in rwkv.abstract
    assert rwkv.citation.arxiv_id == "2305.13048"
    assert rwkv.citation.doi == "10.18653/v1/2023.findings-emnlp.936"
    assert rwkv.published_on == datetime.date(2023, 5, 22)
    assert rwkv.year == 2023
    assert rwkv.url == "https://arxiv.org/abs/2305.13048"
    # The journal reference names the venue; the full text goes to the detail.
    assert rwkv.venue_name == "EMNLP (Findings)"
    assert rwkv.citation.venue_text == (
        "Findings of the Association for Computational Linguistics: EMNLP 2023"
    )
    assert rwkv.authors_complete is True
    assert [a.name for a in rwkv.authors][:3] == ["Bo Peng", "Eric Alcaide", "Quentin Anthony"]
    assert (rwkv.authors[-1].name, rwkv.authors[-1].position) == ("Rui-Jie Zhu", 34)


def test_arxiv_requests_name_papershelf_and_the_contact(lookup_server, lookup):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply.file("arxiv_2305.13048.xml"))
    lookup("arXiv:2305.13048v2")
    (request,) = lookup_server.requests
    assert request.path == f"{ARXIV_PATH}?id_list=2305.13048v2&max_results=1"
    assert "Papershelf" in request.headers["User-Agent"]
    assert "lab@example.org" in request.headers["User-Agent"]
    assert "atom" in request.headers["Accept"]


def test_arxiv_ids_go_in_one_batched_request(lookup_server, lookup):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply.file("arxiv_batch.xml"))
    listing = lookup("2405.15743", "arXiv:2304.01373v2")
    assert [e.citation.arxiv_id for e in listing.entries] == ["2405.15743", "2304.01373"]
    (request,) = lookup_server.requests
    assert "id_list=2405.15743%2C2304.01373v2" in request.path
    smupar, pythia = listing.entries
    assert smupar.title == (
        "Sparse maximal update parameterization: A holistic approach to sparse training dynamics"
    )
    assert "we propose S$\\mu$Par as one such approach" in smupar.abstract
    assert smupar.venue_name == "arXiv"  # no journal reference: the preprint server
    assert "we introduce Pythia, a suite of 16 LLMs" in pythia.abstract
    assert "https://github.com/EleutherAI/pythia" in pythia.abstract
    assert ("Oskar van der Wal", 13) in [(a.name, a.position) for a in pythia.authors]


def test_batches_are_one_at_a_time_and_spaced_as_arxiv_asks(lookup_server, monkeypatch):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply.file("arxiv_batch.xml"))
    monkeypatch.setattr(lookups, "ARXIV_BATCH", 1)
    now = [100.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    settings = LookupSettings(lookup_server.url + ARXIV_PATH, lookup_server.url + DOI_PATH)
    client = HttpClient(user_agent="t", min_interval=3.0, sleep=sleep, clock=lambda: now[0])
    Lookups(settings, client=client).look_up(["2405.15743", "2304.01373"])
    assert len(lookup_server.requests) == 2
    assert waits == [3.0]


def test_an_unknown_arxiv_id_is_named_with_why(lookup_server, lookup):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply.file("arxiv_empty.xml"))
    listing = lookup("2201.99999")
    assert listing.entries == []
    assert messages(listing) == {"arXiv:2201.99999": "not found on arXiv"}


def test_arxivs_own_error_entry_is_passed_on(lookup_server, lookup):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply.file("arxiv_error.xml"))
    listing = lookup("2201.07311")
    assert messages(listing) == {"arXiv:2201.07311": "arXiv: incorrect id format for 2201.07311"}


# ---------------------------------------------------------------------------
# DOIs


def test_a_crossref_doi_becomes_a_listing_entry(lookup_server, lookup):  # noqa: F811
    doi = "10.18653/v1/2023.findings-emnlp.936"
    lookup_server.add(DOI_PATH + doi, Reply.file("csl_crossref_rwkv.json"))
    listing = lookup(f"https://doi.org/{doi}")
    (rwkv,) = listing.entries
    assert rwkv.source_file == f"doi:{doi}"
    assert rwkv.citation.doi == doi
    assert rwkv.venue_name == "EMNLP (Findings)"
    assert rwkv.year == 2023 and rwkv.published_on is None
    assert rwkv.citation.pages == "14048\u201314077"
    assert len(rwkv.authors) == 32 and rwkv.authors_complete
    assert ("Stanisław Woźniak", 28) in [(a.name, a.position) for a in rwkv.authors]
    (request,) = lookup_server.requests
    assert request.headers["Accept"] == "application/vnd.citationstyles.csl+json"
    assert "Papershelf" in request.headers["User-Agent"]


def test_a_journal_doi_drops_markup_from_title_and_abstract(lookup_server, lookup):  # noqa: F811
    lookup_server.add(DOI_PATH + "10.1002/jcc.26768", Reply.file("csl_crossref_mpnerf.json"))
    (paper,) = lookup("doi:10.1002/jcc.26768").entries
    assert paper.title.startswith("MP-NeRF: A massively parallel method")
    assert paper.abstract.startswith("The conversion of proteins between internal")
    assert "1200\u00d7 over" in paper.abstract
    assert "<" not in paper.abstract and "Abstract" not in paper.abstract[:20]
    assert paper.published_on == datetime.date(2021, 10, 26)
    assert paper.citation.venue_text == "Journal of Computational Chemistry"
    assert [a.name for a in paper.authors][-1] == "M. Cyrus Maher"


def test_a_preprint_doi_is_filed_under_its_server(lookup_server, lookup):  # noqa: F811
    doi = "10.1101/2022.11.20.517210"
    lookup_server.add(DOI_PATH + doi, Reply.file("csl_crossref_openfold.json"))
    (openfold,) = lookup(doi).entries
    assert openfold.venue_name == "bioRxiv"
    assert openfold.published_on == datetime.date(2022, 11, 20)
    assert ("Stella Biderman", 18) in [(a.name, a.position) for a in openfold.authors]


def test_a_datacite_record_reads_the_same_way():
    body = (DATA / "csl_datacite_pile.json").read_bytes()
    response = Response("https://api.datacite.org/x", 200, "application/json", body)
    record = csl_record(response, parse_identifier("10.5281/zenodo.0000000"))
    assert record.title == "Datasheet for the Pile"
    assert record.venue_name == "arXiv"
    assert record.citation.arxiv_id == "2201.07311"
    assert [a.name for a in record.authors] == ["Stella Biderman", "Kieran Bicheno", "Leo Gao"]


# ---------------------------------------------------------------------------
# Failures: a clear message per identifier


def test_a_404_says_the_doi_was_not_found(lookup_server, lookup):  # noqa: F811
    listing = lookup("10.9999/nothing.here")
    assert messages(listing) == {"doi:10.9999/nothing.here": "DOI not found"}


def test_429_waits_as_long_as_retry_after_says(lookup_server, lookup, sleeps):  # noqa: F811
    doi = "10.1002/jcc.26768"
    lookup_server.add(
        DOI_PATH + doi,
        Reply(429, b"slow down", {"Retry-After": "7"}),
        Reply.file("csl_crossref_mpnerf.json"),
    )
    listing = lookup(doi)
    assert len(listing.entries) == 1
    assert sleeps.waits == [7.0]
    assert len(lookup_server.requests) == 2


def test_503_is_retried_with_backoff_then_succeeds(lookup_server, lookup, sleeps):  # noqa: F811
    lookup_server.add(
        ARXIV_PATH,
        Reply(503, b"busy"),
        Reply(503, b"busy"),
        Reply.file("arxiv_2305.13048.xml"),
    )
    listing = lookup("2305.13048")
    assert len(listing.entries) == 1
    assert sleeps.waits == [0.5, 1.0]


def test_a_server_that_keeps_failing_is_named(lookup_server, lookup):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply(503, b"busy"))
    listing = lookup("2305.13048", retries=1)
    assert messages(listing) == {"arXiv:2305.13048": "arXiv: the server kept failing (HTTP 503)"}


def test_a_long_retry_after_is_reported_not_waited(lookup_server, lookup, sleeps):  # noqa: F811
    lookup_server.add(DOI_PATH + "10.1002/jcc.26768", Reply(429, b"", {"Retry-After": "3600"}))
    listing = lookup("10.1002/jcc.26768")
    assert "asks to wait 3600 s" in messages(listing)["doi:10.1002/jcc.26768"]
    assert sleeps.waits == []


def test_a_timeout_is_retried_then_named(lookup_server, lookup):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply.file("arxiv_2305.13048.xml", delay=1.0))
    listing = lookup("2305.13048", timeout=0.2, retries=1)
    assert messages(listing) == {
        "arXiv:2305.13048": "arXiv: no answer within 0.2 s (timed out, retried)"
    }
    assert len(lookup_server.requests) == 2


@pytest.mark.parametrize("status", [200, 503])
def test_an_html_page_instead_of_xml_is_named(lookup_server, lookup, status):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply.file("error_page.html", status=status))
    listing = lookup("2305.13048", retries=0)
    message = messages(listing)["arXiv:2305.13048"]
    if status == 200:
        assert "HTML page instead of an arXiv Atom feed" in message
    else:
        assert "HTTP 503" in message


def test_an_html_page_instead_of_json_is_named(lookup_server, lookup):  # noqa: F811
    lookup_server.add(DOI_PATH + "10.1002/jcc.26768", Reply.file("error_page.html"))
    message = messages(lookup("10.1002/jcc.26768"))["doi:10.1002/jcc.26768"]
    assert "HTML page instead of CSL-JSON" in message


@pytest.mark.parametrize(
    "body, message",
    [
        (b"{not json", "not JSON"),
        (json.dumps({"type": "article"}).encode(), "not a CSL-JSON record with a title"),
        (b"[1, 2]", "not a CSL-JSON record"),
    ],
)
def test_malformed_json_is_named(lookup_server, lookup, body, message):  # noqa: F811
    lookup_server.add(
        DOI_PATH + "10.1234/x", Reply(200, body, {"Content-Type": "application/json"})
    )
    assert message in messages(lookup("10.1234/x"))["doi:10.1234/x"]


def test_malformed_xml_is_named(lookup_server, lookup):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply(200, b"<feed><entry>", {"Content-Type": "text/xml"}))
    assert "not well-formed XML" in messages(lookup("2305.13048"))["arXiv:2305.13048"]


def test_a_mix_keeps_order_drops_repeats_and_names_garbage(lookup_server, lookup):  # noqa: F811
    lookup_server.add(ARXIV_PATH, Reply.file("arxiv_2305.13048.xml"))
    lookup_server.add(DOI_PATH + "10.1002/jcc.26768", Reply.file("csl_crossref_mpnerf.json"))
    listing = lookup("10.1002/jcc.26768", "2305.13048", "arXiv:2305.13048v2", "not-an-id")
    assert [e.source_file for e in listing.entries] == ["doi:10.1002/jcc.26768", "arXiv:2305.13048"]
    assert list(messages(listing)) == ["not-an-id"]


def test_retry_after_as_an_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("soon") is None
