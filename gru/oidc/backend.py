"""mozilla-django-oidc's backend, for one provider: the code is exchanged, the ID token and the
userinfo JWT are checked, and the provider's subclass finds the account (`account_for`)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import requests
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify

from gru.oidc.provider import (
    HTTP_TIMEOUT,
    OIDCError,
    OIDCProvider,
    _decode,
    _nonce_first_use,
    discovery,
)


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
