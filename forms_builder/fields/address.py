"""A French postal address: street, postcode, commune. Stored as {"street", "postcode",
"city"}, the keys the citizen record uses, so that a profile prefills it as it is."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from .base import Error, FieldInvalid, FieldType, clean_text, get_one

PARTS = ("street", "postcode", "city")
_CORSICA_DEPARTMENT = re.compile(r"2[AB][0-9]{3}", re.IGNORECASE)


def part_labels() -> dict[str, str]:
    return {"street": _("Numéro et voie"), "postcode": _("Code postal"), "city": _("Commune")}


def clean_postcode(raw: str) -> str:
    postcode = re.sub(r"\s", "", raw)
    if _CORSICA_DEPARTMENT.fullmatch(postcode):
        # 2A and 2B number Corsica's departments (and INSEE commune codes such as 2A004);
        # the postcodes there are digits: 20000 Ajaccio, 20200 Bastia.
        raise FieldInvalid(
            Error(
                _("En Corse, le code postal commence par 20, par exemple 20000 pour Ajaccio."),
                "postcode",
            )
        )
    if not re.fullmatch(r"[0-9]{5}", postcode):
        raise FieldInvalid(
            Error(_("Saisissez un code postal à 5 chiffres, par exemple 75001."), "postcode")
        )
    return postcode


class AddressType(FieldType):
    name = "address"
    template_name = "forms_builder/widgets/address.html"
    prefill_keys = frozenset({"address"})
    condition_ops = frozenset({"empty", "not_empty"})
    uses_fieldset = True
    _max = {"street": 200, "city": 100}

    def read(self, field: dict, data, files, current=None) -> dict:
        return {part: get_one(data, f"{field['id']}-{part}") for part in PARTS}

    def is_blank(self, raw: Any) -> bool:
        return not raw or not any(clean_text(raw.get(part, "")) for part in PARTS)

    def _missing(self) -> dict[str, str]:
        return {
            "street": _("Indiquez le numéro et la voie."),
            "postcode": _("Indiquez le code postal."),
            "city": _("Indiquez la commune."),
        }

    def missing(self, field: dict) -> FieldInvalid:
        return FieldInvalid(*(Error(message, part) for part, message in self._missing().items()))

    def clean(self, field: dict, raw: Any) -> dict:
        values = {part: clean_text(raw.get(part, "")) for part in PARTS}
        errors = [Error(self._missing()[part], part) for part in PARTS if not values[part]]
        for part, limit in self._max.items():
            if len(values[part]) > limit:
                message = _("Saisissez au plus %(max)s caractères.") % {"max": limit}
                errors.append(Error(message, part))
        if values["postcode"]:
            try:
                values["postcode"] = clean_postcode(values["postcode"])
            except FieldInvalid as invalid:
                errors += invalid.errors
        if errors:
            errors.sort(key=lambda error: PARTS.index(error.part))
            raise FieldInvalid(*errors)
        return values

    def to_raw(self, field: dict, value: Any) -> dict:
        value = value or {}
        return {part: str(value.get(part, "")) for part in PARTS}

    def display(self, field: dict, value: Any) -> list[str]:
        return [value["street"], f"{value['postcode']} {value['city']}"]

    def widget(self, field: dict, raw: Any) -> dict:
        raw = raw or {}
        labels = part_labels()
        tokens = {"street": "address-line1", "postcode": "postal-code", "city": "address-level2"}
        return {
            "parts": [
                {
                    "key": part,
                    "label": labels[part],
                    "value": raw.get(part, ""),
                    "autocomplete": tokens[part],
                    "inputmode": "numeric" if part == "postcode" else "",
                }
                for part in PARTS
            ]
        }


TYPES = (AddressType(),)
