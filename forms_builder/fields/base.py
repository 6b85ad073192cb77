"""What every field type provides: its schema options, how it reads the POST, cleans a value or
refuses it with French messages, turns a stored value back into what its widget shows, and how
the review page displays it.

A field type is a stateless singleton: the field's definition (a dict from the schema) is passed
to each method. Messages are translated when they are produced (`gettext`), in the request's
language, not when the module is imported.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# Keys every field with an input may carry, beyond its type's own options.
COMMON_KEYS = frozenset(
    {"id", "type", "label", "hint", "required", "condition", "prefill", "carry_over"}
)

# HTML autocomplete tokens a schema may ask for explicitly (WCAG 1.3.5 purposes).
AUTOCOMPLETE_TOKENS = frozenset({
    "off", "name", "honorific-prefix", "given-name", "additional-name", "family-name", "email",
    "tel", "street-address", "address-line1", "address-line2", "address-line3",
    "address-level1", "address-level2", "postal-code", "country-name", "bday", "organization",
    "organization-title", "sex",
})  # fmt: skip

# The profile keys a field may be prefilled from, and the autocomplete token each implies.
PREFILL_AUTOCOMPLETE = {
    "given_names": "given-name",
    "family_name": "family-name",
    "email": "email",
    "phone": "tel",
    "street": "address-line1",
    "postcode": "postal-code",
    "city": "address-level2",
    "birth_date": "bday",
    "address": "",  # the whole address: each of its inputs has its own token
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Error:
    """One thing wrong with an answer. `part` names a sub-input (an address's "postcode")."""

    message: str
    part: str | None = None


class FieldInvalid(Exception):
    def __init__(self, *errors: Error | str):
        self.errors = [e if isinstance(e, Error) else Error(str(e)) for e in errors]
        super().__init__("; ".join(e.message for e in self.errors))

    @property
    def messages(self) -> list[str]:
        return [error.message for error in self.errors]


def get_one(data: Mapping, key: str) -> str:
    """The last value POSTed under `key` (a QueryDict or a plain dict, as tests build them)."""
    values = get_list(data, key)
    return values[-1] if values else ""


def get_list(data: Mapping, key: str) -> list:
    if hasattr(data, "getlist"):
        return data.getlist(key)
    value = data.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def clean_text(value: Any, *, multiline: bool = False) -> str:
    """Text as typed, without what a user never means: control and bidi characters, leading
    and trailing blanks; NFC so that "é" typed two ways compares equal."""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def without_controls(raw: Any) -> Any:
    """A raw answer as typed, minus the control and bidi characters no one means (a NUL byte
    cannot even be stored in PostgreSQL's JSON): for what is kept although refused."""
    if isinstance(raw, str):
        return _CONTROL.sub("", raw)
    if isinstance(raw, dict):
        return {key: without_controls(value) for key, value in raw.items()}
    if isinstance(raw, list | tuple):
        return [without_controls(value) for value in raw]
    return raw


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return is_int(value) or (isinstance(value, float) and math.isfinite(value))


def is_reference(bound: Any) -> bool:
    """Whether a `min` or `max` names another field ({"field": …}, `forms_builder.rules`)
    rather than a fixed bound."""
    return isinstance(bound, dict)


def fixed_bound(field: dict, key: str) -> Any:
    """The field's `min` or `max` when it is a fixed bound; None when absent or another
    field's answer (checked by the engine, which knows the other answers)."""
    bound = field.get(key)
    return None if is_reference(bound) else bound


class FieldType:
    """The default behaviour: a single text input whose value is a string."""

    name = ""
    template_name = "forms_builder/widgets/input.html"
    has_value = True  # False: explanatory text or a section title
    options: frozenset[str] = frozenset()  # the type's own schema keys
    prefill_keys: frozenset[str] = frozenset()
    condition_ops = frozenset({"equals", "not_equals", "empty", "not_empty"})
    uses_fieldset = False
    input_type = "text"
    inputmode = ""
    autocomplete = ""

    # --- Schema ---------------------------------------------------------------------------

    def allowed_keys(self) -> frozenset[str]:
        return COMMON_KEYS | self.options

    def check_options(self, field: dict) -> list[str]:
        """What is wrong with the type's own options (French, for the administrator)."""
        errors = []
        token = field.get("autocomplete")
        if (
            "autocomplete" in self.options
            and token is not None
            and token not in AUTOCOMPLETE_TOKENS
        ):
            errors.append(_("valeur d'autocomplétion inconnue « %(token)s ».") % {"token": token})
        return errors

    def check_condition_value(self, field: dict, op: str, value: Any) -> str | None:
        """Why a condition's `value` cannot match this field's answers, or None."""
        if not isinstance(value, str) or not value:
            return _("la valeur comparée doit être un texte non vide.")
        return None

    # --- Answers --------------------------------------------------------------------------

    def read(self, field: dict, data: Mapping, files: Mapping | None, current: Any = None) -> Any:
        """The raw answer in a POST (`current`: the answer stored before, which only a file
        field needs: its earlier files are kept unless removed)."""
        return get_one(data, field["id"])

    def is_blank(self, raw: Any) -> bool:
        return raw is None or clean_text(raw) == ""

    def required_message(self, field: dict) -> str:
        return _("Ce champ est obligatoire.")

    def missing(self, field: dict) -> FieldInvalid:
        """The error for a required field left blank."""
        return FieldInvalid(self.required_message(field))

    def clean(self, field: dict, raw: Any) -> Any:
        """The value to store, from a non-blank raw answer; raises FieldInvalid."""
        return clean_text(raw)

    def to_raw(self, field: dict, value: Any) -> Any:
        """What the widget shows for a stored value (the inverse of `clean`)."""
        return "" if value is None else str(value)

    def display(self, field: dict, value: Any) -> list[str]:
        """The stored value for a human, one string per line (the review page, receipts)."""
        return [str(value)]

    # --- Widget ---------------------------------------------------------------------------

    def widget(self, field: dict, raw: Any) -> dict:
        """Extra context for the widget's template."""
        token = field.get("autocomplete") or PREFILL_AUTOCOMPLETE.get(field.get("prefill", ""))
        return {
            "input_type": self.input_type,
            "inputmode": self.inputmode,
            "autocomplete": token or self.autocomplete,
        }
