"""DOMAIN §4: the set-based capacity computation (cases.placement.capacity) against the pure rules.

``rules.categorise``, ``rules.order_candidates``, ``rules.free_obliged_slots``,
``rules.places`` and ``rules.waiting_list_responsibility`` are the reference semantics; the SQL
window-function computation must give the same answer for every scenario, in a constant
number of queries.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import rules, services
from cases.choices import BenefitKind, CaseState, Category, OrderingRule, Responsible
from cases.models import Application, Case
from cases.placement.capacity import (
    MunicipalityNotFound,
    candidate_standing,
    candidate_standings,
    capacity,
    capacity_summary,
    format_places,
    waiting_list,
)
from tests.factories import (
    CaseFactory,
    EmploymentFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
    bulk_candidate_cases,
)

pytestmark = pytest.mark.django_db

ON = date(2026, 6, 15)
YEAR = 2026


# -- helpers --------------------------------------------------------------------------------


def municipality_with(
    *,
    quota: Decimal | None = Decimal(10),
    rule: OrderingRule = OrderingRule.POSITIVE_ADVICE_DATE,
    additional: int = 0,
    in_force_from: date = date(2025, 1, 1),
):
    municipality = MunicipalityFactory()
    if quota is not None:
        YearlyQuotaFactory(municipality=municipality, year=YEAR, places=quota)
    VerordeningFactory(
        municipality=municipality,
        in_force_from=in_force_from,
        ordering_rule=rule,
        offers_additional_places=additional > 0,
        additional_places_per_year=additional,
    )
    return municipality


def candidate(
    municipality,
    actor,
    *,
    decided_on: date,
    applied_on: date | None = None,
    priority: bool = False,
    available: bool = True,
    benefit: BenefitKind = BenefitKind.PARTICIPATIEWET,
    advice_on: date | None = None,
    council_position: int | None = None,
) -> Case:
    """A candidate case with just the rows capacity reads: person, case, application. The
    advice is four weeks before the decision unless ``advice_on`` says otherwise."""
    person = PersonFactory(municipality=municipality, benefit_kind=benefit)
    case = CaseFactory(
        person=person,
        state=CaseState.AWAITING_PLACEMENT if available else CaseState.UNAVAILABLE,
        positive_decision_on=decided_on,
        positive_advice_on=advice_on or decided_on - timedelta(weeks=4),
        priority_group=priority,
        council_position=council_position,
        lifecycle=False,
    )
    Application.objects.create(
        case=case,
        applicant_kind="person",
        submitted_by=actor,
        received_on=applied_on or decided_on - timedelta(weeks=12),
        source="school",
    )
    return case


def employ(municipality, hours, *, start_on=date(2025, 3, 1), end_on=None):
    person = PersonFactory(municipality=municipality)
    case = CaseFactory(person=person, state=CaseState.EMPLOYED, lifecycle=False)
    return EmploymentFactory(
        case=case,
        municipality=municipality,
        hours_per_week=Decimal(hours),
        start_on=start_on,
        end_on=end_on,
    )


def reference(cases, rule, quota, realised, additional, uwv_agreement=False):
    """The pure rules' answer: {case_id: (position, category, responsible)}."""
    by_id = {case.pk: case for case in cases}
    candidates = [
        rules.Candidate(
            case_id=case.pk,
            positive_advice_on=case.positive_advice_on,
            applied_on=case.application.received_on,
            priority=case.priority_group,
            available=case.state == CaseState.AWAITING_PLACEMENT,
            council_position=case.council_position,
        )
        for case in cases
    ]
    quota_reached = rules.quota_reached(quota, realised)
    free_additional = rules.free_additional_slots(quota, additional, realised)
    expected = {}
    available_before = 0
    for placement in rules.categorise(candidates, rule, quota, realised, additional):
        category = placement.category
        if category == Category.UNAVAILABLE:
            # Responsible as if they were available at their turn.
            offered = not quota_reached or available_before < free_additional
        else:
            available_before += 1
            offered = category != Category.WAITING
        person = by_id[placement.candidate.case_id].person
        responsible = rules.waiting_list_responsibility(
            BenefitKind(person.benefit_kind), quota_reached, offered, uwv_agreement
        )
        expected[placement.candidate.case_id] = (placement.position, category, responsible)
    return expected


