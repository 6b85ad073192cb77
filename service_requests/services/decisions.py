"""Decisions on a request: explicit (an agent), implicit (the silence of the administration, applied
by the sweep), and what follows an implicit rejection (the reasons, L232-4)."""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from forms_builder.models import SilenceRule
from gru.models import User
from service_requests.deadlines import add_delay
from service_requests.models import (
    DECIDABLE_STATES,
    DECIDED_STATES,
    OPEN_STATES,
    DocumentRequest,
    Event,
    ServiceRequest,
    Status,
    TeamTask,
)
from service_requests.services._common import after_commit, lock, record
from service_requests.services.due_dates import due_date_changed_event, move_decision_due
from service_requests.services.errors import TransitionRefused
from service_requests.services.notifications import notify_citizen_on_commit

OUTCOMES = {"accepted": Status.ACCEPTED, "rejected": Status.REJECTED}
IMPLICIT_OUTCOMES = {
    SilenceRule.ACCEPTANCE: Status.ACCEPTED_IMPLICITLY,
    SilenceRule.REJECTION: Status.REJECTED_IMPLICITLY,
}


def request_decide(
    *, request: ServiceRequest, actor: User, outcome: str, motive: str
) -> ServiceRequest:
    """An agent's decision, dated today. It takes the row lock, so that it and the sweep never
    both decide: if the sweep holds the row, this waits and then finds the request decided; if
    this holds it, the sweep skips the row and finds it decided on its next run."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}: expected 'accepted' or 'rejected'")
    motive = motive.strip()
    if outcome == "rejected" and not motive:
        # A refusal of an individual decision must state its reasons (L211-2).
        raise ValidationError("Un refus doit être motivé.")
    with transaction.atomic():
        locked = lock(request)
        if locked.status in DECIDED_STATES:
            raise TransitionRefused(
                f"Cette demande est déjà décidée ({locked.get_status_display().lower()} "
                f"le {locked.decided_on:%d/%m/%Y})."
            )
        if locked.status not in OPEN_STATES:
            raise TransitionRefused("Cette demande n'est plus en cours.")
        previous = locked.status
        locked.status = OUTCOMES[outcome]
        locked.decided_on = timezone.localdate()
        locked.save(update_fields=["status", "decided_on", "updated_at"])
        payload = {"from": previous, "to": locked.status, "outcome": outcome, "motive": motive}
        event = record(locked, Event.Kind.DECISION, actor=actor, payload=payload, citizen_sees=True)
        notify_citizen_on_commit(event)
    return locked


IMPLICIT_DECISION_FIELDS = [
    "status",
    "decided_on",
    "decision_due_on",
    "implicit_decision_triggered_at",
    "updated_at",
]


def decide_implicitly(
    locked: ServiceRequest,
    *,
    today: date,
    now: datetime,
    document_requests: Iterable[DocumentRequest] | None = None,
    run: str = "",
) -> tuple[bool, list[Event]]:
    """Decide `locked` by silence, on the instance, if its decision is born by `today`; the
    caller holds the row lock and writes the instance (`IMPLICIT_DECISION_FIELDS`) and the
    events returned, unsaved. The checks are made again on the locked row: another sweep or an
    agent may have got there first, and the stored date may be stale (the pure function is
    the judge: a date that moved is corrected, with its event, decided or not).

    Returns `(decided, events)`; no events, nothing to write."""
    if locked.implicit_decision_triggered_at is not None or locked.status not in OPEN_STATES:
        return False, []
    events = []
    move = move_decision_due(locked, document_requests=document_requests)
    if move is not None:
        events.append(due_date_changed_event(locked, move, actor=None, reason="checked"))
    due, rule = locked.decision_due_on, locked.form_version.silence_rule
    # Acceptance needs a complete file (L114-5); a rejection is born once its suspension ends,
    # which the date already accounts for, so it may come while pieces are still awaited.
    decidable = rule == SilenceRule.REJECTION or locked.status in DECIDABLE_STATES
    if due is None or due > today or not decidable:
        locked.updated_at = now
        return False, events
    previous = locked.status
    locked.status = IMPLICIT_OUTCOMES[rule]
    locked.decided_on = due
    locked.implicit_decision_triggered_at = locked.updated_at = now
    payload = {
        "from": previous,
        "to": locked.status,
        "rule": rule,
        "delay": locked.form_version.silence_delay,
        "due_on": due.isoformat(),
        "run": run,
    }
    events.append(
        Event(
            request=locked,
            kind=Event.Kind.IMPLICIT_DECISION,
            visibility=Event.Visibility.CITIZEN,
            payload=payload,
        )
    )
    return True, events


def deliver_after_commit(request_ids: list[int]) -> None:
    """Once the decisions commit, enqueue what each sends (its document, its emails)."""
    from service_requests import tasks

    if request_ids:
        after_commit(lambda: [tasks.deliver_implicit_decision.delay(pk) for pk in request_ids])


def request_apply_implicit_decision(
    *, request: ServiceRequest, today: date | None = None, notify: bool = True
) -> bool:
    """Apply the implicit decision of one request if it is due (the sweep does it in batches)."""
    with transaction.atomic():
        locked = lock(request)
        decided, events = decide_implicitly(
            locked, today=today or timezone.localdate(), now=timezone.now(), run="single"
        )
        if events:
            locked.save(update_fields=IMPLICIT_DECISION_FIELDS)
            Event.objects.bulk_create(events)
        if decided and notify:
            deliver_after_commit([locked.pk])
    return decided


def request_ask_reasons(*, request: ServiceRequest, actor: User | None = None) -> TeamTask:
    """The citizen asks for the reasons of an implicit rejection: the team owes them within one
    month (L232-4), as a task due that day. Asking again returns the same task."""
    with transaction.atomic():
        locked = lock(request)
        if locked.status != Status.REJECTED_IMPLICITLY:
            raise TransitionRefused(
                "Les motifs ne peuvent être demandés qu'après un rejet implicite."
            )
        existing = TeamTask.objects.filter(
            request=locked, kind=TeamTask.Kind.REASONS_REQUESTED
        ).first()
        if existing is not None:
            return existing
        today = timezone.localdate()
        task = TeamTask.objects.create(
            request=locked,
            team=locked.team or locked.procedure.default_team,
            kind=TeamTask.Kind.REASONS_REQUESTED,
            opened_on=today,
            due_on=add_delay(today, 1, "M"),
        )
        payload = {"task_id": task.pk, "due_on": task.due_on.isoformat()}
        record(
            locked, Event.Kind.REASONS_REQUESTED, actor=actor, payload=payload, citizen_sees=True
        )
        from service_requests import tasks

        after_commit(lambda: tasks.notify_reasons_requested.delay(task.pk))
    return task
