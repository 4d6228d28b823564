"""The case page shows every change a consultant, UWV or the admin makes at once, whatever
path it took, in the viewer's language, to the case's own municipality only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from cases import services
from cases.audit.models import CaseEvent
from cases.choices import AdviceOutcome, CaseState, ContractKind, TermKind, WorkplaceKind
from cases.documents.models import Document
from cases.models import Case, Person
from cases.rules import WorkCapacity
from cases.terms.models import TermEvent
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
)
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


def case_in(municipality, state):
    return CaseFactory(person=PersonFactory(municipality=municipality), state=state)


def case_page(client, case, **headers) -> str:
    response = client.get(reverse("work:case_detail", args=[case.pk]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


# Each change is made after the page was viewed, by the path a user takes.


def suspend(case, actor):
    services.suspend_term(
        case_id=case.pk,
        kind=TermKind.UWV_ADVICE,
        on=timezone.localdate(),
        reason="Wacht op stukken",
        actor=actor,
    )
    return "Wacht op stukken"


def advise(case, actor):
    services.record_advice(
        case_id=case.pk,
        outcome=AdviceOutcome.POSITIVE,
        reasons="Past bij beschut werk.",
        needs_supervision=True,
        work_capacity=WorkCapacity(True, True, Decimal(2), Decimal(6)),
        actor=UserFactory(uwv_assessor=True),
    )
    return "Past bij beschut werk."


def object_to(case, actor):
    services.file_objection(case_id=case.pk, grounds="Niet eens.", actor=actor)
    return "Bezwaren"


def unavailable(case, actor):
    services.mark_unavailable(case_id=case.pk, reason="illness", actor=actor)
    return "<h2>Tijdelijk niet beschikbaar</h2>"


def place(case, actor):
    services.place_person(
        case_id=case.pk,
        employer_name="Groenbedrijf Noord",
        workplace_kind=WorkplaceKind.SOCIAL_ENTERPRISE,
        hours_per_week=Decimal(20),
        start_on=timezone.localdate(),
        contract_kind=ContractKind.INDEFINITE,
        agreed_wage=Decimal(2600),
        wage_value_pct=Decimal(50),
        actor=actor,
    )
    return "Groenbedrijf Noord"


def history(case, actor):
    CaseEvent.objects.create(case=case, actor=actor, action="assigned")
    return "Behandelaar gewijzigd"


def document(case, actor):
    Document.objects.create(
        case=case,
        stored_name="x" * 32,
        original_name="verslag-school.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=actor,
    )
    return "verslag-school.pdf"


def term_event(case, actor):
    """A term event alone (as the admin could add one): the page lists it under its term."""
    TermEvent.objects.create(
        term=case.terms.get(),
        kind=TermEvent.Kind.SUSPENDED,
        on=timezone.localdate(),
        reason="Wacht op het schoolverslag",
        actor=actor,
    )
    return "Wacht op het schoolverslag"


def renamed_by_update(case, actor):
    """Past every signal: the person's row is fetched fresh with the case on every view."""
    Person.objects.filter(pk=case.person_id).update(last_name="Vermeulen-Stap")
    return "Vermeulen-Stap"


def handler_renamed(case, actor):
    """The case handler's name as it is now, past every signal, whoever views the page."""
    handler = UserFactory(consultant=True, municipality=case.municipality, last_name="Eerst")
    Case.objects.filter(pk=case.pk).update(assignee=handler)
    type(handler).objects.filter(pk=handler.pk).update(is_active=False, last_name="Daarna")
    return f"<dd>{handler.first_name} Daarna</dd>"


def state_by_update(case, actor):
    Case.objects.filter(pk=case.pk).update(state=CaseState.UNAVAILABLE)
    with translation.override("nl"):
        return f"<dt>Status</dt><dd>{CaseState.UNAVAILABLE.label} ("


@pytest.mark.parametrize(
    ("state", "change"),
    [
        (CaseState.WITH_UWV, suspend),
        (CaseState.WITH_UWV, advise),
        (CaseState.REJECTED, object_to),
        (CaseState.AWAITING_PLACEMENT, unavailable),
        (CaseState.AWAITING_PLACEMENT, place),
        (CaseState.AWAITING_PLACEMENT, history),
        (CaseState.AWAITING_PLACEMENT, document),
        (CaseState.WITH_UWV, term_event),
        (CaseState.AWAITING_PLACEMENT, renamed_by_update),
        (CaseState.AWAITING_PLACEMENT, handler_renamed),
        (CaseState.AWAITING_PLACEMENT, state_by_update),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_every_change_shows_at_once(signed_in, consultant, municipality, state, change):
    case = case_in(municipality, state)
    before = case_page(signed_in, case)
    shown = change(case, consultant)
    assert shown not in before
    assert shown in case_page(signed_in, case)


def test_the_end_of_an_unavailability_shows_at_once(signed_in, consultant, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    services.mark_unavailable(case_id=case.pk, reason="illness", actor=consultant)
    assert "Sinds" in case_page(signed_in, case)
    services.mark_available(case_id=case.pk, actor=consultant)  # an update of the period
    page = case_page(signed_in, case)
    assert "Sinds" not in page
    assert "Van " in page


def test_the_content_of_a_direct_application_shows_once_uwv_advised(
    signed_in, consultant, municipality
):
    case = case_in(municipality, CaseState.WITH_UWV)
    page = case_page(signed_in, case)
    assert 'data-testid="content-hidden"' in page
    assert "Begeleiding op de werkvloer." not in page
    advise(case, consultant)
    page = case_page(signed_in, case)
    assert 'data-testid="content-hidden"' not in page
    assert "Begeleiding op de werkvloer." in page


def test_a_term_turns_overdue_the_day_after_its_end(signed_in, municipality):
    case = case_in(municipality, CaseState.WITH_UWV)
    term = case.terms.get()
    with time_machine.travel(dt.datetime.combine(term.end_on, dt.time(12), dt.UTC)):
        assert "(verlopen)" not in case_page(signed_in, case)
    with time_machine.travel(
        dt.datetime.combine(term.end_on + dt.timedelta(days=1), dt.time(12), dt.UTC)
    ):
        assert "(verlopen)" in case_page(signed_in, case)


def test_the_page_follows_the_language(signed_in, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    assert "Persoon" in case_page(signed_in, case, accept_language="nl")
    page = case_page(signed_in, case, accept_language="en")
    assert "<h2>Person</h2>" in page
    assert "<h2>Persoon</h2>" not in page


def test_each_municipality_sees_only_its_own_cases(client, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    owner = UserFactory(consultant=True, municipality=municipality)
    other = UserFactory(consultant=True, municipality=MunicipalityFactory())
    for user, status in ((owner, 200), (other, 404)):
        sign_in(client, user)
        response = client.get(reverse("work:case_detail", args=[case.pk]))
        assert response.status_code == status