def observed(result):
    return {row.case_id: (row.position, row.category, row.responsible) for row in result.candidates}


def assert_standings_are_the_rows_of_capacity(result, *, on=ON):
    """``candidate_standing`` of each candidate, and ``candidate_standings`` of every other
    one, are exactly their rows of ``capacity``: each is ranked among all the candidates, not
    among the cases asked for."""
    rows = {row.case_id: row for row in result.candidates}
    for case_id, row in rows.items():
        assert candidate_standing(case_id, on=on) == row
    every_other = sorted(rows)[1::2]
    assert candidate_standings(every_other, on=on) == {i: rows[i] for i in every_other}
    waiting = [row for row in result.candidates if row.category == Category.WAITING]
    assert [row.waiting_place for row in waiting] == list(range(1, len(waiting) + 1))
    assert all(
        row.waiting_place is None for row in result.candidates if row.category != Category.WAITING
    )


# -- (a) equivalence with the rules -------------------------------------------------------

DAYS = st.integers(min_value=0, max_value=20)  # few distinct days: many ties
candidates_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "decided": DAYS,
            "applied": DAYS,
            "priority": st.booleans(),
            "council": st.one_of(st.none(), st.integers(min_value=1, max_value=4)),
            "available": st.booleans(),
            "benefit": st.sampled_from(list(BenefitKind)),
        }
    ),
    max_size=18,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    specs=candidates_strategy,
    rule=st.sampled_from(list(OrderingRule)),
    quota=st.decimals(min_value=1, max_value=8, places=2),
    hours=st.lists(st.sampled_from(["12", "20", "25", "31", "32.5", "40"]), max_size=6),
    additional=st.integers(min_value=0, max_value=4),
    agreement=st.booleans(),
)
def test_s4_capacity_equals_the_rules_for_generated_scenarios(
    specs, rule, quota, hours, additional, agreement
):
    # Each example gets its own municipality, so examples do not see each other's rows even
    # though they share the test's transaction.
    municipality = municipality_with(quota=quota, rule=rule, additional=additional)
    if agreement:  # Pw art. 7(7), in force on the day
        municipality.uwv_agreement_from = ON - timedelta(days=30)
        municipality.save(update_fields=["uwv_agreement_from"])
    actor = UserFactory(uwv_assessor=True)
    for h in hours:
        employ(municipality, h)
    cases = [
        candidate(
            municipality,
            actor,
            decided_on=date(2025, 1, 1) + timedelta(days=spec["decided"]),
            applied_on=date(2024, 6, 1) + timedelta(days=spec["applied"]),
            priority=spec["priority"],
            available=spec["available"],
            benefit=spec["benefit"],
            council_position=spec["council"],
        )
        for spec in specs
    ]
    realised = rules.realised_places(sum((Decimal(h) for h in hours), Decimal(0)))

    result = capacity(municipality.pk, YEAR, on=ON)

    assert result.realised_places == realised
    assert result.persons_employed == len(hours)
    assert result.free_obliged == rules.free_obliged_slots(quota, realised)
    assert result.uwv_agreement == agreement
    assert observed(result) == reference(cases, rule, quota, realised, additional, agreement)
    assert [row.position for row in result.candidates] == list(range(1, len(cases) + 1))
    summary = capacity_summary(municipality.pk, YEAR, on=ON)
    assert summary == result.summary()
    assert summary.candidates_total == len(cases)
    assert_standings_are_the_rows_of_capacity(result)
    waiting = [row for row in result.candidates if row.category == Category.WAITING]
    first_three = waiting_list(municipality.pk, YEAR, on=ON, limit=3)
    assert first_three.total == summary.waiting
    assert first_three.rows == [(r.case_id, r.reference, r.waiting_since) for r in waiting[:3]]


