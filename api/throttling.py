"""A rate limit per client: at most `ApiClient.requests_per_minute` calls in each calendar
minute, counted in the cache (one INCR a call); beyond, a 429 with `Retry-After` until the next
minute. A fixed window rather than DRF's sliding one, whose history list grows with the rate."""

import math
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from api.models import ApiClient

WINDOW_SECONDS = 60


class ClientRateThrottle(BaseThrottle):
    def __init__(self):
        self._wait: float | None = None

    def allow_request(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return True  # no client, no call: authentication answers first
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"api:rate:{client.pk}:{window}"
        cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
        if count <= client.requests_per_minute:
            return True
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return False

    def wait(self) -> float | None:
        return math.ceil(self._wait) if self._wait is not None else None
