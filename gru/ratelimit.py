"""A fixed-window rate limit kept in the cache (Redis, PostgreSQL while Redis is away)."""

from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address. Behind the proxy, X-Forwarded-For's last hop is the one the proxy
    saw; REMOTE_ADDR otherwise. (Configure the proxy to overwrite the header, not append.)"""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def allow(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once `limit` attempts were made within the window. Enforced
    with Redis down too: the cache keeps counting in PostgreSQL (gru/cache.py)."""
    cache_key = f"ratelimit:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    return cache.incr(cache_key) <= limit
