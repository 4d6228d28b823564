"""A legal term reads the same on every page that shows it (DOMAIN §0; issue #19): which
term, its last day, and its state in words (running with the days left, nearly due, suspended
since when, overdue), whether a consultant, an assessor or the citizen looks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.choices import CaseState, TermKind
from cases.models import Term
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 1, 20)  # a Wednesday
NOON = dt.datetime(2027, 1, 20, 11, tzinfo=dt.UTC)
TERM = re.compile(r'<span class="term-status[^"]*">(.*?)</span>', re.S)


def at_uwv(municipality, ends_on: dt.date):
    citizen = UserFactory()
    person = PersonFactory(municipality=municipality, account=citizen)
    case = CaseFactory(person=person, state=CaseState.WITH_UWV)
    Term.objects.filter(case=case, kind=TermKind.UWV_ADVICE).update(end_on=ends_on)
    return case, citizen


def term_text(html: str, reference: str | None = None) -> str:
    """The text of the first term shown (in the row of ``reference``, on a list page)."""
    if reference is not None:
        html = re.search(rf"<tr>\s*<td[^>]*><a [^>]*>{reference}</a>.*?</tr>", html, re.S)[0]
    return re.sub(r"<[^>]+>", "", TERM.search(html)[1])


def dutch_date(day: dt.date) -> str:
    with translation.override("nl"):
        return date_filter(day, "j F Y")


def texts(case, citizen, consultant) -> dict[str, str]:
    staff = sign_in(Client(), consultant)
    assessor = sign_in(Client(), UserFactory(uwv_assessor=True))
    own = Client()
    own.force_login(citizen)

    def page(client, name, *args) -> str:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        return response.content.decode()

    return {
        "work list": term_text(page(staff, "work:case_list"), case.reference),
        "case page": term_text(page(staff, "work:case_detail", case.pk)),
        "UWV queue": term_text(page(assessor, "uwv:queue"), case.reference),
        "UWV case page": term_text(page(assessor, "uwv:case_detail", case.pk)),
        "my applications": term_text(page(own, "citizen:case_list"), case.reference),
        "my application": term_text(page(own, "citizen:case_detail", case.pk)),
    }


@pytest.mark.parametrize(
    ("ends_on", "state"),
    [
        (dt.date(2027, 2, 15), "loopt, nog 26 dagen"),
        (dt.date(2027, 1, 23), "bijna verlopen, nog 3 dagen"),
        (dt.date(2027, 1, 21), "bijna verlopen, nog 1 dag"),
        (TODAY, "bijna verlopen, vandaag is de laatste dag"),
        (dt.date(2027, 1, 19), "verlopen"),
    ],
)
def test_a_term_reads_the_same_on_every_page(municipality, consultant, ends_on, state):
    case, citizen = at_uwv(municipality, ends_on)
    with time_machine.travel(NOON, tick=False):
        shown = texts(case, citizen, consultant)
    expected = f"Adviestermijn UWV: tot en met {dutch_date(ends_on)} ({state})"
    assert set(shown.values()) == {expected}, shown


def test_a_suspended_term_says_since_when_on_every_page(municipality, consultant):
    case, citizen = at_uwv(municipality, dt.date(2027, 2, 15))
    with time_machine.travel(NOON, tick=False):
        services.suspend_term(
            case_id=case.pk,
            kind=TermKind.UWV_ADVICE,
            on=dt.date(2027, 1, 18),
            reason="Wacht op stukken",
            actor=UserFactory(uwv_assessor=True),
        )
        shown = texts(case, citizen, consultant)
    end = Term.objects.get(case=case, kind=TermKind.UWV_ADVICE).end_on
    expected = (
        f"Adviestermijn UWV: tot en met {dutch_date(end)} (opgeschort sinds 18 januari 2027; "
        "de einddatum schuift op met elke dag dat dit zo blijft)"
    )
    assert set(shown.values()) == {expected}, shown


def test_an_overdue_term_is_emphasised_in_words_not_only_coloured(municipality, consultant):
    overdue, _citizen = at_uwv(municipality, dt.date(2027, 1, 19))
    with time_machine.travel(NOON, tick=False):
        html = sign_in(Client(), consultant).get(reverse("work:case_list")).content.decode()
    row = re.search(rf"<tr>\s*<td[^>]*><a [^>]*>{overdue.reference}</a>.*?</tr>", html, re.S)[0]
    assert '<span class="term-status term-status--overdue">' in row
    assert "<strong>(verlopen)</strong>" in row
