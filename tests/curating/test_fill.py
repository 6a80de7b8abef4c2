"""Filling a paper from an arXiv id, a DOI or a pasted BibTeX entry.

The lookups go to a loopback server with recorded answers, never the network.
"""

import pytest
from django.urls import reverse

from catalog.models import Paper
from tests.curating.conftest import change_url
from tests.factories import make_paper, make_person
from tests.importer.lookup_server import Reply, lookup_server  # noqa: F401

pytestmark = pytest.mark.django_db

SPARSE_ENTRY = """@misc{dey2024sparse,
  title={Sparse maximal update parameterization: A holistic approach to sparse training dynamics},
  author={Dey, Nolan and Bergsma, Shane and Hestness, Joel},
  year={2024},
  eprint={2405.15743},
  archivePrefix={arXiv},
  url={https://arxiv.org/abs/2405.15743},
}"""


@pytest.fixture
def server(lookup_server, settings):  # noqa: F811
    settings.ARXIV_API_URL = lookup_server.url + "/api/query"
    settings.DOI_RESOLVER_URL = lookup_server.url + "/doi/"
    settings.ARXIV_REQUEST_INTERVAL = 0
    lookup_server.add("/api/query", Reply.file("arxiv_2305.13048.xml"))
    return lookup_server


def fill_url(paper):
    return reverse("admin:catalog_paper_fill", args=[paper.pk])


def preview(client, paper, source):
    response = client.post(fill_url(paper), {"source": source})
    assert response.status_code == 200
    return response


def rows(response):
    return {row.field: row for row in response.context["differences"]}


def test_the_change_form_links_to_the_fill_page(staff_client):
    paper = make_paper()
    assert fill_url(paper) in staff_client.get(change_url(paper)).content.decode()


def test_a_bibtex_entry_shows_each_differing_field_and_writes_nothing(staff_client):
    paper = make_paper("SμPar (provisional)", year=2024, authors=["Nolan Dey"])
    response = preview(staff_client, paper, SPARSE_ENTRY)
    found = rows(response)
    assert found["title"].new.startswith("Sparse maximal update parameterization")
    assert found["authors"].current == "Nolan Dey"
    assert found["authors"].new == "Nolan Dey, Shane Bergsma, Joel Hestness"
    assert found["arxiv_id"].new == "2405.15743"
    assert "year" not in found  # the same year is no difference
    assert "“Shane Bergsma”: new person" in response.content.decode()
    paper.refresh_from_db()
    assert paper.title == "SμPar (provisional)" and paper.arxiv_id == ""


def test_taking_ticked_fields_writes_them_and_marks_them_staff_edited(staff_client):
    stella = make_person("Nolan Dey")
    paper = make_paper("SμPar (provisional)", year=2024)
    response = preview(staff_client, paper, SPARSE_ENTRY)
    signed = response.context["signed"]
    response = staff_client.post(
        fill_url(paper), {"apply": "1", "proposed": signed, "fields": ["title", "authors"]}
    )
    assert response.status_code == 302 and response.url == change_url(paper)
    paper.refresh_from_db()
    assert paper.title.startswith("Sparse maximal update parameterization")
    assert paper.arxiv_id == ""  # not ticked
    assert [a.person.name for a in paper.authorships.order_by("position")] == [
        "Nolan Dey",
        "Shane Bergsma",
        "Joel Hestness",
    ]
    assert paper.authorships.get(position=1).person == stella
    assert {"title", "authors"} <= set(paper.staff_edited_fields)
    assert "Hestness" in paper.author_names


def test_staff_edited_fields_are_offered_unticked(staff_client):
    paper = make_paper("My own title", staff_edited_fields=["title"])
    found = rows(preview(staff_client, paper, SPARSE_ENTRY))
    assert not found["title"].ticked
    assert found["arxiv_id"].ticked


def test_an_arxiv_id_is_looked_up_on_the_recorded_server(staff_client, server):
    paper = make_paper("RWKV")
    found = rows(preview(staff_client, paper, "arXiv:2305.13048"))
    assert found["title"].new == "RWKV: Reinventing RNNs for the Transformer Era"
    assert found["arxiv_id"].new == "2305.13048"
    assert server.requests and "2305.13048" in server.requests[0].path


def test_an_unknown_doi_is_an_error_on_the_form(staff_client, server):
    server.add("/doi/10.1234/nothing", Reply(404, b"not found"))
    paper = make_paper()
    response = preview(staff_client, paper, "10.1234/nothing")
    assert "DOI not found" in response.content.decode()
    assert "fill_apply_form" not in response.content.decode()


def test_text_that_is_no_identifier_is_an_error_on_the_form(staff_client):
    paper = make_paper()
    response = preview(staff_client, paper, "<script>alert(1)</script>")
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "errorlist" in content


def test_an_altered_preview_is_refused(staff_client):
    paper = make_paper("Kept")
    signed = preview(staff_client, paper, SPARSE_ENTRY).context["signed"]
    response = staff_client.post(
        fill_url(paper), {"apply": "1", "proposed": signed + "x", "fields": ["title"]}
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.title == "Kept"


def test_a_preview_for_another_paper_is_refused(staff_client):
    paper, other = make_paper("Kept"), make_paper("Other")
    signed = preview(staff_client, other, SPARSE_ENTRY).context["signed"]
    staff_client.post(fill_url(paper), {"apply": "1", "proposed": signed, "fields": ["title"]})
    paper.refresh_from_db()
    assert paper.title == "Kept"


def test_the_fill_page_needs_a_staff_login(client):
    paper = make_paper()
    response = client.get(fill_url(paper))
    assert response.status_code == 302
    assert Paper.objects.get(pk=paper.pk).title == paper.title
