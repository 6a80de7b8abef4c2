"""ListIdentifiers and ListRecords: selective harvesting, resumption tokens
that survive changes to the catalog, deleted records, and a fixed number of
queries per batch."""

import copy
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import DeletedPaper, Paper
from tests.factories import make_paper, make_venue
from tests.oai.conftest import NS, error_codes, identifiers, set_changed, token

UTC = datetime.UTC


def walk(oai, verb="ListIdentifiers", between=None, **params):
    """Every identifier of a whole list, batch by batch; `between(n)` runs
    after the n-th batch (1-based) to change the catalog mid-harvest."""
    root = oai(verb=verb, **params)
    found, batches = identifiers(root), 1
    while token(root):
        if between:
            between(batches)
        root = oai(verb=verb, resumptionToken=token(root))
        found += identifiers(root)
        batches += 1
    return found, batches


def slugs(found):
    return [identifier.removeprefix("oai:testserver:") for identifier in found]


@pytest.fixture
def many(db, many_snapshot):
    """The papers of build_many() (tests/oai/conftest.py), in slug order: this
    test's own copies."""
    snapshot, papers = many_snapshot
    snapshot.restore()
    return copy.deepcopy(papers)


def test_a_list_comes_in_batches_of_100_oldest_change_first(oai, many):
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    assert len(root.findall(".//oai:record", NS)) == 100
    assert slugs(identifiers(root))[:3] == ["paper-000", "paper-001", "paper-002"]
    found, batches = walk(oai, metadataPrefix="oai_dc")
    assert batches == 3
    assert sorted(slugs(found)) == sorted(p.slug for p in many)
    assert len(found) == len(set(found)) == 250


def test_the_last_batch_of_a_resumed_list_has_an_empty_token(oai, many):
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    root = oai(verb="ListIdentifiers", resumptionToken=token(root))
    root = oai(verb="ListIdentifiers", resumptionToken=token(root))
    element = root.find(".//oai:resumptionToken", NS)
    assert element is not None and not element.text
    assert len(identifiers(root)) == 50


def test_papers_sharing_one_datestamp_are_each_harvested_once(oai, many):
    """A bulk import gives thousands of papers one datestamp: batches then
    break inside it and resume by id."""
    Paper.objects.update(updated_at=datetime.datetime(2024, 6, 1, tzinfo=UTC))
    found, batches = walk(oai, metadataPrefix="oai_dc")
    assert batches == 3
    assert slugs(found) == [p.slug for p in sorted(many, key=lambda p: p.pk)]


def test_a_list_that_fits_one_batch_has_no_token(oai, catalog):
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert len(identifiers(root)) == 5
    assert root.find(".//oai:resumptionToken", NS) is None


def test_a_harvest_survives_additions_changes_and_deletions_mid_walk(oai, many):
    """Keyset tokens: nothing that stays unchanged is skipped or repeated,
    however the catalog changes between batches."""
    changed, deleted = many[10], many[200]

    def meddle(batch):
        if batch == 1:
            make_paper("Added During The Harvest", year=2020)
            # Changed after it was harvested: it comes again, with its change.
            Paper.objects.filter(pk=changed.pk).update(title="Paper 010, corrected")
            Paper.objects.filter(pk=changed.pk).update(
                updated_at=datetime.datetime(2030, 1, 1, tzinfo=UTC)
            )
            # Early papers' removal must not shift the later batches.
            many[0].delete()
            many[1].delete()
            deleted.delete()

    found, _ = walk(oai, metadataPrefix="oai_dc", between=meddle)
    found = slugs(found)
    untouched = {p.slug for p in many[2:]} - {changed.slug, deleted.slug}
    assert all(found.count(slug) == 1 for slug in untouched)
    # Harvested live, then again as deleted records at their deletion's place.
    assert found.count("paper-000") == found.count("paper-001") == 2
    assert found.count(changed.slug) == 2
    assert "added-during-the-harvest" in found
    # The later deletion is reported once, as deleted, at its own place.
    assert found.count(deleted.slug) == 1


def test_deleted_papers_are_deleted_headers(oai, catalog):
    catalog["papers"]["pile"].delete()
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    headers = {
        h.findtext("oai:identifier", namespaces=NS): h.get("status")
        for h in root.iterfind(".//oai:header", NS)
    }
    assert headers["oai:testserver:the-pile-an-800gb-dataset-of-diverse-text"] == "deleted"
    assert list(headers.values()).count("deleted") == 1
    records = oai(verb="ListRecords", metadataPrefix="oai_dc").findall(".//oai:record", NS)
    deleted = [r for r in records if r.find("oai:header", NS).get("status") == "deleted"]
    assert len(deleted) == 1 and deleted[0].find("oai:metadata", NS) is None


def test_a_slug_deleted_twice_is_one_deleted_record(oai, catalog):
    catalog["papers"]["lone"].delete()
    make_paper("A Paper Without Venue").delete()
    assert DeletedPaper.objects.filter(slug="a-paper-without-venue").count() == 2
    found = identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert found.count("oai:testserver:a-paper-without-venue") == 1


