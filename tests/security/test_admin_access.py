"""The admin: staff only, CSRF enforced, sign-in throttled by
django-axes, and never linked from a public page."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.security.conftest import public_urls

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")


@pytest.fixture
def curator(django_user_model):
    return django_user_model.objects.create_superuser("curator", "c@example.org", "right-pw")


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": INDEX}, **extra)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:catalog_paper_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_a_signed_in_user_without_staff_status_gets_no_admin(django_user_model):
    user = django_user_model.objects.create_user("reader", password="pw-reader-1")
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:catalog_paper_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    # And signing in with the right password does not let them in either.
    response = sign_in(Client(), "reader", "pw-reader-1")
    assert response.status_code == 200
    assert b"staff account" in response.content


def test_force_login_still_works_with_the_axes_backend(curator):
    client = Client()
    client.force_login(curator)
    assert client.get(INDEX).status_code == 200


def test_staff_sign_in_with_the_right_password_works(curator):
    response = sign_in(Client(), "curator", "right-pw")
    assert response.status_code == 302
    assert response.url == INDEX


def test_the_login_form_refuses_a_post_without_a_csrf_token(curator):
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, "curator", "right-pw")
    assert response.status_code == 403
    assert b"Forbidden" in response.content
    # With the token from the form it works.
    client.get(LOGIN)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        LOGIN,
        {
            "username": "curator",
            "password": "right-pw",
            "next": INDEX,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302


def test_admin_changes_need_a_csrf_token(curator):
    from tests.factories import make_venue

    venue = make_venue("ICML")
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    url = reverse("admin:venues_venue_delete", args=[venue.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert venue.__class__.objects.filter(pk=venue.pk).exists()


def test_repeated_wrong_passwords_lock_the_username_from_that_address(curator):
    limit = settings.AXES_FAILURE_LIMIT
    assert 3 <= limit <= 10
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(limit - 1):
        response = sign_in(client, "curator", "wrong")
        assert response.status_code == 200  # the form again, with an error
    response = sign_in(client, "curator", "wrong")
    assert response.status_code == 429
    # Locked: even the right password is refused now, with the site's page.
    response = sign_in(client, "curator", "right-pw")
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert AccessAttempt.objects.filter(username="curator").exists()
    # The same username from another address, and another username from the
    # locked address, are not affected (the lock is per username + address).
    assert sign_in(Client(REMOTE_ADDR="198.51.100.9"), "curator", "right-pw").status_code == 302


def test_the_lockout_has_a_cool_off(settings):
    assert settings.AXES_COOLOFF_TIME.total_seconds() >= 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0].startswith("axes.backends.")
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_behind_trusted_proxies_the_client_address_comes_from_x_forwarded_for(settings, rf):
    from config.middleware import client_ip_address

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    # The entry the proxy appended, never the forgeable ones to its left.
    assert client_ip_address(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip_address(request) == "10.0.0.1"


def test_no_public_page_mentions_the_admin(client, seed):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue  # robots.txt may Disallow it; /admin/ is a contract URL anyway
        assert b"/admin" not in response.content, url
        assert b"admin" not in response.content.lower().replace(b"administration", b""), url
    for url in ["/no-such-page/", "/papers/?q=%00"]:
        assert b"/admin" not in client.get(url).content
