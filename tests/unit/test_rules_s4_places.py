"""DOMAIN.md §4: places, quota and the waiting list."""

import dataclasses
import math
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.choices import BenefitKind, Category, OrderingRule, Responsible
from cases.rules import (
    PARTICIPATIEWET_GROUP,
    TIE_EXPLANATION,
    UWV_BENEFITS,
    Candidate,
    RuleViolation,
    categorise,
    check_placement_turn,
    check_quota,
    free_additional_slots,
    free_obliged_slots,
    order_candidates,
    ordering_explanation,
    place_left,
    placement_signal_date,
    places,
    quota_reached,
    realised_places,
    waiting_list_responsibility,
)


def candidate(case_id, advice, applied=None, priority=False, available=True, council=None):
    return Candidate(
        case_id=case_id,
        positive_advice_on=advice,
        applied_on=applied or advice - timedelta(days=60),
        priority=priority,
        available=available,
        council_position=council,
    )


# --- §4.1 quota -------------------------------------------------------------------------


def test_s4_1_every_municipality_has_a_quota_of_at_least_1():
    check_quota(Decimal(1))
    with pytest.raises(RuleViolation) as excinfo:
        check_quota(Decimal("0.5"))
    assert excinfo.value.code == "quota_below_minimum"


def test_s4_1_a_quota_beyond_what_the_country_has_is_a_typing_error():
    check_quota(Decimal(100_000))
    with pytest.raises(RuleViolation) as excinfo:
        check_quota(Decimal("100000.01"))
    assert excinfo.value.code == "quota_too_large"


# --- §4.2 places ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (Decimal(25), Decimal("0.81")),
        (Decimal(31), Decimal("1.00")),
        (Decimal(40), Decimal("1.29")),
        (Decimal(42), Decimal("1.35")),  # no maximum in law (Kennisdocument vraag 15)
        (Decimal(60), Decimal("1.94")),
        (Decimal(12), Decimal("0.39")),
        (Decimal("15.5"), Decimal("0.50")),
    ],
)
def test_s4_2_a_place_is_31_hours_a_week(hours, expected):
    assert places(hours) == expected


def test_s4_2_places_round_half_up():
    # 0.01 / 2 = 0.005 exactly: half up gives 0.01 (banker's rounding would give 0.00).
    assert places(Decimal("0.01"), hours_per_place=Decimal(2)) == Decimal("0.01")


@pytest.mark.parametrize("hours", [Decimal(0), Decimal(-1), Decimal("60.01"), Decimal(61)])
def test_s4_2_hours_outside_0_to_60_are_refused(hours):
    """The law sets no maximum size of the contract (Kennisdocument vraag 15); the bound is the
    Arbeidstijdenwet's 60 hours in a week (art. 5:7), a sanity bound."""
    with pytest.raises(RuleViolation) as excinfo:
        places(hours)
    assert excinfo.value.code == "hours_out_of_range"
    assert "%(" not in str(excinfo.value)
    assert "hoogstens 60" in str(excinfo.value)


# --- §4.3 obliged until the quota is reached --------------------------------------------


@pytest.mark.parametrize(
    ("quota", "realised", "free"),
    [
        (Decimal(10), Decimal("8.38"), 2),
        (Decimal(10), Decimal(9), 1),
        (Decimal(10), Decimal("9.99"), 1),
        (Decimal(10), Decimal(10), 0),
        (Decimal(10), Decimal("12.5"), 0),
        (Decimal(3), Decimal(0), 3),
    ],
)
def test_s4_3_free_obliged_slots_round_up_the_missing_places(quota, realised, free):
    assert free_obliged_slots(quota, realised) == free


def test_s4_3_until_the_quota_is_reached_everyone_available_is_obliged():
    candidates = [candidate(i, date(2026, 1, i)) for i in range(1, 4)]
    result = categorise(candidates, OrderingRule.POSITIVE_ADVICE_DATE, Decimal(10), Decimal(7), 0)
    assert [p.category for p in result] == [Category.OBLIGED] * 3


