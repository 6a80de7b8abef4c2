"""Cursor pagination keyed on a queryset's whole sort order.

A cursor is the sort keys of the last row a page showed: the next page is
the rows strictly after it in the same order (a keyset), so rows added or
removed elsewhere while a client walks the list never shift it, and since
every order ends with the unique id, a walk returns every row exactly once.
The order is read from the queryset itself (`query.order_by`), so whatever
order the paper list uses — relevance tiers included: `rank` is an
annotation like any other key — the cursor follows it.

NULLs: the list's nullable keys all say where NULLs go (`nulls_last`);
a key that does not is taken to have no NULLs.

One order is not followed by keys: relevance on PostgreSQL, which is read
segment by segment without ranking every match (catalog/search/postgres.py),
so no condition on a row's keys can find the rows after it cheaply. Its
cursor carries the position instead (offset_page()): a row added or removed
meanwhile shifts the pages after it by one.

Cursors are signed (django.core.signing), so a client cannot forge one
that makes the database do something else, and they carry what they were
made for (the sort and the filters): used with other parameters, a cursor
is a 400, not a silently wrong page.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core import signing
from django.db.models import F, OrderBy, Q

from api.problems import Problem

SALT = "papershelf.api.cursor"


def _order_keys(queryset) -> list[OrderBy]:
    keys = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            item = F(item[1:]).desc() if item.startswith("-") else F(item).asc()
        elif not isinstance(item, OrderBy):
            item = item.asc()
        keys.append(item)
    return keys


def keyed(queryset):
    """`queryset` with its sort keys annotated as `_k0`, `_k1`, … and ordered by
    them; returns it and the keys' (name, descending, nulls_last)."""
    keys = _order_keys(queryset)
    names = [f"_k{i}" for i in range(len(keys))]
    annotated = queryset.annotate(**{n: k.expression for n, k in zip(names, keys, strict=True)})
    order = [
        OrderBy(F(n), descending=k.descending, nulls_first=k.nulls_first, nulls_last=k.nulls_last)
        for n, k in zip(names, keys, strict=True)
    ]
    spec = [(n, k.descending, bool(k.nulls_last)) for n, k in zip(names, keys, strict=True)]
    return annotated.order_by(*order), spec


def _after(name: str, value, descending: bool, nulls_last: bool) -> Q:
    if value is None:
        # Among NULLs placed last, nothing comes after on this key.
        return Q(pk__in=[]) if nulls_last else Q(**{f"{name}__isnull": False})
    later = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
    return later | Q(**{f"{name}__isnull": True}) if nulls_last else later


def after_position(spec, values) -> Q:
    """Rows strictly after `values` in the order `spec`."""
    condition = Q(pk__in=[])
    equal = Q()
    for (name, descending, nulls_last), value in zip(spec, values, strict=True):
        condition |= equal & _after(name, value, descending, nulls_last)
        equal &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    return condition


def _encode(value):
    if isinstance(value, datetime.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, datetime.date):
        return ["d", value.isoformat()]
    return ["v", value]


def _decode(pair):
    kind, value = pair
    if kind == "t":
        return datetime.datetime.fromisoformat(value)
    if kind == "d":
        return datetime.date.fromisoformat(value)
    if kind == "v" and (value is None or isinstance(value, int | str | float)):
        return value
    raise ValueError(f"bad cursor value {pair!r}")


def binding(params, *, exclude=("cursor", "per_page")) -> str:
    """A digest of the parameters a cursor is only valid with."""
    parts = sorted(
        f"{key}={value}" for key, values in params.lists() if key not in exclude for value in values
    )
    return hashlib.blake2b("&".join(parts).encode(), digest_size=8).hexdigest()


def make_cursor(row, spec, bound_to: str) -> str:
    values = [_encode(getattr(row, name)) for name, _, _ in spec]
    return signing.dumps({"b": bound_to, "k": values}, salt=SALT, compress=True)


