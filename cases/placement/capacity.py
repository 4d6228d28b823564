"""Capacity of one municipality in one year, in one place (DOMAIN §4).

Quota, additional places, realised places, persons employed, and every candidate (a case
awaiting placement or temporarily unavailable) with their position, category and who is
responsible for them while they wait.

The computation is *set-based*: the candidates' positions and categories come from window
functions in one SQL query, so the number of queries does not grow with the number of
candidates. The reference semantics are the pure functions in ``rules``:

- realised places: ``rules.realised_places``: the hours of the running jobs summed, divided
  by 31 once, never rounded here (round only to show it);
- order: ``rules.order_candidates`` under the ``ordering_rule`` of the verordening in force on
  the given day, with its ties (the other date, then the case number);
- places taken: the jobs running on the day and those agreed to start later in the year
  (``taken_in_year``), what a placement counts too;
- quota: the year's, or until it is entered the latest earlier year's (it is cumulative), or
  the law's minimum of one place;
- category: ``rules.categorise``: an unavailable candidate keeps their position but takes no
  slot; until the quota is reached every available one is OBLIGED (no order); once it is,
  the available ones fill the ``rules.free_additional_slots`` left (additional places in use
  are counted) as ADDITIONAL, and the rest are WAITING;
- responsible: ``rules.waiting_list_responsibility``: a candidate with a UWV benefit who is (or,
  if unavailable, would at their turn be) on the waiting list is UWV's, unless the
  municipality's agreement with UWV under Pw art. 7(7) is in force on the day; everyone else
  is the municipality's.

Counts in SQL: ``available_rank`` is the running count of *available* candidates up to and
including the row, in the verordening's order. Once the quota is reached, an available
candidate with ``available_rank <= free_additional`` is ADDITIONAL, otherwise WAITING. An
unavailable candidate would take slot ``available_rank + 1`` if they became available at their
turn: that decides their
responsibility (in SQL for ``capacity_summary``'s counts; for the rows of ``capacity`` and
``candidate_page`` from ``available_rank`` by ``rules.waiting_list_responsibility`` itself, so
that the person's benefit is read once per row: see ``_candidate_rows``).

The person's benefit and the date of the application are read by correlated subqueries, not
joins (``_related_columns``), so that PostgreSQL reads only the candidates' persons and
applications instead of hashing both whole tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
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
from django.utils.formats import number_format

from cases import rules
from cases.choices import BenefitKind, CaseState, Category, OrderingRule, Responsible
from cases.models import CANDIDATE_STATES, Application, Person
from cases.models import Case as CaseModel
from municipalities.models import Municipality, Verordening, YearlyQuota

from .models import Employment, PassedOver

__all__ = [
    "CandidatePage",
    "CandidateRow",
    "Capacity",
    "CapacityHeader",
    "CapacitySummary",
    "MunicipalityNotFound",
    "WaitingList",
    "candidate_order",
    "candidate_page",
    "candidate_standing",
    "candidate_standings",
    "capacity",
    "capacity_summary",
    "format_places",
    "hours_sum",
    "turn_for_additional_place",
    "waiting_list",
]

PLACES_FIELD = DecimalField(max_digits=10, decimal_places=2)
#: A sum of weekly hours (a job has at most 60.00: `rules.MAX_HOURS_PER_WEEK`).
HOURS_FIELD = DecimalField(max_digits=14, decimal_places=2)


class MunicipalityNotFound(LookupError):
    """``capacity`` was asked for a municipality that does not exist."""


# -- SQL building blocks --------------------------------------------------------------------


def format_places(value: Decimal) -> str:
    """Places as people read them (DOMAIN §4.2): rounded half up to 2 decimals, only here,
    with the active language's decimal separator (Dutch: a comma); a whole number without
    decimals. 75/31 places → "2,42"; 2 → "2"."""
    rounded = Decimal(value).quantize(rules.CENT, ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        rounded = rounded.to_integral_value()
    return number_format(rounded)


def format_euro(amount: Decimal) -> str:
    """An amount of money as people read it, in the active language: "€ 1.376,64" in Dutch."""
    return "€\xa0" + number_format(Decimal(amount).quantize(rules.CENT), 2, force_grouping=True)


def hours_sum() -> Sum:
    """The weekly hours of the employments, summed in SQL (``rules.realised_places`` then
    divides them once)."""
    return Sum("hours_per_week", output_field=HOURS_FIELD)


def running_on(on: date, prefix: str = "") -> Q:
    """Employments running on ``on``: started on or before it and not ended before it."""
    return Q(**{f"{prefix}start_on__lte": on}) & (
        Q(**{f"{prefix}end_on__isnull": True}) | Q(**{f"{prefix}end_on__gte": on})
    )


def taken_in_year(on: date, year: int | None = None) -> Q:
    """Employments that take a place of the quota of ``year`` (default ``on``'s) on ``on``
    (§4.2–4.3): those that run on ``on`` or some day after it up to the end of that year, so
    also a job agreed to start later in the year, and not one that starts the year after
    (that year's higher quota covers it). What the waiting list and a placement starting on
    ``on`` both count."""
    year_end = date(on.year if year is None else year, 12, 31)
    return Q(start_on__lte=year_end) & (Q(end_on__isnull=True) | Q(end_on__gte=on))


def candidate_order(rule: OrderingRule | str) -> list[OrderBy]:
    """The verordening's order as SQL ``ORDER BY`` terms (``rules.order_candidates``: each
    rule by what it names, ties by the other date, then the case number).

    The terms are on a ``Case`` queryset annotated with ``_related_columns`` (the date of the
    application is ``applied_on``), as ``_windowed_candidates`` is.
    """
    rule = OrderingRule(rule)
    advice = F("positive_advice_on").asc(nulls_last=True)
    applied = F("applied_on").asc(nulls_last=True)
    if rule == OrderingRule.POSITIVE_ADVICE_DATE:
        terms = [advice, applied]
    elif rule == OrderingRule.APPLICATION_DATE:
        terms = [applied, advice]
    elif rule == OrderingRule.PRIORITY_THEN_ADVICE_DATE:
        terms = [F("priority_group").desc(), advice, applied]
    elif rule == OrderingRule.COUNCIL_ORDER:
        terms = [F("council_position").asc(nulls_last=True), advice, applied]
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
    #: The date of UWV's advice the decision rests on (the order "date of the advice").
    advice_on: date | None
    applied_on: date | None
    #: The position under the municipality's own order (None: none given).
    council_position: int | None
    #: The verordening version and its ordering rule that decided the position (None: no
    #: verordening in force; the default order by date of the positive decision applies).
    verordening_id: int | None
    verordening_in_force_from: date | None
    ordering_rule: OrderingRule
    #: The reference of the latest placement out of turn that passed this candidate over
    #: (DOMAIN §4.5), if any.
    passed_over_by: str | None = None
    #: Place on the waiting list (1 = next) of a WAITING candidate: the WAITING candidates up
    #: to and including this one. None for the other categories.
    waiting_place: int | None = None


@dataclass(frozen=True)
class CapacityHeader:
    """Quota, places and the verordening in force of one municipality in one year, on one day:
    what ``CapacitySummary``, ``Capacity`` and ``CandidatePage`` have in common."""

    municipality_id: int
    year: int
    on: date
    #: The year's quota (ministerial regulation). Not entered yet for the year: the latest
    #: earlier year's (the quota is cumulative, so never lower), and ``quota_year`` says which;
    #: None if no quota was ever entered.
    quota_places: Decimal | None
    quota_year: int | None
    #: Additional places the verordening in force offers (0 if it offers none).
    additional_places: int
    #: The hours of the running jobs summed, divided by 31 once: exact, round it only to
    #: show it (``rules.realised_places``).
    realised_places: Decimal
    #: The same for the running jobs and those agreed to start later in the year: they all
    #: take a place of this year's quota (``taken_in_year``).
    taken_places: Decimal
    persons_employed: int
    verordening_id: int | None
    verordening_in_force_from: date | None
    ordering_rule: OrderingRule
    #: Pw art. 7(7): the municipality's agreement with UWV is in force on ``on`` (from then
    #: on UWV-benefit candidates on the waiting list are the municipality's).
    uwv_agreement: bool
    uwv_agreement_from: date | None

    @property
    def quota_provisional(self) -> bool:
        """The year's own quota has not been entered: an earlier year's (or the law's minimum
        of one place) counts until it is."""
        return self.quota_year != self.year

    @property
    def quota_in_use(self) -> Decimal:
        """The quota the computation uses: ``quota_places``, or the law's minimum of one
        place if none was ever entered."""
        return rules.MIN_QUOTA_PLACES if self.quota_places is None else self.quota_places

    @property
    def agreed_places(self) -> Decimal:
        """Places of the jobs agreed to start later in the year (to show; exact enough)."""
        return max(Decimal(0), self.taken_places - self.realised_places)

    @property
    def quota_reached(self) -> bool:
        return rules.quota_reached(self.quota_in_use, self.taken_places)

    @property
    def free_obliged(self) -> int:
        """The places still missing to the quota (§4.3), rounded up. Until the quota is
        reached every available candidate is obliged, however many they are."""
        return rules.free_obliged_slots(self.quota_in_use, self.taken_places)

    @property
    def free_additional(self) -> int:
        """Persons who can still get one of the verordening's additional places (§4.5): the
        additional places already in use are counted."""
        return rules.free_additional_slots(
            self.quota_in_use, self.additional_places, self.taken_places
        )

    @property
    def places_before_the_list(self) -> int | None:
        """How many available candidates get a place before the waiting list starts: None
        (all of them) until the quota is reached, then the additional places left."""
        return None if not self.quota_reached else self.free_additional

    @property
    def additional_in_use(self) -> Decimal:
        """Places taken beyond the quota: additional places in use (exact)."""
        return max(Decimal(0), self.taken_places - self.quota_in_use)


@dataclass(frozen=True)
class CapacitySummary(CapacityHeader):
    """The figures of ``Capacity`` without the candidate list."""

    obliged: int
    additional: int
    waiting: int
    unavailable: int
    responsible_uwv: int

    @property
    def candidates_total(self) -> int:
        return self.obliged + self.additional + self.waiting + self.unavailable

    @property
    def waiting_list(self) -> int:
        """Persons on the waiting list (§4.6): available, but no obliged or additional slot."""
        return self.waiting


@dataclass(frozen=True)
class Capacity(CapacityHeader):
    """Capacity of one municipality in one year, on one day, with every candidate in order."""

    #: In position order (1, 2, ...).
    candidates: list[CandidateRow]

    def count(self, category: Category) -> int:
        return sum(1 for row in self.candidates if row.category == category)

    def summary(self) -> CapacitySummary:
        return CapacitySummary(
            **_header_fields(self),
            obliged=self.count(Category.OBLIGED),
            additional=self.count(Category.ADDITIONAL),
            waiting=self.count(Category.WAITING),
            unavailable=self.count(Category.UNAVAILABLE),
            responsible_uwv=sum(1 for r in self.candidates if r.responsible == Responsible.UWV),
        )


@dataclass(frozen=True)
class CandidatePage(CapacityHeader):
    """The figures of ``Capacity`` and one page of its candidates: the rows at positions
    ``from_position`` .. ``from_position + limit - 1`` (fewer at the end of the list)."""

    from_position: int
    limit: int
    #: In position order; positions and categories as ``capacity`` gives them.
    rows: list[CandidateRow]
    #: Whether there is a candidate after the last row of this page.
    has_more: bool

    @property
    def next_from(self) -> int | None:
        """The first position of the next page, None on the last page."""
        return self.from_position + self.limit if self.has_more else None


@dataclass(frozen=True)
class WaitingList(CapacityHeader):
    """The figures of ``Capacity`` and the first candidates of its waiting list (its WAITING
    candidates, in order)."""

    #: ``(case_id, reference, waiting_since)`` of the first ``limit`` waiting, in order.
    rows: list[tuple[int, str, date | None]]
    #: How many are on the waiting list in all.
    total: int


def _header_fields(source: CapacityHeader) -> dict[str, Any]:
    return {field.name: getattr(source, field.name) for field in fields(CapacityHeader)}


# -- the computation ------------------------------------------------------------------------


def _header(municipality_id: int, year: int, on: date) -> CapacityHeader:
    """Quota, verordening in force, realised places and persons employed: one query."""
    headers = _headers(Municipality.objects.filter(pk=municipality_id), year, on)
    if not headers:
        raise MunicipalityNotFound(municipality_id)
    return headers[0]


def _headers(municipalities: QuerySet, year: int, on: date) -> list[CapacityHeader]:
    """``_header`` of each of ``municipalities``, in one query."""
    # The year's quota, or the latest earlier year's until it is entered (it is cumulative).
    quota = YearlyQuota.objects.filter(municipality=OuterRef("pk"), year__lte=year).order_by(
        "-year"
    )
    verordening = Verordening.objects.filter(
        municipality=OuterRef("pk"), in_force_from__lte=on
    ).order_by("-in_force_from")
    running = Employment.objects.filter(running_on(on), municipality=OuterRef("pk")).order_by()
    realised = running.values("municipality").annotate(total=hours_sum()).values("total")
    taken = (
        Employment.objects.filter(taken_in_year(on, year), municipality=OuterRef("pk"))
        .order_by()
        .values("municipality")
        .annotate(total=hours_sum())
        .values("total")
    )
    persons = (
        running.values("municipality").annotate(n=Count("case__person", distinct=True)).values("n")
    )
    rows = (
        municipalities.annotate(
            quota_places=Subquery(quota.values("places")[:1], output_field=PLACES_FIELD),
            quota_year=Subquery(quota.values("year")[:1]),
            verordening_id=Subquery(verordening.values("pk")[:1]),
            verordening_from=Subquery(verordening.values("in_force_from")[:1]),
            verordening_rule=Subquery(verordening.values("ordering_rule")[:1]),
            verordening_offers=Subquery(verordening.values("offers_additional_places")[:1]),
            verordening_additional=Subquery(verordening.values("additional_places_per_year")[:1]),
            realised=Coalesce(Subquery(realised, output_field=HOURS_FIELD), Value(Decimal(0))),
            taken=Coalesce(Subquery(taken, output_field=HOURS_FIELD), Value(Decimal(0))),
            persons=Coalesce(Subquery(persons, output_field=IntegerField()), Value(0)),
        )
        .order_by("pk")
        .values(
            "pk",
            "quota_places",
            "quota_year",
            "verordening_id",
            "verordening_from",
            "verordening_rule",
            "verordening_offers",
            "verordening_additional",
            "realised",
            "taken",
            "persons",
            "uwv_agreement_from",
        )
    )
    return [_header_of(row, year, on) for row in rows]


def _header_of(row: dict[str, Any], year: int, on: date) -> CapacityHeader:
    quota = None if row["quota_places"] is None else Decimal(row["quota_places"])
    additional = (row["verordening_additional"] or 0) if row["verordening_offers"] else 0
    agreement_from = row["uwv_agreement_from"]
    return CapacityHeader(
        municipality_id=row["pk"],
        year=year,
        on=on,
        quota_places=quota,
        quota_year=row["quota_year"],
        additional_places=int(additional),
        realised_places=rules.realised_places(Decimal(row["realised"]), settings.HOURS_PER_PLACE),
        taken_places=rules.realised_places(Decimal(row["taken"]), settings.HOURS_PER_PLACE),
        persons_employed=int(row["persons"]),
        verordening_id=row["verordening_id"],
        verordening_in_force_from=row["verordening_from"],
        ordering_rule=OrderingRule(row["verordening_rule"] or OrderingRule.POSITIVE_ADVICE_DATE),
        uwv_agreement=agreement_from is not None and agreement_from <= on,
        uwv_agreement_from=agreement_from,
    )


def _related_columns() -> dict[str, Subquery]:
    """The person's benefit and the date of the application, per case, as correlated
    subqueries rather than joins.

    A join makes PostgreSQL hash the whole person and application tables (a parallel
    sequential scan of each) for the few thousand candidates of one municipality; a lookup
    by primary key / unique ``case_id`` per candidate reads only their rows. Same values:
    every case has a person (non-null foreign key), and a case without an application gets
    NULL, as the left outer join gave.
    """
    return {
        "benefit_kind_of_person": Subquery(
            Person.objects.filter(pk=OuterRef("person_id")).values("benefit_kind")[:1]
        ),
        "applied_on": Subquery(
            Application.objects.filter(case_id=OuterRef("pk")).values("received_on")[:1]
        ),
    }


def _available() -> Case:
    """1 for an available candidate (awaiting placement), 0 for an unavailable one."""
    return Case(
        When(state=CaseState.AWAITING_PLACEMENT, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _windowed_candidates(header: CapacityHeader) -> QuerySet:
    """The municipality's candidates with their ``position``, ``available_rank``,
    ``category`` and ``responsible`` (window functions over all of them), in the
    verordening's order."""
    order = candidate_order(header.ordering_rule)
    available = _available()
    is_unavailable = Q(state=CaseState.UNAVAILABLE)
    unavailable = When(is_unavailable, then=Value(Category.UNAVAILABLE.value))
    additional_up_to = Value(header.free_additional)
    if not header.quota_reached:
        # §4.3: until the quota is reached everyone must be placed, in no order.
        category = Case(
            unavailable, default=Value(Category.OBLIGED.value), output_field=CharField()
        )
    else:
        category = Case(
            unavailable,
            When(
                LessThanOrEqual(F("available_rank"), additional_up_to),
                then=Value(Category.ADDITIONAL.value),
            ),
            default=Value(Category.WAITING.value),
            output_field=CharField(),
        )
    if header.uwv_agreement or not header.quota_reached:
        # Pw art. 7(7): municipality and UWV agreed that the municipality stays responsible;
        # and nobody is UWV's while the quota is not reached (§4.6).
        responsible = Value(Responsible.MUNICIPALITY.value, output_field=CharField())
    else:
        # The slot the candidate takes (available) or would take at their turn (unavailable).
        slot = F("available_rank") + Case(
            When(is_unavailable, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        responsible = Case(
            When(
                # The slot first: the person is only looked up for those past the places.
                Q(GreaterThan(slot, additional_up_to))
                & Q(benefit_kind_of_person__in=sorted(rules.UWV_BENEFITS)),
                then=Value(Responsible.UWV.value),
            ),
            default=Value(Responsible.MUNICIPALITY.value),
            output_field=CharField(),
        )
    return (
        CaseModel.objects.filter(municipality_id=header.municipality_id, state__in=CANDIDATE_STATES)
        .annotate(**_related_columns())
        .annotate(
            position=Window(RowNumber(), order_by=order),
            available_rank=Window(
                Sum(available),
                order_by=order,
                frame=RowRange(start=None, end=0),  # unbounded preceding .. current row
            ),
        )
        .annotate(category=category, responsible=responsible)
        # The window's own order (total: it ends with the id), not ``position``: the same
        # rows in the same order, but PostgreSQL can then read the candidates in that order
        # from the index ``case_candidates_by_advice`` and stop after the page (a LIMIT),
        # where an ORDER BY the row number makes it rank every candidate and sort them again.
        .order_by(*order)
    )


def _passed_over_by() -> Subquery:
    """The reference of the latest placement out of turn that passed the candidate over."""
    return Subquery(
        PassedOver.objects.filter(case_id=OuterRef("pk"))
        .order_by("-id")
        .values("employment__case__reference")[:1]
    )


_ROW_COLUMNS = (
    "id",
    "reference",
    "person_id",
    "position",
    "category",
    "available_rank",
    "state",
    "row_benefit_kind",
    "priority_group",
    "positive_decision_on",
    "positive_advice_on",
    "applied_on",
    "council_position",
    "passed_over_reference",
)


def _responsible(benefit_kind: BenefitKind, slot: int, header: CapacityHeader) -> Responsible:
    """``rules.waiting_list_responsibility`` for the candidate who takes (or, unavailable,
    would take at their turn) available slot ``slot``: the ``responsible`` column of
    ``_windowed_candidates``, in Python."""
    before_the_list = header.places_before_the_list
    return rules.waiting_list_responsibility(
        benefit_kind,
        quota_reached=header.quota_reached,
        additional_places_offered=before_the_list is None or slot <= before_the_list,
        uwv_agreement=header.uwv_agreement,
    )


def _candidate_rows(
    windowed: QuerySet, header: CapacityHeader, *, only: Q | None = None
) -> list[CandidateRow]:
    """``CandidateRow``s of the windowed candidates (``_windowed_candidates``), in its order.

    The responsibility is worked out here from ``available_rank`` rather than read from the
    ``responsible`` column: Django writes an annotation's SQL out wherever it is used, so
    selecting both ``responsible`` and ``benefit_kind_of_person`` would make PostgreSQL look
    the person up twice per row (and, over a few ten thousand rows, cross its JIT cost
    thresholds). Who passed the candidate over is looked up here too, for the rows read only.

    ``only``: the rows ``windowed`` returns, when it is filtered around the window (as
    ``candidate_standings`` is). The database computes the select list of every candidate
    before that filter, so the person and who passed them over are looked up only for these.
    """
    benefit_kind_of_person = F("benefit_kind_of_person")
    passed_over_reference = _passed_over_by()
    if only is not None:
        benefit_kind_of_person = Case(When(only, then=benefit_kind_of_person))
        passed_over_reference = Case(When(only, then=passed_over_reference))
    windowed = windowed.annotate(
        row_benefit_kind=benefit_kind_of_person, passed_over_reference=passed_over_reference
    )
    # The available candidates are ranked 1, 2, ... in order: once the quota is reached, those
    # ranked after the additional slots are WAITING, the first of them number 1 on the list.
    slots = header.places_before_the_list or 0
    rows = []
    for (
        case_id,
        reference,
        person_id,
        position,
        category,
        available_rank,
        state,
        benefit_kind,
        priority_group,
        waiting_since,
        advice_on,
        applied_on,
        council_position,
        passed_over_by,
    ) in windowed.values_list(*_ROW_COLUMNS):
        benefit_kind = BenefitKind(benefit_kind)
        available = state == CaseState.AWAITING_PLACEMENT
        # The slot the candidate takes (available) or would take at their turn (unavailable).
        slot = available_rank + (0 if available else 1)
        category = Category(category)
        rows.append(
            CandidateRow(
                case_id=case_id,
                reference=reference,
                person_id=person_id,
                position=position,
                category=category,
                responsible=_responsible(benefit_kind, slot, header),
                available=available,
                benefit_kind=benefit_kind,
                priority_group=priority_group,
                waiting_since=waiting_since,
                advice_on=advice_on,
                applied_on=applied_on,
                council_position=council_position,
                verordening_id=header.verordening_id,
                verordening_in_force_from=header.verordening_in_force_from,
                ordering_rule=header.ordering_rule,
                passed_over_by=passed_over_by,
                waiting_place=(available_rank - slots if category == Category.WAITING else None),
            )
        )
    return rows


def _with_agreement(header: CapacityHeader, uwv_agreement: bool | None) -> CapacityHeader:
    """``header``, with the Pw art. 7(7) agreement as the caller says (None: as the
    municipality has it on the day)."""
    if uwv_agreement is None or uwv_agreement == header.uwv_agreement:
        return header
    return replace(header, uwv_agreement=uwv_agreement)


def capacity(
    municipality_id: int, year: int, *, on: date | None = None, uwv_agreement: bool | None = None
) -> Capacity:
    """Capacity of ``municipality_id`` in ``year`` on ``on`` (default today), with every
    candidate in position order. Two queries, whatever the number of candidates.

    ``uwv_agreement``: whether municipality and UWV agreed otherwise (Pw art. 7(7)); None
    (the default): as the municipality's setting has it on ``on``.
    """
    header = _with_agreement(
        _header(municipality_id, year, on or timezone.localdate()), uwv_agreement
    )
    candidates = _candidate_rows(_windowed_candidates(header), header)
    return Capacity(**_header_fields(header), candidates=candidates)


def candidate_standings(
    case_ids: Iterable[int], *, on: date | None = None
) -> dict[int, CandidateRow]:
    """The rows of ``capacity`` (year and day of ``on``, default today) of the given cases,
    by case id, without reading the rows of the other candidates. A case that is not a
    candidate (or does not exist) has none.

    The database still ranks every candidate of the case's municipality (the same
    ``_windowed_candidates``, so position, category and responsibility are those of
    ``capacity``), but returns only the rows of these cases. One query for the figures of
    their municipalities, and one per municipality for the rows.
    """
    on = on or timezone.localdate()
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    has_them = CaseModel.objects.filter(
        municipality=OuterRef("pk"), pk__in=ids, state__in=CANDIDATE_STATES
    )
    result = {}
    for header in _headers(Municipality.objects.filter(Exists(has_them)), on.year, on):
        # A filter that names a window function is applied by Django around the windowed
        # rows (the SQL of QUALIFY); a filter on the id alone would be applied before the
        # window and rank only these cases among themselves. So the filter names the
        # position: the case's own position for these cases, NULL for the others.
        own = Q(pk__in=ids)
        windowed = (
            _windowed_candidates(header)
            .annotate(own_position=Case(When(own, then=F("position"))))
            .filter(own_position__isnull=False)
        )
        result.update((row.case_id, row) for row in _candidate_rows(windowed, header, only=own))
    return result


def candidate_standing(case_id: int, *, on: date | None = None) -> CandidateRow | None:
    """The row of ``capacity`` (year and day of ``on``, default today) of one case, None if
    it is not a candidate: ``candidate_standings`` of that case (two queries)."""
    return candidate_standings([case_id], on=on).get(case_id)


def waiting_list(
    municipality_id: int, year: int, *, limit: int, on: date | None = None
) -> WaitingList:
    """The first ``limit`` WAITING candidates of ``capacity`` and how many wait in all. Two
    queries, whatever the number of candidates: the database ranks every candidate and
    returns only those rows, each with the number of available candidates (the waiting are
    the available ones after the obliged and additional slots)."""
    if limit < 1:
        raise ValueError("limit must be 1 or more")
    header = _header(municipality_id, year, on or timezone.localdate())
    rows = list(
        _windowed_candidates(header)
        .annotate(available_total=Window(Sum(_available())))
        .filter(category=Category.WAITING)
        .values_list("id", "reference", "positive_decision_on", "available_total")[
            : min(limit, _MAX_SQL_ROWS)
        ]
    )
    slots = header.places_before_the_list or 0
    return WaitingList(
        **_header_fields(header),
        rows=[(case_id, reference, since) for case_id, reference, since, _total in rows],
        total=rows[0][3] - slots if rows else 0,
    )


#: More rows than any query here can have; OFFSET + LIMIT stay within a signed 64-bit integer.
_MAX_SQL_ROWS = 2**62


def candidate_page(
    municipality_id: int,
    year: int,
    *,
    on: date | None = None,
    from_position: int = 1,
    limit: int = 50,
    uwv_agreement: bool | None = None,
    header: CapacityHeader | None = None,
) -> CandidatePage:
    """The figures of ``capacity`` and the candidates at positions ``from_position`` ..
    ``from_position + limit - 1``. Two queries, whatever the number of candidates.

    The window functions still run over every candidate, so positions and categories are
    exactly those of ``capacity``; the page is then cut from the list in position order in the
    database (positions are 1, 2, ... without gaps, so OFFSET ``from_position - 1`` LIMIT
    ``limit + 1`` are exactly the positions ``from_position`` .. ``from_position + limit``),
    and only ``limit + 1`` rows are read: the extra row tells whether there is a next page.

    OFFSET/LIMIT rather than a filter on ``position``: such a filter makes Django wrap the
    windowed query in a subquery, whose select list (with the person and application
    lookups) PostgreSQL then evaluates for every candidate; with the LIMIT in the same query
    it evaluates those lookups after the sort, for the rows up to the end of the page only.
    Under the verordening's order by the date of the positive advice (the default) the
    candidates are read in that order from an index, so only the rows up to the end of the
    page are ranked at all.

    ``header``: the quota, places and verordening (``_header``) if the caller has them, such
    as the dashboard's figures (``cases.figures``): they count every running job of the
    municipality, which is the costly part of a page.
    """
    if from_position < 1:
        raise ValueError("from_position must be 1 or more")
    if limit < 1:
        raise ValueError("limit must be 1 or more")
    if header is None:
        header = _header(municipality_id, year, on or timezone.localdate())
    elif (header.municipality_id, header.year) != (municipality_id, year):
        raise ValueError("the header is of another municipality or year")
    header = _with_agreement(header, uwv_agreement)
    windowed = _windowed_candidates(header)
    # OFFSET and LIMIT are 64-bit integers in SQL (a start of 10**30 is an empty page anyway).
    offset = min(from_position - 1, _MAX_SQL_ROWS)
    window = windowed[offset : offset + min(limit + 1, _MAX_SQL_ROWS)]
    # PostgreSQL computes the select list of the rows OFFSET skips too: the lookups per row
    # are made for the rows of the page only.
    only = Q(GreaterThan(F("position"), Value(offset))) if offset else None
    rows = _candidate_rows(window, header, only=only)
    return CandidatePage(
        **_header_fields(header),
        from_position=from_position,
        limit=limit,
        rows=rows[:limit],
        has_more=len(rows) > limit,
    )


def capacity_summary(
    municipality_id: int, year: int, *, on: date | None = None, uwv_agreement: bool | None = None
) -> CapacitySummary:
    """The figures of ``capacity`` and the number of candidates per category, counted in the
    database over the windowed candidates (two queries; no candidate rows fetched)."""
    header = _with_agreement(
        _header(municipality_id, year, on or timezone.localdate()), uwv_agreement
    )
    windowed = _windowed_candidates(header).order_by()
    counts = windowed.aggregate(
        obliged=Count("pk", filter=Q(category=Category.OBLIGED)),
        additional=Count("pk", filter=Q(category=Category.ADDITIONAL)),
        waiting=Count("pk", filter=Q(category=Category.WAITING)),
        unavailable=Count("pk", filter=Q(category=Category.UNAVAILABLE)),
        responsible_uwv=Count("pk", filter=Q(responsible=Responsible.UWV)),
    )
    return CapacitySummary(**_header_fields(header), **counts)


@dataclass(frozen=True)
class Turn:
    """Who may get an additional place now (DOMAIN §4.5): the candidates whose turn it is,
    in the verordening's order, as ``(case_id, reference, position)``."""

    rows: list[tuple[int, str, int]]

    def includes(self, case_id: int) -> bool:
        return any(row[0] == case_id for row in self.rows)


def turn_for_additional_place(municipality_id: int, *, on: date, committed_places: Decimal) -> Turn:
    """The candidates whose turn it is for an additional place, for a job starting ``on``:
    ``capacity``'s ADDITIONAL candidates, with the places taken counted as
    ``committed_places`` (``selectors.committed_places``: the same jobs as ``taken_in_year``).
    Two queries. The caller (``services.place_person``) holds the municipality's lock, so no
    other placement changes the answer meanwhile."""
    header = replace(_header(municipality_id, on.year, on), taken_places=committed_places)
    rows = (
        _windowed_candidates(header)
        .filter(category=Category.ADDITIONAL)
        .values_list("id", "reference", "position")
    )
    return Turn(rows=[tuple(row) for row in rows])
