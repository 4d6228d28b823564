"""Correction requests (AVG art. 16) through the pages: the citizen asks, the consultants of
the case's municipality see and answer it within the month of AVG art. 12(3), the citizen
reads the answer; both sides are notified and every step is audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import CaseState
from cases.notifications.models import Notification, NotificationKind
from cases.privacy.models import CorrectionRequest
from tests.factories import CaseFactory, MunicipalityFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return UserFactory(email="inwoner@example.nl")


@pytest.fixture
def case(citizen):
    person = PersonFactory(account=citizen, first_name="Sam", last_name="Jansen")
    return CaseFactory(person=person, state=CaseState.AWAITING_PLACEMENT)


@pytest.fixture
def consultant(case):
    return UserFactory(consultant=True, municipality=case.municipality)


def ask(client, case, **data):
    data = {"what_is_wrong": "Mijn achternaam is fout.", "what_it_should_be": "Janssen"} | data
    return client.post(reverse("citizen:correction_create", args=[case.pk]), data)


@time_machine.travel(dt.datetime(2026, 1, 30, 10, 0, tzinfo=dt.UTC), tick=False)
def test_a_citizen_asks_and_the_municipality_must_answer_within_a_month(
    client, citizen, case, consultant
):
    client.force_login(citizen)
    assert client.get(reverse("citizen:correction_create", args=[case.pk])).status_code == 200

    response = ask(client, case)

    assert response.status_code == 302
    request = CorrectionRequest.objects.get(case=case)
    assert request.state == "open" and request.received_on == dt.date(2026, 1, 30)
    # 30 January + 1 month = 28 February 2026, a Saturday: Monday 2 March.
    assert request.due_on == dt.date(2026, 3, 2)
    assert CaseEvent.objects.filter(case=case, action="correction_requested").exists()
    assert AuditEntry.objects.filter(
        action="file_correction_request", actor=citizen, object_id=str(case.pk), result="ok"
    ).exists()
    told = Notification.objects.filter(
        case=case, kind=NotificationKind.CORRECTION_REQUESTED, recipient=consultant
    )
    assert told.filter(channel="inbox").exists() and told.filter(channel="email").exists()
    page = client.get(reverse("citizen:my_data")).content.decode()
    assert "Mijn achternaam is fout." in page and "2 maart 2026" in page


def test_an_empty_request_is_refused_with_a_clear_message_and_nothing_is_stored(
    client, citizen, case
):
    client.force_login(citizen)

    response = ask(client, case, what_it_should_be="   ")

    assert response.status_code == 400
    assert "Schrijf op wat het moet zijn." in response.content.decode()
    assert "Mijn achternaam is fout." in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_nobody_asks_about_another_citizens_case(client, case):
    other = UserFactory()
    client.force_login(other)

    assert client.get(reverse("citizen:correction_create", args=[case.pk])).status_code == 404
    assert ask(client, case).status_code == 404
    assert not CorrectionRequest.objects.exists()


def test_the_consultant_grants_it_and_corrects_the_name_the_citizen_reads_the_answer(
    client, citizen, case, consultant
):
    client.force_login(citizen)
    ask(client, case)
    request = CorrectionRequest.objects.get()
    sign_in(client, consultant)
    listing = client.get(reverse("work:correction_list")).content.decode()
    assert case.reference in listing
    assert reverse("work:correction_answer", args=[request.pk]) in listing
    url = reverse("work:correction_answer", args=[request.pk])
    assert "Mijn achternaam is fout." in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "granted": "yes",
            "answer": "Wij hebben uw achternaam verbeterd.",
            "first_name": "Sam",
            "last_name": "Janssen",
            "birth_date": case.person.birth_date.isoformat(),
            "email": "",
            "phone": "",
        },
    )

    assert response.status_code == 302
    request.refresh_from_db()
    case.person.refresh_from_db()
    assert request.state == "granted" and request.answered_by == consultant
    assert case.person.last_name == "Janssen"
    event = CaseEvent.objects.get(case=case, action="correction_answered")
    assert event.details["corrected"] == ["last_name"]  # the field, never the value
    assert AuditEntry.objects.filter(
        action="answer_correction_request", actor=consultant, result="ok"
    ).exists()
    assert Notification.objects.filter(
        case=case, kind=NotificationKind.CORRECTION_ANSWERED, recipient=citizen, channel="inbox"
    ).exists()
    client.force_login(citizen)
    page = client.get(reverse("citizen:my_data")).content.decode()
    assert "Wij hebben uw achternaam verbeterd." in page and "Verbeterd" in page


def test_a_refusal_needs_a_reason_and_changes_nothing(client, citizen, case, consultant):
    client.force_login(citizen)
    ask(client, case)
    request = CorrectionRequest.objects.get()
    sign_in(client, consultant)
    url = reverse("work:correction_answer", args=[request.pk])

    response = client.post(url, {"granted": "no", "answer": "", "last_name": "Anders"})

    assert response.status_code == 400
    assert "Schrijf het antwoord aan de aanvrager." in response.content.decode()
    request.refresh_from_db()
    assert request.state == "open"

    response = client.post(
        url, {"granted": "no", "answer": "Dit klopt met de BRP.", "last_name": "Anders"}
    )

    assert response.status_code == 302
    request.refresh_from_db()
    case.person.refresh_from_db()
    assert request.state == "refused" and case.person.last_name == "Jansen"
    # Answered once: a second answer is refused (400), the first stays.
    again = client.post(url, {"granted": "yes", "answer": "Toch wel."})
    assert again.status_code == 400
    request.refresh_from_db()
    assert request.answer == "Dit klopt met de BRP."


def test_another_municipality_neither_sees_nor_answers_it(client, citizen, case):
    client.force_login(citizen)
    ask(client, case)
    request = CorrectionRequest.objects.get()
    stranger = UserFactory(consultant=True, municipality=MunicipalityFactory())
    sign_in(client, stranger)

    assert case.reference not in client.get(reverse("work:correction_list")).content.decode()
    url = reverse("work:correction_answer", args=[request.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"granted": "yes", "answer": "x"}).status_code == 404
    request.refresh_from_db()
    assert request.state == "open"


def test_citizens_cannot_open_the_consultants_list(client, citizen):
    client.force_login(citizen)

    assert client.get(reverse("work:correction_list")).status_code == 403


@time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC), tick=False)
def test_the_list_shows_what_is_overdue_in_a_fixed_number_of_queries(
    client, consultant, case, django_assert_num_queries
):
    def request(received_on, **extra):
        return CorrectionRequest.objects.create(
            case=case,
            requested_by=case.person.account,
            received_on=received_on,
            due_on=received_on + dt.timedelta(days=30),
            what_is_wrong="a",
            what_it_should_be="b",
            **extra,
        )

    request(dt.date(2026, 1, 5))  # due 4 February: overdue
    request(dt.date(2026, 3, 2))
    sign_in(client, consultant)
    url = reverse("work:correction_list")
    client.get(url)

    # session, user, open requests, answered requests (each with case and person)
    with django_assert_num_queries(4):
        response = client.get(url)

    page = response.content.decode()
    assert "verlopen" in page
    for _ in range(3):
        request(dt.date(2026, 3, 3))
    other = CaseFactory(
        person=PersonFactory(municipality=case.municipality), state=CaseState.SUBMITTED
    )
    CorrectionRequest.objects.create(
        case=other,
        requested_by=case.person.account,
        received_on=dt.date(2026, 2, 1),
        due_on=dt.date(2026, 3, 2),
        what_is_wrong="c",
        what_it_should_be="d",
        state="granted",
        answer="ok",
        answered_at=dt.datetime(2026, 2, 10, tzinfo=dt.UTC),
    )
    with django_assert_num_queries(4):
        response = client.get(url)
    assert other.reference in response.content.decode()
