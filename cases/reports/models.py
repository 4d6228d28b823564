"""The figures of the benchmark (DOMAIN §7), kept as aggregates by ``build`` (a Celery task),
and the labour force per municipality and year that the rates per 10,000 divide by.

A report page reads only these tables: one row per municipality, labour-market region and
the country per year (``ReportFigures``), never the cases themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LabourForce(models.Model):
    """The labour force (*beroepsbevolking*, CBS StatLine) of a municipality in a year: the
    base of the figures per 10,000 (DOMAIN §7). Imported by operators from CBS's CSV."""

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="labour_force",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    persons = models.PositiveIntegerField(_("labour force"))
    imported_at = models.DateTimeField(_("imported on"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )

    class Meta:
        ordering = ["municipality", "-year"]
        verbose_name = _("labour force")
        verbose_name_plural = _("labour force")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="labour_force_one_per_year"
            ),
            models.CheckConstraint(condition=Q(persons__gt=0), name="labour_force_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}: {self.persons}"


class Level(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Labour-market region")
    COUNTRY = "country", _("The Netherlands")


class ReportFigures(models.Model):
    """Every figure of one municipality, region or the country in one year.

    Counts are in ``counts`` by figure name (``figures.COUNTS``); durations in ``durations``
    (per kind: the number of cases, the median and the 90th percentile in days); places are
    ``realised_hours`` divided by 31 once when shown. ``hidden`` names the counts the public
    does not see (``suppression``), the same on every page. A region's and the country's row
    is made from the municipalities' rows, never from the cases.
    """

    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    #: CBS code, the region's name, or "NL".
    key = models.CharField(_("key"), max_length=100)
    name = models.CharField(_("name"), max_length=100)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    #: The labour-market region of the municipality (of a region row: itself; country: "").
    region = models.CharField(_("labour market region"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    #: The day the stock figures (persons working, waiting) stand on: 31 December, or the day
    #: of the count in the current year.
    reference_date = models.DateField(_("figures on"))
    quota_places = models.DecimalField(
        _("quota (places)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    additional_offered = models.PositiveIntegerField(_("additional places offered"), default=0)
    realised_hours = models.DecimalField(
        _("hours a week of the running jobs"), max_digits=14, decimal_places=2, default=0
    )
    labour_force = models.PositiveIntegerField(_("labour force"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict)
    durations = models.JSONField(_("durations"), default=dict)
    hidden = models.JSONField(_("hidden from the public"), default=list)
    ranks = models.JSONField(_("ranks"), default=dict)
    computed_at = models.DateTimeField(_("counted on"))

    class Meta:
        ordering = ["level", "name", "year"]
        verbose_name = _("report figures")
        verbose_name_plural = _("report figures")
        constraints = [
            models.UniqueConstraint(fields=["level", "key", "year"], name="report_one_per_year"),
            models.CheckConstraint(
                condition=Q(level__in=["municipality", "region", "country"]),
                name="report_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(level="municipality", municipality__isnull=False)
                | (~Q(level="municipality") & Q(municipality__isnull=True)),
                name="report_municipality_only_on_its_level",
            ),
        ]
        indexes = [models.Index(fields=["year", "level"], name="report_year_level")]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


class DurationHistogram(models.Model):
    """How many cases of a municipality in a year took how many days, per kind of duration
    (``{"kind": {"days": number}}``): the region's and the country's medians and 90th
    percentiles are computed from these, without counting the cases again."""

    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("duration histogram")
        verbose_name_plural = _("duration histograms")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="histogram_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}"


class RefreshMark(models.Model):
    """Up to when the case history was looked at for changes (``build.refresh_changed``):
    one row."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.at}"
