"""Helpers the request services share: the row lock, the event, the generated PDF kept as a
document. Side effects go through the outbox (service_requests.outbox.enqueue)."""

import hashlib

from django.core.files.base import ContentFile

from gru.models import User
from service_requests.errors import StaleRequest, TransitionRefused
from service_requests.lifecycle import check_payload
from service_requests.models import Document, Event, ServiceRequest
from webhooks import outbox as webhooks_outbox


def lock(request: ServiceRequest) -> ServiceRequest:
    """The request's row, locked until the transaction ends, as it is now in the database.

    Every service that changes a request's status or dates takes this lock first, and the
    implicit-decision sweep skips locked rows: whoever holds the row decides, the other then
    sees the result (the sweep re-checks, a service's guard refuses)."""
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("form_version", "procedure")
        .get(pk=request.pk)
    )


def check_fresh(locked: ServiceRequest, seen_event_id: int | None) -> None:
    """Refuse to act on a request whose timeline grew since the agent's screen showed it (its
    last event then was `seen_event_id`): two agents acting at once never overwrite each
    other, the second is shown what changed. None: the caller saw nothing (a sweep, a
    citizen's link), nothing to compare."""
    if seen_event_id is None:
        return
    changes = list(
        locked.events.filter(pk__gt=seen_event_id).select_related("actor").order_by("id")
    )
    if seen_event_id and not locked.events.filter(pk=seen_event_id).exists():
        # Not an entry of this request's timeline: a forged or mangled form, not a screen.
        raise TransitionRefused("Rechargez la page de la demande avant d'agir.")
    if changes:
        raise StaleRequest(
            "Cette demande a changé depuis que vous l'avez ouverte : voici ce qui s'est passé. "
            "Vérifiez, puis recommencez si c'est toujours utile.",
            changes,
        )


def record(
    request: ServiceRequest,
    kind: str,
    *,
    actor: User | None = None,
    payload: dict | None = None,
    citizen_sees: bool = False,
    save: bool = True,
) -> Event:
    """The event, checked and saved (or, with `save=False`, returned unsaved, for a caller
    who inserts several at once)."""
    payload = payload or {}
    check_payload(kind, payload)
    visibility = Event.Visibility.CITIZEN if citizen_sees else Event.Visibility.INTERNAL
    event = Event(request=request, kind=kind, actor=actor, visibility=visibility, payload=payload)
    if save:
        event.save()
        webhooks_outbox.on_event(event)
    return event


def store_pdf(
    request: ServiceRequest, *, kind: str, name: str, content: bytes, written: list | None = None
) -> Document:
    """A generated PDF (receipt, attestation, notice) kept privately as a document the citizen
    sees. `written` collects the storage name, for a caller whose transaction may roll back."""
    document = Document(
        request=request,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        visible_to_citizen=True,
    )
    document.file.save(name, ContentFile(content), save=False)
    if written is not None:
        written.append(document.file.name)
    document.save()
    return document
