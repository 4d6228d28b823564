"""Placing the last place at once: real parallel transactions on PostgreSQL (DOMAIN §4.3).

``services.place_person`` locks the municipality's YearlyQuota row for the year before it
counts the realised places, so of two consultants placing the last place at the same moment
exactly one succeeds and the other is refused with ``no_place_left``.

To make the two transactions overlap for certain (not just by luck of the scheduler), the
count of realised places is slowed down: the first transaction holds the lock while it
counts, and the second must wait for it. A control test removes the lock and shows that the
harness then does see both placements succeed, so the main test is not vacuous.

The administrator's saves that insert a row (a new year's quota, an employer, an invited
colleague) are tested the same way, at the end.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from cases import selectors, services
from cases.audit.models import AuditEntry
from cases.choices import CaseState, Category, ContractKind, WorkplaceKind
from cases.models import Case
from cases.placement.capacity import capacity
from cases.placement.models import Employment, PassedOver
from municipalities import services as manage
from municipalities.models import Employer, Municipality, QuotaChange, YearlyQuota
from portal.models import Role, User
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
)
from tests.integration.conftest import sign_in

START_ON = date(2026, 3, 2)

postgres_only = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises every write transaction; CI runs this on PostgreSQL",
)


def restore_reference_data() -> None:
    """``transaction=True`` tests run on a database that an earlier transactional test may have
    flushed, losing what the data migration loads (AOW ages, decree days, national quota):
    load it again, the migration's own way. (``serialized_rollback`` would do it too, but
    clashes with the transactional tests elsewhere that do not use it.)"""
    from importlib import import_module

    from django.apps import apps

    import_module("cases.migrations.0003_reference_data").load(apps, None)


def last_place_setup():
    """One municipality with a quota of exactly 1 place, nothing realised, and two candidate
    cases, each with its own consultant."""
    restore_reference_data()
    municipality = MunicipalityFactory()
    YearlyQuotaFactory(municipality=municipality, year=START_ON.year, places=Decimal(1))
    VerordeningFactory(municipality=municipality, in_force_from=date(2025, 1, 1))
    cases = [
        CaseFactory(person__municipality=municipality, state=CaseState.AWAITING_PLACEMENT)
        for _ in range(2)
    ]
    consultants = [UserFactory(consultant=True, municipality=municipality) for _ in range(2)]
    return municipality, cases, consultants


def place(case_id, actor, reason=""):
    return services.place_person(
        case_id=case_id,
        employer_name="Sociaal Ontwikkelbedrijf",
        workplace_kind=WorkplaceKind.SOCIAL_ENTERPRISE,
        hours_per_week=Decimal(31),
        start_on=START_ON,
        contract_kind=ContractKind.INDEFINITE,
        agreed_wage=Decimal(2600),
        wage_value_pct=Decimal(50),
        out_of_turn_reason=reason,
        actor=actor,
    )


def place_at_once(cases, consultants, reasons=("", "")):
    """Run ``place`` for both cases in two threads released together; return the outcomes
    (an Employment or the ValidationError's code)."""
    barrier = threading.Barrier(2, timeout=20)
    outcomes: dict[int, object] = {}

    def worker(case, actor, reason):
        try:
            barrier.wait()
            outcomes[case.pk] = place(case.pk, actor, reason)
        except ValidationError as error:
            outcomes[case.pk] = error.code
        except Exception as error:  # surfaced by the assertions below
            outcomes[case.pk] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(case, actor, reason))
        for case, actor, reason in zip(cases, consultants, reasons, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a placement hung"
    return outcomes


#: The selectors place_person may count the places with (it uses committed_places now);
#: the tests slow down or synchronise whichever it calls.
COUNTING_SELECTORS = ("committed_places", "realised_places")


def wrap_counting(monkeypatch, after_count) -> None:
    for name in COUNTING_SELECTORS:
        real = getattr(selectors, name, None)
        if real is None:
            continue

        def counting(*args, _real=real, **kwargs):
            value = _real(*args, **kwargs)
            after_count()
            return value

        monkeypatch.setattr(selectors, name, counting)


@pytest.fixture
def slow_count(monkeypatch):
    """Hold the transaction open after it counts, so the other one must wait for the lock
    (or, without a lock, count the same places)."""
    wrap_counting(monkeypatch, lambda: time.sleep(0.3))


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(3))
def test_two_consultants_placing_the_last_place_at_once_only_one_succeeds(run, slow_count):
    municipality, cases, consultants = last_place_setup()

    outcomes = place_at_once(cases, consultants)

    placed = [pk for pk, outcome in outcomes.items() if isinstance(outcome, Employment)]
    refused = [pk for pk, outcome in outcomes.items() if outcome == "no_place_left"]
    assert len(placed) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert Employment.objects.filter(municipality=municipality).count() == 1
    assert Case.objects.get(pk=placed[0]).state == CaseState.EMPLOYED
    assert Case.objects.get(pk=refused[0]).state == CaseState.AWAITING_PLACEMENT
    results = sorted(
        AuditEntry.objects.filter(action="place_person").values_list("result", flat=True)
    )
    assert results == ["ok", "refused"]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_control_without_the_quota_lock_both_placements_would_succeed(monkeypatch):
    """The harness really runs the two transactions in parallel: take the municipality's lock
    away and the quota is overrun. (Guards against a concurrency test that can
    never fail.) Both
    transactions count before either commits: they meet at a barrier right after counting,
    which only works because nothing serialises them any more."""
    municipality, cases, consultants = last_place_setup()
    counted = threading.Barrier(2, timeout=20)
    wrap_counting(monkeypatch, counted.wait)

    def without_lock(model):
        class NoLockManager:
            def select_for_update(self, *args, **kwargs):
                return model.objects.all()

            def __getattr__(self, name):
                return getattr(model.objects, name)

        return type("NoLock", (), {"objects": NoLockManager()})

    monkeypatch.setattr(services, "Municipality", without_lock(Municipality))

    outcomes = place_at_once(cases, consultants)

    assert all(isinstance(outcome, Employment) for outcome in outcomes.values()), outcomes
    assert Employment.objects.filter(municipality=municipality).count() == 2


