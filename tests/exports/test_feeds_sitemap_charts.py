"""Atom feeds, sitemap.xml, robots.txt and the papers-per-year charts."""

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from bs4 import BeautifulSoup

from catalog.feeds import FEED_LENGTH
from catalog.models import Award, Paper
from core.charts import chart_html, year_chart
from people.models import Person
from tests.exports.conftest import HOSTILE
from venues.models import Venue

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    ET.fromstring(response.content)  # well-formed XML
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


def test_the_newest_papers_feed(client, seed):
    parsed = feed(client, "/feeds/papers/")
    assert len(parsed.entries) == FEED_LENGTH
    newest = Paper.objects.for_list().newest_first()[:FEED_LENGTH]
    assert [e.link for e in parsed.entries] == [
        f"http://testserver{p.get_absolute_url()}" for p in newest
    ]


def test_a_feed_entry_carries_title_authors_venue_year_and_abstract(client, seed):
    paper = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    parsed = feed(client, "/feeds/people/stella-biderman/")
    (entry,) = [e for e in parsed.entries if e.title == paper.title]
    assert [a.name for a in entry.authors][:2] == ["Sid Black", "Stella Biderman"]
    assert len(entry.authors) == 17
    assert {t.term for t in entry.tags} >= {paper.venue.name, "2022"}
    assert paper.venue.name in entry.summary and "2022" in entry.summary
    assert paper.abstract[:40] in entry.summary
    assert entry.published.startswith("2022-01-01")


def test_person_venue_and_award_feeds_hold_exactly_their_papers(client, seed):
    stella = Person.objects.get(slug="stella-biderman")
    parsed = feed(client, "/feeds/people/stella-biderman/")
    expected = set(Paper.objects.by_person(stella).values_list("slug", flat=True))
    assert {e.link.rsplit("/", 2)[-2] for e in parsed.entries} == expected
    iclr = Venue.objects.get(slug="iclr")
    parsed = feed(client, "/feeds/venues/iclr/")
    assert len(parsed.entries) == min(iclr.papers.count(), FEED_LENGTH)
    assert parsed.feed.title == "Papershelf: papers in ICLR"
    award = Award.objects.get(slug="outstanding-paper-award")
    parsed = feed(client, "/feeds/awards/outstanding-paper-award/")
    assert len(parsed.entries) == award.papers.count()
    assert client.get("/feeds/people/no-such-person/").status_code == 404


@pytest.mark.parametrize(
    ("url", "feed_url"),
    [
        ("/", "/feeds/papers/"),
        ("/papers/", "/feeds/papers/"),
        ("/people/stella-biderman/", "/feeds/people/stella-biderman/"),
        ("/venues/iclr/", "/feeds/venues/iclr/"),
        ("/awards/outstanding-paper-award/", "/feeds/awards/outstanding-paper-award/"),
    ],
)
def test_pages_advertise_their_feeds(client, seed, url, feed_url):
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    links = soup.find_all("link", rel="alternate", type="application/atom+xml")
    assert feed_url in [link["href"] for link in links]


def test_hostile_text_is_escaped_in_feeds(client, hostile_paper):
    body = client.get("/feeds/papers/").content.decode()
    assert "<script" not in body and "<img" not in body
    (entry,) = feed(client, "/feeds/papers/").entries
    assert HOSTILE in entry.title
    assert entry.authors[0].name == f"Eve {HOSTILE}"


