"""Factories for tests: one per model, with traits for roles (and, later, lifecycle states)."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from cases.bsn import valid_bsn
from cases.choices import (
    AdviceOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    ContractKind,
    FundingKind,
    TermKind,
    WorkplaceKind,
)
from cases.models import Advice, Application, Case, Decision, Objection, Person
from cases.placement.models import AvailabilityPeriod, Employment
from cases.terms.models import Term
from municipalities.models import Municipality, Verordening, YearlyQuota
from portal.models import Role, User

PASSWORD = "Test-wachtwoord-123"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("cbs_code",)

    # GM9000-GM9998, apart from real codes (tests use GM9999 as an unknown one); a long run
    # wraps round (each test rolls back).
    cbs_code = factory.Sequence(lambda n: f"GM{9000 + n % 999:04d}")
    name = factory.Sequence(lambda n: f"Testgemeente {n}")
    labour_market_region = "Testregio"
    postal_address = "Postbus 100\n9999 ZZ Testdorp"
    objection_address = (
        "College van burgemeester en wethouders\nBezwaarschriften\nPostbus 100\n9999 ZZ Testdorp"
    )
    team_name = "Team Beschut Werk"
    signatory_name = "A. de Tester"
    signatory_role = "teamleider Werk"
    contact_phone = "14 0999"
    contact_email = "werk@testdorp.example"
    website = "https://www.testdorp.example"


class YearlyQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YearlyQuota

    municipality = factory.SubFactory(MunicipalityFactory)
    year = 2026
    places = 10


class VerordeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verordening

    municipality = factory.SubFactory(MunicipalityFactory)
    in_force_from = factory.Faker("date_between", start_date="-2y", end_date="-1y")
    discussed_with_target_group_on = factory.LazyAttribute(lambda o: o.in_force_from)
    provisions = "Begeleiding en aanpassing van de werkplek."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.nl")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Gebruiker {n}")
    role = Role.CITIZEN
    municipality = None

    class Params:
        consultant = factory.Trait(
            role=Role.CONSULTANT, municipality=factory.SubFactory(MunicipalityFactory)
        )
        municipal_admin = factory.Trait(
            role=Role.MUNICIPAL_ADMIN, municipality=factory.SubFactory(MunicipalityFactory)
        )
        uwv_assessor = factory.Trait(role=Role.UWV_ASSESSOR)
        operator = factory.Trait(role=Role.OPERATOR, is_staff=True, is_superuser=True)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):  # noqa: N805
        """Staff get a TOTP authenticator unless ``totp=False``."""
        if create and obj.is_staff_role and extracted is not False:
            TOTP.activate(obj, TOTP_SECRET)


# -- the case domain ------------------------------------------------------------------------


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    bsn = factory.Sequence(lambda n: valid_bsn(n))
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Persoon {n}")
    birth_date = _dt.date(2000, 3, 15)
    municipality = factory.SubFactory(MunicipalityFactory)
    benefit_kind = BenefitKind.PARTICIPATIEWET


STATES_AFTER_ADVICE = {
    CaseState.ADVICE_ISSUED,
    CaseState.REJECTED,
    CaseState.OBJECTION,
    CaseState.AWAITING_PLACEMENT,
    CaseState.UNAVAILABLE,
    CaseState.EMPLOYED,
    CaseState.CLOSED,
}
STATES_AFTER_DECISION = STATES_AFTER_ADVICE - {CaseState.ADVICE_ISSUED}
POSITIVE_STATES = {
    CaseState.AWAITING_PLACEMENT,
    CaseState.UNAVAILABLE,
    CaseState.EMPLOYED,
    CaseState.CLOSED,
}


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in any lifecycle state, with the rows that state implies.

    ``CaseFactory(state=CaseState.EMPLOYED)`` gives an application, a positive advice, a
    positive decision and a running employment. Dates count back from ``received_on``.
    """

    class Meta:
        model = Case
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    municipality = factory.SelfAttribute("person.municipality")
    reference = factory.Sequence(lambda n: f"BW-TEST-{n:06d}")
    state = CaseState.DRAFT
    state_since = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyAttribute(
        lambda o: None if o.state == CaseState.DRAFT else timezone.now()
    )
    positive_decision_on = factory.LazyAttribute(
        lambda o: (
            timezone.localdate() - _dt.timedelta(weeks=10) if o.state in POSITIVE_STATES else None
        )
    )
    #: The advice ``build_lifecycle`` records: four weeks before the decision.
    positive_advice_on = factory.LazyAttribute(
        lambda o: (
            o.positive_decision_on - _dt.timedelta(weeks=4) if o.positive_decision_on else None
        )
    )

    class Params:
        draft = factory.Trait(state=CaseState.DRAFT)
        submitted = factory.Trait(state=CaseState.SUBMITTED)
        with_uwv = factory.Trait(state=CaseState.WITH_UWV)
        advice_issued = factory.Trait(state=CaseState.ADVICE_ISSUED)
        rejected = factory.Trait(state=CaseState.REJECTED)
        objection = factory.Trait(state=CaseState.OBJECTION)
        awaiting_placement = factory.Trait(state=CaseState.AWAITING_PLACEMENT)
        unavailable = factory.Trait(state=CaseState.UNAVAILABLE)
        employed = factory.Trait(state=CaseState.EMPLOYED)
        withdrawn = factory.Trait(state=CaseState.WITHDRAWN)
        closed = factory.Trait(state=CaseState.CLOSED)

    @factory.post_generation
    def lifecycle(obj, create, extracted, **kwargs):  # noqa: N805
        """Create the rows the state implies. ``lifecycle=False`` skips them;
        ``lifecycle__actor=user`` reuses one staff user; ``lifecycle__hours_per_week``."""
        if not create or extracted is False:
            return
        build_lifecycle(obj, **kwargs)


