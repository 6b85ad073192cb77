"""The implicit-decision sweep at scale, against the database DATABASE_URL names.

    DATABASE_URL=postgres://… python -m bench.sweep [--count 10000] [--batch-size 200]

Makes `--count` requests whose implicit decision holds today (or held in the last three days),
under an acceptance and a rejection procedure of their own, a tenth of them with a documents
request that moved their date; ANALYZEs the table, as autovacuum would have; prints the
EXPLAIN (ANALYZE, BUFFERS) of the sweep's selection query (its first batch, in a transaction
rolled back); then times one full sweep in this process, and a second one with nothing left.

What is timed is the decision part: select and lock each batch, read its documents requests,
re-check each request with the pure function, write its status, field history and timeline
event, commit. The attestations, notices and emails are not generated (`notify=False`): in
production they are Celery tasks enqueued on commit, run by the workers after the sweep.

The requests stay in the database (the timeline is append-only): run it on a bench database.
They are told apart by their démarches, `bench-sweep-acceptance` and `bench-sweep-rejection`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "gru.settings",
    "DEBUG": "false",  # DEBUG would keep every query in memory and slow the sweep
    "SECRET_KEY": "bench-only-secret-key-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
}
CHUNK = 2000


def make_due_requests(count: int, today: date) -> int:
    """`count` open requests due today or in the last three days; return how many."""
    from django.db import transaction
    from django.utils import timezone

    from forms_builder.models import FormVersion, Procedure
    from gru.models import Team, User
    from service_requests import lifecycle
    from service_requests.deadlines import implicit_decision_date
    from service_requests.models import DocumentRequest, Event, ServiceRequest, Status

    team, _ = Team.objects.get_or_create(
        slug="bench-sweep",
        defaults={
            "name": "Banc d'essai des décisions implicites",
            "email": "bench-sweep@ville-demo.invalid",
            "phone": "01 00 00 00 00",
            "postal_address": "1 place de la Mairie, 00000 Démo",
        },
    )
    agent, _ = User.objects.get_or_create(email="bench-sweep@ville-demo.invalid")
    versions = {}
    for rule in ("acceptance", "rejection"):
        procedure, _ = Procedure.objects.get_or_create(
            slug=f"bench-sweep-{rule}",
            defaults={
                "title": f"Banc d'essai ({rule})",
                "summary": "Démarche du banc d'essai du balayage.",
                "category": "Banc d'essai",
                "kind": Procedure.Kind.DECISION,
                "silence_rule": rule,
                "silence_delay": "P30D",
                "default_team": team,
            },
        )
        versions[rule], _ = FormVersion.objects.get_or_create(
            procedure=procedure,
            number=1,
            defaults={
                "silence_rule": rule,
                "silence_delay": "P30D",
                "published_at": timezone.now(),
            },
        )
    prefix = secrets.token_hex(3).upper()  # references of this run: B + 6 + 7 characters
    now = timezone.now()
    made = 0
    while made < count:
        size = min(CHUNK, count - made)
        requests, pieces, events = [], [], []
        for i in range(made, made + size):
            rule = ("acceptance", "rejection")[i % 2]
            with_pieces = i % 10 == 9  # rejection: suspended 4 days by pieces asked
            # 30 days end on the 31st day after receipt: the decision holds the day after.
            received_on = today - timedelta(days=31 + i % 4 + (4 if with_pieces else 0))
            asked = (
                [(received_on + timedelta(days=5), received_on + timedelta(days=8))]
                if with_pieces
                else []
            )
            due_on = implicit_decision_date(
                received_on=received_on,
                rule=rule,
                delay="P30D",
                document_requests=[(a, r, a + timedelta(days=15)) for a, r in asked],
            )
            assert due_on <= today, (received_on, due_on)
            request = ServiceRequest(
                reference=f"B{prefix}{i:07d}",
                tracking_token=secrets.token_urlsafe(24),
                procedure=versions[rule].procedure,
                form_version=versions[rule],
                contact_email=f"usager{i}@exemple.invalid",
                team=team,
                status=Status.DRAFT,
                received_on=received_on,
                decision_due_on=due_on,
                submitted_at=now,
            )
            # Filed and, for a third, under review, through the lifecycle's transitions, with
            # the events they write (saved with the rows below).
            filing = {"channel": "web", "form_version": 1, "decision_due_on": due_on.isoformat(),
                      "filed_on_behalf": False}  # fmt: skip
            events.append(
                lifecycle.change_status(request, "submit", actor=None, payload=filing, save=False)
            )
            if i % 3 == 0:
                events.append(
                    lifecycle.change_status(
                        request, "start_review", actor=agent, payload={}, save=False
                    )
                )
            requests.append(request)
            pieces.extend((request, a, r) for a, r in asked)
        with transaction.atomic():
            ServiceRequest.objects.bulk_create(requests)
            Event.objects.bulk_create(events)
            DocumentRequest.objects.bulk_create(
                DocumentRequest(
                    request=request,
                    asked_on=asked_on,
                    answered_on=answered_on,
                    answer_deadline=asked_on + timedelta(days=15),
                    pieces=["Pièce du banc d'essai"],
                    asked_by=agent,
                )
                for request, asked_on, answered_on in pieces
            )
        made += size
    return made


def explain_selection(today: date, batch_size: int) -> tuple[str, str]:
    """The first batch's selection, as the sweep sends it, and its EXPLAIN (ANALYZE, BUFFERS)."""
    from django.db import connection, transaction

    from service_requests.services.sweeps import implicit_decisions_batch

    with transaction.atomic(), connection.cursor() as cursor:
        query = implicit_decisions_batch(today, size=batch_size)
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)  # and the rows it locked are free again
    return connection.ops.compose_sql(sql, params), plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="due requests to make")
    parser.add_argument("--batch-size", type=int, help="default: GRU_SWEEP_BATCH_SIZE")
    options = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        parser.error("DATABASE_URL must name the bench database")
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from service_requests.services.sweeps import implicit_decisions_apply_due

    today = timezone.localdate()
    batch_size = options.batch_size or settings.GRU_SWEEP_BATCH_SIZE
    started = time.perf_counter()
    made = make_due_requests(options.count, today)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE service_requests_servicerequest, service_requests_documentrequest")
        cursor.execute("SELECT count(*) FROM service_requests_servicerequest")
        (total,) = cursor.fetchone()
    print(
        f"{made} due requests made in {time.perf_counter() - started:.1f} s "
        f"({total} requests in the table); today is {today}, batches of {batch_size}."
    )

    sql, plan = explain_selection(today, batch_size)
    print("\nSelection of a batch (the first one):\n")
    print(sql)
    print("\nEXPLAIN (ANALYZE, BUFFERS):\n")
    print(plan)

    started = time.perf_counter()
    result = implicit_decisions_apply_due(
        today=today, batch_size=batch_size, max_seconds=float("inf"), notify=False
    )
    elapsed = time.perf_counter() - started
    print(
        f"\nSweep (decisions only, no documents nor emails): {result.decided} decided, "
        f"{result.examined} examined in {result.batches} batches, {len(result.failed)} failed, "
        f"in {elapsed:.2f} s: {result.decided / elapsed:.0f} decisions/s."
    )
    started = time.perf_counter()
    idle = implicit_decisions_apply_due(today=today, batch_size=batch_size, notify=False)
    print(
        f"Next run, nothing left to decide: {idle.decided} decided "
        f"in {(time.perf_counter() - started) * 1000:.1f} ms."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
