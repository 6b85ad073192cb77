"""The cache: Redis, answering like an empty cache while Redis is unreachable.

allauth keeps its rate limits and its used-TOTP-code marks in the default cache and does not
catch connection errors: with plain RedisCache a Redis outage turns every login into a 500.
Here a read misses, a write is dropped and `add` succeeds, so a login still works; the rate
limits and the TOTP replay check are not enforced meanwhile (logged), as for gru.ratelimit.
After a failure Redis is left alone for a few seconds (per process), so that a page does not
wait for one connection timeout per cache call.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class FailSoftRedisCache(RedisCache):
    retry_after_seconds = 10.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, method: str, fallback, *args, **kwargs):
        if self._is_down():
            return fallback
        try:
            return getattr(super(), method)(*args, **kwargs)
        except UNREACHABLE:
            self._down_until = time.monotonic() + self.retry_after_seconds
            logger.warning(
                "Cache unreachable: answering as an empty cache for %s s",
                self.retry_after_seconds,
                exc_info=True,
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True: allauth's rate-limit lock and TOTP replay mark are then taken, not refused.
        return self._call("add", True, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)

    def incr(self, key, delta=1, version=None):
        # No sensible count without Redis: callers (gru.ratelimit) handle the error.
        if self._is_down():
            raise RedisConnectionError("cache unreachable (recently failed)")
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE:
            self._down_until = time.monotonic() + self.retry_after_seconds
            raise
