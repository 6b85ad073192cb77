"""`COPY … FROM STDIN` through psycopg 3, with the column list taken from the models.

The generator says which fields it fills (`Table.of(Event, ("id", "request_id", …))`); the
model's `_meta.concrete_fields` says what the table has. A column someone adds later is
handled without touching the generator when it can be: nullable or with a database default →
left out of the COPY (the database fills it); with a Python default or blank text → that value
on every row, as the ORM would write it. A new NOT NULL column without any default, or a field
the generator fills that the model no longer has, stops the load with a message naming it.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from psycopg import sql

from bench.dataset.context import to_json


class DatasetError(Exception):
    """The dataset cannot be generated as asked; the message says why, in French."""


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    columns: tuple[str, ...]
    extra: tuple = ()  # values appended to every row, for columns the generator does not know

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @classmethod
    def of(cls, model: type[models.Model], fields: Iterable[str]) -> "Table":
        """`fields`: the attribute names (`citizen_id` for a foreign key) in row order."""
        concrete = {f.attname: f for f in model._meta.concrete_fields}
        fields = tuple(fields)
        gone = [name for name in fields if name not in concrete]
        if gone:
            raise DatasetError(
                f"Le générateur remplit {', '.join(gone)} de {model._meta.label}, que le modèle "
                "n'a plus : mettez à jour bench/dataset."
            )
        columns = [concrete[name].column for name in fields]
        extra = []
        for name, model_field in concrete.items():
            if name in fields:
                continue
            value = _default_for(model_field)
            if value is not _LEAVE_OUT:
                columns.append(model_field.column)
                extra.append(value)
        return cls(model, tuple(columns), tuple(extra))


_LEAVE_OUT = object()


def _default_for(model_field: models.Field):
    """What a column the generator does not fill gets on every row, or _LEAVE_OUT to let the
    database decide (NULL or its own default, or a generated column's expression)."""
    if model_field.generated:
        return _LEAVE_OUT
    if model_field.null or model_field.db_default is not NOT_PROVIDED:
        return _LEAVE_OUT
    if model_field.has_default():
        value = model_field.get_default()
        if isinstance(model_field, models.JSONField):
            return to_json(value)
        return model_field.get_db_prep_save(value, connection)
    if model_field.blank and model_field.empty_strings_allowed:
        return ""
    model = model_field.model._meta.label
    raise DatasetError(
        f"{model}.{model_field.name} est obligatoire (NOT NULL) et n'a pas de valeur par défaut : "
        "le générateur ne sait pas le remplir. Ajoutez-le dans bench/dataset, ou donnez-lui "
        "une valeur par défaut (default ou db_default)."
    )


@dataclass
class TableStats:
    label: str
    rows: int = 0
    seconds: float = 0.0  # time spent in COPY (sending rows, the server inserting, checking)


@dataclass
class Writer:
    """Writes batches of rows with COPY on the current transaction's connection."""

    cursor: object  # a psycopg cursor (Django's `connection.cursor().cursor`)
    stats: dict[str, TableStats] = field(default_factory=dict)

    def copy(self, table: Table, rows: list[tuple]) -> int:
        if not rows:
            return 0
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, table.columns))
        )
        started = time.perf_counter()
        with self.cursor.copy(statement) as copy:
            write, extra = copy.write_row, table.extra
            if extra:
                for row in rows:
                    write(row + extra)
            else:
                for row in rows:
                    write(row)
        stats = self.stats.setdefault(table.name, TableStats(table.label))
        stats.rows += len(rows)
        stats.seconds += time.perf_counter() - started
        return len(rows)
