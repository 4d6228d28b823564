"""DOMAIN §3.3, §5, §6.1, §6.3 after the placement: support provisions, fixed-term contracts
followed, the appeal after an objection and the no-risk policy. Pure rules, no database."""

from datetime import date
from decimal import Decimal

import pytest

from cases.choices import (
    AdviceOutcome,
    BenefitKind,
    CaseState,
    ContractKind,
    ContractOutcome,
    FundingKind,
    ProvisionKind,
    Responsible,
)
from cases.rules import (
    CaseAction,
    RuleViolation,
    allowed_actions,
    appeal_possible,
    check_contract_outcome,
    check_fixed_term,
    check_provision,
    contract_end_signal_date,
    no_risk_policy_applies,
    provision_payer,
)

OFFERED = [ProvisionKind.JOB_COACH, ProvisionKind.TRANSPORT]


def provision(**overrides):
    values = {
        "kind": ProvisionKind.JOB_COACH,
        "offered_kinds": OFFERED,
        "payer": Responsible.MUNICIPALITY,
        "starts_on": date(2026, 3, 1),
        "ends_on": None,
        "monthly_cost": Decimal("250.00"),
    } | overrides
    check_provision(**values)


# -- §5, §6.3 support provisions ------------------------------------------------------------


def test_s6_3_the_municipality_pays_a_provision_its_verordening_offers():
    provision()
    provision(kind=ProvisionKind.TRANSPORT, monthly_cost=None, ends_on=date(2026, 3, 1))


def test_s5_the_municipality_does_not_pay_a_provision_its_verordening_does_not_offer():
    with pytest.raises(RuleViolation) as refused:
        provision(kind=ProvisionKind.WORKPLACE_ADAPTATION)
    assert refused.value.code == "provision_not_offered"


def test_s6_3_uwv_supplies_provisions_outside_the_verordening():
    provision(kind=ProvisionKind.WORKPLACE_ADAPTATION, payer=Responsible.UWV, offered_kinds=[])


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"ends_on": date(2026, 2, 28)}, "provision_end_before_start"),
        ({"monthly_cost": Decimal("-0.01")}, "provision_cost_negative"),
    ],
)
def test_s6_3_a_provision_ends_after_it_starts_and_costs_nothing_negative(overrides, code):
    with pytest.raises(RuleViolation) as refused:
        provision(**overrides)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("benefit", "funding", "payer"),
    [
        (BenefitKind.WAJONG, FundingKind.WAGE_DISPENSATION, Responsible.UWV),
        (BenefitKind.WAJONG, None, Responsible.UWV),
        (BenefitKind.WAJONG, FundingKind.WAGE_SUBSIDY, Responsible.MUNICIPALITY),
        (BenefitKind.PARTICIPATIEWET, FundingKind.WAGE_SUBSIDY, Responsible.MUNICIPALITY),
        (BenefitKind.WIA_WAO, None, Responsible.MUNICIPALITY),
    ],
)
def test_s6_3_who_pays_the_provisions_by_default(benefit, funding, payer):
    assert provision_payer(benefit, funding) == payer


# -- §6.1 fixed-term contracts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("contract_ends_on", "signal_on"),
    [
        (date(2026, 12, 14), date(2026, 10, 14)),  # a Wednesday: two months before
        (date(2026, 12, 31), date(2026, 10, 30)),  # 31 October is a Saturday: the Friday
        (date(2026, 4, 30), date(2026, 2, 27)),  # the end of February, a Saturday
        (date(2027, 7, 5), date(2027, 5, 4)),  # 5 May is a holiday every year (Atw art. 3)
        (date(2026, 6, 27), date(2026, 4, 24)),  # King's Day (Monday), then the weekend
        (date(2026, 8, 27), date(2026, 6, 26)),  # a Saturday, then Friday
    ],
)
def test_s6_1_the_end_of_a_fixed_term_contract_is_signalled_two_months_ahead_on_a_working_day(
    contract_ends_on, signal_on
):
    assert contract_end_signal_date(contract_ends_on) == signal_on


def test_s6_1_the_signal_skips_a_decree_day_and_the_holiday_before_it():
    # Ascension Day 2026 is Thursday 14 May; the Friday after it is equated by decree.
    decree_day = date(2026, 5, 15)
    assert contract_end_signal_date(date(2026, 7, 15)) == date(2026, 5, 15)
    assert contract_end_signal_date(date(2026, 7, 15), [decree_day]) == date(2026, 5, 13)


def test_s6_1_a_fixed_term_contract_has_a_last_day_an_indefinite_one_none():
    check_fixed_term(ContractKind.FIXED, date(2026, 1, 1), date(2026, 12, 31))
    check_fixed_term(ContractKind.INDEFINITE, date(2026, 1, 1), None)
    for kind, ends_on, code in [
        (ContractKind.FIXED, None, "contract_end_required"),
        (ContractKind.FIXED, date(2025, 12, 31), "contract_end_before_start"),
        (ContractKind.INDEFINITE, date(2026, 12, 31), "contract_end_not_fixed"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            check_fixed_term(kind, date(2026, 1, 1), ends_on)
        assert refused.value.code == code


def test_s6_1_a_contract_continues_with_a_later_last_day():
    ends = date(2026, 12, 31)
    check_contract_outcome(ContractOutcome.CONTINUED_FIXED, ends, date(2027, 12, 31))
    check_contract_outcome(ContractOutcome.CONTINUED_INDEFINITE, ends, None)
    check_contract_outcome(ContractOutcome.NEW_PLACE, ends, None)
    for new_end, code in [(None, "contract_end_required"), (ends, "contract_end_not_later")]:
        with pytest.raises(RuleViolation) as refused:
            check_contract_outcome(ContractOutcome.CONTINUED_FIXED, ends, new_end)
        assert refused.value.code == code


def test_s6_1_the_no_risk_policy_applies_to_a_job_of_someone_with_a_positive_advice():
    assert no_risk_policy_applies(AdviceOutcome.POSITIVE, employed=True)
    assert not no_risk_policy_applies(AdviceOutcome.POSITIVE, employed=False)
    assert not no_risk_policy_applies(AdviceOutcome.NEGATIVE, employed=True)
    assert not no_risk_policy_applies(None, employed=True)


# -- §3.3 the appeal ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "possible"),
    [
        ("granted", True),
        ("dismissed", True),
        ("inadmissible", True),
        ("pending", False),
        ("withdrawn", False),
    ],
)
def test_s3_3_an_appeal_follows_the_decision_on_an_objection(outcome, possible):
    assert appeal_possible(outcome) is possible


def test_the_actions_after_the_placement_follow_the_case():
    def actions(state, **flags):
        return allowed_actions(state, decided=True, objection_pending=False, **flags)

    assert CaseAction.PROVISION in actions(CaseState.EMPLOYED)
    assert CaseAction.PROVISION not in actions(CaseState.REJECTED)
    assert CaseAction.CONTRACT in actions(CaseState.EMPLOYED, fixed_term=True)
    assert CaseAction.CONTRACT not in actions(CaseState.EMPLOYED)
    assert CaseAction.END_PROVISION in actions(CaseState.CLOSED, open_provision=True)
    rejected = actions(CaseState.REJECTED, appealable=True)
    assert CaseAction.FILE_APPEAL in rejected and CaseAction.DECIDE_APPEAL not in rejected
    pending = actions(CaseState.REJECTED, appealable=False, appeal_pending=True)
    assert CaseAction.DECIDE_APPEAL in pending and CaseAction.FILE_APPEAL not in pending
