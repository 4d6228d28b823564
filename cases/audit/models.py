"""The audit log (who did or viewed what) and the case history (what happened to a case)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CaseEvent(models.Model):
    """Append-only case history: what happened, when, by whom. Shown as the timeline.

    ``details`` never holds a BSN or health text; it holds ids, dates and outcomes.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("case history")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.action}"


class AuditEntry(models.Model):
    """Who did or viewed what, with what result, from where, when (UTC).

    Written after the action's own transaction ends, so an entry survives a rollback of the
    action it describes. Holds object ids, never personal content.
    """

    class Result(models.TextChoices):
        OK = "ok", _("Succeeded")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    at = models.DateTimeField(_("time (UTC)"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object ID"), max_length=40, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    origin = models.CharField(_("origin"), max_length=100, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=["ok", "refused", "failed"]), name="audit_result_valid"
            ),
        ]
        indexes = [
            # Who viewed or changed one object (a citizen's inspection of their data).
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
