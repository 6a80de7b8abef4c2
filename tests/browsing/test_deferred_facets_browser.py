"""The deferred facets in a real browser: static/js/facets.js swaps the
sidebar in without a console error or CSP violation and without moving
the focus; without JavaScript the placeholder's link leads to a page of
the facets whose links lead back to the list."""

import os
import re

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytest.importorskip("playwright", reason="pip install -e '.[browser]' (make test does)")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# In the small catalog (tests/browsing/conftest.py): 3 papers.
SEARCH = "/papers/?q=language"


@pytest.fixture
def deferred(settings):
    """Every list that is not cheap defers its facets."""
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = 0


def watch(page) -> list[str]:
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    return problems


def test_the_script_swaps_the_facets_in(page, live_catalog, deferred):
    problems = watch(page)
    page.goto(f"{live_catalog}{SEARCH}")
    facets = page.get_by_role("complementary")
    expect(facets.get_by_role("heading", name="Venues")).to_be_visible()
    expect(page.locator("[data-facets-fragment]")).to_have_count(0)
    expect(page.locator("#facets-heading")).to_have_count(1)
    # The focus stayed where the page put it.
    assert page.evaluate("document.activeElement === document.body")
    link = facets.get_by_role("link", name=re.compile(r"^ICML"))
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/papers/\?q=language&venue=icml$"))
    assert problems == []


def test_without_javascript_the_link_leads_to_the_facets_page(browser, live_catalog, deferred):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_catalog}{SEARCH}")
        facets = page.get_by_role("complementary")
        expect(facets.get_by_role("heading", name="Narrow down")).to_be_visible()
        facets.get_by_role("link", name=re.compile("^Venues, years")).click()
        expect(page).to_have_url(re.compile(r"/facets/papers/\?q=language$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Narrow down the papers")
        page.get_by_role("complementary").get_by_role("link", name=re.compile(r"^ICML")).click()
        expect(page).to_have_url(re.compile(r"/papers/\?q=language&venue=icml$"))
        expect(page.locator(".result-count")).to_contain_text("of 2 papers")
    finally:
        context.close()
