"""An independent harvester (Sickle) harvests the whole repository over
HTTP from a live server: every paper, every deletion, through tokens."""

import pytest
from sickle import Sickle

from catalog.models import Paper
from tests.factories import make_paper, make_venue


@pytest.fixture
def harvester(live_server):
    return Sickle(f"{live_server.url}/oai", max_retries=0, timeout=30)


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_every_record_through_resumption_tokens(harvester, catalog_papers):
    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    live = [r for r in records if not r.deleted]
    deleted = [r for r in records if r.deleted]
    assert len(live) == Paper.objects.count() == 229
    assert len({r.header.identifier for r in records}) == len(records)
    assert [r.header.identifier.rsplit(":", 1)[1] for r in deleted] == ["doomed"]
    by_slug = {r.header.identifier.rsplit(":", 1)[1]: r for r in live}
    pythia = by_slug["pythia"].metadata
    assert pythia["title"] == ["Pythia"]
    assert pythia["creator"] == ["Stella Biderman", "Leo Gao"]
    assert by_slug["pythia"].header.setSpecs == ["icml"]


@pytest.mark.django_db(transaction=True)
def test_sickle_reads_identify_sets_and_single_records(harvester, catalog_papers):
    identify = harvester.Identify()
    assert identify.deletedRecord == "persistent"
    assert identify.protocolVersion == "2.0"
    assert [s.setSpec for s in harvester.ListSets()] == ["icml"]
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
    assert len(headers) == 230
    assert [h.identifier for h in headers if h.deleted] == ["oai:localhost:doomed"]
    record = harvester.GetRecord(identifier=headers[0].identifier, metadataPrefix="oai_dc")
    assert record.header.identifier == headers[0].identifier


@pytest.fixture
def catalog_papers(transactional_db):
    make_paper("Pythia", venue=make_venue("ICML"), authors=["Stella Biderman", "Leo Gao"])
    Paper.objects.bulk_create(
        Paper(title=f"Bulk {i}", slug=f"bulk-{i}", year=2021) for i in range(228)
    )
    make_paper("Doomed").delete()
