"""DOMAIN.md §1: applying for an advice (the 12-month rule, age)."""

from datetime import date

import pytest
from django.utils import translation

from cases.choices import ApplicantKind
from cases.rules import (
    AOW_AGES,
    AgeOutcome,
    AowAge,
    TwelveMonthOutcome,
    age_check,
    aow_age,
    aow_reached,
    twelve_month_rule,
    within_twelve_months,
)

LAST_ADVICE = date(2025, 3, 10)

# --- §1.2 once a year for self-applications ---------------------------------------------


@pytest.mark.parametrize("kind", [ApplicantKind.PERSON, ApplicantKind.REPRESENTATIVE])
def test_s1_2_person_applying_within_12_months_without_change_gets_negative_advice(kind):
    assert (
        twelve_month_rule(kind, date(2026, 3, 9), LAST_ADVICE, changed_circumstances=False)
        == TwelveMonthOutcome.NEGATIVE_UNLESS_CHANGED
    )


@pytest.mark.parametrize("kind", [ApplicantKind.PERSON, ApplicantKind.REPRESENTATIVE])
def test_s1_2_changed_circumstances_within_12_months_are_assessed_again(kind):
    assert (
        twelve_month_rule(kind, date(2025, 9, 1), LAST_ADVICE, changed_circumstances=True)
        == TwelveMonthOutcome.ALLOWED_CHANGED
    )


def test_s1_2_twelve_months_after_the_advice_the_person_may_apply_again():
    assert (
        twelve_month_rule(ApplicantKind.PERSON, date(2026, 3, 10), LAST_ADVICE, False)
        == TwelveMonthOutcome.ALLOWED
    )


@pytest.mark.parametrize("changed", [False, True])
def test_s1_2_college_may_apply_at_any_time(changed):
    assert (
        twelve_month_rule(ApplicantKind.MUNICIPALITY, date(2025, 3, 11), LAST_ADVICE, changed)
        == TwelveMonthOutcome.ALLOWED
    )


def test_s1_2_first_application_is_allowed():
    assert (
        twelve_month_rule(ApplicantKind.PERSON, date(2026, 1, 5), None, False)
        == TwelveMonthOutcome.ALLOWED
    )


def test_s1_2_within_twelve_months_boundary():
    assert within_twelve_months(date(2026, 3, 9), LAST_ADVICE)
    assert not within_twelve_months(date(2026, 3, 10), LAST_ADVICE)
    assert not within_twelve_months(date(2026, 3, 9), None)


def test_s1_2_advice_on_29_february_blocks_until_28_february():
    assert within_twelve_months(date(2025, 2, 27), date(2024, 2, 29))
    assert not within_twelve_months(date(2025, 2, 28), date(2024, 2, 29))


# --- §1.3 age ---------------------------------------------------------------------------


def test_s1_3_aow_age_table_is_the_law():
    assert {row.year: (row.years, row.months) for row in AOW_AGES} == {
        2024: (67, 0),
        2025: (67, 0),
        2026: (67, 0),
        2027: (67, 0),
        2028: (67, 3),
        2029: (67, 3),
        2030: (67, 3),
        2031: (67, 3),
    }


def test_s1_3_aow_age_per_year():
    assert aow_age(2026) == (67, 0)
    assert aow_age(2028) == (67, 3)


@pytest.mark.parametrize("year", [2023, 2032])
def test_s1_3_aow_age_outside_the_table_is_a_clear_error(year):
    with pytest.raises(ValueError, match="No AOW age known for"):
        aow_age(year)


def test_s1_3_under_16_may_apply_with_a_notice_about_school_and_availability():
    # 004, "Leeftijdsgrens": applying for an advice has no age limit.
    outcome = age_check(date(2010, 6, 15), date(2026, 6, 14))
    assert outcome == AgeOutcome.UNDER_16
    assert not outcome.blocking
    with translation.override("en"):
        assert "no age limit" in str(outcome.notice)
        assert "available for work" in str(outcome.notice_about_person)


def test_s1_3_16_year_old_may_apply_with_a_school_notice():
    outcome = age_check(date(2010, 6, 15), date(2026, 6, 15))
    assert outcome == AgeOutcome.YOUNG
    assert not outcome.blocking
    assert outcome.notice is not None


def test_s1_3_17_year_old_is_young():
    assert age_check(date(2008, 6, 15), date(2026, 6, 14)) == AgeOutcome.YOUNG


def test_s1_3_from_18_the_age_is_ok():
    outcome = age_check(date(2008, 6, 15), date(2026, 6, 15))
    assert outcome == AgeOutcome.OK
    assert not outcome.blocking
    assert outcome.notice is None


def test_s1_3_aow_age_reached_blocks():
    outcome = age_check(date(1959, 3, 10), date(2026, 3, 10))
    assert outcome == AgeOutcome.AOW_REACHED
    assert outcome.blocking


def test_s1_3_day_before_aow_age_is_ok():
    assert age_check(date(1959, 3, 10), date(2026, 3, 9)) == AgeOutcome.OK


def test_s1_3_aow_age_of_67_and_3_months_from_2028():
    born = date(1961, 1, 15)  # 67 on 15 January 2028, AOW age that year 67y3m
    assert age_check(born, date(2028, 4, 14)) == AgeOutcome.OK
    assert age_check(born, date(2028, 4, 15)) == AgeOutcome.AOW_REACHED


def test_s1_3_aow_age_reached_in_2027_stays_reached_in_2028():
    born = date(1960, 10, 15)  # 67 on 15 October 2027: AOW age reached under the 2027 rule
    assert aow_reached(born, date(2027, 10, 15))
    assert age_check(born, date(2028, 1, 10)) == AgeOutcome.AOW_REACHED


def test_s1_3_long_retired_person_has_reached_aow_age():
    assert age_check(date(1950, 1, 1), date(2026, 1, 5)) == AgeOutcome.AOW_REACHED


def test_s1_3_birthday_on_29_february_counts_on_28_february():
    assert age_check(date(2008, 2, 29), date(2026, 2, 28)) == AgeOutcome.OK
    assert age_check(date(2008, 2, 29), date(2026, 2, 27)) == AgeOutcome.YOUNG


def test_s1_3_on_date_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_check(date(2026, 1, 5), date(2026, 1, 4))


def test_s1_3_the_aow_table_passed_in_is_the_one_applied():
    # The law sets the age five years ahead: an operator adds the row; rules use what is given.
    table = (AowAge(2032, 67, 6),)
    born = date(1965, 3, 1)

    assert age_check(born, date(2032, 6, 1), table) == AgeOutcome.OK
    assert age_check(born, date(2032, 9, 1), table) == AgeOutcome.AOW_REACHED