def build_lifecycle(case, *, actor=None, hours_per_week=Decimal(31)) -> None:
    state = CaseState(case.state)
    today = timezone.localdate()
    received = today - _dt.timedelta(weeks=20)
    if case.positive_decision_on:
        received = case.positive_decision_on - _dt.timedelta(weeks=10)
    actor = actor or UserFactory(uwv_assessor=True)
    Application.objects.create(
        case=case,
        applicant_kind=ApplicantKind.PERSON,
        submitted_by=actor,
        received_on=None if state == CaseState.DRAFT else received,
        source=CandidateSource.SCHOOL,
        support_needed="Begeleiding op de werkvloer.",
        needs_supervision=True,
    )
    if state in (CaseState.SUBMITTED, CaseState.WITH_UWV):
        Term.objects.create(
            case=case,
            kind=TermKind.UWV_ADVICE,
            starts_on=received,
            weeks=8,
            end_on=received + _dt.timedelta(weeks=8),
        )
    if state not in STATES_AFTER_ADVICE:
        return
    positive = state in POSITIVE_STATES
    advice_on = received + _dt.timedelta(weeks=6)
    Advice.objects.create(
        case=case,
        outcome=AdviceOutcome.POSITIVE if positive else AdviceOutcome.NEGATIVE,
        needs_supervision=positive,
        can_perform_task=True,
        basic_employee_skills=True,
        hours_at_a_stretch=Decimal(2),
        hours_per_day=Decimal(6),
        reasons="Onderzocht.",
        issued_on=advice_on,
        assessor=actor,
    )
    if state not in STATES_AFTER_DECISION:
        Term.objects.create(
            case=case,
            kind=TermKind.DECISION,
            starts_on=advice_on,
            weeks=8,
            end_on=advice_on + _dt.timedelta(weeks=8),
        )
        return
    verordening = case.municipality.verordeningen.order_by("in_force_from").first()
    if verordening is None:
        verordening = VerordeningFactory(
            municipality=case.municipality, in_force_from=_dt.date(2020, 1, 1)
        )
    sent_on = case.positive_decision_on or advice_on + _dt.timedelta(weeks=4)
    Decision.objects.create(
        case=case,
        positive=positive,
        follows_advice=True,
        sent_on=sent_on,
        verordening=verordening,
        decided_by=actor,
    )
    if state == CaseState.OBJECTION:
        Objection.objects.create(
            case=case,
            filed_on=sent_on + _dt.timedelta(weeks=2),
            grounds="Ik ben het niet eens.",
            in_time=True,
        )
    if state == CaseState.UNAVAILABLE:
        AvailabilityPeriod.objects.create(
            case=case,
            reason=AvailabilityPeriod.Reason.ILLNESS,
            unavailable_from=sent_on + _dt.timedelta(days=7),
        )
    if state == CaseState.EMPLOYED:
        EmploymentFactory(
            case=case, start_on=sent_on + _dt.timedelta(weeks=8), hours_per_week=hours_per_week
        )


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    case = factory.SubFactory(CaseFactory, state=CaseState.EMPLOYED, lifecycle=False)
    municipality = factory.SelfAttribute("case.municipality")
    employer_name = "Sociaal Ontwikkelbedrijf"
    workplace_kind = WorkplaceKind.SOCIAL_ENTERPRISE
    hours_per_week = Decimal(31)
    start_on = factory.LazyFunction(lambda: timezone.localdate() - _dt.timedelta(weeks=4))
    contract_kind = ContractKind.INDEFINITE
    funding_kind = FundingKind.WAGE_SUBSIDY


