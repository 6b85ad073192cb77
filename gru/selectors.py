"""Read-only queries of the platform itself."""

import redis
from django.conf import settings
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

from gru.models import SitePage


def readiness(connection: BaseDatabaseWrapper) -> dict[str, dict]:
    """Ask PostgreSQL and Redis for a round trip; report each with its error if any."""
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True}
    except DatabaseError as exc:
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        try:
            client.ping()
        finally:
            client.close()
        checks["redis"] = {"ok": True}
    except redis.RedisError as exc:
        checks["redis"] = {"ok": False, "error": exc.__class__.__name__}
    return checks


def site_page(slug: str) -> SitePage | None:
    return SitePage.objects.filter(slug=slug).first()
