"""A fake OpenID provider answering through `requests` (no network), for the negative tests:
each test decides what the token and userinfo endpoints return, signed with a key it controls.

    provider = FakeProvider()            # discovery, JWKS, token, userinfo at https://op.test/…
    with provider.serving(monkeypatch):  # every requests call to the issuer is answered here
        ...
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from requests.adapters import BaseAdapter

CLIENT_ID = "client-gru-test"
CLIENT_SECRET = "secret-gru-test-0123456789abcdef0123456789"


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


class FakeProvider:
    def __init__(self, issuer: str = "https://op.test/api/v2") -> None:
        self.issuer = issuer
        self.key = new_key()
        self.kid = uuid.uuid4().hex
        self.sub = "a" * 60 + "v1"
        self.nonce = ""  # the nonce of the flow under test, set by the test
        self.id_token_claims: dict[str, Any] = {}  # overrides (None removes a claim)
        self.userinfo_claims: dict[str, Any] = {}
        self.identity = {
            "given_name": "Angela Claire Louise",
            "family_name": "DUBOIS",
            "preferred_username": "",
            "birthdate": "1962-08-24",
            "gender": "female",
            "birthplace": "75107",
            "birthcountry": "99100",
            "email": "angela.dubois@exemple.fr",
        }
        self.signing_key = None  # another key signs the tokens when set (bad signature)
        self.userinfo_as_json = False
        self.token_requests: list[dict] = []
        self.paths: list[str] = []  # every path asked, in order
        self.discovery_issuer = issuer  # what its discovery document claims

    def settings(self, prefix: str = "FRANCECONNECT") -> dict[str, str]:
        return {
            f"{prefix}_ISSUER": self.issuer,
            f"{prefix}_CLIENT_ID": CLIENT_ID,
            f"{prefix}_CLIENT_SECRET": CLIENT_SECRET,
        }

    # --- What it signs -----------------------------------------------------------------------

    def sign(self, claims: dict[str, Any]) -> str:
        key = self.signing_key or self.key
        return jwt.encode(claims, key, algorithm="ES256", headers={"kid": self.kid})

    def _apply(self, claims: dict, overrides: dict) -> dict:
        claims = {**claims, **overrides}
        return {name: value for name, value in claims.items() if value is not None}

    def id_token(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.sub,
            "aud": CLIENT_ID,
            "exp": now + 60,
            "iat": now,
            "nonce": self.nonce,
            "acr": "eidas1",
        }
        return self.sign(self._apply(claims, self.id_token_claims))

    def userinfo(self) -> str:
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": self.sub, **self.identity}
        return self.sign(self._apply(claims, self.userinfo_claims))

    # --- What it answers ---------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.discovery_issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "end_session_endpoint": f"{self.issuer}/session/end",
            "jwks_uri": f"{self.issuer}/jwks",
            "id_token_signing_alg_values_supported": ["ES256"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "ES256", "use": "sig"}]}

    def answer(self, request: requests.PreparedRequest) -> tuple[int, str, str]:
        path = request.url.removeprefix(self.issuer).split("?")[0]
        self.paths.append(path)
        if path == "/.well-known/openid-configuration":
            return 200, "application/json", json.dumps(self.discovery())
        if path == "/jwks":
            return 200, "application/json", json.dumps(self.jwks())
        if path == "/token" and request.method == "POST":
            form = {k: v[0] for k, v in parse_qs(request.body or "").items()}
            self.token_requests.append(form)
            body = {"access_token": "at-" + uuid.uuid4().hex, "token_type": "Bearer"}
            body["id_token"] = self.id_token()
            return 200, "application/json", json.dumps(body)
        if path == "/userinfo":
            if self.userinfo_as_json:
                claims = {"sub": self.sub, **self.identity, **self.userinfo_claims}
                return 200, "application/json", json.dumps(claims)
            return 200, "application/jwt; charset=utf-8", self.userinfo()
        return 404, "text/plain", "not found"

    @contextlib.contextmanager
    def serving(self, monkeypatch):
        provider = self
        original = requests.Session.get_adapter

        class Adapter(BaseAdapter):
            def send(self, request, **kwargs):
                status, content_type, body = provider.answer(request)
                response = requests.Response()
                response.status_code = status
                response.headers["Content-Type"] = content_type
                response._content = body.encode()
                response.url = request.url
                response.request = request
                return response

            def close(self):
                pass

        def get_adapter(session, url):
            if url.startswith(provider.issuer):
                return Adapter()
            return original(session, url)

        monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
        yield self
