"""The places engine as the law and the verordening say (DOMAIN §4.2–§4.6, §5), through the
services and the pages of the consultant and the administrator:

- an additional place goes to the person whose turn it is; another only with a reason, which
  is audited and kept in the history, and the list shows who waits longer because of it;
- the list counts the additional places in use;
- every order rule uses exactly what it names (the advice date, also after an upheld
  objection), with stated ties;
- priority groups and the municipality's own order are set by staff, with a reason;
- the Pw art. 7(7) agreement changes who is responsible on the waiting list;
- realised places are the summed hours divided once, shown with a decimal comma.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cases import rules, services
from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import (
    AdviceOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    Category,
    ContractKind,
    OrderingRule,
    Responsible,
    WorkplaceKind,
)
from cases.models import Case, Objection
from cases.placement.capacity import candidate_standing, capacity
from cases.placement.models import Employment, PassedOver
from municipalities.models import Municipality
from tests.factories import (
    EmploymentFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
    bulk_candidate_cases,
)
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CAPACITY = rules.WorkCapacity(True, True, Decimal(2), Decimal(6))
START = date(2026, 9, 1)


def on(day: date):
    return time_machine.travel(datetime.combine(day, time(10), tzinfo=AMSTERDAM), tick=False)


class Town:
    """A municipality with a quota of 1 place in 2026, ``additional`` additional places under
    a verordening ordered by ``rule``, and its staff. Cases go through the real services."""

    def __init__(self, *, additional=2, rule=OrderingRule.POSITIVE_ADVICE_DATE, quota=1):
        self.municipality = MunicipalityFactory()
        VerordeningFactory(
            municipality=self.municipality,
            in_force_from=date(2020, 1, 1),
            ordering_rule=rule,
            offers_additional_places=additional > 0,
            additional_places_per_year=additional,
        )
        YearlyQuotaFactory(municipality=self.municipality, year=2026, places=Decimal(quota))
        self.consultant = UserFactory(consultant=True, municipality=self.municipality)
        self.admin = UserFactory(municipal_admin=True, municipality=self.municipality)
        self.assessor = UserFactory(uwv_assessor=True)
        self.citizen = UserFactory()

    def advised(self, day: date, *, positive=True, applied: date | None = None, **person):
        """Applied on ``applied`` (default 10 weeks earlier), advised on ``day``."""
        with on(applied or day - timedelta(weeks=10)):
            case = services.create_application(
                person=PersonFactory(municipality=self.municipality, **person),
                applicant_kind=ApplicantKind.PERSON,
                source=CandidateSource.SCHOOL,
                actor=self.citizen,
                needs_supervision=True,
            )
            services.submit_application(case_id=case.pk, actor=self.citizen)
        with on(day):
            services.record_advice(
                case_id=case.pk,
                outcome=AdviceOutcome.POSITIVE if positive else AdviceOutcome.NEGATIVE,
                reasons="Onderzocht.",
                needs_supervision=positive,
                work_capacity=CAPACITY,
                actor=self.assessor,
            )
        return case

    def candidate(self, advice_on: date, *, decided_on: date | None = None, **kwargs) -> Case:
        case = self.advised(advice_on, **kwargs)
        with on(decided_on or advice_on + timedelta(days=14)):
            services.record_decision(case_id=case.pk, positive=True, actor=self.consultant)
        return Case.objects.get(pk=case.pk)

    def place(self, case: Case, *, hours="31", reason="", start_on=START) -> Employment:
        with on(START - timedelta(days=7)):
            return services.place_person(
                case_id=case.pk,
                employer_name="Sociaal Ontwikkelbedrijf",
                workplace_kind=WorkplaceKind.SOCIAL_ENTERPRISE,
                hours_per_week=Decimal(hours),
                start_on=start_on,
                contract_kind=ContractKind.INDEFINITE,
                agreed_wage=Decimal(2600),
                wage_value_pct=Decimal(40),
                out_of_turn_reason=reason,
                actor=self.consultant,
            )

    def capacity(self):
        return capacity(self.municipality.pk, 2026, on=START)

    def client(self, user=None) -> Client:
        return sign_in(Client(), user or self.consultant)


def quota_filled(town: Town) -> Case:
    """The one place of the quota taken by a job of 31 hours."""
    filler = town.candidate(date(2026, 1, 2))
    town.place(filler)
    return filler


# -- additional places in turn ----------------------------------------------------------


def test_s4_5_an_additional_place_goes_to_whose_turn_it_is_and_others_need_a_reason():
    town = Town(additional=2)
    quota_filled(town)
    first, second, third, fourth = (town.candidate(date(2026, 2, d)) for d in (1, 2, 3, 4))

    assert [r.category for r in town.capacity().candidates] == [
        Category.ADDITIONAL,
        Category.ADDITIONAL,
        Category.WAITING,
        Category.WAITING,
    ]
    with pytest.raises(ValidationError) as excinfo, translation.override("nl"):
        town.place(fourth)
    assert excinfo.value.code == "out_of_turn_without_reason"
    assert first.reference in " ".join(excinfo.value.messages)
    assert not Employment.objects.filter(case=fourth).exists()
    assert AuditEntry.objects.filter(
        action="place_person", object_id=str(fourth.pk), result=AuditEntry.Result.REFUSED
    ).exists()

    employment = town.place(fourth, reason="Alleen deze werkplek past bij hem.")

    assert employment.out_of_turn_reason == "Alleen deze werkplek past bij hem."
    assert set(PassedOver.objects.filter(employment=employment).values_list("case", flat=True)) == {
        first.pk,
        second.pk,
    }
    event = CaseEvent.objects.get(case=fourth, action="placed")
    assert event.details["out_of_turn"] is True
    assert event.details["reason"] == "Alleen deze werkplek past bij hem."
    assert event.details["passed_over"] == [first.reference, second.reference]
    # The list counts the additional place now in use: one left, for the first in line.
    after = town.capacity()
    assert after.additional_in_use == 1
    assert after.free_additional == 1
    assert [(r.case_id, r.category, r.passed_over_by) for r in after.candidates] == [
        (first.pk, Category.ADDITIONAL, fourth.reference),
        (second.pk, Category.WAITING, fourth.reference),
        (third.pk, Category.WAITING, None),
    ]
    for row in after.candidates:  # one person's standing says who passed them over too
        assert candidate_standing(row.case_id, on=START) == row
    # The first in line is placed on the place the list shows them; then none is left.
    town.place(first)
    with pytest.raises(ValidationError) as excinfo:
        town.place(second, reason="Toch proberen.")
    assert excinfo.value.code == "no_place_left"


def test_s4_5_the_first_in_line_needs_no_reason_and_passes_nobody_over():
    town = Town(additional=1)
    quota_filled(town)
    first, _second = town.candidate(date(2026, 2, 1)), town.candidate(date(2026, 2, 2))

    employment = town.place(first, reason="")

    assert employment.out_of_turn_reason == ""
    assert not PassedOver.objects.exists()
    assert "out_of_turn" not in CaseEvent.objects.get(case=first, action="placed").details


def test_s4_3_within_the_quota_anyone_can_be_placed_in_no_order():
    town = Town(additional=1, quota=3)
    cases = [town.candidate(date(2026, 2, d)) for d in (1, 2, 3, 4)]

    town.place(cases[3])  # the last in line: the quota obliges, no order applies
    town.place(cases[2])

    assert not PassedOver.objects.exists()
    assert Employment.objects.filter(out_of_turn_reason="").count() == 2


def test_s4_4_an_unavailable_person_is_not_passed_over_and_keeps_their_turn():
    town = Town(additional=1)
    quota_filled(town)
    ill, next_one = town.candidate(date(2026, 2, 1)), town.candidate(date(2026, 2, 2))
    with on(START - timedelta(days=10)):
        services.mark_unavailable(case_id=ill.pk, reason="illness", actor=town.consultant)

    town.place(next_one)  # the additional place is theirs while the first is ill

    assert not PassedOver.objects.exists()
    row = town.capacity().candidates[0]
    assert (row.case_id, row.position, row.category) == (ill.pk, 1, Category.UNAVAILABLE)


# -- what each order rule names -----------------------------------------------------------


def test_s4_5_an_upheld_objection_keeps_the_date_of_the_advice():
    town = Town(additional=0)
    objected = town.advised(date(2026, 1, 5), positive=False)
    with on(date(2026, 1, 12)):
        services.record_decision(case_id=objected.pk, positive=False, actor=town.consultant)
        services.file_objection(case_id=objected.pk, grounds="Niet eens.", actor=town.consultant)
    later = town.candidate(date(2026, 2, 2), decided_on=date(2026, 2, 9))
    with on(date(2026, 4, 20)):
        objection = Objection.objects.get(case=objected)
        services.decide_objection(
            objection_id=objection.pk,
            outcome=Objection.Outcome.GRANTED,
            deviation_reason="Het advies is niet zorgvuldig tot stand gekomen.",
            actor=town.consultant,
        )
    objected.refresh_from_db()

    assert objected.positive_advice_on == date(2026, 1, 5)
    assert objected.positive_decision_on == date(2026, 4, 20)  # it waits since then
    rows = town.capacity().candidates
    assert [r.case_id for r in rows] == [objected.pk, later.pk]
    assert rows[0].advice_on == date(2026, 1, 5)


def test_s4_5_the_advice_date_orders_not_the_decision_date():
    town = Town(additional=0)
    decided_late = town.candidate(date(2026, 1, 5), decided_on=date(2026, 3, 30))
    decided_early = town.candidate(date(2026, 1, 20), decided_on=date(2026, 1, 27))

    assert [r.case_id for r in town.capacity().candidates] == [decided_late.pk, decided_early.pk]


@pytest.mark.parametrize("rule", list(OrderingRule))
def test_s4_5_ties_go_to_the_earlier_application_then_the_lower_case_number(rule):
    town = Town(additional=0, rule=rule)
    day = date(2026, 2, 2)
    applied_late = town.candidate(day, applied=date(2025, 12, 1))
    applied_early = town.candidate(day, applied=date(2025, 11, 3))
    same_b = town.candidate(day, applied=date(2025, 11, 17))
    same_a = Case.objects.get(pk=town.candidate(day, applied=date(2025, 11, 17)).pk)

    order = [r.case_id for r in town.capacity().candidates]

    assert order == [applied_early.pk, min(same_a.pk, same_b.pk), max(same_a.pk, same_b.pk)] + [
        applied_late.pk
    ]


def test_s4_5_the_application_date_orders_then_the_advice_date():
    town = Town(additional=0, rule=OrderingRule.APPLICATION_DATE)
    later_advice = town.candidate(date(2026, 3, 2), applied=date(2025, 12, 1))
    earlier_advice = town.candidate(date(2026, 2, 2), applied=date(2025, 12, 1))
    first_applicant = town.candidate(date(2026, 3, 9), applied=date(2025, 11, 3))

    assert [r.case_id for r in town.capacity().candidates] == [
        first_applicant.pk,
        earlier_advice.pk,
        later_advice.pk,
    ]


# -- priority groups and the municipality's own order, set on the case page ---------------


def test_s4_5_a_consultant_sets_a_priority_group_with_a_reason_and_the_order_uses_it():
    town = Town(additional=1, rule=OrderingRule.PRIORITY_THEN_ADVICE_DATE)
    quota_filled(town)
    older = town.candidate(date(2026, 2, 1))
    school_leaver = town.candidate(date(2026, 2, 9))
    client = town.client()
    url = reverse("work:case_priority", args=[school_leaver.pk])

    assert client.get(url).status_code == 200
    refused = client.post(url, {"priority-priority_group": "on", "priority-reason": " "})
    assert refused.status_code == 400
    response = client.post(
        url, {"priority-priority_group": "on", "priority-reason": "Schoolverlater vso 2026."}
    )

    assert response.status_code == 302
    school_leaver.refresh_from_db()
    assert school_leaver.priority_group
    assert [r.case_id for r in town.capacity().candidates] == [school_leaver.pk, older.pk]
    assert AuditEntry.objects.filter(
        action="set_priority_group", object_id=str(school_leaver.pk), result="ok"
    ).exists()
    with translation.override("nl"):
        page = client.get(reverse("work:case_detail", args=[school_leaver.pk])).content.decode()
    assert "In een voorrangsgroep geplaatst: Schoolverlater vso 2026." in page
    # Another municipality's consultant: not found.
    stranger = sign_in(Client(), UserFactory(consultant=True, municipality=MunicipalityFactory()))
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {"priority-reason": "x"}).status_code == 404


def test_s4_5_an_administrator_sets_the_municipalitys_own_order_with_a_reason():
    town = Town(additional=1, rule=OrderingRule.COUNCIL_ORDER)
    oldest, middle, newest = (town.candidate(date(2026, 2, d)) for d in (1, 2, 3))
    client = town.client(town.admin)

    for case, position in ((newest, 1), (middle, 2)):
        response = client.post(
            reverse("work:case_council_position", args=[case.pk]),
            {"council_position-position": position, "council_position-reason": "Raadsbesluit."},
        )
        assert response.status_code == 302

    assert [r.case_id for r in town.capacity().candidates] == [newest.pk, middle.pk, oldest.pk]
    assert [r.council_position for r in town.capacity().candidates] == [1, 2, None]
    event = CaseEvent.objects.get(case=newest, action="council_position_set")
    assert event.details == {"position": 1, "previous": None, "reason": "Raadsbesluit."}
    # Removing the position (empty) puts them after those with one.
    client.post(
        reverse("work:case_council_position", args=[newest.pk]),
        {"council_position-position": "", "council_position-reason": "Teruggedraaid."},
    )
    assert [r.case_id for r in town.capacity().candidates] == [middle.pk, oldest.pk, newest.pk]
    bad = client.post(
        reverse("work:case_council_position", args=[oldest.pk]),
        {"council_position-position": "0", "council_position-reason": "x"},
    )
    assert bad.status_code == 400


def test_priority_and_own_order_only_for_people_waiting_for_a_place():
    town = Town()
    employed = quota_filled(town)
    with pytest.raises(ValidationError) as excinfo:
        services.set_priority_group(
            case_id=employed.pk, priority_group=True, reason="x", actor=town.consultant
        )
    assert excinfo.value.code == "not_a_candidate"
    assert town.client().get(reverse("work:case_priority", args=[employed.pk])).status_code == 404


# -- the pages: placement form, waiting list ----------------------------------------------


def test_the_placement_page_asks_for_the_reason_out_of_turn_and_the_list_shows_who_waits():
    town = Town(additional=1)
    quota_filled(town)
    first, second = town.candidate(date(2026, 2, 1)), town.candidate(date(2026, 2, 2))
    client = town.client()
    data = {
        "employer_name": "Werkbedrijf",
        "workplace_kind": WorkplaceKind.SOCIAL_ENTERPRISE,
        "hours_per_week": "31",
        "start_on": START.isoformat(),
        "contract_kind": ContractKind.INDEFINITE,
        "agreed_wage": "2600",
        "agreed_wage_per_hour": "month",
        "wage_value_pct": "40",
    }
    url = reverse("work:case_place", args=[second.pk])
    post = {f"place-{k}": v for k, v in data.items()}

    with on(START - timedelta(days=7)), translation.override("nl"):
        refused = client.post(url, post)
        placed = client.post(url, {**post, "place-out_of_turn_reason": "Past bij de werkplek."})
        waiting = client.get(reverse("work:waiting_list"))

    assert refused.status_code == 400
    assert first.reference in refused.content.decode()
    assert placed.status_code == 302
    html = waiting.content.decode()
    assert f"Wacht langer door plaatsing buiten de volgorde van {second.reference}" in html
    with on(START - timedelta(days=7)), translation.override("nl"):
        history = client.get(reverse("work:case_detail", args=[second.pk])).content.decode()
    assert "Past bij de werkplek." in history
    assert first.reference in history


def test_the_waiting_list_states_the_order_and_its_ties_in_plain_dutch():
    town = Town(additional=1, rule=OrderingRule.APPLICATION_DATE)
    town.candidate(date(2026, 2, 1))
    with on(START), translation.override("nl"):
        html = town.client().get(reverse("work:waiting_list")).content.decode()
        explanation = str(rules.ordering_explanation(OrderingRule.APPLICATION_DATE))
        ties = str(rules.TIE_EXPLANATION)
    assert explanation in html
    assert ties in html
    assert "aanvraag" in explanation  # Dutch, not the English source


# -- Pw art. 7(7) -------------------------------------------------------------------------


def test_s4_6_the_agreement_with_uwv_makes_the_municipality_responsible_from_its_date():
    town = Town(additional=0)
    quota_filled(town)
    wajong = town.candidate(date(2026, 2, 1), benefit_kind=BenefitKind.WAJONG)
    admin = town.client(town.admin)
    url = reverse("manage:uwv_agreement_edit", args=[town.municipality.pk])

    def responsible(day):
        rows = capacity(town.municipality.pk, day.year, on=day).candidates
        return {r.case_id: r.responsible for r in rows}[wajong.pk]

    assert responsible(START) == Responsible.UWV
    missing = admin.post(url, {"uwv_agreement_from": "2026-10-01"})
    assert missing.status_code == 400
    saved = admin.post(
        url,
        {
            "uwv_agreement_from": "2026-10-01",
            "uwv_agreement_description": "De gemeente begeleidt ook mensen met een Wajong.",
        },
    )
    assert saved.status_code == 302
    town.municipality.refresh_from_db()
    assert town.municipality.uwv_agreement_from == date(2026, 10, 1)
    assert AuditEntry.objects.filter(action="update_uwv_agreement", result="ok").exists()
    assert responsible(date(2026, 9, 30)) == Responsible.UWV
    assert responsible(date(2026, 10, 1)) == Responsible.MUNICIPALITY
    with on(date(2026, 10, 2)), translation.override("nl"):
        html = town.client().get(reverse("work:waiting_list")).content.decode()
    assert 'data-testid="uwv-agreement"' in html
    # Another municipality's administrator cannot see or change it.
    other = sign_in(Client(), UserFactory(municipal_admin=True, municipality=MunicipalityFactory()))
    assert other.get(url).status_code == 404
    # Ending it: no date, no agreement.
    admin.post(url, {"uwv_agreement_from": "", "uwv_agreement_description": ""})
    assert Municipality.objects.get(pk=town.municipality.pk).uwv_agreement_from is None
    assert responsible(date(2026, 10, 1)) == Responsible.UWV


# -- realised places: summed hours, a decimal comma ---------------------------------------


def test_s4_2_three_jobs_of_25_hours_are_2_42_places_everywhere_with_a_comma():
    town = Town(additional=0, quota=2)
    for _ in range(3):
        EmploymentFactory(
            case__person__municipality=town.municipality,
            municipality=town.municipality,
            hours_per_week=Decimal(25),
            start_on=date(2026, 1, 5),
        )
    waiting = town.candidate(date(2026, 2, 1))

    with pytest.raises(ValidationError) as excinfo, translation.override("nl"):
        town.place(waiting)
    with translation.override("nl"):
        message = " ".join(excinfo.value.messages)
    assert excinfo.value.code == "no_place_left"
    assert "2,42 van de 2 plekken" in message
    with on(date(2026, 6, 1)), translation.override("nl"):
        client = town.client()
        dashboard = client.get(reverse("work:dashboard")).content.decode()
        waiting_list = client.get(reverse("work:waiting_list")).content.decode()
    assert "2,42" in dashboard and "2,43" not in dashboard
    assert "2,42 plekken gerealiseerd" in waiting_list
    assert 'value="2.42"' in dashboard  # the meter's attribute keeps a decimal point


# -- the largest municipality stays set-based ---------------------------------------------


def test_candidate_page_reads_who_was_passed_over_in_the_same_query(django_assert_num_queries):
    from cases.placement.capacity import candidate_page

    town = Town(additional=3)
    bulk_candidate_cases(town.municipality, 120, actor=town.assessor, unavailable_every=9)
    today = timezone.localdate()
    with django_assert_num_queries(2):
        page = candidate_page(town.municipality.pk, today.year, on=today, from_position=51)
    assert len(page.rows) == 50
