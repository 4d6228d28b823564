"""The one place where each figure of the benchmark is counted from the cases (DOMAIN §7).

Every count is set-based: one ``GROUP BY`` query per kind of figure over all municipalities
(and, for flows, all years) at once, so a full recount costs a few dozen queries whatever the
number of cases. The stock figures (persons working, with an indication) are counted per year
on its reference day; the waiting list only for the current year (it is derived from today's
candidates, decision 2).

Definitions (also on the pages and in the downloads, ``definitions``):

- *places realised*: the weekly hours of the jobs running on the reference day, summed, then
  divided by 31 once (``rules.realised_places``); the jobs count for the municipality whose
  quota they fill (``Employment.municipality``, DOMAIN §6.5);
- *persons working*: the persons with such a job;
- *persons with an indication*: persons with a positive advice issued on or before the
  reference day whose case was not closed or withdrawn by then, nor followed in a
  jobs-agreement job: a switch to one (a job ended ``to_jobs_agreement`` before the reference
  day, and no fallback recorded since) ends the indication for beschut werk (DOMAIN §2.5,
  §6.6; Verbeteragenda ch. 3);
- *waiting list*: the candidates in the category WAITING of the capacity computation
  (``capacity.capacity_summary``), counted on the day of the count: nobody waits until the
  quota is reached (``rules.categorise``);
- *advices*: advices issued in the year, by outcome and by the candidate source of the
  application (``CandidateSource``);
- *durations*: application received → advice issued (advices of the year); advice issued →
  decision sent (decisions of the year); positive advice → first day of the first job (first
  jobs started in the year); in whole days;
- *within the term*: UWV-advice and decision terms met in the year, on or before their end;
- *objections*: filed in the year; decided in the year, by outcome.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.audit.models import CaseEvent
from cases.choices import AdviceOutcome, CandidateSource, TermKind
from cases.models import Advice, Application, Decision, Objection
from cases.placement import capacity
from cases.placement.models import Employment
from cases.terms.models import Term
from municipalities.models import Verordening, YearlyQuota

SOURCES: tuple[str, ...] = tuple(CandidateSource.values)
OUTCOMES: tuple[str, ...] = (AdviceOutcome.POSITIVE, AdviceOutcome.NEGATIVE)
OBJECTION_OUTCOMES: tuple[str, ...] = (
    Objection.Outcome.GRANTED,
    Objection.Outcome.DISMISSED,
    Objection.Outcome.INADMISSIBLE,
    Objection.Outcome.WITHDRAWN,
)
TERM_KINDS: tuple[str, ...] = ("uwv_advice", "decision")
#: The durations, in the order shown.
DURATIONS: tuple[str, ...] = ("application_advice", "advice_decision", "advice_work")


def advice_key(source: str | None = None, outcome: str | None = None) -> str:
    """``advice.total``, ``advice.positive``, ``advice.school``, ``advice.school.positive``."""
    parts = ["advice", source or "", outcome or ""]
    name = ".".join(p for p in parts if p)
    return name if (source or outcome) else "advice.total"


#: Every count kept per row. Shown to the public unless ``hidden`` says so; the duration
#: counts (``duration.<kind>``) only decide whether a median may be shown.
COUNTS: tuple[str, ...] = (
    "persons_working",
    "persons_indicated",
    "waiting",
    "applications",
    advice_key(),
    *(advice_key(outcome=o) for o in OUTCOMES),
    *(advice_key(s) for s in SOURCES),
    *(advice_key(s, o) for s in SOURCES for o in OUTCOMES),
    "objections.filed",
    "objections.decided",
    *(f"objections.{o}" for o in OBJECTION_OUTCOMES),
    *(f"term.{k}.{part}" for k in TERM_KINDS for part in ("total", "within", "late")),
    *(f"duration.{d}" for d in DURATIONS),
)


def constraints_within() -> list[tuple[str, list[str]]]:
    """The sums a reader can form from the counts of one row: ``total = sum(parts)``."""
    result = [
        (advice_key(), [advice_key(outcome=o) for o in OUTCOMES]),
        (advice_key(), [advice_key(s) for s in SOURCES]),
        *((advice_key(outcome=o), [advice_key(s, o) for s in SOURCES]) for o in OUTCOMES),
        *((advice_key(s), [advice_key(s, o) for o in OUTCOMES]) for s in SOURCES),
        ("objections.decided", [f"objections.{o}" for o in OBJECTION_OUTCOMES]),
        *((f"term.{k}.total", [f"term.{k}.within", f"term.{k}.late"]) for k in TERM_KINDS),
    ]
    return result


# -- durations --------------------------------------------------------------------------------


def percentiles(histogram: dict[int, int]) -> tuple[int, Decimal | None, Decimal | None]:
    """``(n, median, p90)`` of durations given as ``{days: number of cases}``.

    The median of an even number of values is the mean of the two middle ones; the 90th
    percentile is the nearest-rank one: the smallest value with at least 90% of the values at
    or below it (rank ``ceil(0.9 n)``).
    """
    n = sum(histogram.values())
    if n == 0:
        return 0, None, None
    ordered = sorted((int(days), count) for days, count in histogram.items() if count)

    def value_at(rank: int) -> int:  # 1-based
        seen = 0
        for days, count in ordered:
            seen += count
            if seen >= rank:
                return days
        raise AssertionError("rank beyond the values")  # pragma: no cover

    if n % 2:
        median = Decimal(value_at(n // 2 + 1))
    else:
        median = (Decimal(value_at(n // 2)) + Decimal(value_at(n // 2 + 1))) / 2
    p90 = Decimal(value_at(math.ceil(Decimal("0.9") * n)))
    return n, median, p90


def merge_histograms(histograms: Iterable[dict]) -> dict[int, int]:
    merged: dict[int, int] = defaultdict(int)
    for histogram in histograms:
        for days, count in histogram.items():
            merged[int(days)] += int(count)
    return dict(merged)


# -- counting ---------------------------------------------------------------------------------


@dataclass
class MunicipalYear:
    """The counts of one municipality in one year, as ``build`` stores them."""

    municipality_id: int
    year: int
    reference_date: dt.date
    quota_places: Decimal | None = None
    additional_offered: int = 0
    realised_hours: Decimal = Decimal(0)
    counts: dict[str, int] = field(default_factory=dict)
    histograms: dict[str, dict[int, int]] = field(default_factory=dict)

    def add(self, name: str, value: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + int(value)


def reference_date(year: int, today: dt.date) -> dt.date:
    """The day a year's stock figures stand on: 31 December, or today in the current year."""
    return min(dt.date(year, 12, 31), today)


