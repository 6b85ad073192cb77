"""Cross-field rules: a date's or a number's bound given by another field's answer.

`min` and `max` take, besides a fixed bound, a reference to another field::

    {"id": "date_fin", "type": "date", "label": "Dernier jour",
     "min": {"field": "date_debut"}}                    # on « Premier jour » or after
    {"id": "montant_demande", "type": "integer", "label": "Montant demandé (€)",
     "max": {"field": "budget_total"}}                  # at most « Budget total »
    {"id": "retour", "type": "date", "label": "Retour",
     "max": {"field": "date_fin", "days": 7}}           # at most a week after « Dernier jour »

A bound rather than a list of rules beside the fields: whether fixed or given by another
answer, a limit is the field's `min` or `max`, so a reader finds all of a field's limits in
one place, two limits on the same side cannot contradict each other, and the note that says
the limit and the message that refuses it are the bounds' own. The price: one bound per side
(a « Dernier jour » after « Premier jour » needs no "today": « Premier jour » has it). A
date "at least three weeks ahead" is a fixed bound, `"min": "today+21"` (`fields.dates`).

The other field is of a comparable type (a date with a date, an integer or a decimal with
either), asked on the same page or an earlier one (its answer is known when the page is
checked), and not the field itself: `check` says otherwise to the administrator. A rule is
checked when its page is posted and again over the whole form (the review, the submission):
an earlier answer may have changed since. It holds while the other field is hidden or
unanswered, or refused on its own (its own message says what to fix).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .fields.base import Error, is_int, is_reference
from .fields.dates import long_date, parse_date
from .fields.numbers import french, to_decimal

SIDES = ("min", "max")
MAX_DAYS = 3660
NUMBER_TYPES = frozenset({"integer", "decimal"})


def references(field: dict) -> list[tuple[str, dict]]:
    """(side, reference) of the field's bounds given by another field."""
    return [(side, field[side]) for side in SIDES if is_reference(field.get(side))]


def referenced_fields(field: dict) -> list[str]:
    return [reference["field"] for _side, reference in references(field)]


# --- The schema -------------------------------------------------------------------------------


def check(field: dict, *, allowed: Mapping[str, dict], known: Mapping[str, dict]) -> list[str]:
    """What is wrong with the field's references (French, for the administrator). `allowed`
    holds the fields of its page and of the pages before, `known` every field."""
    errors = []
    for side, reference in references(field):
        other_id = reference.get("field")
        if not isinstance(other_id, str) or not set(reference) <= {"field", "days"}:
            errors.append(
                _(
                    "« %(key)s » : une borne donnée par un autre champ s'écrit "
                    '{"field": "<identifiant>"}, avec pour une date un décalage « days » en '
                    "jours."
                )
                % {"key": side}
            )
            continue
        values = {"key": side, "field": other_id}
        if other_id == field["id"]:
            errors.append(_("« %(key)s » ne peut pas porter sur le champ lui-même.") % values)
            continue
        if other_id not in known:
            errors.append(_("« %(key)s » porte sur un champ inconnu « %(field)s ».") % values)
            continue
        if other_id not in allowed:
            errors.append(
                _(
                    "« %(key)s » porte sur « %(field)s », demandé sur une page suivante : une "
                    "borne ne peut dépendre que d'un champ de la même page ou d'une page "
                    "précédente."
                )
                % values
            )
            continue
        other_type = known[other_id].get("type")
        if field["type"] == "date" and other_type != "date":
            errors.append(
                _(
                    "« %(key)s » porte sur « %(field)s », un champ « %(type)s » : une date se "
                    "compare à une autre date."
                )
                % {**values, "type": other_type}
            )
        elif field["type"] in NUMBER_TYPES and other_type not in NUMBER_TYPES:
            errors.append(
                _(
                    "« %(key)s » porte sur « %(field)s », un champ « %(type)s » : un nombre se "
                    "compare à un autre nombre (« integer » ou « decimal »)."
                )
                % {**values, "type": other_type}
            )
        if "days" in reference:
            days = reference["days"]
            if field["type"] != "date":
                errors.append(_("« days » ne s'applique qu'à une date."))
            elif not (is_int(days) and -MAX_DAYS <= days <= MAX_DAYS):
                errors.append(
                    _("« days » doit être un nombre entier de jours, entre -%(max)s et %(max)s.")
                    % {"max": MAX_DAYS}
                )
    return errors


