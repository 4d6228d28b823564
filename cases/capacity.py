"""Capacity of one municipality in one year, in one place (DOMAIN §4).

Quota, additional places, realised places, persons employed, and every candidate (a case
awaiting placement or temporarily unavailable) with their position, category and who is
responsible for them while they wait.

The computation is *set-based*: the candidates' positions and categories come from window
functions in one SQL query, so the number of queries does not grow with the number of
candidates. The reference semantics are the pure functions in ``rules``:

- order: ``rules.order_candidates`` under the ``ordering_rule`` of the verordening in force on
  the given day (ties by case id);
- category: ``rules.categorise``: an unavailable candidate keeps their position but takes no
  slot; the available ones fill ``rules.free_obliged_slots(quota, realised)`` slots as OBLIGED,
  then the verordening's additional places as ADDITIONAL, and the rest are WAITING;
- responsible: ``rules.waiting_list_responsibility``: a candidate with a UWV benefit who is (or,
  if unavailable, would at their turn be) on the waiting list is UWV's; everyone else is the
  municipality's.

Counts in SQL: ``available_rank`` is the running count of *available* candidates up to and
including the row, in the verordening's order. An available candidate with
``available_rank <= free_obliged`` is OBLIGED, with ``<= free_obliged + additional``
ADDITIONAL, otherwise WAITING. An unavailable candidate would take slot
``available_rank + 1`` if they became available at their turn: that decides their
responsibility.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Expression,
    F,
    Func,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    RowRange,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone

from municipalities.models import Municipality, Verordening, YearlyQuota

from . import rules
from .choices import BenefitKind, CaseState, Category, OrderingRule, Responsible
from .models import CANDIDATE_STATES, Employment
from .models import Case as CaseModel

__all__ = [
    "CandidateRow",
    "Capacity",
    "CapacitySummary",
    "MunicipalityNotFound",
    "candidate_order",
    "capacity",
    "capacity_summary",
    "places_sql",
]

PLACES_FIELD = DecimalField(max_digits=10, decimal_places=2)


class MunicipalityNotFound(LookupError):
    """``capacity`` was asked for a municipality that does not exist."""


# -- SQL building blocks --------------------------------------------------------------------


class PlacesOf(Func):
    """``rules.places`` in SQL: hours / HOURS_PER_PLACE rounded to 2 decimals, per row.

    PostgreSQL divides numerics exactly and rounds half away from zero (= half up for
    positive hours). SQLite stores a decimal like 25.00 as the integer 25, and 25 / 31 is an
    *integer* division there (0), so the hours are made REAL first; h / 31 with two-decimal
    hours never lies exactly halfway between two cents, so float rounding gives the same
    answer.
    """

    output_field = PLACES_FIELD

    def __init__(self, hours: Expression | str, hours_per_place: int | Decimal, **extra: Any):
        divisor = Decimal(hours_per_place)
        if divisor <= 0:
            raise ValueError("hours_per_place must be positive")
        self.divisor = divisor
        super().__init__(F(hours) if isinstance(hours, str) else hours, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        hours_sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"ROUND({hours_sql} / %s, 2)", (*params, self.divisor)

    def as_sqlite(self, compiler, connection, **extra_context):
        hours_sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"ROUND(CAST({hours_sql} AS REAL) / %s, 2)", (*params, float(self.divisor))


def places_sql(hours: Expression | str = "hours_per_week") -> PlacesOf:
    """Places of one employment (hours / ``settings.HOURS_PER_PLACE``, 2 decimals) as SQL."""
    return PlacesOf(hours, settings.HOURS_PER_PLACE)


def running_on(on: date, prefix: str = "") -> Q:
    """Employments running on ``on``: started on or before it and not ended before it."""
    return Q(**{f"{prefix}start_on__lte": on}) & (
        Q(**{f"{prefix}end_on__isnull": True}) | Q(**{f"{prefix}end_on__gte": on})
    )


def candidate_order(rule: OrderingRule | str) -> list[OrderBy]:
    """The verordening's order as SQL ``ORDER BY`` terms (``rules.order_candidates``)."""
    rule = OrderingRule(rule)
    if rule == OrderingRule.POSITIVE_ADVICE_DATE:
        terms = [F("positive_decision_on").asc(nulls_last=True)]
    elif rule == OrderingRule.APPLICATION_DATE:
        terms = [F("application__received_on").asc(nulls_last=True)]
    elif rule == OrderingRule.PRIORITY_THEN_ADVICE_DATE:
        terms = [F("priority_group").desc(), F("positive_decision_on").asc(nulls_last=True)]
    else:  # pragma: no cover - OrderingRule() already refused anything else
        raise ValueError(f"unknown ordering rule: {rule!r}")
    return [*terms, F("id").asc()]


# -- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateRow:
    """One candidate in the capacity computation (no personal content: ids and dates)."""

    case_id: int
    reference: str
    person_id: int
    position: int
    category: Category
    responsible: Responsible
    available: bool
    benefit_kind: BenefitKind
    priority_group: bool
    #: The date of the positive decision: the person waits since then.
    waiting_since: date | None
    applied_on: date | None
    #: The verordening version and its ordering rule that decided the position (None: no
    #: verordening in force; the default order by date of the positive decision applies).
    verordening_id: int | None
    verordening_in_force_from: date | None
    ordering_rule: OrderingRule


