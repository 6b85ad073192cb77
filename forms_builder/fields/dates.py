"""Dates, with bounds given as ISO dates or relative to today: "today", "today+21",
"today-7" (days). "Not in the future" is `"max": "today"`; "at least three weeks ahead" is
`"min": "today+21"`. Today is the authority's day (Europe/Paris), not the server's UTC one.
A bound may also be another date field's answer (`forms_builder.rules`). Stored as ISO
strings ("2024-11-05")."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .base import FieldInvalid, FieldType, clean_text, fixed_bound, is_reference

_RELATIVE = re.compile(r"today(?:([+-])([0-9]{1,4}))?")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_FRENCH = re.compile(r"([0-9]{1,2})[/.\-\s]+([0-9]{1,2})[/.\-\s]+([0-9]{4})")


def resolve_bound(bound: Any) -> date | None:
    """The day a bound names, or None when it is not a valid bound."""
    if not isinstance(bound, str):
        return None
    relative = _RELATIVE.fullmatch(bound)
    if relative:
        sign, days = relative.groups()
        offset = timedelta(days=int(days or 0))
        today = timezone.localdate()
        return today - offset if sign == "-" else today + offset
    return parse_date(bound) if _ISO.fullmatch(bound) else None


def parse_date(text: str) -> date | None:
    """An ISO date (what <input type="date"> sends) or a French one (14/03/2024, typed where
    the browser has no date picker)."""
    match = _ISO.fullmatch(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _FRENCH.fullmatch(text)
        if not match:
            return None
        day, month, year = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def long_date(day: date) -> str:
    return date_format(day, "j F Y")


def _days_from_today(bound: str) -> int:
    """The signed offset of a relative bound ("today+21": 21), 0 for a fixed date."""
    relative = _RELATIVE.fullmatch(bound)
    if not relative or not relative.group(2):
        return 0
    sign, days = relative.groups()
    return -int(days) if sign == "-" else int(days)


def _too_early(low: str) -> str:
    if low == "today":
        return _("La date ne peut pas être dans le passé.")
    day, offset = long_date(resolve_bound(low)), _days_from_today(low)
    if offset > 0:  # "today+21": a notice period, said as such
        return ngettext(
            "La date doit être au moins %(n)s jour après aujourd'hui, soit le %(day)s ou après.",
            "La date doit être au moins %(n)s jours après aujourd'hui, soit le %(day)s ou après.",
            offset,
        ) % {"n": offset, "day": day}
    return _("La date doit être le %(day)s ou après.") % {"day": day}


def _too_late(high: str) -> str:
    if high == "today":
        return _("La date ne peut pas être dans le futur.")
    day, offset = long_date(resolve_bound(high)), _days_from_today(high)
    if offset < 0:
        return ngettext(
            "La date doit être au moins %(n)s jour avant aujourd'hui, soit le %(day)s ou avant.",
            "La date doit être au moins %(n)s jours avant aujourd'hui, soit le %(day)s ou avant.",
            -offset,
        ) % {"n": -offset, "day": day}
    return _("La date doit être le %(day)s ou avant.") % {"day": day}


class DateType(FieldType):
    name = "date"
    options = frozenset({"min", "max"})
    prefill_keys = frozenset({"birth_date"})
    input_type = "date"

    def check_options(self, field: dict) -> list[str]:
        errors = super().check_options(field)
        for key in ("min", "max"):
            bound = field.get(key)
            if key in field and not is_reference(bound) and resolve_bound(bound) is None:
                message = _(
                    "« %(key)s » doit être une date AAAA-MM-JJ, « today », « today+N », "
                    '« today-N » ou un autre champ {"field": "<identifiant>"}.'
                )
                errors.append(message % {"key": key})
        low = resolve_bound(fixed_bound(field, "min"))
        high = resolve_bound(fixed_bound(field, "max"))
        if low and high and low > high:
            errors.append(_("« min » est après « max »."))
        return errors

    def check_condition_value(self, field: dict, op: str, value: Any) -> str | None:
        if not isinstance(value, str) or not _ISO.fullmatch(value) or not parse_date(value):
            return _("la valeur comparée doit être une date AAAA-MM-JJ.")
        return None

    def required_message(self, field: dict) -> str:
        return _("Indiquez une date.")

    def clean(self, field: dict, raw: Any) -> str:
        day = parse_date(clean_text(raw))
        if day is None:
            raise FieldInvalid(_("Saisissez une date valide, par exemple 14/03/2024."))
        low, high = fixed_bound(field, "min"), fixed_bound(field, "max")
        if high is not None and day > resolve_bound(high):
            raise FieldInvalid(_too_late(high))
        if low is not None and day < resolve_bound(low):
            raise FieldInvalid(_too_early(low))
        return day.isoformat()

    def display(self, field: dict, value: Any) -> list[str]:
        day = parse_date(str(value))
        return [long_date(day) if day else str(value)]

    def widget(self, field: dict, raw: Any) -> dict:
        context = super().widget(field, raw)
        # The picker offers only the allowed days; the server checks them all the same.
        for key in ("min", "max"):
            bound = resolve_bound(fixed_bound(field, key))
            context[key] = bound.isoformat() if bound else ""
        return context


TYPES = (DateType(),)
