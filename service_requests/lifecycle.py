"""The request lifecycle, declared once: which transitions exist, from which states to which,
who may take them, the timeline event each writes and the keys of its payload.

Every status change goes through `change_status` (a test reads the code base and refuses any
other assignment of a status). The services hold the guards that need more than the state (a
motive for a refusal, a date in range); this module holds what the state alone decides. The
event payloads of every kind, written by a transition or not, are declared in
`EVENT_PAYLOADS`, and `check_payload` refuses an event whose keys differ: the services, the
demo loader and the benchmark dataset write the same events.

Who may: the roles of `gru.models.Membership.Role`, plus two actors who are no agent:
`CITIZEN` (the person who filed, online) and `SYSTEM` (the deadline sweep). Which agent may act
on which request (their team, their role there) is `service_requests.permissions`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gru.models import Membership
from service_requests.errors import TransitionRefused
from service_requests.models import (
    OPEN_STATES,
    Event,
    EventKind,
    ServiceRequest,
    Status,
)
from webhooks import outbox as webhooks_outbox

CITIZEN = "citizen"
SYSTEM = "system"
INSTRUCTOR = Membership.Role.INSTRUCTOR.value
TEAM_MANAGER = Membership.Role.TEAM_MANAGER.value
FRONT_DESK = Membership.Role.FRONT_DESK.value
CASE_WORKERS = frozenset({INSTRUCTOR, TEAM_MANAGER})

# States an agent may decide or close in: the file may also be waiting for pieces (a rejection
# because they never came, for instance).
REOPENABLE_STATES = frozenset({Status.CLOSED, Status.REJECTED, Status.REJECTED_IMPLICITLY})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    who: frozenset[str]
    event: str
    label: str  # the button an agent sees, in French

    def allows(self, status: str) -> bool:
        return status in self.sources


def _t(name, sources, target, who, event, label) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(who), event, label)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t(
            "submit",
            {Status.DRAFT},
            Status.SUBMITTED,
            {CITIZEN, FRONT_DESK, *CASE_WORKERS},
            EventKind.SUBMITTED,
            "Déposer",
        ),
        _t(
            "start_review",
            {Status.SUBMITTED},
            Status.IN_REVIEW,
            CASE_WORKERS,
            EventKind.STATUS_CHANGED,
            "Commencer l'instruction",
        ),
        _t(
            "ask_documents",
            {Status.SUBMITTED, Status.IN_REVIEW},
            Status.AWAITING_CITIZEN,
            CASE_WORKERS,
            EventKind.DOCUMENTS_REQUESTED,
            "Demander des pièces",
        ),
        _t(
            "receive_documents",
            {Status.AWAITING_CITIZEN},
            Status.IN_REVIEW,
            {CITIZEN, *CASE_WORKERS},
            EventKind.DOCUMENTS_RECEIVED,
            "Pièces reçues",
        ),
        _t(
            "mark_complete",
            OPEN_STATES,
            Status.IN_REVIEW,
            CASE_WORKERS,
            EventKind.COMPLETED,
            "Déclarer le dossier complet",
        ),
        _t("accept", OPEN_STATES, Status.ACCEPTED, CASE_WORKERS, EventKind.DECISION, "Accepter"),
        _t(
            "accept_partially",
            OPEN_STATES,
            Status.PARTIALLY_ACCEPTED,
            CASE_WORKERS,
            EventKind.DECISION,
            "Accepter en partie",
        ),
        _t("reject", OPEN_STATES, Status.REJECTED, CASE_WORKERS, EventKind.DECISION, "Refuser"),
        _t(
            "close",
            OPEN_STATES,
            Status.CLOSED,
            {FRONT_DESK, *CASE_WORKERS},
            EventKind.CLOSED,
            "Clôturer",
        ),
        _t(
            "accept_implicitly",
            {Status.SUBMITTED, Status.IN_REVIEW},
            Status.ACCEPTED_IMPLICITLY,
            {SYSTEM},
            EventKind.IMPLICIT_DECISION,
            "Acceptation implicite",
        ),
        _t(
            # A rejection is born once its suspension ends, pieces received or not.
            "reject_implicitly",
            OPEN_STATES,
            Status.REJECTED_IMPLICITLY,
            {SYSTEM},
            EventKind.IMPLICIT_DECISION,
            "Rejet implicite",
        ),
        _t(
            "withdraw",
            OPEN_STATES,
            Status.WITHDRAWN,
            {CITIZEN, *CASE_WORKERS},
            EventKind.WITHDRAWN,
            "Enregistrer le retrait",
        ),
        _t(
            "reopen",
            REOPENABLE_STATES,
            Status.IN_REVIEW,
            {TEAM_MANAGER},
            EventKind.REOPENED,
            "Rouvrir",
        ),
    )
}

# An explicit decision's transition by its outcome.
DECISION_TRANSITIONS = {
    "accepted": "accept",
    "partially_accepted": "accept_partially",
    "rejected": "reject",
}
IMPLICIT_TRANSITIONS = {"acceptance": "accept_implicitly", "rejection": "reject_implicitly"}


@dataclass(frozen=True)
class Payload:
    required: frozenset[str]
    optional: frozenset[str] = frozenset()


def _p(*required: str, optional: tuple[str, ...] = ()) -> Payload:
    return Payload(frozenset(required), frozenset(optional))


CHANGE = ("from", "to")

# The keys of each event kind's payload, whoever writes it.
EVENT_PAYLOADS: dict[str, Payload] = {
    EventKind.SUBMITTED: _p("channel", "form_version", "decision_due_on", "filed_on_behalf"),
    EventKind.ROUTED: _p("team", "team_name", "rule", "rule_name", "reason"),
    EventKind.ASSIGNED: _p("assignee", "assignee_name", "previous"),
    EventKind.TRANSFERRED: _p("from_team", "from_team_name", "team", "team_name", "reason"),
    EventKind.STATUS_CHANGED: _p(*CHANGE),
    EventKind.MESSAGE: _p(
        "message_id",
        "direction",
        "documents",
        optional=("idempotency_key", "document_request_id"),
    ),
    EventKind.NOTE: _p("text"),
    EventKind.DOCUMENTS_REQUESTED: _p("document_request_id", "documents", "deadline", *CHANGE),
    EventKind.DOCUMENTS_RECEIVED: _p("document_request_id", "answered_on", "late", *CHANGE),
    EventKind.DUE_DATE_CHANGED: _p(*CHANGE, "reason"),
    EventKind.REMINDER: _p("days_before", "due_on", "to"),
    EventKind.DECISION: _p(*CHANGE, "outcome", "motive", "letter_document_id"),
    EventKind.IMPLICIT_DECISION: _p(*CHANGE, "rule", "delay", "due_on", "run"),
    EventKind.WITHDRAWN: _p(*CHANGE, "reason", "by"),
    EventKind.COMPLETED: _p("completed_on", "document_request_id", *CHANGE),
    EventKind.DOCUMENTS_OVERDUE: _p("document_request_id", "deadline", "to"),
    EventKind.REASONS_REQUESTED: _p("task_id", "due_on"),
    EventKind.LINKED_TO_ACCOUNT: _p("proof", "citizen"),
    EventKind.CLOSED: _p(*CHANGE, "closure", "motive"),
    EventKind.REOPENED: _p(*CHANGE, "reason"),
}


def check_payload(kind: str, payload: dict) -> None:
    """Refuse (ValueError: a programming error, not a user's) a payload whose keys are not the
    ones declared for its kind."""
    declared = EVENT_PAYLOADS[kind]
    keys = set(payload)
    missing = declared.required - keys
    unknown = keys - declared.required - declared.optional
    if missing or unknown:
        raise ValueError(
            f"{kind} event payload: missing {sorted(missing)}, unexpected {sorted(unknown)}"
        )


NO_DECISION_KINDS = frozenset({"information", "report"})


def closes_without_decision(request: ServiceRequest) -> bool:
    """A question or a report is answered or classé sans suite, never decided; so is any
    request of a procedure without implicit decision. The rest ends with a decision, explicit
    or born of silence."""
    return (
        request.procedure.kind in NO_DECISION_KINDS or request.form_version.silence_rule == "none"
    )


def transition(name: str) -> Transition:
    return TRANSITIONS[name]


def refused_message(t: Transition, status: str) -> str:
    """Why `t` cannot be taken in `status`, in French."""
    label = Status(status).label.lower()
    if status in (Status.DRAFT,):
        return "Cette demande n'a pas encore été déposée."
    if t.event == EventKind.DECISION or t.event == EventKind.CLOSED:
        return f"Cette demande n'est plus en cours : elle est {label}."
    return f"Cette action n'est pas possible sur une demande {label}."


def change_status(
    locked: ServiceRequest,
    name: str,
    *,
    actor,
    payload: dict,
    citizen_sees: bool = True,
    save: bool = True,
    fields: tuple[str, ...] = (),
) -> Event:
    """Take transition `name` on the locked request: check its source state, set the target
    status, and write (or, with `save=False`, return unsaved, for a caller who saves in bulk)
    its event with `from` and `to` added to `payload`. `fields` are the other columns the
    caller changed on the instance, saved with the status."""
    t = TRANSITIONS[name]
    if not t.allows(locked.status):
        raise TransitionRefused(refused_message(t, locked.status))
    previous = locked.status
    locked.status = t.target
    full = dict(payload)
    if {"from", "to"} <= EVENT_PAYLOADS[t.event].required:
        full |= {"from": str(previous), "to": str(t.target)}
    check_payload(t.event, full)
    visibility = Event.Visibility.CITIZEN if citizen_sees else Event.Visibility.INTERNAL
    event = Event(request=locked, kind=t.event, actor=actor, visibility=visibility, payload=full)
    if save:
        locked.save(update_fields=["status", *fields, "updated_at"])
        event.save()
        webhooks_outbox.on_event(event)
    return event
