"""Filing: uploads kept privately while a form is filled, signed-in citizens' drafts, and the
submission that turns the answers into a request.

`request_submit` is one transaction: the answers checked again, the request (or the draft
turned into it), its documents, its "submitted" and "routed" events, its implicit decision
date; on commit, the task that makes the receipt PDF and emails it is enqueued. It is
idempotent on the key the review page carries: a double click, a refresh or a replayed POST
gets the request the first one made, and nothing is created twice.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from citizens.models import Channel, Citizen, Organisation
from forms_builder.engine import FormRun, IncompleteForm
from forms_builder.models import FormVersion, Procedure
from forms_builder.uploads import KINDS, ValidatedFile
from gru.models import User
from service_requests import drafts
from service_requests.identifiers import new_reference, new_tracking_token, unique_reference
from service_requests.lifecycle import change_status
from service_requests.models import (
    Document,
    Event,
    ServiceRequest,
    Status,
)
from service_requests.routing import route, routed_payload
from service_requests.selectors import decision_date_of
from service_requests.services._common import record
from service_requests.services.errors import TransitionRefused
from webhooks import outbox as webhooks_outbox

logger = logging.getLogger(__name__)

UPLOAD_FOLDER = "uploads"
REFERENCE_ATTEMPTS = 3


# --- Uploads -----------------------------------------------------------------------------------


def upload_store(upload: ValidatedFile) -> dict:
    """Save a checked upload in the private storage under a random name (never the citizen's:
    the name only goes in the descriptor) and return its descriptor for the answers. The
    engine calls this as soon as the file's page validates.

    Files of a form never sent (an anonymous session that expired, a draft purged) are
    referenced by no Document: a cleanup of `uploads/` older than the session lifetime and
    absent from Documents and drafts is still to write."""
    sha256, size = upload.fingerprint()
    now = timezone.localdate()
    key = f"{UPLOAD_FOLDER}/{now:%Y/%m}/{secrets.token_urlsafe(24)}"
    key = default_storage.save(key, upload.file)
    return {**upload.descriptor(), "size": size, "key": key, "sha256": sha256}


def uploads_discard(keys: Iterable[str]) -> None:
    """Delete stored uploads that no answer refers to any more (replaced, removed, or of a
    field the answers now hide). A failure is logged, never shown to the citizen."""
    for key in keys:
        if not key.startswith(f"{UPLOAD_FOLDER}/"):
            continue  # only what upload_store wrote
        try:
            default_storage.delete(key)
        except OSError:
            logger.warning("upload %s could not be deleted", key, exc_info=True)


def _discard_on_commit(keys: set[str]) -> None:
    if keys:
        transaction.on_commit(lambda: uploads_discard(keys), robust=True)


# --- Drafts of signed-in citizens ------------------------------------------------------------


def citizen_for_user(user: User) -> Citizen:
    """The user's citizen record, created from the account's names and email when missing."""
    citizen = Citizen.objects.filter(user=user).first()
    if citizen is not None:
        return citizen
    try:
        with transaction.atomic():
            return Citizen.objects.create(
                user=user,
                given_names=user.first_name,
                family_name=user.last_name,
                email=user.email,
            )
    except IntegrityError:  # created meanwhile by another request of the same user
        return Citizen.objects.get(user=user)


def draft_save(
    *,
    user: User,
    procedure: Procedure,
    version: FormVersion,
    answers: Mapping[str, Any],
    draft: ServiceRequest | None = None,
    idempotency_key: str | None = None,
    discard: Iterable[str] = (),
) -> ServiceRequest:
    """Save a signed-in citizen's answers in their draft (created on the first page), and
    delete the uploads listed in `discard` once saved. `idempotency_key` is set when the
    review page gives the draft the key its submission will carry."""
    with transaction.atomic():
        if draft is None:
            citizen = citizen_for_user(user)
            draft = ServiceRequest(
                procedure=procedure,
                form_version=version,
                citizen=citizen,
                status=Status.DRAFT,
                channel=Channel.WEB,
                tracking_token=new_tracking_token(),
                data=dict(answers),
            )
            _insert(draft)
        else:
            draft = (
                ServiceRequest.objects.select_for_update(of=("self",))
                .select_related("form_version", "citizen")
                .filter(pk=draft.pk, status=Status.DRAFT)
                .first()
            )
            if draft is None:  # sent from another tab meanwhile, or purged
                raise TransitionRefused(
                    "Cette demande a déjà été envoyée ou n'existe plus : reprenez la démarche."
                )
            draft.data = dict(answers)
            fields = ["data", "updated_at"]
            if idempotency_key is not None and draft.idempotency_key is None:
                draft.idempotency_key = idempotency_key
                fields.append("idempotency_key")
            draft.save(update_fields=fields)
        _discard_on_commit(set(discard))
    return draft


def draft_start_from(
    *,
    user: User,
    procedure: Procedure,
    version: FormVersion,
    earlier: ServiceRequest,
    profile,
    organisations: list[Organisation] = (),
) -> ServiceRequest:
    """A new draft prefilled as a new form is (`drafts.prefill`: the citizen's profile, the
    organisation they represent) and, over it, the answers of one of their earlier requests
    that the form allows to carry over (`carry_over` fields)."""
    run = FormRun(version.schema, profile=profile[0], locked=profile[1])
    prefilled = drafts.prefill(run, profile[0], list(organisations))
    answers = {**prefilled, **run.carry_over(earlier.data)}
    return draft_save(user=user, procedure=procedure, version=version, answers=answers)


# --- Submission -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    request: ServiceRequest
    created: bool  # False: the key had been used, this is the request it made


def _insert(request: ServiceRequest) -> bool:
    """Insert `request` under a fresh reference; False when its idempotency key is taken (the
    same submission, committed by another request meanwhile). A savepoint keeps the caller's
    transaction usable after the unique violation."""
    for _attempt in range(REFERENCE_ATTEMPTS):
        request.reference = unique_reference(
            lambda ref: ServiceRequest.objects.filter(reference=ref).exists()
        )
        try:
            with transaction.atomic():
                request.save(force_insert=True)
            return True
        except IntegrityError:
            key = request.idempotency_key
            if key and ServiceRequest.objects.filter(idempotency_key=key).exists():
                return False
            if not ServiceRequest.objects.filter(reference=request.reference).exists():
                raise
    raise IntegrityError("no free reference")


def _without_storage_keys(schema: dict, data: dict) -> dict:
    """The data as first inserted, before its files are documents: names, kinds, sizes."""
    data = dict(data)
    for field_id in drafts.file_field_ids(schema):
        if data.get(field_id):
            data[field_id] = [
                {key: d[key] for key in ("name", "kind", "size") if key in d}
                for d in data[field_id]
            ]
    return data


def _existing(idempotency_key) -> ServiceRequest | None:
    return (
        ServiceRequest.objects.exclude(status=Status.DRAFT)
        .filter(idempotency_key=idempotency_key)
        .first()
    )


def _document(
    request: ServiceRequest, descriptor: Mapping[str, Any], actor: User | None
) -> Document:
    """The Document of a file `upload_store` kept (the stored file itself, not a copy),
    unsaved: the caller inserts them all at once."""
    document = Document(
        request=request,
        kind=Document.Kind.UPLOAD,
        original_name=descriptor["name"],
        content_type=KINDS[descriptor["kind"]].content_type,
        size=descriptor["size"],
        sha256=descriptor["sha256"],
        visible_to_citizen=True,
        uploaded_by=actor,
    )
    document.file.name = descriptor["key"]
    return document


def _documents(
    request: ServiceRequest,
    run: FormRun,
    data: dict,
    actor: User | None,
    scans: Iterable[Mapping[str, Any]] = (),
) -> dict:
    """Document rows for the files of the data and the `scans` (the stored files themselves,
    not copies), inserted in one query, and the data with each file's descriptor pointing at
    its document instead of its storage key."""
    data, used, fields = dict(data), set(), []
    for field_id in drafts.file_field_ids(run.schema):
        descriptors = data.get(field_id) or []
        for descriptor in descriptors:
            key = descriptor.get("key")
            if not key or key in used:
                raise ValidationError(f"file of {field_id} has no storage key")
            used.add(key)
        if descriptors:
            fields.append((field_id, descriptors))
    documents = Document.objects.bulk_create(
        [_document(request, d, actor) for _field_id, descriptors in fields for d in descriptors]
        + [_document(request, scan, actor) for scan in scans]
    )
    made = iter(documents)
    for field_id, descriptors in fields:
        data[field_id] = [
            {
                "name": descriptor["name"],
                "kind": descriptor["kind"],
                "size": descriptor["size"],
                "document": next(made).pk,
            }
            for descriptor in descriptors
        ]
    return data


def _replay_gets_its_request(submit):
    """A submission whose key already made a request gets that request, even when it would
    now be refused (its version unpublished, the citizen's record merged since): the check
    runs only then, so that a first submission spends no query on it. A replay that passes
    the checks is caught by the key's unique index, or by the draft row's status."""

    @functools.wraps(submit)
    def wrapper(*, idempotency_key, scans: Iterable[Mapping[str, Any]] = (), **kwargs):
        scans = list(scans)
        try:
            return submit(idempotency_key=idempotency_key, scans=scans, **kwargs)
        except (ValidationError, IncompleteForm):
            existing = _existing(idempotency_key)
            if existing is None:
                raise
            uploads_discard(scan["key"] for scan in scans)
            return Submission(existing, created=False)

    return wrapper


@_replay_gets_its_request
def request_submit(
    *,
    procedure: Procedure,
    version: FormVersion,
    answers: Mapping[str, Any],
    idempotency_key,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    citizen: Citizen | None = None,
    actor: User | None = None,
    draft: ServiceRequest | None = None,
    channel: str = Channel.WEB,
    organisation: Organisation | None = None,
    received_on: date | None = None,
    scans: Iterable[Mapping[str, Any]] = (),
) -> Submission:
    """File a request from a form's answers, once per `idempotency_key`.

    An agent filing for a citizen (`actor` who is not the citizen) is recorded as `filed_by`.
    A letter or a form handed in at the counter is received the day it arrived, which may be
    before the day it is entered (`received_on`, not for the web): the legal delay runs from
    then (LEGAL.md §1, "Start").

    The answers are checked again through the form (`IncompleteForm` when a page shown has
    errors: nothing is written); what the form hides is not stored, and its uploaded files are
    deleted once committed. Files travel in the answers as the descriptors `upload_store`
    returned; each becomes a Document. A signed-in citizen's `draft` becomes the request
    (same row). The team comes from the routing rules, the implicit decision date from the
    deadline engine (`selectors.decision_date_of`). The receipt PDF is made after commit by
    the worker that emails it (an outbox row written here), or on the citizen's first click
    if the worker is late (`receipts`).

    `scans` are documents an agent attaches beyond the form's own file fields (the letter
    itself, pages handed in at the counter), as descriptors of `upload_store`: each becomes a
    Document the citizen sees. A submission already made discards them."""
    from service_requests import outbox, tasks

    scans = list(scans)
    if version.procedure_id != procedure.pk or not version.is_published:
        raise ValidationError("the form version is not a published version of this procedure")
    if draft is not None and draft.form_version_id != version.pk:
        raise ValidationError("a draft is submitted under the version it started with")
    today = timezone.localdate()
    if received_on is not None and (channel == Channel.WEB or received_on > today):
        raise ValidationError(
            {"received_on": "La date de réception ne peut pas être dans le futur."}
            if received_on > today
            else "a request filed online is received the day it is sent"
        )
    run = FormRun(version.schema, answers)
    if citizen is None and not contact_email and drafts.email_required(procedure, run):
        raise ValidationError("an anonymous request of this procedure needs a contact email")
    data = run.cleaned_data()
    team, rule = route(procedure, data)
    kept_keys = drafts.stored_file_keys(version.schema, data)
    dropped_keys = drafts.stored_file_keys(version.schema, answers) - kept_keys

    # The reference is drawn at random and the unique index is the arbiter: a collision (one
    # in 10**12 per request at a million) or a twin POST's key rolls the transaction back
    # and is told apart afterwards, instead of a query and a savepoint before every insert.
    for _attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                if citizen is not None:
                    # As it is now: a record merged since the form was drawn takes no new
                    # request (the merge holds the same lock while it moves the record's rows).
                    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
                    if citizen.merged_into_id is not None:
                        raise ValidationError(
                            "Cette fiche a été fusionnée avec une autre : déposez la demande "
                            "sur la fiche conservée."
                        )
                if draft is not None:
                    request = (
                        ServiceRequest.objects.select_for_update(of=("self",))
                        .select_related("form_version", "procedure", "citizen")
                        .get(pk=draft.pk)
                    )
                    if request.status != Status.DRAFT:  # submitted meanwhile by a twin POST
                        return Submission(request, created=False)
                    if request.idempotency_key is None:
                        request.idempotency_key = idempotency_key
                else:
                    request = ServiceRequest(
                        reference=new_reference(),
                        procedure=procedure,
                        form_version=version,
                        tracking_token=new_tracking_token(),
                        idempotency_key=idempotency_key,
                    )
                _file(
                    request,
                    run=run,
                    data=data,
                    team=team,
                    rule=rule,
                    channel=channel,
                    citizen=citizen,
                    contact=(contact_name, contact_email, contact_phone),
                    organisation=organisation,
                    received_on=received_on,
                    actor=actor,
                    scans=scans,
                )
                _discard_on_commit(dropped_keys)
                outbox.enqueue(tasks.send_receipt, request.pk, request_id=request.pk)
            return Submission(request, created=True)
        except IntegrityError:
            if draft is not None:
                raise
            existing = _existing(idempotency_key)
            if existing is not None:  # a twin POST committed the same key first
                uploads_discard(scan["key"] for scan in scans)
                return Submission(existing, created=False)
            if not ServiceRequest.objects.filter(reference=request.reference).exists():
                raise
    raise IntegrityError("no free reference")


def _file(
    request: ServiceRequest,
    *,
    run: FormRun,
    data: dict,
    team,
    rule,
    channel: str,
    citizen: Citizen | None,
    contact: tuple[str, str, str],
    organisation: Organisation | None,
    received_on: date | None,
    actor: User | None,
    scans: list,
) -> None:
    """Write the request as filed, in the caller's transaction: its row (inserted, or the
    draft's updated), one snapshot of its history, its documents, and its "submitted" and
    "routed" events in one insert."""
    now = timezone.now()
    request.channel = channel
    request.citizen = citizen or request.citizen
    request.contact_name = contact[0][:200]
    request.contact_email = contact[1]
    request.contact_phone = contact[2]
    request.team = team
    request.received_on = received_on or timezone.localdate(now)
    if organisation is not None:
        request.organisation = organisation
    request.submitted_at = now
    request.data = _without_storage_keys(run.schema, data)
    # Nothing asked of the citizen yet: the date only depends on receipt and the rule.
    request.decision_due_on = decision_date_of(request, document_requests=[])
    payload = {
        "channel": channel,
        "form_version": request.form_version.number,
        "decision_due_on": drafts.iso(request.decision_due_on),
        "filed_on_behalf": actor is not None
        and (request.citizen is None or request.citizen.user_id != actor.pk),
    }
    if payload["filed_on_behalf"]:
        request.filed_by = actor
    submitted = change_status(request, "submit", actor=actor, payload=payload, save=False)
    with_files = bool(scans) or any(data.get(f) for f in drafts.file_field_ids(run.schema))
    if with_files:
        # The history keeps one snapshot, the one with the documents' ids, saved below.
        request.skip_history_when_saving = True
    request.save(force_insert=request.pk is None)
    if with_files:
        del request.skip_history_when_saving
        request.data = _documents(request, run, data, actor, scans)
        request.save(update_fields=["data", "updated_at"])
    submitted.request = request
    routed = record(
        request, Event.Kind.ROUTED, actor=actor, payload=routed_payload(team, rule), save=False
    )
    Event.objects.bulk_create([submitted, routed])
    webhooks_outbox.on_events([submitted, routed])
