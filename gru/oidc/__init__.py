"""The OpenID Connect profile shared by FranceConnect (citizens) and ProConnect (agents).

mozilla-django-oidc reads one global configuration (OIDC_*), matches users on their email,
and checks neither `iss`, `aud` nor `acr`, nor the `state` of a logout (LEGAL.md §3). Here
each provider is an `OIDCProvider` read from its own settings (FRANCECONNECT_*, PROCONNECT_*),
its endpoints come from its discovery document (cached), and the library's views and backend
are subclassed so that:

- the authorization request carries a state and a nonce of 48 characters, the provider's
  scopes and, for FranceConnect, `acr_values`; the state is bound to the provider (and to the
  account being linked, if any);
- the callback accepts only a state this session started with this provider, once;
- the ID token is an ES256/RS256 JWT checked against the JWKS: signature, `iss` (the
  discovery's issuer), `aud` (our client id), `exp`, `iat`, `nonce` (also refused when seen
  before), and `acr` when the provider requires one; userinfo must be a JWT signed and
  checked the same way, about the same `sub`;
- the backend is called by the callback view only (its `authenticate` needs a keyword no
  other caller passes, so `django.contrib.auth.authenticate` never tries it, and the password
  backends are never tried with the provider's answer); the account is found by `sub` by the
  provider's own subclass (`account_for`);
- logging out goes through the provider's end_session endpoint with `id_token_hint` and a
  `state` checked on return.

Every refusal is an `OIDCError`: the view logs it as a warning and renders the provider's
French error page, with no session created.

The package: `provider` (settings, discovery, keys, token checks, the two providers),
`backend`, `views` and `context` (the template context processor). Everything is imported
from `gru.oidc`.
"""

from gru.oidc.backend import OIDCBackend, OIDCCallback
from gru.oidc.context import providers
from gru.oidc.provider import (
    ALGORITHMS,
    DISCOVERY_TTL,
    FRANCECONNECT,
    HTTP_TIMEOUT,
    JWKS_TTL,
    LEEWAY,
    NONCE_SIZE,
    PROCONNECT,
    STATE_SIZE,
    OIDCError,
    OIDCProvider,
    discovery,
    signing_key,
)
from gru.oidc.views import (
    DEFAULT_MESSAGE,
    MESSAGES,
    AuthenticationCallbackView,
    AuthenticationRequestView,
    LogoutCallbackView,
    LogoutView,
    ProviderViewMixin,
)

__all__ = [
    "ALGORITHMS",
    "DEFAULT_MESSAGE",
    "DISCOVERY_TTL",
    "FRANCECONNECT",
    "HTTP_TIMEOUT",
    "JWKS_TTL",
    "LEEWAY",
    "MESSAGES",
    "NONCE_SIZE",
    "PROCONNECT",
    "STATE_SIZE",
    "AuthenticationCallbackView",
    "AuthenticationRequestView",
    "LogoutCallbackView",
    "LogoutView",
    "OIDCBackend",
    "OIDCCallback",
    "OIDCError",
    "OIDCProvider",
    "ProviderViewMixin",
    "discovery",
    "providers",
    "signing_key",
]
