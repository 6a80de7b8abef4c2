"""Importer fuzzing at the command and database level.

tests/importer/test_robustness.py fuzzes the pure parser; here whole runs of
`manage.py import_listings` get random bytes and mutated seed listings (cut
short, lines shuffled, blank lines deleted, control characters injected, huge
lines) on top of the seed catalog. A run either imports or stops with a
CommandError that says what is wrong; never another exception, and a failed
run leaves the database exactly as it was.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from catalog.models import Authorship, Award, DeletedPaper, Paper, PaperSource
from people.models import Person, PersonAlias
from tests.importer.seed_listings import SEED_FILES, seed_text
from venues.models import Venue, VenueAlias

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples on every run: a red build is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CATALOG_MODELS = (
    Paper,
    Authorship,
    PaperSource,
    DeletedPaper,
    Award,
    Person,
    PersonAlias,
    Venue,
    VenueAlias,
)


@functools.cache
def _row_text(vendor: str, table: str) -> str:
    """SQL for each row of `table` as one exact text: PostgreSQL's row literal,
    SQLite's quote() of every column (NULL, numbers, 'text', X'blob'). Cached:
    the schema does not change during a run."""
    quote = connection.ops.quote_name
    if vendor == "postgresql":
        return f"{quote(table)}::text"
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA table_info({quote(table)})")
        columns = [name for _, name, *_ in cursor.fetchall()]
    return " || ',' || ".join(f"quote({quote(column)})" for column in columns)


def snapshot() -> dict[str, str]:
    """Every row of every catalog table, as one digest per table. Each row is
    made one text by the database (no ORM conversion, no repr() of tuples, which
    took most of a run's time here): a row that changed in any way changes its
    table's digest."""
    digests = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in CATALOG_MODELS:
            table, pk = model._meta.db_table, model._meta.pk.column
            row_sql = _row_text(connection.vendor, table)
            cursor.execute(f"SELECT {row_sql} FROM {quote(table)} ORDER BY {quote(pk)}")
            rows = "\n".join(row for (row,) in cursor.fetchall())
            digests[model._meta.label] = hashlib.sha256(rows.encode()).hexdigest()
    return digests


def row_versions() -> str | None:
    """PostgreSQL: which version of each catalog row is the visible one (its
    ctid and xmin), as one text; None elsewhere. PostgreSQL never changes a
    row in place: an UPDATE, or a DELETE and an INSERT of the same values,
    leaves a version at another ctid written by another (sub)transaction. So
    when every row is the very version it was, every row is what it was, and
    the digests are what they were without reading (and hashing) each row's
    text again, the search vectors included."""
    if connection.vendor != "postgresql":
        return None
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT COALESCE(string_agg(ctid::text || xmin::text, ',' ORDER BY ctid), '') "
        f"FROM {quote(model._meta.db_table)})"
        for model in CATALOG_MODELS
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT concat_ws('|', {', '.join(parts)})")
        return cursor.fetchone()[0]


class Before:
    """The catalog's digests and row versions at one moment."""

    def __init__(self):
        self.digests, self.versions = snapshot(), row_versions()

    def digests_now(self) -> dict[str, str]:
        """snapshot(), read through the row versions when they are unchanged."""
        if self.versions is not None and row_versions() == self.versions:
            return self.digests
        return snapshot()


def test_the_digests_see_a_one_character_change(seed):
    """The fuzz tests' check can fail: any edit of any column changes a digest,
    and a new row version (so the row versions do not hide it)."""
    before = Before()
    paper = Paper.objects.order_by("pk").first()
    with transaction.atomic():
        Paper.objects.filter(pk=paper.pk).update(abstract=paper.abstract)
        # The same values written again: a new version all the same.
        assert before.versions is None or row_versions() != before.versions
        transaction.set_rollback(True)
    assert row_versions() == before.versions  # rolled back: the same versions
    Paper.objects.filter(pk=paper.pk).update(abstract=paper.abstract + " ")
    after = before.digests_now()
    assert [label for label in before.digests if before.digests[label] != after[label]] == [
        "catalog.Paper"
    ]
    Paper.objects.filter(pk=paper.pk).update(abstract=paper.abstract)
    assert snapshot() == before.digests


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.fixture
def seed_digests(seed):
    """The seed catalog's digests, taken once for all of a test's examples: each
    example ends by checking that the database is back to exactly these."""
    return Before()


def run_import(workdir: Path, before: Before, data: bytes, *, skip_bad: bool = False) -> None:
    """Import `data` as a listing file; assert the contract; never keep its writes."""
    path = workdir / "fuzz.txt"
    path.write_bytes(data)
    # Each example runs in a savepoint that is rolled back, so examples do not
    # see each other's imports; the command's own transaction nests inside it.
    with transaction.atomic():
        try:
            call_command("import_listings", str(path), skip_bad=skip_bad, verbosity=0)
            event("imported")
        except CommandError as error:
            event("refused with CommandError")
            message = str(error)
            assert message.strip(), "a CommandError without a message"
            assert "Traceback" not in message
            assert len(message) < 2_000, "the message should say what is wrong, briefly"
            assert before.digests_now() == before.digests, "a failed import changed the database"
        transaction.set_rollback(True)
    assert before.digests_now() == before.digests


@FUZZ
@given(data=st.binary(max_size=3_000), skip_bad=st.booleans())
def test_random_bytes_import_or_fail_cleanly(seed_digests, workdir, data, skip_bad):
    run_import(workdir, seed_digests, data, skip_bad=skip_bad)


@FUZZ
@given(text=st.text(max_size=2_000), skip_bad=st.booleans())
def test_random_text_imports_or_fails_cleanly(seed_digests, workdir, text, skip_bad):
    run_import(workdir, seed_digests, text.encode("utf-8", "surrogatepass"), skip_bad=skip_bad)


CONTROL = st.sampled_from(
    [
        "\x00",
        "\x01",
        "\x07",
        "\x0b",
        "\x0c",
        "\x1b",
        "\x7f",
        "\x85",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\u202e",
        "\r",
        "\ud800",
    ]
)


@st.composite
def mutated_seed(draw) -> bytes:
    lines = seed_text(draw(st.sampled_from(SEED_FILES))).split("\n")
    # Keep runs quick: a window of the listing, not all of it.
    start = draw(st.integers(0, max(0, len(lines) - 1)))
    lines = lines[start : start + draw(st.integers(1, 80))]
    for _ in range(draw(st.integers(1, 3))):
        mutation = draw(
            st.sampled_from(
                ["truncate", "shuffle", "no-blanks", "control", "huge", "duplicate", "swap-two"]
            )
        )
        if mutation == "truncate" and lines:
            text = "\n".join(lines)
            lines = text[: draw(st.integers(0, len(text)))].split("\n")
        elif mutation == "shuffle":
            lines = draw(st.permutations(lines))
        elif mutation == "no-blanks":
            lines = [line for line in lines if line.strip()]
        elif mutation == "control" and lines:
            index = draw(st.integers(0, len(lines) - 1))
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(CONTROL) + line[at:]
        elif mutation == "huge":
            index = draw(st.integers(0, len(lines)))
            lines.insert(index, draw(st.sampled_from(["x", "Title ", "Read More ", "é"])) * 200_000)
        elif mutation == "duplicate":
            lines = lines + lines
        elif mutation == "swap-two" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@FUZZ
@given(data=mutated_seed(), skip_bad=st.booleans())
def test_mutated_seed_listings_import_or_fail_cleanly(seed_digests, workdir, data, skip_bad):
    run_import(workdir, seed_digests, data, skip_bad=skip_bad)


@pytest.mark.parametrize("when", ["first", "middle", "last"])
def test_a_database_failure_half_way_leaves_the_database_unchanged(db, workdir, when):
    """Not the parser but the database failing during a run (its first, middle
    or last INSERT or UPDATE) rolls the whole run back, with a clear message."""
    path = workdir / SEED_FILES[0]
    path.write_text(seed_text(SEED_FILES[0]), encoding="utf-8")
    writes = {"n": 0, "fail_at": None}

    def count_or_fail(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            writes["n"] += 1
            if writes["n"] == writes["fail_at"]:
                raise OperationalError("could not extend file: No space left on device")
        return execute(sql, params, many, context)

    # Count the writes of a successful run (rolled back), then fail one of them.
    with transaction.atomic(), connection.execute_wrapper(count_or_fail):
        call_command("import_listings", str(path), verbosity=0)
        transaction.set_rollback(True)
    total = writes["n"]
    assert total >= 3
    writes.update(n=0, fail_at={"first": 1, "middle": total // 2, "last": total}[when])

    before = snapshot()
    with (
        connection.execute_wrapper(count_or_fail),
        pytest.raises(CommandError, match="Import failed, nothing was written: could not extend"),
    ):
        call_command("import_listings", str(path), verbosity=0)
    assert writes["n"] == writes["fail_at"]
    assert snapshot() == before
    assert Paper.objects.count() == 0
