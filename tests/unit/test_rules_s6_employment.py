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
    check_minimum_wage,
    funding,
    responsible_after_move,
)

WML = Decimal("2000.00")

# --- §6.1 at least the minimum wage -----------------------------------------------------


def test_s6_1_wage_below_minimum_wage_is_refused():
    with pytest.raises(RuleViolation) as excinfo:
        check_minimum_wage(Decimal("13.99"), Decimal("14.40"), FundingKind.WAGE_SUBSIDY)
    assert excinfo.value.code == "below_minimum_wage"
    assert "%(" not in str(excinfo.value)


def test_s6_1_minimum_wage_is_enough():
    check_minimum_wage(Decimal("14.40"), Decimal("14.40"), FundingKind.WAGE_SUBSIDY)


def test_s6_1_wajong_with_wage_dispensation_may_earn_less():
    check_minimum_wage(Decimal("9.00"), Decimal("14.40"), FundingKind.WAGE_DISPENSATION)


# --- §6.3 wage subsidy or wage dispensation ---------------------------------------------


@pytest.mark.parametrize("flat_rate", [False, True])
def test_s6_3_wajong_gets_wage_dispensation_via_uwv_not_a_municipal_subsidy(flat_rate):
    result = funding(BenefitKind.WAJONG, WML, Decimal(40), flat_rate)
    assert result.kind == FundingKind.WAGE_DISPENSATION
    assert result.max_monthly_subsidy is None
    assert result.basis == FundingBasis.WAGE_DISPENSATION


@pytest.mark.parametrize("kind", [k for k in BenefitKind if k != BenefitKind.WAJONG])
def test_s6_3_flat_rate_is_68_percent_of_wml_without_wage_value(kind):
    result = funding(kind, WML, None, flat_rate=True)
    assert result.kind == FundingKind.WAGE_SUBSIDY
    assert result.max_monthly_subsidy == Decimal("1360.00")
    assert result.basis == FundingBasis.FLAT_RATE


def test_s6_3_wage_subsidy_is_the_gap_between_wage_value_and_wml():
    result = funding(BenefitKind.PARTICIPATIEWET, WML, Decimal(50), flat_rate=False)
    assert result.max_monthly_subsidy == Decimal("1000.00")
    assert result.basis == FundingBasis.WAGE_VALUE_GAP


def test_s6_3_wage_subsidy_of_exactly_70_percent_is_not_capped():
    result = funding(BenefitKind.WW, WML, Decimal(30), flat_rate=False)
    assert result.max_monthly_subsidy == Decimal("1400.00")
    assert result.basis == FundingBasis.WAGE_VALUE_GAP


def test_s6_3_wage_subsidy_is_capped_at_70_percent_of_wml():
    result = funding(BenefitKind.PARTICIPATIEWET, WML, Decimal(20), flat_rate=False)
    assert result.max_monthly_subsidy == Decimal("1400.00")
    assert result.basis == FundingBasis.WAGE_VALUE_GAP_CAPPED


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
