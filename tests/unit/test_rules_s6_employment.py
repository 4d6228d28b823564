"""DOMAIN.md §6: the employment."""

from datetime import date
from decimal import Decimal

import pytest

from cases.choices import BenefitKind, CaseState, FundingKind
from cases.rules import (
    FundingBasis,
    RuleViolation,
    advice_review_date,
    advice_revives,
    after_employment_end,
    after_fallback,
    age_on,
    check_minimum_wage,
    funding,
    minimum_wage_hourly,
    minimum_wage_outdated,
    monthly_for_hours,
    next_wage_value_measurement,
    responsible_after_move,
)

WML = Decimal("2000.00")

# --- §6.1 the minimum wage for the job's hours and the person's age ------------------------


def test_s6_1_minimum_wage_per_month_is_hourly_times_hours_times_52_over_12():
    # 14.71 × 25 × 52 / 12 = 1593.583…; a full week of 38 hours: 2422.25
    assert monthly_for_hours(Decimal("14.71"), Decimal(25)) == Decimal("1593.58")
    assert monthly_for_hours(Decimal("14.71"), Decimal(38)) == Decimal("2422.25")
    assert monthly_for_hours(Decimal("14.40"), Decimal(36)) == Decimal("2246.40")


def test_s6_1_fewer_hours_give_a_proportionally_lower_minimum_wage():
    full = monthly_for_hours(Decimal("14.71"), Decimal(31))
    half = monthly_for_hours(Decimal("14.71"), Decimal("15.5"))
    assert abs(full - 2 * half) <= Decimal("0.01")


@pytest.mark.parametrize(
    ("age", "hourly"),
    [
        (21, "14.71"),
        (45, "14.71"),
        (20, "11.77"),
        (19, "8.83"),
        (18, "7.36"),
        (17, "5.81"),
        (16, "5.07"),
    ],
)
def test_s6_1_minimum_youth_wage_is_a_percentage_of_the_adult_amount(age, hourly):
    # the amounts published for 1 January 2026
    assert minimum_wage_hourly(Decimal("14.71"), age) == Decimal(hourly)


def test_s6_1_age_counts_by_calendar():
    assert age_on(date(2008, 3, 1), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 3, 1), date(2026, 3, 1)) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 18


@pytest.mark.parametrize(
    ("in_force_from", "on", "outdated"),
    [
        (date(2026, 1, 1), date(2026, 6, 30), False),
        (date(2026, 1, 1), date(2026, 7, 1), True),
        (date(2025, 7, 1), date(2025, 12, 31), False),
        (date(2025, 7, 1), date(2026, 1, 1), True),
    ],
)
def test_s6_1_an_amount_is_outdated_after_the_next_1_january_or_1_july(in_force_from, on, outdated):
    assert minimum_wage_outdated(in_force_from, on) is outdated


# --- §6.1 at least the minimum wage -----------------------------------------------------


def test_s6_1_wage_below_minimum_wage_is_refused():
    with pytest.raises(RuleViolation) as excinfo:
        check_minimum_wage(
            Decimal("14.39"), True, Decimal(25), Decimal("14.40"), FundingKind.WAGE_SUBSIDY
        )
    assert excinfo.value.code == "below_minimum_wage"
    assert "%(" not in str(excinfo.value)


def test_s6_1_monthly_wage_is_compared_with_the_minimum_wage_for_the_hours():
    # 25 hours at 14.71: 1593.58 a month
    check_minimum_wage(
        Decimal("1593.58"), False, Decimal(25), Decimal("14.71"), FundingKind.WAGE_SUBSIDY
    )
    with pytest.raises(RuleViolation):
        check_minimum_wage(
            Decimal("1593.57"), False, Decimal(25), Decimal("14.71"), FundingKind.WAGE_SUBSIDY
        )


def test_s6_1_minimum_wage_is_enough():
    check_minimum_wage(
        Decimal("14.40"), True, Decimal(25), Decimal("14.40"), FundingKind.WAGE_SUBSIDY
    )


def test_s6_1_wajong_with_wage_dispensation_may_earn_less():
    check_minimum_wage(
        Decimal("9.00"), True, Decimal(25), Decimal("14.40"), FundingKind.WAGE_DISPENSATION
    )


# --- §6.3 wage subsidy or wage dispensation ---------------------------------------------


@pytest.mark.parametrize("flat_rate", [False, True])
def test_s6_3_wajong_gets_wage_dispensation_via_uwv_not_a_municipal_subsidy(flat_rate):
    result = funding(BenefitKind.WAJONG, WML, Decimal(40), flat_rate)
    assert result.kind == FundingKind.WAGE_DISPENSATION
    assert result.max_monthly_subsidy is None
    assert result.basis == FundingBasis.WAGE_DISPENSATION


def test_s6_3_wajong_with_a_wage_subsidy_chosen_instead_gets_the_subsidy():
    result = funding(BenefitKind.WAJONG, WML, Decimal(40), False, wajong_wage_subsidy=True)
    assert result.kind == FundingKind.WAGE_SUBSIDY
    assert result.max_monthly_subsidy == Decimal("1200.00")


