"""Writes of the identity store. Each service is one transaction; django-simple-history keeps
the field diffs of the citizen record (the acting user is named in them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from citizens.models import Channel, Citizen
from citizens.selectors import certified_fields
from gru.models import User

CONTACT_FIELDS = ("phone", "street", "postcode", "city")
PREFERENCE_FIELDS = ("preferred_channel", "email_updates")
IDENTITY_FIELDS = (
    "given_names",
    "family_name",
    "usage_name",
    "birth_date",
    "birth_place",
    "birth_country",
    "sex",
)
PROFILE_FIELDS = CONTACT_FIELDS + PREFERENCE_FIELDS + IDENTITY_FIELDS


def citizen_get_or_create_for_user(*, user: User) -> tuple[Citizen, bool]:
    """The user's citizen record, created from the account's names and email when missing (an
    account made before its citizen record, such as an administrator's)."""
    citizen = Citizen.objects.filter(user=user).first()
    if citizen is not None:
        return citizen, False
    try:
        with transaction.atomic():
            citizen = Citizen(
                user=user,
                given_names=user.first_name,
                family_name=user.last_name,
                email=user.email,
            )
            citizen._history_user = user
            citizen.save(force_insert=True)
            return citizen, True
    except IntegrityError:  # created meanwhile by another request of the same user
        return Citizen.objects.get(user=user), False


def citizen_create_for_signup(
    *, user: User, given_names: str, family_name: str, usage_name: str
) -> Citizen:
    """The citizen record of an account just made by sign-up, with a declared identity; the
    account takes the citizen's names. An existing record with the same email is not linked:
    the address is not verified yet (DESIGN.md, Identity)."""
    with transaction.atomic():
        user.first_name = given_names
        user.last_name = usage_name or family_name
        user.save(update_fields=["first_name", "last_name"])
        return Citizen.objects.create(
            user=user,
            given_names=given_names,
            family_name=family_name,
            usage_name=usage_name,
            email=user.email,
            identity_assurance=Citizen.IdentityAssurance.DECLARED,
        )


def citizen_update_profile(
    *, citizen: Citizen, actor: User, changes: Mapping[str, Any]
) -> list[str]:
    """Apply what the citizen changed in their profile; returns the names of the fields that
    changed. Only profile fields are written, and never a field FranceConnect certified,
    whatever `changes` holds: the identity it certified is not the citizen's to edit."""
    with transaction.atomic():
        locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
        frozen = certified_fields(locked)
        changed = []
        for name, value in changes.items():
            if name not in PROFILE_FIELDS or name in frozen:
                continue
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                changed.append(name)
        if changed:
            locked._history_user = actor
            locked.save(update_fields=[*changed, "updated_at"])
    return changed


# --- Created or checked by an agent (the one-stop shop) ---------------------------------------

CREATED_AT_COUNTER = "créée au guichet"
IDENTITY_CHECKED_AT_COUNTER = "identité vérifiée au guichet"


def citizen_create_by_agent(
    *,
    actor: User,
    given_names: str,
    family_name: str,
    usage_name: str = "",
    birth_date: date | None = None,
    email: str = "",
    phone: str = "",
    street: str = "",
    postcode: str = "",
    city: str = "",
    preferred_channel: str = Channel.MAIL,
    needs_assistance: bool = False,
    identity_checked: bool = False,
    creation_key=None,
) -> Citizen:
    """The record of a citizen an agent meets (at the counter, on the phone, in a letter), without
    an account. The likely duplicates are the caller's to show first (`citizens.duplicates`):
    creating anyway is the agent's informed choice. The identity is "checked at the counter" when
    the agent saw an identity document, else declared. The history names the agent and why.
    Once per `creation_key` (the form's): a double click gets the record the first click made."""
    if creation_key is not None:
        made = Citizen.objects.filter(creation_key=creation_key).first()
        if made is not None:
            return made
    citizen = Citizen(
        creation_key=creation_key,
        given_names=given_names.strip(),
        family_name=family_name.strip(),
        usage_name=usage_name.strip(),
        birth_date=birth_date,
        email=email.strip(),
        phone=phone,
        street=street.strip(),
        postcode=postcode,
        city=city.strip(),
        preferred_channel=preferred_channel,
        needs_assistance=needs_assistance,
        identity_assurance=(
            Citizen.IdentityAssurance.COUNTER
            if identity_checked
            else Citizen.IdentityAssurance.DECLARED
        ),
    )
    citizen._history_user = actor
    citizen._change_reason = CREATED_AT_COUNTER
    try:
        with transaction.atomic():
            citizen.save(force_insert=True)
    except IntegrityError:  # the twin click committed the same key first
        made = Citizen.objects.filter(creation_key=creation_key).first()
        if creation_key is None or made is None:
            raise
        return made
    return citizen


def citizen_confirm_identity_at_counter(*, citizen: Citizen, actor: User) -> bool:
    """Record that an agent saw the citizen's identity document: a declared identity becomes
    "checked at the counter" (through `citizen_update_by_agent`, with its reason in the
    history). An identity FranceConnect certified stays as it is. Returns whether the record
    changed."""
    changed = citizen_update_by_agent(
        citizen=citizen,
        actor=actor,
        changes={"identity_assurance": Citizen.IdentityAssurance.COUNTER},
        reason=IDENTITY_CHECKED_AT_COUNTER,
    )
    if changed:
        citizen.identity_assurance = Citizen.IdentityAssurance.COUNTER
    return bool(changed)


# What an agent may change on a citizen's record (the 360° view's « Modifier les coordonnées »).
AGENT_EDITABLE_FIELDS = (
    "email",
    *CONTACT_FIELDS,
    "preferred_channel",
    "needs_assistance",
    "email_updates",
    *IDENTITY_FIELDS,
    "identity_assurance",
)
# The identity levels an agent may set: they never certify FranceConnect, nor undo it.
AGENT_ASSURANCES = (Citizen.IdentityAssurance.DECLARED, Citizen.IdentityAssurance.COUNTER)
REASON_MAX_LENGTH = 100  # simple_history's change_reason column


def citizen_update_by_agent(
    *, citizen: Citizen, actor: User, changes: Mapping[str, Any], reason: str
) -> list[str]:
    """Apply what an agent changed on a citizen's record, with the reason they gave; returns
    the names of the fields that changed. The field history (django-simple-history) names the
    agent and keeps the reason.

    Never written, whatever `changes` holds: a field FranceConnect certified, a field outside
    AGENT_EDITABLE_FIELDS, and an identity level other than declared or checked at the counter
    (a FranceConnect identity keeps its level). A merged record (a tombstone) is refused."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la modification."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"Le motif tient en {REASON_MAX_LENGTH} caractères au plus."}
        )
    with transaction.atomic():
        locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
        if locked.merged_into_id is not None:
            raise ValidationError(
                "Cette fiche a été fusionnée dans une autre : modifiez la fiche conservée."
            )
        frozen = certified_fields(locked)
        certified = locked.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT
        changed = []
        for name, value in changes.items():
            if name not in AGENT_EDITABLE_FIELDS or name in frozen:
                continue
            if name == "identity_assurance" and (certified or value not in AGENT_ASSURANCES):
                continue
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                changed.append(name)
        if changed:
            locked._history_user = actor
            locked._change_reason = reason
            locked.save(update_fields=[*changed, "updated_at"])
    return changed