@pytest.mark.parametrize("seed", range(4))
def test_s4_capacity_equals_the_rules_for_bulk_scenarios(seed):
    """Bigger scenarios than hypothesis builds, made with bulk_create."""
    import random

    rng = random.Random(seed)
    rule = rng.choice(list(OrderingRule))
    quota = Decimal(rng.randint(100, 20_000)) / 100
    additional = rng.randint(0, 30)
    municipality = municipality_with(quota=quota, rule=rule, additional=additional)
    actor = UserFactory(uwv_assessor=True)
    hours = [rng.choice(["10", "24.5", "25", "31", "36"]) for _ in range(rng.randint(0, 8))]
    for h in hours:
        employ(municipality, h)
    ids = bulk_candidate_cases(
        municipality,
        rng.randint(50, 300),
        actor=actor,
        start=seed * 1_000,
        unavailable_every=rng.randint(2, 9),
        priority_every=rng.randint(2, 7),
        uwv_benefit_every=rng.randint(2, 5),
    )
    cases = list(
        Case.objects.filter(pk__in=ids).select_related("person", "application").order_by("?")
    )
    realised = rules.realised_places(sum((Decimal(h) for h in hours), Decimal(0)))

    result = capacity(municipality.pk, YEAR, on=ON)

    assert observed(result) == reference(cases, rule, quota, realised, additional)
    sample = rng.sample(result.candidates, 12)
    assert {row.case_id: row for row in sample} == candidate_standings(
        [row.case_id for row in sample], on=ON
    )
    for row in sample[:4]:
        assert candidate_standing(row.case_id, on=ON) == row
    waiting = [row for row in result.candidates if row.category == Category.WAITING]
    first = waiting_list(municipality.pk, YEAR, on=ON, limit=40)
    assert (first.total, first.rows) == (
        len(waiting),
        [(r.case_id, r.reference, r.waiting_since) for r in waiting[:40]],
    )


# -- (b) each ordering rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (OrderingRule.POSITIVE_ADVICE_DATE, ["early_decision", "school_leaver", "early_applicant"]),
        (OrderingRule.APPLICATION_DATE, ["early_applicant", "school_leaver", "early_decision"]),
        (
            OrderingRule.PRIORITY_THEN_ADVICE_DATE,
            ["school_leaver", "early_decision", "early_applicant"],
        ),
    ],
)
def test_s4_5_each_ordering_rule_orders_the_candidates(rule, expected):
    municipality = municipality_with(quota=Decimal(1), rule=rule, additional=1)
    employ(municipality, "31")  # the quota is reached: one additional place is left
    actor = UserFactory(uwv_assessor=True)
    cases = {
        "early_decision": candidate(
            municipality, actor, decided_on=date(2025, 1, 1), applied_on=date(2024, 9, 1)
        ),
        "school_leaver": candidate(
            municipality,
            actor,
            decided_on=date(2025, 2, 1),
            applied_on=date(2024, 8, 1),
            priority=True,
        ),
        "early_applicant": candidate(
            municipality, actor, decided_on=date(2025, 3, 1), applied_on=date(2024, 1, 1)
        ),
    }
    names = {case.pk: name for name, case in cases.items()}

    result = capacity(municipality.pk, YEAR, on=ON)

    assert [names[row.case_id] for row in result.candidates] == expected
    assert [row.category for row in result.candidates] == [
        Category.ADDITIONAL,
        Category.WAITING,
        Category.WAITING,
    ]
    assert {row.ordering_rule for row in result.candidates} == {rule}


def test_s4_5_ties_are_broken_by_case_id():
    municipality = municipality_with(quota=Decimal(2))
    actor = UserFactory(uwv_assessor=True)
    same_day = [candidate(municipality, actor, decided_on=date(2025, 5, 5)) for _ in range(4)]

    result = capacity(municipality.pk, YEAR, on=ON)

    assert [row.case_id for row in result.candidates] == sorted(c.pk for c in same_day)


# -- (c) an unavailable candidate keeps their turn ----------------------------------------


