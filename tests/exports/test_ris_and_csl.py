"""RIS (strict line checks) and CSL-JSON (the CSL data schema) exports."""

import json

import jsonschema
import pytest

from catalog.models import Paper
from tests.conftest import SEED_COUNTS
from tests.exports.conftest import CSL_SCHEMA, HOSTILE, parse_ris, ris_values
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def test_the_whole_seed_catalog_is_strict_ris_with_one_au_per_author_in_order(client, seed):
    response = client.get("/papers/export.ris")
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="papers.ris"'
    records = parse_ris(response.content.decode())
    papers = {p.citation_key: p for p in Paper.objects.for_export()}
    assert len(records) == SEED_COUNTS.papers
    for record in records:
        paper = papers[ris_values(record, "ID")[0]]
        assert record[0][0] == "TY" and record[-1] == ("ER", "")
        assert ris_values(record, "TI") == [" ".join(paper.title.split())]
        names = [row.person.name for row in paper.placed_authorships()]
        authors = ris_values(record, "AU")
        assert len(authors) == len(names)
        for value, name in zip(authors, names, strict=True):
            family, _, given = value.partition(", ")
            assert " ".join(filter(None, [given, family])) == name
        assert ris_values(record, "PY") == ([str(paper.year)] if paper.year else [])
        if paper.abstract:
            assert ris_values(record, "AB") == [" ".join(paper.abstract.split())]
        assert ris_values(record, "UR"), "every record links somewhere"


def test_ris_known_values(client, seed):
    paper = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    (record,) = parse_ris(client.get(f"/papers/{paper.slug}.ris").content.decode())
    assert ris_values(record, "TY") == ["CONF"]
    authors = ris_values(record, "AU")
    assert len(authors) == 17
    assert authors[:2] == ["Black, Sid", "Biderman, Stella"]
    assert ris_values(record, "T2") == [paper.venue_detail]
    iclr = Paper.objects.get(title__startswith="Multitask-prompted training")
    (record,) = parse_ris(client.get(f"/papers/{iclr.slug}.ris").content.decode())
    assert len(ris_values(record, "AU")) == 4
    assert ris_values(record, "N1") == ["The author list is incomplete."]
    journal = Paper.objects.filter(venue__kind="journal").first()
    (record,) = parse_ris(client.get(f"/papers/{journal.slug}.ris").content.decode())
    assert ris_values(record, "TY") == ["JOUR"]
    assert ris_values(record, "JO") == ris_values(record, "T2") != []


def test_ris_doi_and_dates(db):
    import datetime

    from catalog.exports import ris_record

    paper = make_paper("Dated", year=2023, published_on=datetime.date(2023, 5, 7), doi="10.1/x")
    (record,) = parse_ris(ris_record(Paper.objects.for_export().get(pk=paper.pk)))
    assert ris_values(record, "DO") == ["10.1/x"]
    assert ris_values(record, "DA") == ["2023/05/07/"]


def test_the_whole_seed_catalog_is_valid_csl_json(client, seed):
    response = client.get("/papers/export.json")
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    items = json.loads(response.content)
    jsonschema.validate(items, CSL_SCHEMA)
    assert len(items) == SEED_COUNTS.papers
    by_id = {item["id"]: item for item in items}
    for paper in Paper.objects.for_export():
        item = by_id[paper.citation_key]
        assert item["title"] == paper.title
        names = [row.person.name for row in paper.placed_authorships()]
        got = [
            " ".join(filter(None, [a.get("given"), a["family"]])) for a in item.get("author", [])
        ]
        assert got == names
        if paper.year:
            assert item["issued"]["date-parts"][0][0] == paper.year


def test_csl_json_known_values(client, seed):
    neox = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    (item,) = json.loads(client.get(f"/papers/{neox.slug}.json").content)
    assert item["type"] == "paper-conference"
    assert len(item["author"]) == 17
    assert item["author"][0] == {"family": "Black", "given": "Sid"}
    assert item["container-title"] == neox.venue_detail
    laion = Paper.objects.get(title__startswith="LAION-5B")
    (item,) = json.loads(client.get(f"/papers/{laion.slug}.json").content)
    assert "Award" not in item["container-title"]
    arxiv = Paper.objects.exclude(arxiv_id="").first()
    (item,) = json.loads(client.get(f"/papers/{arxiv.slug}.json").content)
    assert item["type"] == "article" and item["number"] == f"arXiv:{arxiv.arxiv_id}"
    assert item["URL"] == f"https://arxiv.org/abs/{arxiv.arxiv_id}"


def test_hostile_text_is_data_in_ris_and_csl_json(client, hostile_paper):
    items = json.loads(client.get(f"/papers/{hostile_paper.slug}.json").content)
    jsonschema.validate(items, CSL_SCHEMA)
    author = items[0]["author"][0]
    assert HOSTILE in items[0]["title"] and f"{author['given']} {author['family']}" == (
        f"Eve {HOSTILE}"
    )
    (record,) = parse_ris(client.get(f"/papers/{hostile_paper.slug}.ris").content.decode())
    assert HOSTILE in ris_values(record, "TI")[0]
    for ext in ("bib", "ris", "json"):
        response = client.get(f"/papers/{hostile_paper.slug}.{ext}")
        assert not response["Content-Type"].startswith("text/html")
        assert response["Content-Disposition"].startswith("attachment;")
