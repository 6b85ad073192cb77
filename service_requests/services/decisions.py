"""Decisions on a request: explicit (an agent), implicit (the silence of the administration, applied
by the sweep), and what follows an implicit rejection (the reasons, L232-4)."""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from forms_builder.models import SilenceRule
from gru.models import User
from service_requests import lifecycle, outbox
from service_requests.deadlines import add_delay
from service_requests.models import (
    DECIDABLE_STATES,
    DECIDED_STATES,
    OPEN_STATES,
    Document,
    DocumentRequest,
    Event,
    ServiceRequest,
    Status,
    TeamTask,
)
from service_requests.services._common import check_fresh, lock, record
from service_requests.services.due_dates import (
    due_date_changed_event,
    move_decision_due,
    store_decision_due,
)
from service_requests.services.errors import TransitionRefused
from service_requests.services.letters import decision_letter_store
from service_requests.services.notifications import notify_citizen_on_commit
from webhooks import outbox as webhooks_outbox

OUTCOMES = {
    "accepted": Status.ACCEPTED,
    "partially_accepted": Status.PARTIALLY_ACCEPTED,
    "rejected": Status.REJECTED,
}
# A refusal, whole or in part, of an individual decision must state its reasons (L211-2).
MOTIVATED_OUTCOMES = frozenset({"partially_accepted", "rejected"})
IMPLICIT_OUTCOMES = {
    SilenceRule.ACCEPTANCE: Status.ACCEPTED_IMPLICITLY,
    SilenceRule.REJECTION: Status.REJECTED_IMPLICITLY,
}
CLOSURES = {"answered": "répondue", "no_follow_up": "classée sans suite"}
MAX_MOTIVE_LENGTH = 5000


def _checked_motive(motive: str, *, required: bool, message: str) -> str:
    motive = (motive or "").strip()
    if required and not motive:
        raise ValidationError(message)
    if len(motive) > MAX_MOTIVE_LENGTH:
        raise ValidationError(f"Le motif dépasse {MAX_MOTIVE_LENGTH} caractères.")
    return motive


