"""The event kinds a subscriber may choose, and the timeline events each stands for.

One timeline event gives at most one webhook kind: a decision is `request.decided`, not also
`request.status_changed`; a subscriber who wants every status change subscribes to the three.
"""

from django.db import models

from service_requests.models import EventKind, MessageDirection


class WebhookKind(models.TextChoices):
    FILED = "request.filed", "Demande déposée"
    ROUTED = "request.routed", "Demande orientée (ou transférée) vers une équipe"
    STATUS_CHANGED = "request.status_changed", "Changement de statut (hors décision)"
    CITIZEN_MESSAGE = "message.from_citizen", "Message de l'usager"
    DECIDED = "request.decided", "Décision"
    DECIDED_IMPLICITLY = "request.decided_implicitly", "Décision implicite"


# Timeline kinds that change the status without being a filing or a decision.
STATUS_CHANGE_EVENTS = frozenset(
    {
        EventKind.STATUS_CHANGED,
        EventKind.DOCUMENTS_REQUESTED,
        EventKind.DOCUMENTS_RECEIVED,
        EventKind.COMPLETED,
        EventKind.WITHDRAWN,
        EventKind.CLOSED,
        EventKind.REOPENED,
    }
)

_BY_EVENT = {
    EventKind.SUBMITTED: WebhookKind.FILED,
    EventKind.ROUTED: WebhookKind.ROUTED,
    EventKind.TRANSFERRED: WebhookKind.ROUTED,
    EventKind.DECISION: WebhookKind.DECIDED,
    EventKind.IMPLICIT_DECISION: WebhookKind.DECIDED_IMPLICITLY,
    **dict.fromkeys(STATUS_CHANGE_EVENTS, WebhookKind.STATUS_CHANGED),
}


def webhook_kind(event_kind: str, payload: dict) -> str | None:
    """The webhook kind of a timeline event of `event_kind` with `payload`, or None."""
    if event_kind == EventKind.MESSAGE:
        if payload.get("direction") == MessageDirection.FROM_CITIZEN:
            return WebhookKind.CITIZEN_MESSAGE.value
        return None
    kind = _BY_EVENT.get(event_kind)
    return kind.value if kind is not None else None
