"""Platform housekeeping tasks. Thin: each calls a service."""

from smtplib import SMTPException

from celery import shared_task

from gru import services
from gru.mail import email_from_payload


@shared_task(
    name="gru.tasks.clear_expired_sessions", autoretry_for=(ConnectionError,), max_retries=3
)
def clear_expired_sessions() -> int:
    return services.sessions_clear_expired()


@shared_task(
    name="gru.tasks.send_email",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=10,
)
def send_email(payload: dict) -> None:
    """An account email rendered by the web process (gru.mail.email_send_later)."""
    email_from_payload(payload).send()
