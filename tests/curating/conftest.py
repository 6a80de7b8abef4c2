"""What the curating tests share: users, the admin's URLs, listings."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

IMPORT_URL = "/admin/catalog/paper/import/"
APPLY_URL = "/admin/catalog/paper/import/apply/"


def bibtex(count: int, *, start: int = 0, title: str = "Curated paper number {n}") -> str:
    """`count` BibTeX entries, each a new paper with two authors."""
    return "".join(
        f"@article{{k{n},\n  title={{{title.format(n=n)}}},\n"
        f"  author={{Ada Curator and Bo Helper}},\n  year={{2024}},\n"
        f"  journal={{Journal of Curation}}\n}}\n"
        for n in range(start, start + count)
    )


def upload(name: str, data: bytes | str) -> SimpleUploadedFile:
    if isinstance(data, str):
        data = data.encode()
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def token_of(response) -> str:
    return response.context["token"]


# The migration that makes the Curators group, read for its list of grants.
CURATORS_MIGRATION = importlib.import_module("catalog.migrations.0010_curators_group")


@pytest.fixture
def curators_group(db):
    """The Curators group the migrations made. A transactional test (the
    browser tests) empties every table when it ends, groups included, so
    after one the group is made again from the migration's own grants."""
    group, created = Group.objects.get_or_create(name=CURATORS_MIGRATION.GROUP)
    if created:
        group.permissions.set(
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in CURATORS_MIGRATION.codenames()
        )
    return group


@pytest.fixture
def curator(curators_group):
    user = User.objects.create_user("curator", password="pw", is_staff=True)
    user.groups.add(curators_group)
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def import_urls():
    assert reverse("admin:catalog_paper_import") == IMPORT_URL
    assert reverse("admin:catalog_paper_import_apply") == APPLY_URL


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def changelist_query_count(client, model, params: dict, rows: int) -> int:
    """The queries one page of `model`'s changelist costs, filtered by `params`,
    having checked that it lists `rows` rows (so a cheap empty page cannot pass)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(model), params)
    assert response.context["cl"].result_count == rows
    return len(queries)
