"""Celery tasks of the relationship store. Thin: they take ids (or nothing), call a service,
and may run twice: every service they call is idempotent. No ETA or countdown: the timers are
dates in the database that the beat-driven sweeps act on.

Two kinds: the sweeps beat starts (retried by Celery on a transient error), and the side
effects of a write (the receipt, the emails, an implicit decision's documents), which the
services never `.delay`: they write an outbox row (`service_requests.outbox.enqueue`) that
`deliver_outbox_message` runs, and the outbox retries them on its own schedule."""

from datetime import date

import redis
from celery import shared_task
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerError

from service_requests import outbox, services

# What a retry may cure: the database or Redis away for a moment, the mail server refusing.
TRANSIENT = (OperationalError, redis.exceptions.ConnectionError, BrokerError)
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
    soft_time_limit=120,
    time_limit=180,
)
def deliver_implicit_decision(request_id: int) -> None:
    services.request_deliver_implicit_decision(request_id=request_id)


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
    soft_time_limit=60,
    time_limit=90,
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
    soft_time_limit=60,
    time_limit=90,
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
    soft_time_limit=60,
    time_limit=90,
)
def warn_draft_expiry(request_id: int, expires_on: str) -> bool:
    return services.request_warn_draft_expiry(
        request_id=request_id, expires_on=date.fromisoformat(expires_on)
    )


@shared_task(
    name="service_requests.tasks.notify_reasons_requested",
    soft_time_limit=60,
    time_limit=90,
)
def notify_reasons_requested(task_id: int) -> None:
    services.task_notify_reasons_requested(task_id=task_id)


@shared_task(
    name="service_requests.tasks.tell_team_withdrawn",
    soft_time_limit=60,
    time_limit=90,
)
def tell_team_withdrawn(event_id: int) -> None:
    services.request_tell_team_withdrawn(event_id=event_id)


# Filing


@shared_task(
    name="service_requests.tasks.send_receipt",
    soft_time_limit=60,
    time_limit=90,
)
def send_receipt(request_id: int) -> bool:
    from service_requests.services.receipts import request_send_receipt

    return request_send_receipt(request_id=request_id)


# Telling the citizen


@shared_task(
    name="service_requests.tasks.notify_citizen",
    soft_time_limit=60,
    time_limit=90,
)
def notify_citizen(event_id: int) -> bool:
    """The email one event of a request's timeline calls for (a status change, an agent's
    message, a documents request, a decision), once."""
    from service_requests.services.notifications import event_notify_citizen

    return event_notify_citizen(event_id=event_id)


# Telling the agents (issue 10, point 11: service_requests.services.agent_notifications)


@shared_task(
    name="service_requests.tasks.send_agent_notification",
    soft_time_limit=60,
    time_limit=90,
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
    soft_time_limit=60,
    time_limit=90,
)
def send_agent_digest(user_id: int) -> bool:
    from service_requests.services.agent_notifications import agent_digest_send

    return agent_digest_send(user_id=user_id)


# The outbox (service_requests.outbox)


@shared_task(
    name="service_requests.tasks.deliver_outbox_message",
    # Below outbox.LEASE (5 minutes): a row is never run by two live workers at once.
    soft_time_limit=150,
    time_limit=180,
)
def deliver_outbox_message(message_id: int) -> bool | None:
    """Run one outbox row's task; the row records the outcome and when to try again."""
    return outbox.deliver(message_id)


@shared_task(
    name="service_requests.tasks.catch_up_outbox",
    # Not retried: it runs again in a minute.
    soft_time_limit=50,
    time_limit=60,
)
def catch_up_outbox() -> int:
    return outbox.outbox_catch_up().handed_over
