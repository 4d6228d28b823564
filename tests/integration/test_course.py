"""The course of a case as the law says (issue #20): not deciding in time is a refusal
(DOMAIN §3.1), a refused place (§3.4), a new advice in the person's file with a review date
for people in work (§2.6), and the advice that revives after a jobs-agreement job (§6.6).

Through the services, the sweep task and the pages of the consultant and the citizen; the
clock is fixed wherever a date matters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cases import rules, services
from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import (
    AdviceOutcome,
    BenefitKind,
    CaseState,
    ContractKind,
    TermKind,
    WorkplaceKind,
)
from cases.models import Case, Decision, Objection
from cases.notifications import dispatch, tasks
from cases.notifications.models import Notification, NotificationKind, OutboxMessage
from cases.placement.models import PlaceRefusal
from cases.terms.models import Term
from municipalities.models import Verordening
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
)
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

K = NotificationKind
AMS = ZoneInfo("Europe/Amsterdam")
CAPACITY = rules.WorkCapacity(True, True, Decimal(2), Decimal(6))


def on(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=AMS), tick=False)


@pytest.fixture
def municipality():
    municipality = MunicipalityFactory()
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    for year in (2025, 2026, 2027, 2028):
        YearlyQuotaFactory(municipality=municipality, year=year, places=5)
    return municipality


@pytest.fixture
def consultant(municipality):
    return UserFactory(consultant=True, municipality=municipality)


@pytest.fixture
def assessor():
    return UserFactory(uwv_assessor=True)


@pytest.fixture
def citizen():
    return UserFactory()


def advised(municipality, citizen, assessor, advice_on, *, benefit=BenefitKind.PARTICIPATIEWET):
    """A citizen's application with a positive UWV advice issued on ``advice_on``."""
    person = PersonFactory(municipality=municipality, account=citizen, benefit_kind=benefit)
    case = CaseFactory(person=person, state=CaseState.DRAFT)
    with on(advice_on - dt.timedelta(weeks=6)):
        services.submit_application(case_id=case.pk, actor=citizen)
    with on(advice_on):
        services.record_advice(
            case_id=case.pk,
            outcome=AdviceOutcome.POSITIVE,
            reasons="Heeft blijvend toezicht nodig.",
            actor=assessor,
            needs_supervision=True,
            work_capacity=CAPACITY,
        )
    return Case.objects.get(pk=case.pk)


def decided(case, consultant, day, positive=True):
    with on(day):
        services.record_decision(case_id=case.pk, positive=positive, actor=consultant)
    return Case.objects.get(pk=case.pk)


def place(case, consultant, start_on):
    with on(start_on):
        return services.place_person(
            case_id=case.pk,
            employer_name="Sociaal Werkbedrijf",
            workplace_kind=WorkplaceKind.SOCIAL_ENTERPRISE,
            hours_per_week=Decimal(31),
            start_on=start_on,
            contract_kind=ContractKind.INDEFINITE,
            agreed_wage=Decimal(2600),
            wage_value_pct=Decimal(40),
            actor=consultant,
        )


def notified(case, kind):
    return Notification.objects.filter(case=case, kind=kind)


# -- §3.1 not deciding in time is a refusal ------------------------------------------------


@pytest.mark.parametrize(
    ("advice_on", "due_on", "objection_until"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 4, 28), dt.date(2026, 6, 9)),  # King's Day
        (dt.date(2026, 2, 6), dt.date(2026, 4, 7), dt.date(2026, 5, 19)),  # Easter weekend
    ],
)
def test_the_sweep_records_a_deemed_refusal_once_after_the_term_across_holidays(
    municipality, consultant, citizen, assessor, advice_on, due_on, objection_until
):
    case = advised(municipality, citizen, assessor, advice_on)
    assert case.terms.get(kind=TermKind.DECISION).end_on == due_on

    with on(due_on, hour=23):
        tasks.sweep_terms.run()
    case.refresh_from_db()
    assert case.deemed_refusal_on is None

    the_day_after = due_on + dt.timedelta(days=1)
    with on(the_day_after, hour=0):
        tasks.sweep_terms.run()
        tasks.sweep_terms.run()  # a second beat changes nothing
    case.refresh_from_db()
    assert case.deemed_refusal_on == the_day_after
    assert case.state == CaseState.ADVICE_ISSUED  # the college can still decide
    objection = case.terms.get(kind=TermKind.OBJECTION)
    assert (objection.starts_on, objection.end_on) == (due_on, objection_until)
    assert CaseEvent.objects.filter(case=case, action="deemed_refusal").count() == 1
    audit = AuditEntry.objects.filter(action="record_deemed_refusal", object_id=str(case.pk))
    assert audit.count() == 1 and audit.get().actor_label == "system"
    mails = notified(case, K.DEEMED_REFUSAL)
    assert {(n.channel, n.recipient_id, n.term_end) for n in mails} == {
        ("inbox", citizen.pk, objection_until),
        ("email", citizen.pk, objection_until),
    }
    assert OutboxMessage.objects.filter(notification__in=mails.filter(channel="email")).exists()
    # The staff still hear that the term is overdue.
    assert notified(case, K.DECISION_OVERDUE).exists()


