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
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from allauth.account import app_settings as allauth_account_settings
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import auth
from django.contrib import messages as flash
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

logger = logging.getLogger(__name__)

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


MESSAGES = {
    "provider_error": gettext_lazy(
        "La connexion a été interrompue ou refusée par le service d'identification."
    ),
    "unknown_state": gettext_lazy(
        "Cette tentative de connexion n'a pas été commencée depuis ce navigateur, ou elle a "
        "déjà été utilisée ou a expiré."
    ),
    "unavailable": gettext_lazy(
        "Le service d'identification ne répond pas pour le moment. Réessayez dans quelques minutes."
    ),
}
DEFAULT_MESSAGE = gettext_lazy(
    "La réponse du service d'identification n'a pas pu être vérifiée : par sécurité, vous "
    "n'avez pas été connecté."
)


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

_memory: dict[str, tuple[float, Any]] = {}


def _cached(key: str, ttl: int, fetch):
    now = time.monotonic()
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("OIDC cache unavailable, using the process memory for %s", key)
        value = None
    if value is None:
        expires, value = _memory.get(key, (0.0, None))
        if expires < now:
            value = None
    if value is None:
        value = fetch()
        _memory[key] = (now + ttl, value)
        try:
            cache.set(key, value, ttl)
        except Exception:
            logger.warning("OIDC cache unavailable, %s kept in the process memory", key)
    return value


def _forget(key: str) -> None:
    _memory.pop(key, None)
    try:
        cache.delete(key)
    except Exception:
        logger.warning("OIDC cache unavailable, could not forget %s", key)


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
    """False when this nonce was already accepted (a replayed ID token)."""
    key = f"oidc:nonce:{provider.name}:{hashlib.sha256(nonce.encode()).hexdigest()}"
    timeout = max(int(expires_at - time.time()), 0) + LEEWAY + 60
    try:
        return cache.add(key, 1, timeout)
    except Exception:
        logger.warning("OIDC cache unavailable, nonce replay not checked across sessions")
        return True


