"""What `--replace` removes, and how a run finds that generated data is already there.

Requests, their timelines and everything on the citizens' side go with TRUNCATE … CASCADE:
the timeline's append-only trigger and the published form versions' immutability trigger are
row triggers, which TRUNCATE does not fire, and it takes a second where deleting millions of
rows would take minutes. The demo's rows go too; the demo is loaded again afterwards.

Generated accounts and teams are recognised by their addresses (…@….dataset.invalid) and
deleted in SQL. What refers to them is found in the database's own catalogue, whoever added
it: a nullable reference is set to NULL (the field history's author, say), another row is
deleted first, recursively (a membership). Deleting them through the ORM took half a
millisecond per account: a minute at city scale, ten at 10x.
"""

from psycopg import sql

from bench.dataset.authority import GENERATED_DOMAIN
from bench.dataset.writer import DatasetError
from citizens.models import Citizen, Organisation, Relationship, Representation
from demo import demo_data
from forms_builder.models import FormVersion, Procedure
from gru.models import Team, User
from service_requests.models import (
    Document,
    Event,
    Interaction,
    Message,
    RoutingRule,
    ServiceRequest,
)

WIPED = [Event, Message, Document, Interaction, ServiceRequest, RoutingRule, Representation,
         Relationship, Organisation, Citizen, FormVersion, Procedure]  # fmt: skip
SUFFIX = f".{GENERATED_DOMAIN}"


def generated_data() -> dict[str, int]:
    """What is there beyond the demo: generated accounts and teams, other requests, citizens."""
    references = [request.reference for request in demo_data.REQUESTS]
    found = {
        "comptes générés": User.objects.filter(email__iendswith=SUFFIX).count(),
        "équipes générées": Team.objects.filter(email__iendswith=SUFFIX).count(),
        "demandes hors démonstration": ServiceRequest.objects.exclude(
            reference__in=references
        ).count(),
        "usagers hors démonstration": max(0, Citizen.objects.count() - len(demo_data.CITIZENS)),
    }
    return {label: count for label, count in found.items() if count}


def foreign_keys(cursor) -> list[tuple[str, str, bool, str, str]]:
    """(table, column, NOT NULL, referenced table, referenced column) of every single-column
    foreign key: read before the load drops some of them."""
    cursor.execute(
        "SELECT child.relname, child_column.attname, child_column.attnotnull,"
        " parent.relname, parent_column.attname"
        " FROM pg_constraint co"
        " JOIN pg_class child ON child.oid = co.conrelid"
        " JOIN pg_class parent ON parent.oid = co.confrelid"
        " JOIN pg_attribute child_column"
        "   ON child_column.attrelid = co.conrelid AND child_column.attnum = co.conkey[1]"
        " JOIN pg_attribute parent_column"
        "   ON parent_column.attrelid = co.confrelid AND parent_column.attnum = co.confkey[1]"
        " WHERE co.contype = 'f' AND cardinality(co.conkey) = 1"
        " AND child.relnamespace = to_regnamespace(current_schema())::oid"
        " ORDER BY child.relname, child_column.attname"
    )
    return cursor.fetchall()


def wipe(cursor, references: list[tuple[str, str, bool, str, str]]) -> None:
    """`references`: what `foreign_keys` read, the keys dropped since included."""
    tables = [model._meta.db_table for model in WIPED]
    tables += [model.history.model._meta.db_table for model in WIPED if hasattr(model, "history")]
    # What CASCADE would add, through the keys the load has dropped as well: pieces asked…
    grown = True
    while grown:
        grown = False
        for child, _, _, parent, _ in references:
            if parent in tables and child not in tables:
                tables.append(child)
                grown = True
    cursor.execute(
        sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
            sql.SQL(", ").join(map(sql.Identifier, tables))
        )
    )
    for model in (User, Team):
        table = model._meta.db_table
        generated = sql.SQL("SELECT id FROM {} WHERE lower(email) LIKE {}").format(
            sql.Identifier(table), sql.Literal(f"%{SUFFIX}")
        )
        _delete(cursor, references, table, "id", generated, depth=0)


def _delete(cursor, references, table: str, column: str, keys: sql.Composable, *,
            depth: int) -> None:  # fmt: skip
    """Delete the rows of `table` whose `column` is among `keys` (a subquery), after setting
    to NULL or deleting what refers to them."""
    if depth > 6:
        raise DatasetError(f"Références en cascade trop profondes vers {table}.")
    for child, child_column, required, parent, parent_column in references:
        if parent != table:
            continue
        doomed = sql.SQL("SELECT {} FROM {} WHERE {} IN ({})").format(
            sql.Identifier(parent_column), sql.Identifier(table), sql.Identifier(column), keys
        )
        if required:
            _delete(cursor, references, child, child_column, doomed, depth=depth + 1)
        else:
            cursor.execute(
                sql.SQL("UPDATE {table} SET {column} = NULL WHERE {column} IN ({doomed})").format(
                    table=sql.Identifier(child), column=sql.Identifier(child_column), doomed=doomed
                )
            )
    cursor.execute(
        sql.SQL("DELETE FROM {} WHERE {} IN ({})").format(
            sql.Identifier(table), sql.Identifier(column), keys
        )
    )
