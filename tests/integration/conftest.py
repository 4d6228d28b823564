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
