"""Liveness and readiness probes for load balancers and operators."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app
from .tasks import HEARTBEAT_KEY


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


def _worker_heartbeat_age() -> int | None:
    try:
        value = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001
        return None
    if not value:
        return None
    return int((timezone.now() - datetime.fromisoformat(value)).total_seconds())


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database and the broker answer (503 otherwise).

    The age of the worker's last heartbeat is reported too; it does not make the web tier
    unready (the portal keeps accepting applications while workers are down).
    """
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    age = _worker_heartbeat_age()
    ready = all(checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": checks,
        "worker": {
            "last_heartbeat_seconds_ago": age,
            "ok": age is not None and age <= settings.WORKER_HEARTBEAT_MAX_AGE,
        },
    }
    return JsonResponse(body, status=200 if ready else 503)
