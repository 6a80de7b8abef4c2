"""The Content-Security-Policy in a real browser: Chromium reports no
violation on the public pages or in the admin, whose JavaScript (autocomplete,
inlines, collapsible fieldsets) must keep working without 'unsafe-inline'."""

import os

import pytest

from catalog.models import Paper
from tests.browsing.conftest import build_small_catalog

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytest.importorskip("playwright", reason="pip install -e '.[browser]' (make test does)")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_no_page_violates_the_content_security_policy(
    page, live_server, transactional_db, django_user_model
):
    catalog = build_small_catalog()
    django_user_model.objects.create_superuser("curator", "c@example.org", "a-long-password-1")
    paper = catalog["papers"]["pythia"]
    problems = []

    def on_console(message):
        url = message.location.get("url", "")
        # The admin's pages name no icon, so the browser asks for /favicon.ico (a 404).
        if "Content Security Policy" in message.text or (
            message.type == "error" and not url.endswith("/favicon.ico")
        ):
            problems.append(f"{message.text} ({url})")

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))

    person = catalog["people"]["stella"]
    for path in [
        "/",
        "/papers/",
        "/papers/?q=pythia",
        paper.get_absolute_url(),
        "/people/",
        person.get_absolute_url(),
        "/venues/",
        "/awards/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path

    # Sign in through the form, as a curator would (CSRF token, django-axes backend).
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalog curation")
    page.goto(f"{live_server.url}/admin/catalog/paper/{paper.pk}/change/")
    # The admin's JavaScript ran: the autocomplete widgets and inline rows are live.
    expect(page.locator(".select2-container").first).to_be_visible()
    rows = page.locator("#authorships-group tr.form-row")
    before = rows.count()
    page.locator("#authorships-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
    page.goto(f"{live_server.url}/admin/catalog/paper/?q=pythia")
    expect(page.locator("#result_list")).to_contain_text(Paper.objects.get(pk=paper.pk).title)

    assert problems == []
