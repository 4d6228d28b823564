"""Every read, already scoped to the user. Views never query models directly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from municipalities.models import Verordening

from .models import Advice, DecreeHoliday, Employment

DECREE_DAYS_CACHE_KEY = "cases:decree-days"


def decree_days() -> frozenset[date]:
    """Days equated with general holidays by royal decree (operator data, cached briefly)."""
    days = cache.get(DECREE_DAYS_CACHE_KEY)
    if days is None:
        days = frozenset(DecreeHoliday.objects.values_list("day", flat=True))
        cache.set(DECREE_DAYS_CACHE_KEY, days, 300)
    return days


def verordening_in_force(municipality_id: int, on: date) -> Verordening | None:
    """The version of the municipality's verordening in force on ``on`` (DOMAIN §5)."""
    return (
        Verordening.objects.filter(municipality_id=municipality_id, in_force_from__lte=on)
        .order_by("-in_force_from")
        .first()
    )


def last_advice_date(person_id: int, *, exclude_case_id: int | None = None) -> date | None:
    """The date of the person's most recent UWV advice (for the 12-month rule, §1.2)."""
    advices = Advice.objects.filter(case__person_id=person_id)
    if exclude_case_id is not None:
        advices = advices.exclude(case_id=exclude_case_id)
    return advices.order_by("-issued_on").values_list("issued_on", flat=True).first()


def places_expression():
    """hours_per_week / HOURS_PER_PLACE, rounded to 2 decimals, as SQL (DOMAIN §4.2)."""
    return ExpressionWrapper(
        F("hours_per_week") / Value(Decimal(settings.HOURS_PER_PLACE)),
        output_field=DecimalField(max_digits=8, decimal_places=2),
    )


def realised_places(municipality_id: int, *, on: date) -> Decimal:
    """Places realised on ``on``: the sum of hours/31 of the employments running that day."""
    total = Employment.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on),
        municipality_id=municipality_id,
        start_on__lte=on,
    ).aggregate(total=Coalesce(Sum(places_expression()), Value(Decimal(0))))["total"]
    return Decimal(total).quantize(Decimal("0.01"))
