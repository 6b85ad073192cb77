"""What the citizen is told by email as their request moves: a citizen-visible status change, a
message from an agent, a documents request, an explicit decision. Each is one event of the
timeline: the service that writes the event calls `notify_citizen_on_commit(event)` in its
transaction, which writes the outbox row of the email; once the transaction commits the worker
sends it, once per event (`NotificationSent` keyed on the event), retried for a day while the
mail server refuses (service_requests.outbox).

What this does not send: the receipt (receipts.py) and the implicit decision (notices.py) have
their own emails; the documents request and the decision always go, whatever the citizen
chose, for they have legal effects (a deadline, the start of the appeal delays); status changes
and messages only when `Citizen.email_updates` is on. The emails link to the request's page,
never to the secret link: only the receipt email carries it (receipts.secret_link_url).
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from service_requests import outbox
from service_requests.models import (
    PUBLIC_STATUS,
    DocumentRequest,
    Event,
    EventKind,
    EventVisibility,
    Message,
    NotificationSent,
    ServiceRequest,
    Status,
)
from service_requests.selectors import citizen_email_of
from service_requests.services.notices import _letter_context, _message

# Timeline entries that change the status and tell the citizen in an email of their own (the
# receipt, the implicit decision, the documents request, the decision): no status-change email
# for them. A withdrawal gets one, worded for it: the citizen keeps a trace that the request is
# « Retirée », whether they withdrew it online or asked an agent to.
OWN_EMAIL = frozenset(
    {
        EventKind.SUBMITTED,
        EventKind.IMPLICIT_DECISION,
        EventKind.DOCUMENTS_REQUESTED,
        EventKind.DECISION,
    }
)
# Sent whatever the citizen chose: they have legal effects.
ALWAYS_SENT = frozenset({NotificationSent.Kind.DOCUMENTS_REQUESTED, NotificationSent.Kind.DECISION})
TEMPLATES = {
    NotificationSent.Kind.STATUS_CHANGED: "status_changed",
    NotificationSent.Kind.AGENT_MESSAGE: "agent_message",
    NotificationSent.Kind.DOCUMENTS_REQUESTED: "documents_requested",
    NotificationSent.Kind.DECISION: "decision",
}


def _public_status_changed(event: Event) -> bool:
    before, after = event.payload.get("from"), event.payload.get("to")
    if not after:
        return False
    return PUBLIC_STATUS.get(before) != PUBLIC_STATUS.get(after)


def notification_kind_of(event: Event) -> str | None:
    """The email an event calls for, or None: only citizen-visible events are told."""
    if event.visibility != EventVisibility.CITIZEN:
        return None
    if event.kind == EventKind.DECISION:
        return NotificationSent.Kind.DECISION
    if event.kind == EventKind.DOCUMENTS_REQUESTED:
        return NotificationSent.Kind.DOCUMENTS_REQUESTED
    if event.kind == EventKind.MESSAGE:
        if event.payload.get("direction") == Message.Direction.TO_CITIZEN:
            return NotificationSent.Kind.AGENT_MESSAGE
        return None
    if event.kind not in OWN_EMAIL and _public_status_changed(event):
        return NotificationSent.Kind.STATUS_CHANGED
    return None


def notify_citizen_on_commit(event: Event) -> None:
    """For the services, in the transaction that wrote `event`: the outbox row of the email it
    calls for, if any, sent once the transaction commits. Nothing is written when it calls for
    none (an internal event, a citizen's own message)."""
    if notification_kind_of(event) is None:
        return
    from service_requests import tasks

    outbox.enqueue(tasks.notify_citizen, event.pk, request_id=event.request_id)


def wants_updates(request: ServiceRequest) -> bool:
    """The citizen's choice; an anonymous requester gave their address to be told."""
    return request.citizen is None or request.citizen.email_updates


def _context(event: Event, kind: str) -> dict:
    from service_requests.services.receipts import tracking_page_url

    request = event.request
    context = _letter_context(request) | {
        "event": event,
        "tracking_url": tracking_page_url(request),
        "lookup_url": settings.SITE_URL + reverse("service_requests:lookup"),
        "public_status": request.public_status,
    }
    if kind == NotificationSent.Kind.STATUS_CHANGED:
        context["new_status"] = PUBLIC_STATUS.get(event.payload.get("to"))
        context["withdrawn"] = event.kind == EventKind.WITHDRAWN
        context["withdrawn_by_agent"] = event.payload.get("by") == "agent"
    elif kind == NotificationSent.Kind.DOCUMENTS_REQUESTED:
        from service_requests.legal_dates import due_date_text

        context["document_request"] = DocumentRequest.objects.filter(
            pk=event.payload.get("document_request_id")
        ).first()
        # What the request for pieces does to the legal date, as the tracking page says it.
        due = due_date_text(request)
        context["decision_sentence"] = due.sentence if due else ""
    elif kind == NotificationSent.Kind.AGENT_MESSAGE:
        message = (
            Message.objects.filter(pk=event.payload.get("message_id"))
            .prefetch_related("documents")
            .first()
        )
        context["message"] = message
        context["attachment_count"] = len(message.documents.all()) if message else 0
    elif kind == NotificationSent.Kind.DECISION:
        context["outcome"] = event.payload.get("outcome")
        context["motive"] = event.payload.get("motive", "")
        context["accepted"] = event.payload.get("to") == Status.ACCEPTED
        context["partially"] = event.payload.get("to") == Status.PARTIALLY_ACCEPTED
        context["letter_attached"] = bool(event.payload.get("letter_document_id"))
        actor = event.actor
        # Who decided, as letters to the citizen must say (L111-2).
        context["decided_by"] = actor if actor and actor.get_full_name() else None
    return context


def _attach_letter(message, request: ServiceRequest, document_id: int | None) -> None:
    """The decision letter goes with its email: the citizen holds the decision itself."""
    document = request.documents.filter(pk=document_id).first() if document_id else None
    if document is not None:
        with document.file.open("rb") as handle:
            message.attach(document.original_name, handle.read(), document.content_type)


def event_notify_citizen(*, event_id: int) -> bool:
    """Email the citizen about one event of their request, once; return whether it went.
    Nothing goes when the event calls for no email, when nobody can be written to, or for a
    status change or a message when the citizen asked not to be told."""
    event = (
        Event.objects.select_related(
            "actor",
            "request__form_version",
            "request__procedure",
            "request__team",
            "request__assignee",
            "request__citizen",
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return False
    kind = notification_kind_of(event)
    if kind is None:
        return False
    request = event.request
    if kind not in ALWAYS_SENT and not wants_updates(request):
        return False
    to = citizen_email_of(request)
    if not to:
        return False
    message = _message(f"citizen/{TEMPLATES[kind]}", _context(event, kind), to)
    if kind == NotificationSent.Kind.DECISION:
        _attach_letter(message, request, event.payload.get("letter_document_id"))
    with transaction.atomic():
        _, created = NotificationSent.objects.get_or_create(
            request=request,
            kind=kind,
            event=event,
            defaults={"due_on": timezone.localdate(event.created_at)},
        )
        if created:
            message.send()
    return created
