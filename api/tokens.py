"""API tokens: `gru_<prefix>_<secret>`, the prefix for the lookup, SHA-256 of the whole for the
check (a 256-bit random secret needs no slow hash; the comparison is in constant time)."""

import hashlib
import secrets

TOKEN_PREFIX = "gru_"  # noqa: S105 (the marker of a token, not a secret)


def new_token() -> tuple[str, str]:
    """A fresh token and its lookup prefix."""
    prefix = secrets.token_hex(6)
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prefix_of(token: str) -> str | None:
    """The lookup prefix of a well-formed token, None otherwise."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    prefix, sep, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not sep or len(prefix) != 12 or not secret:
        return None
    return prefix
