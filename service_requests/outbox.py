"""The outbox: the side effects of a write (the receipt, the citizen's and the agents' emails,
an implicit decision's documents) are rows written in the write's own transaction, so that they
exist exactly when the write does, and the worker runs them.

One entry point, `enqueue(task, *args)`, called inside the service's transaction. Once the
transaction commits, the row is handed to the broker (bounded by the broker's timeouts: a
broker that hangs or refuses costs the citizen a delay, never an error page); whatever the
broker did not take, the catch-up (`outbox_catch_up`, beat every minute) hands over again.

A row is done only when its task succeeded: the worker claims it (`running_until`, a lease
longer than the task's time limit), runs the task, then marks it done. A worker killed in the
middle leaves the row claimed; once the lease is over the catch-up, or the broker's own
redelivery of the unacknowledged message, runs it again. The tasks are idempotent (a receipt
made once, each email stamped when it goes), so a second run sends nothing twice. A task that
fails is tried again on `BACKOFF` (1, 2, 5, 10, 30 minutes, then every hour for a day), then
the row is marked failed, for an administrator to see in the admin and retry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import Task, current_app
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from service_requests.models import OutboxMessage

logger = logging.getLogger(__name__)

State = OutboxMessage.State
MINUTE = timedelta(minutes=1)
# After the attempt numbered i (from 1) fails, the next one comes BACKOFF[i - 1] later; past
# the list, every hour, until MAX_ATTEMPTS: about 25 hours in all, enough for a mail server
# down over a night and a morning.
BACKOFF = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE]
HOURLY = timedelta(hours=1)
MAX_ATTEMPTS = len(BACKOFF) + 1 + 24
# How long a worker holds a row it runs: longer than the delivery task's hard time limit
# (tasks.deliver_outbox_message), so a slow run is never run twice at once; a worker killed
# mid-task has its row run again this long after it started.
LEASE = timedelta(minutes=5)
# A row handed to the broker and still pending this long after is handed over again.
FIRST_RETRY = BACKOFF[0]
# Done rows are kept this long (the record that the email went), then deleted by the catch-up.
KEEP_DONE = timedelta(days=90)
CATCH_UP_BATCH = 500


def _task_name(task: Task | str) -> str:
    name = task if isinstance(task, str) else task.name
    if name not in current_app.tasks:
        raise ValueError(f"unknown task {name!r}")
    return name


def enqueue(task: Task | str, *args, request_id: int | None = None) -> OutboxMessage:
    """Record that `task(*args)` must run once the current transaction commits (JSON
    arguments only), and hand it to the worker then. Nothing runs if the transaction rolls
    back: the row goes with it."""
    return enqueue_many(task, [args], request_ids=[request_id])[0]


def enqueue_many(
    task: Task | str,
    args_list: Iterable[Sequence],
    *,
    request_ids: Sequence[int | None] | None = None,
    unique: bool = False,
    outside_transaction: bool = False,
) -> list[OutboxMessage]:
    """`enqueue` for many runs of one task, in one statement (a sweep's batch). `unique`:
    skip the arguments a pending row of this task already holds (a nightly fan-out that
    finds again what is still being retried). `outside_transaction`: the caller is a beat
    task that writes nothing else (a nightly fan-out): the rows are committed as they are
    written, and handed over at once."""
    name = _task_name(task)
    args_list = [list(args) for args in args_list]
    request_ids = list(request_ids) if request_ids is not None else [None] * len(args_list)
    if unique:
        pending = {
            repr(args)
            for args in OutboxMessage.objects.filter(task=name, state=State.PENDING).values_list(
                "args", flat=True
            )
        }
        kept = [
            (a, r) for a, r in zip(args_list, request_ids, strict=True) if repr(a) not in pending
        ]
        args_list, request_ids = [a for a, _ in kept], [r for _, r in kept]
    if not args_list:
        return []
    retry_at = timezone.now() + FIRST_RETRY
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(task=name, args=args, request_id=request_id, next_attempt_at=retry_at)
        for args, request_id in zip(args_list, request_ids, strict=True)
    )
    ids = [row.pk for row in rows]
    if outside_transaction:
        hand_over(ids)
    else:
        transaction.on_commit(_hand_over_later(ids), robust=True)
    return rows


def _hand_over_later(ids: list[int]):
    def hand_over_to_the_broker() -> None:
        hand_over(ids)

    return hand_over_to_the_broker


def hand_over(ids: Iterable[int]) -> int:
    """Publish a delivery task per row; stop at the first broker error (the next ones would
    wait the same timeouts for nothing): the catch-up hands them over later. Returns how many
    were published."""
    from service_requests.tasks import deliver_outbox_message

    published = 0
    for pk in ids:
        try:
            deliver_outbox_message.delay(pk)
        except Exception:  # kombu, redis and socket errors alike: the row waits for the catch-up
            logger.warning(
                "outbox: broker unreachable, message %s left to the catch-up", pk, exc_info=True
            )
            break
        published += 1
    return published


def _claim(pk: int, now: datetime) -> OutboxMessage | None:
    """Take the row for one run, unless it is done, failed or run by a live worker."""
    claimed = OutboxMessage.objects.filter(
        Q(running_until__isnull=True) | Q(running_until__lt=now), pk=pk, state=State.PENDING
    ).update(running_until=now + LEASE, attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return None
    return OutboxMessage.objects.get(pk=pk)


def next_attempt_delay(attempts: int) -> timedelta | None:
    """How long after its `attempts`-th failed run a row is tried again; None: no more."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return BACKOFF[attempts - 1] if attempts <= len(BACKOFF) else HOURLY


def deliver(pk: int) -> bool | None:
    """Run the row's task once, in this process; True when it succeeded (the row is done),
    False when it failed (tried again later, or marked failed), None when there was nothing to
    run (done already, or another worker holds it)."""
    row = _claim(pk, timezone.now())
    if row is None:
        return None
    try:
        current_app.tasks[row.task].run(*row.args)
    except Exception as error:  # whatever the task raised: recorded, and tried again
        now = timezone.now()
        delay = next_attempt_delay(row.attempts)
        changes = {"running_until": None, "last_error": f"{type(error).__name__}: {error}"[:2000]}
        if delay is None:
            changes["state"] = State.FAILED
            logger.error("outbox: %s gave up after %s attempts", row, row.attempts)
        else:
            changes["next_attempt_at"] = now + delay
            logger.warning("outbox: %s failed (attempt %s): %s", row, row.attempts, error)
        OutboxMessage.objects.filter(pk=pk).update(**changes)
        return False
    now = timezone.now()
    OutboxMessage.objects.filter(pk=pk).update(state=State.DONE, done_at=now, running_until=None)
    return True


@dataclass
class CatchUp:
    handed_over: int = 0
    due: int = 0
    purged: int = 0


def outbox_catch_up(*, now: datetime | None = None, batch: int = CATCH_UP_BATCH) -> CatchUp:
    """Hand over again the pending rows whose next attempt has come (the broker lost them,
    was away at commit, or their last run failed or died), the oldest first, and delete the
    done rows past `KEEP_DONE`. Each row handed over is not handed over again before
    `LEASE` unless a run sets its next attempt."""
    now = now or timezone.now()
    result = CatchUp()
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
            .filter(Q(running_until__isnull=True) | Q(running_until__lt=now))
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        OutboxMessage.objects.filter(pk__in=due).update(next_attempt_at=now + LEASE)
    result.due = len(due)
    result.handed_over = hand_over(due)
    if result.handed_over < len(due):
        # Not taken by the broker: due again at the next run rather than in LEASE.
        OutboxMessage.objects.filter(pk__in=due[result.handed_over :]).update(next_attempt_at=now)
    done_before = now - KEEP_DONE
    old = OutboxMessage.objects.filter(state=State.DONE, done_at__lt=done_before)
    result.purged, _ = OutboxMessage.objects.filter(
        pk__in=list(old.values_list("pk", flat=True)[:5000])
    ).delete()
    return result


def outbox_retry(*, ids: Iterable[int]) -> int:
    """An administrator's « try again now » on failed (or pending) rows: pending again, with
    a fresh schedule, handed over at once."""
    ids = list(ids)
    with transaction.atomic():
        count = OutboxMessage.objects.filter(
            pk__in=ids, state__in=[State.FAILED, State.PENDING]
        ).update(
            state=State.PENDING,
            attempts=0,
            running_until=None,
            next_attempt_at=timezone.now() + FIRST_RETRY,
        )
        transaction.on_commit(_hand_over_later(ids), robust=True)
    return count
