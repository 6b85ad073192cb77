"""The citizen's own requests from their account: joining an anonymous request to the
account on proof (its secret link, or a verified email), and discarding a draft.

An anonymous request joins an account only on proof that the account's holder filed it
(DESIGN.md, Identity): the tracking secret the browser session holds, or an email address the
account verified that is the request's contact address. An email stored unverified (the one
FranceConnect returns is no proof, LEGAL.md §3) never is.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.functions import Lower

from gru.models import User
from service_requests.drafts import stored_file_keys
from service_requests.identifiers import new_tracking_token
from service_requests.models import (
    Document,
    Event,
    Interaction,
    Message,
    ServiceRequest,
    Status,
)
from service_requests.services._common import record
from service_requests.services.errors import TransitionRefused
from service_requests.services.filing import citizen_for_user, uploads_discard

PROOF_SECRET = "tracking_secret"  # noqa: S105 (the name of a proof, not a secret)
PROOF_VERIFIED_EMAIL = "verified_email"
PROOFS = frozenset({PROOF_SECRET, PROOF_VERIFIED_EMAIL})

ALREADY_LINKED = "Cette demande est déjà rattachée à un autre compte."
NO_PROOF = (
    "Cette demande ne peut pas être rattachée à votre compte : son adresse de contact n'est "
    "pas une adresse vérifiée de votre compte."
)


def _email_verified(user: User, address: str) -> bool:
    if not address:
        return False
    return (
        EmailAddress.objects.filter(user=user, verified=True)
        .alias(email_lower=Lower("email"))
        .filter(email_lower=address.lower())
        .exists()
    )


def request_link_to_account(*, request: ServiceRequest, user: User, proof: str) -> bool:
    """Join an anonymous request to the user's citizen record (created from the account when
    missing); True when it was joined now, False when it already was theirs.

    `proof` says how the caller established that the user filed it: `PROOF_SECRET` when the
    request came from the browser session's tracking grants (the caller's check),
    `PROOF_VERIFIED_EMAIL`, checked again here against the account's verified addresses.
    Refused when the request belongs to another citizen, is a draft, or the proof fails."""
    if proof not in PROOFS:
        raise ValueError(f"unknown proof {proof!r}")
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        if locked.status == Status.DRAFT:
            raise TransitionRefused("Un brouillon ne peut pas être rattaché.")
        citizen = citizen_for_user(user)
        if locked.citizen_id == citizen.pk:
            return False
        if locked.citizen_id is not None:
            raise TransitionRefused(ALREADY_LINKED)
        if proof == PROOF_VERIFIED_EMAIL and not _email_verified(user, locked.contact_email):
            raise TransitionRefused(NO_PROOF)
        locked.citizen = citizen
        # The old secret link dies with the anonymity (issue 13, item 13): it may sit in an
        # email, a browser history or on a shared computer, and the account now opens it.
        locked.tracking_token = new_tracking_token()
        locked._history_user = user
        locked.save(update_fields=["citizen", "tracking_token", "updated_at"])
        record(
            locked,
            Event.Kind.LINKED_TO_ACCOUNT,
            actor=user,
            payload={"proof": proof, "citizen": citizen.pk},
            citizen_sees=True,
        )
    request.citizen = citizen
    return True


def draft_discard(*, draft: ServiceRequest, user: User) -> bool:
    """The citizen deletes one of their drafts, with its uploads and its field history (a
    draft was never filed: nothing of it is kept). False when it is no longer a draft of
    theirs (sent from another tab meanwhile, or purged)."""
    try:
        with transaction.atomic():
            locked = (
                ServiceRequest.objects.select_for_update(of=("self",))
                .select_related("form_version")
                .filter(pk=draft.pk, status=Status.DRAFT, citizen__user=user)
                .first()
            )
            if locked is None:
                return False
            has_timeline = any(
                model.objects.filter(request=locked).exists()
                for model in (Event, Message, Interaction)
            )
            if has_timeline:  # the append-only audit is never deleted
                raise TransitionRefused("Ce brouillon ne peut pas être supprimé.")
            uploads = list(Document.objects.filter(request=locked))
            files = [document.file.name for document in uploads if document.file]
            answered_files = stored_file_keys(locked.form_version.schema, locked.data or {})
            Document.objects.filter(pk__in=[document.pk for document in uploads]).delete()
            locked.delete()
            # The field history keeps whole copies of the answers: a deleted draft leaves none.
            ServiceRequest.history.filter(id=draft.pk).delete()
            if files:
                storage = Document._meta.get_field("file").storage
                transaction.on_commit(lambda: [storage.delete(name) for name in files], robust=True)
            if answered_files:
                transaction.on_commit(lambda: uploads_discard(answered_files), robust=True)
    except ProtectedError as exc:
        raise TransitionRefused("Ce brouillon ne peut pas être supprimé.") from exc
    return True
