"""Dates, with bounds given as ISO dates or relative to today: "today", "today+21",
"today-7" (days). "Not in the future" is `"max": "today"`. Today is the authority's day
(Europe/Paris), not the server's UTC one. Stored as ISO strings ("2024-11-05")."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from .base import FieldInvalid, FieldType, clean_text

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


class DateType(FieldType):
    name = "date"
    options = frozenset({"min", "max"})
    prefill_keys = frozenset({"birth_date"})
    input_type = "date"

    def check_options(self, field: dict) -> list[str]:
        errors = super().check_options(field)
        for key in ("min", "max"):
            if key in field and resolve_bound(field[key]) is None:
                message = _(
                    "« %(key)s » doit être une date AAAA-MM-JJ, « today », « today+N » "
                    "ou « today-N »."
                )
                errors.append(message % {"key": key})
        low, high = resolve_bound(field.get("min")), resolve_bound(field.get("max"))
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
        low, high = field.get("min"), field.get("max")
        if high is not None and day > resolve_bound(high):
            if high == "today":
                raise FieldInvalid(_("La date ne peut pas être dans le futur."))
            raise FieldInvalid(
                _("La date doit être le %(day)s ou avant.")
                % {"day": long_date(resolve_bound(high))}
            )
        if low is not None and day < resolve_bound(low):
            if low == "today":
                raise FieldInvalid(_("La date ne peut pas être dans le passé."))
            raise FieldInvalid(
                _("La date doit être le %(day)s ou après.") % {"day": long_date(resolve_bound(low))}
            )
        return day.isoformat()

    def display(self, field: dict, value: Any) -> list[str]:
        day = parse_date(str(value))
        return [long_date(day) if day else str(value)]

    def widget(self, field: dict, raw: Any) -> dict:
        context = super().widget(field, raw)
        # The picker offers only the allowed days; the server checks them all the same.
        for key in ("min", "max"):
            bound = resolve_bound(field.get(key))
            context[key] = bound.isoformat() if bound else ""
        return context


TYPES = (DateType(),)
