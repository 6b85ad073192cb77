"""The timers: beat runs these every few minutes or every night, and they act on the dates the
database holds (never on Celery ETA tasks, which a two-month wait would outlive).

Each sweep may run twice at once or be killed half-way: the implicit decisions are taken under
row locks that a second sweep skips, and re-checked under the lock; what is sent once is
stamped; a killed batch rolls back and the next run does it.
"""

import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from service_requests import outbox
from service_requests.drafts import stored_file_keys
from service_requests.models import (
    Document,
    DocumentRequest,
    Event,
    Interaction,
    Message,
    NotificationSent,
    ServiceRequest,
    Status,
)
from service_requests.selectors import citizen_email_of
from service_requests.services.decisions import (
    IMPLICIT_DECISION_FIELDS,
    decide_implicitly,
    deliver_after_commit,
)
from service_requests.services.filing import uploads_discard
from webhooks import outbox as webhooks_outbox

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    decided: int = 0
    examined: int = 0
    batches: int = 0
    failed: list[int] = field(default_factory=list)  # data the law cannot read: logged
    complete: bool = True  # False: stopped on its time budget, the next run goes on
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:12])


def implicit_decisions_batch(today: date, *, size: int, passed: Iterable[int] = ()):
    """The sweep's selection: the `size` open requests whose implicit decision has been due the
    longest, locked, skipping those another transaction holds and those this run `passed`
    over. Served by the partial index `request_open_due_idx` (open states, date not null),
    which a decided request leaves; run it in a transaction."""
    return (
        ServiceRequest.objects.due_before(today)
        .exclude(pk__in=list(passed))
        .select_related("form_version")
        .select_for_update(of=("self",), skip_locked=True)
        .order_by("decision_due_on", "pk")[:size]
    )


def implicit_decisions_apply_due(
    *,
    today: date | None = None,
    batch_size: int | None = None,
    max_seconds: float | None = None,
    notify: bool = True,
) -> SweepResult:
    """Apply every implicit decision that is due, a batch at a time, each batch one transaction.

    A batch is taken with `FOR UPDATE SKIP LOCKED`: a second sweep running at the same time
    takes other rows, and a row an agent is deciding is skipped. A decided request, or one
    whose date the check moved later, leaves the selection; one still due that may not be
    decided (an acceptance with the status awaiting pieces) is passed over until the next run.
    `notify` False decides without generating documents nor emails (the bench measures the
    decision part)."""
    today = today or timezone.localdate()
    batch_size = batch_size or settings.GRU_SWEEP_BATCH_SIZE
    max_seconds = settings.GRU_SWEEP_MAX_SECONDS if max_seconds is None else max_seconds
    started, passed, result = time.monotonic(), set(), SweepResult()
    while True:
        if time.monotonic() - started > max_seconds:
            result.complete = False
            break
        with transaction.atomic():
            batch = list(implicit_decisions_batch(today, size=batch_size, passed=passed))
            if not batch:
                break
            pieces: dict[int, list[DocumentRequest]] = {request.pk: [] for request in batch}
            for item in DocumentRequest.objects.filter(request_id__in=list(pieces)):
                pieces[item.request_id].append(item)
            changed, events, decided = [], [], []
            now = timezone.now()
            for request in batch:
                try:
                    is_decided, request_events = decide_implicitly(
                        request,
                        today=today,
                        now=now,
                        document_requests=pieces[request.pk],
                        run=result.run,
                    )
                except (ValueError, TypeError):
                    # The date is computed before anything changes: skipping the request
                    # leaves the batch whole, and one bad row does not stop every decision.
                    logger.exception("implicit decision of request %s not computable", request.pk)
                    result.failed.append(request.pk)
                    passed.add(request.pk)
                    continue
                if request_events:
                    changed.append(request)
                    events.extend(request_events)
                if is_decided:
                    decided.append(request.pk)
                elif request.decision_due_on is not None and request.decision_due_on <= today:
                    passed.add(request.pk)
            # A batch is written in three statements: the rows, their field history, the
            # timeline; a row at a time would cost a round trip each.
            if changed:
                bulk_update_with_history(changed, ServiceRequest, IMPLICIT_DECISION_FIELDS)
                Event.objects.bulk_create(events)
                webhooks_outbox.on_events(events)
            if notify:
                deliver_after_commit(decided)
            result.decided += len(decided)
            result.examined += len(batch)
            result.batches += 1
    if result.decided or result.failed or not result.complete:
        logger.info(
            "implicit decisions: %s decided, %s examined, %s failed, run %s%s",
            result.decided,
            result.examined,
            len(result.failed),
            result.run,
            "" if result.complete else " (stopped on its time budget)",
        )
    return result


def reminders_enqueue_due(*, today: date | None = None) -> int:
    """Enqueue the reminders whose day has come: for a decision due in `n` days, the threshold
    of `GRU_REMINDER_DAYS` nearest above `n`, unless sent already for that date. A reminder
    missed (the job did not run that night) goes late rather than never; thresholds already
    passed are not sent on top of the nearest one."""
    from service_requests import tasks

    today = today or timezone.localdate()
    thresholds = sorted({int(days) for days in settings.GRU_REMINDER_DAYS if int(days) > 0})
    if not thresholds:
        return 0
    candidates = list(
        ServiceRequest.objects.open()
        .filter(
            decision_due_on__gt=today,
            decision_due_on__lte=today + timedelta(days=thresholds[-1]),
        )
        .values_list("pk", "decision_due_on")
    )
    sent = set(
        NotificationSent.objects.filter(
            kind=NotificationSent.Kind.DECISION_REMINDER,
            request_id__in=[pk for pk, _ in candidates],
            due_on__gt=today,
        ).values_list("request_id", "due_on", "days_before")
    )
    due = []
    for pk, due_on in candidates:
        days_left = (due_on - today).days
        threshold = next(days for days in thresholds if days >= days_left)
        if (pk, due_on, threshold) not in sent:
            due.append([pk, threshold, due_on.isoformat()])
    rows = outbox.enqueue_many(
        tasks.send_decision_reminder,
        due,
        request_ids=[a[0] for a in due],
        unique=True,
        outside_transaction=True,
    )
    return len(rows)