# --- The backend --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OIDCCallback:
    """What the callback view knows of the flow its state started."""

    nonce: str
    link_user_id: int | None = None  # set when a signed-in user links this provider


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, for one provider. Subclasses set `provider` and
    implement `account_for(id_claims, userinfo, callback)`."""

    provider: OIDCProvider

    def __init__(self, *args, **kwargs):
        # Django builds every backend on each authenticate() and get_user(): reading the
        # discovery document here would cost a request on every page. Endpoints are read
        # when a callback is handled (`_configure`).
        self.UserModel = auth.get_user_model()
        self.id_token = ""

    def get_settings(self, attr, *args):
        mapping = {
            "OIDC_RP_CLIENT_ID": self.provider.client_id,
            "OIDC_RP_CLIENT_SECRET": self.provider.client_secret,
            "OIDC_RP_SCOPES": self.provider.scopes,
            "OIDC_TOKEN_USE_BASIC_AUTH": False,  # client_secret_post
            "OIDC_VERIFY_SSL": True,
            "OIDC_TIMEOUT": HTTP_TIMEOUT,
            "OIDC_PROXY": None,
            "OIDC_USE_NONCE": True,
            "OIDC_STORE_ID_TOKEN": False,  # the view keeps it, after the login
            "OIDC_STORE_ACCESS_TOKEN": False,
            "OIDC_CREATE_USER": False,
            "OIDC_ALLOW_UNSECURED_JWT": False,
        }
        if attr in mapping:
            return mapping[attr]
        return super().get_settings(attr, *args)

    def _configure(self) -> None:
        document = discovery(self.provider)
        self.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = document["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        self.OIDC_RP_CLIENT_SECRET = self.provider.client_secret

    # The keyword-only `oidc_callback` keeps django.contrib.auth.authenticate() from ever
    # calling this backend (its signature does not bind to username/password credentials).
    def authenticate(self, request, *, oidc_callback: OIDCCallback):  # type: ignore[override]
        self.request = request
        code = request.GET.get("code")
        if not code:
            raise OIDCError("token", "no code")
        self._configure()
        try:
            token_info = self.get_token(
                {
                    "client_id": self.provider.client_id,
                    "client_secret": self.provider.client_secret,
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": absolutify(request, self.provider.url("callback")),
                }
            )
        except (requests.RequestException, ValueError) as exc:
            raise OIDCError("token", f"token endpoint: {exc}") from exc
        id_token, access_token = token_info.get("id_token"), token_info.get("access_token")
        if not id_token or not access_token:
            raise OIDCError("token", "no id_token or access_token")
        id_claims = self.verify_token(id_token, nonce=oidc_callback.nonce)
        userinfo = self.get_userinfo(access_token, id_token, id_claims)
        self.id_token = id_token
        return self.account_for(id_claims, userinfo, oidc_callback)

    def verify_token(self, token, **kwargs):
        """The ID token's signature and claims (`nonce` given) or the userinfo JWT's."""
        nonce = kwargs.get("nonce")
        if nonce is None:
            return _decode(self.provider, token, required=["iss", "aud", "sub"])
        claims = _decode(self.provider, token, required=["iss", "aud", "sub", "exp", "iat"])
        audience = claims["aud"]
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.provider.client_id:
            raise OIDCError("audience", "several audiences and azp is not ours")
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise OIDCError("nonce", "nonce mismatch")
        if not _nonce_first_use(self.provider, nonce, float(claims["exp"])):
            raise OIDCError("nonce", "nonce replayed")
        required_acr = self.provider.required_acr
        if required_acr and claims.get("acr") != required_acr:
            raise OIDCError("acr", f"acr {claims.get('acr')!r} is not {required_acr!r}")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        try:
            response = requests.get(
                self.OIDC_OP_USER_ENDPOINT,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=HTTP_TIMEOUT,
            )
            response.raise_for_status()
        except requests.RequestException as exc:
            raise OIDCError("userinfo", f"userinfo endpoint: {exc}") from exc
        content_type = response.headers.get("content-type", "").lower()
        if not content_type.startswith("application/jwt"):
            raise OIDCError("userinfo", f"userinfo is {content_type!r}, not a signed JWT")
        userinfo = self.verify_token(response.text.strip())
        if userinfo.get("sub") != payload.get("sub"):
            raise OIDCError("userinfo", "userinfo sub differs from the ID token's")
        return userinfo

    def account_for(self, id_claims: dict, userinfo: dict, callback: OIDCCallback):
        raise NotImplementedError

    def get_user(self, user_id):
        return ModelBackend.get_user(self, user_id)


# --- Views ---------------------------------------------------------------------------------------


class ProviderViewMixin:
    provider: OIDCProvider
    error_template: str
    login_required = False

    def dispatch(self, request, *args, **kwargs):
        if not self.provider.enabled:
            raise Http404
        if self.login_required and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def get_settings(self, attr, *args):
        mapping = {
            "OIDC_RP_CLIENT_ID": self.provider.client_id,
            "OIDC_RP_SCOPES": self.provider.scopes,
            "OIDC_AUTHENTICATION_CALLBACK_URL": f"{self.provider.name}:callback",
            "OIDC_STATE_SIZE": STATE_SIZE,
            "OIDC_NONCE_SIZE": NONCE_SIZE,
            "OIDC_USE_NONCE": True,
            "OIDC_USE_PKCE": False,
            "OIDC_REDIRECT_FIELD_NAME": "next",
            "OIDC_AUTH_REQUEST_EXTRA_PARAMS": (
                {"acr_values": self.provider.required_acr} if self.provider.required_acr else {}
            ),
            "LOGIN_REDIRECT_URL": settings.LOGIN_REDIRECT_URL,
        }
        if attr in mapping:
            return mapping[attr]
        return OIDCAuthenticationRequestView.get_settings(attr, *args)

    def error_page(self, request, error: OIDCError):
        logger.warning("%s sign-in refused: %s", self.provider.label, error)
        message = error.message or MESSAGES.get(error.reason, DEFAULT_MESSAGE)
        context = {
            "provider_label": self.provider.label,
            "message": message,
            "reason": error.reason,
            "login_url": reverse(settings.LOGIN_URL),
        }
        return render(request, self.error_template, context, status=error.status)


@method_decorator(never_cache, name="dispatch")
class AuthenticationRequestView(ProviderViewMixin, OIDCAuthenticationRequestView):
    """GET: redirect to the provider's authorization endpoint."""

    def __init__(self, **kwargs):
        # The library reads the endpoint here; ours comes from discovery, after dispatch.
        View.__init__(self, **kwargs)

    link = False

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery(self.provider)["authorization_endpoint"]
        except (OIDCError, KeyError) as exc:
            error = exc if isinstance(exc, OIDCError) else OIDCError("discovery", str(exc))
            return self.error_page(request, error)
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        response = super().get(request)
        # Bind the state the library stored to this provider, and to the account being linked.
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        entry = request.session["oidc_states"][state]
        entry["provider"] = self.provider.name
        if self.link:
            entry["link_user_id"] = request.user.pk
        request.session.modified = True
        return response


