"""Progressive delays instead of a lock (issue 13, item 12): five wrong passwords typed by a
stranger locked the account's owner out for five minutes, five wrong TOTP codes did the same to
an agent and answered 200."""

import datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from gru import throttle
from tests.gru.accounts_support import _empty_cache, agent, totp_code, verified_user  # noqa: F401

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
OWNER, STRANGER = "192.0.2.10", "198.51.100.66"


@pytest.mark.parametrize(
    ("policy", "failures", "wait"),
    [
        (throttle.PAIR, 0, 0),
        (throttle.PAIR, 4, 0),
        (throttle.PAIR, 5, 1),
        (throttle.PAIR, 6, 2),
        (throttle.PAIR, 10, 32),
        (throttle.PAIR, 14, 512),
        (throttle.PAIR, 15, 900),  # ceiling: 15 minutes
        (throttle.PAIR, 60, 900),
        (throttle.ACCOUNT, 19, 0),
        (throttle.ACCOUNT, 20, 1),
        (throttle.ACCOUNT, 24, 16),
        (throttle.ACCOUNT, 25, 30),  # ceiling: the owner is never locked out
        (throttle.ACCOUNT, 500, 30),
        (throttle.ADDRESS, 29, 0),
        (throttle.ADDRESS, 30, 1),
        (throttle.ADDRESS, 100, 900),
    ],
)
def test_the_wait_after_failures(policy, failures, wait):
    assert policy.wait_after(failures) == wait


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 seconde"),
        (30, "30 secondes"),
        (119, "119 secondes"),
        (120, "2 minutes"),
        (900, "15 minutes"),
    ],
)
def test_the_wait_in_words(seconds, words):
    assert throttle.in_words(seconds) == words


def login(client, user, password=PASSWORD, address=OWNER):
    return client.post(
        reverse("account_login"),
        {"login": user.email, "password": password},
        REMOTE_ADDR=address,
    )


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(client):
    user = verified_user()
    with time_machine.travel(START, tick=False):
        for _ in range(8):
            login(client, user, "devine", address=STRANGER)
        assert login(client, user, address=STRANGER).status_code == 429  # the stranger waits
        response = login(client, user, address=OWNER)  # the owner does not
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(user.pk)


def test_the_guesser_waits_longer_after_each_failure_and_is_told_how_long(client):
    user = verified_user()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            assert login(client, user, "devine").status_code == 200  # form error, no wait
        refused = login(client, user, "devine")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "1"
        assert "réessayer dans 1 seconde" in refused.content.decode()

        clock.shift(1)
        assert login(client, user, "devine").status_code == 200  # the sixth failure
        assert login(client, user, "devine")["Retry-After"] == "2"
        clock.shift(2)
        # Once the wait is over, the right password gets in, and the slate is clean.
        assert login(client, user).status_code == 302
    assert (
        throttle.seconds_to_wait(
            throttle.keys(_request(OWNER), step="password", account=user.email)
        )
        == 0
    )


def _request(address):
    from django.test import RequestFactory

    return RequestFactory().get("/", REMOTE_ADDR=address)


def test_guessing_from_many_addresses_slows_the_account_but_never_locks_it(client):
    user = verified_user()
    with time_machine.travel(START, tick=False) as clock:
        for n in range(60):
            clock.shift(31)  # each guess waits out what the previous one was told
            assert login(client, user, "devine", address=f"203.0.113.{n}").status_code == 200
        refused = login(client, user, "devine", address="203.0.113.200")
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) <= 30
        clock.shift(30)
        assert login(client, user, address=OWNER).status_code == 302


def test_spraying_many_accounts_from_one_address_is_slowed(client):
    users = [verified_user() for _ in range(31)]
    with time_machine.travel(START, tick=False):
        for user in users[:30]:
            login(client, user, "devine", address=STRANGER)
        assert login(client, users[30], "devine", address=STRANGER).status_code == 429
        assert login(client, users[30], address=OWNER).status_code == 302


def test_wrong_totp_codes_answer_429_and_do_not_lock_the_agent_out(client):
    user = agent(totp=True, staff=True)
    with time_machine.travel(START, tick=False) as clock:
        login(client, user)
        for _ in range(5):
            response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
            assert response.status_code == 200
            assert "Code incorrect" in response.content.decode()
        refused = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert refused.status_code == 429
        assert refused["Retry-After"] == "1"
        assert SESSION_KEY not in client.session
        clock.shift(1)
        client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert client.session[SESSION_KEY] == str(user.pk)