def test_the_sitemap_lists_papers_people_venues_and_awards(client, seed):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = {loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")}
    expected = {
        f"http://testserver/{index}" for index in ("", "papers/", "people/", "venues/", "awards/")
    }
    for model in (Paper, Person, Venue, Award):
        expected |= {f"http://testserver{obj.get_absolute_url()}" for obj in model.objects.all()}
    assert locations == expected


def test_robots_txt_points_to_the_sitemap_and_reveals_nothing_else(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Sitemap: http://testserver/sitemap.xml",
    ]


def chart(html):
    soup = BeautifulSoup(html, "html.parser")
    figure = soup.find("figure", class_="year-chart")
    assert figure is not None
    return figure


def test_the_person_page_charts_papers_per_year_with_links_and_a_text_alternative(client, seed):
    stella = Person.objects.get(slug="stella-biderman")
    counts = Paper.objects.by_person(stella).years()
    figure = chart(client.get("/people/stella-biderman/").content.decode())
    svg = figure.find("svg")
    assert svg.find("title").text.startswith("Bar chart:")
    table = figure.find("table")
    assert svg["aria-describedby"] == table["id"]
    rows = {int(tr.th.text): int(tr.td.text) for tr in table.tbody.find_all("tr")}
    assert rows == counts
    bars = svg.find_all("a")
    assert {a["href"] for a in bars} == {
        f"/papers/?author=stella-biderman&year={year}" for year in counts
    }
    assert not re.search(r"<script|style=", str(figure))


def test_the_venue_and_front_pages_chart_their_papers(client, seed):
    figure = chart(client.get("/venues/iclr/").content.decode())
    assert figure.find("a")["href"].startswith("/papers/?venue=iclr&year=")
    figure = chart(client.get("/").content.decode())
    rows = {int(tr.th.text): int(tr.td.text) for tr in figure.table.tbody.find_all("tr")}
    assert rows == Paper.objects.years()
    assert sum(rows.values()) == Paper.objects.filter(year__isnull=False).count()


def test_a_bar_leads_to_the_list_filtered_to_that_year(client, seed):
    figure = chart(client.get("/people/stella-biderman/").content.decode())
    first = figure.find("svg").find("a")
    count = int(re.search(r": (\d+) paper", first["aria-label"]).group(1))
    response = client.get(first["href"])
    assert response.context["paginator"].count == count


def test_a_drawn_chart_escapes_its_subject_and_shows_empty_years_without_links():
    chart = year_chart({2019: 1, 2021: 3}, "/papers/", author="a&b")
    html = str(chart_html(chart, 'Ada <b>"&"</b>', "c1"))
    assert "<b>" not in html
    figure = BeautifulSoup(html, "html.parser").figure
    assert figure.figcaption.text == 'Papers per year — Ada <b>"&"</b>'
    svg = figure.find("svg")
    assert svg["aria-labelledby"] == "c1-title" and svg["aria-describedby"] == "c1-table"
    assert svg.find("title").text == (
        'Bar chart: 4 papers by Ada <b>"&"</b> from 2019 to 2021. '
        "Each bar links to that year's papers."
    )
    links = svg.find_all("a")
    assert [a["aria-label"] for a in links] == ["2019: 1 paper", "2021: 3 papers"]
    assert links[0]["href"] == "/papers/?author=a%26b&year=2019"
    # 2020 has a slot on the axis, but no bar to follow.
    assert [t.text for t in svg.find_all("text", class_="year")] == ["2019", "2020", "2021"]
    rows = [(tr.th.text, tr.td.text) for tr in figure.table.tbody.find_all("tr")]
    assert rows == [("2019", "1"), ("2021", "3")]
    assert chart_html(None) == ""


def test_a_charts_numbers_are_grouped_by_thousands():
    chart = year_chart({2019: 1200, 2020: 3}, "/papers/", venue="arxiv")
    figure = BeautifulSoup(str(chart_html(chart, "arXiv", "c2")), "html.parser").figure
    svg = figure.find("svg")
    assert svg.find("title").text.startswith("Bar chart: 1,203 papers by arXiv")
    assert [a["aria-label"] for a in svg.find_all("a")] == ["2019: 1,200 papers", "2020: 3 papers"]
    assert [t.text for t in svg.find_all("text", class_="count")] == ["1,200", "3"]
    rows = [(tr.th.text, tr.td.text) for tr in figure.table.tbody.find_all("tr")]
    assert rows == [("2019", "1,200"), ("2020", "3")]
