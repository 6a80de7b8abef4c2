"""A bulk load on PostgreSQL (catalog.importer.bulkload): the secondary
indexes of the tables it fills are dropped while it writes and built again
before it commits, exactly as they were; a failure brings them back with the
rollback; an import that is not a bulk load, or cannot lock the tables in
time, keeps them."""

import threading

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from catalog import counts
from catalog.importer import bulkload, service
from catalog.importer.bulkload import BULK_MODELS, SetAside, is_bulk
from catalog.importer.deferred import GinMerges
from catalog.importer.postgres import allocate_ids
from catalog.importer.service import import_listings
from catalog.models import Authorship, Paper
from people.models import Person
from tests.factories import make_paper
from tests.importer.seed_listings import SEED_FILES
from tests.importer.test_import_bulk_upkeep import assert_kept_tables_are_recounted_ones
from tests.importer.test_import_postgres import (
    assert_search_fields_are_those_refresh_search_index_gives,
)
from tests.importer.test_import_service import parsed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def indexes() -> dict[str, str]:
    """{index name: definition} of every index of the bulk tables,
    {constraint name: definition} of their constraints and {trigger name:
    whether enabled} of their triggers."""
    tables = [model._meta.db_table for model in BULK_MODELS] + list(counts.KEPT_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables]
        )
        found = dict(cursor.fetchall())
        cursor.execute(
            "SELECT conname, conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::text[]::regclass[])",
            [tables],
        )
        found |= dict(cursor.fetchall())
        # And each trigger of theirs, enabled or not ("O" or "D").
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = ANY(%s::text[]::regclass[])",
            [tables],
        )
        return found | {name: f"trigger {state}" for name, state in cursor.fetchall()}


@pytest.fixture
def set_aside(monkeypatch):
    """(index names, foreign keys) each import set aside (None for an import
    that kept them)."""
    dropped = []
    drop = SetAside.drop.__func__

    def recorded(cls, using):
        result = drop(cls, using)
        dropped.append(
            result and ([name for name, _ in result.indexes], result.foreign_keys, result.triggers)
        )
        return result

    monkeypatch.setattr(SetAside, "drop", classmethod(recorded))
    return dropped


def test_a_bulk_load_builds_the_indexes_again_as_they_were(settings, set_aside):
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    before = indexes()

    import_listings(parsed(*SEED_FILES))

    assert Paper.objects.count() == 135
    # The b-trees of the papers, search rows, authorships, sources, revisions
    # and people went; the GIN indexes (merged in bulk) and the unique ones stayed.
    [(dropped, keys, triggers)] = set_aside
    assert "public.paper_newest_idx" in dropped and "public.revision_paper_idx" in dropped
    assert "public.authorship_person_paper_idx" in dropped
    # And those of the kept counts, which the load recounts.
    assert "public.catalog_personcell_by_venue_year" in dropped
    assert "public.catalog_personvenue_most" in dropped
    assert not [name for name in dropped if "gin" in name or "unique" in name or "pkey" in name]
    # So did the foreign keys between those tables, and those to the venues,
    # awards and import runs; not those to the users.
    definitions = {(table, definition) for table, _, definition in keys}
    deferred = "DEFERRABLE INITIALLY DEFERRED"
    person = f"FOREIGN KEY (person_id) REFERENCES people_person(id) {deferred}"
    assert ("catalog_authorship", person) in definitions
    venue = f"FOREIGN KEY (venue_id) REFERENCES venues_venue(id) {deferred}"
    award = f"FOREIGN KEY (award_id) REFERENCES catalog_award(id) {deferred}"
    run = f"FOREIGN KEY (run_id) REFERENCES history_importrun(id) {deferred}"
    assert ("catalog_paper", venue) in definitions
    assert ("catalog_paper_awards", award) in definitions
    assert ("history_paperrevision", run) in definitions
    assert not [d for d in definitions if "auth_user" in d[1]]
    # The kept counts' triggers were off (recounted instead); those of the
    # catalog version and the search rows stayed on.
    names = {name for _, name in triggers}
    assert {"catalog_authorship_person_cells_insert", "catalog_paper_counts_insert"} <= names
    assert "catalog_authorship_personyear_insert" in names
    assert not [name for name in names if "version" in name or "search_rows" in name]
    assert indexes() == before
    assert not_validated_foreign_keys() == []
    assert_kept_tables_are_recounted_ones()
    assert_search_fields_are_those_refresh_search_index_gives()


