"""The sign-in page with and without OpenID Connect providers (issue 24), and a provider that
cannot be reached; no provider process (``test_oidc.py`` has the real one)."""

import socket

import pytest
from allauth.socialaccount.models import SocialAccount

from portal.models import User
from portal.oidc import config

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable(settings):
    """Both providers configured on an address where nothing listens."""
    url = f"http://127.0.0.1:{_closed_port()}/openid"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "provider_class": "portal.oidc.provider.PortalOpenIDConnectProvider",
            "APPS": [
                config.citizen_app(server_url=url, client_id="portal", secret="s"),
                config.staff_app(server_url=url, client_id="portal-staff", secret="s"),
            ],
        }
    }


def test_without_a_broker_the_sign_in_page_is_e_mail_and_password_only(client):
    page = client.get("/account/login/").content.decode()

    assert 'name="login"' in page and 'name="password"' in page
    assert "DigiD" not in page
    assert client.post("/account/oidc/digid/login/").status_code == 404


def test_with_providers_the_sign_in_page_offers_digid_and_the_staff_button(client, unreachable):
    page = client.get("/account/login/?next=/mijn/").content.decode()

    assert 'name="login"' in page  # the e-mail sign-in stays
    assert "Inloggen met DigiD" in page
    assert "Inloggen als medewerker" in page
    assert 'action="/account/oidc/digid/login/?process=login&amp;next=%2Fmijn%2F"' in page
    assert 'action="/account/oidc/gemeente/login/?process=login&amp;next=%2Fmijn%2F"' in page


@pytest.mark.parametrize("provider_id", ["digid", "gemeente"])
def test_a_provider_that_cannot_be_reached_gets_a_dutch_page_not_an_error(
    client, unreachable, provider_id
):
    response = client.post(f"/account/oidc/{provider_id}/login/")

    assert response.status_code == 503
    assert "De inlogdienst kunnen we nu niet bereiken" in response.content.decode()
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_a_callback_without_a_started_sign_in_is_refused_in_dutch(client, unreachable):
    response = client.get("/account/oidc/digid/login/callback/?code=x&state=unknown")

    assert response.status_code == 400
    assert "Er is niets opgeslagen" in response.content.decode()
    assert not User.objects.exists()
