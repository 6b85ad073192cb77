"""The beat task refreshing the summary tables (imported by PilotageConfig.ready, so that
`pilotage/tasks.py`, the exports' and the radar's, stays theirs)."""

import redis
from celery import shared_task
from django.db import OperationalError

TRANSIENT = (OperationalError, redis.exceptions.ConnectionError)


@shared_task(
    name="pilotage.tasks.refresh_summaries",
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=3,
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
)
def refresh_summaries(full: bool = False) -> dict:
    from pilotage.refresh import refresh

    run = refresh(full=full)
    return {"run": run.pk, "seconds": run.seconds, "counts": run.counts}