# --- Answers ----------------------------------------------------------------------------------


def _bound(field: dict, reference: dict, other: Any) -> date | Any | None:
    """The bound the other field's answer gives, or None when there is none to compare with."""
    if other is None:
        return None
    if field["type"] == "date":
        day = parse_date(str(other))
        return day + timedelta(days=reference.get("days", 0)) if day else None
    return to_decimal(other)


def _value(field: dict, value: Any) -> date | Any | None:
    return parse_date(str(value)) if field["type"] == "date" else to_decimal(value)


def violations(field: dict, value: Any, answers: Mapping[str, Any], fields: Mapping) -> list[Error]:
    """The field's rules its (valid) `value` breaks, given the other `answers` shown."""
    mine = _value(field, value)
    if mine is None:
        return []
    errors = []
    for side, reference in references(field):
        other_id = reference["field"]
        bound = _bound(field, reference, answers.get(other_id))
        if bound is None or (mine >= bound if side == "min" else mine <= bound):
            continue
        other = fields[other_id]
        errors.append(Error(_message(field, side, reference, other, answers[other_id], bound)))
    return errors


def _message(field: dict, side: str, reference: dict, other: dict, answer: Any, bound) -> str:
    values = {"label": other["label"]}
    if field["type"] != "date":
        values["value"] = french(answer)
        if side == "min":
            return _("Saisissez un nombre supérieur ou égal à « %(label)s » (%(value)s).") % values
        return _("Saisissez un nombre inférieur ou égal à « %(label)s » (%(value)s).") % values
    if not reference.get("days"):
        values["day"] = long_date(bound)
        if side == "min":
            return _("La date ne peut pas être avant « %(label)s » (le %(day)s).") % values
        return _("La date ne peut pas être après « %(label)s » (le %(day)s).") % values
    values = {"day": long_date(bound), "rule": _lower_first(_rule(field, side, reference, other))}
    if side == "min":
        return _("La date doit être le %(day)s ou après : %(rule)s") % values
    return _("La date doit être le %(day)s ou avant : %(rule)s") % values


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- What the field says before it is answered ------------------------------------------------


def describe(field: dict, fields: Mapping[str, dict]) -> str:
    """The field's bounds given by other fields, in French, for a note under its label."""
    return " ".join(
        _rule(field, side, reference, fields[reference["field"]])
        for side, reference in references(field)
    )


def _rule(field: dict, side: str, reference: dict, other: dict) -> str:
    values = {"label": other["label"]}
    if field["type"] != "date":
        if side == "min":
            return _("Au moins votre réponse à « %(label)s ».") % values
        return _("Au plus votre réponse à « %(label)s ».") % values
    days = reference.get("days", 0)
    if not days:
        if side == "min":
            return _("Le même jour que « %(label)s » ou après.") % values
        return _("Le même jour que « %(label)s » ou avant.") % values
    values["n"] = abs(days)
    if days > 0:
        if side == "min":
            text = ngettext(
                "Au moins %(n)s jour après « %(label)s ».",
                "Au moins %(n)s jours après « %(label)s ».",
                abs(days),
            )
        else:
            text = ngettext(
                "Au plus %(n)s jour après « %(label)s ».",
                "Au plus %(n)s jours après « %(label)s ».",
                abs(days),
            )
    elif side == "min":
        text = ngettext(
            "Au plus tôt %(n)s jour avant « %(label)s ».",
            "Au plus tôt %(n)s jours avant « %(label)s ».",
            abs(days),
        )
    else:
        text = ngettext(
            "Au moins %(n)s jour avant « %(label)s ».",
            "Au moins %(n)s jours avant « %(label)s ».",
            abs(days),
        )
    return text % values