def test_s4_4_an_unavailable_candidate_keeps_their_turn_and_takes_no_slot():
    municipality = municipality_with(quota=Decimal(2), additional=2)
    employ(municipality, "31")
    employ(municipality, "31")  # the quota is reached: two additional places are left
    consultant = UserFactory(consultant=True, municipality=municipality)
    first, second, third, fourth = (
        CaseFactory(
            person__municipality=municipality,
            state=CaseState.AWAITING_PLACEMENT,
            positive_decision_on=date(2025, 1, 1) + timedelta(days=i),
        )
        for i in range(4)
    )
    services.mark_unavailable(case_id=first.pk, reason="illness", actor=consultant)

    result = capacity(municipality.pk, YEAR, on=ON)
    assert [(r.case_id, r.position, r.category) for r in result.candidates] == [
        (first.pk, 1, Category.UNAVAILABLE),
        (second.pk, 2, Category.ADDITIONAL),
        (third.pk, 3, Category.ADDITIONAL),
        (fourth.pk, 4, Category.WAITING),
    ]
    assert not result.candidates[0].available

    services.mark_available(case_id=first.pk, actor=consultant)

    result = capacity(municipality.pk, YEAR, on=ON)
    assert [(r.case_id, r.position, r.category) for r in result.candidates] == [
        (first.pk, 1, Category.ADDITIONAL),
        (second.pk, 2, Category.ADDITIONAL),
        (third.pk, 3, Category.WAITING),
        (fourth.pk, 4, Category.WAITING),
    ]


# -- (d) realised places --------------------------------------------------------------------


def test_s4_2_realised_places_count_hours_over_31_per_employment():
    municipality = municipality_with(quota=Decimal(3))
    employ(municipality, "25")  # 0.81
    employ(municipality, "12.5")  # 0.40 (0.403...)
    employ(municipality, "40")  # 1.29
    employ(municipality, "31", start_on=date(2025, 1, 1), end_on=ON)  # ends today: counts
    employ(municipality, "31", start_on=date(2025, 1, 1), end_on=ON - timedelta(days=1))
    employ(municipality, "31", start_on=ON + timedelta(days=1))  # not started yet
    employ(MunicipalityFactory(), "31")  # another municipality

    result = capacity(municipality.pk, YEAR, on=ON)

    # (25 + 12.5 + 40 + 31) / 31 = 108.5 / 31 = 3.5
    assert result.realised_places == Decimal("3.5")
    assert result.persons_employed == 4
    assert result.free_obliged == 0  # ceil(3 - 3.50) < 0
    assert result.quota_reached


def test_s4_2_a_job_of_25_hours_counts_081_places():
    municipality = municipality_with(quota=Decimal(1))
    employ(municipality, "25")

    result = capacity(municipality.pk, YEAR, on=ON)

    assert result.realised_places == Decimal(25) / Decimal(31)
    assert format_places(result.realised_places) == "0,81"
    assert result.free_obliged == 1  # ceil(1 - 0.81)


def test_s4_2_places_sum_the_hours_and_divide_once_not_the_rounded_parts():
    municipality = municipality_with(quota=Decimal("2.42"))
    for _ in range(3):
        employ(municipality, "25")  # 3 x 0.81 = 2.43, but 75 / 31 = 2.419... -> 2.42

    result = capacity(municipality.pk, YEAR, on=ON)

    assert result.realised_places == Decimal(75) / Decimal(31)
    assert format_places(result.realised_places) == "2,42"
    # 75 hours are less than 2.42 x 31 = 75.02 hours: the quota is not quite reached.
    assert result.free_obliged == 1


# -- categories and responsibility --------------------------------------------------------


def test_s4_6_uwv_is_responsible_for_uwv_benefit_candidates_on_the_waiting_list():
    municipality = municipality_with(quota=Decimal(1), additional=1)
    actor = UserFactory(uwv_assessor=True)
    day = date(2025, 1, 1)
    extra = candidate(municipality, actor, decided_on=day, benefit=BenefitKind.WAJONG)
    waiting_uwv = candidate(
        municipality, actor, decided_on=day + timedelta(1), benefit=BenefitKind.WIA_WAO
    )
    waiting_pw = candidate(municipality, actor, decided_on=day + timedelta(3))
    away_uwv = candidate(
        municipality,
        actor,
        decided_on=day + timedelta(4),
        benefit=BenefitKind.WAJONG,
        available=False,
    )

    # §4.6: while the quota is not reached, nobody is UWV's, and nobody waits
    before = capacity(municipality.pk, YEAR, on=ON)
    assert {row.responsible for row in before.candidates} == {Responsible.MUNICIPALITY}
    assert Category.WAITING not in {row.category for row in before.candidates}

    employ(municipality, "31")  # the quota is reached
    rows = {row.case_id: row for row in capacity(municipality.pk, YEAR, on=ON).candidates}

    assert (rows[extra.pk].category, rows[extra.pk].responsible) == (
        Category.ADDITIONAL,
        Responsible.MUNICIPALITY,
    )
    assert (rows[waiting_uwv.pk].category, rows[waiting_uwv.pk].responsible) == (
        Category.WAITING,
        Responsible.UWV,
    )
    assert (rows[waiting_pw.pk].category, rows[waiting_pw.pk].responsible) == (
        Category.WAITING,
        Responsible.MUNICIPALITY,
    )
    assert (rows[away_uwv.pk].category, rows[away_uwv.pk].responsible) == (
        Category.UNAVAILABLE,
        Responsible.UWV,
    )
    # Pw art. 7(7): an agreement keeps them with the municipality.
    agreed = capacity(municipality.pk, YEAR, on=ON, uwv_agreement=True)
    assert {row.responsible for row in agreed.candidates} == {Responsible.MUNICIPALITY}


