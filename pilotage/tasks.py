"""Celery tasks of the steering pages: thin, by id, calling a service (pilotage.*)."""

from datetime import date

import redis
from celery import shared_task
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerError

TRANSIENT = (OperationalError, redis.exceptions.ConnectionError, BrokerError)
MAIL_TRANSIENT = (*TRANSIENT, OSError)  # SMTP errors are OSErrors (smtplib.SMTPException)
RETRY = {"retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 5, "retry_jitter": True}


# --- Exports (issue 14, item 7) ------------------------------------------------------------------
@shared_task(
    name="pilotage.tasks.build_export",
    autoretry_for=TRANSIENT,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
    **RETRY,
)
def build_export(export_id: int) -> bool:
    from pilotage.exports import export_build

    return export_build(export_id=export_id)


@shared_task(name="pilotage.tasks.delete_expired_exports", autoretry_for=TRANSIENT, **RETRY)
def delete_expired_exports() -> int:
    from pilotage.exports import exports_delete_expired

    return exports_delete_expired()


# --- The Monday radar email (issue 14, item 3) ---------------------------------------------------
@shared_task(name="pilotage.tasks.enqueue_radar_emails", autoretry_for=TRANSIENT, **RETRY)
def enqueue_radar_emails() -> int:
    from pilotage.radar_emails import radar_emails_enqueue

    return radar_emails_enqueue()


@shared_task(
    name="pilotage.tasks.send_radar_email",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def send_radar_email(user_id: int, week: str) -> bool:
    from pilotage.radar_emails import radar_email_send

    return radar_email_send(user_id=user_id, week=date.fromisoformat(week))
