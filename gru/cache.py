"""The cache: Redis, and PostgreSQL while Redis is unreachable.

The cache holds what protects accounts: allauth's login rate limits and its used-TOTP-code
marks, the OpenID Connect nonces already accepted (gru/oidc/provider.py), gru.ratelimit's
counters. A cache that answered like an empty one while Redis was away switched all of them
off (issue 13). Here every operation goes to Redis; when Redis cannot be reached (refused,
reset or timed out), the same operation goes to a table of PostgreSQL (Django's database
cache on `gru_cache_fallback`, the `CacheEntry` model), so `add` still refuses a key already
taken and counts keep counting. After a failure Redis is left alone for a few seconds (per
process), so that a page does not wait for one connection timeout per cache call.

When Redis answers again, the first operation of a process that saw it fail copies what the
table holds back into Redis (`add`, so nothing newer is overwritten) and empties it: a TOTP
code used during the outage stays used after it.

The cache never raises for Redis being away: its callers hold no `try` around it. PostgreSQL
being away is the whole site being away (`/readyz` answers 503).
"""

from __future__ import annotations

import base64
import logging
import pickle
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
FALLBACK_TABLE = "gru_cache_fallback"


class RedisCacheWithFallback(RedisCache):
    retry_after_seconds = 10.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._saw_failure = False
        shared = {k: v for k, v in params.items() if k not in ("BACKEND", "LOCATION", "OPTIONS")}
        self.fallback = DatabaseCache(
            FALLBACK_TABLE, {**shared, "OPTIONS": {"MAX_ENTRIES": 100_000}}
        )

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                if self._saw_failure:
                    self._restore()
                return getattr(super(), method)(*args, **kwargs)
            except UNREACHABLE:
                self._down_until = time.monotonic() + self.retry_after_seconds
                self._saw_failure = True
                logger.warning(
                    "Redis unreachable: the cache is kept in PostgreSQL for %s s",
                    self.retry_after_seconds,
                    exc_info=True,
                )
        return getattr(self.fallback, method)(*args, **kwargs)

    def _restore(self) -> None:
        """Copy the table's live entries into Redis, then empty it (Redis answers again)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cache_key, value, expires FROM {FALLBACK_TABLE} WHERE expires > %s",  # noqa: S608 - a constant
                [timezone.now()],
            )
            rows = cursor.fetchall()
        now = timezone.now()
        for key, value, expires in rows:
            # The table's keys are already made (prefix, version); so are the client's.
            value = pickle.loads(base64.b64decode(value.encode()))  # noqa: S301 - our own rows
            forever = expires.year == 9999  # a timeout of None
            timeout = None if forever else max(int((expires - now).total_seconds()), 1)
            self._cache.add(key, value, timeout)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FALLBACK_TABLE}")  # noqa: S608 - a constant
        self._saw_failure = False
        if rows:
            logger.warning("Redis answers again: %s cache entries copied back", len(rows))

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)
