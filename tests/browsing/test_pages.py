"""What each page shows: one <h1>, a meaningful <title>, and the issue's content."""

import re

import pytest

from catalog.exports import bibtex_entry
from catalog.models import Authorship, Paper
from people.models import PersonAlias
from tests.browsing.conftest import make_truncated_paper
from tests.factories import make_paper, make_person

pytestmark = pytest.mark.django_db

PAGES = {
    "/": "A publication catalog",
    "/papers/": "Papers",
    "/papers/?q=pythia": "“pythia” — Papers",
    "/papers/pythia-a-suite-for-analyzing-large-language-models/": "Pythia: A Suite",
    "/people/": "People",
    "/people/stella-biderman/": "Stella Biderman",
    "/venues/": "Venues",
    "/venues/icml/": "ICML",
    "/awards/": "Awards",
    "/awards/oral-presentation/": "Oral Presentation",
    "/papers/no-such-paper/": "Not found",
}


@pytest.mark.parametrize("url", list(PAGES))
def test_every_page_has_one_h1_a_meaningful_title_and_landmarks(client, catalog, url):
    response = client.get(url)
    html = response.content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith(PAGES[url]) and title.endswith("· Papershelf")
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    # No executable inline script (a strict CSP is coming): only external
    # scripts and JSON-LD data blocks.
    for script in re.findall(r"<script\b[^>]*>.*?</script>", html, re.S):
        assert re.fullmatch(r'<script src="/static/[^"]+" defer></script>', script) or (
            script.startswith('<script type="application/ld+json">')
        ), script
    assert "style=" not in html
    # Absolute links to the site itself (canonical, OpenGraph) are the request's own.
    own = html.replace("http://testserver/", "")
    assert "http://" not in own.replace('xmlns="http://www.w3.org/1998/Math/MathML"', "")


def test_every_form_control_has_a_label(client, catalog):
    for url in ("/", "/papers/", "/people/"):
        html = client.get(url).content.decode()
        for control_id in re.findall(r'<input[^>]*type="(?:search|number)"[^>]*id="([^"]+)"', html):
            assert f'for="{control_id}"' in html, (url, control_id)


def test_a_row_shows_authors_venue_year_awards_and_a_snippet(client, catalog):
    html = client.get("/papers/", {"venue": "icml", "year": "2022"}).content.decode()
    assert '<a href="/people/stella-biderman/">Stella Biderman</a>, ' in html
    assert '<a href="/venues/icml/">ICML</a>' in html
    assert '<span class="year">2022</span>' in html
    assert '<a class="badge" href="/awards/oral-presentation/">Oral Presentation</a>' in html
    assert '<p class="snippet">A 20B model with <span class="math"' in html


def test_a_row_cuts_long_author_lists_at_eight_and_marks_truncated_lists(client, db):
    make_paper("Many Authors", authors=[f"Author {i}" for i in range(12)])
    make_truncated_paper()
    html = client.get("/papers/").content.decode()
    assert ">Author 7</a> et al.</p>" in html
    assert "Author 8<" not in html
    assert 'Including <a href="/people/jonathan-tow/">Jonathan Tow</a> et al.' in html


def test_the_paper_page_shows_everything_the_issue_lists(client, catalog):
    paper = catalog["papers"]["gptneox"]
    Paper.objects.filter(pk=paper.pk).update(
        arxiv_id="2204.06745",
        doi="10.18653/v1/2022.bigscience-1.9",
        citation="Black, S., Biderman, S., et al. GPT-NeoX-20B. 2022.",
        venue_detail="Proceedings of BigScience",
    )
    Authorship.objects.filter(paper=paper, position__in=[1, 2]).update(equal_contribution=True)
    paper.sources.create(listing="000_blog.txt", format="blog", entry_index=3, line=40)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert re.search(r"Stella Biderman</a><sup class=\"equal\"[^>]*>\*</sup>", html)
    assert "Equal contribution" in html
    assert "— Proceedings of BigScience" in html
    assert 'href="https://arxiv.org/abs/2204.06745"' in html
    assert 'href="https://doi.org/10.18653/v1/2022.bigscience-1.9"' in html
    assert "Black, S., Biderman, S., et al. GPT-NeoX-20B. 2022." in html
    assert "000_blog.txt, entry 3 (line 40" in html
    assert "@inproceedings{biderman2022gptneox20b," in html
    related = re.search(r'<aside aria-labelledby="related-heading".*?</aside>', html, re.S).group(0)
    # Shares three authors with Pythia (same venue too), two with The Pile.
    assert related.index("Pythia") < related.index("The Pile")
    assert "3 shared authors" in related


def test_latex_in_abstracts_renders_as_mathml_not_raw(client, catalog):
    html = client.get(catalog["papers"]["gptneox"].get_absolute_url()).content.decode()
    abstract = re.search(r'<div class="abstract">.*?</div>', html, re.S).group(0)
    assert "$" not in abstract and "\\mathcal" not in abstract and "\\mu" not in abstract
    assert "<math" in abstract and "<msup><mi>T</mi><mn>2</mn></msup>" in abstract
    assert 'S<span class="math"' in abstract and "<mi>μ</mi>" in abstract


