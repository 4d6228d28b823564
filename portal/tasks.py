from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "portal:worker-heartbeat"


@shared_task(ignore_result=True)
def heartbeat() -> str:
    """Beat sends this every minute; the worker that runs it proves it processes tasks.

    ``/readyz`` reports the age of the last beat. Safe to run twice: it only writes a time.
    """
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