def test_s4_the_result_carries_the_figures_and_the_waiting_since_date():
    municipality = municipality_with(quota=Decimal("2.5"), additional=3)
    actor = UserFactory(uwv_assessor=True)
    case = candidate(municipality, actor, decided_on=date(2025, 4, 1))
    employ(municipality, "31")

    result = capacity(municipality.pk, YEAR, on=ON)

    assert result.quota_places == Decimal("2.50")
    assert result.additional_places == 3
    assert result.realised_places == Decimal(1)
    assert result.free_obliged == 2  # ceil(1.5)
    (row,) = result.candidates
    assert row.case_id == case.pk
    assert row.reference == case.reference
    assert row.waiting_since == date(2025, 4, 1)
    assert row.applied_on == case.application.received_on
    assert row.available
    summary = capacity_summary(municipality.pk, YEAR, on=ON)
    assert (summary.obliged, summary.additional, summary.waiting, summary.unavailable) == (
        1,
        0,
        0,
        0,
    )


def test_s4_without_any_quota_the_laws_minimum_of_one_place_counts_and_the_default_order():
    municipality = MunicipalityFactory()
    actor = UserFactory(uwv_assessor=True)
    later = candidate(municipality, actor, decided_on=date(2025, 2, 1), priority=True)
    earlier = candidate(municipality, actor, decided_on=date(2025, 1, 1))

    result = capacity(municipality.pk, YEAR, on=ON)

    assert result.quota_places is None and result.quota_provisional
    assert result.quota_in_use == Decimal(1)  # Kennisdocument vraag 9: at least one place
    assert result.additional_places == 0
    assert result.verordening_id is None
    assert result.ordering_rule == OrderingRule.POSITIVE_ADVICE_DATE
    assert [row.case_id for row in result.candidates] == [earlier.pk, later.pk]
    assert {row.category for row in result.candidates} == {Category.OBLIGED}
    employ(municipality, "31")
    reached = capacity(municipality.pk, YEAR, on=ON)
    assert {row.category for row in reached.candidates} == {Category.WAITING}


def test_s4_1_until_a_years_quota_is_entered_the_year_before_binds():
    # The quota is cumulative: in January, before the new year's figure is entered, last
    # year's still binds; nobody is sent to the waiting list (or to UWV) for want of a row.
    municipality = municipality_with(quota=Decimal(2))  # for YEAR
    actor = UserFactory(uwv_assessor=True)
    waiting = candidate(municipality, actor, decided_on=date(2025, 1, 1), benefit=BenefitKind.WW)
    january = date(YEAR + 1, 1, 5)

    result = capacity(municipality.pk, YEAR + 1, on=january)

    assert (result.quota_places, result.quota_year) == (Decimal("2.00"), YEAR)
    assert result.quota_provisional
    (row,) = result.candidates
    assert (row.case_id, row.category, row.responsible) == (
        waiting.pk,
        Category.OBLIGED,
        Responsible.MUNICIPALITY,
    )


