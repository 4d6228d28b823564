"""DOMAIN.md §3: the college's decision."""

from datetime import date

import pytest

from cases.choices import AdviceOutcome, BenefitKind, CaseState
from cases.rules import (
    RuleViolation,
    check_decision,
    decision_follows_advice,
    decision_next_state,
    decision_term_end,
    deemed_refusal,
    deemed_refusal_objection_term_end,
    deemed_refusal_on,
    earlier_case_after_new_decision,
    must_accept_place,
    objection_in_time,
    objection_term_end,
)

# --- §3.1 a decision after every advice -------------------------------------------------


def test_s3_1_decision_term_runs_the_verordening_weeks_from_the_advice():
    assert decision_term_end(date(2026, 1, 5), weeks=8) == date(2026, 3, 2)
    assert decision_term_end(date(2026, 1, 5), weeks=2) == date(2026, 1, 19)


def test_s3_1_decision_term_is_extended_past_holidays():
    # 2 weeks from Tuesday 21 April 2026 is Tuesday 5 May.
    assert decision_term_end(date(2026, 4, 21), weeks=2) == date(2026, 5, 6)


def test_s3_1_decision_term_must_be_at_least_a_week():
    with pytest.raises(ValueError):
        decision_term_end(date(2026, 1, 5), weeks=0)


def test_s3_1_not_deciding_in_time_counts_as_a_refusal():
    due = date(2026, 3, 2)
    assert not deemed_refusal(decided=False, decision_due_on=due, today=due)
    assert deemed_refusal(decided=False, decision_due_on=due, today=date(2026, 3, 3))
    assert not deemed_refusal(decided=True, decision_due_on=due, today=date(2026, 3, 3))


# --- §3.2 bound to the advice -----------------------------------------------------------


@pytest.mark.parametrize(
    ("advice", "positive", "follows"),
    [
        (AdviceOutcome.POSITIVE, True, True),
        (AdviceOutcome.NEGATIVE, False, True),
        (AdviceOutcome.POSITIVE, False, False),
        (AdviceOutcome.NEGATIVE, True, False),
    ],
)
def test_s3_2_decision_follows_advice(advice, positive, follows):
    assert decision_follows_advice(advice, positive) is follows


@pytest.mark.parametrize(
    ("advice", "positive"), [(AdviceOutcome.POSITIVE, True), (AdviceOutcome.NEGATIVE, False)]
)
def test_s3_2_decision_following_the_advice_needs_no_reason(advice, positive):
    check_decision(advice, positive, "")


def test_s3_2_decision_following_the_advice_may_still_give_a_reason():
    check_decision(AdviceOutcome.POSITIVE, True, "Conform advies.")


@pytest.mark.parametrize(
    ("advice", "positive"), [(AdviceOutcome.POSITIVE, False), (AdviceOutcome.NEGATIVE, True)]
)
@pytest.mark.parametrize("reason", ["", "   \n\t"])
def test_s3_2_deviation_without_reason_is_refused(advice, positive, reason):
    with pytest.raises(RuleViolation) as excinfo:
        check_decision(advice, positive, reason)
    assert excinfo.value.code == "deviation_without_reason"
    assert str(excinfo.value)


def test_s3_2_deviation_with_a_recorded_reason_is_allowed():
    check_decision(
        AdviceOutcome.NEGATIVE, True, "UWV heeft de gegevens van de school niet meegewogen."
    )


# --- §3.3 objection ---------------------------------------------------------------------


def test_s3_3_objection_term_is_6_weeks_from_sending():
    # Sent Monday 5 January 2026: the term starts on the 6th and its last day is Monday 16 Feb.
    assert objection_term_end(date(2026, 1, 5)) == date(2026, 2, 16)


def test_s3_3_objection_term_is_extended_past_holidays():
    # 6 weeks from Monday 16 November 2026 is Monday 28 December: a working day.
    assert objection_term_end(date(2026, 11, 16)) == date(2026, 12, 28)
    # 6 weeks from Friday 13 November 2026 is Christmas Day → Monday 28 December.
    assert objection_term_end(date(2026, 11, 13)) == date(2026, 12, 28)


def test_s3_3_objection_received_on_the_last_day_is_in_time():
    assert objection_in_time(date(2026, 1, 5), received_on=date(2026, 2, 16))
    assert not objection_in_time(date(2026, 1, 5), received_on=date(2026, 2, 17))