def read_cursor(token: str, spec, bound_to: str) -> list:
    try:
        payload = signing.loads(token, salt=SALT)
        values = [_decode(pair) for pair in payload["k"]]
        bound = payload["b"]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise Problem(400, "The cursor is not valid: use a `next` URL as given.") from error
    if bound != bound_to or len(values) != len(spec):
        raise Problem(400, "This cursor belongs to a list with other parameters.")
    return values


def rows_after(read, spec, values, limit: int) -> list:
    """Up to `limit` rows after the position `values` in the order `spec`:
    `read(condition, limit)` returns the first `limit` rows of the list
    (keyed()) that meet `condition` (a Q on the keys).

    The keyset condition is an OR of one term per key, which no index range
    serves: PostgreSQL read and sorted every later row (400 ms from the
    middle of 100,000 papers). So the leading key is also bounded by the
    cursor's value (`<=` descending, `>=` ascending), which the sort order's
    index answers as a range: the walk starts at the position and stops
    after a page (under 1 ms). That bound leaves out the leading key's NULLs;
    sorted last, they come after every value, so they are read only when the
    rows with a value run out."""
    after = after_position(spec, values)
    (name, descending, nulls_last), value = spec[0], values[0]
    if value is None:
        return read(after, limit)
    bound = Q(**{f"{name}__lte" if descending else f"{name}__gte": value})
    rows = read(after & bound, limit)
    if nulls_last and len(rows) < limit:
        rows += read(after & Q(**{f"{name}__isnull": True}), limit - len(rows))
    return rows


def reader(queryset, ids=None, rows=None):
    """rows_after()'s `read` for the list `queryset` (keyed()). With `ids` and
    `rows` (the same results and all rows, keyed() in the same order): the
    page's ids are read from `ids`, and only those rows from `rows`, by id,
    in the same query."""
    if ids is None:
        return lambda condition, limit: list(queryset.filter(condition)[:limit])

    def read(condition, limit):
        chosen = ids.filter(condition).values("pk")[:limit]
        return list(rows.filter(pk__in=chosen))

    return read


def page(
    queryset,
    *,
    cursor: str | None,
    per_page: int,
    bound_to: str,
    ids_from=None,
    rows_from=None,
):
    """(rows, next cursor or None): up to `per_page` rows after `cursor`.

    Ids first, as the list's DeferredJoinPaginator, with `ids_from`: the same
    results (unordered) as their ids are best found (core.pagination's walk
    of the sort index, membership filters in IsTrue()); the page's ids are
    read from it in the same order, then only those rows from `rows_from`
    (every row, unfiltered) by id, in the same query. Otherwise a filter
    that joins (an author's papers) made PostgreSQL read every result's full
    row and venue to sort them and keep a page (2,482 rows for the most
    prolific author), and again on the rows the filter had kept."""
    order = queryset.query.order_by
    queryset, spec = keyed(queryset)
    ids = rows = None
    if ids_from is not None:
        ids, rows = (keyed(source.order_by(*order))[0] for source in (ids_from, rows_from))
    read = reader(queryset, ids, rows)
    if cursor:
        values = read_cursor(cursor, spec, bound_to)
        rows = rows_after(read, spec, values, per_page + 1)
    else:
        rows = read(Q(), per_page + 1)
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (make_cursor(rows[-1], spec, bound_to) if more and rows else None)


def offset_page(rows_for, *, cursor: str | None, per_page: int, bound_to: str):
    """(rows, next cursor or None) for an order read by position: `rows_for(
    bottom, top)` returns rows bottom..top of the list."""
    offset = 0
    if cursor:
        try:
            payload = signing.loads(cursor, salt=SALT)
            offset, bound = payload["o"], payload["b"]
        except (signing.BadSignature, KeyError, TypeError) as error:
            raise Problem(400, "The cursor is not valid: use a `next` URL as given.") from error
        if bound != bound_to or not isinstance(offset, int) or offset < 0:
            raise Problem(400, "This cursor belongs to a list with other parameters.")
    rows = list(rows_for(offset, offset + per_page + 1))
    more = len(rows) > per_page
    following = {"b": bound_to, "o": offset + per_page}
    return rows[:per_page], (signing.dumps(following, salt=SALT) if more else None)
