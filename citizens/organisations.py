"""Organisations a citizen acts for: the numbers that name them (SIRET, SIREN, RNA) and the
service that records a representation, creating the organisation the first time its number is
seen. Who may is `service_requests.permissions` (`may(user, "edit")`), checked by the screens."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from citizens.models import Citizen, Organisation, Representation
from gru.models import User

SIRET_INVALID = "Un SIRET compte 14 chiffres, par exemple 732 829 320 00074."
SIRET_CHECKSUM = (
    "Ce SIRET n'existe pas : vérifiez les chiffres (la clé de contrôle ne correspond pas)."
)
RNA_INVALID = "Un numéro RNA commence par W suivi de 9 chiffres ou lettres, par exemple W751234567."
# La Poste's establishments may follow another key (the sum of the digits is a multiple of 5).
LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def clean_siret(raw: str) -> str:
    """A SIRET as typed (spaces, dots) → its 14 digits, else a ValidationError in French."""
    siret = re.sub(r"[\s.\u00a0\u202f-]", "", raw or "")
    if not re.fullmatch(r"[0-9]{14}", siret):
        raise ValidationError(SIRET_INVALID)
    la_poste = siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0
    if not (luhn_valid(siret[:9]) and (luhn_valid(siret) or la_poste)):
        raise ValidationError(SIRET_CHECKSUM)
    return siret


def clean_rna(raw: str) -> str:
    rna = re.sub(r"\s", "", raw or "").upper()
    if not re.fullmatch(r"W[0-9A-Z]{9}", rna):
        raise ValidationError(RNA_INVALID)
    return rna


def representation_add(
    *, citizen: Citizen, actor: User, kind: str, number: str, name: str, role: str
) -> Representation:
    """Record that `citizen` acts for the organisation `number` names (a SIRET for a company, an
    RNA for an association), created with `name` if nobody knew it yet; an organisation already
    known keeps its name. Refused (ValidationError keyed by field) for a merged record or when
    the citizen already represents it."""
    if kind == Organisation.Kind.COMPANY:
        lookup = {"siret": clean_siret(number)}
    elif kind == Organisation.Kind.ASSOCIATION:
        lookup = {"rna": clean_rna(number)}
    else:
        raise ValidationError({"kind": "Choisissez une entreprise ou une association."})
    if role not in Representation.Role.values:
        raise ValidationError({"role": "Choisissez le rôle de l'usager."})
    name = " ".join((name or "").split())
    with transaction.atomic():
        locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
        if locked.merged_into_id is not None:
            raise ValidationError("Cette fiche a été fusionnée avec une autre.")
        organisation = Organisation.objects.filter(**lookup).first()
        if organisation is None:
            if not name:
                raise ValidationError(
                    {"name": "Indiquez la dénomination : ce numéro n'est pas encore connu."}
                )
            organisation = Organisation(kind=kind, name=name[:255], **lookup)
            organisation._history_user = actor
            try:
                with transaction.atomic():
                    organisation.save(force_insert=True)
            except IntegrityError:  # created meanwhile by a colleague
                organisation = Organisation.objects.get(**lookup)
        if Representation.objects.filter(citizen=locked, organisation=organisation).exists():
            raise ValidationError({"number": f"L'usager représente déjà {organisation.name}."})
        return Representation.objects.create(citizen=locked, organisation=organisation, role=role)
