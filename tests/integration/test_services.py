"""The public services (cases.services): every write with business meaning, through the
lifecycle of a case, with the audit trail each one leaves.

Dates matter (terms, the 12-month rule, the verordening in force), so the clock is fixed
with time-machine wherever a service reads "today".
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import rules, selectors, services
from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import (
    AdviceOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    ContractKind,
    TermKind,
    WorkplaceKind,
)
from cases.models import Advice, Case, Decision, Objection, Person
from cases.placement.models import AvailabilityPeriod, Employment
from cases.terms.models import Term, TermEvent
from tests.factories import (
    CaseFactory,
    EmploymentFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
GOOD_CAPACITY = rules.WorkCapacity(True, True, Decimal(2), Decimal(6))
POOR_CAPACITY = rules.WorkCapacity(True, True, Decimal(2), Decimal(3))  # < 4 hours a day


def on(day: date):
    """Fix the clock at 10:00 Amsterdam time on ``day``."""
    return time_machine.travel(datetime.combine(day, time(10), tzinfo=AMSTERDAM), tick=False)


def restore_reference_data() -> None:
    """``transaction=True`` tests run on a database that an earlier transactional test may have
    flushed, losing what the data migration loads (AOW ages, decree days, national quota):
    load it again, the migration's own way. (``serialized_rollback`` would do it too, but
    clashes with the transactional tests elsewhere that do not use it.)"""
    from importlib import import_module

    from django.apps import apps

    import_module("cases.migrations.0003_reference_data").load(apps, None)


class World:
    def __init__(self):
        self.municipality = MunicipalityFactory()
        self.verordening = VerordeningFactory(
            municipality=self.municipality, in_force_from=date(2020, 1, 1)
        )
        for year in (2026, 2027):
            YearlyQuotaFactory(municipality=self.municipality, year=year, places=Decimal(5))
        self.consultant = UserFactory(consultant=True, municipality=self.municipality)
        self.assessor = UserFactory(uwv_assessor=True)
        self.citizen = UserFactory()

    def person(self, **fields) -> Person:
        fields.setdefault("birth_date", date(1998, 5, 17))
        return PersonFactory(municipality=self.municipality, **fields)

    def draft(self, person: Person | None = None, **application_fields) -> Case:
        return services.create_application(
            person=person or self.person(),
            applicant_kind=ApplicantKind.PERSON,
            source=CandidateSource.SCHOOL,
            actor=self.citizen,
            support_needed="Iemand die altijd in de buurt is.",
            needs_supervision=True,
            **application_fields,
        )

    def submitted(self, person: Person | None = None, **application_fields) -> Case:
        case = self.draft(person, **application_fields)
        return services.submit_application(case_id=case.pk, actor=self.citizen)

    def advised(self, positive: bool = True, person: Person | None = None) -> Case:
        case = self.submitted(person)
        services.record_advice(
            case_id=case.pk,
            outcome=AdviceOutcome.POSITIVE if positive else AdviceOutcome.NEGATIVE,
            reasons="Onderzocht op de werkvloer.",
            needs_supervision=positive,
            work_capacity=GOOD_CAPACITY,
            actor=self.assessor,
        )
        return Case.objects.get(pk=case.pk)

    def decided(self, positive: bool = True, person: Person | None = None) -> Case:
        case = self.advised(positive, person)
        services.record_decision(case_id=case.pk, positive=positive, actor=self.consultant)
        return Case.objects.get(pk=case.pk)

    def place(self, case: Case, *, hours="31", start_on=date(2026, 3, 2), **extra) -> Employment:
        extra.setdefault("agreed_wage", Decimal(2600))
        extra.setdefault("wage_value_pct", Decimal(40))
        return services.place_person(
            case_id=case.pk,
            employer_name="Sociaal Ontwikkelbedrijf",
            workplace_kind=WorkplaceKind.SOCIAL_ENTERPRISE,
            hours_per_week=Decimal(hours),
            start_on=start_on,
            contract_kind=ContractKind.INDEFINITE,
            actor=self.consultant,
            **extra,
        )


@pytest.fixture
def world():
    return World()


def refused(excinfo) -> str:
    return excinfo.value.code


def snapshot(case: Case) -> tuple:
    """Everything a refused service must leave alone."""
    case.refresh_from_db()
    return (
        case.state,
        case.state_since,
        case.positive_decision_on,
        Advice.objects.filter(case=case).count(),
        Decision.objects.filter(case=case).count(),
        Objection.objects.filter(case=case).count(),
        Employment.objects.filter(case=case).count(),
        list(Term.objects.filter(case=case).values_list("kind", "end_on", "met_on")),
        CaseEvent.objects.filter(case=case).count(),
    )


# -- submit (DOMAIN §1, §2.1) --------------------------------------------------------------


def test_submit_starts_the_uwv_term_of_8_weeks_on_the_day_of_receipt(world):
    with on(date(2026, 1, 5)):  # Monday
        case = world.submitted()

    case.application.refresh_from_db()
    term = Term.objects.get(case=case, kind=TermKind.UWV_ADVICE)
    assert case.state == CaseState.SUBMITTED
    assert case.submitted_at is not None
    assert case.application.received_on == date(2026, 1, 5)
    assert (term.starts_on, term.weeks, term.end_on) == (date(2026, 1, 5), 8, date(2026, 3, 2))
    event = CaseEvent.objects.get(case=case, action="application_submitted")
    assert (event.from_state, event.to_state) == (CaseState.DRAFT, CaseState.SUBMITTED)
    assert event.details["uwv_term_end"] == "2026-03-02"


def test_submit_extends_a_term_ending_on_a_holiday_to_the_next_working_day(world):
    with on(date(2026, 3, 2)):  # + 8 weeks = Monday 27 April 2026, King's Day
        case = world.submitted()

    assert Term.objects.get(case=case, kind=TermKind.UWV_ADVICE).end_on == date(2026, 4, 28)


def test_submit_extends_over_5_may_which_atw_counts_every_year(world):
    with on(date(2026, 3, 10)):  # + 8 weeks = Tuesday 5 May 2026 (not a lustrum year)
        case = world.submitted()

    assert Term.objects.get(case=case, kind=TermKind.UWV_ADVICE).end_on == date(2026, 5, 6)


@pytest.mark.parametrize(
    ("birth_date", "code"),
    [(date(1955, 1, 1), "age_aow_reached")],
)
def test_submit_refuses_a_blocking_age_and_changes_nothing(world, birth_date, code):
    with on(date(2026, 1, 5)):
        case = world.draft(world.person(birth_date=birth_date))
        before = snapshot(case)
        with pytest.raises(ValidationError) as excinfo:
            services.submit_application(case_id=case.pk, actor=world.citizen)

    assert refused(excinfo) == code
    assert snapshot(case) == before
    case.application.refresh_from_db()
    assert case.application.received_on is None
    assert case.state == CaseState.DRAFT


def test_submit_lets_a_14_year_old_apply(world):
    # 004, "Leeftijdsgrens": no age limit for applying
    with on(date(2026, 1, 5)):
        case = world.submitted(world.person(birth_date=date(2012, 1, 1)))

    assert case.state == CaseState.SUBMITTED


def test_submit_lets_a_16_year_old_apply(world):
    with on(date(2026, 1, 5)):
        case = world.submitted(world.person(birth_date=date(2009, 6, 1)))

    assert case.state == CaseState.SUBMITTED


def test_submit_twice_is_refused(world):
    with on(date(2026, 1, 5)):
        case = world.submitted()
        with pytest.raises(ValidationError) as excinfo:
            services.submit_application(case_id=case.pk, actor=world.citizen)

    assert refused(excinfo) == "already_submitted"
    assert Term.objects.filter(case=case).count() == 1


# -- suspend and resume (DOMAIN §0) -------------------------------------------------------


def test_suspending_and_resuming_moves_the_end_by_the_days_suspended_and_keeps_the_events(
    world,
):
    with on(date(2026, 1, 5)):
        case = world.submitted()
    with on(date(2026, 1, 19)):
        term = services.suspend_term(
            case_id=case.pk,
            kind=TermKind.UWV_ADVICE,
            on=date(2026, 1, 19),
            reason="Wacht op brief huisarts",
            actor=world.assessor,
        )
        assert term.suspended_since == date(2026, 1, 19)
        with pytest.raises(ValidationError) as excinfo:
            services.suspend_term(
                case_id=case.pk,
                kind=TermKind.UWV_ADVICE,
                on=date(2026, 1, 19),
                reason="nog eens",
                actor=world.assessor,
            )
        assert refused(excinfo) == "already_suspended"
    with on(date(2026, 1, 29)):
        term = services.resume_term(
            case_id=case.pk, kind=TermKind.UWV_ADVICE, on=date(2026, 1, 29), actor=world.assessor
        )

    term.refresh_from_db()
    assert term.suspended_since is None
    assert term.end_on == date(2026, 3, 2) + timedelta(days=10)
    assert term.starts_on == date(2026, 1, 5)  # history is not rewritten
    assert list(term.events.values_list("kind", "on")) == [
        (TermEvent.Kind.SUSPENDED, date(2026, 1, 19)),
        (TermEvent.Kind.RESUMED, date(2026, 1, 29)),
    ]
    assert list(
        CaseEvent.objects.filter(case=case, action__startswith="term_").values_list(
            "action", flat=True
        )
    ) == ["term_suspended", "term_resumed"]


def test_resuming_a_running_term_is_refused(world):
    with on(date(2026, 1, 5)):
        case = world.submitted()
        with pytest.raises(ValidationError) as excinfo:
            services.resume_term(
                case_id=case.pk, kind=TermKind.UWV_ADVICE, on=date(2026, 1, 5), actor=world.assessor
            )

    assert refused(excinfo) == "not_suspended"


# -- advice (DOMAIN §2) ---------------------------------------------------------------------


def test_an_advice_that_does_not_match_the_findings_is_refused(world):
    with on(date(2026, 1, 5)):
        case = world.submitted()
        before = snapshot(case)
        with pytest.raises(ValidationError) as excinfo:
            services.record_advice(
                case_id=case.pk,
                outcome=AdviceOutcome.NEGATIVE,
                reasons="Onderzocht.",
                needs_supervision=True,
                work_capacity=GOOD_CAPACITY,
                actor=world.assessor,
            )
        assert refused(excinfo) == "outcome_mismatch"
        with pytest.raises(ValidationError) as excinfo:
            services.record_advice(
                case_id=case.pk,
                outcome=AdviceOutcome.POSITIVE,
                reasons="Onderzocht.",
                needs_supervision=True,
                work_capacity=POOR_CAPACITY,
                actor=world.assessor,
            )
        assert refused(excinfo) == "outcome_mismatch"

    assert snapshot(case) == before


def test_an_advice_needs_reasons_and_findings(world):
    with on(date(2026, 1, 5)):
        case = world.submitted()
        for kwargs, code in [
            ({"reasons": "  ", "work_capacity": GOOD_CAPACITY}, "reasons_required"),
            ({"reasons": "Onderzocht."}, "work_capacity_required"),
        ]:
            with pytest.raises(ValidationError) as excinfo:
                services.record_advice(
                    case_id=case.pk,
                    outcome=AdviceOutcome.POSITIVE,
                    needs_supervision=True,
                    actor=world.assessor,
                    **kwargs,
                )
            assert refused(excinfo) == code


def test_a_positive_advice_meets_the_uwv_term_starts_the_decision_term_and_leaves_the_register(
    world,
):
    person = world.person(in_jobs_register=True)
    with on(date(2026, 1, 5)):
        case = world.submitted(person)
    with on(date(2026, 2, 2)):
        advice = services.record_advice(
            case_id=case.pk,
            outcome=AdviceOutcome.POSITIVE,
            reasons="Heeft permanent toezicht nodig.",
            needs_supervision=True,
            work_capacity=GOOD_CAPACITY,
            actor=world.assessor,
        )

    person.refresh_from_db()
    assert not person.in_jobs_register  # §2.5: at once
    assert advice.issued_on == date(2026, 2, 2)
    assert not advice.without_investigation
    assert Case.objects.get(pk=case.pk).state == CaseState.ADVICE_ISSUED
    uwv_term = Term.objects.get(case=case, kind=TermKind.UWV_ADVICE)
    assert uwv_term.met_on == date(2026, 2, 2)
    decision_term = Term.objects.get(case=case, kind=TermKind.DECISION)
    assert decision_term.end_on == date(2026, 3, 30)  # the verordening's 8 weeks


def test_a_negative_advice_keeps_the_person_in_the_jobs_register(world):
    person = world.person(in_jobs_register=True)
    with on(date(2026, 1, 5)):
        world.advised(positive=False, person=person)

    person.refresh_from_db()
    assert person.in_jobs_register


@pytest.mark.parametrize(
    ("supported_employment", "outcome"),
    [(False, AdviceOutcome.POSITIVE), (True, AdviceOutcome.NEGATIVE)],
)
def test_a_valid_wsw_indication_decides_without_investigation(world, supported_employment, outcome):
    person = world.person(
        wsw_indication_end=date(2027, 1, 1), wsw_supported_employment=supported_employment
    )
    other = AdviceOutcome.NEGATIVE if outcome == AdviceOutcome.POSITIVE else AdviceOutcome.POSITIVE
    with on(date(2026, 1, 5)):
        case = world.submitted(person)
        with pytest.raises(ValidationError) as excinfo:
            services.record_advice(
                case_id=case.pk,
                outcome=other,
                reasons="Wsw-indicatie.",
                needs_supervision=True,
                actor=world.assessor,
            )
        assert refused(excinfo) == "outcome_mismatch"
        advice = services.record_advice(
            case_id=case.pk, outcome=outcome, reasons="Wsw-indicatie.", actor=world.assessor
        )

    assert advice.without_investigation
    assert advice.outcome == outcome


def test_an_expired_wsw_indication_means_a_full_assessment(world):
    person = world.person(wsw_indication_end=date(2025, 12, 31))
    with on(date(2026, 1, 5)):
        case = world.submitted(person)
        with pytest.raises(ValidationError) as excinfo:
            services.record_advice(
                case_id=case.pk, outcome=AdviceOutcome.POSITIVE, reasons="x", actor=world.assessor
            )

    assert refused(excinfo) == "work_capacity_required"


def test_the_12_month_rule_gives_a_negative_advice_unless_circumstances_changed(world):
    person = world.person()
    with on(date(2026, 1, 5)):
        world.decided(positive=False, person=person)  # advice issued on 5 January
    with on(date(2026, 6, 1)):
        again = world.submitted(person)
        event = CaseEvent.objects.get(case=again, action="application_submitted")
        assert event.details["twelve_month_rule"] == "negative_unless_changed"
        with pytest.raises(ValidationError) as excinfo:
            services.record_advice(
                case_id=again.pk,
                outcome=AdviceOutcome.POSITIVE,
                reasons="Onderzocht.",
                needs_supervision=True,
                work_capacity=GOOD_CAPACITY,
                actor=world.assessor,
            )
        assert refused(excinfo) == "outcome_mismatch"
        services.record_advice(
            case_id=again.pk,
            outcome=AdviceOutcome.NEGATIVE,
            reasons="Binnen 12 maanden opnieuw aangevraagd.",
            needs_supervision=True,
            work_capacity=GOOD_CAPACITY,
            actor=world.assessor,
        )
        changed = world.submitted(person, changed_circumstances="Nieuwe diagnose.")
        advice = services.record_advice(
            case_id=changed.pk,
            outcome=AdviceOutcome.POSITIVE,
            reasons="Opnieuw beoordeeld.",
            needs_supervision=True,
            work_capacity=GOOD_CAPACITY,
            actor=world.assessor,
        )

    assert advice.outcome == AdviceOutcome.POSITIVE


def test_after_12_months_a_new_self_application_is_assessed_again(world):
    person = world.person()
    with on(date(2025, 1, 6)):
        world.decided(positive=False, person=person)
    with on(date(2026, 1, 6)):
        case = world.submitted(person)
        advice = services.record_advice(
            case_id=case.pk,
            outcome=AdviceOutcome.POSITIVE,
            reasons="Onderzocht.",
            needs_supervision=True,
            work_capacity=GOOD_CAPACITY,
            actor=world.assessor,
        )

    assert advice.outcome == AdviceOutcome.POSITIVE


# -- decision (DOMAIN §3) -------------------------------------------------------------------


def test_a_decision_that_deviates_without_a_reason_is_refused_and_nothing_is_written(world):
    with on(date(2026, 1, 5)):
        case = world.advised(positive=True)
    with on(date(2026, 2, 2)):
        before = snapshot(case)
        for reason in ("", "   "):
            with pytest.raises(ValidationError) as excinfo:
                services.record_decision(
                    case_id=case.pk,
                    positive=False,
                    deviation_reason=reason,
                    actor=world.consultant,
                )
            assert refused(excinfo) == "deviation_without_reason"

    assert snapshot(case) == before


def test_a_deviating_decision_with_a_reason_is_recorded(world):
    with on(date(2026, 1, 5)):
        case = world.advised(positive=True)
    with on(date(2026, 2, 2)):
        decision = services.record_decision(
            case_id=case.pk,
            positive=False,
            deviation_reason="  Het advies is niet zorgvuldig tot stand gekomen.  ",
            actor=world.consultant,
        )

    assert not decision.follows_advice
    assert decision.deviation_reason == "Het advies is niet zorgvuldig tot stand gekomen."
    assert Case.objects.get(pk=case.pk).state == CaseState.REJECTED


def test_a_positive_decision_makes_a_candidate_with_a_6_week_objection_term(world):
    with on(date(2026, 1, 5)):
        case = world.advised(positive=True)
    with on(date(2026, 3, 2)):
        decision = services.record_decision(case_id=case.pk, positive=True, actor=world.consultant)

    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_PLACEMENT
    assert case.positive_decision_on == date(2026, 3, 2)
    assert decision.sent_on == date(2026, 3, 2)
    assert decision.follows_advice
    objection_term = Term.objects.get(case=case, kind=TermKind.OBJECTION)
    assert (objection_term.weeks, objection_term.end_on) == (6, date(2026, 4, 13))
    assert Term.objects.get(case=case, kind=TermKind.DECISION).met_on == date(2026, 3, 2)
    placement = Term.objects.get(case=case, kind=TermKind.PLACEMENT)
    # §4.8: the 3-month signal counts from the positive advice (5 January), not the decision
    assert (placement.starts_on, placement.end_on) == (date(2026, 1, 5), date(2026, 4, 5))


def test_a_second_decision_is_refused(world):
    with on(date(2026, 1, 5)):
        case = world.decided(positive=True)
        before = snapshot(case)
        with pytest.raises(ValidationError) as excinfo:
            services.record_decision(case_id=case.pk, positive=True, actor=world.consultant)

    assert refused(excinfo) == "already_decided"
    assert snapshot(case) == before


def test_a_decision_uses_the_verordening_in_force_that_day(world):
    current = VerordeningFactory(municipality=world.municipality, in_force_from=date(2026, 1, 1))
    VerordeningFactory(municipality=world.municipality, in_force_from=date(2026, 7, 1))
    with on(date(2026, 1, 5)):
        case = world.advised(positive=True)
    with on(date(2026, 6, 30)):
        decision = services.record_decision(case_id=case.pk, positive=True, actor=world.consultant)

    assert decision.verordening == current
    event = CaseEvent.objects.get(case=case, action="decision_recorded")
    assert event.details["verordening"] == current.pk


def test_a_decision_without_a_verordening_in_force_is_refused(world):
    world.verordening.delete()
    VerordeningFactory(municipality=world.municipality, in_force_from=date(2027, 1, 1))
    with on(date(2026, 1, 5)):
        case = world.advised(positive=True)
        with pytest.raises(ValidationError) as excinfo:
            services.record_decision(case_id=case.pk, positive=True, actor=world.consultant)

    assert refused(excinfo) == "no_verordening"


# -- objection (DOMAIN §3.3) ----------------------------------------------------------------


def test_an_objection_against_a_refusal_that_is_granted_makes_the_person_a_candidate(world):
    with on(date(2026, 1, 5)):
        case = world.decided(positive=False)
    with on(date(2026, 2, 2)):
        objection = services.file_objection(
            case_id=case.pk, grounds="Ik kan wel werken met begeleiding.", actor=world.citizen
        )
        assert objection.in_time
        assert Case.objects.get(pk=case.pk).state == CaseState.OBJECTION
        assert Term.objects.get(case=case, kind=TermKind.OBJECTION).met_on == date(2026, 2, 2)
        with pytest.raises(ValidationError) as excinfo:
            services.file_objection(case_id=case.pk, grounds="Nog een.", actor=world.citizen)
        assert refused(excinfo) == "objection_pending"
    with on(date(2026, 3, 16)):
        # §3.2: the refusal followed a negative advice: upholding the objection deviates from
        # it, which needs a recorded reason
        for reason in ("", "  "):
            with pytest.raises(ValidationError) as excinfo:
                services.decide_objection(
                    objection_id=objection.pk,
                    outcome=Objection.Outcome.GRANTED,
                    deviation_reason=reason,
                    actor=world.consultant,
                )
            assert refused(excinfo) == "deviation_without_reason"
        assert Objection.objects.get(pk=objection.pk).outcome == Objection.Outcome.PENDING
        assert Case.objects.get(pk=case.pk).state == CaseState.OBJECTION
        services.decide_objection(
            objection_id=objection.pk,
            outcome=Objection.Outcome.GRANTED,
            deviation_reason=" Het advies ging uit van een verouderd rapport. ",
            actor=world.consultant,
        )

    case.refresh_from_db()
    objection.refresh_from_db()
    assert (objection.outcome, objection.decided_on) == ("granted", date(2026, 3, 16))
    assert objection.deviation_reason == "Het advies ging uit van een verouderd rapport."
    granted = CaseEvent.objects.get(case=case, action="objection_granted")
    assert granted.details == {"follows_advice": False}
    assert case.state == CaseState.AWAITING_PLACEMENT
    assert case.positive_decision_on == date(2026, 3, 16)
    # no positive advice: the placement signal counts from the decision on the objection
    assert Term.objects.get(case=case, kind=TermKind.PLACEMENT).end_on == date(2026, 6, 16)
    with pytest.raises(ValidationError) as excinfo:
        services.decide_objection(
            objection_id=objection.pk, outcome=Objection.Outcome.DISMISSED, actor=world.consultant
        )
    assert refused(excinfo) == "objection_decided"


def test_a_dismissed_objection_returns_the_case_to_rejected(world):
    with on(date(2026, 1, 5)):
        case = world.decided(positive=False)
        objection = services.file_objection(case_id=case.pk, grounds="Oneens.", actor=world.citizen)
        with pytest.raises(ValidationError) as excinfo:
            services.decide_objection(
                objection_id=objection.pk, outcome="pending", actor=world.consultant
            )
        assert refused(excinfo) == "objection_outcome"
        services.decide_objection(
            objection_id=objection.pk, outcome=Objection.Outcome.DISMISSED, actor=world.consultant
        )

    assert Case.objects.get(pk=case.pk).state == CaseState.REJECTED


def test_a_late_objection_is_registered_as_not_in_time(world):
    with on(date(2026, 1, 5)):
        case = world.decided(positive=False)  # objection term ends 16 February
    with on(date(2026, 3, 2)):
        objection = services.file_objection(
            case_id=case.pk, grounds="Te laat.", actor=world.citizen
        )

    assert not objection.in_time


def test_an_objection_posted_by_the_end_of_the_term_and_received_within_a_week_is_in_time(
    world,
):
    """Awb 6:9: posted on the last day (Monday 16 February) and received that Thursday."""
    with on(date(2026, 1, 5)):
        case = world.decided(positive=False)  # objection term ends 16 February
        other = world.decided(positive=False)
    with on(date(2026, 2, 19)):
        posted = services.file_objection(
            case_id=case.pk,
            grounds="Op tijd gepost.",
            filed_on=date(2026, 2, 19),
            posted_on=date(2026, 2, 16),
            actor=world.consultant,
        )
        unposted = services.file_objection(
            case_id=other.pk, grounds="Geen poststempel.", actor=world.consultant
        )

    assert posted.in_time
    assert not unposted.in_time
    posted.refresh_from_db()
    assert posted.posted_on == date(2026, 2, 16)  # what the judgement rests on is kept


def test_an_objection_posted_after_it_was_received_is_refused(world):
    with on(date(2026, 1, 5)):
        case = world.decided(positive=False)
    with on(date(2026, 2, 2)), pytest.raises(ValidationError) as excinfo:
        services.file_objection(
            case_id=case.pk,
            grounds="Oneens.",
            filed_on=date(2026, 2, 2),
            posted_on=date(2026, 2, 3),
            actor=world.consultant,
        )

    assert refused(excinfo) == "posted_on"


def test_an_objection_without_grounds_or_decision_is_refused(world):
    with on(date(2026, 1, 5)):
        advised = world.advised(positive=False)
        with pytest.raises(ValidationError) as excinfo:
            services.file_objection(case_id=advised.pk, grounds="Oneens.", actor=world.citizen)
        assert refused(excinfo) == "no_decision"
        decided = world.decided(positive=False)
        with pytest.raises(ValidationError) as excinfo:
            services.file_objection(case_id=decided.pk, grounds=" ", actor=world.citizen)
        assert refused(excinfo) == "grounds_required"


# -- availability (DOMAIN §4.4) -------------------------------------------------------------


def test_unavailable_and_available_again_pause_the_case_with_a_period(world):
    with on(date(2026, 1, 5)):
        case = world.decided(positive=True)
    with on(date(2026, 2, 2)):
        services.mark_unavailable(case_id=case.pk, reason="illness", actor=world.consultant)
        assert Case.objects.get(pk=case.pk).state == CaseState.UNAVAILABLE
        with pytest.raises(ValidationError) as excinfo:
            world.place(case)
        assert refused(excinfo) == "not_placeable"
    with on(date(2026, 3, 2)):
        services.mark_available(case_id=case.pk, actor=world.consultant)

    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT
    period = AvailabilityPeriod.objects.get(case=case)
    assert (period.unavailable_from, period.available_again_on) == (
        date(2026, 2, 2),
        date(2026, 3, 2),
    )
    case.refresh_from_db()
    assert case.positive_decision_on == date(2026, 1, 5)  # keeps the turn


# -- placement and employment (DOMAIN §4, §6) -----------------------------------------------


def test_placing_a_candidate_employs_them_and_meets_the_placement_signal(world):
    with on(date(2026, 1, 5)):
        case = world.decided(positive=True)
    with on(date(2026, 2, 2)):
        employment = world.place(case, hours="25", start_on=date(2026, 3, 2))

    case.refresh_from_db()
    assert case.state == CaseState.EMPLOYED
    assert employment.municipality == world.municipality
    assert employment.hours_per_week == Decimal(25)
    assert employment.funding_kind == "wage_subsidy"
    # 60% of the minimum wage for 25 hours on 2 March 2026: 14.71 × 25 × 52/12 = 1593.58
    assert employment.max_monthly_subsidy == Decimal("956.15")
    assert Term.objects.get(case=case, kind=TermKind.PLACEMENT).met_on == date(2026, 3, 2)
    event = CaseEvent.objects.get(case=case, action="placed")
    assert event.details["places"] == "0.81"


def test_a_job_of_42_hours_a_week_is_placed(world):
    """Kennisdocument vraag 15: the law sets no maximum size of the contract, nor may the
    municipality; 42 hours a week is lawful under the Arbeidstijdenwet."""
    with on(date(2026, 1, 5)):
        case = world.decided(positive=True)
    with on(date(2026, 2, 2)):
        employment = world.place(case, hours="42", agreed_wage=Decimal(3000))

    assert employment.hours_per_week == Decimal(42)
    assert CaseEvent.objects.get(case=case, action="placed").details["places"] == "1.35"


@pytest.mark.parametrize("hours", ["0", "61", "-3"])
def test_placing_with_hours_outside_0_to_60_is_refused(world, hours):
    with on(date(2026, 1, 5)):
        case = world.decided(positive=True)
        before = snapshot(case)
        with pytest.raises(ValidationError) as excinfo:
            world.place(case, hours=hours)

    assert refused(excinfo) == "hours_out_of_range"
    assert snapshot(case) == before


def test_placing_beyond_capacity_is_refused(world):
    YearlyQuotaFactory(municipality=world.municipality, year=2028, places=Decimal(1))
    with on(date(2026, 1, 5)):
        first, second = world.decided(), world.decided()
        world.place(first, start_on=date(2028, 1, 3))
        before = snapshot(second)
        with pytest.raises(ValidationError) as excinfo:
            world.place(second, start_on=date(2028, 1, 10))

    assert refused(excinfo) == "no_place_left"
    assert snapshot(second) == before


def test_the_verordening_additional_places_allow_placing_beyond_the_quota(world):
    YearlyQuotaFactory(municipality=world.municipality, year=2028, places=Decimal(1))
    VerordeningFactory(
        municipality=world.municipality,
        in_force_from=date(2027, 6, 1),
        offers_additional_places=True,
        additional_places_per_year=1,
    )
    with on(date(2026, 1, 5)):
        cases = [world.decided() for _ in range(3)]
        world.place(cases[0], start_on=date(2028, 1, 3))
        world.place(cases[1], start_on=date(2028, 1, 3))
        with pytest.raises(ValidationError) as excinfo:
            world.place(cases[2], start_on=date(2028, 1, 3))

    assert refused(excinfo) == "no_place_left"


def test_placing_in_a_year_whose_quota_is_not_entered_counts_the_latest_earlier_one(world):
    # The quota is cumulative: until the new year's is entered, the year before binds (as on
    # the waiting list); a placement is not refused for want of the row.
    with on(date(2026, 1, 5)):
        case = world.decided()
        employment = world.place(case, start_on=date(2030, 1, 7))

    assert employment.start_on == date(2030, 1, 7)


def test_a_wajong_recipient_gets_wage_dispensation_instead_of_a_subsidy(world):
    with on(date(2026, 1, 5)):
        case = world.decided(person=world.person(benefit_kind=BenefitKind.WAJONG))
        employment = world.place(case, wage_value_pct=None)

    assert employment.funding_kind == "wage_dispensation"
    assert employment.max_monthly_subsidy is None


def test_placing_without_a_wage_value_is_refused_with_a_validation_error(world):
    with on(date(2026, 1, 5)):
        case = world.decided()
        with pytest.raises(ValidationError) as excinfo:
            world.place(case, wage_value_pct=None)

    assert refused(excinfo) == "wage_value_required"


def test_placing_counts_jobs_that_start_later_than_the_new_one(world):
    YearlyQuotaFactory(municipality=world.municipality, year=2028, places=Decimal(1))
    with on(date(2026, 1, 5)):
        first, second = world.decided(), world.decided()
        world.place(first, start_on=date(2028, 3, 1))
        with pytest.raises(ValidationError) as excinfo:
            world.place(second, start_on=date(2028, 2, 1))

    assert refused(excinfo) == "no_place_left"


def test_realised_places_count_a_25_hour_job_as_081():
    employment = EmploymentFactory(
        case__person__municipality=MunicipalityFactory(), hours_per_week=Decimal(25)
    )

    realised = selectors.realised_places(employment.municipality_id, on=employment.start_on)

    assert realised == Decimal(25) / Decimal(31)
    assert realised.quantize(Decimal("0.01")) == Decimal("0.81")


def test_committed_places_count_every_job_not_ended_before_the_day_whenever_it_starts():
    """The selector place_person checks against: jobs that start later count too."""
    municipality = MunicipalityFactory()
    day = date(2028, 2, 1)
    for hours, start_on, end_on in [
        ("25", date(2027, 1, 1), None),  # running: 0.81
        ("31", date(2028, 3, 1), None),  # starts later: 1.00
        ("12.5", date(2027, 1, 1), day),  # ends that day: 0.40
        ("31", date(2027, 1, 1), day - timedelta(days=1)),  # ended before: not counted
    ]:
        EmploymentFactory(
            case__person__municipality=municipality,
            municipality=municipality,
            hours_per_week=Decimal(hours),
            start_on=start_on,
            end_on=end_on,
        )

    # (25 + 31 + 12.5) hours / 31, divided once: 2.2096… (2.21 when shown).
    assert selectors.committed_places(municipality.pk, from_on=day) == Decimal("68.5") / 31
    assert selectors.committed_places(MunicipalityFactory().pk, from_on=day) == 0


def test_ending_an_employment_puts_the_person_back_on_the_list(world):
    with on(date(2026, 1, 5)):
        case = world.decided()
        employment = world.place(case, start_on=date(2026, 2, 2))
    with on(date(2026, 9, 1)):
        with pytest.raises(ValidationError) as excinfo:
            services.end_employment(
                employment_id=employment.pk,
                end_on=date(2026, 2, 1),
                reason="x",
                actor=world.consultant,
            )
        assert refused(excinfo) == "end_before_start"
        services.end_employment(
            employment_id=employment.pk,
            end_on=date(2026, 8, 31),
            reason="Contract niet verlengd",
            actor=world.consultant,
        )
        with pytest.raises(ValidationError) as excinfo:
            services.end_employment(
                employment_id=employment.pk,
                end_on=date(2026, 8, 31),
                reason="x",
                actor=world.consultant,
            )
        assert refused(excinfo) == "already_ended"

    case.refresh_from_db()
    employment.refresh_from_db()
    assert case.state == CaseState.AWAITING_PLACEMENT  # §6.4: the advice still stands
    assert employment.end_on == date(2026, 8, 31)
    signals = Term.objects.filter(case=case, kind=TermKind.PLACEMENT, met_on__isnull=True)
    assert list(signals.values_list("starts_on", "end_on")) == [
        (date(2026, 8, 31), date(2026, 11, 30))
    ]
    with on(date(2026, 9, 1)):
        again = world.place(case, start_on=date(2026, 10, 1))
    assert Employment.objects.filter(case=case).count() == 2
    assert again.end_on is None


# -- illegal transitions --------------------------------------------------------------------


def _call(world, service, case):
    actor = world.consultant
    calls = {
        "submit_application": lambda: services.submit_application(case_id=case.pk, actor=actor),
        "start_investigation": lambda: services.start_investigation(case_id=case.pk, actor=actor),
        "withdraw_application": lambda: services.withdraw_application(case_id=case.pk, actor=actor),
        "record_advice": lambda: services.record_advice(
            case_id=case.pk,
            outcome=AdviceOutcome.POSITIVE,
            reasons="x",
            needs_supervision=True,
            work_capacity=GOOD_CAPACITY,
            actor=actor,
        ),
        "record_decision": lambda: services.record_decision(
            case_id=case.pk, positive=True, actor=actor
        ),
        "file_objection": lambda: services.file_objection(
            case_id=case.pk, grounds="x", actor=actor
        ),
        "mark_unavailable": lambda: services.mark_unavailable(
            case_id=case.pk, reason="illness", actor=actor
        ),
        "mark_available": lambda: services.mark_available(case_id=case.pk, actor=actor),
        "place_person": lambda: world.place(case, start_on=date(2026, 6, 1)),
    }
    return calls[service]()


#: The states from which each service may act on a case; from every other state it must
#: refuse and change nothing.
ALLOWED_FROM = {
    "submit_application": {CaseState.DRAFT},
    "start_investigation": {CaseState.SUBMITTED},
    "withdraw_application": {
        CaseState.DRAFT,
        CaseState.SUBMITTED,
        CaseState.WITH_UWV,
        CaseState.AWAITING_PLACEMENT,
    },
    "record_advice": {CaseState.SUBMITTED, CaseState.WITH_UWV},
    "record_decision": {CaseState.ADVICE_ISSUED},
    # Against a decision: a refusal (-> objection) or a positive decision (history only).
    "file_objection": {
        CaseState.REJECTED,
        CaseState.AWAITING_PLACEMENT,
        CaseState.UNAVAILABLE,
        CaseState.EMPLOYED,
        CaseState.CLOSED,
    },
    "mark_unavailable": {CaseState.AWAITING_PLACEMENT},
    "mark_available": {CaseState.UNAVAILABLE},
    "place_person": {CaseState.AWAITING_PLACEMENT},
}


#: Services that wrongly act from a state today (see the report); strict, so fixing the
#: service makes these fail until the entry is removed.
def _illegal_cases():
    for service, allowed in ALLOWED_FROM.items():
        for state in CaseState:
            if state not in allowed:
                yield pytest.param(service, state, id=f"{service}-from-{state}")


@pytest.mark.parametrize(("service", "state"), list(_illegal_cases()))
def test_every_illegal_transition_is_refused_and_changes_nothing(world, service, state):
    with on(date(2026, 1, 5)):
        case = CaseFactory(
            person__municipality=world.municipality, state=state, lifecycle__actor=world.assessor
        )
        before = snapshot(case)
        with pytest.raises(ValidationError):
            _call(world, service, case)

        assert snapshot(case) == before
    entry = AuditEntry.objects.filter(action=service).latest("id")
    assert (entry.result, entry.object_id) == (AuditEntry.Result.REFUSED, str(case.pk))


def test_withdrawing_a_submitted_application_closes_the_case_and_its_terms(world):
    with on(date(2026, 1, 5)):
        case = world.submitted()
        services.withdraw_application(case_id=case.pk, actor=world.citizen)

    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert case.closed_at is not None
    assert Term.objects.get(case=case, kind=TermKind.UWV_ADVICE).met_on == date(2026, 1, 5)


def test_withdrawing_a_draft_closes_it(world):
    with on(date(2026, 1, 5)):
        case = world.draft()
        services.withdraw_application(case_id=case.pk, actor=world.citizen)

    assert Case.objects.get(pk=case.pk).state == CaseState.WITHDRAWN


def test_a_case_that_does_not_exist_is_refused():
    actor = UserFactory(consultant=True)
    with pytest.raises(ValidationError) as excinfo:
        services.start_investigation(case_id=987_654, actor=actor)
    assert refused(excinfo) == "case_not_found"


# -- the audit trail ------------------------------------------------------------------------


def test_every_service_writes_an_audit_entry_with_actor_action_and_result(world):
    person = world.person(in_jobs_register=True)
    with on(date(2026, 1, 5)):
        case = world.draft(person)
        services.submit_application(case_id=case.pk, actor=world.citizen)
        services.start_investigation(case_id=case.pk, actor=world.assessor)
        services.suspend_term(
            case_id=case.pk,
            kind=TermKind.UWV_ADVICE,
            on=date(2026, 1, 5),
            reason="Wacht op stukken",
            actor=world.assessor,
        )
        services.resume_term(
            case_id=case.pk, kind=TermKind.UWV_ADVICE, on=date(2026, 1, 5), actor=world.assessor
        )
        services.record_advice(
            case_id=case.pk,
            outcome=AdviceOutcome.POSITIVE,
            reasons="Onderzocht.",
            needs_supervision=True,
            work_capacity=GOOD_CAPACITY,
            actor=world.assessor,
        )
        services.record_decision(case_id=case.pk, positive=True, actor=world.consultant)
        objection = services.file_objection(
            case_id=case.pk, grounds="Over de uren.", actor=world.citizen
        )
        services.decide_objection(
            objection_id=objection.pk, outcome=Objection.Outcome.WITHDRAWN, actor=world.consultant
        )
        services.mark_unavailable(case_id=case.pk, reason="illness", actor=world.consultant)
        services.mark_available(case_id=case.pk, actor=world.consultant)
        employment = world.place(case, start_on=date(2026, 2, 2))
        services.end_employment(
            employment_id=employment.pk,
            end_on=date(2026, 2, 27),
            reason="x",
            actor=world.consultant,
        )
        other = world.submitted()
        services.withdraw_application(case_id=other.pk, actor=world.citizen)

    entries = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.actor_id, e.result) for e in entries] == [
        ("create_application", world.citizen.pk, "ok"),
        ("submit_application", world.citizen.pk, "ok"),
        ("start_investigation", world.assessor.pk, "ok"),
        ("suspend_term", world.assessor.pk, "ok"),
        ("resume_term", world.assessor.pk, "ok"),
        ("record_advice", world.assessor.pk, "ok"),
        ("record_decision", world.consultant.pk, "ok"),
        ("file_objection", world.citizen.pk, "ok"),
        ("decide_objection", world.consultant.pk, "ok"),
        ("mark_unavailable", world.consultant.pk, "ok"),
        ("mark_available", world.consultant.pk, "ok"),
        ("place_person", world.consultant.pk, "ok"),
        ("end_employment", world.consultant.pk, "ok"),
        ("create_application", world.citizen.pk, "ok"),
        ("submit_application", world.citizen.pk, "ok"),
        ("withdraw_application", world.citizen.pk, "ok"),
    ]
    assert {e.object_id for e in entries} >= {str(case.pk), str(employment.pk)}
    assert all(e.actor_label == f"{e.actor_id}:{e.actor.role}" for e in entries)

    # No BSN anywhere in the audit trail or the case history.
    for entry in entries:
        for field in AuditEntry._meta.concrete_fields:
            assert person.bsn not in str(getattr(entry, field.attname)), field.name
    for event in CaseEvent.objects.all():
        assert person.bsn not in str(event.details)


@pytest.mark.django_db(transaction=True)
def test_a_refused_action_is_audited_and_the_entry_survives_the_rollback():
    restore_reference_data()
    world = World()
    with on(date(2026, 1, 5)):
        case = world.advised(positive=True)
        with pytest.raises(ValidationError):
            services.record_decision(case_id=case.pk, positive=False, actor=world.consultant)
        with pytest.raises(ValidationError):
            world.place(case)  # not a candidate yet

    assert not Decision.objects.filter(case=case).exists()  # the action rolled back
    refusals = AuditEntry.objects.filter(result=AuditEntry.Result.REFUSED).order_by("id")
    assert [(e.action, e.actor_id, e.object_id, e.message) for e in refusals] == [
        ("record_decision", world.consultant.pk, str(case.pk), "deviation_without_reason"),
        ("place_person", world.consultant.pk, str(case.pk), "not_placeable"),
    ]
    for entry in AuditEntry.objects.all():
        for field in AuditEntry._meta.concrete_fields:
            assert case.person.bsn not in str(getattr(entry, field.attname))
