"""Sign-in through OpenID Connect (issue 24) against a real provider: django-oidc-provider in a
project of its own (``tests/oidc_provider``), started as a process for this module.

The portal is driven with Django's test client; the provider's login form with ``requests``,
as a browser would (its session cookie, its CSRF token, its redirects). The portal itself
calls the provider for real: discovery, token, userinfo, keys.
"""

from __future__ import annotations

import html
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from cases.audit.models import AuditEntry
from cases.bsn import valid_bsn
from cases.choices import CaseState
from portal.models import Role, User
from portal.oidc import config
from tests.conftest import current_totp_code
from tests.factories import (
    TOTP_SECRET,
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "idp-wachtwoord"
BSN_ON_FILE = valid_bsn(1, base=7_100_000)
BSN_NEW = valid_bsn(2, base=7_100_000)
BSN_OTHER_ACCOUNT = valid_bsn(3, base=7_100_000)
CITIZEN_CLIENT = ("portal-digid", "digid-geheim")
STAFF_CLIENT = ("portal-gemeente", "gemeente-geheim")


def _staff(email, amr=("pwd",), **beschutwerk):
    return {
        "password": PASSWORD,
        "standard": {
            "email": email,
            "email_verified": True,
            "given_name": "Mede",
            "family_name": "Werker",
        },
        "beschutwerk": beschutwerk,
        "amr": list(amr),
    }


PEOPLE = {
    "anna": {"password": PASSWORD, "bsn": {"bsn": BSN_ON_FILE}},
    "bram": {"password": PASSWORD, "bsn": {"bsn": BSN_NEW}},
    "cor": {"password": PASSWORD, "bsn": {"bsn": BSN_OTHER_ACCOUNT}},
    "dirk": {"password": PASSWORD, "bsn": {"bsn": "123456789"}},
    "eva": {"password": PASSWORD},
    "fatima": _staff(
        "fatima@gemeente.example",
        amr=("pwd", "otp"),
        beschutwerk_role="consultant",
        beschutwerk_municipality="GM0363",
    ),
    "gijs": _staff(
        "gijs@gemeente.example", beschutwerk_role="wethouder", beschutwerk_municipality="GM0363"
    ),
    "hanna": _staff("hanna@gemeente.example"),
    "ilse": _staff(
        "ilse@gemeente.example",
        beschutwerk_role="municipal_admin",
        beschutwerk_municipality="GM0363",
    ),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Provider:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.server_url = f"{base_url}/openid"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The provider process, on a free port, with the people above."""
    directory = tmp_path_factory.mktemp("oidc-provider")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    spec = directory / "people.json"
    clients = []
    for (client_id, secret), provider_id in (
        (CITIZEN_CLIENT, config.CITIZEN_PROVIDER_ID),
        (STAFF_CLIENT, config.STAFF_PROVIDER_ID),
    ):
        clients.append(
            {
                "client_id": client_id,
                "secret": secret,
                "redirect_uris": [f"http://testserver/account/oidc/{provider_id}/login/callback/"],
                "post_logout_redirect_uris": ["http://testserver/"],
            }
        )
    spec.write_text(json.dumps({"clients": clients, "people": PEOPLE}))
    env = {
        **os.environ,
        "OIDC_TEST_DIR": str(directory),
        "OIDC_TEST_PEOPLE": str(spec),
        "OIDC_TEST_SITE_URL": base_url,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = (directory / "provider.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base_url}/openid/.well-known/openid-configuration", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(
                "the test provider did not start:\n" + (directory / "provider.log").read_text()
            )
        time.sleep(0.2)
    yield Provider(base_url)
    process.terminate()
    process.wait(timeout=10)


def providers_setting(server_url: str, **staff_options) -> dict:
    return {
        "openid_connect": {
            "provider_class": "portal.oidc.provider.PortalOpenIDConnectProvider",
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                config.citizen_app(
                    server_url=server_url,
                    client_id=CITIZEN_CLIENT[0],
                    secret=CITIZEN_CLIENT[1],
                ),
                config.staff_app(
                    server_url=server_url,
                    client_id=STAFF_CLIENT[0],
                    secret=STAFF_CLIENT[1],
                    scope=["openid", "email", "profile", "beschutwerk"],
                    **staff_options,
                ),
            ],
        }
    }


@pytest.fixture
def configured(settings, provider):
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(provider.server_url)
    return settings


@pytest.fixture
def amsterdam():
    return MunicipalityFactory(cbs_code="GM0363", name="Amsterdam")


def start(client, provider_id: str, provider: Provider) -> str:
    """The portal's sign-in button: where it sends the browser (the provider's authorize)."""
    response = client.post(f"/account/oidc/{provider_id}/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(provider.server_url + "/authorize")
    return response["Location"]


def at_provider(url: str, username: str, browser: requests.Session | None = None) -> str:
    """Sign in at the provider as ``username`` (if it asks) and follow its redirects until it
    sends the browser back to the portal: that address."""
    browser = browser or requests.Session()
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "csrfmiddlewaretoken" in response.text:
            fields = {
                name: html.unescape(value)
                for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', response.text)
            }
            response = browser.post(
                response.url,
                data={**fields, "username": username, "password": PASSWORD},
                allow_redirects=False,
                timeout=10,
            )
        assert response.status_code == 302, response.text[:500]
        url = urljoin(response.url, response.headers["Location"])
        if url.startswith("http://testserver/"):
            return url
    raise AssertionError("the provider never sent the browser back")


def sign_in(client, provider: Provider, provider_id: str, username: str, browser=None):
    back = at_provider(start(client, provider_id, provider), username, browser)
    return client.get(back.removeprefix("http://testserver"))


def signed_in_user(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


# -- citizens ---------------------------------------------------------------------------------


def test_sign_in_page_offers_digid_and_staff_buttons_when_configured(client, configured):
    page = client.get("/account/login/").content.decode()

    assert "Inloggen met DigiD" in page
    assert "Inloggen als medewerker" in page
    assert 'action="/account/oidc/digid/login/?process=login"' in page


def test_citizen_signs_in_with_digid_and_is_linked_to_their_file(
    client, configured, provider, caplog
):
    person = PersonFactory(bsn=BSN_ON_FILE, account=None)
    case = CaseFactory(person=person, municipality=person.municipality, state=CaseState.WITH_UWV)

    response = sign_in(client, provider, "digid", "anna")

    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.role == Role.CITIZEN and user.email is None
    person.refresh_from_db()
    assert person.account == user
    assert case.reference in client.get("/mijn/").content.decode()
    account = SocialAccount.objects.get(user=user)
    assert account.provider == "digid"
    assert BSN_ON_FILE not in account.uid and BSN_ON_FILE not in json.dumps(account.extra_data)
    assert BSN_ON_FILE not in caplog.text
    assert AuditEntry.objects.filter(action="link_account_by_bsn", actor=user, result="ok").exists()

    # Signing in again finds the same account, however the broker names the session.
    client.logout()
    sign_in(client, provider, "digid", "anna")
    assert signed_in_user(client) == user
    assert User.objects.filter(role=Role.CITIZEN).count() == 1


def test_citizen_without_a_file_gets_an_account_without_e_mail(client, configured, provider):
    response = sign_in(client, provider, "digid", "bram")

    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.role == Role.CITIZEN and user.email is None
    assert str(user) == "DigiD-account"
    assert client.get("/mijn/").status_code == 200
    overview = client.get("/").content.decode()
    assert "ingelogd als DigiD-account" in overview and "None" not in overview


def test_a_file_of_another_account_stays_with_it(client, configured, provider):
    owner = UserFactory()
    person = PersonFactory(bsn=BSN_OTHER_ACCOUNT, account=owner)

    response = sign_in(client, provider, "digid", "cor")

    user = signed_in_user(client)
    assert user is not None and user != owner
    person.refresh_from_db()
    assert person.account == owner
    page = client.get(response["Location"]).content.decode()
    assert "gekoppeld aan een ander account" in page
    assert AuditEntry.objects.filter(
        action="link_account_by_bsn", result="refused", message="person_other_account"
    ).exists()


@pytest.mark.parametrize(
    ("username", "text"),
    [("dirk", "niet geldig"), ("eva", "burgerservicenummer (BSN) niet gegeven")],
)
def test_an_invalid_or_missing_bsn_is_refused_and_nothing_is_stored(
    client, configured, provider, username, text, caplog
):
    response = sign_in(client, provider, "digid", username)

    assert response.status_code == 403
    assert text in response.content.decode().replace("\n", " ")
    assert not User.objects.exists() and not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session
    assert "123456789" not in caplog.text


# -- staff ------------------------------------------------------------------------------------


def test_staff_role_and_municipality_come_from_the_portal_record(
    client, configured, provider, amsterdam
):
    consultant = UserFactory(
        consultant=True, municipality=amsterdam, email="hanna@gemeente.example"
    )

    response = sign_in(client, provider, "gemeente", "hanna")

    # The IdP said nothing of a second factor: the portal asks its own TOTP code.
    assert response["Location"] == "/account/2fa/authenticate/"
    response = client.post("/account/2fa/authenticate/", {"code": current_totp_code(TOTP_SECRET)})
    assert response.status_code == 302
    assert signed_in_user(client) == consultant
    assert client.get("/werk/").status_code == 200
    assert SocialAccount.objects.get(user=consultant).provider == "gemeente"
    assert AuditEntry.objects.filter(action="link_idp_account", actor=consultant).exists()


def test_staff_without_an_account_in_record_mode_are_refused(
    client, configured, provider, amsterdam
):
    response = sign_in(client, provider, "gemeente", "hanna")

    assert response.status_code == 403
    assert "nog geen account" in response.content.decode()
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_record_mode_refuses_claims_that_contradict_the_record(
    client, configured, provider, amsterdam
):
    UserFactory(consultant=True, municipality=amsterdam, email="ilse@gemeente.example")

    response = sign_in(client, provider, "gemeente", "ilse")

    assert response.status_code == 403
    assert "Er is niets veranderd" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_claims_mode_creates_the_staff_account_and_trusts_the_idps_second_factor(
    client, settings, provider, amsterdam
):
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(
        provider.server_url, role_source="claims", mfa_amr=["otp", "mfa"]
    )

    response = sign_in(client, provider, "gemeente", "fatima")

    assert response.status_code == 302 and response["Location"] == "/"
    user = signed_in_user(client)
    assert (user.role, user.municipality, user.email) == (
        Role.CONSULTANT,
        amsterdam,
        "fatima@gemeente.example",
    )
    assert not user.has_usable_password()
    # No TOTP of the portal's own: the IdP's "otp" counts as the second factor.
    assert client.get("/werk/").status_code == 200


def test_claims_mode_follows_the_idp_for_a_linked_account(client, settings, provider, amsterdam):
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(provider.server_url, role_source="claims")
    user = UserFactory(municipal_admin=True, email="fatima@gemeente.example")
    SocialAccount.objects.create(user=user, provider="gemeente", uid=_sub_of("fatima", provider))

    sign_in(client, provider, "gemeente", "fatima")

    user.refresh_from_db()
    assert (user.role, user.municipality) == (Role.CONSULTANT, amsterdam)
    assert AuditEntry.objects.filter(
        action="update_staff_from_idp", object_id=str(user.pk)
    ).exists()


def test_claims_mode_does_not_overwrite_an_account_made_by_hand(
    client, settings, provider, amsterdam
):
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(provider.server_url, role_source="claims")
    user = UserFactory(municipal_admin=True, email="fatima@gemeente.example")

    response = sign_in(client, provider, "gemeente", "fatima")

    assert response.status_code == 403
    user.refresh_from_db()
    assert user.role == Role.MUNICIPAL_ADMIN
    assert not SocialAccount.objects.exists()


def test_claims_mode_refuses_an_unknown_role(client, settings, provider, amsterdam):
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(provider.server_url, role_source="claims")

    response = sign_in(client, provider, "gemeente", "gijs")

    assert response.status_code == 403
    assert "rol die het portaal niet kent" in response.content.decode()
    assert not User.objects.exists() and not SocialAccount.objects.exists()


def test_a_citizen_account_cannot_become_staff(client, settings, provider, amsterdam):
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(provider.server_url, role_source="claims")
    citizen = UserFactory(email="fatima@gemeente.example")

    response = sign_in(client, provider, "gemeente", "fatima")

    assert response.status_code == 403
    citizen.refresh_from_db()
    assert citizen.role == Role.CITIZEN


# -- the provider away, logout ----------------------------------------------------------------


def test_a_provider_that_is_down_gets_a_dutch_page_and_nothing_is_created(
    client, settings, provider
):
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(f"http://127.0.0.1:{_free_port()}/openid")

    response = client.post("/account/oidc/digid/login/")

    assert response.status_code == 503
    assert "kunnen we nu niet bereiken" in response.content.decode()
    assert not User.objects.exists()


def test_a_provider_that_goes_down_halfway_leaves_nothing_behind(client, settings, provider):
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(provider.server_url)
    back = at_provider(start(client, "digid", provider), "bram")
    settings.SOCIALACCOUNT_PROVIDERS = providers_setting(f"http://127.0.0.1:{_free_port()}/openid")

    response = client.get(back.removeprefix("http://testserver"))

    assert response.status_code == 503
    assert not User.objects.exists() and not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_portal_session_and_the_providers(client, configured, provider):
    browser = requests.Session()
    sign_in(client, provider, "digid", "bram", browser)
    assert signed_in_user(client) is not None

    response = client.post("/account/logout/")

    assert "_auth_user_id" not in client.session
    assert client.get("/mijn/").status_code == 302
    end_session = response["Location"]
    assert end_session.startswith(provider.server_url + "/end-session")
    query = parse_qs(urlsplit(end_session).query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["id_token_hint"]
    back = browser.get(end_session, allow_redirects=False, timeout=10)
    assert back.headers["Location"] == "http://testserver/"
    # The provider's session ended too: a new sign-in asks for the password again.
    again = browser.get(start(client, "digid", provider), allow_redirects=False, timeout=10)
    assert urlsplit(again.headers["Location"]).path == "/accounts/login/"


def _sub_of(username: str, provider: Provider) -> str:
    """The provider's ``sub`` of a person (django-oidc-provider: the user's id there)."""
    return str(list(PEOPLE).index(username) + 1)
