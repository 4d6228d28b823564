"""Celery tasks that keep the benchmark's aggregates up to date (docs/operations.md).

Only the beat schedule enqueues them: a web request never talks to the broker (decision 9).
Changes reach the figures through ``refresh_reports``, which reads the case history for
municipalities with a change since its last run; with the broker away nothing is lost, the
next run picks the changes up. Both tasks are safe to run twice.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task

from . import build

logger = logging.getLogger(__name__)


@shared_task(name="reports.recompute_reports", ignore_result=True)
def recompute_reports() -> int:
    """Count every year of every municipality again (nightly)."""
    started = time.monotonic()
    rows = build.rebuild()
    logger.info("reports: %s municipal rows in %.1f s", rows, time.monotonic() - started)
    return rows


@shared_task(name="reports.refresh_reports", ignore_result=True)
def refresh_reports() -> int:
    """Count this year again for the municipalities whose cases or quota changed."""
    return build.refresh_changed()