def _days(value) -> int:
    """A date difference as whole days (a timedelta on both databases, through Django's
    ``DurationField``)."""
    if isinstance(value, dt.timedelta):
        return value.days
    return int(value) // 86_400_000_000  # pragma: no cover - microseconds, older SQLite


def _diff(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def count_years(
    years: Iterable[int], *, today: dt.date, municipality_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], MunicipalYear]:
    """Every figure of every municipality (or of ``municipality_ids``) in ``years``, counted
    from the cases: ``{(municipality_id, year): MunicipalYear}``. A municipality without any
    figure in a year still gets a row if it has a quota or a job then."""
    years = sorted(set(years))
    first, last = years[0], years[-1]
    ids = None if municipality_ids is None else sorted(set(municipality_ids))
    rows: dict[tuple[int, int], MunicipalYear] = {}

    def row(municipality_id: int, year: int) -> MunicipalYear:
        key = (municipality_id, year)
        if key not in rows:
            rows[key] = MunicipalYear(municipality_id, year, reference_date(year, today))
        return rows[key]

    def scoped(queryset, field_name: str):
        return queryset if ids is None else queryset.filter(**{f"{field_name}__in": ids})

    in_years = {"__year__gte": first, "__year__lte": last}

    def between(name: str) -> dict:
        return {f"{name}{k}": v for k, v in in_years.items()}

    # Quota and the verordening's additional places.
    for m, year, places in scoped(
        YearlyQuota.objects.filter(year__gte=first, year__lte=last), "municipality_id"
    ).values_list("municipality_id", "year", "places"):
        if year in years:
            row(m, year).quota_places = places
    verordeningen: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for m, in_force, offers, extra in (
        scoped(Verordening.objects.all(), "municipality_id")
        .order_by("in_force_from")
        .values_list(
            "municipality_id",
            "in_force_from",
            "offers_additional_places",
            "additional_places_per_year",
        )
    ):
        verordeningen[m].append((in_force, extra if offers else 0))

    # Stocks on each year's reference day.
    for year in years:
        on = reference_date(year, today)
        for m, hours, persons in (
            scoped(Employment.objects.filter(capacity.running_on(on)), "municipality_id")
            .order_by()
            .values("municipality_id")
            .annotate(hours=capacity.hours_sum(), persons=Count("case__person", distinct=True))
            .values_list("municipality_id", "hours", "persons")
        ):
            target = row(m, year)
            target.realised_hours = Decimal(hours or 0)
            target.add("persons_working", persons)
        end_of_day = dt.datetime.combine(
            on + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
        )
        # A switch to a jobs-agreement job before ``on`` (the day after the last day of the
        # sheltered job) ends the indication, unless a fallback was recorded since (§6.6).
        switched_on = Subquery(
            Employment.objects.filter(
                case_id=OuterRef("case_id"), to_jobs_agreement=True, end_on__lt=on
            )
            .order_by("-end_on")
            .values("end_on")[:1]
        )
        fell_back = CaseEvent.objects.filter(
            case_id=OuterRef("case_id"),
            action="fell_back",
            at__lt=end_of_day,
            at__date__gte=OuterRef("switched_on"),
        )
        for m, persons in (
            scoped(
                Advice.objects.filter(outcome=AdviceOutcome.POSITIVE, issued_on__lte=on),
                "case__municipality_id",
            )
            .filter(Q(case__closed_at__isnull=True) | Q(case__closed_at__gte=end_of_day))
            .annotate(switched_on=switched_on)
            .filter(Q(switched_on__isnull=True) | Exists(fell_back))
            .order_by()
            .values("case__municipality_id")
            .annotate(n=Count("case__person", distinct=True))
            .values_list("case__municipality_id", "n")
        ):
            row(m, year).add("persons_indicated", persons)

    # Flows per year.
    for m, year, n in (
        scoped(Application.objects.filter(**between("received_on")), "case__municipality_id")
        .order_by()
        .values_list("case__municipality_id", ExtractYear("received_on"))
        .annotate(n=Count("pk"))
    ):
        row(m, year).add("applications", n)
    for m, year, source, outcome, n in (
        scoped(Advice.objects.filter(**between("issued_on")), "case__municipality_id")
        .order_by()
        .values_list(
            "case__municipality_id",
            ExtractYear("issued_on"),
            "case__application__source",
            "outcome",
        )
        .annotate(n=Count("pk"))
    ):
        source = source if source in SOURCES else CandidateSource.OTHER
        target = row(m, year)
        for name in (
            advice_key(),
            advice_key(outcome=outcome),
            advice_key(source),
            advice_key(source, outcome),
        ):
            target.add(name, n)
    for m, year, n in (
        scoped(Objection.objects.filter(**between("filed_on")), "case__municipality_id")
        .order_by()
        .values_list("case__municipality_id", ExtractYear("filed_on"))
        .annotate(n=Count("pk"))
    ):
        row(m, year).add("objections.filed", n)
    for m, year, outcome, n in (
        scoped(
            Objection.objects.filter(**between("decided_on"), outcome__in=OBJECTION_OUTCOMES),
            "case__municipality_id",
        )
        .order_by()
        .values_list("case__municipality_id", ExtractYear("decided_on"), "outcome")
        .annotate(n=Count("pk"))
    ):
        target = row(m, year)
        target.add(f"objections.{outcome}", n)
        target.add("objections.decided", n)
    for kind, name in ((TermKind.UWV_ADVICE, "uwv_advice"), (TermKind.DECISION, "decision")):
        for m, year, total, within in (
            scoped(Term.objects.filter(kind=kind, **between("met_on")), "case__municipality_id")
            .order_by()
            .values_list("case__municipality_id", ExtractYear("met_on"))
            .annotate(total=Count("pk"), within=Count("pk", filter=Q(met_on__lte=F("end_on"))))
        ):
            target = row(m, year)
            target.add(f"term.{name}.total", total)
            target.add(f"term.{name}.within", within)
            target.add(f"term.{name}.late", total - within)

    # Durations, as histograms of whole days.
    first_job = ~Exists(
        Employment.objects.filter(case=OuterRef("case")).filter(
            Q(start_on__lt=OuterRef("start_on"))
            | Q(start_on=OuterRef("start_on"), pk__lt=OuterRef("pk"))
        )
    )
    duration_queries = {
        "application_advice": scoped(
            Advice.objects.filter(
                **between("issued_on"), case__application__received_on__isnull=False
            ),
            "case__municipality_id",
        ).values_list(
            "case__municipality_id",
            ExtractYear("issued_on"),
            _diff("issued_on", "case__application__received_on"),
        ),
        "advice_decision": scoped(
            Decision.objects.filter(**between("sent_on"), case__advice__isnull=False),
            "case__municipality_id",
        ).values_list(
            "case__municipality_id",
            ExtractYear("sent_on"),
            _diff("sent_on", "case__advice__issued_on"),
        ),
        "advice_work": scoped(
            Employment.objects.filter(
                first_job, **between("start_on"), case__advice__outcome=AdviceOutcome.POSITIVE
            ),
            "municipality_id",
        ).values_list(
            "municipality_id", ExtractYear("start_on"), _diff("start_on", "case__advice__issued_on")
        ),
    }
    for kind, queryset in duration_queries.items():
        for m, year, days, n in queryset.order_by().annotate(n=Count("pk")):
            target = row(m, year)
            histogram = target.histograms.setdefault(kind, {})
            histogram[_days(days)] = histogram.get(_days(days), 0) + n
            target.add(f"duration.{kind}", n)

    # Rows outside the years asked (a flow query's year is always inside them) are dropped.
    result = {key: value for key, value in rows.items() if key[1] in years}
    for (m, _year), target in result.items():
        on = target.reference_date
        target.additional_offered = next(
            (extra for in_force, extra in reversed(verordeningen.get(m, [])) if in_force <= on), 0
        )
    # The waiting list: today's candidates, for the current year only.
    if today.year in years:
        for m, year in [key for key in result if key[1] == today.year]:
            summary = capacity.capacity_summary(m, year, on=today)
            result[(m, year)].counts["waiting"] = summary.waiting
    return result


