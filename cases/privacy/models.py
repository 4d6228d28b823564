"""The AVG rights of the people in the portal: their correction requests (AVG art. 16), the
records anonymised after their retention period, and a report of every retention run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CorrectionRequest(models.Model):
    """A citizen asks the municipality to correct data of their case (AVG art. 16): what is
    wrong and what it should be. A consultant of the case's municipality grants or refuses
    it with a reason, within one month (AVG art. 12(3); ``due_on``)."""

    class State(models.TextChoices):
        OPEN = "open", _("Not answered yet")
        GRANTED = "granted", _("Corrected")
        REFUSED = "refused", _("Not corrected")

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("case"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer no later than"))
    what_is_wrong = models.TextField(_("what is wrong"))
    what_it_should_be = models.TextField(_("what it should be"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "granted", "refused"]),
                name="correction_request_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state="open", answered_at__isnull=True, answer="")
                | (~Q(state="open") & Q(answered_at__isnull=False) & ~Q(answer="")),
                name="correction_request_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("received_on")),
                name="correction_request_due_after_received",
            ),
        ]
        indexes = [
            # The consultants' list: the open requests by due date.
            models.Index(
                fields=["due_on", "id"],
                name="correction_request_open",
                condition=Q(state="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.received_on:%d-%m-%Y} ({self.state})"


class RetentionKind(models.TextChoices):
    """The kinds of record the retention run anonymises or deletes (``RETENTION_MONTHS``)."""

    CASE = "case", _("Case file (anonymised)")
    PERSON = "person", _("Person (anonymised)")
    DRAFT = "draft", _("Application never sent (deleted)")
    NOTIFICATION = "notification", _("Notification (deleted)")
    AUDIT = "audit", _("Audit log entry (deleted)")
    ACCOUNT = "account", _("Citizen account (anonymised)")
    BSN_ENTRY = "bsn_entry", _("BSN entered in an application (deleted)")


class Anonymised(models.Model):
    """A case, person or account anonymised after its retention period. The record itself
    stays (the figures of past years count it) without what identifies the person; this row
    says that it happened, so a run never does it twice."""

    kind = models.CharField(_("kind"), max_length=20, choices=RetentionKind.choices)
    object_id = models.BigIntegerField(_("object ID"))
    at = models.DateTimeField(_("anonymised on"), auto_now_add=True)
    run = models.ForeignKey(
        "cases.RetentionRun",
        on_delete=models.PROTECT,
        related_name="anonymised",
        verbose_name=_("retention run"),
    )

    class Meta:
        verbose_name = _("anonymised record")
        verbose_name_plural = _("anonymised records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="anonymised_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["case", "person", "account"]), name="anonymised_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class RetentionRun(models.Model):
    """One run of the retention task: when, and how many records of each kind it anonymised
    or deleted (``done``) and held back although their period had passed (``held_back``:
    an open correction request, a pending duplicate, another case of the person still
    kept). Holds counts only."""

    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    today = models.DateField(_("run for the day"))
    done = models.JSONField(_("anonymised or deleted"), default=dict, blank=True)
    held_back = models.JSONField(_("held back"), default=dict, blank=True)
    failed = models.PositiveIntegerField(_("failed"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.today:%Y-%m-%d}"
