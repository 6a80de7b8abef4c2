"""The admin's import page: who may use it, what it refuses, and how it says so."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from catalog.models import Paper, PendingImport
from tests.conftest import SEED_COUNTS
from tests.curating.conftest import APPLY_URL, IMPORT_URL, bibtex, token_of, upload
from tests.importer.lookup_server import lookup_server, serve_recorded_batch  # noqa: F401

# ---------------------------------------------------------------------------
# Permissions


@pytest.mark.parametrize("url", [IMPORT_URL, APPLY_URL])
def test_anonymous_users_get_the_admin_login_page(client, db, url):
    for response in (client.get(url), client.post(url, {"text": bibtex(1)})):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize("url", [IMPORT_URL, APPLY_URL])
def test_staff_without_the_permission_get_403(client, db, url):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_paper"))
    client.force_login(user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"text": bibtex(1)}).status_code == 403
    assert "/import/" not in client.get("/admin/catalog/paper/").content.decode()
    assert not PendingImport.objects.exists()


def test_the_curators_group_can_import_and_curate(curator):
    assert curator.has_perm("catalog.import_papers")
    for perm in ("catalog.change_paper", "people.add_person", "venues.change_venue"):
        assert curator.has_perm(perm)
    assert not curator.has_perm("catalog.delete_paper")


def test_a_curator_reaches_the_page(curator_client):
    assert curator_client.get(IMPORT_URL).status_code == 200


def test_a_token_from_another_user_is_refused(curator_client, client, seed):
    token = token_of(curator_client.post(IMPORT_URL, {"text": bibtex(1)}))
    other = User.objects.create_superuser("root", password="pw")
    client.force_login(other)
    response = client.post(APPLY_URL, {"token": token}, follow=True)
    assert "no longer available" in response.content.decode()
    assert Paper.objects.count() == SEED_COUNTS.papers


# ---------------------------------------------------------------------------
# Hostile and unreadable uploads: a clear message, nothing written, no 500


def refused(client, message: str, **data):
    response = client.post(IMPORT_URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import_form"' in html and 'id="apply_form"' not in html
    assert message in html, html[-3000:]
    assert not PendingImport.objects.exists()
    return html


def test_a_binary_file_is_refused(curator_client):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    refused(curator_client, "binary data", files=[upload("picture.bib", png)])


def test_invalid_utf8_is_refused_with_its_line(curator_client):
    data = b"@article{k, title={Ok}}\n@article{j, title={Caf\xe9}}\n"
    refused(curator_client, "latin1.bib, line 2: invalid UTF-8", files=[upload("latin1.bib", data)])


def test_an_empty_file_and_an_empty_form_are_refused(curator_client):
    refused(curator_client, "empty.bib: empty file", files=[upload("empty.bib", b"")])
    refused(curator_client, "Choose a file or paste something to import.", text="   ")


def test_text_in_no_known_format_is_refused(curator_client):
    refused(curator_client, "unknown format", text="just some words\nand more words\n")


def test_a_huge_upload_is_refused_and_pointed_to_the_command(curator_client):
    huge = b"@misc{k, title={Big}}\n" + b"%" * 6_000_000
    html = refused(curator_client, "the admin takes up to 5.0 MB", files=[upload("big.bib", huge)])
    assert "manage.py import_listings" in html


def test_too_many_entries_are_refused_and_pointed_to_the_command(curator_client, settings):
    settings.ADMIN_IMPORT_MAX_ENTRIES = 3
    html = refused(curator_client, "This import has 4 entries", files=[upload("a.bib", bibtex(4))])
    assert "manage.py import_listings" in html


def test_too_long_a_paste_is_refused(curator_client, settings):
    settings.ADMIN_IMPORT_MAX_BYTES = 300_000
    refused(curator_client, "upload a file instead", text=bibtex(1) + "%" * 200_000)


def test_previews_nobody_applied_are_forgotten(curator_client, seed):
    curator_client.post(IMPORT_URL, {"text": bibtex(1)})
    PendingImport.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    curator_client.post(IMPORT_URL, {"text": bibtex(1, start=1)})
    assert PendingImport.objects.count() == 1


# ---------------------------------------------------------------------------
# Identifiers, looked up at a loopback server with recorded answers


@pytest.fixture
def lookups(lookup_server, settings):  # noqa: F811
    return serve_recorded_batch(lookup_server, settings)


def test_pasted_identifiers_are_looked_up_previewed_and_applied(curator_client, seed, lookups):
    text = "https://arxiv.org/abs/2304.01373v2\ndoi:10.1002/jcc.26768\nnot-an-id\n"
    response = curator_client.post(IMPORT_URL, {"text": text})
    assert response.status_code == 200
    (file,) = response.context["files"]
    assert file["format"] == "lookup" and file["entries"] == 2
    assert any("not-an-id" in line for line in file["skipped"])
    pythia = Paper.objects.get(title__startswith="Pythia: A Suite")
    assert pythia.year is None
    updated = {c["title"]: c for c in response.context["report"]["changes"]}
    assert ["year", "", "2023"] in updated[pythia.title]["fields"]

    curator_client.post(APPLY_URL, {"token": token_of(response)})
    pythia.refresh_from_db()
    assert pythia.year == 2023
    assert Paper.objects.get(doi="10.1002/jcc.26768")


def test_too_many_identifiers_are_refused(curator_client, settings):
    settings.ADMIN_IMPORT_MAX_IDENTIFIERS = 2
    text = "2304.01373\n2405.15743\n10.1002/jcc.26768\n"
    refused(curator_client, "This import has 3 identifiers", text=text)


def test_a_paste_past_djangos_request_limit_is_a_400_not_a_500(curator_client, settings):
    # The form's maxlength stops browsers before this; a client that ignores
    # it meets Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE).
    text = "%" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    assert curator_client.post(IMPORT_URL, {"text": text}).status_code == 400
    assert not PendingImport.objects.exists()
