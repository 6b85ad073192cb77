"""Household links between citizens (a parent and their child, a guardian and the adult they
protect), recorded by agents. Who may is `service_requests.permissions` (`may(user, "edit")`),
checked by the screens."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from citizens.models import Citizen, Relationship

MERGED = "Cette fiche a été fusionnée avec une autre : ouvrez la fiche conservée."


def relationship_add(
    *, citizen: Citizen, other_id: int, kind: str, citizen_is_first: bool
) -> Relationship:
    """Link `citizen` and the record `other_id`: `citizen` is the parent or guardian when
    `citizen_is_first`, else the child or protected adult. Refused (ValidationError keyed by
    field, in French) for an unknown or merged record, the citizen themselves, a link that
    exists already, or any other link between the two (it would contradict it)."""
    if kind not in Relationship.Kind.values:
        raise ValidationError({"kind": "Choisissez le lien."})
    with transaction.atomic():
        # Both locked in id order, as a merge locks them: a merge cannot move either meanwhile.
        ids = sorted({citizen.pk, other_id})
        found = {c.pk: c for c in Citizen.objects.select_for_update().filter(pk__in=ids)}
        if other_id == citizen.pk:
            raise ValidationError({"other": "Une personne ne peut pas être liée à elle-même."})
        if other_id not in found:
            raise ValidationError({"other": f"Aucune fiche ne porte le numéro {other_id}."})
        this, other = found[citizen.pk], found[other_id]
        if this.merged_into_id is not None:
            raise ValidationError(MERGED)
        if other.merged_into_id is not None:
            raise ValidationError(
                {
                    "other": f"La fiche n° {other.pk} a été fusionnée dans la fiche "
                    f"n° {other.merged_into_id} : indiquez celle-ci."
                }
            )
        first, second = (this, other) if citizen_is_first else (other, this)
        # One link between two people: « parent de » and « enfant de » the same person, or
        # parent and guardian at once, would contradict each other.
        between = Relationship.objects.filter(
            Q(from_citizen=this, to_citizen=other) | Q(from_citizen=other, to_citizen=this)
        ).first()
        if between is not None:
            raise ValidationError(
                {
                    "other": "Un lien est déjà enregistré entre ces deux personnes : "
                    + (
                        "le même."
                        if (between.from_citizen_id, between.to_citizen_id, between.kind)
                        == (first.pk, second.pk, kind)
                        else "il faut d'abord le retirer."
                    )
                }
            )
        return Relationship.objects.create(from_citizen=first, to_citizen=second, kind=kind)