def request_decide(
    *,
    request: ServiceRequest,
    actor: User,
    outcome: str,
    motive: str,
    seen_event_id: int | None = None,
) -> ServiceRequest:
    """An agent's decision, dated today, with its letter (PDF, kept as a document and emailed
    to the citizen). It takes the row lock, so that it and the sweep never both decide: if the
    sweep holds the row, this waits and then finds the request decided; if this holds it, the
    sweep skips the row and finds it decided on its next run."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}: expected one of {sorted(OUTCOMES)}")
    motive = _checked_motive(
        motive,
        required=outcome in MOTIVATED_OUTCOMES,
        message="Un refus, même partiel, doit être motivé : indiquez les motifs.",
    )
    name = lifecycle.DECISION_TRANSITIONS[outcome]
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        if locked.status in DECIDED_STATES:
            raise TransitionRefused(
                f"Cette demande est déjà décidée ({locked.get_status_display().lower()} "
                f"le {locked.decided_on:%d/%m/%Y})."
            )
        if not lifecycle.transition(name).allows(locked.status):
            raise TransitionRefused("Cette demande n'est plus en cours.")
        if lifecycle.closes_without_decision(locked):
            raise TransitionRefused(
                "Cette demande appelle une réponse, pas une décision : clôturez-la."
            )
        locked.decided_on = timezone.localdate()
        letter = decision_letter_store(locked, outcome=outcome, motive=motive, signatory=actor)
        payload = {"outcome": outcome, "motive": motive, "letter_document_id": letter.pk}
        event = lifecycle.change_status(
            locked, name, actor=actor, payload=payload, fields=("decided_on",)
        )
        notify_citizen_on_commit(event)
    return locked


def request_close(
    *,
    request: ServiceRequest,
    actor: User,
    closure: str,
    motive: str,
    seen_event_id: int | None = None,
) -> ServiceRequest:
    """Close a request that calls for no decision (a question answered, a report handled or
    classé sans suite): only for procedures without a silence rule, since a request for a
    decision ends with one, explicit or born of silence."""
    if closure not in CLOSURES:
        raise ValueError(f"unknown closure {closure!r}")
    motive = _checked_motive(
        motive, required=True, message="Dites à l'usager la réponse ou la suite donnée."
    )
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        if not lifecycle.closes_without_decision(locked):
            raise TransitionRefused(
                "Cette démarche appelle une décision : acceptez ou refusez la demande."
            )
        event = lifecycle.change_status(
            locked, "close", actor=actor, payload={"closure": closure, "motive": motive}
        )
        notify_citizen_on_commit(event)
    return locked


def request_reopen(
    *, request: ServiceRequest, actor: User, reason: str, seen_event_id: int | None = None
) -> ServiceRequest:
    """A team manager reopens a closed or refused request (a recours gracieux, an error). An
    acceptance, explicit or implicit, created rights and is not reopened. The silence rule
    played once: a reopened request gets no second implicit decision."""
    reason = _checked_motive(
        reason, required=True, message="Indiquez pourquoi la demande est rouverte."
    )
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        if locked.status in (Status.ACCEPTED, Status.ACCEPTED_IMPLICITLY):
            raise TransitionRefused(
                "Une acceptation a créé des droits : elle ne se rouvre pas. Seul un retrait "
                "de la décision, dans les conditions des articles L242-1 et suivants du CRPA, "
                "le permettrait."
            )
        locked.decided_on = None
        if locked.implicit_decision_triggered_at is None:
            locked.implicit_decision_triggered_at = timezone.now()
        event = lifecycle.change_status(
            locked,
            "reopen",
            actor=actor,
            payload={"reason": reason},
            fields=("decided_on", "implicit_decision_triggered_at"),
        )
        store_decision_due(locked, actor=actor, reason="reopened")  # no date any more
        notify_citizen_on_commit(event)
    return locked


def request_withdraw(
    *,
    request: ServiceRequest,
    actor: User | None,
    reason: str = "",
    by: str = "citizen",
    seen_event_id: int | None = None,
) -> ServiceRequest:
    """The citizen withdraws their open request, online (`by="citizen"`) or through an agent
    who records it (`by="agent"`, the actor); the team is told."""
    if by not in ("citizen", "agent"):
        raise ValueError(f"unknown withdrawer {by!r}")
    reason = _checked_motive(reason, required=False, message="")
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        event = lifecycle.change_status(
            locked, "withdraw", actor=actor, payload={"reason": reason, "by": by}
        )
        notify_citizen_on_commit(event)
        if by == "citizen":  # the team is told; an agent who records it knows already
            from service_requests import tasks

            outbox.enqueue(tasks.tell_team_withdrawn, event.pk, request_id=locked.pk)
    return locked


def request_issue_decision_letter(*, request: ServiceRequest) -> Document:
    """The letter of an explicit decision, for the citizen to download: the one made when the
    agent decided, else made now from the decision's event (its outcome, motive and agent),
    dated the day of the decision. A decision recorded without its letter (an import, the
    scale dataset) still gives the citizen a document; made once."""
    with transaction.atomic():
        locked = lock(request)
        if locked.status not in OUTCOMES.values():
            raise ValueError(f"{locked} has no explicit decision (status {locked.status})")
        existing = locked.documents.filter(kind=Document.Kind.DECISION).order_by("-id").first()
        if existing is not None:
            return existing
        event = (
            locked.events.filter(kind=Event.Kind.DECISION)
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
        if event is None:
            raise ValueError(f"{locked} has no decision event")
        return decision_letter_store(
            locked,
            outcome=event.payload.get("outcome", ""),
            motive=event.payload.get("motive", ""),
            signatory=event.actor,
        )


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
    locked.decided_on = due
    locked.implicit_decision_triggered_at = locked.updated_at = now
    payload = {
        "rule": rule,
        "delay": locked.form_version.silence_delay,
        "due_on": due.isoformat(),
        "run": run,
    }
    events.append(
        lifecycle.change_status(
            locked, lifecycle.IMPLICIT_TRANSITIONS[rule], actor=None, payload=payload, save=False
        )
    )
    return True, events


def deliver_after_commit(request_ids: list[int]) -> None:
    """In the decisions' transaction: the outbox rows of what each sends (its document, its
    emails), run once the decisions commit."""
    from service_requests import tasks

    outbox.enqueue_many(
        tasks.deliver_implicit_decision, [[pk] for pk in request_ids], request_ids=request_ids
    )


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
            webhooks_outbox.on_events(events)
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

        outbox.enqueue(tasks.notify_reasons_requested, task.pk, request_id=locked.pk)
    return task
