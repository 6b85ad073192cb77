"""Read-only queries of the identity store."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import formats

from citizens import places
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
        elif name == "birth_place":  # an INSEE code from FranceConnect: its name
            value = places.commune_label(citizen.birth_place)
        elif name == "birth_country":
            value = places.country_label(citizen.birth_country)
        else:
            value = getattr(citizen, name)
        lines.append(IdentityLine(label=str(field.verbose_name).capitalize(), value=value))
    return lines


# --- The record's field history (django-simple-history) ----------------------------------------

# The fields whose changes the 360° view tells, in this order.
HISTORY_FIELDS = (
    "given_names",
    "family_name",
    "usage_name",
    "birth_date",
    "birth_place",
    "birth_country",
    "sex",
    "identity_assurance",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "preferred_channel",
    "needs_assistance",
    "email_updates",
    "user",
    "franceconnect_sub",
    "merged_into",
)
HISTORY_SHOWN = 15


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: object  # datetime
    who: str
    reason: str
    created: bool
    changes: list[FieldChange]


def _history_value(record, name: str) -> str:
    field = Citizen._meta.get_field(name)
    if name == "user":
        return "un compte" if record.user_id else "aucun compte"
    if name == "merged_into":
        return f"fiche n° {record.merged_into_id}" if record.merged_into_id else "—"
    if name == "franceconnect_sub":  # an identifier for FranceConnect alone: never shown
        return "renseigné" if record.franceconnect_sub else "aucun"
    value = getattr(record, name)
    if field.choices:
        return str(dict(field.choices).get(value, value)) or "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if name == "birth_date":
        return formats.date_format(value, "d/m/Y") if value else "—"
    if name == "birth_place":
        return places.commune_label(value) or "—"
    if name == "birth_country":
        return places.country_label(value) or "—"
    return value or "—"


def citizen_history(citizen: Citizen, *, limit: int = HISTORY_SHOWN) -> list[HistoryEntry]:
    """The latest changes of the record, newest first: when, who, why, and each changed field's
    old and new values. One query (one row more than shown, to diff the oldest against)."""
    records = list(
        citizen.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    for record, previous in zip(records[:limit], [*records[1:], None], strict=False):
        changes = []
        if previous is not None:
            for name in HISTORY_FIELDS:
                attname = Citizen._meta.get_field(name).attname
                if getattr(record, attname) != getattr(previous, attname):
                    changes.append(
                        FieldChange(
                            label=str(Citizen._meta.get_field(name).verbose_name).capitalize(),
                            old=_history_value(previous, name),
                            new=_history_value(record, name),
                        )
                    )
        user = record.history_user
        if user is None:
            who = "Le système"
        else:
            who = user.get_full_name() or user.email
            if user.pk == citizen.user_id:
                who += " (l'usager)"
        created = record.history_type == "+"
        if previous is None and not created:
            continue  # older than what is read: its diff is unknown
        if not created and not changes:
            continue  # a save that changed nothing shown here (a search column, a date)
        entries.append(
            HistoryEntry(
                at=record.history_date,
                who=who,
                reason=record.history_change_reason or "",
                created=created,
                changes=changes,
            )
        )
    return entries
