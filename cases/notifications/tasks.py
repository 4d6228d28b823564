"""Celery tasks for terms and notifications. Short and idempotent: each may run twice, on two
workers, or after a crash, without sending anything twice (see ``cases.notifications.dispatch``).

They receive ids, never model instances, and are only ever enqueued by other tasks: the web
request writes to the outbox table and never talks to the broker.

Their registered names stay ``cases.tasks.*`` (the beat schedule and tasks already queued
use them); ``portal.celery`` finds this module.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections
from django.utils import timezone

from cases import services

from . import dispatch

logger = logging.getLogger(__name__)


@task_prerun.connect(dispatch_uid="cases-reuse-db-connections-pre")
@task_postrun.connect(dispatch_uid="cases-reuse-db-connections-post")
def _reuse_database_connections(**kwargs) -> None:
    """Celery's Django fixup would close the connection around every task; with
    ``CELERY_DB_REUSE_MAX`` set it does not, and this closes only connections that are broken
    or older than ``CONN_MAX_AGE`` (what Django does around a web request)."""
    task = kwargs.get("task") or kwargs.get("sender")
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()


@shared_task(name="cases.tasks.sweep_terms", ignore_result=True)
def sweep_terms() -> int:
    """Create the notifications that are due today (local date) over all open terms, after
    recording the refusals that not deciding in time counts as (DOMAIN §3.1)."""
    today = timezone.localdate()
    refused = services.record_deemed_refusals(today=today)
    past_aow = services.close_candidates_past_aow_age(today=today)
    result = dispatch.sweep(today)
    logger.info(
        "sweep: %s deemed refusals, %s candidates past the AOW age, %s notifications in %s queries",
        refused,
        past_aow,
        result.created,
        result.queries,
    )
    if result.created or refused or past_aow:
        drain_outbox.delay()
    return result.created + refused + past_aow


@shared_task(name="cases.tasks.drain_outbox", ignore_result=True)
def drain_outbox(limit: int = 500) -> int:
    """Enqueue one send task per outbox row; the rows stay until the send is final."""
    ids = dispatch.claim_outbox(limit)
    for position, notification_id in enumerate(ids):
        try:
            send_notification.delay(notification_id)
        except Exception:
            dispatch.release_outbox(ids[position:])
            raise
    return len(ids)


@shared_task(name="cases.tasks.send_notification", ignore_result=True)
def send_notification(notification_id: int) -> str:
    """Send one e-mail. SMTP trouble is not retried here: the outbox row waits for its
    backoff and the drain enqueues it again (one path owns the retries)."""
    try:
        return dispatch.deliver(notification_id)
    except dispatch.TemporaryDeliveryError as error:
        logger.warning("notification %s: mail server did not take it: %s", notification_id, error)
        return "retry later"
