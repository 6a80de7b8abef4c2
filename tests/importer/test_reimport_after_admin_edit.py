"""Staff edits made through the admin survive re-imports."""

import pytest
from django.urls import reverse

from catalog.importer.service import import_listings
from catalog.models import Paper
from tests.admin_forms import change_form_data, edit_in_admin
from tests.importer.seed_listings import SEED_FILES
from tests.importer.test_import_service import parsed

pytestmark = pytest.mark.django_db


def test_a_title_and_year_edited_in_the_admin_survive_a_re_import(staff_client, seeded):
    paper = Paper.objects.get(title__startswith="ReLoRA")
    assert paper.year is None
    edit_in_admin(staff_client, paper, title="ReLoRA (edited by staff)", year=2024)
    assert sorted(paper.staff_edited_fields) == ["title", "year"]

    report = import_listings(parsed(*SEED_FILES))

    paper.refresh_from_db()
    assert (paper.title, paper.year) == ("ReLoRA (edited by staff)", 2024)
    assert report.conflicts == [] and report.updated == []
    assert report.created == []  # recognised by its listing entries despite the new title


def test_an_author_list_reordered_in_the_admin_survives_a_re_import(staff_client, seeded):
    paper = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    data = change_form_data(staff_client.get(url))
    # Swap the first two authors.
    data["authorships-0-position"], data["authorships-1-position"] = 2, 1
    assert staff_client.post(url, data).status_code == 302
    first_two = [a.person.name for a in paper.authorships.order_by("position")[:2]]
    assert first_two == ["Stella Biderman", "Sid Black"]

    import_listings(parsed(*SEED_FILES))

    first_two = [a.person.name for a in paper.authorships.order_by("position")[:2]]
    assert first_two == ["Stella Biderman", "Sid Black"]
