"""The periodic sweep: set-based (a fixed number of queries whatever the number of cases),
idempotent (a rerun inserts nothing), and dated by the local calendar across DST and the
holiday rules."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.choices import CaseState, TermKind
from cases.notifications import dispatch, tasks
from cases.notifications.models import Notification, NotificationKind, OutboxMessage
from cases.terms.models import Term
from municipalities import services as municipal_services
from portal.api_clients import create_api_client
from portal.models import Role
from tests.factories import CaseFactory, MunicipalityFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

K = NotificationKind
TODAY = dt.date(2026, 6, 10)  # a Wednesday
AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def municipality():
    return MunicipalityFactory()


@pytest.fixture
def team(municipality):
    return UserFactory.create_batch(2, consultant=True, municipality=municipality)


def open_term(municipality, kind, end_on, *, state=CaseState.WITH_UWV, assignee=None, **extra):
    case = CaseFactory(
        person=PersonFactory(municipality=municipality), state=state, lifecycle=False
    )
    if assignee is not None:
        case.assignee = assignee
        case.save(update_fields=["assignee"])
    return Term.objects.create(
        case=case,
        kind=kind,
        starts_on=end_on - dt.timedelta(weeks=8),
        weeks=8,
        end_on=end_on,
        **extra,
    )


def kinds(term):
    return sorted(
        Notification.objects.filter(case=term.case, channel="inbox").values_list(
            "kind", "recipient_id"
        )
    )


def test_each_stage_of_the_uwv_term_tells_the_consultants_and_the_assessors(municipality, team):
    assessor = UserFactory(uwv_assessor=True)
    soon = open_term(municipality, TermKind.UWV_ADVICE, TODAY + dt.timedelta(days=14))
    due = open_term(municipality, TermKind.UWV_ADVICE, TODAY + dt.timedelta(days=3))
    last_day = open_term(municipality, TermKind.UWV_ADVICE, TODAY)
    overdue = open_term(municipality, TermKind.UWV_ADVICE, TODAY - dt.timedelta(days=1))
    early = open_term(municipality, TermKind.UWV_ADVICE, TODAY + dt.timedelta(days=15))

    dispatch.sweep(TODAY)

    people = sorted([u.pk for u in team] + [assessor.pk])
    assert kinds(soon) == sorted((K.UWV_TERM_DUE_SOON, pk) for pk in people)
    assert kinds(due) == sorted((K.UWV_TERM_DUE, pk) for pk in people)
    assert kinds(last_day) == sorted((K.UWV_TERM_DUE, pk) for pk in people)
    assert kinds(overdue) == sorted((K.UWV_TERM_OVERDUE, pk) for pk in people)
    assert kinds(early) == []
    emails = Notification.objects.filter(channel="email")
    assert emails.count() == 4 * len(people)
    assert set(OutboxMessage.objects.values_list("notification_id", flat=True)) == set(
        emails.values_list("pk", flat=True)
    )


def test_a_rerun_and_a_second_beat_create_nothing(municipality, team):
    for days in (-5, 0, 2, 10):
        open_term(municipality, TermKind.DECISION, TODAY + dt.timedelta(days=days))
        open_term(municipality, TermKind.PLACEMENT, TODAY + dt.timedelta(days=days))
    first = dispatch.sweep(TODAY)
    count = Notification.objects.count()
    outbox = OutboxMessage.objects.count()

    again = dispatch.sweep(TODAY)
    later_that_day = dispatch.sweep(TODAY, now=timezone.now() + dt.timedelta(hours=1))

    assert first.created == count > 0
    assert again.created == later_that_day.created == 0
    assert Notification.objects.count() == count
    assert OutboxMessage.objects.count() == outbox


def test_the_assignee_alone_and_not_the_team(municipality, team):
    assignee = team[0]
    term = open_term(
        municipality, TermKind.DECISION, TODAY - dt.timedelta(days=2), assignee=assignee
    )

    dispatch.sweep(TODAY)

    assert kinds(term) == [(K.DECISION_OVERDUE, assignee.pk)]


def test_a_switched_off_handlers_reminders_go_to_the_team(municipality, team):
    """The administrator switches off a handler who left: their cases go back to the team,
    and the team hears that the decision term passed."""
    leaver = UserFactory(consultant=True, municipality=municipality)
    admin = UserFactory(municipal_admin=True, municipality=municipality)
    term = open_term(municipality, TermKind.DECISION, TODAY - dt.timedelta(days=2), assignee=leaver)

    municipal_services.deactivate_staff(municipality=municipality, user_id=leaver.pk, actor=admin)
    dispatch.sweep(TODAY)

    assert kinds(term) == sorted((K.DECISION_OVERDUE, u.pk) for u in team)
    term.case.refresh_from_db()
    assert term.case.assignee_id is None


def test_a_handler_who_cannot_work_the_case_any_more_is_passed_over_for_the_team(
    municipality, team
):
    """A handler switched off or moved to another municipality in the Django admin keeps their
    cases: until someone reassigns them, the team is told and the handler is not."""
    switched_off = UserFactory(consultant=True, municipality=municipality)
    moved = UserFactory(consultant=True, municipality=municipality)
    stays = UserFactory(municipal_admin=True, municipality=municipality)
    first = open_term(
        municipality, TermKind.DECISION, TODAY - dt.timedelta(days=2), assignee=switched_off
    )
    second = open_term(
        municipality, TermKind.DECISION, TODAY - dt.timedelta(days=2), assignee=moved
    )
    third = open_term(municipality, TermKind.DECISION, TODAY - dt.timedelta(days=2), assignee=stays)
    switched_off.is_active = False
    switched_off.save(update_fields=["is_active"])
    moved.municipality = MunicipalityFactory()
    moved.save(update_fields=["municipality"])

    dispatch.sweep(TODAY)

    the_team = sorted((K.DECISION_OVERDUE, u.pk) for u in team)
    assert kinds(first) == kinds(second) == the_team
    # An administrator of the municipality may handle cases: they alone are told.
    assert kinds(third) == [(K.DECISION_OVERDUE, stays.pk)]


def test_a_handler_moved_by_the_identity_provider_gives_the_old_cases_back(municipality, team):
    mover = UserFactory(consultant=True, municipality=municipality)
    term = open_term(municipality, TermKind.DECISION, TODAY - dt.timedelta(days=2), assignee=mover)

    municipal_services.update_staff_from_idp(
        user_id=mover.pk, role=Role.CONSULTANT, municipality=MunicipalityFactory(), actor=mover
    )
    dispatch.sweep(TODAY)

    assert kinds(term) == sorted((K.DECISION_OVERDUE, u.pk) for u in team)
    term.case.refresh_from_db()
    assert term.case.assignee_id is None


def test_the_accounts_of_api_clients_get_no_reminders(municipality, team):
    """Decision 22: the accounts of API clients are kept out of the notifications."""
    assessor = UserFactory(uwv_assessor=True)
    uwv_system, _secret = create_api_client(name="UWV-systeem", role=Role.UWV_ASSESSOR)
    back_office, _secret = create_api_client(
        name="Backoffice", role=Role.CONSULTANT, municipality=municipality
    )
    term = open_term(municipality, TermKind.UWV_ADVICE, TODAY + dt.timedelta(days=3))

    dispatch.sweep(TODAY)

    assert kinds(term) == sorted((K.UWV_TERM_DUE, u.pk) for u in [*team, assessor])
    api_accounts = [uwv_system.account_id, back_office.account_id]
    assert not Notification.objects.filter(recipient_id__in=api_accounts).exists()


def test_suspended_and_met_terms_are_left_alone_and_a_moved_term_is_reminded_again(
    municipality, team
):
    suspended = open_term(
        municipality, TermKind.UWV_ADVICE, TODAY, suspended_since=TODAY - dt.timedelta(days=3)
    )
    met = open_term(municipality, TermKind.UWV_ADVICE, TODAY, met_on=TODAY)
    moving = open_term(municipality, TermKind.UWV_ADVICE, TODAY + dt.timedelta(days=2))
    dispatch.sweep(TODAY)
    assert kinds(suspended) == kinds(met) == []
    assert len(kinds(moving)) == 2

    moving.end_on = TODAY + dt.timedelta(days=1)  # e.g. recomputed after a suspension
    moving.save(update_fields=["end_on"])
    dispatch.sweep(TODAY)

    assert len(kinds(moving)) == 4


def test_staff_who_switched_email_off_get_the_inbox_only(municipality, team):
    dispatch.set_email_preference(user=team[0], kind=K.DECISION_DUE, email=False)
    open_term(municipality, TermKind.DECISION, TODAY + dt.timedelta(days=1))

    dispatch.sweep(TODAY)

    mails = Notification.objects.filter(kind=K.DECISION_DUE, channel="email")
    assert list(mails.values_list("recipient_id", flat=True)) == [team[1].pk]
    assert Notification.objects.filter(kind=K.DECISION_DUE, channel="inbox").count() == 2


def test_the_number_of_queries_does_not_grow_with_the_number_of_cases(municipality, team):
    def queries_for(n):
        for i in range(n):
            open_term(municipality, TermKind.UWV_ADVICE, TODAY + dt.timedelta(days=i % 20 - 5))
        with CaptureQueriesContext(connection) as captured:
            result = dispatch.sweep(TODAY)
        return len(captured), result.queries

    small = queries_for(3)
    large = queries_for(40)

    assert small == large
    # One statement per stage and audience: the contract-end signal (§6.1) added two. SQLite
    # (the embedded default) writes the outbox rows with a statement of their own.
    assert small[0] <= (28 if connection.vendor == "postgresql" else 29)


def test_the_sweep_task_uses_the_amsterdam_date_across_the_dst_change(municipality, team):
    # DST ends on Sunday 25 October 2026 at 03:00 CEST (01:00 UTC). A term ending on
    # Saturday 24 October is overdue from local midnight: 22:00 UTC before the change.
    term = open_term(municipality, TermKind.DECISION, dt.date(2026, 10, 24))

    with time_machine.travel(dt.datetime(2026, 10, 24, 21, 59, tzinfo=dt.UTC), tick=False):
        tasks.sweep_terms.run()
    assert [k for k, _ in kinds(term)] == [K.DECISION_DUE, K.DECISION_DUE]

    with time_machine.travel(dt.datetime(2026, 10, 24, 22, 1, tzinfo=dt.UTC), tick=False):
        assert timezone.localdate() == dt.date(2026, 10, 25)
        tasks.sweep_terms.run()
    assert K.DECISION_OVERDUE in {k for k, _ in kinds(term)}

    # After the change local midnight is 23:00 UTC: at 22:30 UTC on 1 November (Sunday)
    # it is still 23:30 on Sunday in Amsterdam.
    later = open_term(municipality, TermKind.DECISION, dt.date(2026, 11, 1))
    with time_machine.travel(dt.datetime(2026, 11, 1, 22, 30, tzinfo=dt.UTC), tick=False):
        tasks.sweep_terms.run()
    assert K.DECISION_OVERDUE not in {k for k, _ in kinds(later)}
    with time_machine.travel(dt.datetime(2026, 11, 1, 23, 5, tzinfo=dt.UTC), tick=False):
        tasks.sweep_terms.run()
    assert K.DECISION_OVERDUE in {k for k, _ in kinds(later)}


def test_a_term_over_kings_day_and_liberation_day_is_not_overdue_on_the_holidays(
    municipality, team
):
    # Submitted Monday 2 March 2026: 8 weeks end on Monday 27 April, King's Day, so the
    # term runs to Tuesday 28 April (Atw art. 1 and 3).
    citizen = UserFactory()
    person = PersonFactory(municipality=municipality, account=citizen)
    case = CaseFactory(person=person, state=CaseState.DRAFT)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=AMS), tick=False):
        services.submit_application(case_id=case.pk, actor=citizen)
    term = case.terms.get(kind=TermKind.UWV_ADVICE)
    assert term.end_on == dt.date(2026, 4, 28)

    with time_machine.travel(dt.datetime(2026, 4, 28, 12, 0, tzinfo=AMS), tick=False):
        tasks.sweep_terms.run()
    assert K.UWV_TERM_OVERDUE not in {k for k, _ in kinds(term)}
    with time_machine.travel(dt.datetime(2026, 4, 29, 0, 30, tzinfo=AMS), tick=False):
        tasks.sweep_terms.run()
    assert K.UWV_TERM_OVERDUE in {k for k, _ in kinds(term)}

    # A decision term ending on 5 May (every year a holiday under the Atw) runs to 6 May.
    advice_on = dt.date(2026, 3, 10)  # Tuesday; 8 weeks → Tuesday 5 May
    from cases import rules

    assert rules.decision_term_end(advice_on, 8) == dt.date(2026, 5, 6)


def test_a_rerun_the_next_day_picks_up_terms_that_entered_a_window(municipality, team):
    entering = open_term(municipality, TermKind.UWV_ADVICE, TODAY + dt.timedelta(days=15))
    dispatch.sweep(TODAY)
    assert kinds(entering) == []

    dispatch.sweep(TODAY + dt.timedelta(days=1))

    assert {k for k, _ in kinds(entering)} == {K.UWV_TERM_DUE_SOON}


def test_a_term_moved_by_an_event_is_found_without_rescanning(municipality, team, monkeypatch):
    monkeypatch.setattr(dispatch, "ID_OVERLAP", 0)
    assessor = UserFactory(uwv_assessor=True)
    term = open_term(municipality, TermKind.UWV_ADVICE, timezone.localdate() + dt.timedelta(days=1))
    dispatch.sweep(timezone.localdate())
    before = len(kinds(term))
    assert before == 3 * 1  # team of two and the assessor, inbox
    # Suspended three days ago and resumed today: the end moves three days on.
    services.suspend_term(
        case_id=term.case_id,
        kind=TermKind.UWV_ADVICE,
        on=timezone.localdate() - dt.timedelta(days=3),
        reason="stukken",
        actor=assessor,
    )
    services.resume_term(
        case_id=term.case_id, kind=TermKind.UWV_ADVICE, on=timezone.localdate(), actor=assessor
    )
    term.refresh_from_db()

    dispatch.sweep(timezone.localdate())

    moved = Notification.objects.filter(case=term.case, term_end=term.end_on, channel="inbox")
    assert moved.filter(kind__in=[K.UWV_TERM_DUE, K.UWV_TERM_DUE_SOON]).count() == 3
