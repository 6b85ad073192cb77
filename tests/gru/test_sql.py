"""gru.sql: the reads the citizen pages make in SQL. Rows by column name, each statement
prepared once per connection, several reads in one round trip, logged as Django logs its
queries, database errors raised as Django's, pages of a list as Paginator gives them."""

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from gru import sql
from service_requests.models import Event
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

NUMBERS = "SELECT n, n * 2 AS double FROM generate_series(1, %(last)s) AS n ORDER BY n"
PAGE = """
SELECT n, count(*) OVER () AS list_length FROM generate_series(1, %(last)s) AS n
 ORDER BY n LIMIT %(limit)s OFFSET %(offset)s
"""


def prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_a_read_gives_rows_by_column_and_is_prepared_once():
    assert sql.fetch(NUMBERS, {"last": 2}) == [{"n": 1, "double": 2}, {"n": 2, "double": 4}]
    assert sql.fetch(NUMBERS, {"last": 3})[-1] == {"n": 3, "double": 6}
    prepared = [s for s in prepared_statements() if "generate_series" in s]
    assert prepared == [NUMBERS.replace("%(last)s", "$1")]


def test_reads_together_come_back_in_order_and_are_logged_each():
    with CaptureQueriesContext(connection) as queries:
        first, second = sql.fetch_together((NUMBERS, {"last": 1}), (NUMBERS, {"last": 2}))
    assert first == [{"n": 1, "double": 2}] and len(second) == 2
    assert [query["sql"] for query in queries] == [NUMBERS.replace("%(last)s", "$1")] * 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_read_raises_djangos_error_and_the_connection_goes_on():
    with pytest.raises(DatabaseError):
        sql.fetch_together((NUMBERS, {"last": 1}), ("SELECT 1 / 0", {}))
    with pytest.raises(DatabaseError):
        sql.fetch("SELECT missing FROM nowhere")
    assert sql.fetch(NUMBERS, {"last": 1}) == [{"n": 1, "double": 2}]


@pytest.mark.parametrize(
    ("asked", "number", "rows"),
    [
        (None, 1, [1, 2]),
        ("2", 2, [3, 4]),
        ("3", 3, [5]),
        ("99", 3, [5]),
        ("9" * 30, 3, [5]),  # an OFFSET past PostgreSQL's bigint: the last page, no error
        ("abc", 1, [1, 2]),
        ("-4", 1, [1, 2]),
    ],
)
def test_a_page_of_a_list_is_what_paginator_gives(asked, number, rows):
    page = sql.read_page(PAGE, {"last": 5}, 2, asked)
    assert (page.number, [row["n"] for row in page]) == (number, rows)
    assert page.paginator.count == 5 and page.paginator.num_pages == 3


def test_an_empty_list_is_one_empty_page():
    page = sql.read_page(PAGE, {"last": 0}, 2, "4")
    assert (page.number, list(page), page.paginator.count) == (1, [], 0)


def test_an_instance_is_built_as_the_orm_builds_it():
    request = ServiceRequestFactory()
    event = Event.objects.create(request=request, kind="message", payload={"direction": "x"})
    query = f"SELECT {sql.columns(Event, 'e')} FROM service_requests_event e WHERE e.id = %(id)s"  # noqa: S608
    (row,) = sql.fetch(query, {"id": event.pk})
    read = sql.instance(Event, row)
    expected = Event.objects.get(pk=event.pk)
    for field in Event._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert read.payload == {"direction": "x"}  # JSON decoded
    partial = sql.instance(Event, {"id": event.pk, "kind": "message"})
    with CaptureQueriesContext(connection) as queries:
        assert partial.payload == {"direction": "x"}  # a field not read: read on access
    assert len(queries) == 1


def test_without_prepared_statements_the_reads_are_the_same(settings):
    settings.GRU_PREPARED_STATEMENTS = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what earlier tests prepared on this connection
    assert sql.fetch(NUMBERS, {"last": 1}) == [{"n": 1, "double": 2}]
    first, second = sql.fetch_together((NUMBERS, {"last": 1}), (NUMBERS, {"last": 2}))
    assert first == [{"n": 1, "double": 2}] and len(second) == 2
    assert not [s for s in prepared_statements() if "generate_series" in s]
