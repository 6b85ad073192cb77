"""Text fields: short text, long text, email, French phone number."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gru.forms import validate_email_address
from gru.phones import normalise_phone

from .base import FieldInvalid, FieldType, clean_text, is_int

LENGTH_OPTIONS = frozenset({"min_length", "max_length"})


def check_lengths(field: dict, ceiling: int) -> list[str]:
    errors = []
    for key in ("min_length", "max_length"):
        if key in field and not (is_int(field[key]) and 0 <= field[key] <= ceiling):
            errors.append(
                _("« %(key)s » doit être un nombre entier entre 0 et %(ceiling)s.")
                % {"key": key, "ceiling": ceiling}
            )
    low, high = field.get("min_length"), field.get("max_length")
    if is_int(low) and is_int(high) and low > high:
        errors.append(_("« min_length » dépasse « max_length »."))
    return errors


def check_length(value: str, field: dict, default_max: int) -> None:
    low, high = field.get("min_length"), field.get("max_length", default_max)
    if low and len(value) < low:
        raise FieldInvalid(
            ngettext(
                "Saisissez au moins %(min)s caractère.",
                "Saisissez au moins %(min)s caractères.",
                low,
            )
            % {"min": low}
        )
    if len(value) > high:
        raise FieldInvalid(
            _("Saisissez au plus %(max)s caractères (vous en avez saisi %(count)s).")
            % {"max": high, "count": len(value)}
        )


class TextType(FieldType):
    name = "text"
    options = LENGTH_OPTIONS | {"pattern", "pattern_message", "autocomplete"}
    prefill_keys = frozenset({"given_names", "family_name", "street", "postcode", "city"})
    condition_ops = frozenset({"equals", "not_equals", "contains", "empty", "not_empty"})
    default_max_length = 250

    def check_options(self, field: dict) -> list[str]:
        errors = super().check_options(field) + check_lengths(field, self.default_max_length)
        pattern = field.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError):
                errors.append(_("l'expression « pattern » n'est pas une expression régulière."))
            message = field.get("pattern_message")
            if not isinstance(message, str) or not message.strip():
                errors.append(_("« pattern » demande son message d'erreur « pattern_message »."))
        elif "pattern_message" in field:
            errors.append(_("« pattern_message » sans « pattern »."))
        return errors

    def clean(self, field: dict, raw: Any) -> str:
        value = clean_text(raw)
        check_length(value, field, self.default_max_length)
        pattern = field.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            raise FieldInvalid(field["pattern_message"])
        return value


class TextareaType(FieldType):
    name = "textarea"
    template_name = "forms_builder/widgets/textarea.html"
    options = LENGTH_OPTIONS
    condition_ops = TextType.condition_ops
    default_max_length = 10_000

    def check_options(self, field: dict) -> list[str]:
        return super().check_options(field) + check_lengths(field, self.default_max_length)

    def clean(self, field: dict, raw: Any) -> str:
        value = clean_text(raw, multiline=True)
        check_length(value, field, self.default_max_length)
        return value

    def display(self, field: dict, value: Any) -> list[str]:
        return str(value).split("\n")


class EmailType(FieldType):
    name = "email"
    options = frozenset({"autocomplete"})
    prefill_keys = frozenset({"email"})
    input_type = "email"
    autocomplete = "email"
    _validator = validate_email_address

    def clean(self, field: dict, raw: Any) -> str:
        value = clean_text(raw)
        try:
            self._validator(value)
        except ValidationError:
            raise FieldInvalid(
                _("Saisissez une adresse électronique valide, par exemple nom@exemple.fr.")
            ) from None
        if len(value) > 254:
            raise FieldInvalid(_("Cette adresse électronique est trop longue."))
        local, domain = value.rsplit("@", 1)
        return f"{local}@{domain.lower()}"


class PhoneType(FieldType):
    """Stored in the national display form "06 12 34 56 78": the form agents dial and read,
    the one citizens' records use, and loss-free for every number accepted (metropolitan and
    overseas departments). E.164 for an SMS gateway is derived from it."""

    name = "phone"
    options = frozenset({"autocomplete"})
    prefill_keys = frozenset({"phone"})
    input_type = "tel"
    autocomplete = "tel"

    def clean(self, field: dict, raw: Any) -> str:
        number = normalise_phone(clean_text(raw))
        if number is None:
            raise FieldInvalid(
                _("Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78.")
            )
        return number


TYPES = (TextType(), TextareaType(), EmailType(), PhoneType())
