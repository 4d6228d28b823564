"""The benchmark's figures (issue #23) against hand-computed examples, counted by the task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from cases.audit.models import CaseEvent
from cases.choices import AdviceOutcome, ApplicantKind, CandidateSource, CaseState, TermKind
from cases.models import Advice, Application, Decision, Objection
from cases.reports import build, tasks
from cases.reports.models import LabourForce, Level, ReportFigures
from cases.terms.models import Term
from tests.factories import (
    CaseFactory,
    EmploymentFactory,
    MunicipalityFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def staff():
    return UserFactory(uwv_assessor=True)


def a_case(
    municipality,
    staff,
    *,
    received,
    advice_on=None,
    outcome="positive",
    source="school",
    state=CaseState.AWAITING_PLACEMENT,
):
    case = CaseFactory(
        municipality=municipality, person__municipality=municipality, state=state, lifecycle=False
    )
    Application.objects.create(
        case=case,
        applicant_kind=ApplicantKind.PERSON,
        submitted_by=staff,
        received_on=received,
        source=source,
    )
    if advice_on:
        Advice.objects.create(
            case=case,
            outcome=outcome,
            needs_supervision=outcome == AdviceOutcome.POSITIVE,
            reasons="Onderzocht.",
            issued_on=advice_on,
            assessor=staff,
        )
    return case


def row(municipality, year=2026) -> ReportFigures:
    return ReportFigures.objects.get(level=Level.MUNICIPALITY, key=municipality.cbs_code, year=year)


def test_places_are_the_hours_summed_then_divided_by_31_once(staff):
    town = MunicipalityFactory()
    YearlyQuotaFactory(municipality=town, year=2026, places=3)
    for _ in range(3):
        EmploymentFactory(
            case=a_case(town, staff, received=dt.date(2025, 9, 1), state=CaseState.EMPLOYED),
            hours_per_week=Decimal(25),
            start_on=dt.date(2026, 2, 1),
        )

    build.rebuild([2026])

    figures = row(town)
    assert figures.realised_hours == Decimal(75)
    assert build.places(figures.realised_hours) == Decimal(75) / 31  # 2.4193…, not 3 × 0.81
    assert figures.counts["persons_working"] == 3
    assert figures.quota_places == Decimal(3)


def test_durations_medians_with_an_even_count_and_p90(staff):
    town = MunicipalityFactory()
    received = dt.date(2026, 1, 5)
    for days in (10, 20, 30, 40):
        a_case(town, staff, received=received, advice_on=received + dt.timedelta(days=days))

    build.rebuild([2026])

    durations = row(town).durations["application_advice"]
    assert durations == {"n": 4, "median": "25", "p90": "40"}


def test_advices_by_outcome_and_source_terms_and_objections(staff):
    town = MunicipalityFactory()
    verordening = VerordeningFactory(municipality=town, in_force_from=dt.date(2020, 1, 1))
    day = dt.date(2026, 3, 2)
    school = [
        a_case(town, staff, received=day, advice_on=day, source=CandidateSource.SCHOOL)
        for _ in range(3)
    ]
    a_case(
        town,
        staff,
        received=day,
        advice_on=day,
        outcome="negative",
        source=CandidateSource.DAY_ACTIVITIES,
    )
    a_case(town, staff, received=dt.date(2025, 3, 2), advice_on=dt.date(2025, 4, 1))  # last year
    # UWV terms met in 2026: 2 on time, 1 late.
    for met, end in (
        (day, day),
        (day, day + dt.timedelta(days=1)),
        (day, day - dt.timedelta(days=1)),
    ):
        Term.objects.create(
            case=school[0],
            kind=TermKind.UWV_ADVICE,
            starts_on=dt.date(2026, 1, 1) if end > dt.date(2026, 1, 1) else end,
            end_on=end,
            met_on=met,
        )
    # Decision of one school case 14 days after its advice; an objection upheld.
    Decision.objects.create(
        case=school[1],
        positive=True,
        follows_advice=True,
        sent_on=day + dt.timedelta(days=14),
        verordening=verordening,
        decided_by=staff,
    )
    Objection.objects.create(
        case=school[1],
        filed_on=day + dt.timedelta(days=20),
        grounds="x",
        in_time=True,
        outcome="granted",
        decided_on=day + dt.timedelta(days=50),
    )

    build.rebuild([2025, 2026])

    counts = row(town).counts
    assert counts["advice.total"] == 4
    assert counts["advice.positive"] == 3 and counts["advice.negative"] == 1
    assert counts["advice.school.positive"] == 3 and counts["advice.school"] == 3
    assert counts["advice.day_activities.negative"] == 1
    assert counts["applications"] == 4
    assert (counts["term.uwv_advice.total"], counts["term.uwv_advice.within"]) == (3, 2)
    assert counts["term.uwv_advice.late"] == 1
    assert counts["objections.filed"] == 1 and counts["objections.granted"] == 1
    assert row(town).durations["advice_decision"] == {"n": 1, "median": "14", "p90": "14"}
    assert row(town, 2025).counts["advice.total"] == 1
    # Persons with a positive advice standing at the end of 2025: the one of 2025.
    assert row(town, 2025).counts["persons_indicated"] == 1
    assert row(town).counts["persons_indicated"] == 4


def test_a_person_who_moved_to_a_jobs_agreement_job_has_no_indication_until_a_fallback(staff):
    """Verbeteragenda ch. 3: an indication for the jobs agreement ends the one for beschut work;
    DOMAIN §2.5, §6.6. Counted from the day after the last day of the sheltered job, and again
    once a fallback revived the advice."""
    town = MunicipalityFactory()
    advised = dt.date(2025, 3, 3)

    def switched(last_day, state):
        case = a_case(town, staff, received=dt.date(2025, 1, 6), advice_on=advised, state=state)
        EmploymentFactory(
            case=case,
            start_on=dt.date(2025, 4, 1),
            end_on=last_day,
            to_jobs_agreement=True,
            ended_reason="Baan in de banenafspraak",
        )
        return case

    a_case(town, staff, received=dt.date(2025, 1, 6), advice_on=advised)  # counts throughout
    switched(dt.date(2025, 10, 31), CaseState.JOBS_AGREEMENT)  # counts in neither year
    revived = switched(dt.date(2025, 6, 30), CaseState.AWAITING_PLACEMENT)
    CaseEvent.objects.create(case=revived, action="fell_back", details={"revived": True})
    CaseEvent.objects.filter(case=revived).update(at=dt.datetime(2026, 2, 2, 12, tzinfo=dt.UTC))
    switched(TODAY, CaseState.JOBS_AGREEMENT)  # still in the sheltered job today

    build.rebuild([2025, 2026])

    assert row(town, 2025).counts["persons_indicated"] == 2
    assert row(town, 2026).counts["persons_indicated"] == 3


def test_region_and_country_are_sums_of_the_municipal_rows_and_places_divide_once(staff):
    one = MunicipalityFactory(labour_market_region="Twente")
    two = MunicipalityFactory(labour_market_region="Twente")
    for town, hours in ((one, 20), (two, 22)):
        EmploymentFactory(
            case=a_case(town, staff, received=dt.date(2025, 1, 6), state=CaseState.EMPLOYED),
            hours_per_week=Decimal(hours),
            start_on=dt.date(2026, 1, 5),
        )
        LabourForce.objects.create(municipality=town, year=2026, persons=10_000)

    build.rebuild([2026])

    region = ReportFigures.objects.get(level=Level.REGION, key="Twente", year=2026)
    country = ReportFigures.objects.get(level=Level.COUNTRY, year=2026)
    assert region.realised_hours == Decimal(42) == country.realised_hours
    assert build.places(region.realised_hours) == Decimal(42) / 31
    assert region.counts["persons_working"] == 2
    assert region.labour_force == 20_000
    # One person working each: hidden from the public, and so are their places and rates.
    assert {"persons_working", "places", "places_per_10000"} <= set(row(one).hidden)
    # Ranked by places per 10,000 (22 h beats 20 h), exactly; not for the public.
    assert row(two).ranks["exact"]["region"] == [1, 2]
    assert row(one).ranks["exact"]["region"] == [2, 2]
    assert "region" not in row(one).ranks["public"]


def test_the_nightly_task_counts_every_year_and_the_refresh_only_changed_municipalities(staff):
    town = MunicipalityFactory()
    other = MunicipalityFactory()
    a_case(town, staff, received=dt.date(2025, 2, 3), advice_on=dt.date(2025, 3, 3))

    tasks.recompute_reports.apply()
    assert ReportFigures.objects.filter(level=Level.MUNICIPALITY, year=2025).count() == 2
    assert row(town, 2025).counts["advice.total"] == 1
    tasks.refresh_reports.apply()  # the first run marks the time

    case = a_case(town, staff, received=TODAY, advice_on=TODAY)
    from cases.audit.models import CaseEvent

    CaseEvent.objects.create(case=case, action="advice_recorded")
    before_other = row(other).computed_at
    assert build.refresh_changed() == 1

    assert row(town).counts["advice.total"] == 1
    assert row(other).computed_at == before_other  # not counted again
