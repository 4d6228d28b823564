"""The case lifecycle: the one table of allowed moves (``rules.TRANSITIONS``)."""

import itertools

import pytest

from cases.choices import CaseState
from cases.rules import (
    MOVABLE_STATES,
    STATE_ACTIONS,
    TRANSITIONS,
    CaseAction,
    RuleViolation,
    allowed_actions,
    can_transition,
    check_transition,
)

S = CaseState
EXPECTED = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.WITH_UWV, S.ADVICE_ISSUED, S.WITHDRAWN},
    S.WITH_UWV: {S.ADVICE_ISSUED, S.WITHDRAWN},
    S.ADVICE_ISSUED: {S.AWAITING_PLACEMENT, S.REJECTED, S.OBJECTION, S.CLOSED},
    S.REJECTED: {S.OBJECTION},
    S.OBJECTION: {S.REJECTED, S.AWAITING_PLACEMENT, S.CLOSED},
    S.AWAITING_PLACEMENT: {S.UNAVAILABLE, S.EMPLOYED, S.CLOSED, S.WITHDRAWN},
    S.UNAVAILABLE: {S.AWAITING_PLACEMENT, S.CLOSED},
    S.EMPLOYED: {S.AWAITING_PLACEMENT, S.CLOSED, S.JOBS_AGREEMENT},
    S.JOBS_AGREEMENT: {S.AWAITING_PLACEMENT, S.CLOSED},
    S.WITHDRAWN: set(),
    S.CLOSED: set(),
}


def test_lifecycle_transition_table_is_exactly_the_agreed_one():
    assert {src: set(dsts) for src, dsts in TRANSITIONS.items()} == EXPECTED


def test_lifecycle_every_state_has_a_row():
    assert set(TRANSITIONS) == set(CaseState)


def test_lifecycle_withdrawn_and_closed_are_final():
    assert not TRANSITIONS[S.WITHDRAWN]
    assert not TRANSITIONS[S.CLOSED]


def test_lifecycle_table_cannot_be_changed_at_runtime():
    with pytest.raises(TypeError):
        TRANSITIONS[S.CLOSED] = frozenset({S.DRAFT})  # type: ignore[index]


@pytest.mark.parametrize(("src", "dst"), list(itertools.product(CaseState, CaseState)))
def test_lifecycle_can_transition_follows_the_table(src, dst):
    assert can_transition(src, dst) is (dst in EXPECTED[src])


def test_lifecycle_s3_3_objection_against_a_rejection_can_still_lead_to_placement():
    assert can_transition(S.REJECTED, S.OBJECTION)
    assert can_transition(S.OBJECTION, S.AWAITING_PLACEMENT)


def test_lifecycle_s4_4_unavailable_returns_to_awaiting_placement():
    assert can_transition(S.UNAVAILABLE, S.AWAITING_PLACEMENT)


def test_lifecycle_s6_4_employment_end_returns_to_awaiting_placement():
    assert can_transition(S.EMPLOYED, S.AWAITING_PLACEMENT)


def test_lifecycle_check_transition_allows_a_listed_move():
    check_transition(S.DRAFT, S.SUBMITTED)


def test_lifecycle_check_transition_refuses_an_unlisted_move():
    with pytest.raises(RuleViolation) as excinfo:
        check_transition(S.CLOSED, S.AWAITING_PLACEMENT)
    assert excinfo.value.code == "transition_not_allowed"
    assert excinfo.value.params == {
        "src": S.CLOSED.label,
        "dst": S.AWAITING_PLACEMENT.label,
    }
    assert "%(" not in str(excinfo.value)


# -- the actions each state allows (next to the transitions) --------------------------------

A = CaseAction


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (S.DRAFT, [A.ASSIGN]),
        (S.WITH_UWV, [A.ASSIGN]),
        (S.ADVICE_ISSUED, [A.DECIDE, A.ASSIGN]),
        (
            S.AWAITING_PLACEMENT,
            [
                A.PLACE,
                A.REFUSE_PLACE,
                A.MARK_UNAVAILABLE,
                A.PRIORITY,
                A.COUNCIL_POSITION,
                A.PROVISION,
                A.REQUEST_ADVICE,
                A.ASSIGN,
                A.MOVE,
            ],
        ),
        (
            S.UNAVAILABLE,
            [
                A.MARK_AVAILABLE,
                A.PRIORITY,
                A.COUNCIL_POSITION,
                A.PROVISION,
                A.REQUEST_ADVICE,
                A.ASSIGN,
                A.MOVE,
            ],
        ),
        (S.EMPLOYED, [A.END_EMPLOYMENT, A.PROVISION, A.REQUEST_ADVICE, A.ASSIGN, A.MOVE]),
        (S.JOBS_AGREEMENT, [A.FALL_BACK, A.ASSIGN]),
        (S.WITHDRAWN, []),
        (S.CLOSED, [A.REQUEST_ADVICE]),
    ],
)
def test_actions_follow_the_state_in_the_order_of_the_page(state, expected):
    assert list(allowed_actions(state, decided=False, objection_pending=False)) == expected


def test_actions_s3_1_a_deemed_refusal_opens_objection_and_the_college_can_still_decide():
    assert allowed_actions(S.ADVICE_ISSUED, decided=False, objection_pending=False) == (
        A.DECIDE,
        A.ASSIGN,
    )
    deemed = allowed_actions(
        S.ADVICE_ISSUED, decided=False, objection_pending=False, deemed_refused=True
    )
    assert deemed == (A.DECIDE, A.FILE_OBJECTION, A.ASSIGN)
    pending = allowed_actions(
        S.OBJECTION, decided=False, objection_pending=True, deemed_refused=True
    )
    assert pending == (A.DECIDE, A.DECIDE_OBJECTION, A.ASSIGN)
    # Once decided, the decision replaces the refusal: no second decision.
    decided = allowed_actions(
        S.OBJECTION, decided=True, objection_pending=True, deemed_refused=True
    )
    assert A.DECIDE not in decided


def test_lifecycle_s6_6_a_jobs_agreement_job_can_end_in_revival_or_closure():
    assert can_transition(S.EMPLOYED, S.JOBS_AGREEMENT)
    assert can_transition(S.JOBS_AGREEMENT, S.AWAITING_PLACEMENT)
    assert can_transition(S.JOBS_AGREEMENT, S.CLOSED)


@pytest.mark.parametrize("state", list(CaseState))
def test_actions_a_decision_allows_an_objection_then_its_outcome_whatever_the_state(state):
    filed = allowed_actions(state, decided=True, objection_pending=False)
    pending = allowed_actions(state, decided=True, objection_pending=True)
    assert A.FILE_OBJECTION in filed and A.DECIDE_OBJECTION not in filed
    assert A.DECIDE_OBJECTION in pending and A.FILE_OBJECTION not in pending


def test_actions_every_state_has_a_row_and_a_move_only_where_6_5_allows_it():
    assert set(STATE_ACTIONS) == set(CaseState)
    assert {s for s, actions in STATE_ACTIONS.items() if A.MOVE in actions} == MOVABLE_STATES


def test_actions_a_state_that_allows_a_transition_to_placement_allows_no_action_that_skips_it():
    # Placing needs a state from which the case can become employed (TRANSITIONS).
    for state, actions in STATE_ACTIONS.items():
        if A.PLACE in actions:
            assert can_transition(state, S.EMPLOYED)
        if A.DECIDE in actions:
            assert can_transition(state, S.AWAITING_PLACEMENT)
            assert can_transition(state, S.REJECTED)