# -- appended: unique BSNs and bulk candidates ----------------------------------------------


def bulk_candidate_cases(
    municipality,
    count: int,
    *,
    actor,
    start: int = 0,
    first_decision_on: _dt.date = _dt.date(2025, 1, 1),
    unavailable_every: int = 0,
    priority_every: int = 0,
    uwv_benefit_every: int = 0,
    bsn_base: int = 5_000_000,
    batch_size: int = 2_000,
) -> list[int]:
    """``count`` candidate cases (awaiting placement, every ``unavailable_every``-th
    unavailable) with a Person and an Application each, made with ``bulk_create``: for
    capacity tests with thousands of candidates (``CaseFactory`` per row is far too slow).

    Dates spread deterministically: the positive decision moves one day every 3 cases
    (so there are ties), the application date runs the other way. Returns the case ids.
    """
    now = timezone.now()
    persons = []
    for i in range(start, start + count):
        uwv = uwv_benefit_every and i % uwv_benefit_every == 0
        persons.append(
            Person(
                bsn=valid_bsn(i, base=bsn_base),
                first_name="Bulk",
                last_name=f"Kandidaat {i}",
                birth_date=_dt.date(1995, 1, 1),
                municipality=municipality,
                benefit_kind=BenefitKind.WAJONG if uwv else BenefitKind.PARTICIPATIEWET,
            )
        )
    persons = Person.objects.bulk_create(persons, batch_size=batch_size)
    if persons and persons[0].pk is None:  # backends without RETURNING
        by_bsn = dict(
            Person.objects.filter(bsn__in=[p.bsn for p in persons]).values_list("bsn", "pk")
        )
        for person in persons:
            person.pk = by_bsn[person.bsn]
    cases = []
    for offset, person in enumerate(persons):
        i = start + offset
        unavailable = unavailable_every and i % unavailable_every == 0
        cases.append(
            Case(
                reference=f"BW-BULK-{municipality.pk}-{i:07d}",
                person=person,
                municipality=municipality,
                state=CaseState.UNAVAILABLE if unavailable else CaseState.AWAITING_PLACEMENT,
                state_since=now,
                submitted_at=now,
                positive_decision_on=first_decision_on + _dt.timedelta(days=i // 3),
                positive_advice_on=first_decision_on + _dt.timedelta(days=i // 3 - 28),
                priority_group=bool(priority_every and i % priority_every == 0),
            )
        )
    cases = Case.objects.bulk_create(cases, batch_size=batch_size)
    if cases and cases[0].pk is None:
        by_reference = dict(
            Case.objects.filter(reference__in=[c.reference for c in cases]).values_list(
                "reference", "pk"
            )
        )
        for case in cases:
            case.pk = by_reference[case.reference]
    Application.objects.bulk_create(
        [
            Application(
                case=case,
                applicant_kind=ApplicantKind.PERSON,
                submitted_by=actor,
                received_on=first_decision_on - _dt.timedelta(days=(start + offset) % 97),
                source=CandidateSource.SCHOOL,
            )
            for offset, case in enumerate(cases)
        ],
        batch_size=batch_size,
    )
    return [case.pk for case in cases]
