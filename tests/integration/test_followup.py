"""After the placement (issue #22): support provisions (DOMAIN §5, §6.3), fixed-term
contracts followed by the sweep with their outcome, the employment history, the average
hours per job (§4.8), the appeal after an objection (§3.3) and the no-risk policy (§6.1).

Through the services, the sweep task and the pages of the consultant, the administrator and
the citizen; the clock is fixed wherever a date matters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import (
    AppealOutcome,
    BenefitKind,
    CaseState,
    ContractKind,
    ContractOutcome,
    ProvisionKind,
    Responsible,
    TermKind,
    WorkplaceKind,
)
from cases.models import Appeal, Case, Objection
from cases.notifications import dispatch, tasks
from cases.notifications.models import Notification, NotificationKind
from cases.placement.models import Employment
from cases.provisions.models import SupportProvision
from cases.terms.models import DecreeHoliday, Term
from tests.factories import (
    CaseFactory,
    EmploymentFactory,
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


def on(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=AMS), tick=False)


@pytest.fixture
def municipality():
    municipality = MunicipalityFactory()
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    for year in (2026, 2027, 2028):
        YearlyQuotaFactory(municipality=municipality, year=year, places=5)
    return municipality


@pytest.fixture
def consultant(municipality):
    return UserFactory(consultant=True, municipality=municipality)


@pytest.fixture
def staff(client, consultant):
    return sign_in(client, consultant)


@pytest.fixture
def other_staff():
    return sign_in(Client(), UserFactory(consultant=True))


@pytest.fixture
def citizen():
    return UserFactory()


def citizen_client(citizen):
    client = Client()
    client.force_login(citizen)
    return client


def case_in(municipality, state, **person):
    return CaseFactory(person=PersonFactory(municipality=municipality, **person), state=state)


def placed(municipality, consultant, start_on, *, ends_on=None, hours=Decimal(31), **person):
    """A person waiting for a place, placed on ``start_on`` (a fixed-term contract until
    ``ends_on``, else an indefinite one)."""
    with on(start_on):
        case = case_in(municipality, CaseState.AWAITING_PLACEMENT, **person)
        services.place_person(
            case_id=case.pk,
            employer_name="Sociaal Werkbedrijf",
            workplace_kind=WorkplaceKind.SOCIAL_ENTERPRISE,
            hours_per_week=hours,
            start_on=start_on,
            contract_kind=ContractKind.FIXED if ends_on else ContractKind.INDEFINITE,
            contract_ends_on=ends_on,
            agreed_wage=Decimal(2600),
            wage_value_pct=Decimal(40),
            actor=consultant,
        )
    return Case.objects.get(pk=case.pk)


def page(client, case) -> str:
    response = client.get(reverse("work:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


# -- support provisions (§5, §6.3) ----------------------------------------------------------


def provision_data(**overrides):
    data = {
        "provision-kind": ProvisionKind.JOB_COACH,
        "provision-description": "Twee uur per week op de werkvloer",
        "provision-starts_on": "2026-03-02",
        "provision-ends_on": "",
        "provision-provider": "Jobcoach Noord",
        "provision-payer": Responsible.MUNICIPALITY,
        "provision-monthly_cost": "350.00",
    }
    return data | overrides


def test_a_consultant_records_a_provision_shown_on_the_case_page_and_to_the_citizen(
    staff, municipality, consultant, citizen
):
    case = case_in(municipality, CaseState.EMPLOYED, account=citizen)
    url = reverse("work:case_provision", args=[case.pk])
    assert f'href="{url}"' in page(staff, case)
    form = staff.get(url)
    assert form.status_code == 200
    assert set(dict(form.context["form"].fields["kind"].choices)) == set(ProvisionKind.values)

    response = staff.post(url, provision_data())

    assert response.status_code == 302
    provision = SupportProvision.objects.get(case=case)
    assert (provision.kind, provision.provider, provision.payer) == (
        ProvisionKind.JOB_COACH,
        "Jobcoach Noord",
        Responsible.MUNICIPALITY,
    )
    assert provision.monthly_cost == Decimal("350.00") and provision.recorded_by == consultant
    assert CaseEvent.objects.filter(case=case, action="provision_recorded").count() == 1
    assert AuditEntry.objects.filter(
        action="record_provision", object_id=str(case.pk), result="ok"
    ).exists()
    html = page(staff, case)
    assert "Jobcoach Noord" in html and "€ 350,00" in html and "Twee uur per week" in html
    assert "Voorziening vastgelegd" in html  # the history

    mine = citizen_client(citizen).get(reverse("citizen:case_detail", args=[case.pk]))
    text = mine.content.decode()
    assert 'data-testid="provisions"' in text
    assert "Een jobcoach helpt u op het werk." in text
    assert "Vanaf 2 maart 2026." in text and "Jobcoach Noord" in text
    assert "De gemeente betaalt dit." in text


def test_the_choices_are_the_verordening_s_list_and_it_is_kept(staff, municipality, consultant):
    verordening = municipality.verordeningen.get()
    verordening.provision_kinds = [ProvisionKind.JOB_COACH, ProvisionKind.TRANSPORT]
    verordening.save(update_fields=["provision_kinds"])
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    url = reverse("work:case_provision", args=[case.pk])

    choices = dict(staff.get(url).context["form"].fields["kind"].choices)
    assert list(choices) == [ProvisionKind.JOB_COACH, ProvisionKind.TRANSPORT]
    refused = staff.post(url, provision_data(**{"provision-kind": ProvisionKind.GUIDANCE}))
    assert refused.status_code == 400
    assert not SupportProvision.objects.exists()

    with pytest.raises(ValidationError) as error:
        services.record_provision(
            case_id=case.pk,
            kind=ProvisionKind.WORKPLACE_ADAPTATION,
            starts_on=dt.date(2026, 3, 2),
            provider="Werkplekbureau",
            payer=Responsible.MUNICIPALITY,
            actor=consultant,
        )
    assert error.value.code == "provision_not_offered"
    # UWV supplies it: not the verordening's to offer (§6.3).
    services.record_provision(
        case_id=case.pk,
        kind=ProvisionKind.WORKPLACE_ADAPTATION,
        starts_on=dt.date(2026, 3, 2),
        provider="UWV",
        payer=Responsible.UWV,
        actor=consultant,
    )
    assert SupportProvision.objects.filter(payer=Responsible.UWV).count() == 1


def test_a_wajong_recipient_s_provisions_are_uwv_s_by_default(staff, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT, benefit_kind=BenefitKind.WAJONG)
    form = staff.get(reverse("work:case_provision", args=[case.pk])).context["form"]
    assert form.initial["payer"] == Responsible.UWV


def test_bad_provision_input_is_a_clear_400_and_nothing_is_stored(staff, municipality):
    case = case_in(municipality, CaseState.EMPLOYED)
    url = reverse("work:case_provision", args=[case.pk])
    for bad in (
        {"provision-ends_on": "2026-03-01"},
        {"provision-monthly_cost": "-5"},
        {"provision-provider": ""},
        {"provision-starts_on": "gisteren"},
    ):
        response = staff.post(url, provision_data(**bad))
        assert response.status_code == 400, bad
    assert not SupportProvision.objects.exists()
    assert (
        "De einddatum kan niet voor de begindatum liggen."
        in staff.post(url, provision_data(**{"provision-ends_on": "2026-03-01"})).content.decode()
    )


def test_another_municipality_gets_404_and_changes_nothing(staff, other_staff, municipality):
    case = case_in(municipality, CaseState.EMPLOYED)
    SupportProvision.objects.create(
        case=case,
        kind=ProvisionKind.TRANSPORT,
        starts_on=dt.date(2026, 1, 5),
        provider="Taxi Centrale",
        payer=Responsible.MUNICIPALITY,
        recorded_by=UserFactory(consultant=True, municipality=municipality),
    )
    for name in ("case_provision", "case_end_provision", "case_detail"):
        url = reverse(f"work:{name}", args=[case.pk])
        assert other_staff.get(url).status_code == 404, name
        assert other_staff.post(url, provision_data()).status_code in (404, 405), name
    assert SupportProvision.objects.count() == 1
    assert not CaseEvent.objects.filter(case=case, action="provision_recorded").exists()
    # A citizen who is not the person gets 404 on their page.
    stranger = citizen_client(UserFactory())
    assert stranger.get(reverse("citizen:case_detail", args=[case.pk])).status_code == 404


def test_a_provision_is_ended_and_the_history_says_so(staff, municipality, consultant):
    case = case_in(municipality, CaseState.EMPLOYED)
    provision = services.record_provision(
        case_id=case.pk,
        kind=ProvisionKind.GUIDANCE,
        starts_on=dt.date(2026, 1, 5),
        provider="Begeleidingsdienst",
        payer=Responsible.MUNICIPALITY,
        actor=consultant,
    )
    url = reverse("work:case_end_provision", args=[case.pk])
    response = staff.post(
        url, {"end_provision-provision": provision.pk, "end_provision-ends_on": "2026-02-27"}
    )
    assert response.status_code == 302
    provision.refresh_from_db()
    assert provision.ends_on == dt.date(2026, 2, 27)
    assert CaseEvent.objects.filter(case=case, action="provision_ended").exists()
    assert staff.get(url).status_code == 404  # nothing left to end


def test_the_dashboard_counts_persons_per_provision_and_the_monthly_cost(
    staff, municipality, consultant
):
    def provision(case, kind, cost, ends_on=None):
        SupportProvision.objects.create(
            case=case,
            kind=kind,
            starts_on=dt.date(2020, 1, 1),
            ends_on=ends_on,
            provider="Aanbieder",
            payer=Responsible.MUNICIPALITY,
            monthly_cost=cost,
            recorded_by=consultant,
        )

    first, second, third = (case_in(municipality, CaseState.EMPLOYED) for _ in range(3))
    provision(first, ProvisionKind.JOB_COACH, Decimal("350.00"))
    provision(first, ProvisionKind.JOB_COACH, Decimal("50.00"))  # the same person twice
    provision(second, ProvisionKind.JOB_COACH, Decimal("150.00"))
    provision(second, ProvisionKind.TRANSPORT, None)  # cost not known
    provision(third, ProvisionKind.GUIDANCE, Decimal("999.00"), ends_on=dt.date(2021, 1, 1))
    elsewhere = case_in(MunicipalityFactory(), CaseState.EMPLOYED)
    provision(elsewhere, ProvisionKind.JOB_COACH, Decimal("777.00"))

    response = staff.get(reverse("work:dashboard"))

    rows = {label: (persons, cost) for label, persons, cost in response.context["provision_rows"]}
    assert rows[ProvisionKind.JOB_COACH.label] == (2, Decimal("550.00"))
    assert rows[ProvisionKind.TRANSPORT.label] == (1, Decimal(0))
    assert rows[ProvisionKind.GUIDANCE.label] == (0, 0)  # ended: not in place
    assert response.context["provision_cost"] == Decimal("550.00")
    assert "€ 550,00" in response.content.decode()


# -- the average hours per job (§4.8) and the employment history ----------------------------


def test_the_dashboard_shows_the_average_hours_of_the_jobs_running_today(
    staff, municipality, consultant
):
    for hours in (25, 20):
        CaseFactory(
            person=PersonFactory(municipality=municipality),
            state=CaseState.EMPLOYED,
            lifecycle__hours_per_week=Decimal(hours),
        )
    ended = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    EmploymentFactory(
        case=ended, hours_per_week=Decimal(40), end_on=timezone.localdate() - dt.timedelta(days=1)
    )

    response = staff.get(reverse("work:dashboard"))

    assert response.context["average_hours"] == Decimal("22.5")
    assert 'data-testid="average-hours">22,5<' in response.content.decode()


def test_the_case_page_shows_every_job_of_the_person_s_file(staff, municipality, consultant):
    first = placed(municipality, consultant, dt.date(2026, 1, 5), hours=Decimal(24))
    with on(dt.date(2026, 3, 31)):
        services.end_employment(
            employment_id=first.employments.get().pk,
            end_on=dt.date(2026, 3, 31),
            reason="Werkgever gestopt",
            actor=consultant,
        )
    later = CaseFactory(
        person=first.person, state=CaseState.AWAITING_PLACEMENT, previous_case=first
    )
    # The person's earlier case closes in this file, the job history stays on both pages.
    Case.objects.filter(pk=first.pk).update(state=CaseState.CLOSED)
    with on(dt.date(2026, 5, 4)):
        services.place_person(
            case_id=later.pk,
            employer_name="Groen Werk BV",
            workplace_kind=WorkplaceKind.REGULAR_DIRECT,
            hours_per_week=Decimal(28),
            start_on=dt.date(2026, 5, 4),
            contract_kind=ContractKind.FIXED,
            contract_ends_on=dt.date(2027, 5, 3),
            agreed_wage=Decimal(2400),
            wage_value_pct=Decimal(50),
            actor=consultant,
        )

    html = page(staff, later)

    history = html.split('data-testid="job-history"', 1)[1].split("</table>", 1)[0]
    assert history.index("Groen Werk BV") < history.index("Sociaal Werkbedrijf")
    assert "Werkgever gestopt" in history and "24,00" in history and "28,00" in history
    assert "tot 3 mei 2027" in history and first.reference in history
    assert other_municipality_jobs_are_not_shown(staff, later)


def other_municipality_jobs_are_not_shown(client, case) -> bool:
    elsewhere = CaseFactory(
        person=PersonFactory(municipality=MunicipalityFactory()), state=CaseState.EMPLOYED
    )
    Case.objects.filter(pk=elsewhere.pk).update(person=case.person)
    return elsewhere.reference not in page(client, case)


# -- fixed-term contracts followed (§6.1) ---------------------------------------------------


def contract_mails(case):
    return Notification.objects.filter(case=case, kind=K.CONTRACT_END_DUE)


def test_the_sweep_signals_a_fixed_term_contract_once_two_months_ahead_across_a_holiday(
    municipality, consultant
):
    # 5 July 2027: two months before is Wednesday 5 May, a holiday every year (Atw art. 3).
    case = placed(municipality, consultant, dt.date(2027, 1, 4), ends_on=dt.date(2027, 7, 5))
    term = case.terms.get(kind=TermKind.CONTRACT_END, met_on__isnull=True)
    assert (term.end_on, term.signal_on) == (dt.date(2027, 7, 5), dt.date(2027, 5, 4))

    with on(dt.date(2027, 5, 3), hour=23):
        tasks.sweep_terms.run()
    assert not contract_mails(case).exists()

    with on(dt.date(2027, 5, 4), hour=6):
        tasks.sweep_terms.run()
        tasks.sweep_terms.run()  # a second beat changes nothing
    with on(dt.date(2027, 5, 20)):
        tasks.sweep_terms.run()  # nor a later one
    mails = contract_mails(case)
    assert {(n.channel, n.recipient_id, n.term_end) for n in mails} == {
        ("inbox", consultant.pk, dt.date(2027, 7, 5)),
        ("email", consultant.pk, dt.date(2027, 7, 5)),
    }
    mail = dispatch.build_email(mails.get(channel="email"))
    assert "5 juli 2027" in mail.body and case.person.last_name not in mail.body


def test_a_decree_day_moves_the_signal_to_the_working_day_before(municipality, consultant):
    DecreeHoliday.objects.get_or_create(
        day=dt.date(2026, 5, 15), defaults={"description": "Vrijdag na Hemelvaart"}
    )
    case = placed(municipality, consultant, dt.date(2026, 1, 5), ends_on=dt.date(2026, 7, 15))
    assert case.terms.get(kind=TermKind.CONTRACT_END).signal_on == dt.date(2026, 5, 13)


def test_a_fixed_term_contract_needs_its_last_day_on_the_placement_page(staff, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    data = {
        "place-employer_name": "Sociaal Werkbedrijf",
        "place-workplace_kind": WorkplaceKind.SOCIAL_ENTERPRISE,
        "place-hours_per_week": "25",
        "place-start_on": timezone.localdate().isoformat(),
        "place-contract_kind": ContractKind.FIXED,
        "place-agreed_wage": "2100",
        "place-agreed_wage_per_hour": "month",
        "place-wage_value_pct": "40",
    }
    url = reverse("work:case_place", args=[case.pk])
    refused = staff.post(url, data)
    assert refused.status_code == 400
    assert "Vul de laatste dag van het tijdelijke contract in." in refused.content.decode()
    assert not Employment.objects.filter(case=case).exists()

    ends_on = timezone.localdate() + dt.timedelta(days=365)
    assert (
        staff.post(url, data | {"place-contract_ends_on": ends_on.isoformat()}).status_code == 302
    )
    assert Employment.objects.get(case=case).contract_ends_on == ends_on
    assert Term.objects.get(case=case, kind=TermKind.CONTRACT_END).end_on == ends_on


def test_a_contract_continued_with_a_new_end_gets_a_new_signal(staff, municipality, consultant):
    case = placed(municipality, consultant, dt.date(2027, 1, 4), ends_on=dt.date(2027, 7, 5))
    url = reverse("work:case_contract", args=[case.pk])
    assert f'href="{url}"' in page(staff, case)

    with on(dt.date(2027, 5, 10)):
        sign_in(staff, consultant)  # a session of that day
        response = staff.post(
            url, {"contract-outcome": ContractOutcome.CONTINUED_FIXED, "contract-new_end_on": ""}
        )
        assert response.status_code == 400  # the new last day is missing
        response = staff.post(
            url,
            {
                "contract-outcome": ContractOutcome.CONTINUED_FIXED,
                "contract-new_end_on": "2028-07-05",
            },
        )
    assert response.status_code == 302
    job = Employment.objects.get(case=case)
    assert (job.contract_kind, job.contract_ends_on, job.end_on) == (
        ContractKind.FIXED,
        dt.date(2028, 7, 5),
        None,
    )
    terms = case.terms.filter(kind=TermKind.CONTRACT_END).order_by("id")
    assert [(t.end_on, t.met_on) for t in terms] == [
        (dt.date(2027, 7, 5), dt.date(2027, 5, 10)),
        (dt.date(2028, 7, 5), None),
    ]
    event = CaseEvent.objects.get(case=case, action="contract_continued")
    assert event.details["new_end_on"] == "2028-07-05"
    assert "Nieuwe laatste dag: 5 juli 2028" in page(staff, case)
    # Two months before the new end (5 May 2028, a holiday, so the 4th) a new signal.
    with on(dt.date(2028, 5, 4)):
        tasks.sweep_terms.run()
    assert set(contract_mails(case).values_list("term_end", flat=True)) == {dt.date(2028, 7, 5)}


def test_a_contract_continued_for_an_indefinite_term_is_no_longer_watched(
    staff, municipality, consultant
):
    case = placed(municipality, consultant, dt.date(2027, 1, 4), ends_on=dt.date(2027, 7, 5))
    url = reverse("work:case_contract", args=[case.pk])
    with on(dt.date(2027, 5, 10)):
        sign_in(staff, consultant)
        assert (
            staff.post(url, {"contract-outcome": ContractOutcome.CONTINUED_INDEFINITE}).status_code
            == 302
        )
    job = Employment.objects.get(case=case)
    assert (job.contract_kind, job.contract_ends_on) == (ContractKind.INDEFINITE, None)
    assert not case.terms.filter(kind=TermKind.CONTRACT_END, met_on__isnull=True).exists()
    with on(dt.date(2027, 5, 10)):
        assert staff.get(url).status_code == 404


def test_a_contract_not_continued_ends_the_job_and_the_person_waits_for_a_new_place(
    staff, municipality, consultant
):
    case = placed(municipality, consultant, dt.date(2027, 1, 4), ends_on=dt.date(2027, 7, 5))
    with on(dt.date(2027, 6, 1)):
        sign_in(staff, consultant)
        response = staff.post(
            reverse("work:case_contract", args=[case.pk]),
            {"contract-outcome": ContractOutcome.NEW_PLACE},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        job = Employment.objects.get(case=case)
        assert job.end_on == dt.date(2027, 7, 5)
        assert job.ended_reason == "Het tijdelijke contract is niet verlengd."
        assert case.state == CaseState.AWAITING_PLACEMENT
        assert case.terms.filter(kind=TermKind.PLACEMENT, met_on__isnull=True).exists()
        assert not case.terms.filter(kind=TermKind.CONTRACT_END, met_on__isnull=True).exists()
        html = page(staff, case)
    assert "Het tijdelijke contract is niet verlengd." in html
    assert AuditEntry.objects.filter(action="record_contract_outcome", result="ok").exists()


def test_the_contract_outcome_is_for_a_fixed_term_of_one_s_own_municipality(
    staff, other_staff, municipality, consultant
):
    indefinite = placed(municipality, consultant, timezone.localdate())
    assert staff.get(reverse("work:case_contract", args=[indefinite.pk])).status_code == 404
    with pytest.raises(ValidationError):
        services.record_contract_outcome(
            case_id=indefinite.pk, outcome=ContractOutcome.NEW_PLACE, actor=consultant
        )
    fixed = placed(
        municipality,
        consultant,
        timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=200),
    )
    url = reverse("work:case_contract", args=[fixed.pk])
    assert other_staff.get(url).status_code == 404
    assert other_staff.post(url, {"contract-outcome": "new_place"}).status_code == 404
    assert Employment.objects.get(case=fixed).end_on is None


# -- the appeal after an objection (§3.3) ---------------------------------------------------


def test_after_the_objection_is_decided_an_appeal_and_its_judgment_are_recorded(
    staff, other_staff, municipality, consultant, citizen
):
    case = case_in(municipality, CaseState.OBJECTION, account=citizen)
    appeal_url = reverse("work:case_appeal", args=[case.pk])
    assert staff.get(appeal_url).status_code == 404  # the objection is still pending
    objection = Objection.objects.get(case=case)
    with pytest.raises(ValidationError):
        services.file_appeal(
            objection_id=objection.pk,
            filed_on=timezone.localdate(),
            court="Rechtbank Amsterdam",
            actor=consultant,
        )
    services.decide_objection(
        objection_id=objection.pk, outcome=Objection.Outcome.DISMISSED, actor=consultant
    )
    assert f'href="{appeal_url}"' in page(staff, case)
    assert other_staff.get(appeal_url).status_code == 404

    today = timezone.localdate().isoformat()
    response = staff.post(
        appeal_url, {"appeal-filed_on": today, "appeal-court": "Rechtbank Amsterdam"}
    )

    assert response.status_code == 302
    appeal = Appeal.objects.get(objection=objection)
    assert (appeal.court, appeal.outcome) == ("Rechtbank Amsterdam", AppealOutcome.PENDING)
    assert staff.get(appeal_url).status_code == 404  # one appeal per decision
    html = page(staff, case)
    assert "Rechtbank Amsterdam" in html and 'data-testid="appeal"' in html
    mine = citizen_client(citizen).get(reverse("citizen:case_detail", args=[case.pk]))
    assert "De rechter heeft nog niet beslist." in mine.content.decode()

    decide_url = reverse("work:case_decide_appeal", args=[case.pk])
    assert other_staff.post(decide_url, {}).status_code == 404
    response = staff.post(
        decide_url,
        {"decide_appeal-outcome": AppealOutcome.DISMISSED, "decide_appeal-decided_on": today},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.outcome, appeal.decided_on) == (AppealOutcome.DISMISSED, timezone.localdate())
    assert [e.action for e in CaseEvent.objects.filter(case=case).order_by("id")][-2:] == [
        "appeal_filed",
        "appeal_decided",
    ]
    mine = citizen_client(citizen).get(reverse("citizen:case_detail", args=[case.pk]))
    assert "de rechter beslist: Ongegrond verklaard door de rechter" in mine.content.decode()


def test_an_appeal_cannot_be_dated_before_the_decision_on_the_objection(municipality, consultant):
    case = case_in(municipality, CaseState.OBJECTION)
    objection = Objection.objects.get(case=case)
    services.decide_objection(
        objection_id=objection.pk, outcome=Objection.Outcome.DISMISSED, actor=consultant
    )
    with pytest.raises(ValidationError) as error:
        services.file_appeal(
            objection_id=objection.pk,
            filed_on=timezone.localdate() - dt.timedelta(days=1),
            court="Rechtbank Amsterdam",
            actor=consultant,
        )
    assert error.value.code == "appeal_date"
    assert not Appeal.objects.exists()


# -- the no-risk policy (§6.1) --------------------------------------------------------------


def test_the_placement_tells_employer_and_citizen_about_the_no_risk_policy(
    staff, municipality, consultant, citizen
):
    case = placed(municipality, consultant, timezone.localdate(), account=citizen)

    assert 'data-testid="no-risk-policy"' in page(staff, case)
    mine = citizen_client(citizen).get(reverse("citizen:case_detail", args=[case.pk]))
    assert 'data-testid="no-risk-policy"' in mine.content.decode()
    offer = Notification.objects.get(case=case, kind=K.EMPLOYMENT_OFFERED, channel="email")
    assert "no-riskpolis" in dispatch.build_email(offer).body

    waiting = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    assert 'data-testid="no-risk-policy"' not in page(staff, waiting)


# -- the verordening's list (§5) in /beheer/ ------------------------------------------------


def test_the_administrator_chooses_the_provisions_the_verordening_offers(municipality):
    admin = UserFactory(municipal_admin=True, municipality=municipality, totp=False)
    client = sign_in(Client(), admin)
    create = reverse("manage:verordening_create", kwargs={"municipality_id": municipality.pk})
    form = client.get(create).context["form"]
    assert form.initial["provision_kinds"] == list(ProvisionKind.values)  # the version in force

    in_force_from = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        create,
        {
            "in_force_from": in_force_from.isoformat(),
            "discussed_with_target_group_on": timezone.localdate().isoformat(),
            "provisions": "Jobcoach en vervoer.",
            "provision_kinds": [ProvisionKind.TRANSPORT, ProvisionKind.JOB_COACH],
            "ordering_rule": "positive_advice_date",
            "decision_term_weeks": "8",
        },
    )

    assert response.status_code == 302
    version = municipality.verordeningen.get(in_force_from=in_force_from)
    assert version.provision_kinds == [ProvisionKind.JOB_COACH, ProvisionKind.TRANSPORT]
    detail = client.get(response["Location"]).content.decode()
    assert "Jobcoach, Vervoer" in detail
    bad = client.post(create, {"provision_kinds": ["flying_carpet"]})
    assert bad.status_code in (200, 400) and "provision_kinds" in bad.context["form"].errors


def test_the_database_keeps_the_verordening_s_list_to_known_provisions(municipality):
    from django.db import IntegrityError, transaction

    verordening = municipality.verordeningen.get()
    assert verordening.provision_kinds == list(ProvisionKind.values)  # the default set
    verordening.provision_kinds = []
    verordening.save(update_fields=["provision_kinds"])
    verordening.provision_kinds = ["job_coach", "flying_carpet"]
    with pytest.raises(IntegrityError), transaction.atomic():
        verordening.save(update_fields=["provision_kinds"])
