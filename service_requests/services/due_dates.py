"""What moves a request's implicit decision date: the pieces asked and received, completeness.

Each service locks the request's row, checks its guard, makes the change, writes its events and
stores the decision date computed again by `deadlines.implicit_decision_date` (through
`selectors.decision_date_of`), all in one transaction.
"""

from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gru.models import User
from service_requests.lifecycle import change_status
from service_requests.models import (
    DECIDABLE_STATES,
    OPEN_STATES,
    DocumentRequest,
    Event,
    ServiceRequest,
    Status,
)
from service_requests.selectors import decision_date_of, open_document_request
from service_requests.services._common import check_fresh, lock
from service_requests.services.errors import TransitionRefused
from service_requests.services.notifications import notify_citizen_on_commit


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def move_decision_due(
    request: ServiceRequest, *, document_requests: Iterable[DocumentRequest] | None = None
) -> tuple[date | None, date | None] | None:
    """Compute the locked `request`'s decision date again and set it on the instance; return
    `(old, new)` when it moved, None when not. Only an open request's date moves: once decided,
    the date it had is history. Nothing is written."""
    if request.status not in OPEN_STATES:
        return None
    new = decision_date_of(request, document_requests)
    old = request.decision_due_on
    if new == old:
        return None
    request.decision_due_on = new
    return old, new


def due_date_changed_event(
    request: ServiceRequest, move: tuple, *, actor: User | None, reason: str
) -> Event:
    """The event, not saved yet, that tells the citizen the date moved."""
    old, new = move
    return Event(
        request=request,
        kind=Event.Kind.DUE_DATE_CHANGED,
        actor=actor,
        visibility=Event.Visibility.CITIZEN,
        payload={"from": _iso(old), "to": _iso(new), "reason": reason},
    )


def store_decision_due(request: ServiceRequest, *, actor: User | None, reason: str) -> bool:
    """Move the locked `request`'s decision date if the law says so, save it and write the
    event; return whether it moved."""
    move = move_decision_due(request)
    if move is None:
        return False
    request.save(update_fields=["decision_due_on", "updated_at"])
    due_date_changed_event(request, move, actor=actor, reason=reason).save()
    return True


def request_recompute_decision_due(
    *, request: ServiceRequest, actor: User | None = None
) -> ServiceRequest:
    """Store the decision date as the law computes it now; for the services that change what it
    depends on (filing, receipt date corrected…) and for repairs."""
    with transaction.atomic():
        locked = lock(request)
        store_decision_due(locked, actor=actor, reason="recomputed")
    return locked


def _checked_pieces(pieces: Sequence[str]) -> list[str]:
    if isinstance(pieces, str):
        raise ValidationError("Indiquez les pièces demandées sous forme de liste.")
    labels = [str(label).strip() for label in pieces]
    if not labels or not all(labels):
        raise ValidationError("Indiquez au moins une pièce, chacune avec son libellé.")
    return labels


def request_ask_documents(
    *,
    request: ServiceRequest,
    actor: User,
    pieces: Sequence[str],
    answer_deadline: date,
    seen_event_id: int | None = None,
) -> ServiceRequest:
    """Ask the citizen for missing pieces by `answer_deadline` (L114-5): the request waits for
    the citizen, an acceptance clock stops until the pieces arrive, a rejection clock is
    suspended until they arrive or the deadline passes."""
    labels = _checked_pieces(pieces)
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        today = timezone.localdate()
        if locked.status == Status.AWAITING_CITIZEN:
            raise TransitionRefused("Des pièces sont déjà demandées : attendez leur réception.")
        if locked.status not in DECIDABLE_STATES:
            raise TransitionRefused("Cette demande n'est pas en cours d'instruction.")
        if locked.decision_due_on is not None and locked.decision_due_on <= today:
            raise TransitionRefused(
                "La décision implicite est déjà née : demander des pièces n'y change plus rien."
            )
        if answer_deadline < today:
            raise ValidationError("La date limite d'envoi des pièces est déjà passée.")
        document_request = DocumentRequest.objects.create(
            request=locked,
            asked_on=today,
            answer_deadline=answer_deadline,
            pieces=labels,
            asked_by=actor,
        )
        payload = {
            "document_request_id": document_request.pk,
            "documents": labels,
            "deadline": answer_deadline.isoformat(),
        }
        event = change_status(locked, "ask_documents", actor=actor, payload=payload)
        store_decision_due(locked, actor=actor, reason="documents_requested")
        notify_citizen_on_commit(event)
    return locked


def request_receive_documents(
    *,
    request: ServiceRequest,
    actor: User | None = None,
    answered_on: date | None = None,
    seen_event_id: int | None = None,
) -> ServiceRequest:
    """The pieces asked arrived on `answered_on` (today by default; earlier for a letter entered
    late): the request goes back to instruction and its clock restarts or resumes. `actor` is
    the agent who records them, or None when the citizen sends them online."""
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        today = timezone.localdate()
        document_request = open_document_request(locked)
        if locked.status != Status.AWAITING_CITIZEN or document_request is None:
            raise TransitionRefused("Aucune pièce n'est attendue pour cette demande.")
        answered_on = answered_on or today
        if not document_request.asked_on <= answered_on <= today:
            raise ValidationError(
                "La date de réception des pièces doit être entre leur demande et aujourd'hui."
            )
        document_request.answered_on = answered_on
        document_request.save(update_fields=["answered_on"])
        payload = {
            "document_request_id": document_request.pk,
            "answered_on": answered_on.isoformat(),
            "late": answered_on > document_request.answer_deadline,
        }
        event = change_status(locked, "receive_documents", actor=actor, payload=payload)
        store_decision_due(locked, actor=actor, reason="documents_received")
        notify_citizen_on_commit(event)
    return locked


def request_mark_complete(
    *,
    request: ServiceRequest,
    actor: User,
    completed_on: date | None = None,
    seen_event_id: int | None = None,
) -> ServiceRequest:
    """The agent finds the file complete on `completed_on` (today by default). Pieces still
    awaited count as received that day, whatever way they came (a letter, the counter): an
    acceptance delay runs again from then (L114-5)."""
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        today = timezone.localdate()
        if locked.status not in OPEN_STATES:
            raise TransitionRefused("Cette demande n'est plus en cours.")
        completed_on = completed_on or today
        if not locked.received_on <= completed_on <= today:
            raise ValidationError(
                "La date à laquelle le dossier est complet doit être entre sa réception et "
                "aujourd'hui."
            )
        document_request = open_document_request(locked)
        if document_request is not None:
            if completed_on < document_request.asked_on:
                raise ValidationError(
                    "Des pièces ont été demandées après cette date : le dossier n'était pas "
                    "complet."
                )
            document_request.answered_on = completed_on
            document_request.save(update_fields=["answered_on"])
        locked.completed_on = completed_on
        payload = {
            "completed_on": completed_on.isoformat(),
            "document_request_id": document_request.pk if document_request else None,
        }
        event = change_status(
            locked, "mark_complete", actor=actor, payload=payload, fields=("completed_on",)
        )
        store_decision_due(locked, actor=actor, reason="completed")
        notify_citizen_on_commit(event)
    return locked