def test_s4_3_a_job_agreed_to_start_later_this_year_takes_its_place_now_not_one_of_next_year():
    municipality = municipality_with(quota=Decimal(1))
    actor = UserFactory(uwv_assessor=True)
    waiting = candidate(municipality, actor, decided_on=date(2025, 1, 1))
    later_this_year = employ(municipality, "31")
    later_this_year.start_on = date(YEAR, 12, 1)
    later_this_year.save(update_fields=["start_on"])

    this_year = capacity(municipality.pk, YEAR, on=ON)
    assert this_year.realised_places == 0 and this_year.taken_places == 1
    assert [row.category for row in this_year.candidates] == [Category.WAITING]

    later_this_year.start_on = date(YEAR + 1, 1, 4)  # next year's quota covers it
    later_this_year.save(update_fields=["start_on"])
    assert capacity(municipality.pk, YEAR, on=ON).candidates[0].category == Category.OBLIGED
    assert waiting.pk == this_year.candidates[0].case_id


def test_s4_only_candidate_states_of_the_municipality_count():
    municipality = municipality_with(quota=Decimal(5))
    for state in CaseState:
        if state not in (CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE):
            CaseFactory(person__municipality=municipality, state=state, lifecycle=False)
    CaseFactory(state=CaseState.AWAITING_PLACEMENT, lifecycle=False)  # elsewhere

    assert capacity(municipality.pk, YEAR, on=ON).candidates == []


def test_capacity_of_an_unknown_municipality_raises():
    with pytest.raises(MunicipalityNotFound):
        capacity(987_654, YEAR, on=ON)


# -- (e) a constant number of queries -------------------------------------------------------


@pytest.mark.slow
def test_capacity_uses_the_same_number_of_queries_for_10_and_10000_candidates(
    django_assert_num_queries,
):
    actor = UserFactory(uwv_assessor=True)
    small = municipality_with(quota=Decimal(4), rule=OrderingRule.APPLICATION_DATE, additional=2)
    large = municipality_with(quota=Decimal(400), rule=OrderingRule.APPLICATION_DATE, additional=50)
    bulk_candidate_cases(small, 10, actor=actor, start=0, unavailable_every=4)
    started = time.perf_counter()
    bulk_candidate_cases(
        large, 10_000, actor=actor, start=100, unavailable_every=7, uwv_benefit_every=3
    )
    built = time.perf_counter() - started
    employ(large, "25")

    with django_assert_num_queries(2):
        small_result = capacity(small.pk, YEAR, on=ON)
    started = time.perf_counter()
    with django_assert_num_queries(2):
        large_result = capacity(large.pk, YEAR, on=ON)
    elapsed = time.perf_counter() - started
    with django_assert_num_queries(2):
        capacity_summary(small.pk, YEAR, on=ON)
    with django_assert_num_queries(2):
        summary = capacity_summary(large.pk, YEAR, on=ON)

    assert len(small_result.candidates) == 10
    assert len(large_result.candidates) == 10_000
    assert summary == large_result.summary()
    # 0.81 of 400 places taken: everyone available must be placed
    assert summary.obliged == 10_000 - summary.unavailable
    assert summary.additional == summary.waiting == 0
    assert summary.unavailable == sum(1 for i in range(100, 10_100) if i % 7 == 0)
    print(
        f"\n[{connection.vendor}] built 10,000 candidates in {built:.2f}s; "
        f"capacity() took {elapsed * 1000:.0f} ms"
    )


# -- (f) the verordening in force on the day --------------------------------------------


def test_s5_a_newer_verordening_changes_the_order_only_from_its_date():
    municipality = municipality_with(
        quota=Decimal(1), rule=OrderingRule.POSITIVE_ADVICE_DATE, in_force_from=date(2025, 1, 1)
    )
    newer = VerordeningFactory(
        municipality=municipality,
        in_force_from=date(2026, 7, 1),
        ordering_rule=OrderingRule.PRIORITY_THEN_ADVICE_DATE,
        offers_additional_places=True,
        additional_places_per_year=1,
    )
    older = municipality.verordeningen.get(in_force_from=date(2025, 1, 1))
    employ(municipality, "31")  # the quota is reached
    actor = UserFactory(uwv_assessor=True)
    first = candidate(municipality, actor, decided_on=date(2025, 1, 1))
    second = candidate(municipality, actor, decided_on=date(2025, 2, 1))
    school_leaver = candidate(municipality, actor, decided_on=date(2025, 3, 1), priority=True)

    before = capacity(municipality.pk, YEAR, on=date(2026, 6, 30))
    after = capacity(municipality.pk, YEAR, on=date(2026, 7, 1))

    assert [r.case_id for r in before.candidates] == [first.pk, second.pk, school_leaver.pk]
    assert [r.category for r in before.candidates] == [Category.WAITING] * 3
    assert {(r.verordening_id, r.verordening_in_force_from) for r in before.candidates} == {
        (older.pk, date(2025, 1, 1))
    }
    assert [r.case_id for r in after.candidates] == [school_leaver.pk, first.pk, second.pk]
    assert [r.category for r in after.candidates] == [
        Category.ADDITIONAL,
        Category.WAITING,
        Category.WAITING,
    ]
    assert {(r.verordening_id, r.ordering_rule) for r in after.candidates} == {
        (newer.pk, OrderingRule.PRIORITY_THEN_ADVICE_DATE)
    }
    assert (before.additional_places, after.additional_places) == (0, 1)


