"""A curator in a real browser: authors typed as text, seen on the public page.

Chromium as launched by tests/conftest.py.
"""

import os

import pytest

from catalog.models import Paper
from tests.conftest import admin_log_in
from tests.factories import make_paper, make_person

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest.importorskip("playwright", reason="pip install -e '.[browser]' (make test does)")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def curator(transactional_db, live_server, django_user_model):
    django_user_model.objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    return live_server.url


def test_a_curator_types_the_authors_and_the_paper_page_lists_them(page, curator):
    make_person("Stella Biderman")
    make_person("Rose Biderman")
    paper = make_paper("SμPar: a provisional title", year=2023)
    admin_log_in(page, curator, "curator", "pw-for-tests")
    page.goto(f"{curator}/admin/catalog/paper/{paper.pk}/change/")
    page.fill("#id_authors_text", "Sid Black*, Stella Biderman*, and Biderman")
    page.click("input[name=_continue]")
    # "Biderman" could be either Biderman: the form asks before saving.
    expect(page.locator(".errorlist")).to_contain_text("matches Rose Biderman and Stella Biderman")
    page.check("#id_confirm_authors")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("Authors set")

    page.goto(f"{curator}{Paper.objects.get(pk=paper.pk).get_absolute_url()}")
    authors = page.locator("main")
    expect(authors).to_contain_text("Sid Black")
    expect(authors).to_contain_text("Stella Biderman")
    page.get_by_role("link", name="Stella Biderman").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stella Biderman")
