"""Celery tasks of the webhooks: thin, they take ids and call `webhooks.sending`."""

from celery import shared_task

from webhooks import sending


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=45)
def deliver(delivery_id: int) -> str | None:
    """One attempt at a delivery (enqueued once its event commits, or by the sweep)."""
    return sending.attempt(delivery_id)


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=100)
def send_due_deliveries() -> int:
    """Every minute: enqueue the due pending deliveries, those whose first task was lost
    (broker down when the event happened) and the retries."""
    ids = sending.due_delivery_ids()
    for pk in ids:
        deliver.delay(pk)
    return len(ids)
