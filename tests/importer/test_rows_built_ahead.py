"""built_ahead(): the PostgreSQL writer's rows, built by a helper thread a chunk ahead."""

import threading

import pytest

from catalog.importer.postgres import built_ahead


def test_the_chunks_are_the_rows_in_order_and_sizes():
    rows = iter([(n,) for n in range(10)])
    assert list(built_ahead(rows, [4, 4, 2])) == [
        [(0,), (1,), (2,), (3,)],
        [(4,), (5,), (6,), (7,)],
        [(8,), (9,)],
    ]


def test_an_error_building_a_row_is_raised_where_its_chunk_is_taken():
    def rows():
        yield (1,)
        raise ValueError("bad row")

    chunks = built_ahead(rows(), [1, 1])
    assert next(chunks) == [(1,)]
    with pytest.raises(ValueError, match="bad row"):
        next(chunks)


def test_closing_early_stops_the_helper():
    rows = iter([(n,) for n in range(100)])
    chunks = built_ahead(rows, [10] * 10)
    assert next(chunks)[0] == (0,)
    chunks.close()
    assert not any(t.name == "importer-rows" for t in threading.enumerate())
    # The helper built at most the chunk taken and two more.
    assert len(list(rows)) >= 70