def test_s3_3_objection_posted_in_time_and_received_within_a_week_is_in_time():
    sent = date(2026, 1, 5)
    assert objection_in_time(sent, date(2026, 2, 23), posted_on=date(2026, 2, 16))
    assert not objection_in_time(sent, date(2026, 2, 24), posted_on=date(2026, 2, 16))
    assert not objection_in_time(sent, date(2026, 2, 18), posted_on=date(2026, 2, 17))


# --- §3.4 accepting a place -------------------------------------------------------------


def test_s3_4_participatiewet_recipient_with_positive_decision_must_accept_a_place():
    assert must_accept_place(BenefitKind.PARTICIPATIEWET, decision_positive=True)


@pytest.mark.parametrize("kind", [k for k in BenefitKind if k != BenefitKind.PARTICIPATIEWET])
def test_s3_4_others_are_not_obliged_to_accept(kind):
    assert not must_accept_place(kind, decision_positive=True)


def test_s3_4_no_obligation_without_positive_decision():
    assert not must_accept_place(BenefitKind.PARTICIPATIEWET, decision_positive=False)


# -- §3.1 a deemed refusal and its objection term, across holidays (§0) ----------------------


@pytest.mark.parametrize(
    ("advice_on", "due_on", "refused_from", "objection_until"),
    [
        # 8 weeks from Monday 2 March 2026 end on King's Day (Monday 27 April): Tuesday 28 April.
        (date(2026, 3, 2), date(2026, 4, 28), date(2026, 4, 29), date(2026, 6, 9)),
        # 8 weeks from Friday 6 February 2026 end on Good Friday 3 April; past Easter Monday 6
        # April the term runs to Tuesday 7 April.
        (date(2026, 2, 6), date(2026, 4, 7), date(2026, 4, 8), date(2026, 5, 19)),
        # Ends Thursday 2 April; the objection term's last day would be Ascension Day (14 May).
        (date(2026, 2, 5), date(2026, 4, 2), date(2026, 4, 3), date(2026, 5, 15)),
        # Ends Friday 1 May; 6 weeks later is Friday 12 June: no holiday, no extension.
        (date(2026, 3, 6), date(2026, 5, 1), date(2026, 5, 2), date(2026, 6, 12)),
    ],
)
def test_s3_1_a_deemed_refusal_counts_from_the_day_after_the_term_and_objection_runs_6_weeks(
    advice_on, due_on, refused_from, objection_until
):
    assert decision_term_end(advice_on, weeks=8) == due_on
    assert not deemed_refusal(decided=False, decision_due_on=due_on, today=due_on)
    assert deemed_refusal(decided=False, decision_due_on=due_on, today=refused_from)
    assert deemed_refusal_on(due_on) == refused_from
    assert deemed_refusal_objection_term_end(due_on) == objection_until


def test_s3_1_a_decree_day_after_ascension_moves_the_objection_term_of_a_deemed_refusal():
    # 14 May 2026 is Ascension Day; a decree equating Friday 15 May moves it to Monday 18 May.
    due_on = date(2026, 4, 2)
    assert deemed_refusal_objection_term_end(due_on, extra_days=[date(2026, 5, 15)]) == date(
        2026, 5, 18
    )


@pytest.mark.parametrize(
    ("positive", "works", "expected"),
    [
        (True, False, CaseState.AWAITING_PLACEMENT),
        (True, True, CaseState.CLOSED),
        (False, False, CaseState.REJECTED),
        (False, True, CaseState.REJECTED),
    ],
)
def test_s2_6_where_a_case_goes_with_its_decision(positive, works, expected):
    assert decision_next_state(positive, works) == expected


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (CaseState.AWAITING_PLACEMENT, CaseState.CLOSED),
        (CaseState.UNAVAILABLE, CaseState.CLOSED),
        (CaseState.JOBS_AGREEMENT, CaseState.CLOSED),
        (CaseState.EMPLOYED, None),
        (CaseState.REJECTED, None),
        (CaseState.CLOSED, None),
    ],
)
def test_s2_6_a_decision_on_a_newer_advice_replaces_the_earlier_one(state, expected):
    assert earlier_case_after_new_decision(state) == expected
