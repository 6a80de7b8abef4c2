"""PostgreSQL's own write path for new papers (postgres.NewPaperStaging): search
fields computed as the papers are written, the abstracts' part in the background."""

import pytest
from django.db import DatabaseError, connection

from catalog.importer.postgres import NewPaperStaging
from catalog.importer.service import import_listings
from catalog.models import Paper
from people.models import Person
from tests.importer.seed_listings import SEED_FILES
from tests.importer.test_import_service import parsed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]
SEARCH_FIELDS = ("author_names", "search_vector", "head_vector")


def test_new_papers_get_the_search_fields_refresh_search_index_gives():
    import_listings(parsed(*SEED_FILES))
    written = {p["id"]: p for p in Paper.objects.values("id", "abstract", *SEARCH_FIELDS)}
    assert all(p["search_vector"] and p["head_vector"] for p in written.values())
    Paper.objects.all().refresh_search_index()
    refreshed = {p["id"]: p for p in Paper.objects.values("id", "abstract", *SEARCH_FIELDS)}
    assert written == refreshed


def test_a_failure_in_the_background_writes_nothing(monkeypatch):
    computing = NewPaperStaging.computing

    def failing(self):
        self.statements.append(("SELECT 1 / 0", None))
        return computing(self)

    monkeypatch.setattr(NewPaperStaging, "computing", failing)
    with pytest.raises(DatabaseError):
        import_listings(parsed(*SEED_FILES))
    assert Paper.objects.count() == 0 and Person.objects.count() == 0