def test_the_mail_of_a_deemed_refusal_says_there_is_news_and_links_to_the_portal(
    municipality, citizen, assessor, settings
):
    settings.PORTAL_BASE_URL = "https://beschutwerk.example.nl"
    case = advised(municipality, citizen, assessor, dt.date(2026, 3, 2))
    with on(dt.date(2026, 4, 29)):
        services.record_deemed_refusals(today=dt.date(2026, 4, 29))
    mail = dispatch.build_email(notified(case, K.DEEMED_REFUSAL).get(channel="email"))
    assert "niet op tijd beslist" in mail.body and "weigering" in mail.body
    assert "9 juni 2026" in mail.body
    assert "https://beschutwerk.example.nl/" in mail.body
    assert "toezicht" not in mail.body.lower()  # no health content: not the advice's reasons
    assert case.person.last_name not in mail.body


def test_a_suspended_or_decided_term_is_no_deemed_refusal(
    municipality, consultant, citizen, assessor
):
    suspended = advised(municipality, citizen, assessor, dt.date(2026, 3, 2))
    with on(dt.date(2026, 3, 20)):
        services.suspend_term(
            case_id=suspended.pk,
            kind=TermKind.DECISION,
            on=dt.date(2026, 3, 20),
            reason="Wacht op stukken",
            actor=consultant,
        )
    in_time = advised(municipality, citizen, assessor, dt.date(2026, 3, 3))
    decided(in_time, consultant, dt.date(2026, 4, 1))
    assert services.record_deemed_refusals(today=dt.date(2026, 5, 20)) == 0
    assert not Case.objects.filter(deemed_refusal_on__isnull=False).exists()