@pytest.mark.django_db(transaction=True)
def test_placing_the_same_case_twice_yields_one_employment():
    municipality, (case, _other), (consultant, _) = last_place_setup()
    YearlyQuota.objects.filter(municipality=municipality).update(places=Decimal(5))

    employment = place(case.pk, consultant)
    with pytest.raises(ValidationError) as excinfo:
        place(case.pk, consultant)

    assert excinfo.value.code == "not_placeable"
    assert list(Employment.objects.filter(case=case)) == [employment]
    case.refresh_from_db()
    assert case.state == CaseState.EMPLOYED


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(2))
def test_placing_the_same_case_twice_at_once_yields_one_employment(run, slow_count):
    municipality, (case, _other), consultants = last_place_setup()
    YearlyQuota.objects.filter(municipality=municipality).update(places=Decimal(5))

    outcomes: list[object] = []
    barrier = threading.Barrier(2, timeout=20)

    def worker(actor):
        try:
            barrier.wait()
            outcomes.append(place(case.pk, actor))
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(actor,)) for actor in consultants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [o for o in outcomes if not isinstance(o, Employment)] == ["not_placeable"], outcomes
    assert sum(isinstance(outcome, Employment) for outcome in outcomes) == 1
    assert Employment.objects.filter(case=case).count() == 1


def extra_place_setup():
    """Quota 1, filled by a job of 31 hours; the verordening offers 1 additional place; two
    candidates, the first (older advice) in line for it, each with its own consultant."""
    restore_reference_data()
    municipality = MunicipalityFactory()
    YearlyQuotaFactory(municipality=municipality, year=START_ON.year, places=Decimal(1))
    VerordeningFactory(
        municipality=municipality,
        in_force_from=date(2025, 1, 1),
        offers_additional_places=True,
        additional_places_per_year=1,
    )
    filler = CaseFactory(person__municipality=municipality, state=CaseState.AWAITING_PLACEMENT)
    consultants = [UserFactory(consultant=True, municipality=municipality) for _ in range(2)]
    place(filler.pk, consultants[0])
    first, second = (
        CaseFactory(
            person__municipality=municipality,
            state=CaseState.AWAITING_PLACEMENT,
            positive_decision_on=date(2026, 1, day),
        )
        for day in (5, 12)
    )
    return municipality, [first, second], consultants


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(3))
def test_the_extra_place_goes_once_in_turn_or_out_of_turn_with_who_waits_recorded(run, slow_count):
    """DOMAIN §4.5 under concurrent placements: one consultant places the first in line on
    the one additional place, another places the second out of turn (with a reason) at the
    same moment. Exactly one gets it; if the second did, the first is recorded as passed
    over; the list then has no additional place left."""
    municipality, (first, second), consultants = extra_place_setup()

    outcomes = place_at_once(
        [first, second], consultants, reasons=("", "Alleen deze werkplek past.")
    )

    placed = [pk for pk, outcome in outcomes.items() if isinstance(outcome, Employment)]
    assert len(placed) == 1, outcomes
    loser = first.pk if placed == [second.pk] else second.pk
    assert outcomes[loser] == "no_place_left", outcomes
    assert Employment.objects.filter(municipality=municipality).count() == 2
    passed_over = list(PassedOver.objects.values_list("case_id", flat=True))
    assert passed_over == ([first.pk] if placed == [second.pk] else [])
    after = capacity(municipality.pk, START_ON.year, on=START_ON)
    assert (after.free_obliged, after.free_additional) == (0, 0)
    assert {row.category for row in after.candidates} == {Category.WAITING}


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(2))
def test_out_of_turn_without_a_reason_never_takes_the_extra_place(run, slow_count):
    """Whichever transaction goes first, the second in line without a reason is refused:
    before the first is placed it is their turn, after it no place is left."""
    municipality, (first, second), consultants = extra_place_setup()

    outcomes = place_at_once([first, second], consultants)

    assert isinstance(outcomes[first.pk], Employment), outcomes
    assert outcomes[second.pk] in ("out_of_turn_without_reason", "no_place_left"), outcomes
    assert not PassedOver.objects.exists()


