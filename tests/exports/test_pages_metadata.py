"""Paper pages carry Highwire citation_* tags, schema.org JSON-LD, OpenGraph
and a canonical link; list pages carry none. The home page, the paper list
and person pages carry a meta description. Read with an HTML
parser (BeautifulSoup) and, for JSON-LD and OpenGraph, extruct."""

import json
import re

import extruct
import pytest
from bs4 import BeautifulSoup

from catalog.models import Paper
from catalog.rendering import plain_text
from people.models import Person
from tests.exports.conftest import HOSTILE

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def meta(html, name):
    """The contents of the page's <meta name=…> tags; `html` may be parsed already."""
    soup = html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "html.parser")
    return [tag["content"] for tag in soup.find_all("meta", attrs={"name": name})]


def json_ld(html):
    data = extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert len(data) == 1
    return data[0]


def test_every_seed_paper_page_renders_with_highwire_tags_json_ld_and_a_canonical_link(
    client, seed
):
    # The suite's one pass over all 135 paper pages: page() asserts each answers 200.
    for paper in Paper.objects.for_export():
        html = page(client, paper.get_absolute_url())
        # Parsed once: 135 pages parsed once per tag took most of this test's time.
        soup = BeautifulSoup(html, "html.parser")
        url = f"http://testserver{paper.get_absolute_url()}"
        assert meta(soup, "citation_title") == [plain_text(paper.title)]
        assert meta(soup, "citation_author") == [r.person.name for r in paper.placed_authorships()]
        assert meta(soup, "citation_abstract_html_url") == [url]
        if paper.year:
            assert meta(soup, "citation_year") == [str(paper.year)]
        assert soup.find("link", rel="canonical")["href"] == url
        data = json_ld(html)
        assert data["@type"] == "ScholarlyArticle" and data["name"] == plain_text(paper.title)
        assert [a["name"] for a in data.get("author", [])] == meta(soup, "citation_author")


def test_gpt_neox_has_17_citation_authors_in_order_and_a_conference_title(client, seed):
    paper = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    html = page(client, paper.get_absolute_url())
    authors = meta(html, "citation_author")
    assert len(authors) == 17 and authors[0] == "Sid Black" and authors[-1] == "Samuel Weinbach"
    assert meta(html, "citation_conference_title") == [paper.venue_detail]
    assert meta(html, "citation_journal_title") == []
    assert meta(html, "citation_publication_date") == ["2022"]


def test_journal_and_arxiv_tags_by_venue_kind(client, seed):
    journal = Paper.objects.filter(venue__kind="journal").first()
    html = page(client, journal.get_absolute_url())
    assert meta(html, "citation_journal_title") and not meta(html, "citation_conference_title")
    arxiv = Paper.objects.exclude(arxiv_id="").first()
    assert meta(page(client, arxiv.get_absolute_url()), "citation_arxiv_id") == [arxiv.arxiv_id]


def test_laion_5b_json_ld_carries_its_award_apart_from_its_venue(client, seed):
    paper = Paper.objects.get(title__startswith="LAION-5B")
    data = json_ld(page(client, paper.get_absolute_url()))
    assert data["award"] == ["Outstanding Paper Award"]
    assert "Award" not in data["isPartOf"]["name"]


def test_opengraph_tags(client, seed):
    paper = Paper.objects.exclude(abstract="").first()
    html = page(client, paper.get_absolute_url())
    (found,) = extruct.extract(html, syntaxes=["opengraph"])["opengraph"]
    og = dict(found["properties"])
    assert og["og:type"] == "article" and og["og:title"] == plain_text(paper.title)
    assert og["og:url"] == f"http://testserver{paper.get_absolute_url()}"
    assert og["og:description"]


@pytest.mark.parametrize(
    "url", ["/", "/papers/", "/papers/?q=language", "/people/stella-biderman/", "/venues/iclr/"]
)
def test_list_pages_carry_no_citation_tags(client, seed, url):
    html = page(client, url)
    assert "citation_" not in html and "application/ld+json" not in html


def test_hostile_text_stays_inside_json_ld_and_attribute_values(client, hostile_paper):
    html = page(client, hostile_paper.get_absolute_url())
    # Exactly two script elements: the JSON-LD data block and the copy button's file.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script type="application/ld+json">', scripts[1]]
    assert scripts[1].startswith('<script src="/static/js/copy.js"')
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block.replace("\\u0026", "")
    data = json.loads(block)
    assert HOSTILE in data["name"] and HOSTILE in data["author"][0]["name"]
    assert "<img" not in html and "<script>alert" not in html
    assert meta(html, "citation_title") == [plain_text(hostile_paper.title)]
    assert meta(html, "citation_author")[0] == f"Eve {HOSTILE}"


def test_no_inline_script_handlers_or_styles_on_the_paper_page(client, seed):
    paper = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    html = page(client, paper.get_absolute_url())
    assert not re.search(r"\son[a-z]+=", html) and "style=" not in html
    soup = BeautifulSoup(html, "html.parser")
    button = soup.find("button", attrs={"data-copy-target": "bibtex"})
    assert button.has_attr("hidden")  # shown by copy.js only where it can work
    assert soup.find("textarea", id="bibtex").text.startswith("@inproceedings{black2022gptneox20b,")


def test_the_home_page_describes_the_catalog_in_numbers(client, seed):
    (description,) = meta(page(client, "/"), "description")
    counts = f"{Paper.objects.count()} papers by {Person.objects.count()} people"
    assert description.startswith(f"Papershelf, a publication catalog: {counts} in ")


def test_the_paper_list_describes_its_results_and_active_filters(client, seed):
    (description,) = meta(page(client, "/papers/"), "description")
    assert description.startswith(f"{Paper.objects.count()} papers. Search and filter")
    response = client.get("/papers/", {"author": "stella-biderman", "q": "language"})
    (description,) = meta(response.content.decode(), "description")
    total = response.context["total"]
    assert total > 1
    assert description.startswith(f"{total} papers: Search: “language”; Author: Stella Biderman. ")
    (description,) = meta(page(client, "/papers/?q=nothing+matches+this"), "description")
    assert description.startswith("No papers: Search: “nothing matches this”. ")


def test_a_person_page_describes_the_persons_papers_and_venues(client, seed):
    (description,) = meta(page(client, "/people/stella-biderman/"), "description")
    assert description.startswith(
        "Papers by Stella Biderman in the Papershelf catalog: 19 papers, most often in "
    )


def test_descriptions_escape_what_they_quote(client, hostile_paper):
    person = Person.objects.get(name__startswith="Eve")
    for url in (person.get_absolute_url(), f"/papers/?q={HOSTILE[:40]}"):
        html = page(client, url)
        (description,) = meta(html, "description")
        assert HOSTILE[:40].strip() in description
        assert "<script>alert" not in html and "<img" not in html