def test_s4_3_candidates_carry_no_benefit_kind_so_no_preference_is_possible():
    assert not any("benefit" in f.name for f in dataclasses.fields(Candidate))


# --- §4.4 unavailable keeps the turn ----------------------------------------------------


def test_s4_4_unavailable_person_keeps_position_but_takes_no_slot():
    candidates = [
        candidate(1, date(2026, 1, 1)),
        candidate(2, date(2026, 1, 2), available=False),
        candidate(3, date(2026, 1, 3)),
        candidate(4, date(2026, 1, 4)),
    ]
    # the quota (3) is reached; two additional places
    result = categorise(candidates, OrderingRule.POSITIVE_ADVICE_DATE, Decimal(3), Decimal(3), 2)
    assert [(p.candidate.case_id, p.position, p.category) for p in result] == [
        (1, 1, Category.ADDITIONAL),
        (2, 2, Category.UNAVAILABLE),
        (3, 3, Category.ADDITIONAL),
        (4, 4, Category.WAITING),
    ]


def test_s4_4_available_again_the_person_gets_the_place_at_their_turn():
    before = [
        candidate(1, date(2026, 1, 1), available=False),
        candidate(2, date(2026, 1, 2)),
    ]
    after = [dataclasses.replace(before[0], available=True), before[1]]
    rule, quota, realised = OrderingRule.POSITIVE_ADVICE_DATE, Decimal(5), Decimal(5)
    assert [p.category for p in categorise(before, rule, quota, realised, 1)] == [
        Category.UNAVAILABLE,
        Category.ADDITIONAL,
    ]
    assert [p.category for p in categorise(after, rule, quota, realised, 1)] == [
        Category.ADDITIONAL,
        Category.WAITING,
    ]


# --- §4.5 beyond the quota: the verordening's order -------------------------------------


def test_s4_5_order_by_positive_advice_date_with_case_id_tie_break():
    a = candidate(7, date(2026, 2, 1))
    b = candidate(3, date(2026, 2, 1))
    c = candidate(1, date(2026, 3, 1))
    assert order_candidates([c, a, b], OrderingRule.POSITIVE_ADVICE_DATE) == [b, a, c]


def test_s4_5_order_by_application_date():
    a = candidate(1, date(2026, 2, 1), applied=date(2025, 12, 1))
    b = candidate(2, date(2026, 1, 1), applied=date(2025, 12, 15))
    c = candidate(3, date(2026, 1, 1), applied=date(2025, 12, 1))
    # The same application date: the older advice first.
    assert order_candidates([b, c, a], OrderingRule.APPLICATION_DATE) == [c, a, b]
    # The same advice date: the earlier application first.
    assert order_candidates([b, c, a], OrderingRule.POSITIVE_ADVICE_DATE) == [c, b, a]


def test_s4_5_priority_groups_first_then_advice_date():
    early = candidate(1, date(2026, 1, 1))
    school_leaver = candidate(2, date(2026, 6, 1), priority=True)
    other_priority = candidate(3, date(2026, 3, 1), priority=True)
    assert order_candidates(
        [early, school_leaver, other_priority], OrderingRule.PRIORITY_THEN_ADVICE_DATE
    ) == [other_priority, school_leaver, early]


def test_s4_3_until_the_quota_is_reached_everyone_is_obliged_however_many():
    # Kennisdocument vraag 1 and 6: a right to a place until the quota is realised, no order
    candidates = [candidate(i, date(2026, 1, i)) for i in range(1, 7)]
    for realised in (Decimal(0), Decimal("9.99")):
        result = categorise(candidates, OrderingRule.POSITIVE_ADVICE_DATE, Decimal(10), realised, 3)
        assert {p.category for p in result} == {Category.OBLIGED}


