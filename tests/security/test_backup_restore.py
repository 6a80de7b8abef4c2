"""Backup and restore: the dumpdata backup the README documents
restores into an empty database to an identical catalog, staff accounts included."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command

from catalog.models import Paper
from tests.factories import make_person

# Not in a test transaction: flush empties the tables the way it would in real life
# (PostgreSQL refuses to TRUNCATE tables with pending deferred-constraint checks).
pytestmark = pytest.mark.django_db(transaction=True)

# The README's "Backup and restore" command, argument for argument.
# XML, not JSON: Django's JSON encoder cuts timestamps to milliseconds, the XML
# serializer keeps them whole, so the restore is identical to the microsecond.
BACKUP_ARGS = [
    "--format=xml",
    "--natural-foreign",
    "--natural-primary",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
    "--exclude=axes",
]
CATALOG_APPS = ("catalog", "people", "venues")


def catalog_snapshot() -> dict[str, list[tuple]]:
    """Every row of every catalog table (search vectors included), and the staff."""
    snapshot = {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for app in CATALOG_APPS
        for model in apps.get_app_config(app).get_models()
    }
    snapshot["users"] = [
        (
            user.username,
            user.password,
            user.is_staff,
            user.is_superuser,
            sorted(user.user_permissions.values_list("codename", flat=True)),
        )
        for user in get_user_model().objects.order_by("username")
    ]
    return snapshot


def test_a_dumpdata_backup_restores_into_an_empty_database_identically(seed, tmp_path):
    # Beyond the seed: a staff edit, a curator with a permission, a deletion record.
    paper = Paper.objects.order_by("pk").first()
    paper.title = "Edited by staff — “quotes”, émigré, 数学"
    paper.staff_edited_fields = ["title"]
    paper.save()
    Paper.objects.filter(pk=paper.pk).refresh_search_index()  # as the admin does
    make_person("Zoë Ångström")
    curator = get_user_model().objects.create_user("curator", password="pw", is_staff=True)
    curator.user_permissions.add(Permission.objects.get(codename="change_paper"))
    before = catalog_snapshot()
    assert len(before["catalog.Paper"]) > 100

    backup = tmp_path / "backup.xml.gz"
    call_command("dumpdata", *BACKUP_ARGS, output=str(backup), verbosity=0)
    assert backup.stat().st_size > 10_000

    # An empty database: flush empties every table (and recreates content
    # types and permissions with new ids, which the natural keys survive).
    call_command("flush", interactive=False, verbosity=0)
    assert Paper.objects.count() == 0 and not get_user_model().objects.exists()

    call_command("loaddata", str(backup), verbosity=0)
    assert catalog_snapshot() == before
    # And the restored catalog works: search finds a paper by an author's folded name.
    assert Paper.objects.search("laurencon").exists()