def test_the_citizen_sees_the_deemed_refusal_and_objects_in_time(
    client, municipality, citizen, assessor
):
    case = advised(municipality, citizen, assessor, dt.date(2026, 3, 2))
    services.record_deemed_refusals(today=dt.date(2026, 4, 29))
    client.force_login(citizen)
    with on(dt.date(2026, 5, 4)):
        page = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()
        assert "De gemeente heeft niet op tijd beslist. Dat telt als een weigering." in page
        assert reverse("citizen:objection_create", args=[case.pk]) in page
        response = client.post(
            reverse("citizen:objection_create", args=[case.pk]),
            {"grounds": "Ik wacht al te lang."},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.OBJECTION
    assert Objection.objects.get(case=case).in_time


def test_a_late_decision_replaces_the_refusal_with_a_new_objection_term(
    signed_in, municipality, consultant, citizen, assessor
):
    case = advised(municipality, citizen, assessor, dt.date(2026, 3, 2))
    services.record_deemed_refusals(today=dt.date(2026, 4, 29))
    with on(dt.date(2026, 5, 4)):
        page = signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()
        assert 'data-testid="deemed-refusal"' in page
        assert reverse("work:case_decide", args=[case.pk]) in page
        assert reverse("work:case_object", args=[case.pk]) in page
        response = signed_in.post(
            reverse("work:case_decide", args=[case.pk]), {"decide-positive": "yes"}
        )
    assert response.status_code == 302, response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_PLACEMENT
    objection_terms = list(case.terms.filter(kind=TermKind.OBJECTION).order_by("id"))
    assert objection_terms[0].met_on == dt.date(2026, 5, 4)  # the refusal's term gives way
    assert objection_terms[1].met_on is None
    assert objection_terms[1].end_on == rules.objection_term_end(dt.date(2026, 5, 4))
    assert CaseEvent.objects.get(case=case, action="decision_recorded").details["late"] is True


def test_the_placement_signal_counts_three_months_from_the_positive_advice(
    municipality, consultant, citizen, assessor
):
    """§4.8 (Kamerbrief 2018): placement takes about three months after a positive advice. The
    signal counts from the advice, also when the decision comes late and an objection against
    not deciding in time is granted."""
    late = advised(municipality, citizen, assessor, dt.date(2026, 3, 2))
    decided(late, consultant, dt.date(2026, 4, 20))
    assert late.terms.get(kind=TermKind.PLACEMENT).end_on == dt.date(2026, 6, 2)

    objected = advised(municipality, citizen, assessor, dt.date(2026, 3, 2))
    services.record_deemed_refusals(today=dt.date(2026, 4, 29))
    with on(dt.date(2026, 5, 4)):
        services.file_objection(case_id=objected.pk, grounds="Te laat.", actor=citizen)
    with on(dt.date(2026, 6, 15)):
        services.decide_objection(
            objection_id=objected.objections.get().pk,
            outcome=Objection.Outcome.GRANTED,
            actor=consultant,
        )
    signal = objected.terms.get(kind=TermKind.PLACEMENT)
    assert (signal.starts_on, signal.end_on) == (dt.date(2026, 3, 2), dt.date(2026, 6, 2))


def test_the_consultant_registers_an_objection_by_post_with_its_postmark(
    signed_in, municipality, consultant, citizen, assessor
):
    """Awb 6:9: posted on the last day of the term, received two days later: in time."""
    case = advised(municipality, citizen, assessor, dt.date(2026, 3, 2))
    with on(dt.date(2026, 3, 16)):
        services.record_decision(
            case_id=case.pk, positive=False, deviation_reason="Niet zorgvuldig.", actor=consultant
        )
    end = case.terms.get(kind=TermKind.OBJECTION).end_on
    url = reverse("work:case_object", args=[case.pk])
    received = end + dt.timedelta(days=2)
    with on(received):
        late = signed_in.post(
            url,
            {
                "object-filed_on": received.isoformat(),
                "object-posted_on": (received + dt.timedelta(days=1)).isoformat(),
                "object-grounds": "Ik ben het niet eens.",
            },
        )
        assert late.status_code == 400
        assert "nadat het binnenkwam" in late.content.decode()
        response = signed_in.post(
            url,
            {
                "object-filed_on": received.isoformat(),
                "object-posted_on": end.isoformat(),
                "object-grounds": "Ik ben het niet eens.",
            },
        )
    assert response.status_code == 302, response.content.decode()
    assert Objection.objects.get(case=case).in_time


def test_a_late_refusal_while_an_objection_is_pending_keeps_the_objection_running(
    municipality, consultant, citizen, assessor
):
    case = advised(municipality, citizen, assessor, dt.date(2026, 3, 2))
    services.record_deemed_refusals(today=dt.date(2026, 4, 29))
    with on(dt.date(2026, 5, 4)):
        services.file_objection(case_id=case.pk, grounds="Te laat.", actor=citizen)
    with on(dt.date(2026, 5, 11)):
        decision = services.record_decision(
            case_id=case.pk, positive=False, deviation_reason="Niet zorgvuldig.", actor=consultant
        )
    case.refresh_from_db()
    assert decision.positive is False
    assert case.state == CaseState.OBJECTION
    assert case.objections.get().outcome == Objection.Outcome.PENDING


# -- §3.4 a refused place ---------------------------------------------------------------------


@pytest.fixture
def candidate(municipality, consultant, citizen, assessor):
    case = advised(municipality, citizen, assessor, dt.date(2026, 3, 2))
    return decided(case, consultant, dt.date(2026, 3, 16))


def test_a_refused_place_is_recorded_kept_and_the_person_keeps_their_turn(
    signed_in, client, candidate, consultant, citizen
):
    url = reverse("work:case_refuse_place", args=[candidate.pk])
    with on(dt.date(2026, 4, 1)):
        assert signed_in.get(url).status_code == 200
        response = signed_in.post(
            url,
            {
                "refuse_place-refused_on": "2026-03-30",
                "refuse_place-employer_name": "Groenbedrijf Noord",
                "refuse_place-job": "Medewerker groenonderhoud",
                "refuse_place-reason": "Te ver reizen.",
            },
        )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.state == CaseState.AWAITING_PLACEMENT
    refusal = PlaceRefusal.objects.get(case=candidate)
    assert (refusal.refused_on, refusal.must_accept) == (dt.date(2026, 3, 30), True)
    assert Decision.objects.get(case=candidate).place_refused_on == dt.date(2026, 3, 30)
    assert CaseEvent.objects.filter(case=candidate, action="place_refused").exists()
    assert notified(candidate, K.PLACE_REFUSED).filter(recipient=citizen).exists()
    with on(dt.date(2026, 4, 1)):
        page = signed_in.get(reverse("work:case_detail", args=[candidate.pk])).content.decode()
    assert "Groenbedrijf Noord" in page and "Te ver reizen." in page
    assert reverse("work:case_place", args=[candidate.pk]) in page  # another place can follow

    client.force_login(citizen)
    with on(dt.date(2026, 4, 1)):
        mine = client.get(reverse("citizen:case_detail", args=[candidate.pk])).content.decode()
    assert "Medewerker groenonderhoud" in mine and "Groenbedrijf Noord" in mine
    assert "U houdt uw beurt." in mine
    assert "uw uitkering lager worden" in mine


def test_without_social_assistance_the_person_is_not_told_of_a_lower_benefit(
    client, municipality, consultant, citizen, assessor
):
    case = advised(municipality, citizen, assessor, dt.date(2026, 3, 2), benefit=BenefitKind.WAJONG)
    decided(case, consultant, dt.date(2026, 3, 16))
    with on(dt.date(2026, 4, 1)):
        refusal = services.record_place_refusal(
            case_id=case.pk,
            refused_on=dt.date(2026, 4, 1),
            employer_name="Werkbedrijf",
            job="Inpakker",
            reason="Wil liever iets anders.",
            actor=consultant,
        )
        client.force_login(citizen)
        mine = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()
    assert refusal.must_accept is False
    assert "Inpakker" in mine and "uw uitkering lager worden" not in mine


def test_a_refusal_without_a_reason_or_of_someone_not_waiting_is_refused(
    signed_in, candidate, municipality, consultant
):
    url = reverse("work:case_refuse_place", args=[candidate.pk])
    with on(dt.date(2026, 4, 1)):
        response = signed_in.post(
            url,
            {
                "refuse_place-refused_on": "2026-03-30",
                "refuse_place-employer_name": "Groenbedrijf",
                "refuse_place-job": "Groen",
                "refuse_place-reason": "",
            },
        )
        assert response.status_code == 400
        response = signed_in.post(
            url,
            {
                "refuse_place-refused_on": "2026-03-01",  # before the positive decision
                "refuse_place-employer_name": "Groenbedrijf",
                "refuse_place-job": "Groen",
                "refuse_place-reason": "Nee.",
            },
        )
        assert response.status_code == 400
        assert "tussen" in response.content.decode()
    assert not PlaceRefusal.objects.exists()
    employed = CaseFactory(person=PersonFactory(municipality=municipality), state="employed")
    with pytest.raises(ValidationError):
        services.record_place_refusal(
            case_id=employed.pk,
            refused_on=dt.date(2026, 4, 1),
            employer_name="X",
            job="Y",
            reason="Z",
            actor=consultant,
        )
    assert signed_in.get(reverse("work:case_refuse_place", args=[employed.pk])).status_code == 404


# -- §2.6 a new advice belongs to the person's file; a review date for people in work -------


def test_placing_sets_a_review_date_the_sweep_watches(municipality, candidate, consultant):
    place(candidate, consultant, dt.date(2026, 4, 1))
    review = Term.objects.get(case=candidate, kind=TermKind.ADVICE_REVIEW)
    assert (review.end_on, review.met_on) == (dt.date(2028, 4, 1), None)
    with on(dt.date(2028, 3, 31)):
        tasks.sweep_terms.run()
    assert not notified(candidate, K.ADVICE_REVIEW_DUE).exists()
    with on(dt.date(2028, 4, 1)):
        tasks.sweep_terms.run()
    assert notified(candidate, K.ADVICE_REVIEW_DUE).filter(recipient=consultant).exists()


def test_the_verordening_sets_the_review_months_or_none(
    municipality, consultant, citizen, assessor
):
    Verordening.objects.filter(municipality=municipality).update(advice_review_months=0)
    case = decided(
        advised(municipality, citizen, assessor, dt.date(2026, 3, 2)),
        consultant,
        dt.date(2026, 3, 16),
    )
    place(case, consultant, dt.date(2026, 4, 1))
    assert not Term.objects.filter(case=case, kind=TermKind.ADVICE_REVIEW).exists()


def test_applying_again_joins_the_file_and_the_12_month_rule_still_holds(
    signed_in, municipality, candidate, consultant, citizen
):
    person = candidate.person
    with on(dt.date(2026, 6, 1)):
        second = services.create_application(
            person=person, applicant_kind="person", source="self_referral", actor=citizen
        )
        services.submit_application(case_id=second.pk, actor=citizen)
    second.refresh_from_db()
    assert second.previous_case_id == candidate.pk
    submitted = CaseEvent.objects.get(case=second, action="application_submitted")
    assert submitted.details["twelve_month_rule"] == "negative_unless_changed"
    assert CaseEvent.objects.filter(case=candidate, action="new_application_in_file").exists()
    with on(dt.date(2026, 6, 1)):
        page = signed_in.get(reverse("work:case_detail", args=[second.pk])).content.decode()
    file_list = page.split('data-testid="person-file"', 1)[1].split("</ul>", 1)[0]
    assert candidate.reference in file_list
    with on(dt.date(2026, 6, 1)):
        first = signed_in.get(reverse("work:case_detail", args=[candidate.pk])).content.decode()
    assert second.reference in first.split('data-testid="person-file"', 1)[1]


def test_a_new_advice_on_a_person_in_work_is_in_force_and_the_job_goes_on(
    signed_in, municipality, candidate, consultant, assessor
):
    place(candidate, consultant, dt.date(2026, 4, 1))
    url = reverse("work:case_request_advice", args=[candidate.pk])
    with on(dt.date(2027, 2, 1)):
        sign_in(signed_in, consultant)  # a session of today has expired by then
        response = signed_in.post(
            url,
            {
                "request_advice-preselection_done_on": "2027-01-28",
                "request_advice-preselection_notes": "Kan meer aan dan eerst.",
            },
        )
        assert response.status_code == 302
        new = Case.objects.exclude(pk=candidate.pk).get(person=candidate.person)
        assert response["Location"] == reverse("work:case_detail", args=[new.pk])
        assert new.previous_case_id == candidate.pk and new.state == CaseState.SUBMITTED
        again = signed_in.post(
            url,
            {
                "request_advice-preselection_done_on": "2027-01-28",
                "request_advice-preselection_notes": "Nog een keer.",
            },
        )
        assert again.status_code == 400 and new.reference in again.content.decode()
    with on(dt.date(2027, 3, 1)):
        services.record_advice(
            case_id=new.pk,
            outcome=AdviceOutcome.NEGATIVE,
            reasons="Kan bij een gewone werkgever werken.",
            actor=assessor,
            work_capacity=CAPACITY,
        )
    review = Term.objects.get(case=candidate, kind=TermKind.ADVICE_REVIEW)
    assert review.met_on == dt.date(2027, 3, 1)
    assert CaseEvent.objects.filter(case=candidate, action="newer_advice").exists()
    with on(dt.date(2027, 3, 2)):
        sign_in(signed_in, consultant)
        page = signed_in.get(reverse("work:case_detail", args=[candidate.pk])).content.decode()
    assert f"nieuwer advies gegeven op zaak {new.reference}" in page

    decided(new, consultant, dt.date(2027, 3, 8), positive=False)
    candidate.refresh_from_db()
    assert candidate.state == CaseState.EMPLOYED  # the job goes on
    # When the job ends, the advice in force (the newer, negative one) counts (§6.4).
    with on(dt.date(2027, 6, 30)):
        services.end_employment(
            employment_id=candidate.employments.get().pk,
            end_on=dt.date(2027, 6, 30),
            reason="Contract afgelopen",
            actor=consultant,
        )
    candidate.refresh_from_db()
    assert candidate.state == CaseState.CLOSED


def test_a_positive_decision_on_a_newer_advice_closes_the_earlier_waiting_case(
    municipality, candidate, consultant, assessor
):
    with on(dt.date(2026, 9, 1)):
        new = services.request_new_advice(
            case_id=candidate.pk,
            preselection_done_on=dt.date(2026, 9, 1),
            preselection_notes="Andere mogelijkheden.",
            actor=consultant,
        )
    with on(dt.date(2026, 10, 1)):
        services.record_advice(
            case_id=new.pk,
            outcome=AdviceOutcome.POSITIVE,
            reasons="Toezicht nodig.",
            actor=assessor,
            needs_supervision=True,
            work_capacity=CAPACITY,
        )
    new = decided(new, consultant, dt.date(2026, 10, 5))
    candidate.refresh_from_db()
    assert new.state == CaseState.AWAITING_PLACEMENT
    assert candidate.state == CaseState.CLOSED
    superseded = CaseEvent.objects.get(case=candidate, action="superseded")
    assert superseded.details == {"case": new.pk}
    assert not Term.objects.filter(case=candidate, met_on__isnull=True).exists()
    assert Case.objects.filter(person=candidate.person, state="awaiting_placement").count() == 1


# -- §6.6 back from a jobs-agreement job ----------------------------------------------------


def to_jobs_agreement(signed_in, case, consultant, day):
    place(case, consultant, dt.date(2026, 4, 1))
    with on(day):
        response = signed_in.post(
            reverse("work:case_end_employment", args=[case.pk]),
            {
                "end_employment-end_on": day.isoformat(),
                "end_employment-reason": "Baan via de banenafspraak",
                "end_employment-to_jobs_agreement": "on",
            },
        )
    assert response.status_code == 302
    case.refresh_from_db()
    return case


def test_falling_back_with_revival_on_makes_the_person_a_candidate_again(
    signed_in, candidate, consultant, citizen
):
    case = to_jobs_agreement(signed_in, candidate, consultant, dt.date(2026, 9, 30))
    assert case.state == CaseState.JOBS_AGREEMENT
    assert case.person.in_jobs_register is True
    assert case.employments.get().to_jobs_agreement is True
    citizen_client = Client()
    citizen_client.force_login(citizen)
    with on(dt.date(2026, 10, 1)):
        mine = citizen_client.get(reverse("citizen:case_detail", args=[case.pk]))
    assert "U werkt in een baan via de banenafspraak" in mine.content.decode()
    with on(dt.date(2027, 1, 15)):
        sign_in(signed_in, consultant)
        response = signed_in.post(
            reverse("work:case_fall_back", args=[case.pk]), {"fall_back-on": "2027-01-15"}
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_PLACEMENT
    assert case.person.in_jobs_register is False
    assert Term.objects.get(case=case, kind=TermKind.PLACEMENT, met_on__isnull=True).starts_on == (
        dt.date(2027, 1, 15)
    )
    event = CaseEvent.objects.get(case=case, action="fell_back")
    assert event.details["revived"] is True
    assert Case.objects.filter(person=case.person).count() == 1  # no new advice needed


def test_falling_back_under_a_verordening_without_revival_needs_a_new_advice(
    signed_in, municipality, candidate, consultant
):
    case = to_jobs_agreement(signed_in, candidate, consultant, dt.date(2026, 9, 30))
    # A newer version of the verordening, in force from 1 January 2027, turns revival off.
    VerordeningFactory(
        municipality=municipality,
        in_force_from=dt.date(2027, 1, 1),
        advice_revives_on_fallback=False,
    )
    with on(dt.date(2027, 1, 15)):
        sign_in(signed_in, consultant)
        response = signed_in.post(
            reverse("work:case_fall_back", args=[case.pk]),
            {"fall_back-on": "2027-01-15"},
            follow=True,
        )
    page = response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert "nieuw advies nodig" in page
    assert 'data-testid="new-advice-needed"' in page
    assert reverse("work:case_request_advice", args=[case.pk]) in page
    assert CaseEvent.objects.get(case=case, action="fell_back").details["revived"] is False
    with on(dt.date(2027, 1, 18)):
        new = services.request_new_advice(
            case_id=case.pk,
            preselection_done_on=dt.date(2027, 1, 18),
            preselection_notes="Teruggevallen uit baan banenafspraak.",
            actor=consultant,
        )
    assert new.previous_case_id == case.pk and new.state == CaseState.SUBMITTED


def test_a_fallback_before_the_newer_verordening_still_revives(
    signed_in, municipality, candidate, consultant
):
    case = to_jobs_agreement(signed_in, candidate, consultant, dt.date(2026, 9, 30))
    VerordeningFactory(
        municipality=municipality,
        in_force_from=dt.date(2027, 1, 1),
        advice_revives_on_fallback=False,
    )
    with on(dt.date(2027, 1, 15)):
        services.record_fallback(case_id=case.pk, on=dt.date(2026, 12, 20), actor=consultant)
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_PLACEMENT


def test_a_fallback_date_before_the_switch_or_in_the_future_is_refused(
    signed_in, candidate, consultant
):
    case = to_jobs_agreement(signed_in, candidate, consultant, dt.date(2026, 9, 30))
    with on(dt.date(2026, 10, 5)):
        for day in ("2026-09-01", "2026-10-06"):
            response = signed_in.post(
                reverse("work:case_fall_back", args=[case.pk]), {"fall_back-on": day}
            )
            assert response.status_code == 400
    case.refresh_from_db()
    assert case.state == CaseState.JOBS_AGREEMENT
    assert not CaseEvent.objects.filter(case=case, action="fell_back").exists()
