"""Exchanges about a request: messages between the citizen and the agents, with their files,
the pieces the citizen sends when asked, and the citizen's opinion once it is closed.

Files are checked on their content (forms_builder.uploads) before anything is written; then
the message, its documents and its event are one transaction. A file written to the storage
by a transaction that rolls back is deleted, so that a refusal leaves nothing behind.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forms_builder import uploads
from gru.models import User
from service_requests.models import (
    FINAL_STATES,
    Document,
    DocumentRequest,
    EventKind,
    Message,
    SatisfactionAnswer,
    ServiceRequest,
    Status,
)
from service_requests.services._common import lock, record
from service_requests.services.agent_notifications import agents_notify_of_event
from service_requests.services.errors import TransitionRefused
from service_requests.services.notifications import notify_citizen_on_commit

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 5000
ATTACHMENT_KINDS = tuple(uploads.KINDS)  # PDF, JPEG, PNG, HEIC (phone photos), WebP
ATTACHMENT_MAX_SIZE_MB = uploads.DEFAULT_MAX_SIZE_MB
MAX_ATTACHMENTS = 5  # with one message
MAX_FILES_PER_PIECE = 5  # for one piece asked (a document scanned page by page)
DOCUMENTS_FOLDER = "documents"


class UploadsRefused(ValidationError):
    """Files refused, with one French message per problem; `by_field` maps each field (a key
    of the caller's) to its messages. Nothing was written."""

    def __init__(self, by_field: Mapping[str, list[str]]):
        self.by_field = {key: list(messages) for key, messages in by_field.items() if messages}
        super().__init__([m for messages in self.by_field.values() for m in messages])


def attachments_rules() -> str:
    """What the citizen reads before choosing files."""
    return _(
        "Formats acceptés : %(formats)s. Taille maximale : %(size)s Mo par fichier, "
        "%(count)s fichiers au plus."
    ) % {
        "formats": uploads.formats_label(ATTACHMENT_KINDS),
        "size": ATTACHMENT_MAX_SIZE_MB,
        "count": MAX_ATTACHMENTS,
    }


def accept_attribute() -> str:
    """The file input's `accept`: MIME types and extensions, for the phones that only know one."""
    kinds = [uploads.KINDS[key] for key in ATTACHMENT_KINDS]
    values = [mime for kind in kinds for mime in kind.mime_types]
    values += [f".{ext}" for kind in kinds for ext in kind.extensions]
    return ",".join(values)


def check_files(files: Iterable[Any], *, max_files: int) -> tuple[list, list[str]]:
    return uploads.validate_uploads(
        files, accept=ATTACHMENT_KINDS, max_size_mb=ATTACHMENT_MAX_SIZE_MB, max_files=max_files
    )


def _store(
    request: ServiceRequest,
    checked: uploads.ValidatedFile,
    *,
    message: Message | None,
    author: User | None,
    written: list[str],
) -> Document:
    """Keep a checked file privately as the request's document, under a random name (the
    citizen's name only goes in `original_name`)."""
    sha256, size = checked.fingerprint()
    ext = uploads.KINDS[checked.kind].extensions[0]
    key = f"{DOCUMENTS_FOLDER}/{timezone.localdate():%Y/%m}/{secrets.token_urlsafe(24)}.{ext}"
    key = default_storage.save(key, checked.file)
    written.append(key)
    return Document.objects.create(
        request=request,
        message=message,
        kind=Document.Kind.UPLOAD,
        file=key,
        original_name=checked.name,
        content_type=checked.content_type,
        size=size,
        sha256=sha256,
        visible_to_citizen=True,
        uploaded_by=author,
    )


def _delete(keys: Iterable[str]) -> None:
    for key in keys:
        try:
            default_storage.delete(key)
        except OSError:
            logger.warning("file %s could not be deleted", key, exc_info=True)


def _checked_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise TransitionRefused(_("Écrivez votre message avant de l'envoyer."))
    if len(body) > MAX_MESSAGE_LENGTH:
        raise TransitionRefused(
            _("Votre message dépasse %(max)s caractères : raccourcissez-le.")
            % {"max": MAX_MESSAGE_LENGTH}
        )
    return body


def _post(
    *,
    request: ServiceRequest,
    body: str,
    direction: str,
    author: User | None,
    files: Sequence[uploads.ValidatedFile],
    idempotency_key: uuid.UUID | None = None,
) -> Message:
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = lock(request)
            if locked.status in {Status.DRAFT, Status.WITHDRAWN}:
                raise TransitionRefused(_("Cette demande n'accepte plus de message."))
            if idempotency_key is not None:
                # The row lock orders twin POSTs: the second finds the first one's event.
                twin = locked.events.filter(
                    kind=EventKind.MESSAGE, payload__idempotency_key=str(idempotency_key)
                ).first()
                if twin is not None:
                    return Message.objects.get(pk=twin.payload["message_id"])
            message = Message.objects.create(
                request=locked, author=author, direction=direction, body=body
            )
            documents = [
                _store(locked, checked, message=message, author=author, written=written)
                for checked in files
            ]
            payload = {
                "message_id": message.pk,
                "direction": direction,
                "documents": [document.pk for document in documents],
            }
            if idempotency_key is not None:
                payload["idempotency_key"] = str(idempotency_key)
            event = record(
                locked, EventKind.MESSAGE, actor=author, payload=payload, citizen_sees=True
            )
            notify_citizen_on_commit(event)
            # Agents' emails (issue 10, point 11): a citizen's message tells the agents.
            agents_notify_of_event(event)
    except BaseException:
        _delete(written)
        raise
    return message


def message_post_from_citizen(
    *,
    request: ServiceRequest,
    body: str,
    author: User | None = None,
    files: Iterable[Any] = (),
    idempotency_key: uuid.UUID | None = None,
) -> Message:
    """The citizen writes about their request, with files if they like (up to
    MAX_ATTACHMENTS, checked on their content: UploadsRefused names each problem, under the
    key "files", and nothing is stored). `author` is the signed-in user, if any (tracking links
    work without one). The same `idempotency_key` twice (a double click, a replayed POST)
    returns the first message and writes nothing more."""
    body = _checked_body(body)
    checked, errors = check_files(files, max_files=MAX_ATTACHMENTS)
    if errors:
        raise UploadsRefused({"files": errors})
    author = author if author is not None and author.is_authenticated else None
    return _post(
        request=request,
        body=body,
        direction=Message.Direction.FROM_CITIZEN,
        author=author,
        files=checked,
        idempotency_key=idempotency_key,
    )


def message_post_from_agent(
    request: ServiceRequest, author: User, body: str, files: Iterable[Any] = ()
) -> Message:
    """An agent writes to the citizen (the back office calls this), with files checked as the
    citizen's are. The citizen is emailed on commit, if they wish to be (notifications)."""
    body = _checked_body(body)
    checked, errors = check_files(files, max_files=MAX_ATTACHMENTS)
    if errors:
        raise UploadsRefused({"files": errors})
    return _post(
        request=request,
        body=body,
        direction=Message.Direction.TO_CITIZEN,
        author=author,
        files=checked,
    )


def documents_send_from_citizen(
    *,
    request: ServiceRequest,
    document_request_id: int,
    files_by_piece: Mapping[int, Iterable[Any]],
    author: User | None = None,
) -> Message:
    """The citizen sends the pieces asked, all in one go: at least one file for each piece,
    each file checked; a refusal (UploadsRefused, keyed by the piece's index) stores nothing.
    The files come as a message listing them piece by piece, so that the agent sees which is
    which, and the documents request is answered today through `request_receive_documents`
    (the request goes back to instruction, its clock restarts or resumes)."""
    from service_requests.services.due_dates import request_receive_documents

    document_request = DocumentRequest.objects.filter(
        pk=document_request_id, request=request, answered_on__isnull=True
    ).first()
    if document_request is None or request.status != Status.AWAITING_CITIZEN:
        raise TransitionRefused(
            _(
                "Aucune pièce n'est attendue pour cette demande : elles ont peut-être déjà "
                "été reçues."
            )
        )
    checked_by_piece, errors = {}, {}
    for index, label in enumerate(document_request.pieces):
        files = [f for f in files_by_piece.get(index, ()) if f is not None]
        if not files:
            errors[index] = [_("Joignez un fichier pour « %(piece)s ».") % {"piece": label}]
            continue
        checked, refused = check_files(files, max_files=MAX_FILES_PER_PIECE)
        checked_by_piece[index] = checked
        errors[index] = refused
    if any(errors.values()):
        raise UploadsRefused(errors)
    author = author if author is not None and author.is_authenticated else None
    lines = [_("Pièces envoyées :")]
    for index, label in enumerate(document_request.pieces):
        names = ", ".join(checked.name for checked in checked_by_piece[index])
        lines.append(f"- {label} : {names}")
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = lock(request)
            still_open = DocumentRequest.objects.filter(
                pk=document_request.pk, answered_on__isnull=True
            ).exists()
            if not still_open or locked.status != Status.AWAITING_CITIZEN:
                # Sent meanwhile from another tab, or by a double click.
                raise TransitionRefused(
                    _("Ces pièces ont déjà été reçues : il n'y a rien d'autre à envoyer.")
                )
            message = Message.objects.create(
                request=locked,
                author=author,
                direction=Message.Direction.FROM_CITIZEN,
                body="\n".join(lines),
            )
            documents = [
                _store(locked, checked, message=message, author=author, written=written)
                for index in sorted(checked_by_piece)
                for checked in checked_by_piece[index]
            ]
            payload = {
                "message_id": message.pk,
                "direction": message.direction,
                "documents": [document.pk for document in documents],
                "document_request_id": document_request.pk,
            }
            event = record(
                locked, EventKind.MESSAGE, actor=author, payload=payload, citizen_sees=True
            )
            # Agents' emails (issue 10, point 11): the pieces sent tell the agents.
            agents_notify_of_event(event)
            request_receive_documents(request=locked, actor=author)
    except BaseException:
        _delete(written)
        raise
    return message


# --- Satisfaction ------------------------------------------------------------------------------

SATISFACTION_STATES = FINAL_STATES - {Status.WITHDRAWN}


def may_answer_satisfaction(request: ServiceRequest) -> bool:
    """Once the request is closed: decided (explicitly or not) or closed by the service. Not
    after the citizen withdrew it: its handling did not end."""
    return request.status in SATISFACTION_STATES


def satisfaction_record(
    *, request: ServiceRequest, rating: int, comment: str = ""
) -> SatisfactionAnswer:
    """The citizen's opinion, once per request (the unique constraint settles twin POSTs)."""
    if not may_answer_satisfaction(request):
        raise TransitionRefused(
            _("Vous pourrez donner votre avis une fois votre demande terminée.")
        )
    if not 1 <= int(rating) <= 5:
        raise ValidationError(_("Choisissez une note de 1 à 5."))
    comment = comment.strip()
    if len(comment) > SatisfactionAnswer.COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("Votre commentaire dépasse %(max)s caractères.")
            % {"max": SatisfactionAnswer.COMMENT_MAX_LENGTH}
        )
    already = _("Vous avez déjà donné votre avis sur cette demande. Merci !")
    if SatisfactionAnswer.objects.filter(request=request).exists():
        raise TransitionRefused(already)
    try:
        with transaction.atomic():
            return SatisfactionAnswer.objects.create(
                request=request, rating=int(rating), comment=comment
            )
    except IntegrityError:
        raise TransitionRefused(already) from None


def messages_mark_read_by_citizen(*, messages: list[Message]) -> int:
    """The agents' messages the citizen has just seen on the tracking page are read."""
    unread = [
        message.pk
        for message in messages
        if message.direction == Message.Direction.TO_CITIZEN and message.read_at is None
    ]
    if not unread:
        return 0
    return Message.objects.filter(pk__in=unread, read_at__isnull=True).update(
        read_at=timezone.now()
    )
