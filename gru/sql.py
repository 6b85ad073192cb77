"""Reads written in SQL, for the few pages a citizen reloads most (« Mon espace », a request's
page), where the ORM's cost was the page's cost.

Building and compiling a queryset with its joins and subqueries costs 0.5 to 2 ms of CPU a
query, the model instances built from every column (the filed answers' JSON, a procedure's
description and search vector) as much again; PostgreSQL answers the same query in 0.1 to
0.2 ms. These reads ask for the columns the page prints, as rows of plain values
(bench/README.md gives the figures). Writes stay in the services, through the ORM.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Model


def fetch(sql: str, params: dict | list | tuple = ()) -> list[dict]:
    """The rows of a SELECT, each a dict of its columns by name."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def page_number(number) -> int:
    """The page asked for in the address, as Paginator.get_page reads it (1 when it is not a
    positive number)."""
    try:
        return max(int(number or 1), 1)
    except (TypeError, ValueError):
        return 1


def paged(rows: list[dict], count: int, per_page: int, number: int) -> Page:
    """A Django Page of rows already read (its `paginator.count` given, not counted again)."""
    paginator = Paginator(range(count), per_page)
    paginator.count = count  # a cached property: no len() of the range
    return paginator._get_page(rows, number, paginator)


def read_page(sql: str, params: dict, per_page: int, number) -> Page:
    """A page of a list in one query. `sql` orders the rows and ends with
    `LIMIT %(limit)s OFFSET %(offset)s`; it selects `count(*) OVER () AS list_length`, the
    list's length before the LIMIT. Past the end, the last page, as Paginator.get_page does."""
    wanted = page_number(number)
    rows = fetch(sql, {**params, "limit": per_page, "offset": (wanted - 1) * per_page})
    if rows or wanted == 1:
        return paged(rows, rows[0]["list_length"] if rows else 0, per_page, wanted)
    # Past the end: count, then read the last page (two more queries, for a forged address).
    everything = fetch(sql, {**params, "limit": 1, "offset": 0})
    count = everything[0]["list_length"] if everything else 0
    last = max((count + per_page - 1) // per_page, 1)
    rows = fetch(sql, {**params, "limit": per_page, "offset": (last - 1) * per_page})
    return paged(rows, count, per_page, last)


def instance(model: type[Model], row: dict, prefix: str = "") -> Model:
    """The instance of `model` the ORM would build from the columns of `row` named after its
    fields (`prefix` + attname, e.g. "procedure__title"); the fields not read are deferred
    (read on access, one query each, as `.only()` leaves them). JSON columns decoded."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        key = prefix + field.attname
        if key not in row:
            continue
        value = row[key]
        if value is not None and hasattr(field, "from_db_value"):
            value = field.from_db_value(value, None, connection)
        names.append(field.attname)
        values.append(value)
    return model.from_db(connection.alias, names, values)


def instances(model: type[Model], sql: str, params: dict | list | tuple = ()) -> list[Model]:
    """The rows of a SELECT of `model`'s table (`SELECT t.* …`) as its instances."""
    return [instance(model, row) for row in fetch(sql, params)]