@pytest.mark.parametrize("kind", [k for k in BenefitKind if k != BenefitKind.WAJONG])
def test_s6_3_flat_rate_is_68_percent_of_wml_without_wage_value(kind):
    result = funding(kind, WML, None, flat_rate=True)
    assert result.kind == FundingKind.WAGE_SUBSIDY
    assert result.max_monthly_subsidy == Decimal("1360.00")
    assert result.basis == FundingBasis.FLAT_RATE
    assert result.pct_of_wml == Decimal(68)


def test_s6_3_wage_subsidy_is_the_gap_between_wage_value_and_wml():
    result = funding(BenefitKind.PARTICIPATIEWET, WML, Decimal(50), flat_rate=False)
    assert result.max_monthly_subsidy == Decimal("1000.00")
    assert result.max_yearly_subsidy == Decimal("12000.00")
    assert result.basis == FundingBasis.WAGE_VALUE_GAP


def test_s6_3_wage_subsidy_of_exactly_70_percent_is_not_capped():
    result = funding(BenefitKind.WW, WML, Decimal(30), flat_rate=False)
    assert result.max_monthly_subsidy == Decimal("1400.00")
    assert result.basis == FundingBasis.WAGE_VALUE_GAP


def test_s6_3_wage_subsidy_is_capped_at_70_percent_of_wml():
    result = funding(BenefitKind.PARTICIPATIEWET, WML, Decimal(20), flat_rate=False)
    assert result.max_monthly_subsidy == Decimal("1400.00")
    assert result.basis == FundingBasis.WAGE_VALUE_GAP_CAPPED
    assert result.pct_of_wml == Decimal(70)


def test_s6_3_wage_subsidy_is_rounded_half_up_to_cents():
    # 2193.60 * 68% = 1491.648; 2193.65 * 35% = 767.7775
    assert funding(BenefitKind.NONE, Decimal("2193.60"), None, True).max_monthly_subsidy == (
        Decimal("1491.65")
    )
    assert funding(
        BenefitKind.NONE, Decimal("2193.65"), Decimal(65), False
    ).max_monthly_subsidy == Decimal("767.78")


def test_s6_3_wage_value_is_required_without_the_flat_rate():
    with pytest.raises(ValueError):
        funding(BenefitKind.PARTICIPATIEWET, WML, None, flat_rate=False)


@pytest.mark.parametrize("pct", [Decimal(-1), Decimal("100.01")])
def test_s6_3_wage_value_must_be_a_percentage(pct):
    with pytest.raises(ValueError):
        funding(BenefitKind.PARTICIPATIEWET, WML, pct, flat_rate=False)


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2026, 2, 1), date(2027, 3, 1)),  # before the start: a year after it
        (date(2026, 3, 1), date(2027, 3, 1)),
        (date(2027, 2, 28), date(2027, 3, 1)),
        (date(2027, 3, 1), date(2028, 3, 1)),
    ],
)
def test_s6_3_wage_value_is_measured_again_every_year_after_the_start(today, due):
    assert next_wage_value_measurement(date(2026, 3, 1), today) == due


# --- §6.4 employment ends ---------------------------------------------------------------


def test_s6_4_after_employment_ends_the_positive_advice_still_stands():
    assert after_employment_end(advice_positive_in_force=True) == CaseState.AWAITING_PLACEMENT


def test_s6_4_without_a_positive_advice_in_force_the_case_closes():
    assert after_employment_end(advice_positive_in_force=False) == CaseState.CLOSED


# --- §6.5 moving house ------------------------------------------------------------------


def test_s6_5_moving_while_working_the_original_municipality_keeps_paying():
    assert responsible_after_move(True, old_municipality_id=1, new_municipality_id=2) == (1, None)


def test_s6_5_moving_when_employment_ends_the_new_municipality_realises_a_place():
    assert responsible_after_move(False, old_municipality_id=1, new_municipality_id=2) == (2, 2)


# --- §6.6 falling back from a jobs-agreement job ----------------------------------------


@pytest.mark.parametrize(
    ("setting", "planned", "revives"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_s6_6_advice_revives_only_with_the_setting_and_a_planned_switch(setting, planned, revives):
    assert advice_revives(setting, planned) is revives


@pytest.mark.parametrize("positive", [True, False])
def test_s6_6_leaving_for_a_jobs_agreement_job_is_followed_whatever_the_advice(positive):
    assert after_employment_end(positive, to_jobs_agreement=True) == CaseState.JOBS_AGREEMENT


@pytest.mark.parametrize(
    ("setting", "planned", "positive", "expected"),
    [
        (True, True, True, CaseState.AWAITING_PLACEMENT),
        (False, True, True, CaseState.CLOSED),
        (True, False, True, CaseState.CLOSED),
        (True, True, False, CaseState.CLOSED),  # the advice in force is no longer positive
    ],
)
def test_s6_6_after_a_fallback_a_candidate_again_or_a_new_advice_is_needed(
    setting, planned, positive, expected
):
    assert after_fallback(setting, planned, positive) == expected


def test_s2_6_the_review_date_of_a_person_in_work_counts_calendar_months():
    assert advice_review_date(date(2026, 1, 31), 24) == date(2028, 1, 31)
    assert advice_review_date(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert advice_review_date(date(2026, 1, 5), 0) is None
    with pytest.raises(ValueError):
        advice_review_date(date(2026, 1, 5), -1)
