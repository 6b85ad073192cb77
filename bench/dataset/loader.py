"""Runs a generation: refuses when generated data is there (or wipes it with `replace`), loads
the demo, then writes every phase with COPY in one transaction, and reports what it did.

One transaction: a load that fails leaves the database as it was, `--replace` included.
Indexes, check and unique constraints, triggers all stay in place while rows go in. Foreign
keys of the tables written to are dropped at the start of the transaction and added back, with
the same names and definitions, at its end, as pg_restore does: adding one checks every row in
one join, where keeping it fires a per-row trigger (two thirds of the COPY time of requests and
events, measured). The load therefore still proves every constraint holds. The tables stay
locked until the commit. `synchronous_commit` is off for the transaction only.
"""

import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from bench.dataset import authority as authority_module
from bench.dataset import procedures
from bench.dataset import wipe as wipe_module
from bench.dataset.context import Clock, Counts, Ids, LongTail
from bench.dataset.people import People
from bench.dataset.progress import Progress, duration, number
from bench.dataset.stories import Stories
from bench.dataset.wipe import generated_data
from bench.dataset.writer import DatasetError, TableStats, Writer
from citizens.models import Citizen, Organisation, Relationship, Representation
from demo.loader import load_demo
from forms_builder.models import FormVersion, Procedure
from gru.models import Membership, Team, User
from service_requests.models import (
    DocumentRequest,
    Event,
    Interaction,
    Message,
    NotificationSent,
    ServiceRequest,
)

PASSWORD = "dataset-gru-2026"  # noqa: S105 - every generated account's, published on purpose
CITIZEN_BATCH, REQUEST_BATCH, CONTACT_BATCH = 20_000, 5_000, 50_000


@dataclass
class Report:
    seed: int
    counts: Counts
    phases: list[tuple[str, float]] = field(default_factory=list)
    tables: list[TableStats] = field(default_factory=list)
    total: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    open_past_due: int = 0
    open_due_ahead: int = 0
    busiest_citizen: int = 0
    database_size: str = ""

    def lines(self) -> list[str]:
        lines = [f"Jeu de données généré (graine {self.seed}) en {duration(self.total)}.", ""]
        lines.append(f"{'table':<34}{'lignes':>12}{'COPY (s)':>10}{'lignes/s':>11}")
        for stats in self.tables:
            rate = stats.rows / stats.seconds if stats.seconds else 0
            lines.append(
                f"{stats.label:<34}{number(stats.rows):>12}{stats.seconds:>10.1f}{number(rate):>11}"
            )
        lines.append("")
        lines.append(
            "Étapes : " + " · ".join(f"{name} {seconds:.1f} s" for name, seconds in self.phases)
        )
        lines.append("Statuts : " + ", ".join(f"{k} {number(v)}" for k, v in self.statuses.items()))
        lines.append("Canaux : " + ", ".join(f"{k} {number(v)}" for k, v in self.channels.items()))
        lines.append(
            f"Demandes ouvertes à échéance dépassée : {number(self.open_past_due)} ; "
            f"à échéance dans les 30 jours : {number(self.open_due_ahead)} ; "
            f"usager le plus actif : {number(self.busiest_citizen)} demandes."
        )
        if self.database_size:
            lines.append(f"Taille de la base : {self.database_size}.")
        lines.append(
            f"Comptes générés (usagers, agents) : mot de passe commun « {PASSWORD} ». "
            "Historique (simple-history) vide pour les lignes générées ; aucun "
            "document (fichier)."
        )
        return lines


