from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import OrderingRule

cbs_code_validator = RegexValidator(
    r"^GM\d{4}$", _("A CBS municipality code is GM followed by four digits, for example GM0363.")
)


class Municipality(models.Model):
    """A municipality: the college that decides, and the owner of its own caseload."""

    cbs_code = models.CharField(
        _("CBS code"), max_length=6, unique=True, validators=[cbs_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    labour_market_region = models.CharField(_("labour market region"), max_length=100, blank=True)
    # Letterhead and contact texts used in letters and e-mails (issue: municipal administration).
    letterhead = models.TextField(
        _("letterhead"), blank=True, help_text=_("Name and address as printed on letters.")
    )
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    contact_phone = models.CharField(_("contact phone number"), max_length=20, blank=True)
    contact_text = models.TextField(
        _("contact text"),
        blank=True,
        help_text=_("Shown under letters and e-mails: how people can reach the municipality."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cbs_code__regex=r"^GM[0-9]{4}$"), name="municipality_cbs_code"
            )
        ]

    def __str__(self) -> str:
        return self.name


class YearlyQuota(models.Model):
    """The ministerial regulation's cumulative number of places to realise by year end
    (DOMAIN §4.1). Every municipality has at least 1."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="quotas",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    places = models.DecimalField(_("number of places"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["municipality", "-year"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="quota_one_per_year"),
            models.CheckConstraint(condition=models.Q(places__gte=1), name="quota_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.places}"


class Verordening(models.Model):
    """The municipality's own rules (DOMAIN §5), one row per version by date of entry into
    force. A case is judged under the version in force at its date; versions are never edited
    once they are in force (a new version is added instead)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="verordeningen",
        verbose_name=_("municipality"),
    )
    in_force_from = models.DateField(_("in force from"))
    discussed_with_target_group_on = models.DateField(
        _("discussed with representatives of the target group on")
    )
    provisions = models.TextField(_("provisions that make sheltered work possible"))
    provisions_until_employment = models.TextField(
        _("provisions until the employment starts"), blank=True
    )
    provisions_while_waiting = models.TextField(
        _("provisions while on the waiting list"), blank=True
    )
    offers_additional_places = models.BooleanField(_("offers additional places"), default=False)
    additional_places_per_year = models.PositiveIntegerField(
        _("additional places per year"), default=0
    )
    ordering_rule = models.CharField(
        _("order for additional places"),
        max_length=40,
        choices=OrderingRule.choices,
        default=OrderingRule.POSITIVE_ADVICE_DATE,
    )
    decision_term_weeks = models.PositiveSmallIntegerField(_("decision term in weeks"), default=8)
    advice_revives_on_fallback = models.BooleanField(
        _("positive advice revives after a fallback"), default=True
    )

    class Meta:
        ordering = ["municipality", "-in_force_from"]
        verbose_name = _("verordening")
        verbose_name_plural = _("verordeningen")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "in_force_from"], name="verordening_one_per_date"
            ),
            models.CheckConstraint(
                condition=models.Q(offers_additional_places=True)
                | models.Q(additional_places_per_year=0),
                name="verordening_additional_places_only_if_offered",
            ),
            models.CheckConstraint(
                condition=models.Q(ordering_rule__in=OrderingRule.values),
                name="verordening_ordering_rule_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(decision_term_weeks__gte=1), name="verordening_term_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality}, {self.in_force_from:%d-%m-%Y}"
