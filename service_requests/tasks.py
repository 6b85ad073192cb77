"""Celery tasks of the relationship store. Thin: they take ids (or nothing), call a service,
and may run twice: every service they call is idempotent. No ETA or countdown: the timers are
dates in the database that the beat-driven sweeps act on."""

import smtplib
from datetime import date

import redis
from celery import shared_task
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerError

from service_requests import services

# What a retry may cure: the database or Redis away for a moment, the mail server refusing.
TRANSIENT = (OperationalError, redis.exceptions.ConnectionError, BrokerError)
MAIL_TRANSIENT = (*TRANSIENT, smtplib.SMTPException, ConnectionError, TimeoutError)
RETRY = {"retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 5, "retry_jitter": True}


@shared_task(
    name="service_requests.tasks.apply_implicit_decisions",
    autoretry_for=TRANSIENT,
    soft_time_limit=240,
    time_limit=300,
    **RETRY,
)
def apply_implicit_decisions() -> int:
    return services.implicit_decisions_apply_due().decided


@shared_task(
    name="service_requests.tasks.deliver_implicit_decision",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=120,
    time_limit=180,
    **RETRY,
)
def deliver_implicit_decision(request_id: int) -> None:
    services.request_deliver_implicit_decision(request_id=request_id)


@shared_task(
    name="service_requests.tasks.redeliver_implicit_decisions",
    autoretry_for=TRANSIENT,
    soft_time_limit=240,
    time_limit=300,
    **RETRY,
)
def redeliver_implicit_decisions() -> int:
    return services.implicit_decisions_redeliver()


@shared_task(
    name="service_requests.tasks.enqueue_decision_reminders",
    autoretry_for=TRANSIENT,
    soft_time_limit=240,
    time_limit=300,
    **RETRY,
)
def enqueue_decision_reminders() -> int:
    return services.reminders_enqueue_due()


@shared_task(
    name="service_requests.tasks.send_decision_reminder",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def send_decision_reminder(request_id: int, days_before: int, due_on: str) -> bool:
    return services.request_send_decision_reminder(
        request_id=request_id, days_before=days_before, due_on=date.fromisoformat(due_on)
    )


@shared_task(
    name="service_requests.tasks.enqueue_documents_overdue_alerts",
    autoretry_for=TRANSIENT,
    soft_time_limit=240,
    time_limit=300,
    **RETRY,
)
def enqueue_documents_overdue_alerts() -> int:
    return services.documents_overdue_enqueue()


@shared_task(
    name="service_requests.tasks.alert_documents_overdue",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def alert_documents_overdue(document_request_id: int) -> bool:
    return services.request_alert_documents_overdue(document_request_id=document_request_id)


@shared_task(
    name="service_requests.tasks.purge_expired_drafts",
    autoretry_for=TRANSIENT,
    soft_time_limit=240,
    time_limit=300,
    **RETRY,
)
def purge_expired_drafts() -> int:
    return services.drafts_purge_expired().deleted


@shared_task(
    name="service_requests.tasks.warn_draft_expiry",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def warn_draft_expiry(request_id: int, expires_on: str) -> bool:
    return services.request_warn_draft_expiry(
        request_id=request_id, expires_on=date.fromisoformat(expires_on)
    )


@shared_task(
    name="service_requests.tasks.notify_reasons_requested",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def notify_reasons_requested(task_id: int) -> None:
    services.task_notify_reasons_requested(task_id=task_id)


@shared_task(
    name="service_requests.tasks.tell_team_withdrawn",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def tell_team_withdrawn(event_id: int) -> None:
    services.request_tell_team_withdrawn(event_id=event_id)


# Filing


@shared_task(
    name="service_requests.tasks.send_receipt",
    # A PDF that fails to render is not retried here: `catch_up_receipts` tries again every
    # hour for a week, and the citizen's click makes it meanwhile.
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def send_receipt(request_id: int) -> bool:
    from service_requests.services.receipts import request_send_receipt

    return request_send_receipt(request_id=request_id)


@shared_task(
    name="service_requests.tasks.catch_up_receipts",
    autoretry_for=TRANSIENT,
    soft_time_limit=240,
    time_limit=300,
    **RETRY,
)
def catch_up_receipts() -> int:
    from service_requests.services.receipts import receipts_catch_up

    return receipts_catch_up()


# Telling the citizen


@shared_task(
    name="service_requests.tasks.notify_citizen",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def notify_citizen(event_id: int) -> bool:
    """The email one event of a request's timeline calls for (a status change, an agent's
    message, a documents request, a decision), once."""
    from service_requests.services.notifications import event_notify_citizen

    return event_notify_citizen(event_id=event_id)


# Telling the agents (issue 10, point 11: service_requests.services.agent_notifications)


@shared_task(
    name="service_requests.tasks.send_agent_notification",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def send_agent_notification(notification_id: int) -> bool:
    from service_requests.services.agent_notifications import agent_notification_send

    return agent_notification_send(notification_id=notification_id)


@shared_task(
    name="service_requests.tasks.alert_implicit_decisions_tomorrow",
    autoretry_for=TRANSIENT,
    soft_time_limit=240,
    time_limit=300,
    **RETRY,
)
def alert_implicit_decisions_tomorrow() -> int:
    from service_requests.services.agent_notifications import implicit_decision_alerts_record

    return implicit_decision_alerts_record()


@shared_task(
    name="service_requests.tasks.enqueue_agent_digests",
    autoretry_for=TRANSIENT,
    soft_time_limit=240,
    time_limit=300,
    **RETRY,
)
def enqueue_agent_digests() -> int:
    from service_requests.services.agent_notifications import agent_digests_enqueue

    return agent_digests_enqueue()


@shared_task(
    name="service_requests.tasks.send_agent_digest",
    autoretry_for=MAIL_TRANSIENT,
    soft_time_limit=60,
    time_limit=90,
    **RETRY,
)
def send_agent_digest(user_id: int) -> bool:
    from service_requests.services.agent_notifications import agent_digest_send

    return agent_digest_send(user_id=user_id)