def test_s4_5_once_the_quota_is_reached_additional_places_then_the_waiting_list():
    candidates = [candidate(i, date(2026, 1, i)) for i in range(1, 7)]
    result = categorise(
        candidates, OrderingRule.POSITIVE_ADVICE_DATE, Decimal(10), Decimal("10.2"), 3
    )
    assert [p.category for p in result] == [
        Category.ADDITIONAL,
        Category.ADDITIONAL,
        Category.ADDITIONAL,
        Category.WAITING,
        Category.WAITING,
        Category.WAITING,
    ]


def test_s4_5_ordering_rule_decides_who_gets_the_additional_place():
    school_leaver = candidate(2, date(2026, 6, 1), priority=True)
    early = candidate(1, date(2026, 1, 1))
    args = (Decimal(10), Decimal(10), 1)
    by_date = categorise([school_leaver, early], OrderingRule.POSITIVE_ADVICE_DATE, *args)
    by_priority = categorise([school_leaver, early], OrderingRule.PRIORITY_THEN_ADVICE_DATE, *args)
    assert {p.candidate.case_id: p.category for p in by_date} == {
        1: Category.ADDITIONAL,
        2: Category.WAITING,
    }
    assert {p.candidate.case_id: p.category for p in by_priority} == {
        2: Category.ADDITIONAL,
        1: Category.WAITING,
    }


def test_s4_5_negative_additional_places_are_an_error():
    with pytest.raises(ValueError):
        categorise([], OrderingRule.POSITIVE_ADVICE_DATE, Decimal(1), Decimal(0), -1)


def test_s4_5_each_rule_breaks_ties_on_the_other_date_then_the_case_number():
    day, applied = date(2026, 2, 1), date(2025, 11, 1)
    late_applicant = candidate(1, day, applied=applied + timedelta(days=9))
    twin_b = candidate(5, day, applied=applied)
    twin_a = candidate(4, day, applied=applied)
    assert order_candidates(
        [late_applicant, twin_b, twin_a], OrderingRule.POSITIVE_ADVICE_DATE
    ) == [twin_a, twin_b, late_applicant]
    late_advice = candidate(2, day + timedelta(days=3), applied=applied)
    assert order_candidates([late_advice, twin_b, twin_a], OrderingRule.APPLICATION_DATE) == [
        twin_a,
        twin_b,
        late_advice,
    ]
    assert order_candidates(
        [late_applicant, twin_b, twin_a], OrderingRule.PRIORITY_THEN_ADVICE_DATE
    ) == [twin_a, twin_b, late_applicant]
    assert order_candidates([late_applicant, twin_b, twin_a], OrderingRule.COUNCIL_ORDER) == [
        twin_a,
        twin_b,
        late_applicant,
    ]


def test_s4_5_the_councils_own_order_puts_given_positions_first_then_the_advice_date():
    oldest = candidate(1, date(2025, 1, 1))
    second = candidate(2, date(2026, 5, 1), council=2)
    first = candidate(3, date(2026, 6, 1), council=1)
    newest = candidate(4, date(2026, 7, 1))
    also_second = candidate(5, date(2026, 4, 1), council=2)
    assert order_candidates(
        [oldest, second, first, newest, also_second], OrderingRule.COUNCIL_ORDER
    ) == [first, also_second, second, oldest, newest]


@pytest.mark.parametrize("rule", list(OrderingRule))
def test_s4_5_every_rule_is_explained_in_words(rule):
    assert str(ordering_explanation(rule))
    assert str(TIE_EXPLANATION)


@pytest.mark.parametrize(
    ("quota", "additional", "realised", "free_obliged", "free_additional"),
    [
        (Decimal(2), 1, Decimal(0), 2, 1),
        (Decimal(2), 1, Decimal("1.5"), 1, 1),
        (Decimal(2), 1, Decimal(75) / 31, 0, 1),  # 0.42 of the additional place in use
        (Decimal(2), 1, Decimal(3), 0, 0),  # the additional place is used
        (Decimal(2), 2, Decimal(3), 0, 1),
        (Decimal(2), 0, Decimal(1), 1, 0),
        (Decimal("2.5"), 1, Decimal(0), 3, 1),
    ],
)
def test_s4_5_additional_places_in_use_are_counted(
    quota, additional, realised, free_obliged, free_additional
):
    assert free_obliged_slots(quota, realised) == free_obliged
    assert free_additional_slots(quota, additional, realised) == free_additional


