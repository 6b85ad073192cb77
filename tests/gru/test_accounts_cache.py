"""With Redis down, signing in still works: allauth's rate limits and TOTP replay marks live in
the cache, and gru.cache.FailSoftRedisCache answers like an empty cache meanwhile."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from gru import ratelimit
from tests.gru.accounts_support import _empty_cache, verified_user  # noqa: F401

pytestmark = pytest.mark.django_db

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "gru.cache.FailSoftRedisCache",
            "LOCATION": NOWHERE,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_login_works_without_redis(client, redis_down):
    user = verified_user()
    started = time.monotonic()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "mot-de-passe-de-test"}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    # One connection attempt, then Redis is left alone: not one timeout per cache call.
    assert time.monotonic() - started < 3


def test_failed_login_without_redis_is_a_form_error_not_a_500(client, redis_down):
    user = verified_user()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "non"})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_plain_redis_backend_would_fail():
    plain = RedisCache(NOWHERE, {"OPTIONS": {"socket_connect_timeout": 0.5}})
    with pytest.raises(RedisConnectionError):
        plain.add("allauth-lock", True)


def test_reads_miss_writes_are_dropped_and_add_succeeds(redis_down):
    assert cache.get("key", "default") == "default"
    assert cache.add("key", 1) is True
    cache.set("key", 1)
    cache.delete("key")
    assert cache.get_many(["key"]) == {}
    with pytest.raises(RedisConnectionError):
        cache.incr("key")
    # gru.ratelimit lets the request through, as before.
    assert ratelimit.allow(scope="test", key="k", limit=1, window_seconds=60)


def test_the_cache_works_when_redis_answers():
    assert cache.add("key", 1) is True
    assert cache.add("key", 2) is False
    assert cache.get("key") == 1
    assert cache.incr("key") == 2
