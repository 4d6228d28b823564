"""The daily retention run (``settings.CELERY_BEAT_SCHEDULE["apply-retention"]``). Idempotent:
a second run, or two at once, anonymise or delete nothing twice (``retention``)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import retention


@shared_task(name="cases.tasks.apply_retention", ignore_result=True)
def apply_retention() -> int:
    """Anonymise or delete what has passed its retention period today (local date); the
    number of records done. The run's report is a ``RetentionRun`` row (admin)."""
    run = retention.apply_retention(today=timezone.localdate())
    return sum(run.done.values())
