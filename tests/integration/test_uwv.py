"""The UWV assessor's queue and advice (issue #5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import ApplicantKind, CaseState, TermKind
from cases.models import Advice, Case
from cases.terms.models import Term, TermEvent
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
)
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessor(client):
    user = UserFactory(uwv_assessor=True)
    sign_in(client, user)
    return user


def at_uwv(*, ends_in_days: int, municipality=None, **person):
    person = PersonFactory(municipality=municipality or MunicipalityFactory(), **person)
    case = CaseFactory(person=person, state=CaseState.WITH_UWV)
    today = timezone.localdate()
    Term.objects.filter(case=case, kind=TermKind.UWV_ADVICE).update(
        starts_on=today - dt.timedelta(weeks=8) + dt.timedelta(days=ends_in_days),
        end_on=today + dt.timedelta(days=ends_in_days),
    )
    case.application.received_on = today - dt.timedelta(weeks=8) + dt.timedelta(days=ends_in_days)
    case.application.save(update_fields=["received_on"])
    return case


def test_only_assessors_open_the_queue(client):
    sign_in(client, UserFactory(consultant=True))
    assert client.get(reverse("uwv:queue")).status_code == 403


def test_queue_is_ordered_by_term_end_and_marks_overdue_and_nearly_due(client, assessor):
    later = at_uwv(ends_in_days=30)
    overdue = at_uwv(ends_in_days=-2)
    soon = at_uwv(ends_in_days=3)
    response = client.get(reverse("uwv:queue"))
    rows = response.context["page"].rows
    assert [t.case_id for t in rows] == [overdue.pk, soon.pk, later.pk]
    page = response.content.decode()
    assert page.index(overdue.reference) < page.index(soon.reference) < page.index(later.reference)
    assert rows[0].state == "overdue" and rows[1].nearly_due and not rows[2].nearly_due

    only_overdue = client.get(reverse("uwv:queue"), {"term_state": "overdue"}).context["page"]
    assert [t.case_id for t in only_overdue.rows] == [overdue.pk]
    nearly = client.get(reverse("uwv:queue"), {"term_state": "nearly_due"}).context["page"]
    assert [t.case_id for t in nearly.rows] == [soon.pk]
    by_town = client.get(reverse("uwv:queue"), {"municipality": later.municipality_id})
    assert [t.case_id for t in by_town.context["page"].rows] == [later.pk]
    by_kind = client.get(reverse("uwv:queue"), {"applicant_kind": ApplicantKind.MUNICIPALITY})
    assert by_kind.context["page"].rows == []
    response = client.post(reverse("uwv:queue"), {"q": soon.person.bsn})
    assert soon.person.bsn not in response["Location"]
    search = client.get(response["Location"])
    assert [t.case_id for t in search.context["page"].rows] == [soon.pk]


def test_assessor_records_a_positive_advice(client, assessor):
    case = at_uwv(ends_in_days=10)
    VerordeningFactory(municipality=case.municipality, in_force_from=dt.date(2020, 1, 1))
    response = client.post(
        reverse("uwv:case_advice", args=[case.pk]),
        {
            "advice-outcome": "positive",
            "advice-needs_supervision": "on",
            "advice-can_perform_task": "on",
            "advice-basic_employee_skills": "on",
            "advice-hours_at_a_stretch": "2",
            "advice-hours_per_day": "6",
            "advice-reasons": "Heeft permanent toezicht nodig.",
        },
    )
    assert response.status_code == 302
    advice = Advice.objects.get(case=case)
    assert advice.outcome == "positive" and advice.needs_supervision
    case.refresh_from_db()
    assert case.state == CaseState.ADVICE_ISSUED
    assert Term.objects.filter(case=case, kind=TermKind.DECISION, met_on__isnull=True).exists()


def test_advice_that_does_not_match_the_findings_is_refused(client, assessor):
    case = at_uwv(ends_in_days=10)
    response = client.post(
        reverse("uwv:case_advice", args=[case.pk]),
        {
            "advice-outcome": "positive",
            "advice-can_perform_task": "on",
            "advice-basic_employee_skills": "on",
            "advice-hours_at_a_stretch": "2",
            "advice-hours_per_day": "6",
            "advice-reasons": "Geen criterium.",
        },
    )
    assert response.status_code == 400
    assert not Advice.objects.filter(case=case).exists()


def test_valid_wsw_indication_prefills_the_advice(client, assessor):
    case = at_uwv(ends_in_days=10, wsw_indication_end=dt.date(2099, 1, 1))
    VerordeningFactory(municipality=case.municipality, in_force_from=dt.date(2020, 1, 1))
    response = client.get(reverse("uwv:case_detail", args=[case.pk]))
    assert 'data-testid="wsw-shortcut"' in response.content.decode()
    assert response.context["forms"]["advice"]["outcome"].value() == "positive"
    response = client.post(
        reverse("uwv:case_advice", args=[case.pk]),
        {
            "advice-outcome": "positive",
            "advice-reasons": "Geldige Wsw-indicatie.",
        },
    )
    assert response.status_code == 302
    assert Advice.objects.get(case=case).without_investigation


def test_with_changed_circumstances_uwv_assesses_in_full_despite_a_wsw_indication(client, assessor):
    # DOMAIN §2.4; Kennisdocument vraag 8: "UWV beoordeelt ... op basis van de gewijzigde
    # omstandigheden door inhoudelijk te onderzoeken"
    case = at_uwv(
        ends_in_days=10,
        wsw_indication_end=dt.date(2099, 1, 1),
        wsw_supported_employment=True,  # the indication alone would make it negative
    )
    VerordeningFactory(municipality=case.municipality, in_force_from=dt.date(2020, 1, 1))
    url = reverse("uwv:case_advice", args=[case.pk])
    findings = {
        "advice-outcome": "positive",
        "advice-needs_supervision": "on",
        "advice-can_perform_task": "on",
        "advice-basic_employee_skills": "on",
        "advice-hours_at_a_stretch": "2",
        "advice-hours_per_day": "6",
        "advice-reasons": "Sinds de indicatie is de situatie veranderd: nu blijvend toezicht.",
    }
    page = client.get(reverse("uwv:case_detail", args=[case.pk])).content.decode()
    assert "Wsw-indicatie: volledig beoordelen" in page

    assert client.post(url, findings).status_code == 400  # the indication decides: negative
    missing = client.post(
        url, {**findings, "advice-circumstances_changed": "on", "advice-hours_per_day": ""}
    )
    assert missing.status_code == 400 and not Advice.objects.filter(case=case).exists()
    response = client.post(url, {**findings, "advice-circumstances_changed": "on"})

    assert response.status_code == 302
    advice = Advice.objects.get(case=case)
    assert advice.outcome == "positive" and not advice.without_investigation


def test_the_college_may_apply_within_12_months_and_uwv_assesses_in_full(client, assessor):
    """Kennisdocument vraag 4: the once-a-year rule binds the person, not the college."""
    from cases import services

    municipality = MunicipalityFactory()
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    rejected = CaseFactory(
        person=PersonFactory(municipality=municipality), state=CaseState.REJECTED
    )  # advised 14 weeks ago
    consultant = UserFactory(consultant=True, municipality=municipality)
    new = services.request_new_advice(
        case_id=rejected.pk,
        preselection_done_on=timezone.localdate(),
        preselection_notes="Heeft nu intensieve begeleiding nodig.",
        actor=consultant,
    )
    submitted = new.events.get(action="application_submitted")
    assert submitted.details["twelve_month_rule"] == "allowed"

    page = client.get(reverse("uwv:case_detail", args=[new.pk]))
    assert 'data-testid="twelve-months"' not in page.content.decode()
    assert page.context["forms"]["advice"]["outcome"].value() is None
    response = client.post(
        reverse("uwv:case_advice", args=[new.pk]),
        {
            "advice-outcome": "positive",
            "advice-can_perform_task": "on",
            "advice-basic_employee_skills": "on",
            "advice-hours_at_a_stretch": "2",
            "advice-hours_per_day": "6",
            "advice-needs_supervision": "on",
            "advice-reasons": "Heeft blijvend toezicht nodig.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Advice.objects.get(case=new).outcome == "positive"


def test_suspend_and_resume_move_the_end_date(client, assessor):
    case = at_uwv(ends_in_days=10)
    term = Term.objects.get(case=case, kind=TermKind.UWV_ADVICE)
    today = timezone.localdate()
    suspended_on = today - dt.timedelta(days=5)
    response = client.post(
        reverse("uwv:case_suspend", args=[case.pk]),
        {
            "suspend-on": suspended_on.isoformat(),
            "suspend-reason": "Wacht op stukken",
        },
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.suspended_since == suspended_on
    response = client.post(
        reverse("uwv:case_resume", args=[case.pk]),
        {
            "resume-on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.suspended_since is None
    assert TermEvent.objects.filter(term=term).count() == 2
    # 8 weeks from the start plus the 5 days suspended (then to a working day).
    assert term.end_on >= today + dt.timedelta(days=15)
    page = client.get(reverse("uwv:case_detail", args=[case.pk])).content.decode()
    assert "Wacht op stukken" in page


def test_start_investigation(client, assessor):
    case = CaseFactory(state=CaseState.SUBMITTED)
    response = client.post(reverse("uwv:case_start", args=[case.pk]))
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.WITH_UWV


def test_draft_cases_are_not_visible_to_uwv(client, assessor):
    case = CaseFactory(state=CaseState.DRAFT)
    assert client.get(reverse("uwv:case_detail", args=[case.pk])).status_code == 404


def test_the_queue_filter_follows_new_municipalities_and_the_choice_made(client, assessor):
    """The filter lists every municipality, new ones too, and shows the choice made."""
    first = MunicipalityFactory(name="Aagemeente")
    client.get(reverse("uwv:queue"))
    later = MunicipalityFactory(name="Zuidergemeente")
    page = client.get(reverse("uwv:queue")).content.decode()
    assert f'<option value="{later.pk}">Zuidergemeente</option>' in page
    chosen = client.get(reverse("uwv:queue"), {"municipality": first.pk}).content.decode()
    assert f'<option value="{first.pk}" selected>Aagemeente</option>' in chosen
    assert f'<option value="{first.pk}" selected>' not in (
        client.get(reverse("uwv:queue")).content.decode()
    )


def test_the_assessor_sees_uwvs_own_term_not_the_municipalitys(client, assessor):
    """DOMAIN, actors: UWV records the advice; the college's decision, objection and placement
    dates are the municipality's business."""
    case = CaseFactory(state=CaseState.AWAITING_PLACEMENT)
    today = timezone.localdate()
    for kind, weeks in (
        (TermKind.UWV_ADVICE, 8),
        (TermKind.DECISION, 8),
        (TermKind.PLACEMENT, None),
    ):
        Term.objects.create(case=case, kind=kind, starts_on=today, weeks=weeks, end_on=today)

    page = client.get(reverse("uwv:case_detail", args=[case.pk])).content.decode()

    assert "Adviestermijn UWV" in page
    assert "Beslistermijn gemeente" not in page and "Signaal plaatsing" not in page
    # nor the college's steps: to UWV the case is one with its advice
    assert "<dd>Advies gegeven</dd>" in page and "Wacht op een plek" not in page
    objected = CaseFactory(state=CaseState.OBJECTION)
    page = client.get(reverse("uwv:case_detail", args=[objected.pk])).content.decode()
    assert "<dd>Advies gegeven</dd>" in page and "Bezwaar" not in page