def first_year(today: dt.date) -> int:
    """The first year with any application, advice or job (at most 15 years back)."""
    years = [
        Application.objects.filter(received_on__isnull=False)
        .order_by("received_on")
        .values_list("received_on", flat=True)
        .first(),
        Employment.objects.order_by("start_on").values_list("start_on", flat=True).first(),
    ]
    found = [day.year for day in years if day is not None]
    return max(min(found, default=today.year), today.year - 15)


#: What each figure means, for the pages and the downloads (``name``, definition).
DEFINITIONS: tuple[tuple[str, object], ...] = (
    (
        "quota",
        _(
            "Quota: the number of places the ministerial regulation says the municipality must "
            "have realised by the end of the year (counted up from earlier years)."
        ),
    ),
    (
        "places",
        _(
            "Places realised: the hours a week of all jobs running on the reference day, added "
            "up and then divided by 31. A job of 31 hours is one place."
        ),
    ),
    ("persons_working", _("Persons working: persons with such a running job.")),
    (
        "difference",
        _("Difference: places realised minus the quota. Below zero: places still to realise."),
    ),
    (
        "additional",
        _(
            "Additional places: the places above the quota the verordening offers, and how many "
            "of them are in use (places realised above the quota)."
        ),
    ),
    (
        "waiting",
        _(
            "Waiting list: persons with a positive decision who are available but have no place "
            "and no place is free for them. Each person counts as one place. Only known for "
            "years that were counted while they were running."
        ),
    ),
    (
        "persons_indicated",
        _(
            "Persons with a positive advice: persons with a positive advice from UWV on or "
            "before the reference day, whose case was not closed and who had not moved on to "
            "a job under the jobs agreement."
        ),
    ),
    (
        "advices",
        _("Advices: the advices UWV issued in the year, by outcome and by candidate source."),
    ),
    (
        "durations",
        _(
            "Times: from receiving the application to the advice, from the advice to the "
            "decision, and from the positive advice to the first day of work, in days. The "
            "median is the middle value (of an even number: the mean of the two middle "
            "values); 9 in 10 cases took at most the 90th percentile."
        ),
    ),
    (
        "terms",
        _(
            "Within the term: the share of UWV advices (8 weeks) and decisions that were ready "
            "on or before the end of their legal term, of those ready in the year."
        ),
    ),
    ("objections", _("Objections: filed in the year, and decided in the year by outcome.")),
    (
        "per_10000",
        _(
            "Per 10,000 of the labour force: the figure divided by the labour force of the "
            "municipality (CBS), times 10,000."
        ),
    ),
    (
        "rank",
        _(
            "Rank: the place of the municipality by places per 10,000 of the labour force, "
            "highest first, among the municipalities of its labour-market region and among "
            "those of its size (by labour force)."
        ),
    ),
    (
        "suppressed",
        _(
            "Fewer than 5: to protect privacy, numbers from 1 to 4 are not shown to the public, "
            "nor figures from which such a number can be worked out. 0 is shown."
        ),
    ),
)
