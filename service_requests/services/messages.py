"""Messages between a citizen and the agents about a request."""

from django.db import transaction

from gru.models import User
from service_requests.models import EventKind, Message, ServiceRequest, Status
from service_requests.services._common import record
from service_requests.services.errors import TransitionRefused

MAX_MESSAGE_LENGTH = 5000


@transaction.atomic
def message_post_from_citizen(
    *, request: ServiceRequest, body: str, author: User | None = None
) -> Message:
    """The citizen writes about their request. Recorded on the timeline in the same
    transaction. `author` is the signed-in user, if any (tracking links work without one)."""
    body = body.strip()
    if not body:
        raise TransitionRefused("Écrivez votre message avant de l'envoyer.")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise TransitionRefused(
            f"Votre message dépasse {MAX_MESSAGE_LENGTH} caractères : raccourcissez-le."
        )
    if request.status in {Status.DRAFT, Status.WITHDRAWN}:
        raise TransitionRefused("Cette demande n'accepte plus de message.")
    author = author if author is not None and author.is_authenticated else None
    message = Message.objects.create(
        request=request, author=author, direction=Message.Direction.FROM_CITIZEN, body=body
    )
    record(
        request,
        EventKind.MESSAGE,
        actor=author,
        payload={"message_id": message.pk, "direction": message.direction},
        citizen_sees=True,
    )
    return message
