"""The two identifiers a request gets when it is filed.

- The **reference** is public: printed on receipts, read out on the phone, typed by a citizen.
  It is short and readable (Crockford's base32: no I, L, O or U, so nothing looks alike once
  read back), and random rather than sequential, so that knowing one reference tells nothing
  about the others nor about the volume of requests. 8 characters: 32**8, about 10**12.
- The **tracking token** is secret: it alone opens an anonymous request's tracking page, so it
  carries at least 256 bits from `secrets` and is compared, never guessed.
"""

import re
import secrets
from collections.abc import Callable

# Crockford's base32 alphabet: digits, then letters without I, L, O, U.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_GROUP = 4
REFERENCE_LENGTH = 2 * REFERENCE_GROUP  # characters drawn, the hyphen aside
REFERENCE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")

TRACKING_TOKEN_BYTES = 32
# Same pattern as the database check `request_tracking_token_strong`.
TRACKING_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")

# What a person may type for a reference character (Crockford's decoding rules).
_READ_BACK = str.maketrans({"O": "0", "I": "1", "L": "1"})


class ReferenceExhausted(RuntimeError):
    """Every draw collided: the reference space is (improbably) full or `exists` is broken."""


def new_reference() -> str:
    """A random reference such as « K7QM-2X4P »."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{chars[:REFERENCE_GROUP]}-{chars[REFERENCE_GROUP:]}"


def unique_reference(exists: Callable[[str], bool], *, attempts: int = 10) -> str:
    """A new reference for which `exists(reference)` is false.

    Typical use::

        unique_reference(lambda ref: ServiceRequest.objects.filter(reference=ref).exists())

    The check narrows the window; the unique constraint on the column stays the arbiter, so the
    caller still treats an IntegrityError on insert as "draw again".
    """
    for _ in range(attempts):
        reference = new_reference()
        if not exists(reference):
            return reference
    raise ReferenceExhausted(f"no free reference after {attempts} draws")


def is_reference(text: str) -> bool:
    return bool(REFERENCE_RE.match(text))


def normalise_reference(text: str) -> str | None:
    """The reference a person meant, from what they typed: any case, spaces or hyphens, O for 0,
    I or L for 1. None when it cannot be one."""
    compact = re.sub(r"[\s-]", "", text).upper().translate(_READ_BACK)
    if len(compact) != REFERENCE_LENGTH:
        return None
    reference = f"{compact[:REFERENCE_GROUP]}-{compact[REFERENCE_GROUP:]}"
    return reference if is_reference(reference) else None


def new_tracking_token() -> str:
    """A URL-safe secret of 256 bits (43 characters)."""
    return secrets.token_urlsafe(TRACKING_TOKEN_BYTES)
