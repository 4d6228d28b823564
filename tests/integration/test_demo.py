import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import CaseState
from cases.models import Case, Decision, Person
from cases.placement.models import Employment
from cases.terms.models import Term
from municipalities.models import Municipality, Verordening, YearlyQuota
from portal.demo import (
    DEMO_API_CLIENTS,
    DEMO_API_SECRET,
    DEMO_CITIZEN_EMAIL,
    DEMO_PASSWORD,
    MUNICIPALITIES,
    demo_accounts,
)
from portal.models import STAFF_ROLES, ApiClient, Role, User
from tests.integration.conftest import get_token

pytestmark = pytest.mark.django_db


def counts():
    return (
        Municipality.objects.count(),
        YearlyQuota.objects.count(),
        Verordening.objects.count(),
        User.objects.count(),
        Authenticator.objects.count(),
    )


def test_seed_demo_twice_creates_everything_once():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    assert first[0] >= 3
    assert YearlyQuota.objects.filter(year=2026).count() == first[0]


def test_every_demo_account_signs_in_with_the_published_password_and_staff_have_totp():
    call_command("seed_demo")

    for account in demo_accounts():
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.role == account.role
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert has_totp == (account.role in STAFF_ROLES)


def test_the_demo_api_clients_get_a_token_with_the_published_secret_and_act_in_their_role(
    client,
):
    call_command("seed_demo")
    call_command("seed_demo")

    assert ApiClient.objects.count() == len(DEMO_API_CLIENTS)
    amsterdam = ApiClient.objects.get(application__client_id="demo-amsterdam")
    uwv = ApiClient.objects.get(application__client_id="demo-uwv")
    assert (amsterdam.account.role, amsterdam.account.municipality.cbs_code) == (
        Role.CONSULTANT,
        "GM0363",
    )
    assert (uwv.account.role, uwv.account.municipality) == (Role.UWV_ASSESSOR, None)
    assert get_token(client, amsterdam, "wrong-secret").status_code == 401
    token = get_token(client, amsterdam, DEMO_API_SECRET).json()["access_token"]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    cases = client.get("/api/v1/cases/", **headers)
    assert cases.status_code == 200
    assert cases.json()["results"]
    assert client.get("/api/v1/uwv/queue/", **headers).status_code == 403


# -- demo cases -------------------------------------------------------------------------------


def case_counts():
    return (
        Person.objects.count(),
        Case.objects.count(),
        Employment.objects.count(),
        Term.objects.count(),
        CaseEvent.objects.count(),
        AuditEntry.objects.count(),
        Decision.objects.count(),
    )


def test_seed_demo_creates_every_case_state_in_every_municipality():
    call_command("seed_demo")

    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(CaseState.values)
    for m in MUNICIPALITIES:
        in_municipality = set(
            Case.objects.filter(municipality__cbs_code=m.cbs_code).values_list("state", flat=True)
        )
        assert in_municipality == set(CaseState.values), m.name
    running = Employment.objects.filter(end_on__isnull=True)
    assert running.count() >= len(MUNICIPALITIES) * 3  # the quota meter shows something
    for decision in Decision.objects.select_related("verordening"):
        # Judged under the version in force on the day of the decision.
        assert decision.verordening.in_force_from <= decision.sent_on


def test_seed_demo_gives_the_demo_citizen_a_case_of_their_own():
    call_command("seed_demo")

    citizen = User.objects.get(email=DEMO_CITIZEN_EMAIL)
    (person,) = Person.objects.filter(account=citizen)
    (case,) = Case.objects.filter(person=person)
    assert case.state == CaseState.SUBMITTED
    assert case.application.submitted_by == citizen
    assert Term.objects.filter(case=case, met_on__isnull=True).exists()


def test_seed_demo_twice_adds_no_cases():
    call_command("seed_demo")
    first = case_counts()
    call_command("seed_demo")

    assert case_counts() == first
    assert first[1] >= len(CaseState) * len(MUNICIPALITIES)


def test_the_demo_cases_pass_the_capacity_computation():
    from datetime import date

    from cases.placement.capacity import capacity
    from municipalities.models import Municipality

    call_command("seed_demo")

    for m in MUNICIPALITIES:
        municipality = Municipality.objects.get(cbs_code=m.cbs_code)
        result = capacity(municipality.pk, 2026, on=date(2026, 6, 1))
        assert result.quota_places == m.quota_2026
        assert (
            len(result.candidates)
            == Case.objects.filter(
                municipality=municipality,
                state__in=[CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE],
            ).count()
        )


def test_every_demo_municipality_has_a_complete_letterhead_and_its_letters_can_be_made():
    from cases.documents.letters import decision_letter_pdf

    Municipality.objects.create(cbs_code="GM0344", name="Utrecht")  # seeded before letterheads
    call_command("seed_demo")

    for m in MUNICIPALITIES:
        municipality = Municipality.objects.get(cbs_code=m.cbs_code)
        assert municipality.missing_letterhead_fields == [], m.name
        decision = Decision.objects.filter(case__municipality=municipality).first()
        assert decision_letter_pdf(decision).startswith(b"%PDF")
        assert decision.case.application.letter_postcode
