"""Which jobs take a place of a year's quota, and where a person stands after a move (DOMAIN
§4.1-§4.3, §6.5): the waiting list and a placement count the same jobs, a year's quota binds
until the next is entered, and a job that ends after a move hands the person over."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.choices import (
    BenefitKind,
    CaseState,
    Category,
    OrderingRule,
    Responsible,
)
from cases.placement.capacity import candidate_standing, capacity
from tests.factories import YearlyQuotaFactory
from tests.integration.test_places_in_order import Town, on

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 1)


def test_the_list_and_a_placement_agree_on_jobs_agreed_to_start_later_this_year():
    town = Town(additional=0, quota=2)
    first, second, third = (town.candidate(date(2026, 2, day)) for day in (1, 2, 3))
    town.place(first, start_on=date(2026, 10, 1))
    town.place(second, start_on=date(2026, 10, 1))

    # both places of the quota are taken by jobs that start next month: the list says so
    assert candidate_standing(third.pk, on=TODAY).category == Category.WAITING
    with pytest.raises(ValidationError) as refused:
        town.place(third, start_on=date(2026, 10, 1))
    assert refused.value.code == "no_place_left"


def test_a_job_starting_next_year_leaves_this_years_place_free():
    town = Town(additional=0, quota=1)
    YearlyQuotaFactory(municipality=town.municipality, year=2027, places=Decimal(2))
    next_year, now = town.candidate(date(2026, 2, 1)), town.candidate(date(2026, 2, 2))
    town.place(next_year, start_on=date(2027, 1, 4))

    assert candidate_standing(now.pk, on=TODAY).category == Category.OBLIGED
    job = town.place(now, start_on=date(2026, 9, 15))
    assert job.start_on == date(2026, 9, 15)


def test_in_january_before_the_new_quota_is_entered_last_years_binds():
    town = Town(additional=0, quota=5)
    wajong = town.candidate(date(2026, 11, 2), benefit_kind=BenefitKind.WAJONG)

    row = candidate_standing(wajong.pk, on=date(2027, 1, 5))

    assert (row.category, row.responsible) == (Category.OBLIGED, Responsible.MUNICIPALITY)


def test_until_the_quota_is_reached_everyone_must_be_placed_and_nobody_is_uwvs():
    # Kennisdocument vraag 1, 6 and 10: quota 2, nobody placed yet, three candidates
    town = Town(additional=0, quota=2)
    cases = [town.candidate(date(2026, 2, d), benefit_kind=BenefitKind.WW) for d in (1, 2, 3)]

    rows = [candidate_standing(case.pk, on=TODAY) for case in cases]

    assert {(row.category, row.responsible) for row in rows} == {
        (Category.OBLIGED, Responsible.MUNICIPALITY)
    }
    # anyone may be placed first: no order within the quota
    town.place(cases[2], start_on=date(2026, 9, 15))
    town.place(cases[0], start_on=date(2026, 9, 15))
    last = candidate_standing(cases[1].pk, on=TODAY)
    assert (last.category, last.responsible) == (Category.WAITING, Responsible.UWV)


def test_a_job_that_ends_after_a_move_hands_the_person_to_their_new_municipality():
    old, new = Town(additional=0, quota=3), Town(additional=0, quota=3)
    worker = old.candidate(date(2026, 2, 1))
    job = old.place(worker, start_on=date(2026, 3, 2))
    with on(date(2026, 5, 1)):
        services.record_move(
            case_id=worker.pk,
            new_municipality_id=new.municipality.pk,
            moved_on=date(2026, 5, 1),
            actor=old.consultant,
            employment_continues=True,
        )
    worker.refresh_from_db()
    assert worker.municipality_id == old.municipality.pk  # the old one keeps paying

    with on(TODAY):
        services.end_employment(
            employment_id=job.pk, end_on=TODAY, reason="contract_ended", actor=old.consultant
        )

    worker.refresh_from_db()
    assert (worker.municipality_id, worker.state) == (
        new.municipality.pk,
        CaseState.AWAITING_PLACEMENT,
    )
    assert worker.assignee is None
    assert worker.pk not in [
        r.case_id for r in capacity(old.municipality.pk, 2026, on=TODAY).candidates
    ]
    assert worker.pk in [
        r.case_id for r in capacity(new.municipality.pk, 2026, on=TODAY).candidates
    ]
    assert worker.events.filter(action="handed_over_after_move").count() == 1


def test_a_move_leaves_the_old_municipalitys_own_order_behind():
    old = Town(additional=1, rule=OrderingRule.COUNCIL_ORDER)
    new = Town(additional=1, rule=OrderingRule.COUNCIL_ORDER)
    mover = old.candidate(date(2026, 1, 15))
    first_in_new = new.candidate(date(2026, 2, 1))
    with on(TODAY):
        services.set_council_position(
            case_id=mover.pk, position=1, reason="Raadsbesluit.", actor=old.consultant
        )
        services.set_council_position(
            case_id=first_in_new.pk, position=1, reason="Raadsbesluit.", actor=new.consultant
        )
        services.set_priority_group(
            case_id=mover.pk, priority_group=True, reason="Schoolverlater.", actor=old.consultant
        )
        services.record_move(
            case_id=mover.pk,
            new_municipality_id=new.municipality.pk,
            moved_on=TODAY,
            actor=old.consultant,
            employment_continues=False,
        )

    mover.refresh_from_db()
    assert (mover.council_position, mover.priority_group) == (None, False)
    rows = capacity(new.municipality.pk, 2026, on=TODAY).candidates
    assert rows[0].case_id == first_in_new.pk


def test_nobody_is_placed_from_the_aow_age_on():
    # Kennisdocument: beschut werk is not for people who have reached the AOW age
    town = Town(additional=0, quota=3)
    older = town.candidate(date(2026, 2, 1), birth_date=date(1959, 6, 1))  # 67 in June 2026

    with pytest.raises(ValidationError) as refused:
        town.place(older, start_on=date(2026, 9, 15))

    assert refused.value.code == "aow_reached"
    older.refresh_from_db()
    assert older.state == CaseState.AWAITING_PLACEMENT


def test_a_job_that_falls_through_before_it_starts_frees_its_place():
    town = Town(additional=0, quota=1)
    first = town.candidate(date(2026, 2, 1), email="sam@example.nl")
    second = town.candidate(date(2026, 2, 2))
    planned = town.place(first, start_on=date(2026, 10, 1))
    with pytest.raises(ValidationError):
        town.place(second, start_on=date(2026, 9, 15))  # the only place is taken

    with on(TODAY):
        services.cancel_employment(
            employment_id=planned.pk, reason="Werkgever trekt zich terug.", actor=town.consultant
        )

    first.refresh_from_db()
    assert first.state == CaseState.AWAITING_PLACEMENT
    assert not first.employments.exists()
    assert first.terms.filter(kind="placement", met_on__isnull=True).exists()  # signal again
    from cases.notifications.models import Notification

    # told of the job, the person is told it is off, with the day it would have started
    told = Notification.objects.filter(case=first, kind="employment_called_off")
    assert told.exists() and {n.term_end for n in told} == {date(2026, 10, 1)}
    event = first.events.get(action="employment_cancelled")
    assert (
        event.details["start_on"] == "2026-10-01" and "trekt zich terug" in event.details["reason"]
    )
    assert town.place(second, start_on=date(2026, 9, 15)).case_id == second.pk


def test_a_job_that_has_started_cannot_be_called_off():
    town = Town(additional=0, quota=1)
    worker = town.candidate(date(2026, 2, 1))
    started = town.place(worker, start_on=date(2026, 8, 1))

    with on(TODAY), pytest.raises(ValidationError) as refused:
        services.cancel_employment(
            employment_id=started.pk, reason="Toch niet.", actor=town.consultant
        )

    assert refused.value.code == "job_started"
    assert worker.employments.count() == 1


def test_the_daily_sweep_takes_candidates_past_the_aow_age_off_the_list():
    from cases.notifications.models import Notification

    town = Town(additional=0, quota=3)
    older = town.candidate(
        date(2026, 2, 1), birth_date=date(1959, 6, 1), email="oud@example.nl"
    )  # 67 in June 2026
    younger = town.candidate(date(2026, 2, 2), birth_date=date(1990, 6, 1))

    with on(TODAY):
        assert services.close_candidates_past_aow_age(today=TODAY) == 1
        assert services.close_candidates_past_aow_age(today=TODAY) == 0  # safe to run twice

    older.refresh_from_db()
    younger.refresh_from_db()
    assert (older.state, younger.state) == (CaseState.CLOSED, CaseState.AWAITING_PLACEMENT)
    assert older.events.filter(action="aow_age_reached").exists()
    assert not older.terms.filter(met_on__isnull=True).exists()  # nothing runs on
    assert [r.case_id for r in capacity(town.municipality.pk, 2026, on=TODAY).candidates] == [
        younger.pk
    ]
    assert Notification.objects.filter(
        case=older, kind="aow_age_reached", recipient=town.consultant
    ).exists()
    assert Notification.objects.filter(
        case=older, kind="your_aow_age_reached", email="oud@example.nl"
    ).exists()


def test_two_placements_either_side_of_new_year_cannot_overrun_the_next_years_places():
    # the quota of 2026 (3) still binds in 2027 until its own is entered
    town = Town(additional=0, quota=3)
    people = [town.candidate(date(2026, 2, day)) for day in range(1, 5)]
    for person in people[:2]:
        town.place(person, start_on=date(2026, 3, 2))
    town.place(people[2], start_on=date(2027, 1, 5))  # 2027: 2 running + this one = 3

    with pytest.raises(ValidationError) as refused:
        town.place(people[3], start_on=date(2026, 12, 10))  # would run on into 2027: a 4th

    assert refused.value.code == "no_place_left"


def test_a_planned_job_called_off_after_a_move_hands_the_person_over():
    old, new = Town(additional=0, quota=3), Town(additional=0, quota=3)
    person = old.candidate(date(2026, 2, 1))
    planned = old.place(person, start_on=date(2026, 10, 1))
    with on(TODAY):
        services.record_move(
            case_id=person.pk,
            new_municipality_id=new.municipality.pk,
            moved_on=TODAY,
            actor=old.consultant,
            employment_continues=True,
        )
        services.cancel_employment(
            employment_id=planned.pk, reason="Gaat niet door.", actor=old.consultant
        )

    person.refresh_from_db()
    assert (person.municipality_id, person.state) == (
        new.municipality.pk,
        CaseState.AWAITING_PLACEMENT,
    )


def test_a_flat_rate_saved_for_a_year_before_the_change_in_the_law_does_not_count():
    from cases import selectors
    from municipalities.models import WageSubsidyYear

    town = Town(additional=0, quota=1)
    for year in (2026, 2027):
        WageSubsidyYear.objects.create(municipality=town.municipality, year=year, flat_rate=True)

    assert not selectors.flat_rate_in(town.municipality.pk, 2026)
    assert selectors.flat_rate_in(town.municipality.pk, 2027)
