"""Accounts: citizens sign up and verify, staff never self-register and always use MFA,
the admin signs in through allauth, rate limits work, password reset works."""

import re

import pytest
from allauth.mfa.models import Authenticator

from portal.models import Role, User
from tests.conftest import current_totp_code
from tests.factories import PASSWORD, TOTP_SECRET, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password=PASSWORD):
    return client.post("/account/login/", {"login": email, "password": password})


def test_citizen_signs_up_and_must_verify_the_email_before_signing_in(client, mailoutbox):
    response = client.post(
        "/account/signup/",
        {
            "email": "nieuw@example.nl",
            "password1": "Een-lang-wachtwoord-9",
            "password2": "Een-lang-wachtwoord-9",
            "role": Role.OPERATOR,
            "is_staff": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/confirm-email/"
    user = User.objects.get(email="nieuw@example.nl")
    assert user.role == Role.CITIZEN  # a posted role is ignored: staff never self-register
    assert not user.is_staff
    assert len(mailoutbox) == 1
    assert "_auth_user_id" not in client.session

    client.logout()
    response = login(client, "nieuw@example.nl", "Een-lang-wachtwoord-9")
    assert response["Location"] == "/account/confirm-email/"
    assert "_auth_user_id" not in client.session

    link = re.search(r"http://testserver(/account/confirm-email/\S+/)", mailoutbox[-1].body)
    client.post(link.group(1))
    assert client.get("/").context["role"] == Role.CITIZEN


def test_verified_citizen_signs_in_without_a_second_factor(client):
    user = UserFactory()

    response = login(client, user.email)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.parametrize("trait", ["consultant", "municipal_admin", "uwv_assessor", "operator"])
def test_staff_without_a_second_factor_must_set_one_up_first(client, trait):
    user = UserFactory(**{trait: True}, totp=False)
    login(client, user.email)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/totp/activate/"


@pytest.mark.parametrize("trait", ["consultant", "municipal_admin", "uwv_assessor", "operator"])
def test_staff_with_totp_must_enter_the_code_to_sign_in(client, trait):
    user = UserFactory(**{trait: True})

    response = login(client, user.email)

    assert response["Location"] == "/account/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/account/2fa/authenticate/", {"code": "000000"})
    assert "_auth_user_id" not in client.session

    client.post("/account/2fa/authenticate/", {"code": current_totp_code(TOTP_SECRET)})
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/").status_code == 200


def test_staff_setting_up_totp_is_let_through_afterwards(client):
    user = UserFactory(consultant=True, totp=False)
    login(client, user.email)
    # Setting up a factor asks for the password once more (allauth's reauthentication).
    response = client.get("/account/2fa/totp/activate/")
    assert response["Location"].startswith("/account/reauthenticate/")
    client.post("/account/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/account/2fa/totp/activate/").context["form"].secret
    assert client.get("/").status_code == 302  # still no factor: back to the set-up page

    client.post("/account/2fa/totp/activate/", {"code": current_totp_code(secret)})

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/").status_code == 200


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"

    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_only_operators_reach_the_admin(client):
    consultant = UserFactory(consultant=True)
    client.force_login(consultant)
    session = client.session
    session["portal_staff_mfa_ok"] = True
    session.save()

    assert client.get("/admin/login/").status_code == 403


def test_failed_logins_are_rate_limited(client):
    user = UserFactory()
    for _ in range(5):
        login(client, user.email, "fout-wachtwoord")

    response = login(client, user.email, PASSWORD)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client, mailoutbox):
    user = UserFactory()

    client.post("/account/password/reset/", {"email": user.email})

    assert len(mailoutbox) == 1
    path = re.search(r"http://testserver(/account/password/reset/key/\S+/)", mailoutbox[0].body)
    response = client.get(path.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"password1": "Nieuw-wachtwoord-42", "password2": "Nieuw-wachtwoord-42"})
    user.refresh_from_db()
    assert user.check_password("Nieuw-wachtwoord-42")


def test_the_database_refuses_a_consultant_without_a_municipality():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create(email="x@example.nl", role=Role.CONSULTANT, municipality=None)


def test_the_database_refuses_a_citizen_bound_to_a_municipality():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create(
            email="y@example.nl", role=Role.CITIZEN, municipality=MunicipalityFactory()
        )


@pytest.fixture
def mail_server_away(monkeypatch):
    """Every mail send fails as a mail server that does not answer does."""

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)


def test_signing_up_while_the_mail_server_is_away_keeps_the_account_and_says_so(
    client, mail_server_away
):
    response = client.post(
        "/account/signup/",
        {
            "email": "nieuw@example.nl",
            "password1": "Een-lang-wachtwoord-9",
            "password2": "Een-lang-wachtwoord-9",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert User.objects.filter(email="nieuw@example.nl").exists()
    assert "kon nu niet worden verstuurd" in response.content.decode()


def test_asking_for_a_new_password_while_the_mail_server_is_away_is_no_error(
    client, mail_server_away
):
    user = UserFactory()

    response = client.post("/account/password/reset/", {"email": user.email}, follow=True)

    assert response.status_code == 200
    assert "kon nu niet worden verstuurd" in response.content.decode()
