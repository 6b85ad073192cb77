"""A fixed-window rate limit kept in the cache (Redis, PostgreSQL while Redis is away)."""

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address, for every rate limit (allauth's too: gru.accounts.AccountAdapter).

    REMOTE_ADDR, unless `TRUSTED_PROXY_COUNT` proxies of ours stand in front: each appends the
    address it saw to X-Forwarded-For (the first one overwrites it), so the client is the
    count-th hop from the right; anything further left was written by the client and is
    ignored. A header with fewer hops did not come through our proxies: REMOTE_ADDR."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def allow(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once `limit` attempts were made within the window. Enforced
    with Redis down too: the cache keeps counting in PostgreSQL (gru/cache.py)."""
    cache_key = f"ratelimit:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    return cache.incr(cache_key) <= limit