def not_validated_foreign_keys() -> list[str]:
    """The bulk tables' foreign keys PostgreSQL has not checked every row of."""
    tables = [model._meta.db_table for model in BULK_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated "
            "AND conrelid = ANY(%s::text[]::regclass[])",
            [tables],
        )
        return [name for (name,) in cursor.fetchall()]


def test_a_set_aside_key_comes_back_checked_against_every_row(settings, monkeypatch):
    """A key dropped for the load is added again (validated: PostgreSQL
    checks every row when it is added), so a row the load wrote that breaks
    it fails the import, as the deferred check at commit would have."""
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    before = indexes()
    record_papers = service.record_papers

    def orphaned(*args, **kwargs):
        record_papers(*args, **kwargs)
        with connection.cursor() as cursor:  # a paper of a venue that is not there
            cursor.execute("UPDATE catalog_paper SET venue_id = -1 WHERE id = %s", [first_paper()])

    def first_paper():
        return Paper.objects.order_by("pk").values_list("pk", flat=True)[0]

    monkeypatch.setattr(service, "record_papers", orphaned)
    with pytest.raises(IntegrityError, match="venue_id"):
        import_listings(parsed(*SEED_FILES))

    assert Paper.objects.count() == 0 and indexes() == before


def test_a_key_to_a_table_this_role_cannot_refer_to_stays(settings, set_aside):
    """Without REFERENCES on the venues (the key could not be added again),
    the papers' key to them stays and is checked at commit as before."""
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    before = indexes()
    with connection.cursor() as cursor:  # an owner may take a privilege from itself
        cursor.execute("REVOKE REFERENCES ON venues_venue FROM CURRENT_USER")

    import_listings(parsed(*SEED_FILES))

    [(_, keys, _)] = set_aside
    assert [name for table, name, _ in keys if table == "catalog_paper"] == []
    assert (
        "catalog_paper_awards",
        "catalog_paper_awards_award_id_ba8d7f82_fk_catalog_award_id",
    ) in {(table, name) for table, name, _ in keys}
    assert Paper.objects.count() == 135 and indexes() == before


def test_checks_pending_in_the_transaction_do_not_stop_a_bulk_load(settings, set_aside):
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    before = indexes()
    # Written in the same transaction: its foreign-key checks still pending.
    make_paper("Already there", authors=["Stella Biderman"], year=2020)

    import_listings(parsed(*SEED_FILES))

    assert set_aside[0] and Paper.objects.count() == 136
    assert indexes() == before
    assert_kept_tables_are_recounted_ones()


def test_a_failure_after_the_drop_leaves_nothing_and_the_indexes_back(settings, monkeypatch):
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    before = indexes()
    seen = {}

    def fail(*args, **kwargs):
        seen["indexes"] = indexes()
        raise DatabaseError("disk full")

    monkeypatch.setattr(service, "record_papers", fail)
    with pytest.raises(DatabaseError):
        import_listings(parsed(*SEED_FILES))

    assert "paper_newest_idx" in before and "paper_newest_idx" not in seen["indexes"]
    fk = "catalog_authorship_paper_id_aba761e3_fk_catalog_paper_id"
    assert fk in before and fk not in seen["indexes"]
    trigger = "catalog_authorship_person_cells_insert"
    assert (before[trigger], seen["indexes"][trigger]) == ("trigger O", "trigger D")
    assert indexes() == before
    assert Paper.objects.count() == 0 and Authorship.objects.count() == 0
    assert Person.objects.count() == 0
    assert_kept_tables_are_recounted_ones()


def test_a_bulk_load_needs_enough_new_papers_and_no_fewer_than_there_are(settings):
    settings.PAPERSHELF_IMPORT_BULK_FROM = 3
    assert not is_bulk(2, connection.alias)
    assert is_bulk(3, connection.alias)
    for title in ("One", "Two", "Three", "Four"):
        make_paper(title)
    assert not is_bulk(3, connection.alias)
    assert is_bulk(4, connection.alias)
    settings.PAPERSHELF_IMPORT_BULK_FROM = 0
    assert not is_bulk(1000, connection.alias)


def test_an_import_into_a_bigger_catalog_keeps_its_indexes(settings, set_aside):
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    import_listings(parsed(*SEED_FILES))
    assert set_aside[0]
    settings.PAPERSHELF_IMPORT_BULK_FROM = 1
    import_listings(parsed(*SEED_FILES[:1]))
    # Nothing new in a re-import: the bulk rule is not even asked.
    assert len(set_aside) == 1


