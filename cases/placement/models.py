"""Placement (DOMAIN §4, §6): periods of unavailability, the sheltered job, and the national
quota.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import ContractKind, FundingKind, WorkplaceKind, choices_constraint


class AvailabilityPeriod(models.Model):
    """A period in which a person with a positive decision is temporarily unavailable
    (DOMAIN §4.4). The case pauses; it keeps its turn."""

    class Reason(models.TextChoices):
        ILLNESS = "illness", _("Illness")
        DETENTION = "detention", _("Detention")
        MOVED = "moved", _("Moved")
        NOT_FINDABLE = "not_findable", _("Cannot be found")
        OTHER = "other", _("Other")

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="unavailability",
        verbose_name=_("case"),
    )
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices)
    unavailable_from = models.DateField(_("unavailable from"))
    available_again_on = models.DateField(_("available again on"), null=True, blank=True)

    class Meta:
        verbose_name = _("period of unavailability")
        verbose_name_plural = _("periods of unavailability")
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["illness", "detention", "moved", "not_findable", "other"]),
                name="availability_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(available_again_on__isnull=True)
                | Q(available_again_on__gte=models.F("unavailable_from")),
                name="availability_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(available_again_on__isnull=True),
                name="availability_one_open_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.unavailable_from:%d-%m-%Y}"


class Employment(models.Model):
    """The sheltered job: always an employment contract (DOMAIN §6)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="employments", verbose_name=_("case")
    )
    #: The municipality whose quota the place counts for and who pays (DOMAIN §6.5).
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="employments",
        verbose_name=_("municipality"),
    )
    employer_name = models.CharField(_("employer"), max_length=200)
    workplace_kind = models.CharField(
        _("kind of workplace"), max_length=25, choices=WorkplaceKind.choices
    )
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=2)
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("end date"), null=True, blank=True)
    contract_kind = models.CharField(_("contract"), max_length=12, choices=ContractKind.choices)
    #: The last day of a fixed-term contract (DOMAIN §6.1); the sweep signals it ahead.
    contract_ends_on = models.DateField(_("contract ends on"), null=True, blank=True)
    funding_kind = models.CharField(_("funding"), max_length=20, choices=FundingKind.choices)
    max_monthly_subsidy = models.DecimalField(
        _("maximum wage subsidy per month"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    #: The agreed gross wage (DOMAIN §6.1): per month, or per hour if ``agreed_wage_per_hour``.
    agreed_wage = models.DecimalField(
        _("agreed gross wage"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    agreed_wage_per_hour = models.BooleanField(_("wage per hour"), default=False)
    #: The measured wage value as a percentage of the minimum wage (DOMAIN §6.3); empty under
    #: the flat rate and for wage dispensation.
    wage_value_pct = models.DecimalField(
        _("wage value (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    ended_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    #: Why the person got an additional place before those whose turn it was (DOMAIN §4.5);
    #: empty for a placement in turn or within the quota.
    out_of_turn_reason = models.TextField(_("reason for placing out of turn"), blank=True)
    #: The person left for a job under the jobs agreement (DOMAIN §6.6): a planned switch.
    to_jobs_agreement = models.BooleanField(_("moved to a jobs-agreement job"), default=False)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            choices_constraint("workplace_kind", WorkplaceKind, "employment_workplace_valid"),
            choices_constraint("contract_kind", ContractKind, "employment_contract_valid"),
            choices_constraint("funding_kind", FundingKind, "employment_funding_valid"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=60),
                name="employment_hours_in_range",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="employment_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(to_jobs_agreement=False) | Q(end_on__isnull=False),
                name="employment_jobs_agreement_ended",
            ),
            models.CheckConstraint(
                condition=Q(agreed_wage__isnull=True) | Q(agreed_wage__gt=0),
                name="employment_agreed_wage_positive",
            ),
            models.CheckConstraint(
                condition=Q(wage_value_pct__isnull=True)
                | (Q(wage_value_pct__gte=0) & Q(wage_value_pct__lte=100)),
                name="employment_wage_value_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(contract_ends_on__isnull=True)
                | (Q(contract_kind="fixed") & Q(contract_ends_on__gte=models.F("start_on"))),
                name="employment_contract_end_fixed_only",
            ),
            # One running employment per case: placing the same case twice yields one.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(end_on__isnull=True),
                name="employment_one_running_per_case",
            ),
        ]
        indexes = [
            models.Index(
                fields=["municipality", "start_on"],
                name="employment_active",
                condition=Q(end_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.employer_name}"


class PassedOver(models.Model):
    """A candidate whose turn it was for an additional place when someone else was placed
    on it out of turn (DOMAIN §4.5): they wait longer because of that placement."""

    employment = models.ForeignKey(
        Employment,
        on_delete=models.CASCADE,
        related_name="passed_over",
        verbose_name=_("placement out of turn"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="passed_over_by",
        verbose_name=_("case passed over"),
    )

    class Meta:
        verbose_name = _("candidate passed over")
        verbose_name_plural = _("candidates passed over")
        constraints = [
            models.UniqueConstraint(fields=["employment", "case"], name="passed_over_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case} ({self.employment})"


class PlaceRefusal(models.Model):
    """The person refused a suitable place offered to them (DOMAIN §3.4). Kept in the history;
    the case stays a candidate and keeps its turn."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="place_refusals",
        verbose_name=_("case"),
    )
    refused_on = models.DateField(_("refused on"))
    employer_name = models.CharField(_("employer"), max_length=200)
    job = models.CharField(_("job offered"), max_length=200)
    reason = models.TextField(_("reason given"))
    must_accept = models.BooleanField(
        _("had to accept"),
        help_text=_("On social assistance with a positive decision: must accept a suitable place."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded on"), auto_now_add=True)

    class Meta:
        ordering = ["refused_on", "id"]
        verbose_name = _("refused place")
        verbose_name_plural = _("refused places")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="place_refusal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.refused_on:%d-%m-%Y}"


class NationalQuota(models.Model):
    """National total of places per year (DOMAIN §4.1), for reference and benchmarks."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    places = models.PositiveIntegerField(_("places"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("national quota")
        verbose_name_plural = _("national quotas")

    def __str__(self) -> str:
        return f"{self.year}: {self.places}"


class MinimumWage(models.Model):
    """The statutory minimum wage per hour for people of 21 and older (DOMAIN §6.1), in force
    from a date: it changes each 1 January and 1 July. Kept by operators in the admin; the
    amount in force on a date is the row with the latest ``in_force_from`` on or before it."""

    in_force_from = models.DateField(_("in force from"), unique=True)
    hourly = models.DecimalField(_("minimum wage per hour"), max_digits=6, decimal_places=2)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the amount was published, for example the Staatscourant."),
    )

    class Meta:
        ordering = ["-in_force_from"]
        verbose_name = _("minimum wage")
        verbose_name_plural = _("minimum wages")
        constraints = [
            models.CheckConstraint(condition=Q(hourly__gt=0), name="minimum_wage_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.in_force_from:%d-%m-%Y}: {self.hourly}"
