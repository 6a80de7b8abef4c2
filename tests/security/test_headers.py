"""Security headers on every response, and pages that a strict
Content-Security-Policy does not break: no inline script, style or handlers."""

import pytest
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from tests.security.conftest import inline_code, public_urls

pytestmark = pytest.mark.django_db

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def assert_security_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_every_public_page_carries_the_headers_and_no_inline_code(client, seed):
    urls = public_urls()
    assert len(urls) >= 10
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        if response["Content-Type"].startswith("text/html"):
            assert inline_code(response.content.decode()) == [], url


@pytest.mark.parametrize(
    "url", ["/no-such-page/", "/papers/no-such-paper/", "/papers/?q=%00", "/healthz"]
)
def test_error_pages_and_the_health_check_carry_the_headers(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404)
    assert_security_headers(response)


def test_static_files_served_by_whitenoise_carry_the_headers(client):
    response = client.get(static("css/papershelf.css"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_admin_pages_work_under_the_policy(seed, django_user_model):
    """Django 5.2's admin has no inline script or style, so it needs no allowance."""
    user = django_user_model.objects.create_superuser("curator", "c@example.org", "pw")
    anonymous = Client()
    login = anonymous.get(reverse("admin:login"))
    assert login.status_code == 200
    assert_security_headers(login)
    assert inline_code(login.content.decode()) == []

    staff = Client()
    staff.force_login(user)
    from catalog.models import Paper

    paper = Paper.objects.order_by("pk").first()
    for url in [
        reverse("admin:index"),
        reverse("admin:catalog_paper_changelist"),
        reverse("admin:catalog_paper_change", args=[paper.pk]),
        reverse("admin:catalog_paper_add"),
        reverse("admin:people_person_changelist"),
    ]:
        response = staff.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert inline_code(response.content.decode()) == [], url