def test_textit_renders_as_italics(client, db):
    paper = make_paper("Styles", abstract=r"We call it \textit{Llemma} and \emph{more} ``quoted''.")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "<i>Llemma</i>" in html and "<em>more</em>" in html and "\\textit" not in html
    assert "\N{LEFT DOUBLE QUOTATION MARK}quoted\N{RIGHT DOUBLE QUOTATION MARK}" in html


@pytest.mark.parametrize(
    "abstract",
    [
        "<script>alert(1)</script>",
        r"$\text{<img src=x onerror=alert(1)>}$",
        r"\textit{<script>alert(1)</script>}",
        r"$\href{javascript:alert(1)}{x}$",
        '$x" onmouseover="alert(1)$',
    ],
)
def test_abstracts_cannot_inject_markup(client, db, abstract):
    paper = make_paper("XSS", abstract=abstract)
    html = client.get(paper.get_absolute_url()).content.decode()
    body = re.search(r'<div class="abstract">.*?</div>', html, re.S).group(0)
    assert "<script" not in body and "<img" not in body
    assert "javascript:" not in body.replace("javascript:alert(1)}{x}", "")
    assert 'onmouseover="' not in body


def test_a_truncated_author_list_is_honest(client, db):
    paper = make_truncated_paper()
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "The listing did not name every author" in html
    assert 'including <a href="/people/jonathan-tow/">Jonathan Tow</a>' in html


def test_bibtex_escapes_tex_specials_and_marks_truncation(db):
    paper = make_paper("50% of R&D_costs", year=2021, authors=["Ana Núñez"], authors_complete=False)
    entry = bibtex_entry(Paper.objects.for_detail().get(pk=paper.pk))
    assert r"title = {{50\% of R\&D\_costs}}" in entry
    assert "author = {Núñez, Ana and others}" in entry
    assert entry.startswith("@misc{nunez2021rdcosts,")
    assert entry.count("{") == entry.count("}")


def test_the_person_page_shows_variants_papers_by_year_coauthors_and_venues(client, catalog):
    stella = catalog["people"]["stella"]
    PersonAlias.objects.create(person=stella, name="S. Biderman")
    html = client.get(stella.get_absolute_url()).content.decode()
    assert "Also written as: S. Biderman" in html
    assert html.index('<h3 id="year-2023">2023</h3>') < html.index('<h3 id="year-2020">2020</h3>')
    coauthors = re.search(r'id="coauthors-heading".*?</ul>', html, re.S).group(0)
    assert re.search(r"Leo Gao</span> <span class=\"count\">3</span>", coauthors)
    assert re.search(r"Hugo Laurençon</span> <span class=\"count\">1</span>", coauthors)
    venues = re.search(r'id="venues-heading".*?</ul>', html, re.S).group(0)
    assert re.search(r"ICML</span> <span class=\"count\">2</span>", venues)


def test_the_venue_page_shows_kind_full_name_and_papers_by_year(client, catalog):
    venue = catalog["venues"]["icml"]
    venue.full_name = "International Conference on Machine Learning"
    venue.save()
    html = client.get(venue.get_absolute_url()).content.decode()
    assert "<dd>Conference</dd>" in html
    assert "International Conference on Machine Learning" in html
    assert html.index('id="year-2023"') < html.index('id="year-2022"')
    assert "OBELICS" not in html


def test_the_award_page_lists_its_papers(client, catalog):
    html = client.get("/awards/outstanding-paper-award/").content.decode()
    assert "OBELICS" in html and "GPT-NeoX" in html and "Pythia" not in html


@pytest.mark.parametrize("url", ["/people/", "/venues/", "/awards/"])
def test_indexes_sort_by_name_or_paper_count(client, catalog, url):
    by_name = [str(o) for o in client.get(url).context["object_list"]]
    by_count = client.get(url, {"sort": "papers"}).context["object_list"]
    assert by_name == sorted(by_name, key=str)
    counts = [o.paper_count for o in by_count]
    assert counts == sorted(counts, reverse=True)


def test_the_people_index_searches_names_and_variants_ignoring_accents(client, catalog):
    PersonAlias.objects.create(person=catalog["people"]["leo"], name="L. Gao")
    found = lambda q: [p.name for p in client.get("/people/", {"q": q}).context["object_list"]]  # noqa: E731
    assert found("laurencon") == ["Hugo Laurençon"]
    assert found("l. gao") == ["Leo Gao"]
    assert found("zzz") == []


def test_the_front_page_shows_counts_and_newest_papers(client, catalog):
    make_person("Nobody Yet")
    html = client.get("/").content.decode()
    assert "<strong>5</strong> papers" in html
    assert "<strong>5</strong> people" in html
    assert "<strong>3</strong> venues" in html
    assert html.index("OBELICS") < html.index("The Pile")
