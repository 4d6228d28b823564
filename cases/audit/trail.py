"""The audit trail: who did or viewed what, with what result, from where, when (UTC).

``audited`` wraps a service call *outside* its transaction: the entry is written after the
action committed or rolled back, so a refused or failed action is recorded too. Entries hold
object ids and a short outcome, never a BSN or health text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from cases.rules import RuleViolation

from .models import AuditEntry

logger = logging.getLogger(__name__)


@dataclass
class AuditRecord:
    """Filled in by the audited block: the object it created or changed."""

    object_type: str
    object_id: str = ""
    extra: dict = field(default_factory=dict)


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return f"{actor.pk}:{actor.role}"


@contextmanager
def audited(
    action: str, *, actor, object_type: str, object_id: object = "", origin: str = ""
) -> Iterator[AuditRecord]:
    record = AuditRecord(object_type=object_type, object_id=str(object_id or ""))
    result, message = AuditEntry.Result.OK, ""
    try:
        yield record
    except (ValidationError, RuleViolation) as error:
        result = AuditEntry.Result.REFUSED
        message = getattr(error, "code", None) or "invalid"
        raise
    except Exception as error:
        result, message = AuditEntry.Result.FAILED, type(error).__name__
        raise
    finally:
        write_entry(
            action=action,
            actor=actor,
            object_type=record.object_type,
            object_id=record.object_id,
            result=result,
            origin=origin,
            message=str(message)[:300],
        )


def write_entry(*, action, actor, object_type, object_id="", result, origin="", message=""):
    """Write one entry; a failure to audit is logged loudly but never hides the action's own
    outcome."""
    try:
        AuditEntry.objects.create(
            actor=actor if actor is not None and actor.pk else None,
            actor_label=actor_label(actor),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            result=result,
            origin=origin[:100],
            message=message,
        )
    except Exception:
        logger.exception(
            "audit entry could not be written: action=%s object=%s#%s",
            action,
            object_type,
            object_id,
        )


def origin_of(request) -> str:
    """Where a request came from, for the audit trail (no query strings: they may hold data)."""
    if request is None:
        return "system"
    address = request.META.get("REMOTE_ADDR", "")
    return f"web {address} {request.method} {request.path}"[:100]


def record_view(
    *, actor, object_type: str, object_id: object, request=None, action: str = "view_personal_data"
) -> None:
    """Every view of a case's personal data is audited (issue: case core, audit)."""
    write_entry(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=str(object_id),
        result=AuditEntry.Result.OK,
        origin=origin_of(request),
    )
