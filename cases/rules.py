"""The law of beschut werk (Participatiewet art. 10b) as pure functions.

Every function names the section of DOMAIN.md it implements (``§2.4`` is section 2,
rule 4). Nothing here touches the database, a request or the clock: dates, numbers and small
frozen dataclasses go in, answers come out. ``today`` is always passed in.

Where the law leaves a choice to the municipality, the choice is a parameter that the caller
takes from the municipality's verordening; it is never a constant here.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any, TypeVar

import holidays
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    AdviceOutcome,
    ApplicantKind,
    BenefitKind,
    CaseState,
    Category,
    ContractKind,
    ContractOutcome,
    FundingKind,
    OrderingRule,
    ProvisionKind,
    Responsible,
    TermKind,
    TermState,
)

__all__ = [
    "AOW_AGES",
    "CAP_PCT_OF_WML",
    "DATE_YEARS",
    "FLAT_RATE_FROM_YEAR",
    "FLAT_RATE_PCT_OF_WML",
    "HOURS_PER_PLACE",
    "MAX_COUNCIL_POSITION",
    "MAX_HOURS_PER_WEEK",
    "MAXIMUM_QUOTA",
    "MINIMUM_QUOTA",
    "MOVABLE_STATES",
    "OBJECTION_TERM_WEEKS",
    "PARTICIPATIEWET_GROUP",
    "PERSONS_TERMS",
    "PLACEMENT_SIGNAL_MONTHS",
    "TIE_EXPLANATION",
    "TRANSITIONS",
    "UWV_BENEFITS",
    "UWV_TERM_WEEKS",
    "WATCHED_TERMS",
    "AgeOutcome",
    "AowAge",
    "Candidate",
    "CaseAction",
    "Funding",
    "FundingBasis",
    "NegativeAdviceReason",
    "Placement",
    "STATE_ACTIONS",
    "RuleViolation",
    "Suspension",
    "TwelveMonthOutcome",
    "WorkCapacity",
    "add_months",
    "add_weeks",
    "advice_in_force",
    "advice_outcome",
    "ADVICE_REVIEW_MONTHS",
    "advice_review_date",
    "advice_revives",
    "after_employment_end",
    "after_fallback",
    "CONTRACT_SIGNAL_MONTHS",
    "appeal_possible",
    "check_contract_outcome",
    "check_fixed_term",
    "check_provision",
    "contract_end_signal_date",
    "no_risk_policy_applies",
    "provision_payer",
    "deemed_refusal_on",
    "deemed_refusal_objection_term_end",
    "decision_next_state",
    "earlier_case_after_new_decision",
    "age_check",
    "aow_age",
    "allowed_actions",
    "aow_reached",
    "can_transition",
    "categorise",
    "check_decision",
    "check_flat_rate_year",
    "check_minimum_wage",
    "check_question_may_suspend",
    "age_on",
    "minimum_wage_hourly",
    "minimum_wage_outdated",
    "monthly_for_hours",
    "next_wage_value_measurement",
    "WAGE_VALUE_MEASUREMENT_MONTHS",
    "WEEKS_PER_MONTH",
    "YOUTH_WML_PCT",
    "check_quota",
    "check_transition",
    "decision_follows_advice",
    "decision_term_end",
    "decree_day_candidates",
    "deemed_refusal",
    "extend_to_working_day",
    "check_placement_turn",
    "free_additional_slots",
    "free_obliged_slots",
    "quota_reached",
    "MIN_QUOTA_PLACES",
    "ordering_explanation",
    "place_left",
    "realised_places",
    "funding",
    "general_holidays",
    "has_work_capacity",
    "is_non_working_day",
    "leaves_jobs_register",
    "must_accept_place",
    "negative_advice_reason",
    "objection_in_time",
    "objection_term_end",
    "order_candidates",
    "placement_signal_date",
    "places",
    "reminder_due",
    "responsible_after_move",
    "term_end",
    "term_state",
    "twelve_month_rule",
    "uwv_term_end",
    "waiting_list_responsibility",
    "within_twelve_months",
    "wsw_shortcut",
]


class RuleViolation(Exception):
    """A rule of the law was broken.

    ``code`` is stable and meant for programs and tests; ``message`` is a lazy, user-facing
    text (English source, Dutch in ``locale/nl``) with ``%(name)s`` placeholders filled from
    ``params`` when shown. A service turns it into
    ``ValidationError(e.message, code=e.code, params=e.params)``.
    """

    def __init__(self, code: str, message: Promise | str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


# ---------------------------------------------------------------------------------------
# §0 Legal terms
# ---------------------------------------------------------------------------------------

UWV_TERM_WEEKS = 8  # §2.1
OBJECTION_TERM_WEEKS = 6  # §3.3, Awb 6:7
PLACEMENT_SIGNAL_MONTHS = 3  # §4.8

#: §3.3: the objection term is the person's to use, not a term the municipality must meet:
#: once its last day has passed it has ended, it is not overdue.
PERSONS_TERMS = frozenset({TermKind.OBJECTION})
#: The terms a municipality watches on its work list: its own decision term and placement
#: signal, and UWV's advice term for information.
WATCHED_TERMS = (TermKind.DECISION, TermKind.PLACEMENT, TermKind.UWV_ADVICE)

SATURDAY = 5
SUNDAY = 6

# The days of art. 3 Atw, by their name in the ``holidays`` package's Dutch calendar
# (English names, ``language="en_US"``), with the Dutch name we show. Only these are kept.
_ATW_DAYS_FROM_PACKAGE: Mapping[str, str] = MappingProxyType(
    {
        "New Year's Day": "Nieuwjaarsdag",  # art. 3(1)
        "Good Friday": "Goede Vrijdag",  # art. 3(2): equated with the days of art. 3(1)
        "Easter Monday": "Tweede Paasdag",  # art. 3(1)
        "King's Day": "Koningsdag",  # art. 3(1): the day the King's birthday is celebrated
        "Queen's Day": "Koninginnedag",  # the same day before 2014
        "Liberation Day": "Bevrijdingsdag",  # art. 3(1): 5 May (package: lustrum years only)
        "Ascension Day": "Hemelvaartsdag",  # art. 3(1)
        "Pentecost Monday": "Tweede Pinksterdag",  # art. 3(1)
        "Christmas Day": "Eerste Kerstdag",  # art. 3(1)
        "Second Day of Christmas": "Tweede Kerstdag",  # art. 3(1)
    }
)
# Days the package has that art. 3 Atw does not list (both are Sundays anyway).
_NOT_ATW_DAYS_FROM_PACKAGE: frozenset[str] = frozenset({"Easter Sunday", "Pentecost"})
# Days that must be found in the package every year; if one is missing the package changed
# and our terms would silently be wrong.
_REQUIRED_EVERY_YEAR: frozenset[str] = frozenset(
    {
        "Nieuwjaarsdag",
        "Goede Vrijdag",
        "Tweede Paasdag",
        "Hemelvaartsdag",
        "Tweede Pinksterdag",
        "Eerste Kerstdag",
        "Tweede Kerstdag",
    }
)
LIBERATION_DAY = "Bevrijdingsdag"
DECREE_DAY = "Bij koninklijk besluit gelijkgestelde dag"


def add_weeks(start: date, weeks: int) -> date:
    """§0: a term of ``weeks`` weeks ends on the same weekday that many weeks after ``start``.

    8 weeks from Monday 5 January 2026 ends Monday 2 March 2026.
    """
    if weeks < 0:
        raise ValueError("weeks must not be negative")
    return start + timedelta(weeks=weeks)


#: The highest position in a council's own order of candidates (§4.5): far beyond any
#: municipality's candidates, and a typing error beyond that.
MAX_COUNCIL_POSITION = 99_999

#: The years the portal reckons dates in. Its terms follow the Dutch holiday calendar, which
#: the holidays package keeps up to 2100: a date outside is a typing error, refused on entry.
DATE_YEARS = range(1900, 2100)


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the end of a shorter month
    (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=512)
def _atw_holidays(year: int) -> Mapping[date, tuple[str, ...]]:
    """The days of art. 3(1) and (2) Atw in ``year`` with their names, without decree days."""
    package = holidays.country_holidays("NL", years=year, language="en_US")
    days: dict[date, tuple[str, ...]] = {}
    for day in sorted(package):
        # Everything not in the list (Easter Sunday, Whit Sunday, any day a future version
        # adds) is left out: art. 3 Atw is a closed list.
        names = tuple(
            _ATW_DAYS_FROM_PACKAGE[name]
            for name in package.get_list(day)
            if name in _ATW_DAYS_FROM_PACKAGE
        )
        if names:
            days[day] = names
    # art. 3(1) Atw: 5 May is a holiday *every* year, not only every fifth year.
    liberation_day = date(year, 5, 5)
    if LIBERATION_DAY not in days.get(liberation_day, ()):
        days[liberation_day] = (*days.get(liberation_day, ()), LIBERATION_DAY)
    found = {name for names in days.values() for name in names}
    missing = _REQUIRED_EVERY_YEAR - found
    if missing or not ({"Koningsdag", "Koninginnedag"} & found):
        raise RuntimeError(
            f"The holidays package's Dutch calendar for {year} lacks {sorted(missing)} "
            "or King's Day; the Algemene termijnenwet calendar cannot be built."
        )
    return MappingProxyType(days)


def general_holidays(year: int, extra_days: Iterable[date] = ()) -> dict[date, str]:
    """§0, art. 3 Algemene termijnenwet: the general public holidays of ``year``.

    Built on the ``holidays`` package's Dutch calendar, corrected to the closed list of art. 3:
    New Year's Day, Good Friday (art. 3(2)), Easter Monday, King's Day (27 April, or 26 April
    when the 27th is a Sunday, as the package has it; Queen's Day before 2014), 5 May *every*
    year (the package has it only in lustrum years), Ascension Day, Whit Monday, Christmas Day
    and Boxing Day. Easter Sunday and Whit Sunday are dropped: art. 3 does not list them
    (they are Sundays anyway).

    ``extra_days`` are the days a royal decree equates with these (art. 3(3)); operators keep
    them as data. Only the ones that fall in ``year`` are included.
    """
    days = {day: ", ".join(names) for day, names in _atw_holidays(year).items()}
    for day in extra_days:
        if day.year == year:
            days.setdefault(day, DECREE_DAY)
    return dict(sorted(days.items()))


def decree_day_candidates(year: int) -> list[date]:
    """§0, art. 3(3) Atw: *proposals* for the days a royal decree typically equates with a
    general holiday, for an operator to review: the Friday after Ascension Day, and the
    Monday before / Friday after a holiday that falls on a Tuesday / Thursday.

    Only candidates that fall in ``year`` are returned (so a Monday 31 December before a
    Tuesday New Year's Day is a candidate of the old year), and none that is already a
    holiday. A candidate has no effect until it is stored and passed in as ``extra_days``.
    """
    own = _atw_holidays(year)
    next_new_year = date(year + 1, 1, 1)
    sources = [*own, next_new_year]
    candidates: set[date] = set()
    for day, names in own.items():
        if "Hemelvaartsdag" in names:
            candidates.add(day + timedelta(days=1))
    for day in sources:
        if day.weekday() == calendar.TUESDAY:
            candidates.add(day - timedelta(days=1))
        elif day.weekday() == calendar.THURSDAY:
            candidates.add(day + timedelta(days=1))
    return sorted(day for day in candidates if day.year == year and day not in own)


def is_non_working_day(d: date, extra_days: Iterable[date] = ()) -> bool:
    """§0, art. 1 Atw: a Saturday, a Sunday or a general holiday (incl. decree days)."""
    if d.weekday() in (SATURDAY, SUNDAY):
        return True
    return d in _atw_holidays(d.year) or d in frozenset(extra_days)


def extend_to_working_day(d: date, extra_days: Iterable[date] = ()) -> date:
    """§0, art. 1 Atw: a term ending on a Saturday, Sunday or general holiday is extended to
    the next day that is none of these."""
    extra = frozenset(extra_days)
    while is_non_working_day(d, extra):
        d += timedelta(days=1)
    return d


@dataclass(frozen=True)
class Suspension:
    """§0: a term is suspended from ``start``; ``end`` is the day it resumed (None: still
    suspended). The days in between are added to the term's end."""

    start: date
    end: date | None = None

    def days(self, today: date | None = None) -> int:
        """Days suspended: ``end - start``, or ``today - start`` while still suspended."""
        if self.end is not None:
            return (self.end - self.start).days
        if today is None:
            raise ValueError("today is required while a suspension is open")
        if today < self.start:
            raise ValueError("an open suspension cannot start after today")
        return (today - self.start).days


def _check_suspensions(suspensions: Sequence[Suspension]) -> list[Suspension]:
    ordered = sorted(suspensions, key=lambda s: (s.start, s.end or date.max))
    for suspension in ordered:
        if suspension.end is not None and suspension.end < suspension.start:
            raise ValueError(f"suspension ends before it starts: {suspension}")
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.end is None or later.start < earlier.end:
            raise ValueError(f"suspensions overlap: {earlier} and {later}")
    return ordered


def term_end(
    start: date,
    weeks: int,
    suspensions: Iterable[Suspension] = (),
    extra_days: Iterable[date] = (),
    today: date | None = None,
) -> date:
    """§0: the last day of a statutory term of ``weeks`` weeks from ``start``.

    Same weekday ``weeks`` later, plus the days of every suspension (a suspension still open
    counts until ``today``, so the end keeps moving while suspended), then extended past
    Saturdays, Sundays and general holidays (art. 1 Atw). Suspensions must not overlap and
    must not end before they start (``ValueError``); touching ones (one resumes the day the
    next starts) are fine.
    """
    checked = _check_suspensions(list(suspensions))
    end = add_weeks(start, weeks)
    end += timedelta(days=sum(s.days(today) for s in checked))
    return extend_to_working_day(end, extra_days)


def term_state(
    end_date: date,
    today: date,
    met_on: date | None = None,
    suspended: bool = False,
    kind: TermKind | str | None = None,
) -> TermState:
    """§0: every term shown says whether it is met, suspended, overdue or running, in that
    order of precedence. A term met after its end date still counts as met. A term of the
    person (``PERSONS_TERMS``, §3.3) whose last day has passed has ended: nobody is late."""
    if met_on is not None:
        return TermState.MET
    if suspended:
        return TermState.SUSPENDED
    if today > end_date:
        return TermState.ENDED if kind in PERSONS_TERMS else TermState.OVERDUE
    return TermState.RUNNING


def reminder_due(end_date: date, today: date, days_before: int) -> bool:
    """§2.1: remind before a term lapses: from ``days_before`` days before the end up to and
    including the last day. (``days_before`` is an operational setting, not law.)"""
    if days_before < 0:
        raise ValueError("days_before must not be negative")
    return end_date - timedelta(days=days_before) <= today <= end_date


def uwv_term_end(
    received_on: date,
    suspensions: Iterable[Suspension] = (),
    extra_days: Iterable[date] = (),
    today: date | None = None,
) -> date:
    """§2.1: UWV advises within 8 weeks of receiving the application, plus suspensions."""
    return term_end(received_on, UWV_TERM_WEEKS, suspensions, extra_days, today)


def check_question_may_suspend(*, at_uwv: bool, term_open: bool, term_suspended: bool) -> None:
    """§0, §2.1: UWV may suspend its advice term while it waits for information it asked the
    municipality or the person for. Only during the advice (the case is at UWV), only a term
    that runs, and one suspension at a time; the answer resumes it."""
    if not at_uwv or not term_open:
        raise RuleViolation(
            "question_no_running_term",
            _("The advice term can only be suspended while UWV is working on the advice."),
        )
    if term_suspended:
        raise RuleViolation(
            "question_already_suspended",
            _(
                "The advice term is already suspended. Send the question without suspending "
                "the term, or resume the term first."
            ),
        )


def objection_term_end(sent_on: date, extra_days: Iterable[date] = ()) -> date:
    """§3.3, Awb 6:7/6:8: objection within 6 weeks; the term starts the day after the decision
    was sent, so its last day is the same weekday as ``sent_on``, 6 weeks later."""
    return term_end(sent_on, OBJECTION_TERM_WEEKS, extra_days=extra_days)


def objection_in_time(
    sent_on: date,
    received_on: date,
    posted_on: date | None = None,
    extra_days: Iterable[date] = (),
) -> bool:
    """§3.3, Awb 6:9: an objection is in time if received by the end of the term, or, sent by
    post, posted by the end of the term and received at most one week after it."""
    end = objection_term_end(sent_on, extra_days)
    if received_on <= end:
        return True
    return posted_on is not None and posted_on <= end and received_on <= end + timedelta(weeks=1)


def decision_term_end(advice_issued_on: date, weeks: int, extra_days: Iterable[date] = ()) -> date:
    """§3.1: the college decides within ``weeks`` weeks (from the verordening) of the advice."""
    if weeks <= 0:
        raise ValueError("the decision term must be at least one week")
    return term_end(advice_issued_on, weeks, extra_days=extra_days)


def deemed_refusal(decided: bool, decision_due_on: date, today: date) -> bool:
    """§3.1: not deciding counts as a refusal decision once the decision term has passed."""
    return not decided and today > decision_due_on


def deemed_refusal_on(decision_due_on: date) -> date:
    """§3.1: the day a decision still missing counts as a refusal: the day after the last day
    of the decision term."""
    return decision_due_on + timedelta(days=1)


def deemed_refusal_objection_term_end(
    decision_due_on: date, extra_days: Iterable[date] = ()
) -> date:
    """§3.1 with §3.3: objection against not deciding in time (Awb 6:2) runs for 6 weeks from
    the day after the decision term ended, as if the refusal was sent on its last day: the
    same weekday 6 weeks later, extended past weekends and general holidays (§0)."""
    return objection_term_end(decision_due_on, extra_days)


def placement_signal_date(counts_from: date) -> date:
    """§4.8: placement typically follows about 3 months after a positive advice; the
    dashboard signals cases still unplaced after that date. ``counts_from`` is the date of
    the positive advice (for a person waiting again, the day the waiting started again). A
    key figure, not a legal term: no Atw extension."""
    return add_months(counts_from, PLACEMENT_SIGNAL_MONTHS)


# ---------------------------------------------------------------------------------------
# §1 Applying for an advice
# ---------------------------------------------------------------------------------------


class TwelveMonthOutcome(StrEnum):
    """§1.2: what the once-a-year rule means for an application."""

    ALLOWED = "allowed"
    NEGATIVE_UNLESS_CHANGED = "negative_unless_changed"
    ALLOWED_CHANGED = "allowed_changed"


def within_twelve_months(applied_on: date, last_advice_on: date | None) -> bool:
    """§1.2: whether ``applied_on`` lies before the day 12 months after the last advice.

    The form uses this to detect the case, explain it and ask for changed circumstances.
    """
    return last_advice_on is not None and applied_on < add_months(last_advice_on, 12)


def twelve_month_rule(
    applicant_kind: ApplicantKind,
    applied_on: date,
    last_advice_on: date | None,
    changed_circumstances: bool,
) -> TwelveMonthOutcome:
    """§1.2: a person (or their representative) who applies within 12 months of a previous
    UWV advice gets a negative advice, unless circumstances changed: then UWV assesses again.
    The college may apply at any time. Any previous advice counts, whoever applied for it.
    """
    if applicant_kind == ApplicantKind.MUNICIPALITY:
        return TwelveMonthOutcome.ALLOWED
    if not within_twelve_months(applied_on, last_advice_on):
        return TwelveMonthOutcome.ALLOWED
    if changed_circumstances:
        return TwelveMonthOutcome.ALLOWED_CHANGED
    return TwelveMonthOutcome.NEGATIVE_UNLESS_CHANGED


@dataclass(frozen=True)
class AowAge:
    """§1.3: the state pension (AOW) age in a calendar year, set by law five years ahead."""

    year: int
    years: int
    months: int


# §1.3: data, not code. Add a row when the law sets the next year.
AOW_AGES: tuple[AowAge, ...] = (
    AowAge(2024, 67, 0),
    AowAge(2025, 67, 0),
    AowAge(2026, 67, 0),
    AowAge(2027, 67, 0),
    AowAge(2028, 67, 3),
    AowAge(2029, 67, 3),
    AowAge(2030, 67, 3),
    AowAge(2031, 67, 3),
)

# §1.3 (004, "Leeftijdsgrens"): applying has no age limit. Under 16 a person is still of
# compulsory school age; 16- and 17-year-olds may start on the way to work; both are told
# about school and the availability for work a positive advice needs, neither is refused.
COMPULSORY_SCHOOL_AGE_UNTIL = 16
SCHOOL_AGE_UNTIL = 18  # §1.3: in school until 18 or a start qualification


def aow_age(year: int, table: Sequence[AowAge] = AOW_AGES) -> tuple[int, int]:
    """§1.3: the AOW age (years, months) in ``year``; ``ValueError`` outside the table."""
    for row in table:
        if row.year == year:
            return row.years, row.months
    raise ValueError(
        f"No AOW age known for {year}: the table covers {table[0].year}-{table[-1].year}. "
        "Add the row set by law (operators: AOW-leeftijden in the admin)."
    )


def aow_reached(birth_date: date, on_date: date, table: Sequence[AowAge] = AOW_AGES) -> bool:
    """§1.3: whether the person has reached the AOW age on ``on_date``.

    The AOW age that applies is that of the calendar year in which the person reaches it
    (AOW art. 7a): they have reached it if, for some year Y up to ``on_date``'s year,
    ``birth_date`` + AOW age of Y falls in or before Y and on or before ``on_date``. So someone
    who turned 67 in October 2027 has reached it in January 2028, even though the 2028 age is
    67 and 3 months. (The AOW age never falls, so years before the table need no rows.)
    ``ValueError`` if ``on_date``'s year is not in the table.
    """
    aow_age(on_date.year, table)  # fail clearly for a year the law has not set yet
    for row in sorted(table, key=lambda r: r.year):
        if row.year > on_date.year:
            break
        reached_on = add_months(birth_date, row.years * 12 + row.months)
        if reached_on.year <= row.year and reached_on <= on_date:
            return True
    return False


class AgeOutcome(StrEnum):
    """§1.3: the age check of an application."""

    UNDER_16 = "under_16"
    YOUNG = "young"
    OK = "ok"
    AOW_REACHED = "aow_reached"

    @property
    def blocking(self) -> bool:
        """Whether the application cannot go ahead."""
        return self == AgeOutcome.AOW_REACHED

    @property
    def notice(self) -> Promise | None:
        """The plain-language explanation to show the person who applies, if any."""
        return _AGE_NOTICES.get(self)

    @property
    def notice_about_person(self) -> Promise | None:
        """The explanation about the person, for staff and for someone who applies for
        another, if any."""
        return _AGE_NOTICES_ABOUT_PERSON.get(self)


_AGE_NOTICES: Mapping[AgeOutcome, Promise] = MappingProxyType(
    {
        AgeOutcome.UNDER_16: _(
            "You are younger than 16. You may apply: there is no age limit. But you go to "
            "school until you are 18 or have a basic qualification, and a positive advice is "
            "only possible if you are available for work. Talk about this with your school and "
            "your municipality."
        ),
        AgeOutcome.YOUNG: _(
            "You are 16 or 17 years old. Until you are 18 or have a basic qualification, you go "
            "to school. You may already apply now, so that there is no gap between school and "
            "work."
        ),
        AgeOutcome.AOW_REACHED: _(
            "You have reached the AOW (state pension) age. Sheltered work is then no longer "
            "possible."
        ),
    }
)


_AGE_NOTICES_ABOUT_PERSON: Mapping[AgeOutcome, Promise] = MappingProxyType(
    {
        AgeOutcome.UNDER_16: _(
            "The person is younger than 16. Applying is allowed: there is no age limit. But "
            "they go to school until they are 18 or have a basic qualification, and a positive "
            "advice is only possible if they are available for work. Talk about this with the "
            "school and the municipality."
        ),
        AgeOutcome.YOUNG: _(
            "The person is 16 or 17 years old. Until the age of 18, or until they have a basic "
            "qualification, they go to school. They may already apply now, so that there is no "
            "gap between school and work."
        ),
        AgeOutcome.AOW_REACHED: _(
            "The person has reached the AOW (state pension) age. Sheltered work is then no "
            "longer possible."
        ),
    }
)


def age_check(birth_date: date, on_date: date, aow_ages: Sequence[AowAge] = AOW_AGES) -> AgeOutcome:
    """§1.3: applying has no lower age limit: under 16 and at 16 or 17 the person may apply,
    with a notice about school, the start qualification and the availability for work a
    positive advice needs; from the AOW age on, no more (blocking).

    Ages count by calendar: someone born on 29 February is a year older on 28 February.
    ``aow_ages`` is the table in force (the database's ``AowAge`` rows; the default is the law's
    table at the time of writing).
    """
    if on_date < birth_date:
        raise ValueError("on_date lies before birth_date")
    if on_date < add_months(birth_date, COMPULSORY_SCHOOL_AGE_UNTIL * 12):
        return AgeOutcome.UNDER_16
    if on_date < add_months(birth_date, SCHOOL_AGE_UNTIL * 12):
        return AgeOutcome.YOUNG
    if aow_reached(birth_date, on_date, aow_ages):
        return AgeOutcome.AOW_REACHED
    return AgeOutcome.OK


# ---------------------------------------------------------------------------------------
# §2 UWV assessment
# ---------------------------------------------------------------------------------------

MIN_HOURS_AT_A_STRETCH = Decimal(1)
MIN_HOURS_PER_DAY = Decimal(4)


@dataclass(frozen=True)
class WorkCapacity:
    """§2.3: the four findings on work capacity (the Wajong rule)."""

    can_perform_task: bool
    basic_employee_skills: bool
    hours_at_a_stretch: Decimal
    hours_per_day: Decimal


def has_work_capacity(wc: WorkCapacity) -> bool:
    """§2.3: can perform a task in a work organisation, has basic employee skills, can work at
    least 1 hour at a stretch and at least 4 hours a day."""
    return (
        wc.can_perform_task
        and wc.basic_employee_skills
        and wc.hours_at_a_stretch >= MIN_HOURS_AT_A_STRETCH
        and wc.hours_per_day >= MIN_HOURS_PER_DAY
    )


def advice_outcome(
    work_capacity: WorkCapacity,
    needs_adaptations: bool,
    needs_supervision_or_guidance: bool,
) -> AdviceOutcome:
    """§2.2: positive if the person has work capacity and needs at least one of (a) adaptations
    or (b) permanent supervision / intensive guidance that an employer cannot reasonably
    provide. Wage value is not a criterion, so it is not an input."""
    if has_work_capacity(work_capacity) and (needs_adaptations or needs_supervision_or_guidance):
        return AdviceOutcome.POSITIVE
    return AdviceOutcome.NEGATIVE


class NegativeAdviceReason(StrEnum):
    """Why UWV's advice was negative, as the decision letter must say (Awb 3:46-3:47)."""

    WSW_SUPPORTED_EMPLOYMENT = "wsw_supported_employment"  # §2.4, without investigation
    NO_WORK_CAPACITY = "no_work_capacity"  # §2.3
    REGULAR_EMPLOYER = "regular_employer"  # §2.2: no help a regular employer cannot give
    TWELVE_MONTHS = "twelve_months"  # §1.2: again within 12 months, nothing changed


def negative_advice_reason(
    *,
    without_investigation: bool,
    work_capacity: WorkCapacity,
    needs_adaptations: bool,
    needs_supervision_or_guidance: bool,
    once_a_year_rule: bool = False,
) -> NegativeAdviceReason:
    """The reason of a negative advice: the once-a-year rule (§1.2, ``twelve_month_rule``)
    where UWV gave it under that rule, the Wsw shortcut (§2.4), else the criteria of
    §2.2-§2.3 (``advice_outcome``); findings that meet them mean the advice was negative
    under the once-a-year rule as well."""
    if once_a_year_rule:
        return NegativeAdviceReason.TWELVE_MONTHS
    if without_investigation:
        return NegativeAdviceReason.WSW_SUPPORTED_EMPLOYMENT
    if not has_work_capacity(work_capacity):
        return NegativeAdviceReason.NO_WORK_CAPACITY
    if advice_outcome(work_capacity, needs_adaptations, needs_supervision_or_guidance) == (
        AdviceOutcome.NEGATIVE
    ):
        return NegativeAdviceReason.REGULAR_EMPLOYER
    return NegativeAdviceReason.TWELVE_MONTHS


def wsw_shortcut(
    indication_end: date | None,
    supported_employment: bool,
    applied_on: date,
    changed_circumstances: bool,
) -> AdviceOutcome | None:
    """§2.4: a valid Wsw indication (end date not passed on the application date) decides the
    advice without investigation: negative with advice *begeleid werken*, positive without.
    ``None``: no valid indication, or circumstances changed, so UWV assesses in full."""
    valid = indication_end is not None and indication_end >= applied_on
    if not valid or changed_circumstances:
        return None
    return AdviceOutcome.NEGATIVE if supported_employment else AdviceOutcome.POSITIVE


def leaves_jobs_register(outcome: AdviceOutcome) -> bool:
    """§2.5: a positive advice removes the person from the jobs-agreement register at once."""
    return outcome == AdviceOutcome.POSITIVE


def advice_in_force(
    advices: Sequence[tuple[date, AdviceOutcome]],
) -> AdviceOutcome | None:
    """§2.6: an advice stays valid until UWV issues a new one: the latest issued is in force.
    Two on the same day: the later one in ``advices`` wins. None if there is no advice."""
    latest: tuple[date, AdviceOutcome] | None = None
    for issued_on, outcome in advices:
        if latest is None or issued_on >= latest[0]:
            latest = (issued_on, outcome)
    return None if latest is None else latest[1]


# ---------------------------------------------------------------------------------------
# §3 The college's decision
# ---------------------------------------------------------------------------------------


def decision_follows_advice(advice_outcome: AdviceOutcome, decision_positive: bool) -> bool:
    """§3.2: whether the decision says what the advice says."""
    return decision_positive == (advice_outcome == AdviceOutcome.POSITIVE)


def check_decision(
    advice_outcome: AdviceOutcome, decision_positive: bool, deviation_reason: str
) -> None:
    """§3.2: the college is bound to the advice; a deviation needs a recorded reason (only
    whitespace is no reason). A decision that follows the advice needs none (one is allowed).
    """
    if decision_follows_advice(advice_outcome, decision_positive):
        return
    if not deviation_reason.strip():
        raise RuleViolation(
            "deviation_without_reason",
            _(
                "The decision deviates from UWV's advice. That is only allowed if the advice "
                "was not prepared with due care. Record the reason."
            ),
        )


def must_accept_place(benefit_kind: BenefitKind, decision_positive: bool) -> bool:
    """§3.4: a Participatiewet benefit recipient with a positive decision must accept a
    sheltered place; a refusal (to be recorded) may lead to a benefit reduction."""
    return decision_positive and benefit_kind == BenefitKind.PARTICIPATIEWET


#: §3.3: the outcomes of an objection that end it with a decision of the college.
DECIDED_OBJECTION_OUTCOMES = frozenset({"granted", "dismissed", "inadmissible"})


def appeal_possible(objection_outcome: str) -> bool:
    """§3.3: against the college's decision on an objection the person can appeal (*beroep*)
    to the administrative court (Awb art. 8:1, 7:1): once the objection is decided, not while
    it is pending or after it was withdrawn."""
    return objection_outcome in DECIDED_OBJECTION_OUTCOMES


# ---------------------------------------------------------------------------------------
# §4 Places, quota and the waiting list
# ---------------------------------------------------------------------------------------

HOURS_PER_PLACE = Decimal(31)
#: §6.1: the law sets no minimum or maximum size of the contract and the municipality cannot
#: either (Kennisdocument vraag 15, "Omvang van het contract"). The only bound is a sanity
#: bound: the most the Arbeidstijdenwet allows in a single week (art. 5:7 lid 1, 60 hours).
MAX_HOURS_PER_WEEK = Decimal(60)
MINIMUM_QUOTA = Decimal(1)
#: Far more than the whole country has (§4.1: 16,200 places in 2030, at least 30,300 from
#: 2048): a larger quota is a typing error, refused before it reaches the database.
MAXIMUM_QUOTA = Decimal(100_000)
CENT = Decimal("0.01")

PARTICIPATIEWET_GROUP: frozenset[BenefitKind] = frozenset(
    {BenefitKind.PARTICIPATIEWET, BenefitKind.SURVIVOR, BenefitKind.NONE}
)
UWV_BENEFITS: frozenset[BenefitKind] = frozenset(
    {BenefitKind.WAJONG, BenefitKind.WIA_WAO, BenefitKind.WW}
)


def check_quota(quota_places: Decimal) -> None:
    """§4.1: every municipality has a quota of at least 1 place; more than
    ``MAXIMUM_QUOTA`` is a typing error."""
    if quota_places < MINIMUM_QUOTA:
        raise RuleViolation(
            "quota_below_minimum",
            _("Every municipality's quota is at least 1 place."),
        )
    if quota_places > MAXIMUM_QUOTA:
        raise RuleViolation(
            "quota_too_large",
            _("A quota is at most %(max)s places. Check the number."),
            max=int(MAXIMUM_QUOTA),
        )


def places(hours_per_week: Decimal, hours_per_place: Decimal = HOURS_PER_PLACE) -> Decimal:
    """§4.2: a place is 31 hours a week; a job of h hours counts h/31 places, rounded half up
    to 2 decimals (25 h → 0.81), for showing one job. Hours must be more than 0 and at most
    ``MAX_HOURS_PER_WEEK`` (60, the Arbeidstijdenwet's weekly maximum) a week. Never add these
    up: ``realised_places`` divides the summed hours once."""
    if hours_per_week <= 0 or hours_per_week > MAX_HOURS_PER_WEEK:
        raise RuleViolation(
            "hours_out_of_range",
            _("The number of hours per week must be more than 0 and at most %(max)s."),
            max=MAX_HOURS_PER_WEEK,
        )
    if hours_per_place <= 0:
        raise ValueError("hours_per_place must be positive")
    return (Decimal(hours_per_week) / Decimal(hours_per_place)).quantize(CENT, ROUND_HALF_UP)


def realised_places(total_hours: Decimal, hours_per_place: Decimal = HOURS_PER_PLACE) -> Decimal:
    """§4.2: the places of several jobs: their hours summed, divided by 31 once, *not*
    rounded (three jobs of 25 h are 75/31 = 2.4193… places, not 3 × 0.81 = 2.43). Round only
    to show it."""
    if hours_per_place <= 0:
        raise ValueError("hours_per_place must be positive")
    return Decimal(total_hours) / Decimal(hours_per_place)


@dataclass(frozen=True)
class Candidate:
    """§4: a person with a positive decision waiting for a place.

    ``positive_advice_on`` is the date of UWV's advice (not of the decision, nor of an
    objection's outcome); ``council_position`` the position the municipality gave them under
    its own order (None: none given)."""

    case_id: int
    positive_advice_on: date
    applied_on: date
    priority: bool
    available: bool
    council_position: int | None = None


@dataclass(frozen=True)
class Placement:
    """§4: a candidate's turn (1-based ``position``) and ``category``."""

    candidate: Candidate
    position: int
    category: Category


_LAST = date.max


def _ordering_key(rule: OrderingRule) -> Callable[[Candidate], tuple[Any, ...]]:
    # Ties, for every rule: the other date (advice or application), then the case number.
    if rule == OrderingRule.POSITIVE_ADVICE_DATE:
        return lambda c: (c.positive_advice_on, c.applied_on, c.case_id)
    if rule == OrderingRule.APPLICATION_DATE:
        return lambda c: (c.applied_on, c.positive_advice_on, c.case_id)
    if rule == OrderingRule.PRIORITY_THEN_ADVICE_DATE:
        return lambda c: (not c.priority, c.positive_advice_on, c.applied_on, c.case_id)
    if rule == OrderingRule.COUNCIL_ORDER:
        return lambda c: (
            c.council_position is None,
            c.council_position or 0,
            c.positive_advice_on,
            c.applied_on,
            c.case_id,
        )
    raise ValueError(f"unknown ordering rule: {rule!r}")


def order_candidates(candidates: Iterable[Candidate], rule: OrderingRule) -> list[Candidate]:
    """§4.5: the verordening's order, each rule by exactly what it names:

    - date of the positive advice (UWV's advice date), then date of application;
    - date of application, then date of the advice;
    - priority groups first, then date of the advice, then date of application;
    - the council's own order: the positions the municipality gave, lowest first; people
      without one after them, by date of the advice, then date of application.

    Remaining ties: the lowest case number (``case_id``) first. ``ordering_explanation``
    says the same in words."""
    return sorted(candidates, key=_ordering_key(rule))


_ORDERING_EXPLANATIONS: Mapping[OrderingRule, Promise] = MappingProxyType(
    {
        OrderingRule.POSITIVE_ADVICE_DATE: _(
            "The person whose positive advice from UWV is oldest comes first. With the same "
            "advice date, the person who applied first comes first."
        ),
        OrderingRule.APPLICATION_DATE: _(
            "The person who applied first comes first. With the same application date, the "
            "person whose positive advice is oldest comes first."
        ),
        OrderingRule.PRIORITY_THEN_ADVICE_DATE: _(
            "People in a priority group (such as school leavers) come first. Then the person "
            "whose positive advice is oldest. With the same advice date, the person who "
            "applied first comes first."
        ),
        OrderingRule.COUNCIL_ORDER: _(
            "The municipality sets the order itself: the lowest position comes first. People "
            "without a position come after them, the oldest positive advice first. With the "
            "same advice date, the person who applied first comes first."
        ),
    }
)
TIE_EXPLANATION = _("If that is still the same, the lowest case number comes first.")


def ordering_explanation(rule: OrderingRule) -> Promise:
    """§4.5: ``order_candidates``' rule in plain words (B1), for the waiting list."""
    return _ORDERING_EXPLANATIONS[OrderingRule(rule)]


#: Every municipality has a quota of at least one place (Kennisdocument vraag 9): what counts
#: while none has been entered for a year or any year before it.
MIN_QUOTA_PLACES = Decimal(1)


def quota_reached(quota_places: Decimal, taken_places: Decimal) -> bool:
    """§4.3, §4.6: whether the places taken (exact) reach the quota. Until then everyone with
    a positive decision must be placed; only then do additional places and the waiting list
    come in."""
    return Decimal(taken_places) >= Decimal(quota_places)


def free_obliged_slots(quota_places: Decimal, realised_places: Decimal) -> int:
    """§4.3: the places missing to the quota, rounded up (a person's job's hours are not known
    before it starts, so each counts as one place). 0 once the quota is reached. While it is
    not, *everyone* with a positive decision is obliged, however many they are
    (``categorise``)."""
    return max(0, math.ceil(Decimal(quota_places) - Decimal(realised_places)))


def free_additional_slots(
    quota_places: Decimal, additional_places: int, realised_places: Decimal
) -> int:
    """§4.5: how many more persons can get an additional place: the places missing to quota
    plus additional places, rounded up, less the obliged slots. Additional places already in
    use (places realised beyond the quota) are counted: with a quota of 2, 1 additional
    place and 2.42 places realised, 1 person can still get one; with 3.00 realised, nobody."""
    if additional_places < 0:
        raise ValueError("additional_places must not be negative")
    total = max(0, math.ceil(Decimal(quota_places) + additional_places - Decimal(realised_places)))
    return max(0, total - free_obliged_slots(quota_places, realised_places))


def categorise(
    candidates: Iterable[Candidate],
    rule: OrderingRule,
    quota_places: Decimal,
    realised_places: Decimal,
    additional_places: int,
) -> list[Placement]:
    """§4.3–§4.6: who is obliged, on an additional place, or on the waiting list.

    1. All candidates are ordered by ``rule`` (``order_candidates``); ``position`` is 1-based.
    2. An unavailable candidate (§4.4) keeps their position, so they do not lose their turn,
       but is UNAVAILABLE and takes no slot.
    3. Until the quota is reached (``quota_reached``) every available candidate is OBLIGED:
       the municipality must place them all, in no order (§4.3), whatever their benefit.
    4. Once it is reached, the available ones, in order, fill the ``free_additional_slots``
       left of the verordening's ``additional_places`` as ADDITIONAL (§4.5), and the rest are
       WAITING (§4.6).
    """
    reached = quota_reached(quota_places, realised_places)
    additional_left = free_additional_slots(quota_places, additional_places, realised_places)
    result: list[Placement] = []
    for position, candidate in enumerate(order_candidates(candidates, rule), start=1):
        if not candidate.available:
            category = Category.UNAVAILABLE
        elif not reached:
            category = Category.OBLIGED
        elif additional_left > 0:
            additional_left -= 1
            category = Category.ADDITIONAL
        else:
            category = Category.WAITING
        result.append(Placement(candidate, position, category))
    return result


def place_left(quota_places: Decimal, additional_places: int, committed_places: Decimal) -> bool:
    """§4.3, §4.5: whether a job can still be added: the places taken (``committed_places``,
    exact) are fewer than the quota plus the verordening's additional places."""
    return Decimal(committed_places) < Decimal(quota_places) + additional_places


def check_placement_turn(
    *,
    quota_places: Decimal,
    committed_places: Decimal,
    in_turn: bool,
    out_of_turn_reason: str,
) -> bool:
    """§4.3 and §4.5: whether a person may be placed now, where ``place_left`` said a place
    is left; True if the placement goes out of the verordening's order (the caller records
    why, and who was passed over).

    - A place within the quota: anyone with a positive decision, in no order (§4.3).
    - An additional place: the person whose turn it is under the verordening (``in_turn``);
      anyone else only with a recorded reason (only whitespace is no reason).
    """
    if free_obliged_slots(quota_places, committed_places) > 0 or in_turn:
        return False
    if not out_of_turn_reason.strip():
        raise RuleViolation(
            "out_of_turn_without_reason",
            _(
                "The quota is reached: this would be an additional place, and it is not this "
                "person's turn under the verordening. Record why you place this person before "
                "the others."
            ),
        )
    return True


def waiting_list_responsibility(
    benefit_kind: BenefitKind,
    quota_reached: bool,
    additional_places_offered: bool,
    uwv_agreement: bool = False,
) -> Responsible:
    """§4.6: who is responsible for a person waiting for a place.

    - Participatiewet group (Participatiewet, survivor's benefit, no benefit): the
      municipality.
    - UWV benefit (Wajong, WIA/WAO, WW), quota reached and no additional place to be had: UWV,
      unless municipality and UWV agreed otherwise (Pw art. 7(7)).
    - UWV benefit while the quota is not reached (no *suitable* place yet): the municipality.

    ``additional_places_offered`` means an additional place is still open to the person (the
    verordening offers them and they are not all taken); pass False for someone on the
    waiting list.
    """
    if benefit_kind in PARTICIPATIEWET_GROUP:
        return Responsible.MUNICIPALITY
    if benefit_kind not in UWV_BENEFITS:
        raise ValueError(f"unknown benefit kind: {benefit_kind!r}")
    if quota_reached and not additional_places_offered and not uwv_agreement:
        return Responsible.UWV
    return Responsible.MUNICIPALITY


# ---------------------------------------------------------------------------------------
# §6 The employment
# ---------------------------------------------------------------------------------------

FLAT_RATE_PCT_OF_WML = Decimal(68)
#: §6.3: the first year the flat rate may apply. It needs a change in the law, "beoogd in
#: 2027" (Verbeteragenda maatregel 1, "Ingangsdatum wetswijziging"); until then the wage
#: subsidy is the gap between wage value and WML, at most 70% (Kennisdocument vraag 11, 15).
FLAT_RATE_FROM_YEAR = 2027
CAP_PCT_OF_WML = Decimal(70)
HUNDRED = Decimal(100)
#: §6.1: weeks in a month, to turn a weekly wage into a monthly one (52 weeks / 12 months).
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
#: §6.1: the minimum youth wage as a percentage of the adult minimum wage, by age (WML art. 9
#: and its Besluit, since 1 July 2019); 21 and older: 100%.
YOUTH_WML_PCT: Mapping[int, Decimal] = MappingProxyType(
    {
        15: Decimal("30"),
        16: Decimal("34.5"),
        17: Decimal("39.5"),
        18: Decimal("50"),
        19: Decimal("60"),
        20: Decimal("80"),
    }
)
ADULT_WML_AGE = 21
#: §6.3: the wage value is measured again every this many months after the start.
WAGE_VALUE_MEASUREMENT_MONTHS = 12


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on ``on`` (someone born on 29 February is a year older on
    28 February)."""
    years = on.year - birth_date.year
    return years if on >= add_months(birth_date, years * 12) else years - 1


def minimum_wage_hourly(adult_hourly: Decimal, age: int) -> Decimal:
    """§6.1: the statutory minimum wage per hour for someone of ``age``: the adult amount
    from 21 on, the youth percentage below (rounded half up to cents, as the published
    amounts are)."""
    if adult_hourly <= 0:
        raise ValueError("adult_hourly must be positive")
    if age >= ADULT_WML_AGE:
        return adult_hourly
    pct = YOUTH_WML_PCT.get(age, YOUTH_WML_PCT[min(YOUTH_WML_PCT)])
    return (adult_hourly * pct / HUNDRED).quantize(CENT, ROUND_HALF_UP)


def monthly_for_hours(hourly: Decimal, hours_per_week: Decimal) -> Decimal:
    """§6.1: a wage per hour as a wage per month for ``hours_per_week``: hourly × hours × 52/12,
    rounded half up to cents. The minimum wage has been an amount per hour since 1 January
    2024 (WML art. 8), the same whether the full-time week is 36, 38 or 40 hours."""
    if hours_per_week <= 0:
        raise ValueError("hours_per_week must be positive")
    return (hourly * hours_per_week * WEEKS_PER_MONTH).quantize(CENT, ROUND_HALF_UP)


def minimum_wage_outdated(in_force_from: date, on: date) -> bool:
    """§6.1: the minimum wage changes each 1 January and 1 July. True if an amount in force
    from ``in_force_from`` is older than the last change date on or before ``on``: the new
    amount has not been entered yet."""
    last_change = date(on.year, 7, 1) if on.month >= 7 else date(on.year, 1, 1)
    return in_force_from < last_change


class FundingBasis(StrEnum):
    """§6.3: on what ground the funding was computed."""

    WAGE_DISPENSATION = "wage_dispensation"
    FLAT_RATE = "flat_rate"
    WAGE_VALUE_GAP = "wage_value_gap"
    WAGE_VALUE_GAP_CAPPED = "wage_value_gap_capped"


@dataclass(frozen=True)
class Funding:
    """§6.3: the instrument and, for a wage subsidy, how it was computed: the minimum wage per
    month for the job's hours, the percentage of it paid, and the subsidy per month and per
    year (12 months)."""

    kind: FundingKind
    max_monthly_subsidy: Decimal | None
    basis: str
    wml_monthly: Decimal | None = None
    pct_of_wml: Decimal | None = None

    @property
    def max_yearly_subsidy(self) -> Decimal | None:
        return None if self.max_monthly_subsidy is None else self.max_monthly_subsidy * 12


def check_flat_rate_year(year: int) -> None:
    """§6.3: the flat rate of 68% of WML can be chosen only for a year from
    ``FLAT_RATE_FROM_YEAR``, when the change in the law is intended to apply."""
    if year < FLAT_RATE_FROM_YEAR:
        raise RuleViolation(
            "flat_rate_before_law",
            _(
                "The flat rate of 68%% of the minimum wage needs a change in the law, planned "
                "from %(year)s. Choose it for %(year)s or a later year."
            ),
            year=FLAT_RATE_FROM_YEAR,
        )


def funding(
    benefit_kind: BenefitKind,
    wml_monthly: Decimal,
    wage_value_pct: Decimal | None,
    flat_rate: bool,
    wajong_wage_subsidy: bool = False,
) -> Funding:
    """§6.3: Wajong: wage dispensation via UWV, no municipal subsidy, unless the municipality
    and the employer chose a wage subsidy instead (``wajong_wage_subsidy``). Otherwise a wage
    subsidy paid by the municipality on the minimum wage for the job's hours
    (``wml_monthly``, see ``monthly_for_hours``): the flat rate of 68% of it where the
    municipality applies it for the year (no wage-value measurement), or the gap between wage
    value and minimum wage, (100 - wage value)% of it, capped at 70%. Rounded half up to
    cents."""
    if wml_monthly <= 0:
        raise ValueError("wml_monthly must be positive")
    if benefit_kind == BenefitKind.WAJONG and not wajong_wage_subsidy:
        return Funding(FundingKind.WAGE_DISPENSATION, None, FundingBasis.WAGE_DISPENSATION)
    if flat_rate:
        pct, basis = FLAT_RATE_PCT_OF_WML, FundingBasis.FLAT_RATE
    else:
        if wage_value_pct is None:
            raise ValueError("wage_value_pct is required without the flat rate")
        if not 0 <= wage_value_pct <= HUNDRED:
            raise ValueError("wage_value_pct must lie between 0 and 100")
        pct, basis = HUNDRED - wage_value_pct, FundingBasis.WAGE_VALUE_GAP
        if pct > CAP_PCT_OF_WML:
            pct, basis = CAP_PCT_OF_WML, FundingBasis.WAGE_VALUE_GAP_CAPPED
    amount = (wml_monthly * pct / HUNDRED).quantize(CENT, ROUND_HALF_UP)
    return Funding(FundingKind.WAGE_SUBSIDY, amount, basis, wml_monthly, pct)


def next_wage_value_measurement(start_on: date, today: date) -> date:
    """§6.3: the wage value is measured again every year after the job started: the first
    such date after ``today`` (the first one after the start for a job yet to start)."""
    step = 1
    while (due := add_months(start_on, step * WAGE_VALUE_MEASUREMENT_MONTHS)) <= today:
        step += 1
    return due


def check_minimum_wage(
    wage: Decimal,
    per_hour: bool,
    hours_per_week: Decimal,
    wml_hourly: Decimal,
    funding_kind: FundingKind,
) -> None:
    """§6.1: the employment pays at least the minimum wage for its hours, except Wajong with
    wage dispensation. ``wage`` is gross per hour (``per_hour``) or per month; ``wml_hourly``
    the minimum wage per hour that applies to the person on the start date."""
    if funding_kind == FundingKind.WAGE_DISPENSATION:
        return
    wml_monthly = monthly_for_hours(wml_hourly, hours_per_week)
    if wage < (wml_hourly if per_hour else wml_monthly):
        raise RuleViolation(
            "below_minimum_wage",
            _(
                "The wage is below the minimum wage. Sheltered work pays at least the minimum "
                "wage: %(wml_hourly)s per hour, %(wml_monthly)s per month for %(hours)s hours "
                "a week."
            ),
            wml_hourly=wml_hourly,
            wml_monthly=wml_monthly,
            hours=hours_per_week,
        )


def after_employment_end(
    advice_positive_in_force: bool, to_jobs_agreement: bool = False
) -> CaseState:
    """§6.4: when the employment ends the advice still stands, so the municipality must offer
    a new place; without a positive advice in force the case closes. §6.6: someone who leaves
    for a job under the jobs agreement is followed there (they may fall back)."""
    if to_jobs_agreement:
        return CaseState.JOBS_AGREEMENT
    return CaseState.AWAITING_PLACEMENT if advice_positive_in_force else CaseState.CLOSED


MunicipalityId = TypeVar("MunicipalityId")


def responsible_after_move(
    employment_continues: bool,
    old_municipality_id: MunicipalityId,
    new_municipality_id: MunicipalityId,
) -> tuple[MunicipalityId, MunicipalityId | None]:
    """§6.5: returns (paying municipality, municipality that must realise a new place).

    If the person keeps working, the original municipality keeps paying and no new place is
    needed. If the employment ends, the new municipality must realise a new place (within its
    quota) and is the one that will pay for it.
    """
    if employment_continues:
        return old_municipality_id, None
    return new_municipality_id, new_municipality_id


def advice_revives(revival_setting: bool, planned_switch: bool) -> bool:
    """§6.6: falling back from a jobs-agreement job, the positive advice revives only if the
    verordening turns revival on *and* the switch was planned; otherwise a new advice is
    needed."""
    return revival_setting and planned_switch


def after_fallback(
    revival_setting: bool, planned_switch: bool, advice_positive_in_force: bool
) -> CaseState:
    """§6.6: a person falls back from a jobs-agreement job. If the positive advice revives
    (``advice_revives``) they are a candidate for a place again without a new advice;
    otherwise this case closes and a new advice is needed (the college can request one)."""
    if advice_positive_in_force and advice_revives(revival_setting, planned_switch):
        return CaseState.AWAITING_PLACEMENT
    return CaseState.CLOSED


#: §2.6: months after the start of a job at which the advice is looked at again, unless the
#: verordening sets another number (0: no review date). The portal's default, not law.
ADVICE_REVIEW_MONTHS = 24


def advice_review_date(job_start_on: date, months: int) -> date | None:
    """§2.6: the municipality follows the development of a person in work and may ask UWV for
    a new advice: the day to look at it again, ``months`` after the job started (None if the
    verordening sets no review). A key date for the consultant, not a statutory term: no Atw
    extension."""
    if months < 0:
        raise ValueError("months must not be negative")
    return add_months(job_start_on, months) if months else None


# -- support provisions (§5, §6.3) ---------------------------------------------------------


def provision_payer(benefit_kind: BenefitKind, funding_kind: FundingKind | None) -> Responsible:
    """§6.3: UWV supplies the provisions (such as job coaching) of a Wajong recipient, unless
    the municipality pays a wage subsidy for them; then the municipality supplies them too
    (Kennisdocument vraag 7 and 15). Everyone else's: the municipality. The default the
    consultant sees; they record who actually pays."""
    if benefit_kind == BenefitKind.WAJONG and funding_kind != FundingKind.WAGE_SUBSIDY:
        return Responsible.UWV
    return Responsible.MUNICIPALITY


def check_provision(
    *,
    kind: ProvisionKind,
    offered_kinds: Iterable[str],
    payer: Responsible,
    starts_on: date,
    ends_on: date | None,
    monthly_cost: Decimal | None,
) -> None:
    """§5, §6.3: a provision the municipality pays must be one its verordening offers (the
    version in force on the day it starts); one UWV supplies is UWV's (§6.3). It ends on or
    after its start; a cost per month, where known, is not negative."""
    if ends_on is not None and ends_on < starts_on:
        raise RuleViolation(
            "provision_end_before_start", _("The end date cannot be before the start date.")
        )
    if monthly_cost is not None and monthly_cost < 0:
        raise RuleViolation("provision_cost_negative", _("The cost per month cannot be negative."))
    if payer == Responsible.MUNICIPALITY and kind not in set(offered_kinds):
        raise RuleViolation(
            "provision_not_offered",
            _(
                "The verordening in force on %(date)s does not offer “%(kind)s”. Choose a "
                "provision it offers."
            ),
            date=starts_on.strftime("%d-%m-%Y"),
            kind=ProvisionKind(kind).label,
        )


# -- fixed-term contracts (§6.1) -----------------------------------------------------------

#: §6.1: the consultant hears this many months before a fixed-term contract ends, in time to
#: arrange its continuation or a new place. The portal's choice, not law.
CONTRACT_SIGNAL_MONTHS = 2


def check_fixed_term(contract_kind: ContractKind, start_on: date, ends_on: date | None) -> None:
    """§6.1: a fixed-term contract has its last day, on or after the start; an indefinite one
    has none."""
    if contract_kind == ContractKind.FIXED:
        if ends_on is None:
            raise RuleViolation(
                "contract_end_required", _("Enter the last day of the fixed-term contract.")
            )
        if ends_on < start_on:
            raise RuleViolation(
                "contract_end_before_start",
                _("The contract cannot end before the job starts."),
            )
    elif ends_on is not None:
        raise RuleViolation(
            "contract_end_not_fixed", _("Only a fixed-term contract has an end date.")
        )


def contract_end_signal_date(contract_ends_on: date, extra_days: Iterable[date] = ()) -> date:
    """§6.1: the day the consultant is told that a fixed-term contract ends:
    ``CONTRACT_SIGNAL_MONTHS`` before its last day. A key date, not a statutory term: falling
    on a Saturday, Sunday or general holiday (§0, with the decree days ``extra_days``) it
    comes on the working day before, so never later than two months ahead."""
    signal_on = add_months(contract_ends_on, -CONTRACT_SIGNAL_MONTHS)
    extra = frozenset(extra_days)
    while is_non_working_day(signal_on, extra):
        signal_on -= timedelta(days=1)
    return signal_on


def check_contract_outcome(
    outcome: ContractOutcome, contract_ends_on: date, new_end_on: date | None
) -> None:
    """§6.1: a fixed-term contract continues with a later last day or for an indefinite term,
    or is not continued (the person then needs a new place, §6.4)."""
    if outcome == ContractOutcome.CONTINUED_FIXED:
        if new_end_on is None:
            raise RuleViolation(
                "contract_end_required", _("Enter the new last day of the contract.")
            )
        if new_end_on <= contract_ends_on:
            raise RuleViolation(
                "contract_end_not_later",
                _("The new last day must be after the current one (%(date)s)."),
                date=contract_ends_on.strftime("%d-%m-%Y"),
            )


def no_risk_policy_applies(advice_outcome: AdviceOutcome | None, employed: bool) -> bool:
    """§6.1: the *no-riskpolis* (Ziektewet art. 29b): when an employee with a positive advice
    beschut werk falls ill, UWV pays the employer sick pay (Ziektewet benefit). Employers and
    the person are told where it applies: a job of someone with a positive advice."""
    return employed and advice_outcome == AdviceOutcome.POSITIVE


def decision_next_state(positive: bool, person_works: bool) -> CaseState:
    """§3.1, §2.6: where a case goes with its decision. Positive: the person waits for a place,
    unless they already work in sheltered work on an earlier case of their file (a new advice
    on a person in work): that case carries the job on and this one closes. Negative:
    rejected (open to objection)."""
    if not positive:
        return CaseState.REJECTED
    return CaseState.CLOSED if person_works else CaseState.AWAITING_PLACEMENT


def earlier_case_after_new_decision(state: CaseState) -> CaseState | None:
    """§2.6: a decision on a newer advice replaces the earlier decision of the person's file.
    An earlier case still waiting for a place or followed in a jobs-agreement job closes (the
    new case carries the file on); a case with a running job stays (the job goes on, and the
    new advice counts when it ends, §6.4). None: the case stays as it is."""
    if state in (CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE, CaseState.JOBS_AGREEMENT):
        return CaseState.CLOSED
    return None


# ---------------------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------------------

S = CaseState
TRANSITIONS: Mapping[CaseState, frozenset[CaseState]] = MappingProxyType(
    {
        S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
        S.SUBMITTED: frozenset({S.WITH_UWV, S.ADVICE_ISSUED, S.WITHDRAWN}),
        S.WITH_UWV: frozenset({S.ADVICE_ISSUED, S.WITHDRAWN}),
        # An objection can follow a deemed refusal (§3.1); a positive decision on a person who
        # already works closes the new case (``decision_next_state``).
        S.ADVICE_ISSUED: frozenset({S.AWAITING_PLACEMENT, S.REJECTED, S.OBJECTION, S.CLOSED}),
        S.REJECTED: frozenset({S.OBJECTION}),
        S.OBJECTION: frozenset({S.REJECTED, S.AWAITING_PLACEMENT, S.CLOSED}),
        S.AWAITING_PLACEMENT: frozenset({S.UNAVAILABLE, S.EMPLOYED, S.CLOSED, S.WITHDRAWN}),
        S.UNAVAILABLE: frozenset({S.AWAITING_PLACEMENT, S.CLOSED}),
        S.EMPLOYED: frozenset({S.AWAITING_PLACEMENT, S.CLOSED, S.JOBS_AGREEMENT}),
        S.JOBS_AGREEMENT: frozenset({S.AWAITING_PLACEMENT, S.CLOSED}),
        S.WITHDRAWN: frozenset(),
        S.CLOSED: frozenset(),
    }
)
del S


def can_transition(src: CaseState, dst: CaseState) -> bool:
    """Whether a case may move from ``src`` to ``dst`` (the one table: ``TRANSITIONS``)."""
    return dst in TRANSITIONS.get(src, frozenset())


def check_transition(src: CaseState, dst: CaseState) -> None:
    """Raise ``RuleViolation`` unless a case may move from ``src`` to ``dst``."""
    if not can_transition(src, dst):
        raise RuleViolation(
            "transition_not_allowed",
            _("A case cannot go from '%(src)s' to '%(dst)s'."),
            src=CaseState(src).label,
            dst=CaseState(dst).label,
        )


class CaseAction(StrEnum):
    """What municipal staff can do to a case, in the order the case page offers it. The value
    names the action's page (``work:case_<value>``) and prefixes its form's fields."""

    DECIDE = "decide"
    PLACE = "place"
    REFUSE_PLACE = "refuse_place"
    END_EMPLOYMENT = "end_employment"
    CANCEL_EMPLOYMENT = "cancel_employment"
    CONTRACT = "contract"
    FALL_BACK = "fall_back"
    MARK_UNAVAILABLE = "unavailable"
    MARK_AVAILABLE = "available"
    FILE_OBJECTION = "object"
    DECIDE_OBJECTION = "decide_objection"
    FILE_APPEAL = "appeal"
    DECIDE_APPEAL = "decide_appeal"
    PRIORITY = "priority"
    COUNCIL_POSITION = "council_position"
    PROVISION = "provision"
    END_PROVISION = "end_provision"
    REQUEST_ADVICE = "request_advice"
    ASSIGN = "assign"
    MOVE = "move"


#: §6.5: the states in which a move to another municipality can be recorded.
MOVABLE_STATES: frozenset[CaseState] = frozenset(
    {CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE, CaseState.EMPLOYED}
)

A = CaseAction
#: The actions each state allows by itself (besides the objection against a decision or a
#: deemed refusal, which ``allowed_actions`` adds whatever the state). A withdrawn case allows
#: nothing; a closed or rejected one only a new advice for the same person (§2.6: the college
#: may apply at any time, §1.2).
STATE_ACTIONS: Mapping[CaseState, frozenset[CaseAction]] = MappingProxyType(
    {
        CaseState.DRAFT: frozenset({A.ASSIGN}),
        CaseState.SUBMITTED: frozenset({A.ASSIGN}),
        CaseState.WITH_UWV: frozenset({A.ASSIGN}),
        CaseState.ADVICE_ISSUED: frozenset({A.DECIDE, A.ASSIGN}),
        CaseState.REJECTED: frozenset({A.REQUEST_ADVICE, A.ASSIGN}),
        CaseState.OBJECTION: frozenset({A.ASSIGN}),
        CaseState.AWAITING_PLACEMENT: frozenset(
            {
                A.PLACE,
                A.REFUSE_PLACE,
                A.PROVISION,
                A.MARK_UNAVAILABLE,
                A.PRIORITY,
                A.COUNCIL_POSITION,
                A.REQUEST_ADVICE,
                A.ASSIGN,
                A.MOVE,
            }
        ),
        CaseState.UNAVAILABLE: frozenset(
            {
                A.MARK_AVAILABLE,
                A.PROVISION,
                A.PRIORITY,
                A.COUNCIL_POSITION,
                A.REQUEST_ADVICE,
                A.ASSIGN,
                A.MOVE,
            }
        ),
        CaseState.EMPLOYED: frozenset(
            {A.END_EMPLOYMENT, A.PROVISION, A.REQUEST_ADVICE, A.ASSIGN, A.MOVE}
        ),
        CaseState.JOBS_AGREEMENT: frozenset({A.FALL_BACK, A.ASSIGN}),
        CaseState.WITHDRAWN: frozenset(),
        CaseState.CLOSED: frozenset({A.REQUEST_ADVICE}),
    }
)
del A


def allowed_actions(
    state: CaseState,
    *,
    decided: bool,
    objection_pending: bool,
    deemed_refused: bool = False,
    appealable: bool = False,
    appeal_pending: bool = False,
    fixed_term: bool = False,
    open_provision: bool = False,
    job_not_started: bool = False,
) -> tuple[CaseAction, ...]:
    """The actions a case in ``state`` allows, in the order of ``CaseAction``. Against a
    recorded decision, or a deemed refusal (§3.1: the decision term passed without one), an
    objection can be filed (§3.3), or, while one is pending, its outcome recorded. After a
    deemed refusal the college can still decide. After a decided objection without an appeal
    (``appealable``, ``appeal_possible``) an appeal can be recorded, and while one is pending
    the court's judgment. A running fixed-term contract (``fixed_term``) gets its outcome
    (§6.1); a provision still running (``open_provision``) can be ended (§6.3). A job agreed
    but not started yet (``job_not_started``) can be called off: it falls through. The
    services check the same rules when the action is carried out."""
    allowed = set(STATE_ACTIONS[CaseState(state)])
    if appeal_pending:
        allowed.add(CaseAction.DECIDE_APPEAL)
    elif appealable:
        allowed.add(CaseAction.FILE_APPEAL)
    if fixed_term and state == CaseState.EMPLOYED:
        allowed.add(CaseAction.CONTRACT)
    if job_not_started and state == CaseState.EMPLOYED:
        allowed.add(CaseAction.CANCEL_EMPLOYMENT)
    if open_provision:
        allowed.add(CaseAction.END_PROVISION)
    if decided or deemed_refused:
        allowed.add(CaseAction.DECIDE_OBJECTION if objection_pending else CaseAction.FILE_OBJECTION)
    if deemed_refused and not decided and state in (CaseState.ADVICE_ISSUED, CaseState.OBJECTION):
        allowed.add(CaseAction.DECIDE)
    return tuple(action for action in CaseAction if action in allowed)
