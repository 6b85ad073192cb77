"""A fixed-window rate limit kept in the cache (Redis)."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address. Behind the proxy, X-Forwarded-For's last hop is the one the proxy
    saw; REMOTE_ADDR otherwise. (Configure the proxy to overwrite the header, not append.)"""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def allow(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once `limit` attempts were made within the window.

    With Redis down the limit is not enforced (logged): a citizen's access to their request
    weighs more than a short gap in throttling."""
    cache_key = f"ratelimit:{scope}:{key}"
    try:
        cache.add(cache_key, 0, timeout=window_seconds)
        attempts = cache.incr(cache_key)
    except Exception:
        logger.warning("Rate limit %s not enforced: the cache is unreachable", scope, exc_info=True)
        return True
    return attempts <= limit
