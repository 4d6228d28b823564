"""The labour-market region (issue #20): the administrator sets it in /beheer/; a chain
agreement states regional cooperation on the waiting list; a consultant sees the waiting
candidates of another municipality of the region only when both have such an agreement in
force, with minimal data, audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.audit.models import AuditEntry
from cases.choices import BenefitKind, CaseState
from cases.models import Case
from municipalities.models import ChainAgreement
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
    bulk_candidate_cases,
)
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
REGION_URL = reverse("work:regional_waiting")


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=True):
        yield


def region_member(name: str, region: str = "Rijnmond"):
    """A municipality of ``region`` whose quota is used up: everyone waiting is on the list."""
    municipality = MunicipalityFactory(name=name, labour_market_region=region)
    YearlyQuotaFactory(municipality=municipality, year=TODAY.year, places=1)
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    CaseFactory(state=CaseState.EMPLOYED, person=PersonFactory(municipality=municipality))
    return municipality


def waiting(municipality, **person):
    return CaseFactory(
        state=CaseState.AWAITING_PLACEMENT,
        person=PersonFactory(municipality=municipality, **person),
        positive_decision_on=TODAY - dt.timedelta(days=40),
    )


def cooperates(municipality, *, concluded_on=dt.date(2026, 1, 1), ends_on=None, shared=True):
    return ChainAgreement.objects.create(
        municipality=municipality,
        title="Regionale afspraak",
        concluded_on=concluded_on,
        ends_on=ends_on,
        regional_waiting_list=shared,
    )


@pytest.fixture
def own():
    return region_member("Schiedam")


@pytest.fixture
def other():
    return region_member("Vlaardingen")


@pytest.fixture
def consultant(own):
    return UserFactory(consultant=True, municipality=own)


# -- /beheer/: the region ---------------------------------------------------------------------


def test_the_administrator_chooses_the_region_from_the_35(client):
    admin = UserFactory(municipal_admin=True, totp=False)
    municipality = admin.municipality
    sign_in(client, admin)
    url = reverse("manage:region_edit", kwargs={"municipality_id": municipality.pk})

    assert "Zuid-Kennemerland en IJmond" in client.get(url).content.decode()
    response = client.post(url, {"labour_market_region": "Midden-Utrecht"})
    assert response.status_code == 302
    municipality.refresh_from_db()
    assert municipality.labour_market_region == "Midden-Utrecht"
    assert AuditEntry.objects.filter(
        action="set_labour_market_region", object_id=str(municipality.pk), result="ok"
    ).exists()

    refused = client.post(url, {"labour_market_region": "Atlantis"})
    assert refused.status_code == 400
    municipality.refresh_from_db()
    assert municipality.labour_market_region == "Midden-Utrecht"


def test_only_the_own_administrator_edits_the_region(client, own, consultant):
    url = reverse("manage:region_edit", kwargs={"municipality_id": own.pk})
    sign_in(client, consultant)
    assert client.post(url, {"labour_market_region": "Twente"}).status_code == 403

    stranger = UserFactory(municipal_admin=True, totp=False)
    sign_in(client, stranger)
    assert client.post(url, {"labour_market_region": "Twente"}).status_code == 404
    own.refresh_from_db()
    assert own.labour_market_region == "Rijnmond"


def test_the_agreement_states_regional_cooperation_in_beheer(client, own):
    admin = UserFactory(municipal_admin=True, municipality=own, totp=False)
    sign_in(client, admin)
    url = reverse("manage:chain_create", kwargs={"municipality_id": own.pk})

    no_date = client.post(url, {"title": "Regio", "regional_waiting_list": "on"})
    assert no_date.status_code == 400
    assert "Vul de datum in" in no_date.content.decode()
    assert not ChainAgreement.objects.exists()

    client.post(
        url,
        {"title": "Regio", "concluded_on": "2026-02-01", "regional_waiting_list": "on"},
    )
    agreement = ChainAgreement.objects.get()
    assert agreement.regional_waiting_list and agreement.concluded_on == dt.date(2026, 2, 1)


# -- the region's waiting list ------------------------------------------------------------------


def test_with_both_agreements_in_force_the_consultant_sees_the_others_waiting(
    client, own, other, consultant
):
    cooperates(own)
    cooperates(other)
    theirs = waiting(other, first_name="Geheim", benefit_kind=BenefitKind.WAJONG)
    sign_in(client, consultant)

    response = client.get(REGION_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Vlaardingen" in page and theirs.reference in page
    assert "Geheim" not in page and theirs.person.last_name not in page
    assert theirs.person.bsn not in page
    # no link into their case: it stays another municipality's
    assert reverse("work:case_detail", args=[theirs.pk]) not in page
    assert client.get(reverse("work:case_detail", args=[theirs.pk])).status_code == 404
    assert AuditEntry.objects.filter(
        actor=consultant,
        action="view_personal_data",
        object_type="regional_waiting_list",
        object_id=str(other.pk),
    ).exists()


@pytest.mark.parametrize(
    "theirs",
    [
        "none",
        "not_shared",
        "not_yet_concluded",
        "ended",
    ],
)
def test_without_the_others_agreement_in_force_nothing_is_shown(
    client, own, other, consultant, theirs
):
    cooperates(own)
    if theirs == "not_shared":
        cooperates(other, shared=False)
    elif theirs == "not_yet_concluded":
        cooperates(other, concluded_on=TODAY + dt.timedelta(days=1))
    elif theirs == "ended":
        cooperates(other, concluded_on=dt.date(2025, 1, 1), ends_on=TODAY - dt.timedelta(days=1))
    case = waiting(other)
    sign_in(client, consultant)

    page = client.get(REGION_URL).content.decode()

    assert case.reference not in page and "Vlaardingen" not in page
    assert not AuditEntry.objects.filter(object_type="regional_waiting_list").exists()


def test_without_the_own_agreement_nothing_is_shown(client, own, other, consultant):
    cooperates(other)
    case = waiting(other)
    sign_in(client, consultant)

    assert case.reference not in client.get(REGION_URL).content.decode()


def test_another_region_is_never_shown(client, own, consultant):
    elsewhere = region_member("Enschede", region="Twente")
    cooperates(own)
    cooperates(elsewhere)
    case = waiting(elsewhere)
    sign_in(client, consultant)

    assert case.reference not in client.get(REGION_URL).content.decode()


def test_only_waiting_candidates_of_the_partner_and_none_of_the_own(client, own, other, consultant):
    cooperates(own)
    cooperates(other)
    on_list = waiting(other)
    employed = CaseFactory(state=CaseState.EMPLOYED, person=PersonFactory(municipality=other))
    mine = waiting(own)
    sign_in(client, consultant)

    page = client.get(REGION_URL).content.decode()

    assert on_list.reference in page
    assert employed.reference not in page
    assert mine.reference not in page


def test_a_long_waiting_list_shows_its_first_100_in_order_in_the_same_queries(
    client, own, other, consultant, django_assert_num_queries
):
    cooperates(own)
    cooperates(other)
    first = waiting(other)
    sign_in(client, consultant)
    client.get(REGION_URL)
    # session, user, partners; per partner its figures and first rows, an audit entry; the
    # own municipality (its region)
    with django_assert_num_queries(7):
        assert "1 persoon op de wachtlijst." in client.get(REGION_URL).content.decode()

    # 130 more decided later, every 5th temporarily unavailable: 104 more on the list.
    ids = bulk_candidate_cases(
        other,
        130,
        actor=UserFactory(uwv_assessor=True),
        first_decision_on=TODAY - dt.timedelta(days=39),
        unavailable_every=5,
    )

    with django_assert_num_queries(7):
        page = client.get(REGION_URL).content.decode()

    assert "105 personen op de wachtlijst. Hieronder staan de eerste 100." in page
    shown = [c for c in [first, *Case.objects.filter(pk__in=ids)] if c.reference in page]
    assert len(shown) == 100
    assert all(c.state == CaseState.AWAITING_PLACEMENT for c in shown)
    assert page.index(first.reference) < min(page.index(c.reference) for c in shown[1:])


@pytest.mark.parametrize("role", ["citizen", "municipal_admin", "uwv_assessor"])
def test_other_roles_get_403(client, own, other, role):
    cooperates(own)
    cooperates(other)
    user = UserFactory(**({} if role == "citizen" else {role: True}), totp=False)
    if role == "municipal_admin":
        user.municipality = own
        user.save(update_fields=["municipality"])
    sign_in(client, user)

    assert client.get(REGION_URL).status_code == 403