# -- the administrator's saves at once (/beheer/) ---------------------------------------------
#
# A save that inserts a row (a new year's quota, a new employer, an invited colleague) races a
# second one that is sent while the first is still between INSERT and COMMIT: a double click,
# or a save while an import runs. The second must wait and then see the first one's row, not
# fail on the unique index with a 500.


def someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def while_held(first, second):
    """Run ``first`` in a transaction that stays open until ``second``, started meanwhile in
    another thread, waits for a lock (PostgreSQL says so in pg_stat_activity); then commit it.
    Return what ``second`` returned or raised."""
    held, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def hold():
        try:
            with transaction.atomic():
                first()
                held.set()
                release.wait(20)
        except Exception as error:  # surfaced by the assertion below
            outcomes["first"] = error
        finally:
            held.set()
            connections.close_all()

    def run():
        try:
            outcomes["second"] = second()
        except Exception as error:  # surfaced by the caller's assertions
            outcomes["second"] = error
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(20)
    runner = threading.Thread(target=run)
    runner.start()
    deadline = time.monotonic() + 20
    while runner.is_alive() and not someone_waits_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    release.set()
    holder.join(timeout=30)
    runner.join(timeout=30)
    assert not holder.is_alive() and not runner.is_alive(), "a save hung"
    assert "first" not in outcomes, outcomes["first"]
    return outcomes["second"]


def manage_url(name, municipality):
    return reverse(f"manage:{name}", kwargs={"municipality_id": municipality.pk})


@pytest.fixture
def admin_and_client():
    admin = UserFactory(municipal_admin=True, totp=False)
    return admin, sign_in(Client(raise_request_exception=False), admin)


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_save", ["by_hand", "import"])
def test_a_new_years_quota_saved_while_another_save_is_under_way(admin_and_client, first_save):
    admin, client = admin_and_client
    municipality = admin.municipality
    text = f"CBS-code;Gemeente;Aantal plekken\n{municipality.cbs_code};{municipality.name};7\n"
    first = {
        "by_hand": lambda: manage.set_quota(
            municipality=municipality, year=2031, places=Decimal(7), actor=admin
        ),
        "import": lambda: manage.import_quota(text=text, year=2031, actor=admin),
    }[first_save]

    response = while_held(
        first,
        lambda: client.post(manage_url("quota_list", municipality), {"year": 2031, "places": 8}),
    )

    assert response.status_code == 302, response
    assert YearlyQuota.objects.get(municipality=municipality, year=2031).places == 8
    changes = QuotaChange.objects.filter(municipality=municipality).order_by("pk")
    assert list(changes.values_list("old_places", "new_places")) == [(None, 7), (7, 8)]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_new_years_quota_saved_twice_at_once_is_saved_once(admin_and_client):
    admin, client = admin_and_client
    municipality = admin.municipality

    response = while_held(
        lambda: manage.set_quota(
            municipality=municipality, year=2031, places=Decimal(7), actor=admin
        ),
        lambda: client.post(manage_url("quota_list", municipality), {"year": 2031, "places": 7}),
    )

    assert response.status_code == 302, response
    assert YearlyQuota.objects.filter(municipality=municipality, year=2031).count() == 1
    assert QuotaChange.objects.filter(municipality=municipality).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_new_employer_saved_twice_at_once_is_saved_once(admin_and_client):
    admin, client = admin_and_client
    municipality = admin.municipality
    values = {
        "name": "Werkbedrijf Oost",
        "kind": WorkplaceKind.SOCIAL_ENTERPRISE,
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "address": "",
        "active": True,
    }

    response = while_held(
        lambda: manage.save_employer(municipality=municipality, actor=admin, **values),
        lambda: client.post(manage_url("employer_create", municipality), values),
    )

    assert response.status_code == 400, response
    assert "name" in response.context["form"].errors
    assert Employer.objects.filter(municipality=municipality).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_colleague_invited_twice_at_once_is_invited_once(admin_and_client, monkeypatch):
    admin, client = admin_and_client
    municipality = admin.municipality
    monkeypatch.setattr(manage, "send_invitation", lambda *args, **kwargs: None)
    invitation = {
        "email": "nieuwe.consulent@example.nl",
        "first_name": "Nieuwe",
        "last_name": "Consulent",
        "role": Role.CONSULTANT,
    }

    response = while_held(
        lambda: manage.invite_staff(municipality=municipality, actor=admin, **invitation),
        lambda: client.post(manage_url("staff_invite", municipality), invitation),
    )

    assert response.status_code == 400, response
    assert "email" in response.context["form"].errors
    assert User.objects.filter(email="nieuwe.consulent@example.nl").count() == 1