@method_decorator(never_cache, name="dispatch")
class AuthenticationCallbackView(ProviderViewMixin, OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with `code` and `state` (or `error`)."""

    backend_class: type[OIDCBackend]

    def get(self, request):
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states")
        entry = states.get(state) if isinstance(states, dict) and state else None
        if entry is not None and entry.get("provider") != self.provider.name:
            entry = None
        if entry is not None:  # a state is used once, whatever happens next
            del request.session["oidc_states"][state]
            request.session.modified = True
            request.session.save()
        if request.GET.get("error"):
            detail = f"{request.GET['error']}: {request.GET.get('error_description', '')}"
            return self.error_page(request, OIDCError("provider_error", detail[:300]))
        if entry is None:
            return self.error_page(request, OIDCError("unknown_state", "state not started here"))
        link_user_id = entry.get("link_user_id")
        if link_user_id is not None and request.user.pk != link_user_id:
            return self.error_page(request, OIDCError("unknown_state", "linking user changed"))
        # Reload the session after the slow calls to the provider, as the library does, so
        # that what another tab wrote meanwhile is not overwritten.
        backend = self.backend_class()
        try:
            user = backend.authenticate(
                request,
                oidc_callback=OIDCCallback(nonce=entry["nonce"], link_user_id=link_user_id),
            )
        except OIDCError as error:
            return self.error_page(request, error)
        request.session = request.session.__class__(request.session.session_key)
        if link_user_id is not None:
            request.session[self.provider.id_token_session_key] = backend.id_token
            flash.success(
                request, _("Votre compte est maintenant relié à %s.") % self.provider.label
            )
            return redirect(self.link_success_url())
        return self.login(request, user, backend.id_token)

    def login(self, request, user, id_token: str):
        """Sign in through allauth's stages: an agent with TOTP is asked for it."""
        user.backend = self.provider.backend
        response = perform_login(
            request,
            user,
            email_verification=allauth_account_settings.EmailVerificationMethod.NONE,
            redirect_url=self.success_url,
        )
        request.session[self.provider.id_token_session_key] = id_token
        return response

    def link_success_url(self) -> str:
        return reverse(settings.LOGIN_REDIRECT_URL)


@method_decorator(never_cache, name="dispatch")
class LogoutView(ProviderViewMixin, View):
    """POST: sign out here, then at the provider (end_session with id_token_hint and a state
    checked on return). Without a provider session, only here."""

    http_method_names = ["post"]

    def post(self, request):
        id_token = request.session.get(self.provider.id_token_session_key)
        auth.logout(request)
        if not id_token:
            return redirect("home")
        try:
            end_session = discovery(self.provider)["end_session_endpoint"]
        except (OIDCError, KeyError) as exc:
            logger.warning("%s logout: no end_session endpoint (%s)", self.provider.label, exc)
            return redirect("home")
        state = get_random_string(STATE_SIZE)
        request.session[self.provider.logout_state_session_key] = state
        params = {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": request.build_absolute_uri(
                self.provider.url("logout_callback")
            ),
        }
        return HttpResponseRedirect(f"{end_session}?{urlencode(params)}")


@method_decorator(never_cache, name="dispatch")
class LogoutCallbackView(ProviderViewMixin, View):
    """The provider sends the browser back here after its own logout."""

    http_method_names = ["get"]

    def get(self, request):
        expected = request.session.pop(self.provider.logout_state_session_key, "")
        state = request.GET.get("state", "")
        if not expected or not state or not hmac.compare_digest(expected, state):
            message = _(
                "La déconnexion n'a pas pu être confirmée : elle n'a pas été demandée depuis ce "
                "navigateur. Vous êtes bien déconnecté du portail ; fermez votre navigateur pour "
                "terminer aussi votre session %(provider)s."
            ) % {"provider": self.provider.label}
            error = OIDCError("logout_state", "missing or wrong logout state", message=message)
            return self.error_page(request, error)
        flash.success(
            request,
            _("Vous êtes déconnecté du portail et de %s.") % self.provider.label,
        )
        return redirect("home")


# --- The two providers and the template context --------------------------------------------------


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


def providers(request):
    """Template context: which sign-in buttons to show, and whether this session's logout
    must go through FranceConnect (`franceconnect_session`) or ProConnect."""
    session = getattr(request, "session", None)

    def holds_id_token(provider: OIDCProvider) -> bool:
        return bool(
            provider.enabled and session is not None and session.get(provider.id_token_session_key)
        )

    return {
        "franceconnect_enabled": FRANCECONNECT.enabled,
        "proconnect_enabled": PROCONNECT.enabled,
        "franceconnect_session": holds_id_token(FRANCECONNECT),
        "proconnect_session": holds_id_token(PROCONNECT),
    }
