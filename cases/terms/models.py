"""Legal terms on a case (DOMAIN §0): the term, its append-only suspensions and resumptions,
and the days equated with general holidays by royal decree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import TermKind, choices_constraint


class Term(models.Model):
    """A legal term on a case (DOMAIN §0). ``end_on`` and ``suspended_since`` are derived from
    the start and the ``TermEvent`` rows by ``services`` (never edited by hand), and stored so
    that work lists and the sweep filter on an index instead of recomputing."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="terms", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TermKind.choices)
    starts_on = models.DateField(_("starts on"))
    weeks = models.PositiveSmallIntegerField(_("weeks"), null=True, blank=True)
    end_on = models.DateField(_("end date"))
    suspended_since = models.DateField(_("suspended since"), null=True, blank=True)
    met_on = models.DateField(_("met on"), null=True, blank=True)
    #: For a key date signalled ahead (the end of a fixed-term contract, DOMAIN §6.1): the
    #: day the sweep tells the consultant; None: the sweep goes by ``end_on``.
    signal_on = models.DateField(_("signal on"), null=True, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            choices_constraint("kind", TermKind, "term_kind_valid"),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(met_on__isnull=True),
                name="term_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("starts_on")), name="term_end_after_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["end_on", "id"], name="term_open_end", condition=Q(met_on__isnull=True)
            ),
            models.Index(
                fields=["kind", "end_on"],
                name="term_open_kind_end",
                condition=Q(met_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_kind_display()} {self.end_on:%d-%m-%Y}"


class TermEvent(models.Model):
    """Append-only: a term was suspended or resumed on a date (DOMAIN §0)."""

    class Kind(models.TextChoices):
        SUSPENDED = "suspended", _("Suspended")
        RESUMED = "resumed", _("Resumed")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["suspended", "resumed"]), name="term_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d-%m-%Y}"


class DecreeHoliday(models.Model):
    """A day equated with a general holiday by royal decree (Algemene termijnenwet art. 3(3)).
    Operators add the days of each new decree; ``rules`` extends terms over them."""

    day = models.DateField(_("day"), unique=True)
    description = models.CharField(_("description"), max_length=200)

    class Meta:
        ordering = ["day"]
        verbose_name = _("day equated by decree")
        verbose_name_plural = _("days equated by decree")

    def __str__(self) -> str:
        return f"{self.day:%d-%m-%Y}"