def test_s4_5_an_additional_place_in_use_is_not_offered_again():
    candidates = [candidate(i, date(2026, 1, i)) for i in range(1, 4)]
    # Quota 2 and 1 additional place; 3 places realised: the additional place is taken.
    result = categorise(candidates, OrderingRule.POSITIVE_ADVICE_DATE, Decimal(2), Decimal(3), 1)
    assert [p.category for p in result] == [Category.WAITING] * 3


def test_s4_2_places_of_several_jobs_sum_the_hours_and_divide_once():
    three_jobs = realised_places(Decimal(75))
    assert three_jobs == Decimal(75) / Decimal(31)
    assert three_jobs.quantize(Decimal("0.01")) == Decimal("2.42")
    assert 3 * places(Decimal(25)) == Decimal("2.43")  # what rounding each job first gave


def test_s4_3_a_place_is_left_until_quota_and_additional_places_are_taken():
    assert place_left(Decimal(2), 1, Decimal("2.99"))
    assert not place_left(Decimal(2), 1, Decimal(3))
    assert not place_left(Decimal(2), 0, Decimal(2))


def test_s4_3_within_the_quota_there_is_no_order():
    assert not check_placement_turn(
        quota_places=Decimal(2),
        committed_places=Decimal("1.9"),
        in_turn=False,
        out_of_turn_reason="",
    )


def test_s4_5_an_additional_place_goes_to_whose_turn_it_is():
    args = {"quota_places": Decimal(2), "committed_places": Decimal(2)}
    assert not check_placement_turn(**args, in_turn=True, out_of_turn_reason="")
    with pytest.raises(RuleViolation) as excinfo:
        check_placement_turn(**args, in_turn=False, out_of_turn_reason="  ")
    assert excinfo.value.code == "out_of_turn_without_reason"
    assert check_placement_turn(**args, in_turn=False, out_of_turn_reason="Job fits only them")


# --- §4.6 waiting list ------------------------------------------------------------------


def test_s4_6_quota_reached_and_no_additional_places_gives_a_waiting_list():
    candidates = [candidate(i, date(2026, 1, i)) for i in range(1, 3)]
    result = categorise(candidates, OrderingRule.POSITIVE_ADVICE_DATE, Decimal(4), Decimal(4), 0)
    assert [p.category for p in result] == [Category.WAITING, Category.WAITING]


def test_s4_6_next_years_higher_quota_obliges_again():
    candidates = [candidate(i, date(2026, 1, i)) for i in range(1, 3)]
    rule = OrderingRule.POSITIVE_ADVICE_DATE
    this_year = categorise(candidates, rule, Decimal(4), Decimal(4), 0)
    next_year = categorise(candidates, rule, Decimal(5), Decimal(4), 0)
    assert [p.category for p in this_year] == [Category.WAITING, Category.WAITING]
    assert [p.category for p in next_year] == [Category.OBLIGED, Category.OBLIGED]


def test_s4_6_benefit_kinds_are_split_exactly_into_two_groups():
    assert set(BenefitKind) == PARTICIPATIEWET_GROUP | UWV_BENEFITS
    assert not PARTICIPATIEWET_GROUP & UWV_BENEFITS


@pytest.mark.parametrize(
    "kind", [BenefitKind.PARTICIPATIEWET, BenefitKind.SURVIVOR, BenefitKind.NONE]
)
@pytest.mark.parametrize("quota_reached", [False, True])
@pytest.mark.parametrize("additional", [False, True])
def test_s4_6_participatiewet_group_waits_under_the_municipality(kind, quota_reached, additional):
    assert waiting_list_responsibility(kind, quota_reached, additional) == Responsible.MUNICIPALITY


