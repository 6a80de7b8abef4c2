"""A real browser's journey through the catalog.

Playwright for Python drives Debian's Chromium (see ../shared/RECIPES.md):
never `playwright install`, always `executable_path`. Run by `make test` in
the SQLite pass; deselect with `-m "not browser"`.
"""

import os
import re

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM would
# otherwise refuse to run next to it (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest.importorskip("playwright", reason="pip install -e '.[browser]' (make test does)")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def result_count(page):
    return page.locator(".result-count")


def test_browse_filter_search_open_a_paper_and_follow_an_author(page, live_catalog):
    page.goto(f"{live_catalog}/papers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Papers")
    expect(result_count(page)).to_have_text("1\N{EN DASH}5 of 5 papers")

    # Pick a venue in the facet sidebar.
    facets = page.get_by_role("complementary")
    facets.get_by_role("link", name=re.compile(r"^ICML 2")).click()
    expect(page).to_have_url(re.compile(r"venue=icml"))
    expect(result_count(page)).to_have_text("1\N{EN DASH}2 of 2 papers")
    expect(page.locator(".chips")).to_contain_text("Venue: ICML")
    expect(facets.get_by_role("link", name=re.compile(r"^ICML"))).to_have_attribute(
        "aria-current", "true"
    )

    # Narrow by year.
    facets.get_by_role("link", name=re.compile(r"^2022 1")).click()
    expect(result_count(page)).to_have_text("1\N{EN DASH}1 of 1 paper")
    titles = page.locator(".paper-title")
    expect(titles).to_have_count(1)
    expect(titles.first).to_contain_text("GPT-NeoX-20B")

    # Search within the filters: the match is highlighted.
    page.get_by_label("Search titles, authors and abstracts").fill("open")
    page.get_by_label("Search titles, authors and abstracts").press("Enter")
    expect(page).to_have_url(re.compile(r"q=open.*|.*venue=icml.*"))
    expect(result_count(page)).to_have_text("1\N{EN DASH}1 of 1 paper")
    expect(page.locator(".paper-title mark")).to_have_text("Open")

    # Open the paper.
    titles.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GPT-NeoX-20B")
    expect(page.locator(".abstract math")).to_have_count(2)
    expect(page.locator(".abstract")).not_to_contain_text("\\mathcal")
    expect(page.get_by_label("BibTeX entry")).to_contain_text("@inproceedings{")
    # The copy button is progressive enhancement: shown once copy.js runs.
    expect(page.get_by_role("button", name="Copy BibTeX")).to_be_visible()

    # Follow an author to their page.
    page.locator(".author-list").get_by_role("link", name="Leo Gao").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leo Gao")
    expect(page.locator(".paper-title")).to_have_count(3)
    expect(page.locator("#coauthors-heading + ul")).to_contain_text("Stella Biderman")


def test_the_list_fits_a_phone_screen(page, live_catalog):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_catalog}/papers/?q=language")
    expect(result_count(page)).to_contain_text("papers")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_facets_work_from_the_keyboard(page, live_catalog):
    page.goto(f"{live_catalog}/papers/")
    link = page.get_by_role("complementary").get_by_role("link", name=re.compile(r"^NeurIPS"))
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"venue=neurips"))
    expect(result_count(page)).to_have_text("1\N{EN DASH}1 of 1 paper")
