"""French telephone numbers, as forms, profiles and agents' screens all accept them."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_INVALID = _("Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78.")

# Overseas departments have their own country codes; their numbers dialled from France are
# 0 followed by the same nine digits (+262 692 12 34 56 is 06 92 12 34 56).
FRENCH_COUNTRY_CODES = ("33", "262", "590", "594", "596")
_PHONE_SEPARATORS = re.compile(r"[\s.\-/()\u00a0\u202f]")


def normalise_phone(raw: str) -> str | None:
    """A French number in its canonical display form "06 12 34 56 78", or None."""
    number = raw.strip().replace("(0)", "")
    number = _PHONE_SEPARATORS.sub("", number)
    if number.startswith("00"):
        number = "+" + number[2:]
    if number.startswith("+"):
        for code in FRENCH_COUNTRY_CODES:
            if number.startswith("+" + code) and len(number) == len(code) + 10:
                number = "0" + number[len(code) + 1 :]
                break
        else:
            return None
    if not re.fullmatch(r"0[1-9][0-9]{8}", number):
        return None
    return " ".join(number[i : i + 2] for i in range(0, 10, 2))


def clean_phone(raw: str) -> str:
    """A form's optional phone field: "" when left empty, the display form when French,
    else a ValidationError with the French message."""
    raw = raw.strip()
    if not raw:
        return ""
    number = normalise_phone(raw)
    if number is None:
        raise ValidationError(PHONE_INVALID)
    return number
