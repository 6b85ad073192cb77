"""Numbers: integers and decimals, with bounds and a step. French input is accepted ("1 200",
"12,50"). Integers are stored as JSON numbers, decimals as strings ("12.50"): a float would
round amounts of money. A bound may also be another number field's answer
(`forms_builder.rules`)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .base import FieldInvalid, FieldType, clean_text, fixed_bound, is_int, is_number, is_reference

_SPACES = re.compile(r"[\s\u00a0\u202f]")


def _compact(raw: Any) -> str:
    return _SPACES.sub("", clean_text(raw)).replace(",", ".")


def french(number: Any) -> str:
    """12.5 -> "12,5"; 4200 -> "4 200" (the French thousands separator)."""
    return number_format(Decimal(str(number)), force_grouping=True, use_l10n=True)


def to_decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


class NumberType(FieldType):
    options = frozenset({"min", "max", "step"})
    inputmode = "numeric"
    _syntax = re.compile(r"[+-]?[0-9]+")
    invalid_message = ""

    def _is_bound(self, value: Any) -> bool:
        return is_number(value)

    def check_options(self, field: dict) -> list[str]:
        errors = super().check_options(field)
        for key in ("min", "max"):
            if key in field and not (self._is_bound(field[key]) or is_reference(field[key])):
                errors.append(
                    _(
                        "« %(key)s » doit être un nombre ou un autre champ "
                        '{"field": "<identifiant>"}.'
                    )
                    % {"key": key}
                )
        if "step" in field and not (self._is_bound(field["step"]) and field["step"] > 0):
            errors.append(_("« step » doit être un nombre positif."))
        low, high = fixed_bound(field, "min"), fixed_bound(field, "max")
        if self._is_bound(low) and self._is_bound(high) and low > high:
            errors.append(_("« min » dépasse « max »."))
        return errors

    def check_condition_value(self, field: dict, op: str, value: Any) -> str | None:
        if not is_number(value):
            return _("la valeur comparée doit être un nombre.")
        return None

    def parse(self, raw: Any) -> Decimal:
        text = _compact(raw)
        if not self._syntax.fullmatch(text) or len(text) > 20:
            raise FieldInvalid(self.invalid_message())
        return Decimal(text)

    def check_bounds(self, field: dict, number: Decimal) -> None:
        low, high, step = fixed_bound(field, "min"), fixed_bound(field, "max"), field.get("step")
        if low is not None and number < to_decimal(low):
            raise FieldInvalid(
                _("Saisissez un nombre supérieur ou égal à %(min)s.") % {"min": french(low)}
            )
        if high is not None and number > to_decimal(high):
            raise FieldInvalid(
                _("Saisissez un nombre inférieur ou égal à %(max)s.") % {"max": french(high)}
            )
        if step is not None:
            step = to_decimal(step)
            if (number - to_decimal(low or 0)) % step:
                if step < 1 and step == Decimal(1).scaleb(step.adjusted()):  # 0.1, 0.01...
                    places = -step.adjusted()
                    raise FieldInvalid(
                        ngettext(
                            "Saisissez un nombre avec au plus %(places)s chiffre après la virgule.",
                            "Saisissez un nombre avec au plus %(places)s chiffres "
                            "après la virgule.",
                            places,
                        )
                        % {"places": places}
                    )
                raise FieldInvalid(_("Saisissez un multiple de %(step)s.") % {"step": french(step)})

    def display(self, field: dict, value: Any) -> list[str]:
        return [french(value)]


class IntegerType(NumberType):
    name = "integer"

    def _is_bound(self, value: Any) -> bool:
        return is_int(value)

    def invalid_message(self) -> str:
        return _("Saisissez un nombre entier, par exemple 12.")

    def clean(self, field: dict, raw: Any) -> int:
        number = self.parse(raw)
        self.check_bounds(field, number)
        return int(number)


class DecimalType(NumberType):
    name = "decimal"
    inputmode = "decimal"
    _syntax = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")

    def invalid_message(self) -> str:
        return _("Saisissez un nombre, par exemple 12,50.")

    def clean(self, field: dict, raw: Any) -> str:
        number = self.parse(raw)
        self.check_bounds(field, number)
        return format(number, "f")

    def to_raw(self, field: dict, value: Any) -> str:
        return "" if value is None else str(value).replace(".", ",")


TYPES = (IntegerType(), DecimalType())
