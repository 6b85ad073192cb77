"""gru.sessions: Django's database sessions, read in one prepared SQL read and saved in one
UPDATE. A session reads back what was saved; an expired or unknown one reads as empty, with
no key, as Django's store does."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gru.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved(**data) -> str:
    session = SessionStore()
    session.update(data)
    session.create()
    return session.session_key


def test_a_session_reads_back_what_was_saved_in_one_query():
    key = saved(tracking_grants={"12": 1.5}, name="Hélène")
    session = SessionStore(session_key=key)
    with CaptureQueriesContext(connection) as queries:
        assert session["name"] == "Hélène" and session["tracking_grants"] == {"12": 1.5}
    assert len(queries) == 1 and "django_session" in queries[0]["sql"]
    session["name"] = "Bruno"
    session.save()
    assert SessionStore(session_key=key)["name"] == "Bruno"


@pytest.mark.parametrize("case", ["expired", "unknown"])
def test_an_expired_or_unknown_session_reads_as_empty_without_its_key(case):
    key = saved(name="Hélène")
    if case == "expired":
        Session.objects.filter(pk=key).update(
            expire_date=timezone.now() - datetime.timedelta(seconds=1)
        )
    else:
        key = "k" * 32
    session = SessionStore(session_key=key)
    assert session.load() == {}
    assert session.session_key is None


@pytest.mark.parametrize("forged", ["\x00abcdefghijkl", "abcdefgh'; --", "é" * 32])
def test_a_forged_session_cookie_is_no_session(client, forged):
    client.cookies["sessionid"] = forged
    response = client.get("/compte/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    assert SessionStore(session_key=forged).session_key is None