@dataclass(frozen=True)
class CapacitySummary:
    """The figures of ``Capacity`` without the candidate list."""

    municipality_id: int
    year: int
    on: date
    #: The year's quota (ministerial regulation); None if it has not been entered yet.
    quota_places: Decimal | None
    #: Additional places the verordening in force offers (0 if it offers none).
    additional_places: int
    realised_places: Decimal
    persons_employed: int
    #: Persons the municipality must still place to reach the quota (§4.3).
    free_obliged: int
    verordening_id: int | None
    verordening_in_force_from: date | None
    ordering_rule: OrderingRule
    obliged: int
    additional: int
    waiting: int
    unavailable: int
    responsible_uwv: int

    @property
    def candidates_total(self) -> int:
        return self.obliged + self.additional + self.waiting + self.unavailable

    @property
    def quota_reached(self) -> bool:
        return self.free_obliged == 0

    @property
    def waiting_list(self) -> int:
        """Persons on the waiting list (§4.6): available, but no obliged or additional slot."""
        return self.waiting


@dataclass(frozen=True)
class Capacity:
    """Capacity of one municipality in one year, on one day, with every candidate in order."""

    municipality_id: int
    year: int
    on: date
    quota_places: Decimal | None
    additional_places: int
    realised_places: Decimal
    persons_employed: int
    free_obliged: int
    verordening_id: int | None
    verordening_in_force_from: date | None
    ordering_rule: OrderingRule
    #: In position order (1, 2, ...).
    candidates: list[CandidateRow]

    def count(self, category: Category) -> int:
        return sum(1 for row in self.candidates if row.category == category)

    @property
    def quota_reached(self) -> bool:
        return self.free_obliged == 0

    def summary(self) -> CapacitySummary:
        return CapacitySummary(
            **_header_fields(self),
            obliged=self.count(Category.OBLIGED),
            additional=self.count(Category.ADDITIONAL),
            waiting=self.count(Category.WAITING),
            unavailable=self.count(Category.UNAVAILABLE),
            responsible_uwv=sum(1 for r in self.candidates if r.responsible == Responsible.UWV),
        )


def _header_fields(source) -> dict[str, Any]:
    names = (
        "municipality_id",
        "year",
        "on",
        "quota_places",
        "additional_places",
        "realised_places",
        "persons_employed",
        "free_obliged",
        "verordening_id",
        "verordening_in_force_from",
        "ordering_rule",
    )
    return {name: getattr(source, name) for name in names}


# -- the computation ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    municipality_id: int
    year: int
    on: date
    quota_places: Decimal | None
    additional_places: int
    realised_places: Decimal
    persons_employed: int
    free_obliged: int
    verordening_id: int | None
    verordening_in_force_from: date | None
    ordering_rule: OrderingRule


def _header(municipality_id: int, year: int, on: date) -> _Header:
    """Quota, verordening in force, realised places and persons employed: one query."""
    quota = YearlyQuota.objects.filter(municipality=OuterRef("pk"), year=year).values("places")
    verordening = Verordening.objects.filter(
        municipality=OuterRef("pk"), in_force_from__lte=on
    ).order_by("-in_force_from")
    running = Employment.objects.filter(running_on(on), municipality=OuterRef("pk")).order_by()
    realised = running.values("municipality").annotate(total=Sum(places_sql())).values("total")
    persons = (
        running.values("municipality").annotate(n=Count("case__person", distinct=True)).values("n")
    )
    row = (
        Municipality.objects.filter(pk=municipality_id)
        .annotate(
            quota_places=Subquery(quota[:1], output_field=PLACES_FIELD),
            verordening_id=Subquery(verordening.values("pk")[:1]),
            verordening_from=Subquery(verordening.values("in_force_from")[:1]),
            verordening_rule=Subquery(verordening.values("ordering_rule")[:1]),
            verordening_offers=Subquery(verordening.values("offers_additional_places")[:1]),
            verordening_additional=Subquery(verordening.values("additional_places_per_year")[:1]),
            realised=Coalesce(Subquery(realised, output_field=PLACES_FIELD), Value(Decimal(0))),
            persons=Coalesce(Subquery(persons, output_field=IntegerField()), Value(0)),
        )
        .values(
            "quota_places",
            "verordening_id",
            "verordening_from",
            "verordening_rule",
            "verordening_offers",
            "verordening_additional",
            "realised",
            "persons",
        )
        .first()
    )
    if row is None:
        raise MunicipalityNotFound(municipality_id)
    quota = None if row["quota_places"] is None else Decimal(row["quota_places"])
    realised_places = Decimal(row["realised"]).quantize(rules.CENT)
    additional = (row["verordening_additional"] or 0) if row["verordening_offers"] else 0
    return _Header(
        municipality_id=municipality_id,
        year=year,
        on=on,
        quota_places=quota,
        additional_places=int(additional),
        realised_places=realised_places,
        persons_employed=int(row["persons"]),
        # No quota entered yet: nobody is obliged until it is (the law sets at least 1).
        free_obliged=rules.free_obliged_slots(quota or Decimal(0), realised_places),
        verordening_id=row["verordening_id"],
        verordening_in_force_from=row["verordening_from"],
        ordering_rule=OrderingRule(row["verordening_rule"] or OrderingRule.POSITIVE_ADVICE_DATE),
    )