def test_from_and_until_select_by_last_change_inclusively(oai, catalog):
    papers = catalog["papers"]
    for key, day in (("pythia", 1), ("pile", 2), ("obelics", 3), ("gptneox", 4), ("lone", 5)):
        set_changed(papers[key], datetime.datetime(2024, 5, day, 12, 0, 0, 500, tzinfo=UTC))

    def listed(**params):
        root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        return [slug.split("-")[0] for slug in slugs(identifiers(root))]

    assert listed(**{"from": "2024-05-02", "until": "2024-05-04"}) == ["the", "obelics", "gpt"]
    assert listed(**{"from": "2024-05-04T12:00:00Z"}) == ["gpt", "a"]
    assert listed(until="2024-05-01T12:00:00Z") == ["pythia"]
    root = oai(
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        **{"from": "2024-05-03T12:00:01Z", "until": "2024-05-04T11:59:59Z"},
    )
    assert error_codes(root) == ["noRecordsMatch"]


def test_no_records_in_a_window_is_no_records_match(oai, catalog):
    root = oai(verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2999-01-01"})
    assert error_codes(root) == ["noRecordsMatch"]


def test_deletions_are_selected_by_when_they_happened(oai, catalog):
    catalog["papers"]["pile"].delete()
    DeletedPaper.objects.update(deleted_at=datetime.datetime(2024, 2, 2, tzinfo=UTC))
    Paper.objects.update(updated_at=datetime.datetime(2024, 1, 1, tzinfo=UTC))
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2024-02-01"})
    assert identifiers(root) == ["oai:testserver:the-pile-an-800gb-dataset-of-diverse-text"]


def test_a_set_is_one_venue(oai, catalog):
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="icml")
    assert sorted(slugs(identifiers(root))) == [
        "gpt-neox-20b-an-open-source-autoregressive-language-model",
        "pythia-a-suite-for-analyzing-large-language-models",
    ]
    assert {e.text for e in root.iterfind(".//oai:setSpec", NS)} == {"icml"}
    assert error_codes(
        oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="no-such-venue")
    ) == ["noRecordsMatch"]


def test_a_token_keeps_the_set_and_window_it_was_made_for(oai, many):
    other = make_venue("NeurIPS")
    for i in range(5):
        make_paper(f"Elsewhere {i}", venue=other)
    params = {"metadataPrefix": "oai_dc", "set": "icml", "until": "2024-01-01T01:00:00Z"}
    found, batches = walk(oai, **params)
    assert batches == 3 and len(found) == 250
    assert not any("elsewhere" in identifier for identifier in found)


def test_a_batch_of_100_records_takes_three_queries(client, many):
    """Papers, their authors, tombstones: never a query per record."""
    many[0].delete()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert response.status_code == 200
    assert response.content.count(b"<record>") == 100
    assert len(queries) == 3, [q["sql"] for q in queries]


def test_a_deleted_paper_stays_in_its_venues_set(oai, catalog):
    catalog["papers"]["pythia"].delete()
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="icml")
    headers = {
        h.findtext("oai:identifier", namespaces=NS): (
            h.get("status"),
            h.findtext("oai:setSpec", namespaces=NS),
        )
        for h in root.iterfind(".//oai:header", NS)
    }
    assert headers == {
        "oai:testserver:pythia-a-suite-for-analyzing-large-language-models": ("deleted", "icml"),
        "oai:testserver:gpt-neox-20b-an-open-source-autoregressive-language-model": (None, "icml"),
    }
    other = identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="neurips"))
    assert other == ["oai:testserver:obelics-an-open-web-scale-filtered-dataset"]


def test_a_tombstone_without_a_recorded_set_is_in_no_set(oai, catalog):
    """Papers deleted before sets were recorded are still reported, outside sets."""
    from oai.models import DeletedPaperSet

    catalog["papers"]["pythia"].delete()
    DeletedPaperSet.objects.all().delete()
    in_set = identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="icml"))
    assert len(in_set) == 1
    everything = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    deleted = [h for h in everything.iterfind(".//oai:header", NS) if h.get("status")]
    assert len(deleted) == 1 and deleted[0].find("oai:setSpec", NS) is None


def test_merging_venues_or_people_counts_as_a_change_of_their_papers(oai, catalog):
    from people.services import person_merge
    from venues.services import venue_merge

    long_ago = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    Paper.objects.update(updated_at=long_ago)
    venue_merge(keep=catalog["venues"]["icml"], others=[catalog["venues"]["arxiv"]])
    person_merge(keep=catalog["people"]["hailey"], others=[catalog["people"]["hugo"]])
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2021-01-01"})
    assert sorted(slugs(identifiers(root))) == [
        "obelics-an-open-web-scale-filtered-dataset",
        "the-pile-an-800gb-dataset-of-diverse-text",
    ]
