"""Bad input gets a clear answer and a 4xx, never a 500: list cursors that no list wrote,
dates no case can have, numbers beyond any position or target, ids of no row, and a
municipality's figures before there are any."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseState, ContractKind
from cases.models import Case
from cases.placement.models import AvailabilityPeriod
from municipalities.models import ChainAgreement
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.integration.conftest import bearer, sign_in

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Vul een datum in tussen 1900 en 2099."


def case_in(municipality, state) -> Case:
    return CaseFactory(person=PersonFactory(municipality=municipality), state=state)


def action(client, case, name, data):
    return client.post(
        reverse(f"work:case_{name}", args=[case.pk]),
        {f"{name}-{key}": value for key, value in data.items()},
    )


@pytest.mark.parametrize(
    "after",
    [
        "0001-01-01T00:00:00~1",
        "0001-01-01T00:00:00+05:00~1",
        "9999-12-31T23:59:59+00:00~1",
        "2026-01-01T00:00:00+00:00~99999999999999999999999",
        "2026-01-01T00:00:00+00:00~-5",
        "nonsense~x",
    ],
)
def test_a_cursor_no_list_wrote_shows_the_first_page(signed_in, municipality, after):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)

    response = signed_in.get(reverse("work:case_list"), {"after": after})

    assert response.status_code == 200
    assert case.reference in response.content.decode()


def test_the_api_list_takes_a_cursor_no_list_wrote_as_its_start(client, amsterdam, api_clients):
    case_in(amsterdam, CaseState.AWAITING_PLACEMENT)
    headers = bearer(client, *api_clients["amsterdam"])

    response = client.get("/api/v1/cases/", {"after": "0001-01-01T00:00:00~1"}, **headers)

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_available_again_before_the_day_one_became_unavailable_is_refused(signed_in, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    since = timezone.localdate() - dt.timedelta(days=3)
    action(signed_in, case, "unavailable", {"reason": "illness", "from_on": since.isoformat()})

    response = action(
        signed_in, case, "available", {"on": (since - dt.timedelta(days=1)).isoformat()}
    )

    assert response.status_code == 400
    assert "kan niet weer beschikbaar zijn voor" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.UNAVAILABLE
    assert AvailabilityPeriod.objects.get(case=case).available_again_on is None


def test_unavailable_or_available_from_a_future_day_is_refused_and_changes_nothing(
    signed_in, municipality
):
    # The case would pause today: until that day the person keeps their place (§4.4).
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = action(
        signed_in, case, "unavailable", {"reason": "illness", "from_on": tomorrow.isoformat()}
    )

    assert response.status_code == 400
    assert "kan niet in de toekomst liggen" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT
    assert not AvailabilityPeriod.objects.filter(case=case).exists()

    today = timezone.localdate().isoformat()
    action(signed_in, case, "unavailable", {"reason": "illness", "from_on": today})
    response = action(signed_in, case, "available", {"on": tomorrow.isoformat()})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).state == CaseState.UNAVAILABLE


def test_a_date_outside_the_years_the_portal_reckons_in_is_refused_on_the_forms(
    signed_in, municipality
):
    employed = case_in(municipality, CaseState.EMPLOYED)
    job = employed.employments.get()
    job.contract_kind = ContractKind.FIXED
    job.contract_ends_on = timezone.localdate() + dt.timedelta(days=200)
    job.save()

    ended = action(signed_in, employed, "end_employment", {"end_on": "9999-12-31"})
    continued = action(
        signed_in,
        employed,
        "contract",
        {"outcome": "continued_fixed", "new_end_on": "2150-03-01"},
    )

    for response in (ended, continued):
        assert response.status_code == 400
        assert OUT_OF_RANGE in response.content.decode()
    assert employed.employments.get().end_on is None


def test_a_placement_through_the_api_outside_those_years_is_refused(client, amsterdam, api_clients):
    case = case_in(amsterdam, CaseState.AWAITING_PLACEMENT)
    response = client.post(
        f"/api/v1/cases/{case.pk}/placement/",
        {
            "employer_name": "SOB De Werkplaats",
            "workplace_kind": "social_enterprise",
            "hours_per_week": "25",
            "start_on": timezone.localdate().isoformat(),
            "contract_kind": "fixed",
            "contract_ends_on": "2150-01-01",
            "agreed_wage": "2600",
            "wage_value_pct": "40",
        },
        content_type="application/json",
        **bearer(client, *api_clients["amsterdam"]),
    )

    assert response.status_code == 400
    assert "1900 en 2099" in response.content.decode()
    assert not case.employments.exists()


def test_a_position_beyond_any_order_is_refused(signed_in, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)

    response = action(
        signed_in,
        case,
        "council_position",
        {"position": "99999999999999999999999", "reason": "Raadsbesluit."},
    )

    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).council_position is None


def test_a_chain_agreement_refuses_garbage_ids_and_targets(client):
    admin = UserFactory(municipal_admin=True, totp=False)
    sign_in(client, admin)
    agreement = ChainAgreement.objects.create(municipality=admin.municipality, title="Keten")
    url = reverse(
        "manage:chain_detail",
        kwargs={"municipality_id": admin.municipality_id, "pk": agreement.pk},
    )

    garbage_id = client.post(url, {"remove_partner": "abc"})
    huge_target = client.post(
        url,
        {"set_target": "1", "target-year": "2026", "target-target_places": "9" * 23},
    )

    assert garbage_id.status_code == 404
    assert huge_target.status_code == 400  # the form again, with its error
    assert "target_places" in huge_target.content.decode()
    assert not agreement.targets.exists()


def test_a_municipalitys_figures_before_there_are_any(signed_in, municipality):
    page = signed_in.get(reverse("reports:municipality", args=[municipality.cbs_code]))
    overview = signed_in.get(reverse("reports:overview"))

    assert page.status_code == overview.status_code == 200
    assert "<title>Beschut werk in cijfers | " in overview.content.decode()  # no "None"


def test_the_public_theme_of_an_id_no_database_holds_is_not_found():
    client = Client()
    for path in ("/huisstijl/99999999999999999999.css", "/huisstijl/99999999999999999999/logo"):
        assert client.get(path).status_code == 404