def documents_overdue_enqueue(*, today: date | None = None) -> int:
    """Enqueue an alert for each documents request whose deadline passed unanswered and that
    was not alerted yet (the partial index `documentrequest_overdue_idx` serves it)."""
    from service_requests import tasks

    today = today or timezone.localdate()
    overdue = list(
        DocumentRequest.objects.filter(
            answered_on__isnull=True,
            overdue_alerted_at__isnull=True,
            answer_deadline__lt=today,
            request__status=Status.AWAITING_CITIZEN,
        ).values_list("pk", "request_id")
    )
    rows = outbox.enqueue_many(
        tasks.alert_documents_overdue,
        [[pk] for pk, _ in overdue],
        request_ids=[request_id for _, request_id in overdue],
        unique=True,
        outside_transaction=True,
    )
    return len(rows)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


@dataclass
class DraftsResult:
    warned: int = 0  # warnings enqueued
    deleted: int = 0
    kept: list[int] = field(default_factory=list)  # past their lifespan but with a timeline


def drafts_purge_expired(*, today: date | None = None) -> DraftsResult:
    """Delete the drafts past their lifespan (`GRU_DRAFT_LIFESPAN_DAYS` after the citizen last
    saved them), after warning the citizen `GRU_DRAFT_WARNING_DAYS` before when there is an
    address to write to. A warning sent late postpones the deletion so that the citizen always
    has that many days (the email gives the real day); a warning that could not be sent at all
    postpones it by that many days at most."""
    from service_requests import tasks

    today = today or timezone.localdate()
    lifespan = timedelta(days=settings.GRU_DRAFT_LIFESPAN_DAYS)
    notice = timedelta(days=settings.GRU_DRAFT_WARNING_DAYS)
    result, warnings = DraftsResult(), []
    drafts = (
        ServiceRequest.objects.filter(
            status=Status.DRAFT, updated_at__lt=_start_of(today - lifespan + notice + timedelta(1))
        )
        .select_related("citizen")
        .order_by("pk")
    )
    for draft in drafts.iterator(chunk_size=500):
        expires_on = timezone.localdate(draft.updated_at) + lifespan
        email = citizen_email_of(draft)
        warning = NotificationSent.objects.filter(
            request=draft, kind=NotificationSent.Kind.DRAFT_EXPIRY, due_on=expires_on
        ).first()
        if warning is not None:
            due = timezone.localdate(warning.sent_at) + notice <= today
        else:  # nobody to warn, or the warning never went out: not kept for ever either
            due = not email or today >= expires_on + notice
        if expires_on <= today and due:
            if request_delete_expired_draft(request_id=draft.pk, expires_on=expires_on):
                result.deleted += 1
            else:
                result.kept.append(draft.pk)
        elif email and warning is None:
            warnings.append([draft.pk, expires_on.isoformat()])
    rows = outbox.enqueue_many(
        tasks.warn_draft_expiry,
        warnings,
        request_ids=[a[0] for a in warnings],
        unique=True,
        outside_transaction=True,
    )
    result.warned = len(rows)
    return result


def request_delete_expired_draft(*, request_id: int, expires_on: date) -> bool:
    """Delete one draft with its uploads, its field history and its stamps. A draft has no
    timeline; if one has (messages, events, contacts, anything protected: an error upstream),
    it is kept and logged, for the append-only audit is never deleted."""
    try:
        with transaction.atomic():
            return _delete_draft(request_id, expires_on)
    except ProtectedError:
        logger.warning("draft %s past its lifespan is referred to: kept", request_id)
        return False


def _delete_draft(request_id: int, expires_on: date) -> bool:
    draft = (
        ServiceRequest.objects.select_for_update(skip_locked=True)
        .filter(pk=request_id, status=Status.DRAFT)
        .first()
    )
    lifespan = timedelta(days=settings.GRU_DRAFT_LIFESPAN_DAYS)
    if draft is None or timezone.localdate(draft.updated_at) + lifespan != expires_on:
        return False  # sent, saved again by the citizen, or being edited right now
    if any(model.objects.filter(request=draft).exists() for model in (Event, Message, Interaction)):
        logger.warning("draft %s past its lifespan has a timeline: kept", draft.reference)
        return False
    uploads = list(Document.objects.filter(request=draft))
    files = [document.file.name for document in uploads if document.file]
    # Files a draft's answers hold before submission are only named in its data.
    answered_files = stored_file_keys(draft.form_version.schema, draft.data or {})
    Document.objects.filter(pk__in=[document.pk for document in uploads]).delete()
    draft.delete()
    # The field history keeps whole copies of the answers: a deleted draft leaves none.
    ServiceRequest.history.filter(id=request_id).delete()
    if files:
        storage = Document._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files], robust=True)
    if answered_files:
        transaction.on_commit(lambda: uploads_discard(answered_files), robust=True)
    return True