# -- (g) one candidate's standing -----------------------------------------------------------


def test_the_standing_of_a_case_that_is_not_a_candidate_is_none(django_assert_num_queries):
    municipality = municipality_with(quota=Decimal(1))
    actor = UserFactory(uwv_assessor=True)
    waiting = candidate(municipality, actor, decided_on=date(2026, 1, 5))
    employed = employ(municipality, "31").case

    assert candidate_standing(employed.pk, on=ON) is None
    assert candidate_standing(987_654, on=ON) is None
    assert candidate_standings([employed.pk, waiting.pk], on=ON).keys() == {waiting.pk}
    with django_assert_num_queries(0):
        assert candidate_standings([], on=ON) == {}


def test_standings_in_two_municipalities_are_each_ranked_in_their_own(
    django_assert_num_queries,
):
    actor = UserFactory(uwv_assessor=True)
    north = municipality_with(quota=Decimal(1), rule=OrderingRule.APPLICATION_DATE)
    south = municipality_with(quota=Decimal(2), additional=1)
    for town, jobs in ((north, 1), (south, 2)):  # each has reached its quota
        for _ in range(jobs):
            employ(town, "31")
    north_cases = [
        candidate(north, actor, decided_on=date(2026, 1, d), applied_on=date(2025, 9, 30 - d))
        for d in (1, 2, 3)
    ]
    south_cases = [candidate(south, actor, decided_on=date(2026, 1, d)) for d in (1, 2, 3, 4)]
    ids = [north_cases[0].pk, south_cases[3].pk]

    # The figures of both municipalities (one), the rows in each (one each).
    with django_assert_num_queries(3):
        standings = candidate_standings(ids, on=ON)

    assert (standings[ids[0]].position, standings[ids[0]].waiting_place) == (3, 3)
    assert standings[ids[1]].position == 4
    assert standings[ids[1]].category == Category.WAITING
    assert standings[ids[1]].waiting_place == 3
    assert standings == {
        row.case_id: row
        for municipality in (north, south)
        for row in capacity(municipality.pk, YEAR, on=ON).candidates
        if row.case_id in ids
    }


@pytest.mark.slow
def test_one_standing_among_2000_candidates_is_their_row_in_two_queries(
    django_assert_num_queries,
):
    actor = UserFactory(uwv_assessor=True)
    municipality = municipality_with(
        quota=Decimal(40), rule=OrderingRule.APPLICATION_DATE, additional=25
    )
    ids = bulk_candidate_cases(
        municipality, 2_000, actor=actor, unavailable_every=9, uwv_benefit_every=4
    )
    cases = list(Case.objects.filter(pk__in=ids).select_related("person", "application"))
    expected = reference(cases, OrderingRule.APPLICATION_DATE, Decimal(40), Decimal(0), 25)
    rows = {row.case_id: row for row in capacity(municipality.pk, YEAR, on=ON).candidates}
    last = max(ids, key=lambda case_id: expected[case_id][0])

    for case_id in (ids[0], ids[1_000], ids[-1], ids[9], last):
        with django_assert_num_queries(2):
            row = candidate_standing(case_id, on=ON)
        assert (row.position, row.category, row.responsible) == expected[case_id]
        assert row == rows[case_id]
    assert candidate_standing(last, on=ON).position == 2_000