@pytest.mark.parametrize("kind", [BenefitKind.WAJONG, BenefitKind.WIA_WAO, BenefitKind.WW])
def test_s4_6_uwv_benefit_quota_reached_no_additional_places_waits_under_uwv(kind):
    assert waiting_list_responsibility(kind, True, False) == Responsible.UWV


@pytest.mark.parametrize("kind", [BenefitKind.WAJONG, BenefitKind.WIA_WAO, BenefitKind.WW])
def test_s4_6_uwv_benefit_municipality_and_uwv_may_agree_otherwise(kind):
    assert waiting_list_responsibility(kind, True, False, uwv_agreement=True) == (
        Responsible.MUNICIPALITY
    )


@pytest.mark.parametrize("kind", [BenefitKind.WAJONG, BenefitKind.WIA_WAO, BenefitKind.WW])
def test_s4_6_uwv_benefit_while_quota_not_reached_waits_under_the_municipality(kind):
    assert waiting_list_responsibility(kind, False, False) == Responsible.MUNICIPALITY


def test_s4_6_uwv_benefit_with_an_additional_place_open_stays_with_the_municipality():
    assert waiting_list_responsibility(BenefitKind.WW, True, True) == Responsible.MUNICIPALITY


# --- §4.8 placement signal --------------------------------------------------------------


def test_s4_8_placement_is_signalled_3_months_after_the_positive_advice():
    assert placement_signal_date(date(2026, 1, 15)) == date(2026, 4, 15)


def test_s4_8_placement_signal_clamps_to_month_end():
    assert placement_signal_date(date(2026, 11, 30)) == date(2027, 2, 28)


def test_s4_8_placement_signal_is_not_a_legal_term_so_no_weekend_extension():
    signal = placement_signal_date(date(2026, 2, 2))
    assert signal == date(2026, 5, 2)
    assert signal.weekday() == 5  # a Saturday, left as it is


# --- properties of categorise -----------------------------------------------------------


@st.composite
def candidate_lists(draw):
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=25))
    day = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
    position = st.one_of(st.none(), st.integers(1, 5))
    return [
        Candidate(i, draw(day), draw(day), draw(st.booleans()), draw(st.booleans()), draw(position))
        for i in ids
    ]


@given(
    candidates=candidate_lists(),
    rule=st.sampled_from(list(OrderingRule)),
    quota=st.decimals(min_value=1, max_value=40, places=2),
    realised=st.decimals(min_value=0, max_value=40, places=2),
    additional=st.integers(0, 10),
)
def test_s4_property_categorise_counts_and_order(candidates, rule, quota, realised, additional):
    result = categorise(candidates, rule, quota, realised, additional)
    assert [p.candidate for p in result] == order_candidates(candidates, rule)
    assert [p.position for p in result] == list(range(1, len(candidates) + 1))
    counts = Counter(p.category for p in result)
    available = sum(c.available for c in candidates)
    free = free_obliged_slots(quota, realised)
    free_additional = free_additional_slots(quota, additional, realised)
    assert free + free_additional == max(0, math.ceil(quota + additional - realised))
    assert counts[Category.UNAVAILABLE] == len(candidates) - available
    # until the quota is reached everyone available is obliged; after it nobody is
    assert counts[Category.OBLIGED] == (0 if quota_reached(quota, realised) else available)
    assert counts[Category.ADDITIONAL] == min(free_additional, available - counts[Category.OBLIGED])
    assert counts[Category.WAITING] == (
        available - counts[Category.OBLIGED] - counts[Category.ADDITIONAL]
    )
    # Categories never go "backwards" along the order: obliged, then additional, then waiting.
    rank = {Category.OBLIGED: 0, Category.ADDITIONAL: 1, Category.WAITING: 2}
    ranks = [rank[p.category] for p in result if p.category != Category.UNAVAILABLE]
    assert ranks == sorted(ranks)
