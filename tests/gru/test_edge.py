"""The edge of every request (issue 13, items 10 and 14): a control character in the address is
refused with a 400 on every route, before any view reads it; every answer carries a
Permissions-Policy."""

import re

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gru.edge import PERMISSIONS_POLICY, has_control_characters
from gru.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _routes(patterns=None, prefix=""):
    """Every route of the URL map as a path, its converters given sample values."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if route.startswith("^"):  # a regex route (the admin's): its literal part
            route = re.sub(r"\(.*?\)|[\^$?]", "", route).replace("\\", "")
        route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


ROUTES = sorted(set(_routes()))


def test_the_url_map_is_walked():
    assert len(ROUTES) > 80
    assert "/demarches/" in ROUTES
    assert "/agents/usagers/" in ROUTES


@pytest.mark.parametrize("path", ROUTES)
def test_a_nul_byte_in_the_query_string_is_a_400_on_every_route(client, path):
    response = client.get(path + "?q=%00&categorie=a%00b&page=%01")
    assert response.status_code == 400, path
    if path.startswith("/api/v1/") and path != "/api/v1/docs/":  # the API answers in JSON
        assert response.json()["code"] == "bad_request"
    else:
        assert "Demande incorrecte" in response.content.decode()


@pytest.mark.parametrize("path", ["/demarches/", "/agents/usagers/", "/compte/"])
def test_signed_in_users_are_refused_the_same(client, path):
    client.force_login(UserFactory())
    assert client.get(path + "?q=%00").status_code == 400


@pytest.mark.parametrize(
    ("path", "query", "refused"),
    [
        ("/demarches/", "q=voirie", False),
        ("/demarches/", "q=caf%C3%A9+cr%C3%A8me", False),  # accents, encoded
        ("/demarches/", "q=%2500", False),  # the text « %00 », not a NUL
        ("/demarches/", "q=%00", True),
        ("/demarches/", "q=a%0Ab", False),  # whitespace from a paste: the views strip it
        ("/demarches/", "q=a%09b%0D", False),
        ("/demarches/", "q=a%0Bb", True),  # a vertical tab is no whitespace a box sends
        ("/demarches/", "q=a%7Fb", True),  # DEL
        ("/demarches/", "q=a\x01b", True),  # raw, not encoded
        ("/demarches/\x00/", "", True),
        ("/demarches/%2500/", "", False),
    ],
)
def test_what_counts_as_a_control_character(path, query, refused):
    from urllib.parse import unquote

    assert has_control_characters(path=unquote(path), query_string=query) is refused


def test_every_answer_says_which_browser_features_are_never_used(client):
    for path in ("/", "/demarches/", "/cette-page-n-existe-pas/", "/demarches/?q=%00"):
        policy = client.get(path).headers["Permissions-Policy"]
        assert policy == PERMISSIONS_POLICY
        assert "camera=()" in policy and "geolocation=()" in policy


@pytest.mark.parametrize("error", [OperationalError, InterfaceError, RuntimeError])
def test_the_database_away_while_a_middleware_reads_the_session_is_the_503(error, monkeypatch):
    """The landing CI's restart test found it: a signed-in visitor's session is read by a
    middleware above the views, where `process_exception` does not reach; handler500 answers
    the 503 for the database's errors, and the French 500 for anything else."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())

    def away(self):
        raise error("the database system is shutting down")

    monkeypatch.setattr(SessionStore, "load", away)
    response = client.get("/demarches/")
    if error is RuntimeError:
        assert response.status_code == 500
        assert "Retry-After" not in response.headers
    else:
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert "momentanément indisponible" in response.content.decode()
