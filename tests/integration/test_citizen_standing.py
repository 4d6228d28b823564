"""Mijn aanvragen: the citizen sees where they stand (DOMAIN §4, §5; issue #20): must be
placed now, an additional place, or the waiting list with their place on it; who is
responsible while they wait; the provisions of the verordening; and nothing of other people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.choices import ApplicantKind, BenefitKind, CaseState, OrderingRule
from cases.models import Application
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
    bulk_candidate_cases,
)

pytestmark = pytest.mark.django_db

WHILE_WAITING = "Dagbesteding met begeleiding."
UNTIL_EMPLOYMENT = "Een vaste contactpersoon bij de gemeente."


@pytest.fixture
def citizen():
    return UserFactory()


def municipality_with(*, quota: int, employed: int = 0, additional: int = 0):
    """A municipality with this year's quota, ``employed`` people in 31-hour jobs, and a
    verordening in force offering ``additional`` extra places."""
    municipality = MunicipalityFactory()
    YearlyQuotaFactory(municipality=municipality, year=timezone.localdate().year, places=quota)
    VerordeningFactory(
        municipality=municipality,
        in_force_from=dt.date(2020, 1, 1),
        offers_additional_places=additional > 0,
        additional_places_per_year=additional,
        provisions_while_waiting=WHILE_WAITING,
        provisions_until_employment=UNTIL_EMPLOYMENT,
    )
    for _ in range(employed):
        CaseFactory(state=CaseState.EMPLOYED, person=PersonFactory(municipality=municipality))
    return municipality


def waiting_case(municipality, *, days_ago: int, account=None, benefit=BenefitKind.PARTICIPATIEWET):
    person = PersonFactory(municipality=municipality, account=account, benefit_kind=benefit)
    return CaseFactory(
        state=CaseState.AWAITING_PLACEMENT,
        person=person,
        positive_decision_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def page_of(client, citizen, case) -> str:
    client.force_login(citizen)
    response = client.get(reverse("citizen:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_under_the_quota_the_municipality_must_place_them_now(client, citizen):
    municipality = municipality_with(quota=5, employed=1)
    case = waiting_case(municipality, days_ago=30, account=citizen)

    page = page_of(client, citizen, case)

    assert "De gemeente moet u nu een plek aanbieden." in page
    assert "Er is geen volgorde" in page
    assert "wachtlijst" not in page.split("Waar u staat")[1].split("Wie helpt")[0]
    assert "Uw gemeente is verantwoordelijk voor u zolang u wacht." in page
    assert UNTIL_EMPLOYMENT in page
    assert WHILE_WAITING not in page  # not on the waiting list


def test_beyond_the_quota_the_verordening_offers_an_additional_place(client, citizen):
    municipality = municipality_with(quota=1, employed=1, additional=1)
    case = waiting_case(municipality, days_ago=30, account=citizen)

    page = page_of(client, citizen, case)

    assert "De gemeente biedt u een extra plek aan." in page
    assert "Wie het eerst een positief advies van UWV kreeg" in page  # the order in words
    assert UNTIL_EMPLOYMENT in page


def test_the_municipalitys_own_order_is_explained_in_plain_words(client, citizen):
    municipality = municipality_with(quota=1, employed=1, additional=1)
    municipality.verordeningen.update(ordering_rule=OrderingRule.COUNCIL_ORDER)
    case = waiting_case(municipality, days_ago=30, account=citizen)

    page = page_of(client, citizen, case)

    assert "De gemeente bepaalt de volgorde zelf: ze geeft iedereen een nummer." in page
    assert "Wie het laagste nummer heeft, krijgt als eerste een plek." in page
    assert "De volgorde is: De eigen volgorde" not in page


def test_on_the_waiting_list_they_see_their_place_and_nothing_of_the_others(client, citizen):
    municipality = municipality_with(quota=1, employed=1)
    ahead = [waiting_case(municipality, days_ago=90 - i) for i in range(2)]
    behind = waiting_case(municipality, days_ago=5)
    case = waiting_case(municipality, days_ago=30, account=citizen)

    page = page_of(client, citizen, case)

    assert "U staat op plaats 3 van de wachtlijst." in page
    assert "geen extra plek meer over" in page
    assert WHILE_WAITING in page and UNTIL_EMPLOYMENT in page
    assert f"1 januari {timezone.localdate().year + 1}" in page  # next year's quota
    assert "houdt de beurt" in page  # becoming available again
    for other in [*ahead, behind]:
        assert other.reference not in page
        assert other.person.last_name not in page
    assert "4" not in page.split("Waar u staat")[1].split("De volgorde")[0]  # no total


def test_a_waiting_person_with_a_uwv_benefit_is_uwvs(client, citizen):
    municipality = municipality_with(quota=1, employed=1)
    case = waiting_case(municipality, days_ago=30, account=citizen, benefit=BenefitKind.WAJONG)

    page = page_of(client, citizen, case)

    assert "UWV is verantwoordelijk voor u zolang u wacht." in page
    assert "U praat met UWV over werk en ondersteuning" in page
    assert "De uitkering (Wajong) betaalt UWV" in page


def test_with_a_uwv_benefit_under_the_quota_the_municipality_is_responsible(client, citizen):
    municipality = municipality_with(quota=5)
    case = waiting_case(municipality, days_ago=30, account=citizen, benefit=BenefitKind.WW)

    page = page_of(client, citizen, case)

    assert "Uw gemeente is verantwoordelijk voor u zolang u wacht." in page
    assert "U praat met de consulent van de gemeente" in page
    assert "De uitkering (WW) betaalt UWV" in page


def test_a_participatiewet_benefit_stays_with_the_municipality(client, citizen):
    municipality = municipality_with(quota=1, employed=1)
    case = waiting_case(municipality, days_ago=30, account=citizen)

    page = page_of(client, citizen, case)

    assert "Uw gemeente is verantwoordelijk voor u zolang u wacht." in page
    assert "De uitkering (bijstand) betaalt de gemeente" in page


def test_a_representative_reads_it_about_the_person(client, citizen):
    municipality = municipality_with(quota=1, employed=1)
    waiting_case(municipality, days_ago=60)
    case = waiting_case(municipality, days_ago=30, account=citizen)
    Application.objects.filter(case=case).update(
        applicant_kind=ApplicantKind.REPRESENTATIVE,
        representative_name="Petra Ouder",
        representative_relationship="ouder",
    )
    name = f"{case.person.first_name} {case.person.last_name}"

    page = page_of(client, citizen, case)

    assert f"Waar {name} staat" in page
    assert f"{name} staat op plaats 2 van de wachtlijst." in page
    assert f"De gemeente is verantwoordelijk voor {name}" in page
    assert "U staat op plaats" not in page


def test_temporarily_unavailable_keeps_the_turn(client, citizen):
    municipality = municipality_with(quota=1, employed=1)
    case = waiting_case(municipality, days_ago=30, account=citizen)
    case.state = CaseState.UNAVAILABLE
    case.save(update_fields=["state"])

    page = page_of(client, citizen, case)

    assert "U bent tijdelijk niet beschikbaar. U houdt uw beurt." in page
    assert "Zodra u weer beschikbaar bent" in page
    assert WHILE_WAITING in page


def test_no_standing_before_the_decision(client, citizen):
    case = CaseFactory(state=CaseState.WITH_UWV, person=PersonFactory(account=citizen))

    page = page_of(client, citizen, case)

    assert "Waar u staat" not in page


def test_the_overview_has_a_short_line(client, citizen):
    municipality = municipality_with(quota=1, employed=1)
    waiting_case(municipality, days_ago=60)
    waiting_case(municipality, days_ago=30, account=citizen)
    client.force_login(citizen)

    page = client.get(reverse("citizen:case_list")).content.decode()

    assert "Op de wachtlijst: plaats 2." in page


def test_the_case_page_of_a_waiting_person_has_a_fixed_number_of_queries(
    client, citizen, django_assert_num_queries
):
    municipality = municipality_with(quota=1, employed=2)
    for i in range(3):
        waiting_case(municipality, days_ago=90 - i)
    case = waiting_case(municipality, days_ago=30, account=citizen)
    client.force_login(citizen)
    url = reverse("citizen:case_detail", args=[case.pk])
    client.get(url)

    # session, user, case (with application, advice, decision), audit entry of the view,
    # terms, objections, messages, documents, refused places, support provisions; own standing
    # (figures of the municipality, own row), verordening; the theme of its municipality
    with django_assert_num_queries(14):
        client.get(url)
    for i in range(5):
        waiting_case(municipality, days_ago=10 + i)
    with django_assert_num_queries(14):
        client.get(url)


def test_the_overview_with_a_waiting_case_has_a_fixed_number_of_queries(
    client, citizen, django_assert_num_queries
):
    municipality = municipality_with(quota=1, employed=1)
    waiting_case(municipality, days_ago=30, account=citizen)
    waiting_case(municipality, days_ago=20, account=citizen)
    client.force_login(citizen)
    url = reverse("citizen:case_list")
    client.get(url)

    # session, user, drafts, cases, terms; the standings (figures of the municipality, the
    # rows of the citizen's cases) once, however many of the citizen's cases wait there; the
    # theme of their municipality
    with django_assert_num_queries(8):
        page = client.get(url).content.decode()
    assert "Op de wachtlijst: plaats 1." in page and "Op de wachtlijst: plaats 2." in page


def test_the_place_on_the_waiting_list_counts_only_those_waiting_before_them(client, citizen):
    municipality = municipality_with(quota=1, employed=1, additional=1)
    waiting_case(municipality, days_ago=90)  # takes the additional place
    unavailable = waiting_case(municipality, days_ago=80)  # keeps the turn, not on the list
    unavailable.state = CaseState.UNAVAILABLE
    unavailable.save(update_fields=["state"])
    waiting_case(municipality, days_ago=70)
    case = waiting_case(municipality, days_ago=30, account=citizen)

    page = page_of(client, citizen, case)

    assert "U staat op plaats 2 van de wachtlijst." in page


def test_among_many_candidates_the_page_reads_the_same_and_shows_the_right_place(
    client, citizen, django_assert_num_queries
):
    """Only the person's own row is read: the queries (those of the case page above) stay the
    same with 400 more candidates, and the place counts every one of them waiting before the
    person."""
    municipality = municipality_with(quota=1, employed=1, additional=1)
    case = waiting_case(municipality, days_ago=30, account=citizen)
    client.force_login(citizen)
    url = reverse("citizen:case_detail", args=[case.pk])
    client.get(url)
    with django_assert_num_queries(14):
        assert "De gemeente biedt u een extra plek aan." in client.get(url).content.decode()

    # 400 decided long before, every 4th unavailable (they keep their turn, not on the list);
    # of the 300 available the first takes the additional place.
    bulk_candidate_cases(
        municipality,
        400,
        actor=UserFactory(uwv_assessor=True),
        first_decision_on=dt.date(2020, 1, 1),
        unavailable_every=4,
    )

    with django_assert_num_queries(14):
        page = client.get(url).content.decode()
    assert "U staat op plaats 300 van de wachtlijst." in page  # 299 waiting before them
    client.get(reverse("citizen:case_list"))
    with django_assert_num_queries(8):
        overview = client.get(reverse("citizen:case_list")).content.decode()
    assert "Op de wachtlijst: plaats 300." in overview
