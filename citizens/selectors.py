"""Read-only queries of the identity store."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import formats

from citizens.models import Citizen, Representation

# What FranceConnect certifies (LEGAL.md §3, the « identité pivot »): shown read-only, and never
# changed by the citizen, when their identity comes from it.
CERTIFIED_FIELDS = (
    "given_names",
    "family_name",
    "birth_date",
    "birth_place",
    "birth_country",
    "sex",
)


def citizen_of(user) -> Citizen | None:
    """The signed-in user's citizen record, if they have one."""
    if user is None or not user.is_authenticated:
        return None
    return Citizen.objects.filter(user=user).first()


def is_certified(citizen: Citizen | None) -> bool:
    return (
        citizen is not None
        and citizen.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT
    )


def certified_fields(citizen: Citizen | None) -> frozenset[str]:
    """The fields of this citizen's identity that nobody may change from the portal."""
    return frozenset(CERTIFIED_FIELDS) if is_certified(citizen) else frozenset()


def representations_of(citizen: Citizen) -> QuerySet[Representation]:
    """The organisations the citizen acts for, with their role, by name."""
    return (
        Representation.objects.filter(citizen=citizen)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )


@dataclass(frozen=True)
class IdentityLine:
    label: str
    value: str


def identity_lines(citizen: Citizen) -> list[IdentityLine]:
    """The certified identity as the profile shows it, in plain French."""
    lines = []
    for name in CERTIFIED_FIELDS:
        field = Citizen._meta.get_field(name)
        if name == "birth_date":
            value = formats.date_format(citizen.birth_date, "j F Y") if citizen.birth_date else ""
        elif name == "sex":
            value = citizen.get_sex_display() if citizen.sex else ""
        else:
            value = getattr(citizen, name)
        lines.append(IdentityLine(label=str(field.verbose_name).capitalize(), value=value))
    return lines
