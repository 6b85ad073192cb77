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
    from django.utils import timezone

    from pilotage.refresh import refresh
    from pilotage.selectors import warm, warm_forecasts

    run = refresh(full=full)
    today = timezone.localdate()
    warmed = warm(today=today)  # the new tables' figures, before anyone asks
    warm_forecasts(today=today)
    return {"run": run.pk, "seconds": run.seconds, "counts": run.counts, "warmed": warmed}
