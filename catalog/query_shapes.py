"""Statements compiled once per shape of their query.

Two reads compile the same SQL over and over with only their values
changing: a list page's rows (catalog.paper_rows) and a search's pools
(catalog.search.estimate). Each keys the statement by the shape it was
compiled for (its WHERE's text, order, columns) and runs it again with the
next query's own parameters; compiling through the ORM was a tenth of a
page's Python. Only queries made of filters and an order qualify.
"""

from __future__ import annotations

from django.db.models.expressions import RawSQL


class ShapeStatements:
    """SQL (with whatever the caller keeps beside it) by query shape. At
    most `kept` shapes: a long tail of distinct filters has no bound, and
    starting afresh when full is cheaper than tracking which shape is
    oldest."""

    def __init__(self, kept: int = 500):
        self.kept = kept
        self._statements: dict[tuple, object] = {}

    def get(self, shape: tuple):
        return self._statements.get(shape)

    def keep(self, shape: tuple, statement) -> None:
        if len(self._statements) >= self.kept:
            self._statements.clear()
        self._statements[shape] = statement

    def clear(self) -> None:
        self._statements.clear()

    def __len__(self) -> int:
        return len(self._statements)


def over_own_table_only(query) -> bool:
    """Whether `query` reads its model's table alone: no join in use (joins
    the filters trimmed stay in alias_map, unreferenced)."""
    table = query.model._meta.db_table
    return all(alias == table or not query.alias_refcount.get(alias) for alias in query.alias_map)


def filters_and_order_only(query, *, annotated: bool = False) -> bool:
    """Whether `query` has nothing but filters, an order and a slice: no
    annotations, extra SQL, combination, DISTINCT, grouping or locking
    (each adds SQL or parameters a shape's key would not tell apart).
    `annotated`: its annotations not tested (a caller that keys by them has
    read them already: raw_sql_annotations())."""
    return not (
        (query.annotations and not annotated)
        or query.extra
        or query.extra_tables
        or query.combinator
        or query.distinct
        or query.group_by is not None
        or query.select_for_update
    )


def raw_sql_annotations(query) -> tuple[tuple[tuple, list], ...] | None:
    """((name, SQL text, output field class), its parameters) of each of
    `query`'s annotations, in the order it selects them, when each is raw
    SQL (a search's rank, written as SQL around its words); else None.
    Their text is the shape, their parameters are the values."""
    annotations = []
    for name, annotation in query.annotations.items():
        if type(annotation) is not RawSQL:
            return None
        field = type(annotation.output_field)
        annotations.append(((name, annotation.sql, field), list(annotation.params)))
    return tuple(annotations)