def test_tables_locked_by_another_transaction_keep_their_indexes(settings, monkeypatch, set_aside):
    """A long query reading a table holds the drop up: past LOCK_WAIT the
    import writes with the indexes in place."""
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    monkeypatch.setattr(bulkload, "LOCK_WAIT", "50ms")
    before = indexes()
    reader = connection.get_new_connection(connection.get_connection_params())
    try:
        reader.execute("BEGIN")
        reader.execute(f"SELECT count(*) FROM {Person._meta.db_table}")
        import_listings(parsed(*SEED_FILES))
    finally:
        reader.close()

    assert set_aside == [None]
    assert Paper.objects.count() == 135 and indexes() == before
    assert_kept_tables_are_recounted_ones()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        assert cursor.fetchone()[0] == "0"


def test_the_b_trees_are_built_while_the_helper_merges_the_last_entries(settings, monkeypatch):
    """A bulk load's connection recounts and builds the b-trees before it
    waits for the GIN helper's last merge (so the two run side by side), and
    merges what is left itself after that."""
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    events = []
    rebuild, merge, stop = SetAside.rebuild, GinMerges._merge, GinMerges.stop

    def rebuilding(self):
        events.append("rebuild")
        rebuild(self)

    def merging(self, cursor):
        events.append(("merge", threading.current_thread().name))
        merge(self, cursor)

    def stopping(self):
        events.append("stop")
        stop(self)

    monkeypatch.setattr(SetAside, "rebuild", rebuilding)
    monkeypatch.setattr(GinMerges, "_merge", merging)
    monkeypatch.setattr(GinMerges, "stop", stopping)
    before = indexes()

    import_listings(parsed(*SEED_FILES))

    assert ("merge", "importer-gin") in events
    assert events.index("rebuild") < events.index("stop")
    assert events.index("rebuild") < events.index(("merge", "MainThread"))
    assert indexes() == before
    assert_kept_tables_are_recounted_ones()
    assert_search_fields_are_those_refresh_search_index_gives()


def _sequence_state(model) -> tuple[int, bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        cursor.execute(f"SELECT last_value, is_called FROM {cursor.fetchone()[0]}")
        return cursor.fetchone()


def _statements(action) -> list[str]:
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        action()
    return statements


@pytest.mark.parametrize(
    ("lock", "one_step"),
    [(None, False), ("ACCESS SHARE", False), ("SHARE", True), ("EXCLUSIVE", True)],
)
def test_ids_allocated_in_one_step_under_a_lock_are_those_nextval_gives(lock, one_step):
    """allocate_ids() moves the sequence on in one step only while the
    import's lock keeps others from inserting: the same ids either way, and
    the sequence left as the nextval() calls leave it."""
    make_paper("Before")
    start, _ = _sequence_state(Paper)
    if lock:
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Paper._meta.db_table} IN {lock} MODE")
    taken = []
    statements = _statements(lambda: taken.extend(allocate_ids(Paper, 5, "default")))
    assert taken == list(range(start + 1, start + 6))
    assert allocate_ids(Paper, 1, "default") == [start + 6]
    assert _sequence_state(Paper) == (start + 6, True)
    assert any("generate_series" in sql for sql in statements) is not one_step
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Paper._meta.db_table])
        assert cursor.fetchone()[0] == start + 7


def test_a_bulk_load_allocates_its_papers_and_peoples_ids_in_one_step(settings, set_aside):
    settings.PAPERSHELF_IMPORT_BULK_FROM = 100
    statements = _statements(lambda: import_listings(parsed(*SEED_FILES)))
    assert set_aside[0] is not None
    assert Paper.objects.count() == 135
    assert not [sql for sql in statements if "generate_series" in sql]
    assert len([sql for sql in statements if "setval" in sql]) >= 2


def test_ids_taken_one_by_one_wait_for_a_lock_that_keeps_inserts_out():
    """Without such a lock of its own, allocate_ids() takes the lock an
    INSERT takes before any nextval(): while another transaction holds a
    lock that lets it take its ids in one step, it waits (here until its
    lock_timeout), so no value is taken between that step's nextval() and
    setval()."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"LOCK TABLE {Paper._meta.db_table} IN SHARE MODE")
        with pytest.raises(DatabaseError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            allocate_ids(Paper, 3, "default")
        with other.cursor() as cursor:
            cursor.execute("ROLLBACK")
        assert len(allocate_ids(Paper, 3, "default")) == 3
    finally:
        other.close()
