"""Reads written in SQL, for the few pages a citizen reloads most (« Mon espace », a request's
page), where the ORM's cost was the page's cost.

Building and compiling a queryset with its joins and subqueries costs 0.5 to 2 ms of CPU a
query, the model instances built from every column (the filed answers' JSON, a procedure's
description and search vector) as much again; PostgreSQL answers the same query in 0.1 to
0.2 ms. These reads ask for the columns the page prints, as rows of plain values
(bench/README.md gives the figures). Writes stay in the services, through the ORM.

Their SQL is constant, so each is a prepared statement: PostgreSQL plans it once per
connection instead of at every request (planning was 0.2 to 0.5 ms of each read, more than its
execution). They go through Django's cursor wrapper, so its query log, its execute wrappers
and its error translation see them as any query. A read names its columns (`columns()`), never
`*`: a prepared `SELECT *` fails once its table gains a column. Behind a connection pooler in
transaction mode (PgBouncer before 1.21), prepared statements need its
`max_prepared_statements`, or GRU_PREPARED_STATEMENTS=false. A rollback (a failed
transaction or savepoint) makes psycopg drop the connection's prepared statements: they are
prepared again at their next run.
"""

from __future__ import annotations

import psycopg
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Model

# What psycopg's automatic preparation would wait for: never reached, as Django's cursors do not
# prepare and PreparedCursor prepares at once. (None, Django's setting, turns preparation off.)
PREPARE_THRESHOLD = 1_000_000


class PreparedCursor(psycopg.Cursor):
    """psycopg's cursor binding parameters on the server, each statement prepared the first
    time it runs on the connection (psycopg keeps the last 100 by connection). Django's own
    cursors bind on the client and prepare nothing."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)

    def _send_query_prepared(self, name, pgq, *, binary=None):
        # Kept as an unprepared query keeps it: Django's query log reads it back
        # (DatabaseOperations.last_executed_query), with its $1 placeholders.
        self._query = pgq
        super()._send_query_prepared(name, pgq, binary=binary)


def _psycopg_connection() -> psycopg.Connection:
    """Django's open connection, its prepared statements on (GRU_PREPARED_STATEMENTS); checked
    and reopened first as Django does for its own cursors (CONN_HEALTH_CHECKS: a PostgreSQL
    restart is not an error)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if settings.GRU_PREPARED_STATEMENTS and raw.prepare_threshold is None:  # Django's: off
        raw.prepare_threshold = PREPARE_THRESHOLD
    return raw


def prepared_cursor():
    """A PreparedCursor on Django's connection, wrapped as Django wraps its cursors (Django's
    own cursor when GRU_PREPARED_STATEMENTS is off)."""
    raw = _psycopg_connection()
    if not settings.GRU_PREPARED_STATEMENTS:
        return connection.cursor()
    cursor = PreparedCursor(raw)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _rows(cursor) -> list[dict]:
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def fetch(sql: str, params: dict | list | tuple = ()) -> list[dict]:
    """The rows of a SELECT, each a dict of its columns by name."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return _rows(cursor)


def fetch_together(*reads: tuple[str, dict]) -> list[list[dict]]:
    """The rows of several SELECTs (sql, params) sent in one round trip: psycopg's pipeline
    mode sends them all, PostgreSQL answers them in order. One query each for Django."""
    cursors = []
    with connection.wrap_database_errors:
        try:
            with _psycopg_connection().pipeline():
                for sql, params in reads:
                    cursor = prepared_cursor()
                    cursors.append(cursor)
                    cursor.execute(sql, params)
            return [_rows(cursor) for cursor in cursors]
        finally:
            for cursor in cursors:
                cursor.close()


# Past any list's end, small enough for PostgreSQL's OFFSET (a bigint) once multiplied.
LAST_PAGE_ASKED = 10**9


def page_number(number) -> int:
    """The page asked for in the address, as Paginator.get_page reads it (1 when it is not a
    positive number; a number past any list's end reads as the last page)."""
    try:
        return min(max(int(number or 1), 1), LAST_PAGE_ASKED)
    except (TypeError, ValueError):
        return 1


def page_params(params: dict, per_page: int, number: int) -> dict:
    """`params` with the LIMIT and OFFSET of page `number`."""
    return {**params, "limit": per_page, "offset": (number - 1) * per_page}


def paged(rows: list[dict], count: int, per_page: int, number: int) -> Page:
    """A Django Page of rows already read (its `paginator.count` given, not counted again)."""
    paginator = Paginator(range(count), per_page)
    paginator.count = count  # a cached property: no len() of the range
    return paginator._get_page(rows, number, paginator)


def read_page(sql: str, params: dict, per_page: int, number, rows: list | None = None) -> Page:
    """A page of a list in one query. `sql` orders the rows and ends with
    `LIMIT %(limit)s OFFSET %(offset)s`; it selects `count(*) OVER () AS list_length`, the
    list's length before the LIMIT. `rows`: the page's rows when already read (with
    `page_params`). Past the end, the last page, as Paginator.get_page does."""
    wanted = page_number(number)
    if rows is None:
        rows = fetch(sql, page_params(params, per_page, wanted))
    if rows or wanted == 1:
        return paged(rows, rows[0]["list_length"] if rows else 0, per_page, wanted)
    # Past the end: count, then read the last page (two more queries, for a forged address).
    everything = fetch(sql, page_params(params, 1, 1))
    count = everything[0]["list_length"] if everything else 0
    last = max((count + per_page - 1) // per_page, 1)
    return paged(fetch(sql, page_params(params, per_page, last)), count, per_page, last)


def columns(model: type[Model], alias: str, prefix: str = "") -> str:
    """The SELECT list of `model`'s columns from the table aliased `alias`, each named after
    its field (`prefix` + attname), as `instance` reads them."""
    return ", ".join(
        f'{alias}."{field.column}" AS "{prefix}{field.attname}"'
        for field in model._meta.concrete_fields
        if not field.generated
    )


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
