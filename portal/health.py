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


def _cache_ok() -> bool:
    """Redis answers (the cache backend itself turns its errors into misses, so ask it)."""
    if not settings.CACHES["default"]["BACKEND"].startswith("django_redis"):
        return True
    try:
        from django_redis import get_redis_connection

        return bool(get_redis_connection("default").ping())
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
    """Ready to serve: 503 only when the database does not answer.

    PostgreSQL is the one critical dependency. The cache, the broker and the workers are
    reported, and make the status *degraded* (still 200): pages work without the cache, and
    applications and mails wait in the outbox table until the broker and a worker are back.
    Take a node out of the load balancer on 503; alert on *degraded*.
    """
    age = _worker_heartbeat_age()
    worker_ok = age is not None and age <= settings.WORKER_HEARTBEAT_MAX_AGE
    checks = {"database": _database_ok(), "cache": _cache_ok(), "broker": _broker_ok()}
    if not checks["database"]:
        status = "unavailable"
    elif all(checks.values()) and worker_ok:
        status = "ok"
    else:
        status = "degraded"
    body = {
        "status": status,
        "checks": checks,
        "worker": {"last_heartbeat_seconds_ago": age, "ok": worker_ok},
    }
    return JsonResponse(body, status=503 if status == "unavailable" else 200)
