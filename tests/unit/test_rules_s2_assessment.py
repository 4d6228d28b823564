"""DOMAIN.md §2: UWV's assessment."""

import inspect
from datetime import date
from decimal import Decimal

import pytest

from cases.choices import AdviceOutcome
from cases.rules import (
    Suspension,
    WorkCapacity,
    advice_in_force,
    advice_outcome,
    has_work_capacity,
    leaves_jobs_register,
    reminder_due,
    uwv_term_end,
    wsw_shortcut,
)

CAPABLE = WorkCapacity(
    can_perform_task=True,
    basic_employee_skills=True,
    hours_at_a_stretch=Decimal(1),
    hours_per_day=Decimal(4),
)
NOT_CAPABLE = WorkCapacity(True, True, Decimal(1), Decimal("3.5"))

# --- §2.1 the 8-week term ---------------------------------------------------------------


def test_s2_1_uwv_advises_within_8_weeks_of_receipt():
    assert uwv_term_end(date(2026, 1, 5)) == date(2026, 3, 2)


def test_s2_1_waiting_for_information_suspends_the_uwv_term():
    assert uwv_term_end(
        date(2026, 1, 5), [Suspension(date(2026, 1, 12), date(2026, 1, 26))]
    ) == date(2026, 3, 16)


def test_s2_1_reminder_before_the_term_lapses():
    end = date(2026, 3, 2)
    assert not reminder_due(end, date(2026, 2, 24), days_before=5)
    assert reminder_due(end, date(2026, 2, 25), days_before=5)
    assert reminder_due(end, end, days_before=5)
    assert not reminder_due(end, date(2026, 3, 3), days_before=5)


# --- §2.3 work capacity -----------------------------------------------------------------


def test_s2_3_minimum_work_capacity_is_enough():
    assert has_work_capacity(CAPABLE)


@pytest.mark.parametrize(
    "missing",
    [
        {"can_perform_task": False},
        {"basic_employee_skills": False},
        {"hours_at_a_stretch": Decimal("0.99")},
        {"hours_per_day": Decimal("3.99")},
    ],
)
def test_s2_3_each_work_capacity_criterion_is_required(missing):
    fields = {
        "can_perform_task": True,
        "basic_employee_skills": True,
        "hours_at_a_stretch": Decimal(1),
        "hours_per_day": Decimal(4),
    }
    assert not has_work_capacity(WorkCapacity(**(fields | missing)))


# --- §2.2 positive advice ---------------------------------------------------------------


def test_s2_2_work_capacity_and_adaptations_give_positive_advice():
    assert advice_outcome(CAPABLE, True, False) == AdviceOutcome.POSITIVE


def test_s2_2_work_capacity_and_supervision_or_guidance_give_positive_advice():
    assert advice_outcome(CAPABLE, False, True) == AdviceOutcome.POSITIVE


def test_s2_2_work_capacity_without_need_gives_negative_advice():
    assert advice_outcome(CAPABLE, False, False) == AdviceOutcome.NEGATIVE


def test_s2_2_needs_without_work_capacity_give_negative_advice():
    assert advice_outcome(NOT_CAPABLE, True, True) == AdviceOutcome.NEGATIVE


def test_s2_2_wage_value_is_not_a_criterion():
    assert not any("wage" in name for name in inspect.signature(advice_outcome).parameters)


# --- §2.4 Wsw shortcuts -----------------------------------------------------------------


def test_s2_4_valid_wsw_with_supported_employment_gives_negative_without_investigation():
    assert wsw_shortcut(date(2026, 12, 31), True, date(2026, 1, 5), False) == (
        AdviceOutcome.NEGATIVE
    )


def test_s2_4_valid_wsw_without_supported_employment_gives_positive_without_investigation():
    assert wsw_shortcut(date(2026, 12, 31), False, date(2026, 1, 5), False) == (
        AdviceOutcome.POSITIVE
    )


def test_s2_4_wsw_indication_ending_on_the_application_date_is_still_valid():
    assert wsw_shortcut(date(2026, 1, 5), False, date(2026, 1, 5), False) == (
        AdviceOutcome.POSITIVE
    )


def test_s2_4_expired_wsw_indication_means_full_assessment():
    assert wsw_shortcut(date(2026, 1, 4), False, date(2026, 1, 5), False) is None


def test_s2_4_no_wsw_indication_means_full_assessment():
    assert wsw_shortcut(None, False, date(2026, 1, 5), False) is None


@pytest.mark.parametrize("supported", [False, True])
def test_s2_4_changed_circumstances_mean_full_assessment(supported):
    assert wsw_shortcut(date(2026, 12, 31), supported, date(2026, 1, 5), True) is None


# --- §2.5 jobs-agreement register -------------------------------------------------------


def test_s2_5_positive_advice_removes_from_jobs_agreement_register():
    assert leaves_jobs_register(AdviceOutcome.POSITIVE)
    assert not leaves_jobs_register(AdviceOutcome.NEGATIVE)


# --- §2.6 advice in force ---------------------------------------------------------------


def test_s2_6_latest_advice_is_in_force_whatever_the_order_given():
    advices = [
        (date(2026, 3, 1), AdviceOutcome.POSITIVE),
        (date(2024, 3, 1), AdviceOutcome.NEGATIVE),
        (date(2025, 3, 1), AdviceOutcome.NEGATIVE),
    ]
    assert advice_in_force(advices) == AdviceOutcome.POSITIVE
    assert advice_in_force(list(reversed(advices))) == AdviceOutcome.POSITIVE


def test_s2_6_an_old_advice_stays_valid_until_a_new_one():
    assert advice_in_force([(date(2018, 1, 1), AdviceOutcome.POSITIVE)]) == AdviceOutcome.POSITIVE


def test_s2_6_no_advice_means_none_in_force():
    assert advice_in_force([]) is None


def test_s2_6_same_day_advices_the_later_one_listed_wins():
    day = date(2026, 3, 1)
    assert (
        advice_in_force([(day, AdviceOutcome.NEGATIVE), (day, AdviceOutcome.POSITIVE)])
        == AdviceOutcome.POSITIVE
    )


def test_s1_2_a_negative_advice_under_the_once_a_year_rule_says_so_whatever_the_findings():
    from cases.rules import NegativeAdviceReason, negative_advice_reason

    none_recorded = WorkCapacity(False, False, Decimal(0), Decimal(0))
    reason = negative_advice_reason(
        without_investigation=False,
        work_capacity=none_recorded,
        needs_adaptations=False,
        needs_supervision_or_guidance=False,
        once_a_year_rule=True,
    )
    assert reason == NegativeAdviceReason.TWELVE_MONTHS
    without_the_rule = negative_advice_reason(
        without_investigation=False,
        work_capacity=none_recorded,
        needs_adaptations=False,
        needs_supervision_or_guidance=False,
    )
    assert without_the_rule == NegativeAdviceReason.NO_WORK_CAPACITY
