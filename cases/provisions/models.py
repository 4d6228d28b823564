"""Support provisions (DOMAIN §5, §6.3): what is in place for a person to make sheltered work
possible, from when to when, who provides it, who pays and what it costs a month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import ProvisionKind, Responsible, choices_constraint


class SupportProvision(models.Model):
    """A provision in place for the person of a case (job coach, guidance, workplace
    adaptation, transport, other), recorded by a consultant (``services.record_provision``).
    The municipality pays the kinds its verordening offers; UWV supplies those of a Wajong
    recipient with wage dispensation (DOMAIN §6.3)."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="provisions",
        verbose_name=_("case"),
    )
    kind = models.CharField(_("provision"), max_length=25, choices=ProvisionKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    provider = models.CharField(_("provided by"), max_length=200)
    payer = models.CharField(_("paid by"), max_length=15, choices=Responsible.choices)
    monthly_cost = models.DecimalField(
        _("cost per month"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    description = models.CharField(_("what it is"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded on"), auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("support provision")
        verbose_name_plural = _("support provisions")
        constraints = [
            choices_constraint("kind", ProvisionKind, "provision_kind_valid"),
            choices_constraint("payer", Responsible, "provision_payer_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="provision_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(monthly_cost__isnull=True) | Q(monthly_cost__gte=0),
                name="provision_cost_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "starts_on"], name="provision_case_start"),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_kind_display()} {self.starts_on:%d-%m-%Y}"
