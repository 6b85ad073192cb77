"""One OpenID provider: its settings, discovery document and keys (cached), the checks of
its JWTs, and the two providers GRU knows (FranceConnect, ProConnect)."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

# One logger for the whole package, under the name it had before the split, so that records
# keep their name and a logging setting for "gru.oidc" still covers them.
logger = logging.getLogger("gru.oidc")

STATE_SIZE = 48  # LEGAL.md §3: at least 32 characters
NONCE_SIZE = 48
HTTP_TIMEOUT = 10  # seconds, for every call to a provider
DISCOVERY_TTL = 60 * 60
JWKS_TTL = 10 * 60
LEEWAY = 30  # seconds of clock skew accepted on exp/iat
ALGORITHMS = ("ES256", "RS256")


class OIDCError(Exception):
    """A refused sign-in: `reason` picks the French explanation on the error page."""

    def __init__(
        self, reason: str, detail: str = "", *, status: int = 400, message: str = ""
    ) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.status = status  # 400: the protocol failed; 403: this account is refused
        self.message = message  # the French explanation, when the reason's is not enough


@dataclass(frozen=True)
class OIDCProvider:
    """One OpenID provider, configured by the settings named `<prefix>_ISSUER`, `_CLIENT_ID`,
    `_CLIENT_SECRET` and `_SCOPES`."""

    name: str  # also the URL namespace: "franceconnect", "proconnect"
    prefix: str  # "FRANCECONNECT"
    label: str  # shown to people
    backend: str  # dotted path of its authentication backend
    default_acr: str = ""  # the `acr` its ID tokens must carry, unless `<prefix>_ACR` says

    @property
    def required_acr(self) -> str:
        return self.setting("ACR", self.default_acr)

    def setting(self, key: str, default: Any = "") -> Any:
        return getattr(settings, f"{self.prefix}_{key}", default)

    @property
    def issuer(self) -> str:
        return self.setting("ISSUER").rstrip("/")

    @property
    def client_id(self) -> str:
        return self.setting("CLIENT_ID")

    @property
    def client_secret(self) -> str:
        return self.setting("CLIENT_SECRET")

    @property
    def scopes(self) -> str:
        return " ".join(self.setting("SCOPES").split())

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)

    @property
    def id_token_session_key(self) -> str:
        return f"oidc_{self.name}_id_token"

    @property
    def logout_state_session_key(self) -> str:
        return f"oidc_{self.name}_logout_state"

    def url(self, name: str) -> str:
        return reverse(f"{self.name}:{name}")


# --- Discovery and keys (cached in Redis; in this process when Redis fails) -------------------


def _cached(key: str, ttl: int, fetch):
    """The cached value, else `fetch()` cached for `ttl` seconds (the cache falls back on
    PostgreSQL by itself when Redis is away: gru/cache.py)."""
    value = cache.get(key)
    if value is None:
        value = fetch()
        cache.set(key, value, ttl)
    return value


def _forget(key: str) -> None:
    cache.delete(key)


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise OIDCError("unavailable", f"{url}: {exc}") from exc


def _key(kind: str, issuer: str) -> str:
    return f"oidc:{kind}:{hashlib.sha256(issuer.encode()).hexdigest()[:32]}"


def discovery(provider: OIDCProvider) -> dict:
    """The provider's discovery document; its `issuer` must be the configured one."""
    issuer = provider.issuer

    def fetch() -> dict:
        document = _get_json(f"{issuer}/.well-known/openid-configuration")
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise OIDCError("discovery", f"issuer {document.get('issuer')!r} is not {issuer!r}")
        return document

    return _cached(_key("discovery", issuer), DISCOVERY_TTL, fetch)


def signing_key(provider: OIDCProvider, token: str) -> jwt.PyJWK:
    """The JWKS key that signed `token` (by kid and alg); the JWKS is fetched again once
    when the kid is unknown (the provider rotated its keys)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise OIDCError("token", f"unreadable JWT header: {exc}") from exc
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ALGORITHMS:
        raise OIDCError("signature", f"algorithm {alg!r} not accepted")
    jwks_uri = discovery(provider).get("jwks_uri")
    if not jwks_uri:
        raise OIDCError("discovery", "no jwks_uri")
    cache_key = _key("jwks", jwks_uri)
    for attempt in (1, 2):
        jwks = _cached(cache_key, JWKS_TTL, lambda: _get_json(jwks_uri))
        for jwk in jwks.get("keys", []):
            if kid is not None and jwk.get("kid") != kid:
                continue
            if jwk.get("alg", alg) != alg or jwk.get("use", "sig") != "sig":
                continue
            try:
                return jwt.PyJWK(jwk, algorithm=alg)
            except jwt.PyJWKError as exc:
                raise OIDCError("signature", f"unusable JWK: {exc}") from exc
        if attempt == 1:
            _forget(cache_key)
    raise OIDCError("signature", f"no key {kid!r} for {alg} in the JWKS")


def _decode(provider: OIDCProvider, token: str, *, required: list[str]) -> dict:
    key = signing_key(provider, token)
    try:
        return jwt.decode(
            token,
            key=key,
            algorithms=[key.algorithm_name],
            audience=provider.client_id,
            issuer=discovery(provider)["issuer"],
            leeway=LEEWAY,
            options={"require": required},
        )
    except jwt.ExpiredSignatureError as exc:
        raise OIDCError("expired", str(exc)) from exc
    except jwt.InvalidAudienceError as exc:
        raise OIDCError("audience", str(exc)) from exc
    except jwt.InvalidIssuerError as exc:
        raise OIDCError("issuer", str(exc)) from exc
    except jwt.InvalidSignatureError as exc:
        raise OIDCError("signature", str(exc)) from exc
    except jwt.InvalidTokenError as exc:
        raise OIDCError("token", str(exc)) from exc


def _nonce_first_use(provider: OIDCProvider, nonce: str, expires_at: float) -> bool:
    """False when this nonce was already accepted (a replayed ID token), Redis up or not."""
    key = f"oidc:nonce:{provider.name}:{hashlib.sha256(nonce.encode()).hexdigest()}"
    timeout = max(int(expires_at - time.time()), 0) + LEEWAY + 60
    return cache.add(key, 1, timeout)


FRANCECONNECT = OIDCProvider(
    name="franceconnect",
    prefix="FRANCECONNECT",
    label="FranceConnect",
    backend="citizens.franceconnect.FranceConnectBackend",
    default_acr="eidas1",
)
PROCONNECT = OIDCProvider(
    name="proconnect",
    prefix="PROCONNECT",
    label="ProConnect",
    backend="gru.proconnect.ProConnectBackend",
)