def prefetched(batches: Iterable, depth: int = 2) -> Iterator:
    """The batches, generated in a thread while the previous ones are written: Python draws
    rows on one core while PostgreSQL inserts them on the other."""
    pipe: queue.Queue = queue.Queue(maxsize=depth)
    stop, done = threading.Event(), object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                pipe.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    return
            put(done)
        except BaseException as error:  # handed to the consumer, which raises it
            put(error)

    thread = threading.Thread(target=produce, name="dataset-generator", daemon=True)
    thread.start()
    try:
        while True:
            item = pipe.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def generate(
    *, counts: Counts, seed: int, replace: bool, write: Callable[[str], None], prefetch: bool = True
) -> Report:
    if counts.citizens < 1 or counts.requests < 0:
        raise DatasetError("Il faut au moins un usager.")
    run = _Run(Report(seed, counts), Progress(write), prefetch)
    in_transaction = connection.in_atomic_block
    models = [Team, User, Membership, Procedure, FormVersion, Citizen, Organisation,
              Representation, Relationship, ServiceRequest, Event, Message, Interaction,
              DocumentRequest, NotificationSent]  # fmt: skip
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        if not replace and (found := generated_data()):
            raise DatasetError(
                "La base contient déjà des données au-delà de la démonstration ("
                + ", ".join(f"{label} : {number(n)}" for label, n in found.items())
                + "). Relancez avec --replace pour tout effacer et régénérer."
            )
        with run.phase("préparation"):
            references = wipe_module.foreign_keys(cursor)
            foreign_keys = _prepare(cursor, models)
        if replace:
            with run.phase("effacement"):
                wipe_module.wipe(cursor, references)
        with run.phase("démonstration"):
            load_demo()
        run.load(cursor, models, seed, counts)
        with run.phase("clés étrangères"):
            for table, name, definition in foreign_keys:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                    + sql.SQL(definition)
                )
        with run.phase("séquences" + (", ANALYZE" if in_transaction else "")):
            _sequences(cursor, models, analyze=in_transaction)
        _facts(cursor, run.report, run.clock)
        committing = time.monotonic()
    run.report.phases.append(("validation (COMMIT)", time.monotonic() - committing))
    if not in_transaction:  # VACUUM cannot run in a transaction (a test's, for one)
        write(f"[{duration(time.monotonic() - run.started)}] VACUUM ANALYZE…")
        with run.phase("VACUUM ANALYZE"), connection.cursor() as cursor:
            for model in models:
                cursor.execute(
                    sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(model._meta.db_table))
                )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        run.report.database_size = cursor.fetchone()[0]
    run.report.total = time.monotonic() - run.started
    return run.report


class _Run:
    def __init__(self, report: Report, progress: Progress, prefetch: bool):
        self.report, self.progress, self.prefetch = report, progress, prefetch
        self.started = time.monotonic()

    @contextmanager
    def phase(self, name: str):
        began = time.monotonic()
        yield
        self.report.phases.append((name, time.monotonic() - began))

    def write_all(self, writer: Writer, batches: Iterable) -> None:
        for batch in prefetched(batches) if self.prefetch else batches:
            for table, rows in batch:
                self.progress.add(_LABELS.get(table.model, table.label), writer.copy(table, rows))
        self.progress.finish()

    def load(self, cursor, models: list, seed: int, counts: Counts) -> None:
        """Every generation phase, on the transaction's connection."""
        # Reproducible draws, not secrets: tracking tokens of a benchmark dataset.
        rng, clock = random.Random(seed), Clock(timezone.now())  # noqa: S311
        ids, writer, password = Ids(cursor, models), Writer(cursor), _password(seed)
        progress, self.clock = self.progress, clock
        with self.phase("organisation"):
            progress.start("Équipes, agents, démarches", {})
            authority = authority_module.build(rng, clock, ids, counts, writer, password)
            known = procedures.existing(clock)
            known += procedures.generate(rng, clock, ids, authority.teams,
                                         counts.procedures - len(known), writer)  # fmt: skip
        with self.phase("usagers"):
            tail = LongTail(
                counts.citizens, rng, uniform=0.7, shift=max(1.0, counts.citizens / 3000)
            )
            people = People(rng, clock, ids, counts.citizens, tail, password)
            progress.start(
                "Usagers et comptes",
                {"usagers": counts.citizens, "utilisateurs": counts.citizens * 0.41},
                estimated=("utilisateurs",),
            )
            self.write_all(writer, people.batches(CITIZEN_BATCH))
            for table, rows in people.links():
                writer.copy(table, rows)
        with self.phase("demandes"):
            taken = set(ServiceRequest.objects.values_list("reference", flat=True))
            stories = Stories(rng, clock, ids, counts, authority, known, people, tail, taken)
            totals = {
                "demandes": counts.requests,
                "événements": counts.requests * counts.events_per_request,
                "messages": counts.requests * counts.messages_per_request,
                "contacts": counts.interactions,
            }
            progress.start(
                "Demandes, événements, messages, contacts",
                totals,
                estimated=("événements", "messages"),
            )
            self.write_all(writer, stories.batches(REQUEST_BATCH))
            self.write_all(writer, stories.lone_contacts(CONTACT_BATCH))
        self.report.tables = list(writer.stats.values())