def _windowed_candidates(header: _Header, *, uwv_agreement: bool = False) -> QuerySet:
    """The candidates with position, available_rank, category and responsible, in SQL."""
    order = candidate_order(header.ordering_rule)
    available = Case(
        When(state=CaseState.AWAITING_PLACEMENT, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    obliged_up_to = Value(header.free_obliged)
    additional_up_to = Value(header.free_obliged + header.additional_places)
    is_unavailable = Q(state=CaseState.UNAVAILABLE)
    category = Case(
        When(is_unavailable, then=Value(Category.UNAVAILABLE.value)),
        When(
            LessThanOrEqual(F("available_rank"), obliged_up_to), then=Value(Category.OBLIGED.value)
        ),
        When(
            LessThanOrEqual(F("available_rank"), additional_up_to),
            then=Value(Category.ADDITIONAL.value),
        ),
        default=Value(Category.WAITING.value),
        output_field=CharField(),
    )
    if uwv_agreement:
        # Pw art. 7(7): municipality and UWV agreed that the municipality stays responsible.
        responsible = Value(Responsible.MUNICIPALITY.value, output_field=CharField())
    else:
        # The slot the candidate takes (available) or would take at their turn (unavailable).
        slot = F("available_rank") + Case(
            When(is_unavailable, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        responsible = Case(
            When(
                Q(person__benefit_kind__in=sorted(rules.UWV_BENEFITS))
                & Q(GreaterThan(slot, additional_up_to)),
                then=Value(Responsible.UWV.value),
            ),
            default=Value(Responsible.MUNICIPALITY.value),
            output_field=CharField(),
        )
    return (
        CaseModel.objects.filter(municipality_id=header.municipality_id, state__in=CANDIDATE_STATES)
        .annotate(
            position=Window(RowNumber(), order_by=order),
            available_rank=Window(
                Sum(available),
                order_by=order,
                frame=RowRange(start=None, end=0),  # unbounded preceding .. current row
            ),
        )
        .annotate(category=category, responsible=responsible)
        .order_by("position")
    )


def capacity(
    municipality_id: int, year: int, *, on: date | None = None, uwv_agreement: bool = False
) -> Capacity:
    """Capacity of ``municipality_id`` in ``year`` on ``on`` (default today), with every
    candidate in position order. Two queries, whatever the number of candidates.

    ``uwv_agreement``: municipality and UWV agreed otherwise (Pw art. 7(7)); there is no field
    for it yet, so callers pass False.
    """
    header = _header(municipality_id, year, on or timezone.localdate())
    rows = _windowed_candidates(header, uwv_agreement=uwv_agreement).values_list(
        "id",
        "reference",
        "person_id",
        "position",
        "category",
        "responsible",
        "state",
        "person__benefit_kind",
        "priority_group",
        "positive_decision_on",
        "application__received_on",
    )
    candidates = [
        CandidateRow(
            case_id=case_id,
            reference=reference,
            person_id=person_id,
            position=position,
            category=Category(category),
            responsible=Responsible(responsible),
            available=state == CaseState.AWAITING_PLACEMENT,
            benefit_kind=BenefitKind(benefit_kind),
            priority_group=priority_group,
            waiting_since=waiting_since,
            applied_on=applied_on,
            verordening_id=header.verordening_id,
            verordening_in_force_from=header.verordening_in_force_from,
            ordering_rule=header.ordering_rule,
        )
        for (
            case_id,
            reference,
            person_id,
            position,
            category,
            responsible,
            state,
            benefit_kind,
            priority_group,
            waiting_since,
            applied_on,
        ) in rows
    ]
    return Capacity(**_header_fields(header), candidates=candidates)


def capacity_summary(
    municipality_id: int, year: int, *, on: date | None = None, uwv_agreement: bool = False
) -> CapacitySummary:
    """The figures of ``capacity`` and the number of candidates per category, counted in the
    database over the windowed candidates (two queries; no candidate rows fetched)."""
    header = _header(municipality_id, year, on or timezone.localdate())
    windowed = _windowed_candidates(header, uwv_agreement=uwv_agreement).order_by()
    counts = windowed.aggregate(
        obliged=Count("pk", filter=Q(category=Category.OBLIGED)),
        additional=Count("pk", filter=Q(category=Category.ADDITIONAL)),
        waiting=Count("pk", filter=Q(category=Category.WAITING)),
        unavailable=Count("pk", filter=Q(category=Category.UNAVAILABLE)),
        responsible_uwv=Count("pk", filter=Q(responsible=Responsible.UWV)),
    )
    return CapacitySummary(**_header_fields(header), **counts)
