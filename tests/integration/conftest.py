"""What the tests of the consultant's pages share: a municipality with a verordening and a
quota for this year, a consultant of it, and that consultant signed in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import MunicipalityFactory, UserFactory, VerordeningFactory, YearlyQuotaFactory


def sign_in(client, user):
    """Sign a staff member in, their second factor checked for the session."""
    client.force_login(user)
    session = client.session
    session["portal_staff_mfa_ok"] = True
    session.save()
    return client


@pytest.fixture
def municipality():
    municipality = MunicipalityFactory()
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    YearlyQuotaFactory(municipality=municipality, year=timezone.localdate().year, places=5)
    return municipality


@pytest.fixture
def consultant(municipality):
    return UserFactory(consultant=True, municipality=municipality)


@pytest.fixture
def signed_in(client, consultant):
    return sign_in(client, consultant)


# -- the case exchange API (issue #24): Amsterdam and Rotterdam, their back offices, UWV ------


def municipality_with_quota(cbs_code: str, name: str):
    municipality = MunicipalityFactory(cbs_code=cbs_code, name=name)
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    YearlyQuotaFactory(municipality=municipality, year=timezone.localdate().year, places=5)
    return municipality


@pytest.fixture
def amsterdam():
    return municipality_with_quota("GM0363", "Amsterdam")


@pytest.fixture
def rotterdam():
    return municipality_with_quota("GM0599", "Rotterdam")


@pytest.fixture
def api_clients(amsterdam, rotterdam) -> dict:
    """The clients of the demo's kinds, each as ``(ApiClient, secret)``: UWV, the back offices
    of Amsterdam and Rotterdam with every scope of their role, and two with a read scope only.
    Their secrets are hashed with the tests' fast hasher (``tests/conftest.py``)."""
    from portal.api_clients import create_api_client
    from portal.models import Role

    return {
        "uwv": create_api_client(name="UWV Sonar", role=Role.UWV_ASSESSOR),
        "uwv_read": create_api_client(
            name="UWV rapportage", role=Role.UWV_ASSESSOR, scopes=["uwv.read"]
        ),
        "amsterdam": create_api_client(
            name="Zaaksysteem Amsterdam", role=Role.CONSULTANT, municipality=amsterdam
        ),
        "amsterdam_read": create_api_client(
            name="Rapportage Amsterdam",
            role=Role.CONSULTANT,
            municipality=amsterdam,
            scopes=["cases.read"],
        ),
        "rotterdam": create_api_client(
            name="Zaaksysteem Rotterdam", role=Role.CONSULTANT, municipality=rotterdam
        ),
    }


def get_token(client, api_client, secret: str, **extra):
    """The token endpoint's answer for client credentials (HTTP Basic, as RFC 6749 prefers)."""
    import base64

    basic = base64.b64encode(f"{api_client.application.client_id}:{secret}".encode()).decode()
    return client.post(
        "/api/v1/token/",
        {"grant_type": "client_credentials", **extra},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )


def bearer(client, api_client, secret: str) -> dict:
    """Headers for a call with a fresh token of ``api_client``."""
    response = get_token(client, api_client, secret)
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}