_LABELS = {
    Citizen: "usagers",
    User: "utilisateurs",
    ServiceRequest: "demandes",
    Event: "événements",
    Message: "messages",
    Interaction: "contacts",
}


def _prepare(cursor, models: list) -> list[tuple[str, str, str]]:
    """Lock the tables written to and drop their foreign keys; return (table, name, definition)
    of each key to add it back."""
    tables = [model._meta.db_table for model in models]
    cursor.execute("SET LOCAL synchronous_commit = off")
    # Foreign key checks still owed in the transaction run now, and later ones as they come:
    # a table with checks pending can be neither altered nor truncated.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # Ids are given from the largest so far: nobody else may take one meanwhile.
    cursor.execute(
        sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(
            sql.SQL(", ").join(map(sql.Identifier, tables))
        )
    )
    cursor.execute(
        "SELECT cl.relname, co.conname, pg_get_constraintdef(co.oid)"
        " FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid"
        " WHERE co.contype = 'f' AND cl.relname = ANY(%s) AND cl.relkind = 'r'"
        " AND cl.relnamespace = to_regnamespace(current_schema())::oid"
        " ORDER BY cl.relname, co.conname",
        [tables],
    )
    foreign_keys = cursor.fetchall()
    for table, name, _ in foreign_keys:
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    return foreign_keys


def _sequences(cursor, models: list, *, analyze: bool) -> None:
    """Sequences past the ids given; statistics when VACUUM cannot run (in a transaction)."""
    for model in models:
        table = model._meta.db_table
        cursor.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({name}, 'id'),"
                " (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ).format(name=sql.Literal(table), table=sql.Identifier(table))
        )
    if analyze:
        tables = [sql.Identifier(model._meta.db_table) for model in models]
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(tables)))


def _password(seed: int) -> str:
    """One hash for every generated account, computed once; its salt comes from the seed so
    that two runs with the same seed write the same rows."""
    try:
        return make_password(PASSWORD, salt=f"dataset{seed}x{seed * 7919 % 10**6}")
    except (TypeError, ValueError):  # a hasher that makes its own salts (bcrypt)
        return make_password(PASSWORD)


def _facts(cursor, report: Report, clock: Clock) -> None:
    """What the report says of the requests: by status, by channel, due dates, the busiest."""
    table = sql.Identifier(ServiceRequest._meta.db_table)

    def rows(query: str, *params):
        cursor.execute(sql.SQL(query).format(table=table), params)
        return cursor.fetchall()

    report.statuses = dict(rows("SELECT status, COUNT(*) FROM {table} GROUP BY 1 ORDER BY 2 DESC"))
    report.channels = dict(rows("SELECT channel, COUNT(*) FROM {table} GROUP BY 1 ORDER BY 2 DESC"))
    report.open_past_due, report.open_due_ahead = rows(
        "SELECT COUNT(*) FILTER (WHERE decision_due_on <= %s),"
        " COUNT(*) FILTER (WHERE decision_due_on > %s AND decision_due_on <= %s + 30)"
        " FROM {table} WHERE status IN ('submitted', 'in_review', 'awaiting_citizen')",
        clock.today,
        clock.today,
        clock.today,
    )[0]
    busiest = rows(
        "SELECT COUNT(*) FROM {table} WHERE citizen_id IS NOT NULL"
        " GROUP BY citizen_id ORDER BY 1 DESC LIMIT 1"
    )
    report.busiest_citizen = busiest[0][0] if busiest else 0
