from celery import shared_task

from api.calls import api_calls_purge


@shared_task(time_limit=15 * 60)
def purge_api_calls() -> int:
    return api_calls_purge()
