"""Platform housekeeping tasks. Thin: each calls a service."""

from celery import shared_task

from gru import services


@shared_task(
    name="gru.tasks.clear_expired_sessions", autoretry_for=(ConnectionError,), max_retries=3
)
def clear_expired_sessions() -> int:
    return services.sessions_clear_expired()
