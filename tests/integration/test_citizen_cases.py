"""Mijn aanvragen: the list, the case page with its timeline, the decision letter, objection,
withdrawal, messages and contact details; other people's cases answer 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import conversations
from cases.audit.models import CaseEvent
from cases.choices import ApplicantKind, CaseState, MessageThread, TermKind
from cases.documents.letters import decision_letter_html, decision_letter_pdf
from cases.models import Objection, Person
from cases.terms.models import Term
from tests.factories import CaseFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return UserFactory()


def case_of(citizen, state, **kwargs):
    person = PersonFactory(account=citizen)
    return CaseFactory(person=person, state=state, **kwargs)


def objection_term(case, sent_on=None):
    sent_on = sent_on or case.decision.sent_on
    return Term.objects.create(
        case=case,
        kind=TermKind.OBJECTION,
        starts_on=sent_on,
        weeks=6,
        end_on=sent_on + dt.timedelta(weeks=6),
    )


def test_the_list_shows_only_my_cases_in_a_fixed_number_of_queries(
    client, citizen, django_assert_num_queries
):
    mine = [case_of(citizen, CaseState.SUBMITTED) for _ in range(3)]
    theirs = CaseFactory(state=CaseState.SUBMITTED)
    client.force_login(citizen)

    # session, user, drafts, cases, terms (prefetch)
    with django_assert_num_queries(5):
        response = client.get(reverse("citizen:case_list"))

    page = response.content.decode()
    assert all(case.reference in page for case in mine)
    assert theirs.reference not in page
    case_of(citizen, CaseState.WITH_UWV)
    with django_assert_num_queries(5):
        client.get(reverse("citizen:case_list"))


def test_the_case_page_costs_the_same_queries_however_many_events(
    client, citizen, django_assert_num_queries
):
    case = case_of(citizen, CaseState.REJECTED)
    objection_term(case)
    client.force_login(citizen)
    url = reverse("citizen:case_detail", args=[case.pk])
    client.get(url)

    # session, user, case (with application, advice, decision),
    # audit entry of the view, terms, objections (with appeals), messages, documents,
    # refused places, support provisions, the theme of its municipality
    with django_assert_num_queries(11):
        client.get(url)
    for i in range(30):
        CaseEvent.objects.create(case=case, action="note", details={"i": i})
    conversations.post_message(
        case_id=case.pk,
        thread=MessageThread.APPLICANT,
        body="Welkom bij de afspraak.",
        actor=UserFactory(consultant=True, municipality=case.municipality),
    )
    # one more: marking the new message read
    with django_assert_num_queries(12):
        response = client.get(url)
    assert "Welkom bij de afspraak." in response.content.decode()


def test_the_timeline_shows_done_steps_with_dates_and_the_running_term(client, citizen):
    case = case_of(citizen, CaseState.SUBMITTED)
    term = case.terms.get(kind=TermKind.UWV_ADVICE)
    client.force_login(citizen)

    page = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()

    assert "Aanvraag verstuurd" in page
    assert 'aria-current="step"' in page
    assert "UWV geeft een advies" in page
    from django.utils.formats import date_format

    assert date_format(term.end_on, "j F Y") in page


def test_a_suspended_term_says_so(client, citizen):
    case = case_of(citizen, CaseState.WITH_UWV)
    term = case.terms.get(kind=TermKind.UWV_ADVICE)
    Term.objects.filter(pk=term.pk).update(suspended_since=timezone.localdate())
    client.force_login(citizen)

    page = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()

    assert "opgeschort" in page.lower() or "stil" in page


@pytest.mark.parametrize(
    "name",
    ["case_detail", "receipt", "decision_letter", "objection_create", "withdraw", "contact_update"],
)
def test_another_persons_case_answers_404_everywhere(client, citizen, name):
    other = CaseFactory(state=CaseState.REJECTED, person=PersonFactory(account=UserFactory()))
    client.force_login(citizen)

    assert client.get(reverse(f"citizen:{name}", args=[other.pk])).status_code == 404
    assert (
        client.post(
            reverse(f"citizen:{name}", args=[other.pk]), {"grounds": "x", "email": "a@b.nl"}
        ).status_code
        == 404
    )


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("citizen:case_list"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_decision_letter_has_letterhead_grounds_and_the_exact_objection_end(citizen):
    case = case_of(citizen, CaseState.REJECTED)
    municipality = case.municipality
    municipality.letterhead = "Gemeente Testdorp\nPostbus 1\n1000 AA Testdorp"
    municipality.contact_phone = "14 020"
    municipality.save()
    case.decision.sent_on = dt.date(2026, 3, 25)
    case.decision.save()
    objection_term(case)  # ends Wednesday 6 May 2026

    html = decision_letter_html(case.decision)
    pdf = decision_letter_pdf(case.decision)

    assert "Postbus 1" in html and "14 020" in html
    assert "artikel 10b van de Participatiewet" in html
    assert "6 mei 2026" in html
    assert "U komt niet in aanmerking" in html
    assert pdf.startswith(b"%PDF")


def test_the_citizen_downloads_the_decision_letter(client, citizen):
    case = case_of(citizen, CaseState.AWAITING_PLACEMENT)
    objection_term(case)
    client.force_login(citizen)

    response = client.get(reverse("citizen:decision_letter", args=[case.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_no_letter_before_a_decision(client, citizen):
    case = case_of(citizen, CaseState.SUBMITTED)
    client.force_login(citizen)
    assert client.get(reverse("citizen:decision_letter", args=[case.pk])).status_code == 404


def test_an_objection_within_the_term_is_filed_online(client, citizen):
    today = timezone.localdate()
    case = case_of(citizen, CaseState.REJECTED)
    case.decision.sent_on = today - dt.timedelta(days=3)
    case.decision.save()
    objection_term(case)
    client.force_login(citizen)
    url = reverse("citizen:objection_create", args=[case.pk])

    empty = client.post(url, {"grounds": ""})
    assert "Schrijf op waarom" in empty.content.decode()
    response = client.post(url, {"grounds": "Ik heb wel begeleiding nodig."})

    assert response.status_code == 302
    objection = Objection.objects.get(case=case)
    assert objection.in_time
    case.refresh_from_db()
    assert case.state == CaseState.OBJECTION
    page = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()
    assert "Bezwaar ingediend op" in page
    assert "Bezwaar maken tegen het besluit" not in page
    again = client.post(url, {"grounds": "Nog een keer."})
    assert again.status_code == 400 and Objection.objects.filter(case=case).count() == 1
    # Not offered again: the page says an objection was filed, without a form to fill in.
    shown = client.get(url)
    html = shown.content.decode()
    assert shown.status_code == 200
    assert "U hebt al bezwaar gemaakt tegen dit besluit op" in html
    assert "<textarea" not in html and "Bezwaar versturen" not in html


def test_the_objection_link_is_gone_after_the_term(client, citizen):
    case = case_of(citizen, CaseState.REJECTED)
    term = objection_term(case)
    Term.objects.filter(pk=term.pk).update(end_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(citizen)

    page = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()

    assert "Bezwaar maken tegen het besluit" not in page
    assert "Bezwaar mogelijk" not in page  # nor a step that says it still is


def test_objecting_to_a_positive_decision_is_a_step_of_now(client, citizen):
    """While its term runs the chance to object is now, beside the search for a place."""
    case = case_of(citizen, CaseState.AWAITING_PLACEMENT)
    term = objection_term(case)
    Term.objects.filter(pk=term.pk).update(end_on=timezone.localdate() + dt.timedelta(days=10))
    client.force_login(citizen)

    page = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()

    step = page[page.index("Bezwaar mogelijk") :]
    assert step.index("Nu") < step.index("</li>")


def test_a_representatives_page_speaks_about_the_person_not_to_the_reader(client, citizen):
    """A parent follows the application of their child: the page says what applies to the
    child, by name, as the letter does."""
    case = case_of(citizen, CaseState.REJECTED)
    Person.objects.filter(pk=case.person_id).update(first_name="Sam", last_name="Jansen")
    case.application.applicant_kind = ApplicantKind.REPRESENTATIVE
    case.application.representative_name = "Petra Jansen"
    case.application.representative_relationship = "parent"
    case.application.save()
    client.force_login(citizen)

    page = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()

    assert "Sam Jansen komt niet in aanmerking voor beschut werk." in page
    assert "Contactgegevens van Sam Jansen" in page
    assert "U komt niet in aanmerking" not in page and "Uw contactgegevens" not in page


def test_withdrawing_an_application(client, citizen):
    case = case_of(citizen, CaseState.SUBMITTED)
    client.force_login(citizen)

    confirm = client.get(reverse("citizen:withdraw", args=[case.pk]))
    assert "echt intrekken" in confirm.content.decode()
    client.post(reverse("citizen:withdraw", args=[case.pk]))

    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert client.get(reverse("citizen:withdraw", args=[case.pk])).status_code == 404


def test_contact_details_are_validated_and_saved(client, citizen):
    case = case_of(citizen, CaseState.SUBMITTED)
    client.force_login(citizen)
    url = reverse("citizen:contact_update", args=[case.pk])

    bad = client.post(url, {"email": "geen", "phone": ""})
    assert "Vul een geldig e-mailadres in" in bad.content.decode()
    client.post(url, {"email": "nieuw@example.nl", "phone": "0612345678"})

    case.person.refresh_from_db()
    assert (case.person.email, case.person.phone) == ("nieuw@example.nl", "0612345678")


def test_messages_from_the_municipality_are_shown_and_marked_read(client, citizen):
    case = case_of(citizen, CaseState.WITH_UWV)
    message = conversations.post_message(
        case_id=case.pk,
        thread=MessageThread.APPLICANT,
        body="Kom langs.",
        actor=UserFactory(consultant=True, municipality=case.municipality),
    )
    client.force_login(citizen)

    page = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()

    assert "Kom langs." in page and "nieuw" in page
    message.refresh_from_db()
    assert message.read_by_applicant_at is not None


def test_the_overview_links_a_citizen_to_my_applications(client, citizen):
    client.force_login(citizen)
    page = client.get("/").content.decode()
    assert reverse("citizen:case_list") in page and "Mijn aanvragen" in page
