"""Identifiers of organisations and bank accounts: SIRET, SIREN, RNA, IBAN. Spaces are
accepted as typed and removed; the stored value is compact and upper-case."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from .base import FieldInvalid, FieldType, clean_text

LA_POSTE_SIREN = "356000000"

# IBAN lengths of the SEPA countries (ISO 13616 registry).
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "VA": 22,
}  # fmt: skip


def compact(raw: Any) -> str:
    return re.sub(r"[\s.\-\u00a0\u202f]", "", clean_text(raw)).upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def siret_valid(siret: str) -> bool:
    """Luhn, except for La Poste's establishments, which share one SIREN and whose SIRETs have
    a sum of digits divisible by 5 instead (INSEE's rule)."""
    if luhn_valid(siret):
        return True
    return siret.startswith(LA_POSTE_SIREN) and sum(map(int, siret)) % 5 == 0


def iban_valid(iban: str) -> bool:
    """ISO 13616 / ISO 7064 mod 97-10: the country and check digits move to the end, letters
    count as 10 to 35, and the number modulo 97 is 1."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


class IdentifierType(FieldType):
    autocomplete = "off"
    condition_ops = frozenset({"empty", "not_empty"})


class SiretType(IdentifierType):
    name = "siret"
    inputmode = "numeric"

    def clean(self, field: dict, raw: Any) -> str:
        siret = compact(raw)
        if not re.fullmatch(r"[0-9]{14}", siret):
            raise FieldInvalid(
                _("Le numéro SIRET comporte 14 chiffres, par exemple 732 829 320 00074.")
            )
        if not siret_valid(siret):
            raise FieldInvalid(
                _("Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis.")
            )
        return siret

    def display(self, field: dict, value: Any) -> list[str]:
        return [f"{value[:3]} {value[3:6]} {value[6:9]} {value[9:]}"]


class SirenType(IdentifierType):
    name = "siren"
    inputmode = "numeric"

    def clean(self, field: dict, raw: Any) -> str:
        siren = compact(raw)
        if not re.fullmatch(r"[0-9]{9}", siren):
            raise FieldInvalid(_("Le numéro SIREN comporte 9 chiffres, par exemple 732 829 320."))
        if not luhn_valid(siren):
            raise FieldInvalid(
                _("Ce numéro SIREN n'est pas valide : vérifiez les chiffres saisis.")
            )
        return siren

    def display(self, field: dict, value: Any) -> list[str]:
        return [f"{value[:3]} {value[3:6]} {value[6:]}"]


class RnaType(IdentifierType):
    """The national register of associations: W, then 9 digits or letters (the department
    comes first and may be 2A or 2B, as in W2A1000123)."""

    name = "rna"

    def clean(self, field: dict, raw: Any) -> str:
        rna = compact(raw)
        if not re.fullmatch(r"W[0-9A-Z]{9}", rna):
            raise FieldInvalid(
                _(
                    "Le numéro RNA commence par W suivi de 9 chiffres ou lettres, "
                    "par exemple W751234567."
                )
            )
        return rna


class IbanType(IdentifierType):
    name = "iban"

    def clean(self, field: dict, raw: Any) -> str:
        iban = compact(raw)
        if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[0-9A-Z]{11,30}", iban):
            raise FieldInvalid(
                _(
                    "Saisissez un IBAN : deux lettres pour le pays, deux chiffres, puis le "
                    "numéro du compte, par exemple FR76 3000 6000 0112 3456 7890 189."
                )
            )
        country = iban[:2]
        expected = IBAN_LENGTHS.get(country)
        if expected is None:
            message = _(
                "Les IBAN commençant par « %(country)s » ne sont pas acceptés : indiquez un "
                "compte dans un pays de la zone SEPA."
            )
            raise FieldInvalid(message % {"country": country})
        if len(iban) != expected:
            if country == "FR":
                message = _(
                    "Un IBAN français comporte 27 caractères (vous en avez saisi %(count)s)."
                )
            else:
                message = _(
                    "Un IBAN de ce pays comporte %(length)s caractères "
                    "(vous en avez saisi %(count)s)."
                )
            raise FieldInvalid(message % {"length": expected, "count": len(iban)})
        if not iban_valid(iban):
            raise FieldInvalid(_("Cet IBAN n'est pas valide : vérifiez les caractères saisis."))
        return iban

    def display(self, field: dict, value: Any) -> list[str]:
        return [" ".join(value[i : i + 4] for i in range(0, len(value), 4))]


TYPES = (SiretType(), SirenType(), RnaType(), IbanType())
