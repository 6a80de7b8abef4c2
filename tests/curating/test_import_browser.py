"""A curator's import in a real browser: upload, preview, apply, and the
papers on the public pages. Playwright drives Debian's Chromium, launched as
by tests/conftest.py (never `playwright install`)."""

import os
import re

import pytest
from django.contrib.auth.models import User

from catalog.models import Paper
from tests.conftest import admin_log_in
from tests.curating.conftest import bibtex

# Playwright's sync API runs an event loop in this thread; the ORM would
# otherwise refuse to run next to it (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest.importorskip("playwright", reason="pip install -e '.[browser]' (make test does)")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def live_catalog(live_catalog):
    # A superuser: a transactional test's database may have been flushed of
    # the Curators group the migrations made (the permission tests cover it).
    User.objects.create_superuser("curator", password="a curator's password")
    return live_catalog


def test_upload_preview_apply_and_see_the_papers_on_the_public_pages(page, live_catalog):
    admin_log_in(
        page, live_catalog, "curator", "a curator's password", path="/admin/catalog/paper/"
    )
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/catalog/paper/import/$"))

    listing = bibtex(2, title="Browser-imported paper {n}")
    page.locator("#import_form input[type=file]").set_input_files(
        {"name": "lab.bib", "mimeType": "text/plain", "buffer": listing.encode()}
    )
    page.locator("#import_form textarea[name=text]").fill("@misc{x, title={Pasted <b>bold</b>}}")
    page.locator("#import_form input[type=submit]").click()

    preview = page.locator("#content-main")
    expect(preview).to_contain_text("Preview: nothing has been written yet.")
    expect(preview).to_contain_text("Browser-imported paper 1")
    expect(preview).to_contain_text("Pasted <b>bold</b>")  # shown as text, not markup
    assert not Paper.objects.filter(title__startswith="Browser-imported").exists()

    page.locator("#apply_form input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("Imported.")

    paper = Paper.objects.get(title="Browser-imported paper 1")
    page.goto(f"{live_catalog}/papers/{paper.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Browser-imported paper 1")
    expect(page.locator("body")).to_contain_text("Ada Curator")
    page.goto(f"{live_catalog}/papers/?q=Browser-imported")
    expect(page.locator(".paper-title")).to_have_count(2)
