"""The security headers of every kind of page (issue 13's bar): public page, catalogue, form,
login, citizen space, agent page, error pages, a refused address, a static file. Requests are
made over HTTPS, as production serves them, with production's HSTS."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.factories import MembershipFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_transport(settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def _anonymous(client):
    return client


def _citizen(client):
    client.force_login(UserFactory())
    return client


def _agent(client):
    user = UserFactory()
    MembershipFactory(user=user)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return client


PAGES = [
    ("home", _anonymous, lambda: reverse("home"), 200),
    ("catalogue", _anonymous, lambda: reverse("forms_builder:catalogue"), 200),
    ("procedure", _anonymous, lambda: reverse("forms_builder:procedure", args=["essai"]), 200),
    ("login", _anonymous, lambda: reverse("account_login"), 200),
    ("tracking lookup", _anonymous, lambda: reverse("service_requests:lookup"), 200),
    ("citizen space", _citizen, lambda: reverse("account_home"), 200),
    ("agent landing", _agent, lambda: reverse("backoffice:home"), 200),
    ("404", _anonymous, lambda: "/cette-page-n-existe-pas/", 404),
    ("refused address", _anonymous, lambda: "/demarches/?q=%00", 400),
]


@pytest.fixture
def procedure():
    return ProcedureFactory(slug="essai")


def _document_headers(response):
    csp = response["Content-Security-Policy"]
    directives = {}
    for part in (p.strip() for p in csp.split(";")):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["script-src"].startswith("'self'")  # and a nonce where a script is
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"


def _transport_headers(response, *, document=True):
    hsts = response["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31_536_000
    assert "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if document:
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


@pytest.mark.parametrize(("name", "who", "path", "status"), PAGES, ids=[p[0] for p in PAGES])
def test_every_kind_of_page_carries_the_security_headers(
    client, procedure, name, who, path, status
):
    response = who(client).get(path(), secure=True)
    assert response.status_code == status, name
    _transport_headers(response)
    _document_headers(response)


def test_a_static_file_carries_the_transport_headers(client):
    response = client.get("/static/css/gru.css", secure=True)
    assert response.status_code == 200
    _transport_headers(response, document=False)


def test_cookies_are_secure_httponly_and_same_site(client):
    response = client.get(reverse("account_login"), secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    user = UserFactory()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": "mot-de-passe-de-test"},
        secure=True,
        HTTP_X_FORWARDED_PROTO="https",
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
